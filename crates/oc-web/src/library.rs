//! The Bibliothèque's public side: `/publications` (full-text search with
//! multi-select facets, works without JavaScript), its API, Atom feed and
//! exports, `/plateformes`, and the library sections of the fiches, the
//! home page and `/recherche`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup};
use serde::Serialize;

use oc_index::publication_search::{Facet, PubQuery, PubResults, Sort, MAX_PAGE, PER_PAGE};
use oc_index::PublicationsIndex;
use oc_library::store::Document;
use oc_model::fr::{capitalize, count, count_or_none, plural, tous_les};
use oc_store::Geo;

use crate::error::{ApiError, WebError};
use crate::export::{attachment, text_cell, Dialect};
use crate::extract::{param, params};
use crate::format::fmt_int;
use crate::ui::{layout_with, Head};
use crate::{AppState, LibraryView};

/// The resource type of open-data platforms.
pub const PLATFORM: &str = "Plateforme open data";

/// The taxonomies served (the original terms when no library is).
fn taxonomy(state: &AppState) -> Arc<crate::Taxonomy> {
    state.library.as_ref().map(|l| l.taxonomy()).unwrap_or_default()
}

/// The library, or a clear error when none is served.
pub fn library(state: &AppState) -> Result<Arc<LibraryView>, WebError> {
    state
        .library
        .clone()
        .ok_or_else(|| WebError::NotFound("la bibliothèque n'est pas configurée sur ce serveur".into()))
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as a `YYYYMMDD` bound: the first day
/// of the period for a start, its last day for an end (a real date, so
/// that links can write it back).
fn date_bound(v: &str, end: bool) -> Option<u64> {
    let (d, p) = oc_library::parse_date(v)?;
    let parts: Vec<u32> = d.split('-').filter_map(|x| x.parse().ok()).collect();
    let y = i32::try_from(*parts.first()?).ok()?;
    let date = match (p, end) {
        (oc_library::Precision::Day, _) => chrono::NaiveDate::from_ymd_opt(y, parts[1], parts[2])?,
        (oc_library::Precision::Month, false) => chrono::NaiveDate::from_ymd_opt(y, parts[1], 1)?,
        (oc_library::Precision::Month, true) => {
            let next = if parts[1] == 12 {
                chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                chrono::NaiveDate::from_ymd_opt(y, parts[1] + 1, 1)?
            };
            next.pred_opt()?
        }
        (oc_library::Precision::Year, false) => chrono::NaiveDate::from_ymd_opt(y, 1, 1)?,
        (oc_library::Precision::Year, true) => chrono::NaiveDate::from_ymd_opt(y, 12, 31)?,
    };
    date.format("%Y%m%d").to_string().parse().ok()
}

/// Validates the parameters of a library search; unknown parameters are
/// ignored, invalid ones get a message in French.
pub fn parse_query(p: &[(String, String)], geo: &Geo, taxonomy: &crate::Taxonomy) -> Result<PubQuery, WebError> {
    use oc_library::curation::TermKind;
    let bad = |m: String| WebError::BadRequest(m);
    let mut q = PubQuery { q: param(p, "q").unwrap_or("").trim().to_owned(), ..PubQuery::default() };
    if q.q.chars().count() > oc_index::publication_search::MAX_QUERY_CHARS {
        return Err(bad(format!(
            "paramètre « q » trop long (au plus {} caractères)",
            oc_index::publication_search::MAX_QUERY_CHARS
        )));
    }
    for facet in Facet::ALL {
        let mut values: Vec<String> = Vec::new();
        for (_, v) in p.iter().filter(|(k, _)| k == facet.param()) {
            let v = v.trim();
            if v.is_empty() || values.iter().any(|x| x == v) {
                continue;
            }
            let known: Option<(&[String], &[String])> = match facet {
                Facet::Theme => Some((taxonomy.known(TermKind::Theme), taxonomy.offered(TermKind::Theme))),
                Facet::Scope => Some((taxonomy.known(TermKind::Scope), taxonomy.offered(TermKind::Scope))),
                Facet::Type => Some((taxonomy.known(TermKind::ResourceType), taxonomy.offered(TermKind::ResourceType))),
                _ => None,
            };
            // A renamed term's old name still finds its documents.
            let renamed = match facet {
                Facet::Theme => taxonomy.aliases.get(&(TermKind::Theme, v.to_owned())),
                Facet::Scope => taxonomy.aliases.get(&(TermKind::Scope, v.to_owned())),
                Facet::Type => taxonomy.aliases.get(&(TermKind::ResourceType, v.to_owned())),
                _ => None,
            };
            let v = renamed.map_or(v, String::as_str);
            if values.iter().any(|x| x == v) {
                continue;
            }
            if let Some((k, offered)) = known {
                if !k.iter().any(|x| x == v) {
                    return Err(bad(format!(
                        "paramètre « {} » invalide ({v:?}) : valeurs possibles {}",
                        facet.param(),
                        offered.join(", ")
                    )));
                }
            }
            match facet {
                Facet::Year if !(v.len() == 4 && v.parse::<u32>().is_ok_and(|y| (1800..=2100).contains(&y))) => {
                    return Err(bad(format!("paramètre « year » invalide ({v:?}) : une année sur quatre chiffres")));
                }
                Facet::Territory if territory_label(geo, v).is_none() => {
                    return Err(bad(format!("paramètre « territory » invalide ({v:?}) : REG-76, DEP-34, COM-34172 ou EPCI-243400017 par exemple")));
                }
                Facet::Publisher if v.chars().count() > 200 => {
                    return Err(bad("paramètre « publisher » trop long".into()))
                }
                _ => {}
            }
            values.push(v.to_owned());
            if values.len() > 30 {
                return Err(bad(format!("trop de valeurs pour « {} » (au plus 30)", facet.param())));
            }
        }
        if !values.is_empty() {
            q.filters.insert(facet, values);
        }
    }
    let bound = |name: &str, end: bool| -> Result<Option<u64>, WebError> {
        match param(p, name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => date_bound(v, end).map(Some).ok_or_else(|| {
                bad(format!("paramètre « {name} » invalide ({v:?}) : une date AAAA-MM-JJ ou une année"))
            }),
        }
    };
    q.from = bound("from", false)?;
    q.to = bound("to", true)?;
    if let (Some(f), Some(t)) = (q.from, q.to) {
        if f > t {
            return Err(bad("la date de début est après la date de fin".into()));
        }
    }
    q.sort = match param(p, "sort").map(str::trim) {
        None | Some("") => None,
        Some("pertinence" | "relevance") => Some(Sort::Relevance),
        Some("date") => Some(Sort::Date),
        Some(o) => {
            return Err(bad(format!("paramètre « sort » invalide ({o:?}) : valeurs possibles pertinence, date")))
        }
    };
    q.page = match param(p, "page").map(str::trim) {
        None | Some("") => 1,
        Some(v) => v
            .parse()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| bad(format!("paramètre « page » invalide ({v:?}) : un entier entre 1 et {MAX_PAGE}")))?,
    };
    Ok(q)
}

