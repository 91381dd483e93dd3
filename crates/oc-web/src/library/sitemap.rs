//! `GET /sitemap-publications.xml`: the notice of every published
//! document (the library changes with each harvest: made at each request,
//! on the blocking pool, from the index). `robots.txt` names it beside the
//! fiches' sitemap. A sitemap holds at most 50,000 addresses: beyond, the
//! same address answers a sitemap index of pages
//! (`/sitemap-publications.xml?page=N`).

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use oc_index::publication_search::{PubQuery, Sort};

use crate::error::{WebError, WebResult};
use crate::publications::library;
use crate::AppState;

/// Addresses per sitemap (the protocol's limit).
pub(crate) const SITEMAP_MAX: usize = 50_000;

const PATH: &str = "/sitemap-publications.xml";

/// The sitemap of `ids` (newest first) at `page` (`None`: the address
/// without page), `per` addresses a sitemap: the urlset itself when they
/// fit in one, else an index of the pages, or one page.
pub(crate) fn body(base: &str, ids: &[i64], page: Option<usize>, per: usize) -> Result<String, WebError> {
    let pages = ids.len().div_ceil(per).max(1);
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let xmlns = "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
    let urls = |slice: &[i64]| {
        let mut out = format!("{head}<urlset {xmlns}>\n");
        for id in slice {
            out.push_str(&format!("<url><loc>{base}/publications/{id}</loc></url>\n"));
        }
        out.push_str("</urlset>\n");
        out
    };
    match page {
        None if pages == 1 => Ok(urls(ids)),
        None => {
            let mut out = format!("{head}<sitemapindex {xmlns}>\n");
            for n in 1..=pages {
                out.push_str(&format!("<sitemap><loc>{base}{PATH}?page={n}</loc></sitemap>\n"));
            }
            out.push_str("</sitemapindex>\n");
            Ok(out)
        }
        Some(n) if (1..=pages).contains(&n) => {
            let start = (n - 1) * per;
            Ok(urls(&ids[start.min(ids.len())..(start + per).min(ids.len())]))
        }
        Some(n) => Err(WebError::NotFound(format!(
            "le plan des notices n'a pas de page {n} : il en compte {pages} (voir {PATH})"
        ))),
    }
}

pub(crate) async fn sitemap(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    let lib = library(&state)?;
    let p = crate::extract::params(raw);
    let page = match crate::extract::param(&p, "page").filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(v) => Some(v.trim().parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
            WebError::BadRequest(format!("page {v:?} : un numéro de page est un entier à partir de 1"))
        })?),
    };
    let base = oc_model::markup::escape(&state.public_url);
    // One at a time with the exports: it reads every stored document.
    let permit = match state.exports.try_acquire() {
        Ok(p) => p,
        Err(busy) => return Ok(busy.into_response()),
    };
    let body = crate::blocking::spawn(move || -> Result<String, WebError> {
        let _permit = permit;
        let q = PubQuery { sort: Some(Sort::Date), ..PubQuery::default() };
        let (searcher, addrs) = lib.index.search_all(&q).map_err(|e| WebError::internal(e.0))?;
        let ids: Vec<i64> = addrs.into_iter().filter_map(|a| lib.index.stored(&searcher, a)).map(|d| d.id).collect();
        body(&base, &ids, page, SITEMAP_MAX)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_fifty_thousand_addresses_an_index_of_pages() {
        let ids: Vec<i64> = (1..=5).collect();
        let one = body("https://x.fr", &ids, None, 10).unwrap();
        assert!(one.contains("<urlset") && one.matches("<url>").count() == 5);
        let index = body("https://x.fr", &ids, None, 2).unwrap();
        assert!(index.contains("<sitemapindex"));
        assert_eq!(index.matches("<sitemap>").count(), 3);
        assert!(index.contains("<loc>https://x.fr/sitemap-publications.xml?page=3</loc>"));
        let third = body("https://x.fr", &ids, Some(3), 2).unwrap();
        assert_eq!(third.matches("<url>").count(), 1);
        assert!(third.contains("/publications/5<"));
        assert!(matches!(body("https://x.fr", &ids, Some(4), 2), Err(WebError::NotFound(_))));
        assert_eq!(body("https://x.fr", &[], None, 2).unwrap().matches("<url>").count(), 0);
    }
}
