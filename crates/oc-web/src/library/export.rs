//! `GET /publications.csv|xlsx|json`: the results of a search, streamed
//! (the workbook made whole).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use oc_index::publication_search::PubQuery;
use oc_index::PublicationsIndex;
use oc_library::store::Document;

use super::ApiDoc;
use crate::error::{WebError, WebResult};
use crate::export::{attachment, text_cell, Dialect};
use crate::extract::{param, params};
use crate::publications::{library, parse_query, taxonomy, territory_labels};
use crate::AppState;

/// Every document matching a search, in its order, as a pulled body
/// ([`crate::streaming`]): each chunk is read in a short blocking task, and
/// a client that stops reading holds no thread.
fn stream_docs(
    index: Arc<PublicationsIndex>,
    q: PubQuery,
    mut write: impl FnMut(&Document, bool, &mut String) + Send + 'static,
    head: String,
    tail: String,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Body {
    // The search runs in the first chunk; then the stored documents, in order.
    let mut found = None;
    let (mut head, mut tail, mut i) = (Some(head), Some(tail), 0usize);
    let producer = crate::streaming::FnProducer(
        move |buf: &mut String| -> Result<bool, std::io::Error> {
            if let Some(h) = head.take() {
                buf.push_str(&h);
                let (searcher, addrs) = index.search_all(&q).map_err(|e| std::io::Error::other(e.0))?;
                found = Some((searcher, addrs.into_iter()));
                return Ok(true);
            }
            let Some((searcher, addrs)) = found.as_mut() else { return Ok(false) };
            match addrs.next() {
                Some(a) => {
                    if let Some(d) = index.stored(searcher, a) {
                        write(&d, i == 0, buf);
                        i += 1;
                    }
                    Ok(true)
                }
                None => {
                    buf.push_str(&tail.take().unwrap_or_default());
                    Ok(false)
                }
            }
        },
        false,
    );
    crate::streaming::body(producer, permit)
}

/// The columns of a library export (CSV and XLSX).
const COLUMNS: [&str; 12] = [
    "id",
    "titre",
    "url",
    "organisme",
    "date",
    "précision",
    "type",
    "thématiques",
    "types de territoire",
    "territoires",
    "territoires (noms)",
    "résumé",
];

/// The precision of a date in French.
fn precision_fr(p: Option<&str>) -> &'static str {
    match p {
        Some("day") => "jour",
        Some("month") => "mois",
        Some("year") => "année",
        _ => "",
    }
}

/// The file name of an export, saying what the search was:
/// `bibliotheque-dotation-theme-finances-fiscalite.csv` (at most some 80
/// characters; the whole library: `bibliotheque-open-collectivites`).
fn filename(q: &PubQuery, ext: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !q.q.is_empty() {
        parts.push(oc_model::text::slug(&q.q));
    }
    for (f, vs) in &q.filters {
        for v in vs {
            parts.push(format!("{}-{}", f.param(), oc_model::text::slug(v)));
        }
    }
    let mut name = if parts.is_empty() {
        "bibliotheque-open-collectivites".to_owned()
    } else {
        format!("bibliotheque-{}", parts.join("-"))
    };
    if let Some((i, _)) = name.char_indices().nth(80) {
        name.truncate(i);
        name = name.trim_end_matches('-').to_owned();
    }
    format!("{name}.{ext}")
}

