//! `GET /sitemap-publications.xml`: the notice of every published
//! document (the library changes with each harvest: made at each request,
//! on the blocking pool, from the index). `robots.txt` names it beside the
//! fiches' sitemap.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use oc_index::publication_search::{PubQuery, Sort};

use crate::error::WebResult;
use crate::publications::library;
use crate::AppState;

pub(crate) async fn sitemap(State(state): State<AppState>) -> WebResult<Response> {
    let lib = library(&state)?;
    let base = oc_model::markup::escape(&state.public_url);
    // One at a time with the exports: it reads every stored document.
    let permit = match state.exports.try_acquire() {
        Ok(p) => p,
        Err(busy) => return Ok(busy.into_response()),
    };
    let body = crate::blocking::spawn(move || -> Result<String, crate::error::WebError> {
        let _permit = permit;
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let q = PubQuery { sort: Some(Sort::Date), ..PubQuery::default() };
        let (searcher, addrs) = lib.index.search_all(&q).map_err(|e| crate::error::WebError::internal(e.0))?;
        for a in addrs {
            if let Some(d) = lib.index.stored(&searcher, a) {
                out.push_str(&format!("<url><loc>{base}/publications/{}</loc></url>\n", d.id));
            }
        }
        out.push_str("</urlset>\n");
        Ok(out)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response())
}
