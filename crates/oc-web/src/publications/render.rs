//! A publication as a result item, and the library sections of pages.

use maud::{html, Markup};

use oc_index::publication_search::{Facet, PubQuery, PubResults, Sort};
use oc_library::store::Document;
use oc_model::fr::{count, tous_les};
use oc_store::Geo;

use super::{href, latest, territory_labels};
use crate::LibraryView;

use crate::format::MONTHS;

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

/// One result, as listed everywhere (its title a `h3`).
pub fn result_item(geo: &Geo, d: &Document) -> Markup {
    result_item_at(geo, d, 3)
}

/// One result with its title at heading `level` (3 or 4: under a group's
/// own `h3`).
pub fn result_item_at(geo: &Geo, d: &Document, level: u8) -> Markup {
    item(geo, d, level, None, html! {})
}

/// One result, numbered `rank` in an ordered list, followed by `more`
/// (the other parts of its edition).
fn item(geo: &Geo, d: &Document, level: u8, rank: Option<usize>, more: Markup) -> Markup {
    let title = html! { a class="fr-link oc-pub__title" href=(d.url) rel="noopener" { (d.title) } };
    html! {
        li class="oc-pub fr-mb-3w" value=[rank] {
            @if level >= 4 { h4 class="fr-h6 fr-mb-1v" { (title) } } @else { h3 class="fr-h6 fr-mb-1v" { (title) } }
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
                    @for t in territory_labels(geo, &d.territories).iter().take(6) {
                        li { span class="fr-tag fr-tag--sm oc-tag-territory" { (t) } }
                    }
                }
            }
            (more)
        }
    }
}

/// The edition a title names before its part: « Les collectivités
/// locales en chiffres 2026 – Chapitre 4 : … » → « Les collectivités
/// locales en chiffres 2026 » and « Chapitre 4 : … ».
fn edition_of(title: &str) -> Option<(&str, &str)> {
    let (edition, part) = title.split_once(" – ").or_else(|| title.split_once(" — "))?;
    let (edition, part) = (edition.trim(), part.trim());
    (edition.chars().count() >= 12 && !part.is_empty()).then_some((edition, part))
}