/// A `YYYYMMDD` bound as `YYYY-MM-DD` (links and date inputs).
fn day_text(d: u64) -> String {
    format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100)
}

/// The GET parameters of a search (for links), in a stable order.
pub fn query_pairs(q: &PubQuery) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !q.q.is_empty() {
        out.push(("q".to_owned(), q.q.clone()));
    }
    for (f, vs) in &q.filters {
        for v in vs {
            out.push((f.param().to_owned(), v.clone()));
        }
    }
    if let Some(f) = q.from {
        out.push(("from".into(), day_text(f)));
    }
    if let Some(t) = q.to {
        out.push(("to".into(), day_text(t)));
    }
    if let Some(s) = q.sort {
        out.push(("sort".into(), if s == Sort::Date { "date" } else { "pertinence" }.into()));
    }
    if q.page > 1 {
        out.push(("page".into(), q.page.to_string()));
    }
    out
}

/// `path?query` of a search.
pub fn href(path: &str, q: &PubQuery) -> String {
    let pairs = query_pairs(q);
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}

/// The name of a territory code, if it exists.
pub fn territory_label(geo: &Geo, code: &str) -> Option<String> {
    let (kind, c) = code.split_once('-')?;
    match kind {
        "REG" => geo.region(c).map(|r| r.nom.clone()),
        "DEP" => geo.departement(c).map(|d| format!("{} ({})", d.nom, d.code)),
        "COM" => geo.commune(c).map(|x| format!("{} ({})", x.nom, x.departement)),
        "EPCI" => geo.epci(c).map(|e| e.nom.clone()),
        _ => None,
    }
}

