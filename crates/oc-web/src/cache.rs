//! Conditional requests and compression for every buffered response:
//! a weak `ETag` (FNV-1a of the body) answered with `304 Not Modified` when
//! it matches `If-None-Match`, and gzip when the client accepts it.
//! Streaming responses (marked with [`STREAMING`]) pass through untouched.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Header a handler sets on a streamed response to skip buffering.
pub(crate) const STREAMING: &str = "x-oc-streaming";

/// Bodies larger than this are not buffered for an ETag.
pub(crate) const MAX_BUFFER: usize = 16 * 1024 * 1024;

pub(crate) fn compressible(ctype: &str) -> bool {
    ctype.starts_with("text/")
        || ctype.starts_with("application/json")
        || ctype.starts_with("application/xml")
        || ctype.starts_with("image/svg+xml")
        || ctype.starts_with("application/javascript")
}

pub(crate) fn accepts_gzip(req_headers: &axum::http::HeaderMap) -> bool {
    req_headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|enc| {
            let mut parts = enc.trim().split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            (name == "gzip" || name == "*").then_some((name == "gzip", q > 0.0))
        })
        // An explicit gzip entry wins over `*`.
        .fold(None, |acc: Option<(bool, bool)>, (explicit, ok)| match acc {
            Some((true, _)) if !explicit => acc,
            _ => Some((explicit, ok)),
        })
        .is_some_and(|(_, ok)| ok)
}

/// Gzip at the fastest level: latency matters more than the last bytes.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    oc_store::gzip(bytes, oc_store::Level::Fast)
}

pub(crate) async fn layer(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    // Back-office pages carry a CSRF token beside reflected input: never
    // compressed (BREACH).
    let gzip_ok = accepts_gzip(req.headers()) && !req.uri().path().starts_with("/admin");
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if !(method == Method::GET || method == Method::HEAD)
        || res.status() != StatusCode::OK
        || res.headers().contains_key(STREAMING)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BUFFER).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let etag = format!("W/\"{:016x}\"", oc_store::fingerprint(&bytes));
    let etag_value = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    if if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut().insert(header::ETAG, etag_value);
        for h in [header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = parts.headers.get(&h) {
                r.headers_mut().insert(h, v.clone());
            }
        }
        if compressible(parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")) {
            r.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        return r;
    }
    parts.headers.insert(header::ETAG, etag_value);
    // Revalidated every time (a 304 costs little): a librarian's change or
    // a fiche message shows at once, never after a cache's delay.
    parts.headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("public, no-cache"));
    let ctype = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if compressible(&ctype) {
        parts.headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if gzip_ok
        && method == Method::GET
        && compressible(&ctype)
        && bytes.len() > 1024
        && !parts.headers.contains_key(header::CONTENT_ENCODING)
    {
        let gz = gzip(&bytes);
        parts.headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(gz));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_parsing() {
        let mut h = axum::http::HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0.8"));
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0"));
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0.0, *"));
        assert!(!accepts_gzip(&h), "an explicit refusal wins over *");
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("*"));
        assert!(accepts_gzip(&h));
    }
}
