//! `GET /publications/{id}`: one document's notice.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;

use oc_library::store::Document;
use oc_library::store::Status;
use oc_model::fr::plural;

use crate::error::{WebError, WebResult};
use crate::publications::{french_date, library, short, territory_labels};
use crate::ui::{layout_with, Head};
use crate::AppState;

/// Documents proches shown on a notice.
const SIMILAR: usize = 5;

/// What a notice says of the file its link leads to: « PDF – 2,6 Mo »
/// (the size when its server announced it at harvest); `None` for a web
/// page.
fn file_text(d: &Document) -> Option<String> {
    let format = oc_model::file::format_of(&d.url)?;
    Some(match d.size {
        Some(n) => format!("{format} – {}", oc_model::file::size_text(n)),
        None => format.to_owned(),
    })
}

/// `/publications/{id}`: a document's notice (its permanent address in the
/// portal). A merged document's address redirects to the one it went
/// into; an unpublished or deleted one is not found.
pub(crate) async fn document_page(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> WebResult<Response> {
    let lib = library(&state)
        .map_err(|_| WebError::NotFound("la bibliothèque n'est pas configurée sur ce serveur".into()))?;
    let id = id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        WebError::NotFound(format!("aucun document n° {id:?} : les notices ont un numéro, comme /publications/12"))
    })?;
    enum Found {
        Show(Box<Document>, Vec<Document>),
        Moved(i64),
        None,
    }
    let found = crate::blocking::spawn(move || -> WebResult<Found> {
        let store = lib.lock();
        Ok(match store.document(id)? {
            Some(d) if d.status == Status::Published => {
                // The index needs no store: its lock is let go first.
                drop(store);
                let similar = lib.index.similar(&d, SIMILAR).unwrap_or_default();
                Found::Show(Box::new(d), similar)
            }
            // A merged document redirects to the one it went into, while
            // that one is published.
            _ => match store.merged_target(id)? {
                Some(t) if store.document(t)?.is_some_and(|d| d.status == Status::Published) => Found::Moved(t),
                _ => Found::None,
            },
        })
    })
    .await??;
    let (d, similar) = match found {
        Found::Show(d, similar) => (d, similar),
        Found::Moved(t) => {
            return Ok(
                (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/publications/{t}"))]).into_response()
            )
        }
        Found::None => return Err(WebError::NotFound(format!("aucun document publié n° {id}"))),
    };
    let geo = &state.geo();
    let head = Head {
        title: d.title.clone(),
        description: short(&d.summary, 200),
        canonical: Some(format!("/publications/{}", d.id)),
        section: Some(crate::ui::Section::Bibliotheque),
        ..Default::default()
    };
    Ok(layout_with(
        &head,
        html! {
            (crate::ui::components::breadcrumb(
                &[("Accueil".into(), "/".into()), ("Bibliothèque".into(), "/publications".into())],
                &short(&d.title, 60),
            ))
            h1 class="fr-h2" { (d.title) }
            p class="oc-pub__meta" {
                strong { (d.publisher) }
                @if let Some(date) = french_date(&d) { " — " time datetime=(d.published.as_deref().unwrap_or("")) { (date) } }
                " — " (d.resource_type)
            }
            @for para in d.summary.split("\n\n").filter(|p| !p.trim().is_empty()) { p { (para.trim()) } }
            dl class="oc-identity fr-mb-3w" {
                @if !d.themes.is_empty() {
                    dt { (plural(d.themes.len() as u64, "Thématique", "Thématiques")) }
                    dd {
                        @for (i, t) in d.themes.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(format!("/publications?theme={}", crate::format::urlencode(t))) { (t) }
                        }
                    }
                }
                @if let Some(f) = file_text(&d) { dt { "Format" } dd { (f) " (fichier à télécharger)" } }
                @if let Some(l) = &d.licence { dt { "Licence" } dd { (l) " (selon la source)" } }
                @if !d.scope.is_empty() { dt { (plural(d.scope.len() as u64, "Type de territoire", "Types de territoire")) } dd { (d.scope.join(", ")) } }
                @if !d.territories.is_empty() {
                    dt { (plural(d.territories.len() as u64, "Territoire", "Territoires")) }
                    dd {
                        @for (i, t) in d.territories.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(format!("/publications?territory={}", crate::format::urlencode(t))) {
                                (territory_labels(geo, std::slice::from_ref(t)).concat())
                            }
                        }
                    }
                }
            }
            p {
                a class="fr-btn" href=(d.url) rel="noopener" {
                    @match file_text(&d) {
                        Some(f) => { "Télécharger le document (" (f) ")" },
                        None => "Consulter le document sur le site de l'éditeur",
                    }
                }
            }
            @if !similar.is_empty() {
                section class="fr-mt-6w" aria-labelledby="oc-similar" {
                    h2 id="oc-similar" class="fr-h4" { "Documents proches" }
                    ul class="oc-pubs" { @for x in &similar { (crate::publications::result_item(geo, x)) } }
                }
            }
        },
    )
    .into_response())
}
