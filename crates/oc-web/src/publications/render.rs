//! A publication as a result item, and the library sections of pages.

use maud::{html, Markup};

use oc_index::publication_search::{Facet, PubQuery, PubResults, Sort};
use oc_library::store::Document;
use oc_model::fr::{count, tous_les};
use oc_store::Geo;

use super::{href, latest, territory_label};
use crate::LibraryView;

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A date at its precision, in French (`17 janvier 2023`, `janvier 2023`, `2023`).
pub fn french_date(d: &Document) -> Option<String> {
    let p = d.published.as_deref()?;
    let parts: Vec<&str> = p.split('-').collect();
    let month = |m: &str| m.parse::<usize>().ok().and_then(|m| MONTHS.get(m.wrapping_sub(1)).copied());
    Some(match parts.as_slice() {
        [y, m, day] => format!("{} {} {y}", day.trim_start_matches('0'), month(m)?),
        [y, m] => format!("{} {y}", month(m)?),
        [y] => (*y).to_owned(),
        _ => return None,
    })
}

pub fn short(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_owned(),
    }
}

/// One result, as listed everywhere.
pub fn result_item(geo: &Geo, d: &Document) -> Markup {
    html! {
        li class="oc-pub fr-mb-3w" {
            h3 class="fr-h6 fr-mb-1v" { a class="fr-link oc-pub__title" href=(d.url) rel="noopener" { (d.title) } }
            p class="fr-text--sm fr-mb-1v oc-pub__meta" {
                strong { (d.publisher) }
                @if let Some(date) = french_date(d) { " — " time datetime=(d.published.as_deref().unwrap_or("")) { (date) } }
                " — " (d.resource_type)
                " — " a class="fr-link fr-text--sm" href=(format!("/publications/{}", d.id)) { "notice" }
            }
            @if !d.summary.is_empty() { p class="fr-text--sm fr-mb-1v" { (short(&d.summary, 280)) } }
            @if !d.themes.is_empty() || !d.territories.is_empty() {
                ul class="fr-tags-group" {
                    @for t in &d.themes { li { span class="fr-tag fr-tag--sm" { (t) } } }
                    @for t in d.territories.iter().take(6) {
                        li {
                            span class="fr-tag fr-tag--sm oc-tag-territory" {
                                (territory_label(geo, t).unwrap_or_else(|| t.clone()))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A section of a few documents with a link to all of them ("Voir la
/// publication", "Voir les 12 publications").
pub fn section(geo: &Geo, title: &str, id: &str, q: &PubQuery, r: &PubResults) -> Markup {
    html! {
        section class="fr-mt-4w" aria-labelledby=(id) {
            h2 id=(id) class="fr-h4" { (title) }
            @if r.hits.is_empty() {
                p class="fr-text--sm" { "Aucun document pour l'instant." }
            } @else {
                ul class="oc-pubs" { @for h in &r.hits { (result_item(geo, &h.doc)) } }
                p { a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href=(href("/publications", q)) {
                    @if r.total == 1 { "Voir la publication" } @else { "Voir les " (count(r.total as u64, "publication", "publications")) }
                } }
            }
        }
    }
}

/// Whether the plural noun of a level of collectivité is feminine
/// ("toutes les communes, intercommunalités, régions", "tous les
/// départements"); unknown nouns take the masculine, French's default.
fn level_is_feminine(level: &str) -> bool {
    matches!(
        level.trim(),
        "communes"
            | "intercommunalités"
            | "régions"
            | "collectivités"
            | "collectivités locales"
            | "métropoles"
            | "communautés de communes"
            | "communautés d'agglomération"
            | "communautés urbaines"
    )
}

/// The library sections of a fiche: documents about this territory,
/// documents useful to every collectivité of its level (`level`, the plural
/// noun: "communes", "intercommunalités", "départements", "régions"), and
/// the open-data platforms covering it or its parents.
pub fn fiche_sections(
    geo: &Geo,
    lib: &LibraryView,
    area: &str,
    scope: &str,
    level: &str,
    covering: &[String],
) -> Markup {
    let mut about = PubQuery::default();
    about.filters.insert(Facet::Territory, vec![area.to_owned()]);
    about.sort = Some(Sort::Date);
    let mut useful = PubQuery::default();
    useful.filters.insert(Facet::Scope, vec![scope.to_owned()]);
    useful.sort = Some(Sort::Date);
    let about_r = latest(lib, &about, 6);
    let useful_r = latest(lib, &useful, 6);
    let platforms = lib.index.platforms(covering).unwrap_or_default();
    html! {
        (section(geo, "Concernant ce territoire", "oc-about", &about, &about_r))
        (section(geo, &format!("Utiles à {}", tous_les(level, level_is_feminine(level))), "oc-useful", &useful, &useful_r))
        @if !platforms.is_empty() {
            section class="fr-mt-4w" aria-labelledby="oc-platforms" {
                h2 id="oc-platforms" class="fr-h4" { "Plateformes open data couvrant ce territoire" }
                ul { @for d in &platforms {
                    li {
                        a class="fr-link" href=(d.url) rel="noopener" { (d.title) }
                        " — "
                            (d.territories.iter().filter_map(|t| territory_label(geo, t)).collect::<Vec<_>>().join(", "))
                    }
                } }
                p { a class="fr-link" href="/plateformes" { "Toutes les plateformes" } }
            }
        }
    }
}
