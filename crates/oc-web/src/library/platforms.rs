//! `GET /plateformes`: the register of local open-data platforms.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use oc_index::publication_search::{Facet, PubQuery};
use oc_model::fr::{capitalize, count_or_none};

use crate::error::{WebError, WebResult};
use crate::publications::{href, library, territory_labels, PLATFORM};
use crate::ui::components::table_head;
use crate::ui::{layout_with, Head};
use crate::AppState;

/// `GET /plateformes`: the open-data platforms of collectivités.
pub(crate) async fn platforms_page(State(state): State<AppState>) -> WebResult<Response> {
    let lib = library(&state)?;
    let geo = state.geo();
    let docs = match crate::blocking::spawn(move || lib.index.platforms(&[])).await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Err(WebError::internal(e.0)),
        Err(e) => return Err(WebError::from(e)),
    };
    let mut q = PubQuery::default();
    q.filters.insert(Facet::Type, vec![PLATFORM.to_owned()]);
    Ok(layout_with(
        &Head {
            title: "Plateformes open data des collectivités".into(),
            description: "Les portails de données ouvertes des collectivités locales et les territoires qu'ils \
                couvrent."
                .into(),
            canonical: Some("/plateformes".into()),
            ..Default::default()
        },
        html! {
            h1 { "Plateformes open data des collectivités" }
            p class="fr-text--lead" { "Les portails de données ouvertes des collectivités et des acteurs publics \
                locaux, avec les territoires qu'ils couvrent. Chaque fiche renvoie aux plateformes de son territoire." }
            p {
                (capitalize(&count_or_none(docs.len() as u64, "plateforme", "plateformes", true))) " — " a
                    href=(href("/publications", &q)) {
                    "les chercher dans la bibliothèque"
                }
            }
            div class="fr-table" {
                table {
                    caption { "Plateformes open data" }
                    (table_head(&["Plateforme", "Organisme", "Territoires couverts"]))
                    tbody {
                        @for d in &docs {
                            tr {
                                td { a href=(d.url) rel="noopener" { (d.title) } }
                                td { (d.publisher) }
                                td {
                                    @if d.territories.is_empty() { "France entière" }
                                    @else {
                                        (territory_labels(&geo, &d.territories).join(", "))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}
