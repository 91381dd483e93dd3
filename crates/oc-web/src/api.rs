//! The JSON API (`/api/v1/…`) and `/healthz`.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use oc_index::territory::{Entry, SearchOutcome};
use oc_model::KindGroup;

use crate::error::{ApiError, WebError};
use crate::AppState;

/// Query-string parameters as (name, value) pairs; never fails.
pub fn params(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|r| serde_urlencoded::from_str::<Vec<(String, String)>>(&r).unwrap_or_default()).unwrap_or_default()
}

/// The last value of parameter `name`.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A validated territory search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub q: String,
    pub group: Option<KindGroup>,
    pub limit: usize,
}

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 50;

impl SearchRequest {
    /// Validates `q`, `type` and `limit`, with messages in French.
    pub fn from_params(p: &[(String, String)], default_limit: usize) -> Result<SearchRequest, WebError> {
        let q = param(p, "q").ok_or_else(|| WebError::BadRequest("paramètre « q » manquant : indiquez un nom, un code INSEE, un SIREN ou un code postal".into()))?;
        oc_index::TerritoryIndex::check_query(q).map_err(|e| WebError::BadRequest(format!("paramètre « q » invalide : {e}")))?;
        let group = match param(p, "type") {
            None | Some("") => None,
            Some(t) => Some(KindGroup::parse(t).ok_or_else(|| {
                WebError::BadRequest(format!("paramètre « type » invalide ({t:?}) : valeurs possibles commune, epci, departement, region"))
            })?),
        };
        let limit = match param(p, "limit") {
            None | Some("") => default_limit,
            Some(l) => match l.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(WebError::BadRequest(format!("paramètre « limit » invalide ({l:?}) : un entier entre 1 et {MAX_LIMIT}"))),
            },
        };
        Ok(SearchRequest { q: q.to_owned(), group, limit })
    }
}

/// Runs a search on the blocking pool.
/// Searches `index`; the caller reads the hits' entries from the same index
/// (a refresh may replace the current one meanwhile).
pub async fn run_search(index: std::sync::Arc<oc_index::TerritoryIndex>, req: SearchRequest) -> Result<std::sync::Arc<SearchOutcome>, WebError> {
    tokio::task::spawn_blocking(move || index.search(&req.q, req.group, req.limit))
        .await?
        .map_err(|e| WebError::BadRequest(format!("paramètre « q » invalide : {e}")))
}

#[derive(Serialize)]
pub struct Place<'a> {
    code: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
pub struct ResultJson<'a> {
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
        }
    }
}

#[derive(Serialize)]
pub struct SearchJson<'a> {
    query: &'a str,
    total: usize,
    /// True when no exact match existed and typo-tolerant matching was used.
    approximate: bool,
    results: Vec<ResultJson<'a>>,
}

/// `GET /api/v1/search?q=…&type=…&limit=…`
pub async fn search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let req = SearchRequest::from_params(&params(raw), DEFAULT_LIMIT)?;
    let q = req.q.clone();
    let index = state.territories();
    let outcome = run_search(index.clone(), req).await?;
    let body = SearchJson {
        query: &q,
        total: outcome.total,
        approximate: outcome.fuzzy,
        results: outcome.hits.iter().map(|h| ResultJson::from(index.entry(h.entry))).collect(),
    };
    Ok(Json(body).into_response())
}

/// `GET /healthz`
pub async fn healthz(State(state): State<AppState>) -> Response {
    let r = state.reference();
    let d = &r.geo.data;
    let body = Json(serde_json::json!({
        "status": "ok",
        "cog": d.meta.cog_year,
        "communes": d.communes.len(),
        "epci": d.epci.len(),
        "departements": d.departements.len(),
        "regions": d.regions.len(),
        "indexed": r.territories.entries().len(),
        "data_fingerprint": format!("{:016x}", r.geo.fingerprint),
    }));
    ([(axum::http::header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// `GET /api/v1/sources`: every library source with its status (last
/// attempt, last success, last error, items seen / new / updated /
/// rejected) and its newest rejected items.
pub async fn sources(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(lib) = state.library.clone() else {
        return Err(WebError::NotFound("la bibliothèque n'est pas configurée sur ce serveur".into()).into());
    };
    let body = tokio::task::spawn_blocking(move || -> Result<serde_json::Value, WebError> {
        let store = lib.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let internal = |e: oc_library::store::StoreError| WebError::Internal(e.to_string());
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
