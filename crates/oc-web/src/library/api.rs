//! `GET /api/v1/publications`: the search as JSON, with facet counts.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use oc_index::publication_search::{PubQuery, PER_PAGE};

use super::ApiDoc;
use crate::error::ApiError;
use crate::error::WebResult;
use crate::extract::ApiQuery;
use crate::publications::{library, run};
use crate::AppState;

#[derive(Serialize)]
struct FacetCount<'a> {
    value: &'a str,
    count: usize,
}

/// `GET /api/v1/publications`
pub(crate) async fn api(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PubQuery>,
) -> WebResult<Response, ApiError> {
    let lib = library(&state)?;
    let page = q.page;
    let r = run(lib, q).await?;
    let facets: BTreeMap<&str, Vec<FacetCount<'_>>> = r
        .facets
        .iter()
        .map(|(f, v)| (f.param(), v.iter().map(|(value, count)| FacetCount { value, count: *count }).collect()))
        .collect();
    let results: Vec<ApiDoc<'_>> = r.hits.iter().map(|h| ApiDoc::from(&h.doc)).collect();
    Ok(Json(serde_json::json!({
        "total": r.total,
        "page": page,
        "per_page": PER_PAGE,
        "relaxed": r.relaxed,
        "results": results,
        "facets": facets,
    }))
    .into_response())
}
