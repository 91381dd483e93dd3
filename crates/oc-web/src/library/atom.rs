//! `GET /publications.atom`: the latest documents of a search as Atom.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use oc_index::publication_search::{PubQuery, Sort};

use crate::error::WebResult;
use crate::extract::Query;
use crate::publications::{href, library, run};
use crate::AppState;

/// `GET /publications.atom`: the search as an Atom feed (newest first).
/// Every value written goes through [`oc_model::markup::escape`]: the query
/// and the stored titles, summaries, themes may hold code points XML 1.0
/// forbids (U+FFFE, controls), dropped there.
pub(crate) async fn atom(State(state): State<AppState>, Query(mut q): Query<PubQuery>) -> WebResult<Response> {
    use oc_model::markup as xml;
    let lib = library(&state)?;
    q.sort = Some(Sort::Date);
    q.page = 1;
    let page_href = href("/publications", &q);
    let self_href = href("/publications.atom", &q);
    let r = run(lib, q.clone()).await?;
    let base = &state.public_url;
    let updated = r
        .hits
        .iter()
        .filter_map(|h| h.doc.last_updated.get(..20).map(str::to_owned))
        .max()
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".into());
    let title = if q.q.is_empty() {
        "Bibliothèque d'Open Collectivités".to_owned()
    } else {
        format!("Bibliothèque d'Open Collectivités : « {} »", q.q)
    };
    let mut x = String::with_capacity(16 * 1024);
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n",
    );
    x.push_str(&format!(
        "<title>{}</title>\n<id>{}</id>\n<updated>{}</updated>\n",
        xml::escape(&title),
        xml::escape(&format!("{base}{self_href}")),
        xml::escape(&updated)
    ));
    x.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml::escape(&format!("{base}{self_href}"))
    ));
    x.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml::escape(&format!("{base}{page_href}"))
    ));
    x.push_str("<author><name>Open Collectivités</name></author>\n");
    for h in &r.hits {
        let d = &h.doc;
        let when = d.published.as_deref().and_then(oc_library::parse_date).map(|(p, prec)| match prec {
            oc_library::Precision::Day => format!("{p}T00:00:00Z"),
            oc_library::Precision::Month => format!("{p}-01T00:00:00Z"),
            oc_library::Precision::Year => format!("{p}-01-01T00:00:00Z"),
        });
        let updated = d.last_updated.clone();
        x.push_str("<entry>\n");
        x.push_str(&format!("<title>{}</title>\n", xml::escape(&d.title)));
        x.push_str(&format!("<id>{}</id>\n", xml::escape(&format!("{base}/publications/{}", d.id))));
        x.push_str(&format!("<link rel=\"alternate\" href=\"{}\"/>\n", xml::escape(&d.url)));
        x.push_str(&format!("<updated>{}</updated>\n", xml::escape(&updated)));
        if let Some(w) = when {
            x.push_str(&format!("<published>{}</published>\n", xml::escape(&w)));
        }
        x.push_str(&format!("<author><name>{}</name></author>\n", xml::escape(&d.publisher)));
        for t in &d.themes {
            x.push_str(&format!("<category term=\"{}\"/>\n", xml::escape(t)));
        }
        if !d.summary.is_empty() {
            x.push_str(&format!("<summary type=\"text\">{}</summary>\n", xml::escape(&d.summary)));
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], x).into_response())
}
