//! Embedded static files: the DSFR (vendored by `scripts/vendor-dsfr.sh`)
//! and our own script, served under `/assets/`.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

mod table {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// The embedded file at `path` (relative to `assets/`), with its type.
pub fn get(path: &str) -> Option<(&'static [u8], &'static str)> {
    table::FILES.iter().find(|(p, _, _)| *p == path).map(|(_, b, m)| (*b, *m))
}

/// `GET /assets/{*path}`
pub async fn serve(Path(path): Path<String>) -> Response {
    match get(&path) {
        Some((bytes, mime)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
            ],
            bytes,
        )
            .into_response(),
        None => WebError::NotFound(format!("aucun fichier /assets/{path}")).into_response(),
    }
}