/// Runs a search on the blocking pool.
pub async fn run(lib: Arc<LibraryView>, q: PubQuery) -> Result<PubResults, WebError> {
    crate::blocking::spawn(move || lib.index.search(&q)).await?.map_err(|e| WebError::BadRequest(e.0))
}

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

fn short(s: &str, n: usize) -> String {
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
                    @for t in d.territories.iter().take(6) { li { span class="fr-tag fr-tag--sm oc-tag-territory" { (territory_label(geo, t).unwrap_or_else(|| t.clone())) } } }
                }
            }
        }
    }
}

/// The API's view of a document.
#[derive(Debug, Serialize)]
pub struct ApiDoc<'a> {
    pub id: i64,
    pub title: &'a str,
    pub url: &'a str,
    pub publisher: &'a str,
    pub published: Option<&'a str>,
    pub precision: Option<&'a str>,
    #[serde(rename = "type")]
    pub resource_type: &'a str,
    pub themes: &'a [String],
    pub scope: &'a [String],
    pub territories: &'a [String],
    pub summary: &'a str,
}

impl<'a> From<&'a Document> for ApiDoc<'a> {
    fn from(d: &'a Document) -> Self {
        ApiDoc {
            id: d.id,
            title: &d.title,
            url: &d.url,
            publisher: &d.publisher,
            published: d.published.as_deref(),
            precision: d.precision.as_deref(),
            resource_type: &d.resource_type,
            themes: &d.themes,
            scope: &d.scope,
            territories: &d.territories,
            summary: &d.summary,
        }
    }
}

#[derive(Serialize)]
struct FacetCount<'a> {
    value: &'a str,
    count: usize,
}

/// `GET /api/v1/publications`
pub async fn api(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let lib = library(&state)?;
    let q = parse_query(&params(raw), &state.geo(), &taxonomy(&state))?;
    let page = q.page;
    let r = run(lib, q).await?;
    let facets: BTreeMap<&str, Vec<FacetCount<'_>>> = r
        .facets
        .iter()
        .map(|(f, v)| (f.param(), v.iter().map(|(value, count)| FacetCount { value, count: *count }).collect()))
        .collect();
    let results: Vec<ApiDoc<'_>> = r.hits.iter().map(|h| ApiDoc::from(&h.doc)).collect();
    Ok(Json(serde_json::json!({
        "total": r.total,
        "page": page,
        "per_page": PER_PAGE,
        "relaxed": r.relaxed,
        "results": results,
        "facets": facets,
    }))
    .into_response())
}

fn facet_label(f: Facet) -> &'static str {
    match f {
        Facet::Theme => "Thématique",
        Facet::Scope => "Type de territoire",
        Facet::Type => "Type de ressource",
        Facet::Publisher => "Organisme auteur",
        Facet::Year => "Année",
        Facet::Territory => "Territoire",
    }
}

/// The values a facet offers: the counted ones (territories: régions and
/// départements; long lists cut), plus the selected ones even at zero.
fn facet_values(
    geo: &Geo,
    tax: &crate::Taxonomy,
    f: Facet,
    r: &PubResults,
    q: &PubQuery,
) -> Vec<(String, String, usize)> {
    use oc_library::curation::TermKind;
    let mut counted = r.facets.get(&f).cloned().unwrap_or_default();
    // Taxonomies show in the librarians' order, retired terms last.
    let order = match f {
        Facet::Theme => Some(tax.known(TermKind::Theme)),
        Facet::Scope => Some(tax.known(TermKind::Scope)),
        Facet::Type => Some(tax.known(TermKind::ResourceType)),
        _ => None,
    };
    if let Some(order) = order {
        let offered = |v: &str| match f {
            Facet::Theme => tax.offered(TermKind::Theme).iter().any(|x| x == v),
            Facet::Scope => tax.offered(TermKind::Scope).iter().any(|x| x == v),
            _ => tax.offered(TermKind::ResourceType).iter().any(|x| x == v),
        };
        counted.sort_by_key(|(v, _)| (!offered(v), order.iter().position(|x| x == v).unwrap_or(usize::MAX)));
    }
    let selected = q.filters.get(&f).cloned().unwrap_or_default();
    let mut out: Vec<(String, String, usize)> = Vec::new();
    let limit = match f {
        Facet::Territory | Facet::Publisher => 15,
        Facet::Year => 12,
        _ => usize::MAX,
    };
    for (v, n) in counted
        .iter()
        .filter(|(v, _)| f != Facet::Territory || v.starts_with("REG-") || v.starts_with("DEP-"))
        .take(limit)
    {
        let label =
            if f == Facet::Territory { territory_label(geo, v).unwrap_or_else(|| v.clone()) } else { v.clone() };
        out.push((v.clone(), label, *n));
    }
    for v in selected {
        if !out.iter().any(|(x, _, _)| *x == v) {
            let n = counted.iter().find(|(x, _)| *x == v).map_or(0, |c| c.1);
            let label =
                if f == Facet::Territory { territory_label(geo, &v).unwrap_or_else(|| v.clone()) } else { v.clone() };
            out.push((v, label, n));
        }
    }
    out
}

