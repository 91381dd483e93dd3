//! The Bibliothèque's public side: `/publications` (full-text search with
//! multi-select facets, works without JavaScript), its API, Atom feed and
//! exports, `/plateformes` and the notice of a document. What other pages
//! show of the library (result items, fiche sections) is in
//! [`crate::publications`].

mod api;
mod atom;
mod export;
mod notice;
mod page;
mod platforms;
mod sitemap;

use serde::Serialize;

use oc_library::store::Document;

use crate::AppState;

/// The API's view of a document.
#[derive(Debug, Serialize)]
pub(crate) struct ApiDoc<'a> {
    pub id: i64,
    pub title: &'a str,
    pub url: &'a str,
    pub publisher: &'a str,
    pub published: Option<&'a str>,
    pub precision: Option<&'a str>,
    #[serde(rename = "type")]
    pub resource_type: &'a str,
    pub themes: &'a [String],
    pub scope: &'a [String],
    pub territories: &'a [String],
    pub summary: &'a str,
    /// As the source states it.
    pub licence: Option<&'a str>,
    /// Of the file the link leads to, in bytes, as its server announced it.
    pub size: Option<u64>,
}

impl<'a> From<&'a Document> for ApiDoc<'a> {
    fn from(d: &'a Document) -> Self {
        ApiDoc {
            id: d.id,
            title: &d.title,
            url: &d.url,
            publisher: &d.publisher,
            published: d.published.as_deref(),
            precision: d.precision.as_deref(),
            resource_type: &d.resource_type,
            themes: &d.themes,
            scope: &d.scope,
            territories: &d.territories,
            summary: &d.summary,
            licence: d.licence.as_deref(),
            size: d.size,
        }
    }
}

/// The routes of the library's public side.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/v1/publications", get(api::api))
        .route("/publications", get(page::page))
        .route("/publications/{id}", get(notice::document_page))
        .route("/publications.csv", get(export::export_csv))
        .route("/publications.xlsx", get(export::export_xlsx))
        .route("/publications.json", get(export::export_json))
        .route("/publications.atom", get(atom::atom))
        .route("/plateformes", get(platforms::platforms_page))
        .route("/sitemap-publications.xml", get(sitemap::sitemap))
}
