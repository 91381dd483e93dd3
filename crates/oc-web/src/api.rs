//! The JSON API (`/api/v1/…`) and `/healthz`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use oc_index::territory::Entry;

use crate::blocking;
use crate::error::{ApiError, WebError, WebResult};
use crate::extract::ApiQuery;
use crate::search::{run_search, SearchRequest};
use crate::AppState;

#[derive(Serialize)]
pub(crate) struct Place<'a> {
    code: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
pub(crate) struct ResultJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    code: &'a str,
    siren: Option<&'a str>,
    name: &'a str,
    label: &'a str,
    url: &'a str,
    population: Option<u64>,
    departement: Option<Place<'a>>,
    region: Option<Place<'a>>,
    /// Set on the intercommunality placed after the large city the query
    /// names: a suggestion beside the matches.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    city_epci: bool,
}

impl<'a> From<&'a Entry> for ResultJson<'a> {
    fn from(e: &'a Entry) -> Self {
        let place = |p: &'a Option<(String, String)>| p.as_ref().map(|(code, name)| Place { code, name });
        ResultJson {
            kind: e.kind.as_str(),
            code: &e.code,
            siren: e.siren.as_deref(),
            name: &e.name,
            label: &e.label,
            url: &e.url,
            population: e.population,
            departement: place(&e.departement),
            region: place(&e.region),
            city_epci: false,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct SearchJson<'a> {
    query: &'a str,
    total: usize,
    page: usize,
    pages: usize,
    /// True when no exact match existed and typo-tolerant matching was used.
    approximate: bool,
    results: Vec<ResultJson<'a>>,
}

/// `GET /api/v1/search?q=…&type=…&limit=…`
pub(crate) async fn search(
    State(state): State<AppState>,
    ApiQuery(req): ApiQuery<SearchRequest>,
) -> WebResult<Response, ApiError> {
    let q = req.q.clone();
    let index = state.territories();
    let outcome = run_search(index.clone(), req.clone()).await?;
    let body = SearchJson {
        query: &q,
        total: outcome.total,
        page: req.page,
        pages: req.pages(&outcome),
        approximate: outcome.fuzzy,
        results: req
            .page_hits(&outcome)
            .iter()
            .map(|h| ResultJson {
                city_epci: outcome.city_epci == Some(h.entry),
                ..ResultJson::from(index.entry(h.entry))
            })
            .collect(),
    };
    Ok(Json(body).into_response())
}

/// `GET /api/v1/sources`: every library source with its status (last
/// attempt, last success, last error, items seen / new / updated /
/// rejected) and its newest rejected items.
pub(crate) async fn sources(State(state): State<AppState>) -> WebResult<Response, ApiError> {
    let Some(lib) = state.library.clone() else {
        return Err(WebError::NotFound("la bibliothèque n'est pas configurée sur ce serveur".into()).into());
    };
    let body = blocking::spawn(move || -> WebResult<serde_json::Value> {
        let store = lib.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let internal = |e: oc_library::store::StoreError| WebError::internal(e);
        let mut out = Vec::new();
        for s in store.sources().map_err(internal)? {
            let rejections = store.rejections(&s.source.id, 10).map_err(internal)?;
            let mut v = serde_json::to_value(&s).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("recent_rejections".into(), serde_json::to_value(rejections).unwrap_or_default());
            }
            out.push(v);
        }
        Ok(serde_json::json!({ "total": out.len(), "documents_indexed": lib.index.num_docs(), "sources": out }))
    })
    .await
    .map_err(WebError::from)??;
    Ok(Json(body).into_response())
}

/// The routes of the territory search and sources APIs.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/api/v1/search", get(search)).route("/api/v1/sources", get(sources))
}
