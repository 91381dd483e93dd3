//! Territory search as the pages and the API ask for it: a validated
//! request (French messages) and its run on the blocking pool.

use oc_index::territory::SearchOutcome;
use oc_model::KindGroup;

use crate::blocking;
use crate::error::{WebError, WebResult};
use crate::extract::param;

/// A validated territory search request.
#[derive(Debug, Clone)]
pub(crate) struct SearchRequest {
    pub q: String,
    pub group: Option<KindGroup>,
    /// Results per page.
    pub limit: usize,
    /// From 1.
    pub page: usize,
}

pub(crate) const DEFAULT_LIMIT: usize = 10;

pub(crate) const MAX_LIMIT: usize = 50;

impl SearchRequest {
    /// Validates `q`, `type` and `limit`, with messages in French.
    pub fn from_params(p: &[(String, String)], default_limit: usize) -> WebResult<SearchRequest> {
        let q = param(p, "q").ok_or_else(|| {
            WebError::BadRequest(
                "paramètre « q » manquant : indiquez un nom, un code INSEE, un SIREN ou un code postal".into(),
            )
        })?;
        oc_index::TerritoryIndex::check_query(q)
            .map_err(|e| WebError::BadRequest(format!("paramètre « q » invalide : {e}")))?;
        let group = match param(p, "type") {
            None | Some("") => None,
            Some(t) => Some(KindGroup::parse(t).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "paramètre « type » invalide ({t:?}) : valeurs possibles commune, epci, departement, region"
                ))
            })?),
        };
        let limit = match param(p, "limit") {
            None | Some("") => default_limit,
            Some(l) => match l.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(WebError::BadRequest(format!(
                        "paramètre « limit » invalide ({l:?}) : un entier entre 1 et {MAX_LIMIT}"
                    )))
                }
            },
        };
        let last = oc_index::territory::MAX_RESULTS.div_ceil(limit);
        let page = crate::extract::page(p, last).map_err(WebError::BadRequest)?;
        Ok(SearchRequest { q: q.to_owned(), group, limit, page })
    }

    /// The positions of this page's hits among all hits.
    pub fn window(&self) -> std::ops::Range<usize> {
        (self.page - 1) * self.limit..self.page * self.limit
    }

    /// This page's hits of `outcome` (a search run by [`run_search`]).
    pub fn page_hits<'a>(&self, outcome: &'a SearchOutcome) -> &'a [oc_index::territory::Hit] {
        let w = self.window();
        outcome.hits.get(w.start.min(outcome.hits.len())..w.end.min(outcome.hits.len())).unwrap_or_default()
    }

    /// Number of pages of `outcome` (the results past
    /// [`oc_index::territory::MAX_RESULTS`] are not reachable).
    pub fn pages(&self, outcome: &SearchOutcome) -> usize {
        let shown = if outcome.hits.len() < self.window().end {
            // The search ran out of hits before this page's end: they are
            // all here (déléguées sharing their commune's page left out).
            outcome.hits.len()
        } else {
            outcome.total.min(oc_index::territory::MAX_RESULTS)
        };
        shown.div_ceil(self.limit).max(1)
    }
}

impl crate::extract::FromQuery for SearchRequest {
    /// The API's search (`limit` 10 by default).
    fn from_query(p: &[(String, String)], _: &crate::AppState) -> WebResult<SearchRequest> {
        SearchRequest::from_params(p, DEFAULT_LIMIT)
    }
}

/// Runs a search on the blocking pool, for every hit up to the end of the
/// requested page ([`SearchRequest::page_hits`] gives the page's).
/// Searches `index`; the caller reads the hits' entries from the same index
/// (a refresh may replace the current one meanwhile).
pub(crate) async fn run_search(
    index: std::sync::Arc<oc_index::TerritoryIndex>,
    req: SearchRequest,
) -> WebResult<std::sync::Arc<SearchOutcome>> {
    blocking::spawn(move || index.search(&req.q, req.group, req.window().end))
        .await?
        .map_err(|e| WebError::BadRequest(format!("paramètre « q » invalide : {e}")))
}