/// The results of one page, the parts of one edition (chapters, tables)
/// grouped under the first of them found: that one is shown in full,
/// the others as links beneath it, with a search for the whole edition.
/// Each result keeps its rank among all (`first_rank` for the first), so
/// that the numbers skip the parts listed under an edition.
pub fn result_list(geo: &Geo, docs: &[&Document], first_rank: usize) -> Markup {
    // Per document: the edition it belongs to, if another result on the
    // page belongs to it too (or is the edition itself).
    let edition = |d: &Document| -> Option<String> {
        let own = edition_of(&d.title).map(|e| e.0);
        let key = own.unwrap_or(d.title.as_str());
        let shared = docs
            .iter()
            .filter(|o| o.id != d.id)
            .any(|o| edition_of(&o.title).map(|e| e.0) == Some(key) || (own.is_some() && o.title == key));
        shared.then(|| key.to_owned())
    };
    let keys: Vec<Option<String>> = docs.iter().map(|d| edition(d)).collect();
    // (head, the other parts of its edition), in rank order.
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut placed = vec![false; docs.len()];
    for i in 0..docs.len() {
        if placed[i] {
            continue;
        }
        let parts: Vec<usize> = match &keys[i] {
            Some(k) => (i + 1..docs.len()).filter(|j| keys[*j].as_deref() == Some(k.as_str())).collect(),
            None => Vec::new(),
        };
        for j in &parts {
            placed[*j] = true;
        }
        groups.push((i, parts));
    }
    html! {
        @for (i, parts) in &groups {
            @let d = docs[*i];
            @if parts.is_empty() {
                (item(geo, d, 3, Some(first_rank + i), html! {}))
            } @else {
                @let key = keys[*i].clone().unwrap_or_default();
                (item(geo, d, 3, Some(first_rank + i), html! {
                    details class="oc-edition fr-mt-1w" open {
                        summary class="fr-text--sm" {
                            "Dans la même édition, « " (key) " » : "
                            (oc_model::fr::count(parts.len() as u64, "autre document", "autres documents"))
                        }
                        ul class="fr-text--sm" {
                            @for j in parts {
                                @let o = docs[*j];
                                li {
                                    a class="fr-link fr-text--sm" href=(o.url) rel="noopener" {
                                        (edition_of(&o.title).map_or(o.title.as_str(), |e| e.1))
                                    }
                                    @if let Some(f) = oc_model::file::format_of(&o.url) { " (" (f) ")" }
                                    " — " a class="fr-link fr-text--sm" href=(format!("/publications/{}", o.id)) { "notice" }
                                }
                            }
                        }
                        // A search holds 300 characters at most.
                        @if key.chars().count() <= 280 {
                            p class="fr-text--sm fr-mb-0" {
                                a class="fr-link fr-text--sm" href=(format!("/publications?q={}", crate::format::urlencode(&format!("\"{key}\"")))) {
                                    "Tous les documents de cette édition"
                                }
                            }
                        }
                    }
                }))
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

/// The library sections of a fiche: documents about this territory, then
/// those about its EPCI, département and région (each group labelled, with
/// its link to the filtered library); documents useful to every
/// collectivité of its level (`level`, the plural noun: "communes",
/// "intercommunalités", "départements", "régions") — not those about
/// given territories; and the open-data platforms covering it or its
/// parents. `covering`: the territory's key first, then its parents'.
pub fn fiche_sections(
    geo: &Geo,
    lib: &LibraryView,
    area: &str,
    scope: &str,
    level: &str,
    covering: &[String],
) -> Markup {
    let mut groups: Vec<(String, PubQuery, PubResults)> = Vec::new();
    for key in covering {
        let mut q = PubQuery::default();
        q.filters.insert(Facet::Territory, vec![key.clone()]);
        q.sort = Some(Sort::Date);
        // The documents about the territory itself, not those about a
        // territory inside it (a département's page does not list the
        // Métropole de Lyon's elections); « Voir tout » opens the library
        // on the whole territory.
        let mut exact = q.clone();
        exact.about = vec![key.clone()];
        let (label, n) = if key == area { ("Ce territoire".to_owned(), 6) } else { (parent_label(geo, key), 4) };
        let r = latest(lib, &exact, n);
        if !r.hits.is_empty() {
            groups.push((label, q, r));
        }
    }
    let mut useful = PubQuery::default();
    useful.filters.insert(Facet::Scope, vec![scope.to_owned()]);
    useful.sort = Some(Sort::Date);
    useful.general_only = true;
    let mut useful_r = latest(lib, &useful, 6);
    // « Voir les N publications » opens the library on the type, which
    // also lists documents about given territories: its count is that
    // list's.
    let link = PubQuery { general_only: false, ..useful.clone() };
    useful_r.total = latest(lib, &link, 1).total.max(useful_r.total);
    // « Voir tout » of the general list: the library filtered on the type
    // (which also lists documents about given territories of that type).
    html! {
        section class="fr-mt-4w" aria-labelledby="oc-about" {
            h2 id="oc-about" class="fr-h4" { "Concernant ce territoire" }
            @if groups.is_empty() {
                p class="fr-text--sm" { "Aucun document pour l'instant, ni sur les collectivités dont il fait partie." }
            }
            @for (i, (label, q, r)) in groups.iter().enumerate() {
                @let id = format!("oc-about-{i}");
                section class="fr-mt-2w" aria-labelledby=(id) {
                    h3 id=(id) class="fr-h6" { (label) }
                    ul class="oc-pubs" { @for h in &r.hits { (result_item_at(geo, &h.doc, 4)) } }
                    p { a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href=(href("/publications", q)) {
                        "Voir tout"
                        span class="fr-sr-only" { " : " (label) }
                    } }
                }
            }
        }
        (section(geo, &format!("Utiles à {}", tous_les(level, level_is_feminine(level))), "oc-useful", &useful, &useful_r))
    }
}

/// « Son intercommunalité : Montpellier Méditerranée Métropole », « Son
/// département : Hérault », « Sa région : Occitanie ».
fn parent_label(geo: &Geo, key: &str) -> String {
    let Ok(k) = key.parse::<oc_model::TerritoryKey>() else { return key.to_owned() };
    let c = k.code();
    match k.group() {
        oc_model::KindGroup::Epci => {
            format!("Son intercommunalité : {}", geo.epci(c).map_or(c.to_owned(), |e| e.name.clone()))
        }
        oc_model::KindGroup::Departement => {
            format!("Son département : {}", geo.departement(c).map_or(c.to_owned(), |d| d.name.clone()))
        }
        oc_model::KindGroup::Region => {
            format!("Sa région : {}", geo.region(c).map_or(c.to_owned(), |r| r.name.clone()))
        }
        oc_model::KindGroup::Commune => geo.commune(c).map_or(c.to_owned(), |x| x.name.clone()),
    }
}