/// The page body (also what `library.js` swaps in without a reload).
fn publications_body(geo: &Geo, tax: &crate::Taxonomy, q: &PubQuery, r: &PubResults) -> Markup {
    let without_page = PubQuery { page: 1, ..q.clone() };
    let active: Vec<(Facet, String)> =
        q.filters.iter().flat_map(|(f, vs)| vs.iter().map(move |v| (*f, v.clone()))).collect();
    let pages = r.total.div_ceil(PER_PAGE).clamp(1, MAX_PAGE);
    html! {
        div id="oc-pub" class="fr-grid-row fr-grid-row--gutters" {
            div class="fr-col-12 fr-col-md-4" {
                form id="oc-pub-filters" method="get" action="/publications" aria-label="Filtres" {
                    input type="hidden" name="q" value=(q.q);
                    @if let Some(s) = q.sort { input type="hidden" name="sort" value=(if s == Sort::Date { "date" } else { "pertinence" }); }
                    @for f in Facet::ALL {
                        @let values = facet_values(geo, tax, f, r, q);
                        @if !values.is_empty() {
                            fieldset class="fr-fieldset fr-mb-2w" id=(format!("facet-{}", f.param())) {
                                legend class="fr-fieldset__legend fr-text--md" { (facet_label(f)) }
                                @for (i, (v, label, n)) in values.iter().enumerate() {
                                    @let id = format!("f-{}-{i}", f.param());
                                    @let checked = q.filters.get(&f).is_some_and(|s| s.contains(v));
                                    div class="fr-fieldset__element" {
                                        div class="fr-checkbox-group fr-checkbox-group--sm" {
                                            input type="checkbox" id=(id) name=(f.param()) value=(v) checked[checked];
                                            label class="fr-label" for=(id) { (label) " " span class="oc-count" { "(" (fmt_int(*n as u64)) ")" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    fieldset class="fr-fieldset fr-mb-2w" {
                        legend class="fr-fieldset__legend fr-text--md" { "Date de publication" }
                        div class="fr-fieldset__element" {
                            label class="fr-label" for="from" { "Entre le" }
                            input class="fr-input" type="date" id="from" name="from" value=[q.from.map(day_text)];
                        }
                        div class="fr-fieldset__element" {
                            label class="fr-label" for="to" { "et le" }
                            input class="fr-input" type="date" id="to" name="to" value=[q.to.map(day_text)];
                        }
                    }
                    button class="fr-btn fr-btn--secondary" type="submit" { "Appliquer les filtres" }
                }
            }
            div class="fr-col-12 fr-col-md-8" {
                @if !active.is_empty() || q.from.is_some() || q.to.is_some() {
                    nav aria-label="Filtres actifs" {
                        ul class="fr-tags-group" id="oc-active-filters" {
                            @for (f, v) in &active {
                                @let rest = without_value(&without_page, *f, v);
                                @let label = if *f == Facet::Territory { territory_label(geo, v).unwrap_or_else(|| v.clone()) } else { v.clone() };
                                li { a class="fr-tag oc-tag-remove" href=(href("/publications", &rest)) aria-label=(format!("Retirer le filtre {} : {label}", facet_label(*f))) { (label) " ✕" } }
                            }
                            @if q.from.is_some() || q.to.is_some() {
                                @let rest = PubQuery { from: None, to: None, ..without_page.clone() };
                                li { a class="fr-tag oc-tag-remove" href=(href("/publications", &rest)) aria-label="Retirer le filtre de dates" { "Dates ✕" } }
                            }
                        }
                    }
                }
                p role="status" class="fr-mt-1w" id="oc-pub-count" {
                    @if r.relaxed { "Aucun document ne contient tous les mots ; voici ceux qui en contiennent une partie. " }
                    @if r.total == 0 {
                        strong { (capitalize(&count_or_none(0, "document", "documents", false))) }
                    } @else {
                        strong { (fmt_int(r.total as u64)) } " " (plural(r.total as u64, "document", "documents"))
                    }
                    @if r.total > 0 {
                        " — trier par "
                        @for (s, label) in [(Sort::Relevance, "pertinence"), (Sort::Date, "date")] {
                            @let other = PubQuery { sort: Some(s), ..without_page.clone() };
                            @if q.effective_sort() == s { strong aria-current="true" { (label) } } @else { a href=(href("/publications", &other)) { (label) } }
                            @if s == Sort::Relevance { " · " }
                        }
                    }
                }
                @if r.hits.is_empty() {
                    div class="fr-callout" {
                        p class="fr-callout__title" { "Aucun document ne correspond." }
                        ul {
                            @if !q.q.is_empty() {
                                @let no_text = PubQuery { q: String::new(), ..without_page.clone() };
                                li { "Vérifiez l'orthographe ou " a href=(href("/publications", &no_text)) { "retirez les mots « " (q.q) " »" } "." }
                            }
                            @for (f, v) in &active {
                                @let rest = without_value(&without_page, *f, v);
                                li { "Retirez le filtre " a href=(href("/publications", &rest)) { (facet_label(*f)) " : " (v) } "." }
                            }
                            li { a href="/publications" { "Voir toute la bibliothèque" } }
                        }
                    }
                } @else {
                    ol class="oc-results oc-pubs" start=((q.page - 1) * PER_PAGE + 1) {
                        @for h in &r.hits { (result_item(geo, &h.doc)) }
                    }
                    @if pages > 1 {
                        nav role="navigation" class="fr-pagination" aria-label="Pagination" {
                            ul class="fr-pagination__list" {
                                @for p in pagination(q.page, pages) {
                                    @match p {
                                        None => li { span class="fr-pagination__link" { "…" } },
                                        Some(n) => {
                                            @let at = PubQuery { page: n, ..q.clone() };
                                            li { a class="fr-pagination__link" href=(href("/publications", &at)) aria-current=[(n == q.page).then_some("page")] title=(format!("Page {n}")) { (n) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p class="fr-text--sm fr-mt-2w" {
                    (if r.total == 1 { "Télécharger ce résultat : " } else { "Télécharger ces résultats : " })
                    a href=(href("/publications.csv", &without_page)) { "CSV" } " · "
                    a href=(href("/publications.json", &without_page)) { "JSON" } " · "
                    a href=(href("/publications.atom", &without_page)) { "s'abonner (Atom)" }
                }
            }
        }
    }
}

/// The same search without one value of one facet.
fn without_value(q: &PubQuery, f: Facet, v: &str) -> PubQuery {
    let mut out = q.clone();
    if let Some(vs) = out.filters.get_mut(&f) {
        vs.retain(|x| x != v);
    }
    out.filters.retain(|_, vs| !vs.is_empty());
    out
}

/// Page numbers to show: first, last, and around the current one.
fn pagination(current: usize, pages: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(current) <= 2 {
            out.push(Some(n));
        } else if out.last().is_some_and(Option::is_some) {
            out.push(None);
        }
    }
    out
}

/// `GET /publications`
pub async fn page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let lib = match library(&state) {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let p = params(raw);
    let head = |title: String| {
        Head {
        title,
        description: "La bibliothèque d'Open Collectivités : publications, jeux de données et outils de la statistique publique sur les collectivités locales.".into(),
        canonical: Some("/publications".into()),
    }
    };
    let form = |q: &str| {
        html! {
            form method="get" action="/publications" role="search" class="fr-mb-3w" {
                div class="fr-search-bar fr-search-bar--lg" {
                    label class="fr-label" for="pub-q" { "Rechercher dans la bibliothèque" }
                    input class="fr-input" type="search" id="pub-q" name="q" value=(q) placeholder="Ex. : dotation communes rurales, \"fonction publique territoriale\"" maxlength="300";
                    button class="fr-btn" type="submit" title="Rechercher" { "Rechercher" }
                }
            }
        }
    };
    let q = match parse_query(&p, &state.geo(), &taxonomy(&state)) {
        Ok(q) => q,
        Err(e) => {
            let text = param(&p, "q").unwrap_or("").to_owned();
            return (
                e.status(),
                layout_with(
                    &head("Bibliothèque".into()),
                    html! {
                        h1 { "Bibliothèque" }
                        div class="fr-alert fr-alert--error fr-mb-3w" role="alert" { p { (e.to_string()) } }
                        (form(&text))
                        p { a href="/publications" { "Voir toute la bibliothèque" } }
                    },
                ),
            )
                .into_response();
        }
    };
    let r = match run(lib, q.clone()).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let title = if q.q.is_empty() { "Bibliothèque".to_owned() } else { format!("Bibliothèque : « {} »", q.q) };
    layout_with(
        &head(title),
        html! {
            h1 { "Bibliothèque" }
            p class="fr-text--lead" { "Publications, jeux de données et outils de la statistique publique sur les collectivités locales." }
            (form(&q.q))
            (publications_body(&state.geo(), &taxonomy(&state), &q, &r))
            script src="/assets/app/library.js" defer {}
        },
    )
    .into_response()
}

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

/// `GET /publications.csv` and `.json`: every document of a search, streamed.
pub async fn export(state: AppState, raw: Option<String>, ext: &'static str) -> Response {
    let lib = match library(&state) {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let p = params(raw);
    let q = match parse_query(&p, &state.geo(), &taxonomy(&state)) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let d = match Dialect::parse(param(&p, "dialect")) {
        Ok(d) => d,
        Err(m) => return WebError::BadRequest(m).into_response(),
    };
    let permit = match state.exports.try_acquire() {
        Ok(p) => p,
        Err(busy) => return busy.into_response(),
    };
    let body = if ext == "csv" {
        let sep = if d == Dialect::French { ";" } else { "," };
        let cols = [
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
            "résumé",
        ];
        let mut head = String::new();
        if d == Dialect::French {
            head.push('\u{feff}');
        }
        head.push_str(&cols.join(sep));
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
                    doc.precision.clone().unwrap_or_default(),
                    text_cell(&doc.resource_type, d),
                    text_cell(&doc.themes.join(" | "), d),
                    text_cell(&doc.scope.join(" | "), d),
                    text_cell(&doc.territories.join(" | "), d),
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
    attachment(&mut res, &format!("bibliotheque-open-collectivites.{ext}"), ctype);
    res.headers_mut().insert(crate::cache::STREAMING, HeaderValue::from_static("1"));
    res
}

pub async fn export_csv(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    export(state, raw, "csv").await
}

pub async fn export_json(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    export(state, raw, "json").await
}

/// `GET /publications.atom`: the search as an Atom feed (newest first).
/// Every value written goes through [`crate::xml::escape`]: the query
/// and the stored titles, summaries, themes may hold code points XML 1.0
/// forbids (U+FFFE, controls), dropped there.
pub async fn atom(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    use crate::xml;
    let lib = match library(&state) {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let mut q = match parse_query(&params(raw), &state.geo(), &taxonomy(&state)) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    q.sort = Some(Sort::Date);
    q.page = 1;
    let page_href = href("/publications", &q);
    let self_href = href("/publications.atom", &q);
    let r = match run(lib, q.clone()).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
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
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], x).into_response()
}

/// A few documents for a search (fiches, home, `/recherche`); empty on
/// any problem (these sections never break a page).
pub fn latest(lib: &LibraryView, q: &PubQuery, n: usize) -> PubResults {
    let mut q = q.clone();
    q.per_page = n;
    q.page = 1;
    lib.index.search(&q).unwrap_or_default()
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
                    li { a class="fr-link" href=(d.url) rel="noopener" { (d.title) } " — " (d.territories.iter().filter_map(|t| territory_label(geo, t)).collect::<Vec<_>>().join(", ")) }
                } }
                p { a class="fr-link" href="/plateformes" { "Toutes les plateformes" } }
            }
        }
    }
}

/// `GET /plateformes`: the open-data platforms of collectivités.
pub async fn platforms_page(State(state): State<AppState>) -> Response {
    let lib = match library(&state) {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let geo = state.geo();
    let docs = match crate::blocking::spawn(move || lib.index.platforms(&[])).await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return WebError::Internal(e.0).into_response(),
        Err(e) => return WebError::from(e).into_response(),
    };
    let mut q = PubQuery::default();
    q.filters.insert(Facet::Type, vec![PLATFORM.to_owned()]);
    layout_with(
        &Head {
            title: "Plateformes open data des collectivités".into(),
            description: "Les portails de données ouvertes des collectivités locales et les territoires qu'ils couvrent.".into(),
            canonical: Some("/plateformes".into()),
        },
        html! {
            h1 { "Plateformes open data des collectivités" }
            p class="fr-text--lead" { "Les portails de données ouvertes des collectivités et des acteurs publics locaux, avec les territoires qu'ils couvrent. Chaque fiche renvoie aux plateformes de son territoire." }
            p { (capitalize(&count_or_none(docs.len() as u64, "plateforme", "plateformes", true))) " — " a href=(href("/publications", &q)) { "les chercher dans la bibliothèque" } }
            div class="fr-table" {
                table {
                    caption { "Plateformes open data" }
                    thead { tr { th scope="col" { "Plateforme" } th scope="col" { "Organisme" } th scope="col" { "Territoires couverts" } } }
                    tbody {
                        @for d in &docs {
                            tr {
                                td { a href=(d.url) rel="noopener" { (d.title) } }
                                td { (d.publisher) }
                                td { @if d.territories.is_empty() { "France entière" } @else { (d.territories.iter().map(|t| territory_label(&geo, t).unwrap_or_else(|| t.clone())).collect::<Vec<_>>().join(", ")) } }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

/// `/publications/{id}`: a document's notice (its permanent address in the
/// portal). A merged document's address redirects to the one it went
/// into; an unpublished or deleted one is not found.
pub async fn document_page(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Ok(lib) = library(&state) else {
        return WebError::NotFound("la bibliothèque n'est pas configurée sur ce serveur".into()).into_response();
    };
    let Some(id) = id.parse::<i64>().ok().filter(|n| *n > 0) else {
        return WebError::NotFound(format!(
            "aucun document n° {id:?} : les notices ont un numéro, comme /publications/12"
        ))
        .into_response();
    };
    enum Found {
        Show(Box<Document>),
        Moved(i64),
        None,
    }
    let found = crate::blocking::spawn(move || -> Result<Found, WebError> {
        let store = lib.lock();
        Ok(match store.document(id)? {
            Some(d) if d.status == "published" => Found::Show(Box::new(d)),
            // A merged document redirects to the one it went into, while
            // that one is published.
            _ => match store.merged_target(id)? {
                Some(t) if store.document(t)?.is_some_and(|d| d.status == "published") => Found::Moved(t),
                _ => Found::None,
            },
        })
    })
    .await;
    let d = match found {
        Ok(Ok(Found::Show(d))) => d,
        Ok(Ok(Found::Moved(t))) => {
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/publications/{t}"))]).into_response()
        }
        Ok(Ok(Found::None)) => return WebError::NotFound(format!("aucun document publié n° {id}")).into_response(),
        Ok(Err(e)) => return e.into_response(),
        Err(e) => return WebError::from(e).into_response(),
    };
    let geo = &state.geo();
    let head = Head {
        title: d.title.clone(),
        description: short(&d.summary, 200),
        canonical: Some(format!("/publications/{}", d.id)),
    };
    layout_with(
        &head,
        html! {
            nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :" {
                ol class="fr-breadcrumb__list" {
                    li { a class="fr-breadcrumb__link" href="/" { "Accueil" } }
                    li { a class="fr-breadcrumb__link" href="/publications" { "Bibliothèque" } }
                    li { a class="fr-breadcrumb__link" aria-current="page" { (short(&d.title, 60)) } }
                }
            }
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
                    dd { @for (i, t) in d.themes.iter().enumerate() { @if i > 0 { ", " } a href=(format!("/publications?theme={}", crate::format::urlencode(t))) { (t) } } }
                }
                @if !d.scope.is_empty() { dt { (plural(d.scope.len() as u64, "Type de territoire", "Types de territoire")) } dd { (d.scope.join(", ")) } }
                @if !d.territories.is_empty() {
                    dt { (plural(d.territories.len() as u64, "Territoire", "Territoires")) }
                    dd { @for (i, t) in d.territories.iter().enumerate() { @if i > 0 { ", " } a href=(format!("/publications?territory={}", crate::format::urlencode(t))) { (territory_label(geo, t).unwrap_or_else(|| t.clone())) } } }
                }
            }
            p { a class="fr-btn" href=(d.url) rel="noopener" { "Consulter le document sur le site de l'éditeur" } }
        },
    )
    .into_response()
}
