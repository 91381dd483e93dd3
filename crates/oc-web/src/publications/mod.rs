//! The Bibliothèque as every page reads it: the library of this server,
//! a search query parsed from the URL (French messages) and written back
//! into links, the search run on the blocking pool, and the rendering of a
//! result item and of the library sections of the fiches and the home
//! page. Shared by the library's own pages, the fiches, the home page and
//! the back office.

mod query;
mod render;

pub(crate) use query::{day_text, href, parse_query, territory_label, territory_labels};
pub use render::{fiche_sections, french_date, result_item, result_item_at, result_list, section, short};

use std::sync::Arc;

use oc_index::publication_search::{PubQuery, PubResults};

use crate::error::{WebError, WebResult};
use crate::{AppState, LibraryView};

/// The taxonomies served (the original terms when no library is).
pub(crate) fn taxonomy(state: &AppState) -> Arc<crate::Taxonomy> {
    state.library.as_ref().map(|l| l.taxonomy()).unwrap_or_default()
}

/// The library, or a clear error when none is served.
pub(crate) fn library(state: &AppState) -> WebResult<Arc<LibraryView>> {
    state
        .library
        .clone()
        .ok_or_else(|| WebError::NotFound("la bibliothèque n'est pas configurée sur ce serveur".into()))
}

/// Runs a search on the blocking pool.
pub(crate) async fn run(lib: Arc<LibraryView>, q: PubQuery) -> WebResult<PubResults> {
    crate::blocking::spawn(move || lib.index.search(&q)).await?.map_err(|e| WebError::BadRequest(e.0))
}

/// A few documents for a search (fiches, home, `/recherche`); empty on
/// any problem (these sections never break a page).
pub(crate) fn latest(lib: &LibraryView, q: &PubQuery, n: usize) -> PubResults {
    let mut q = q.clone();
    q.per_page = n;
    q.page = 1;
    lib.index.search(&q).unwrap_or_default()
}