/// `GET /publications.xlsx`: the same rows as the CSV, as a workbook made
/// in one blocking task when the exports' turn comes (the answer is
/// bytes: a slow client holds no thread).
async fn export_workbook(
    lib: Arc<crate::LibraryView>,
    geo: Arc<oc_store::Geo>,
    q: PubQuery,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> WebResult<Response> {
    use crate::export::Cell;
    let name = filename(&q, "xlsx");
    let made = crate::streaming::build(move || {
        let _permit = permit;
        let (searcher, addrs) = lib.index.search_all(&q).map_err(|e| WebError::internal(e.0))?;
        let rows = addrs.into_iter().filter_map(|a| lib.index.stored(&searcher, a)).map(|doc| {
            let t = |s: &str| Cell::Text(s.to_owned());
            vec![
                Cell::Number(Some(doc.id as f64), 0),
                t(&doc.title),
                t(&doc.url),
                t(&doc.publisher),
                t(doc.published.as_deref().unwrap_or_default()),
                t(precision_fr(doc.precision.as_deref())),
                t(&doc.resource_type),
                t(&doc.themes.join(" | ")),
                t(&doc.scope.join(" | ")),
                t(&doc.territories.join(" | ")),
                t(&territory_labels(&geo, &doc.territories).join(" | ")),
                t(&doc.summary),
            ]
        });
        let notes = [
            "Bibliothèque d'Open Collectivités : publications, jeux de données et outils des services statistiques \
             publics, tels que leurs producteurs les publient (titre, adresse, organisme, date) ; résumés et \
             classements par les bibliothécaires du portail."
                .to_owned(),
            "Les dates sont écrites AAAA-MM-JJ (ou AAAA-MM, AAAA selon la précision) ; plusieurs valeurs d'une \
             même cellule sont séparées par « | »."
                .to_owned(),
        ];
        let widths = [8.0, 60.0, 40.0, 30.0, 12.0, 10.0, 16.0, 30.0, 24.0, 24.0, 40.0, 80.0];
        crate::export::xlsx::rows_workbook(&COLUMNS, &widths, rows, &notes).map_err(WebError::internal)
    })
    .await
    .map_err(WebError::internal)??;
    let mut res = Response::new(Body::from(made));
    attachment(&mut res, &name, crate::export::xlsx::CONTENT_TYPE);
    Ok(res)
}

/// `GET /publications.csv`, `.xlsx` and `.json`: every document of a
/// search (streamed, but for the workbook).
pub(crate) async fn export(state: AppState, raw: Option<String>, ext: &'static str) -> WebResult<Response> {
    let lib = library(&state)?;
    let p = params(raw);
    let q = parse_query(&p, &state.geo(), &taxonomy(&state))?;
    let d = Dialect::parse(param(&p, "dialect")).map_err(WebError::BadRequest)?;
    let permit = match state.exports.try_acquire() {
        Ok(p) => p,
        Err(busy) => return Ok(busy.into_response()),
    };
    let geo = state.geo();
    if ext == "xlsx" {
        return export_workbook(lib, geo, q, permit).await;
    }
    let q_name = q.clone();
    let body = if ext == "csv" {
        let sep = if d == Dialect::French { ";" } else { "," };
        let mut head = String::new();
        if d == Dialect::French {
            head.push('\u{feff}');
        }
        head.push_str(&COLUMNS.join(sep));
        head.push_str("\r\n");
        stream_docs(
            lib.index.clone(),
            q,
            move |doc, _, buf| {
                let cells = [
                    doc.id.to_string(),
                    text_cell(&doc.title, d),
                    text_cell(&doc.url, d),
                    text_cell(&doc.publisher, d),
                    doc.published.clone().unwrap_or_default(),
                    precision_fr(doc.precision.as_deref()).to_owned(),
                    text_cell(&doc.resource_type, d),
                    text_cell(&doc.themes.join(" | "), d),
                    text_cell(&doc.scope.join(" | "), d),
                    text_cell(&doc.territories.join(" | "), d),
                    text_cell(&territory_labels(&geo, &doc.territories).join(" | "), d),
                    text_cell(&doc.summary, d),
                ];
                buf.push_str(&cells.join(sep));
                buf.push_str("\r\n");
            },
            head,
            String::new(),
            permit,
        )
    } else {
        stream_docs(
            lib.index.clone(),
            q,
            |doc, first, buf| {
                if !first {
                    buf.push(',');
                }
                buf.push_str(&serde_json::to_string(&ApiDoc::from(doc)).unwrap_or_else(|_| "null".into()));
            },
            "{\"results\":[".into(),
            "]}".into(),
            permit,
        )
    };
    let mut res = Response::new(body);
    let ctype = if ext == "csv" { "text/csv; charset=utf-8" } else { "application/json" };
    attachment(&mut res, &filename(&q_name, ext), ctype);
    res.headers_mut().insert(crate::cache::STREAMING, HeaderValue::from_static("1"));
    Ok(res)
}

pub(crate) async fn export_csv(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    export(state, raw, "csv").await
}

pub(crate) async fn export_xlsx(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    export(state, raw, "xlsx").await
}

pub(crate) async fn export_json(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    export(state, raw, "json").await
}
