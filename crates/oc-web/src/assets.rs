//! Embedded static files: the DSFR (vendored by `scripts/vendor-dsfr.sh`)
//! and our own script, served under `/assets/`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

mod table {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// Gzip versions of the compressible assets, made on first request.
fn gzipped(path: &'static str, bytes: &'static [u8]) -> Bytes {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(b) = cache.lock().ok().and_then(|c| c.get(path).cloned()) {
        return b;
    }
    let gz = Bytes::from(crate::cache::gzip(bytes));
    if let Ok(mut c) = cache.lock() {
        c.insert(path, gz.clone());
    }
    gz
}

/// `GET /assets/{*path}`
pub(crate) async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some((key, bytes, mime)) = table::FILES.iter().find(|(p, _, _)| *p == path).copied() else {
        return WebError::NotFound(format!("aucun fichier /assets/{path}")).into_response();
    };
    let gz = bytes.len() > 1024 && crate::cache::compressible(mime) && crate::cache::accepts_gzip(&headers);
    let mut res = if gz {
        (StatusCode::OK, gzipped(key, bytes)).into_response()
    } else {
        (StatusCode::OK, bytes).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gz {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    res
}

/// The route of the embedded assets.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/assets/{*path}", get(serve))
}
