//! `GET /publications`: full-text search with multi-select facets (works
//! without JavaScript).

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use oc_index::publication_search::{Facet, PubQuery, PubResults, Sort, MAX_PAGE, PER_PAGE};
use oc_model::fr::{capitalize, count_or_none, plural};
use oc_model::KindGroup;
use oc_store::Geo;

use crate::error::WebResult;
use crate::extract::{param, params};
use crate::format::fmt_int;
use crate::publications::{day_text, href, library, parse_query, result_list, run, taxonomy, territory_label};
use crate::ui::components::{alert, page_window, pagination, Level, Pager};
use crate::ui::{layout_with, Head};
use crate::AppState;

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
        .filter(|(v, _)| {
            f != Facet::Territory
                || v.parse::<oc_model::TerritoryKey>()
                    .is_ok_and(|k| matches!(k.group(), KindGroup::Region | KindGroup::Departement))
        })
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
                // On a phone the panel folds away (library.js), so that the
                // first result is on the first screen.
                details class="oc-facets" id="oc-facets" open {
                summary class="oc-facets__toggle fr-btn fr-btn--secondary fr-btn--sm" {
                    "Filtrer les résultats"
                    @let n = active.len() + usize::from(q.from.is_some() || q.to.is_some());
                    @if n > 0 { " (" (oc_model::fr::count(n as u64, "filtre actif", "filtres actifs")) ")" }
                }
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
            }
            div class="fr-col-12 fr-col-md-8" {
                @if !active.is_empty() || q.from.is_some() || q.to.is_some() {
                    nav aria-label="Filtres actifs" {
                        ul class="fr-tags-group" id="oc-active-filters" {
                            @for (f, v) in &active {
                                @let rest = without_value(&without_page, *f, v);
                                @let label = if *f == Facet::Territory { territory_label(geo, v).unwrap_or_else(|| v.clone()) } else { v.clone() };
                                li {
                                    a class="fr-tag oc-tag-remove" href=(href("/publications", &rest))
                                        aria-label=(format!("Retirer le filtre {} : {label}", facet_label(*f))) {
                                        (label) " ✕"
                                    }
                                }
                            }
                            @if q.from.is_some() || q.to.is_some() {
                                @let rest = PubQuery { from: None, to: None, ..without_page.clone() };
                                li { a class="fr-tag oc-tag-remove" href=(href("/publications", &rest)) aria-label="Retirer le filtre de dates" { "Dates ✕" } }
                            }
                        }
                    }
                }
                // The results' titles are h3: their section heading, for
                // screen-reader navigation (the page shows the count).
                h2 class="fr-sr-only" { "Résultats" }
                p role="status" class="fr-mt-1w" id="oc-pub-count" {
                    @if r.relaxed { "Aucun document ne contient tous les mots ; voici ceux qui en contiennent une \
                        partie. " }
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
                @if r.hits.is_empty() && r.total > 0 {
                    // A page past the end: the last one is a click away.
                    div class="fr-callout" {
                        p class="fr-callout__title" { "Cette page n'existe pas." }
                        p {
                            "La recherche trouve " (oc_model::fr::count(r.total as u64, "document", "documents")) ", sur "
                            (oc_model::fr::count(pages as u64, "page", "pages")) ". "
                            a href=(href("/publications", &PubQuery { page: pages.max(1), ..q.clone() })) { "Aller à la dernière page" }
                        }
                    }
                } @else if r.hits.is_empty() {
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
                    @let docs: Vec<&oc_library::store::Document> = r.hits.iter().map(|h| &h.doc).collect();
                    ol class="oc-results oc-pubs" start=((q.page - 1) * PER_PAGE + 1) {
                        (result_list(geo, &docs, (q.page - 1) * PER_PAGE + 1))
                    }
                    (pagination("Pagination", q.page, pages, Pager::Numbers(page_window(q.page, pages)), |n| {
                        href("/publications", &PubQuery { page: n, ..q.clone() })
                    }))
                }
                p class="fr-text--sm fr-mt-2w" {
                    (if r.total == 1 { "Télécharger ce résultat : " } else { "Télécharger ces résultats : " })
                    a href=(href("/publications.csv", &without_page)) { "CSV" } " · "
                    a href=(href("/publications.xlsx", &without_page)) { "Excel (XLSX)" } " · "
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

/// `GET /publications`
pub(crate) async fn page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    let lib = library(&state)?;
    let p = params(raw);
    let head = |title: String| Head {
        title,
        description: "La bibliothèque d'Open Collectivités : publications, jeux de données et outils de la \
            statistique publique sur les collectivités locales."
            .into(),
        canonical: Some("/publications".into()),
        section: Some(crate::ui::Section::Bibliotheque),
        search: Some("pub-q"),
        ..Default::default()
    };
    let form = |q: &str| {
        html! {
            form method="get" action="/publications" role="search" class="fr-mb-3w" aria-label="Rechercher dans la bibliothèque" {
                div class="fr-search-bar fr-search-bar--lg" {
                    label class="fr-label" for="pub-q" { "Rechercher dans la bibliothèque" }
                    input class="fr-input" type="search" id="pub-q" name="q" value=(q) placeholder="Ex. : dotation \
                        communes rurales, \"fonction publique territoriale\"" maxlength="300";
                    button class="fr-btn" type="submit" title="Rechercher" { "Rechercher" }
                }
            }
        }
    };
    let q = match parse_query(&p, &state.geo(), &taxonomy(&state)) {
        Ok(q) => q,
        Err(e) => {
            let text = param(&p, "q").unwrap_or("").to_owned();
            return Ok((
                e.status(),
                layout_with(
                    &head("Bibliothèque".into()),
                    html! {
                        h1 { "Bibliothèque" }
                        (alert(Level::Error, false, "fr-mb-3w", html! { (e.to_string()) }))
                        (form(&text))
                        p { a href="/publications" { "Voir toute la bibliothèque" } }
                    },
                ),
            )
                .into_response());
        }
    };
    let r = run(lib, q.clone()).await?;
    let title = if q.q.is_empty() { "Bibliothèque".to_owned() } else { format!("Bibliothèque : « {} »", q.q) };
    // Every search is a feed to subscribe to.
    let head = Head { feed: Some(href("/publications.atom", &PubQuery { page: 1, ..q.clone() })), ..head(title) };
    Ok(layout_with(
        &head,
        html! {
            h1 { "Bibliothèque" }
            p class="fr-text--lead" { "Publications, jeux de données et outils de la statistique publique sur les \
                collectivités locales." }
            (form(&q.q))
            (publications_body(&state.geo(), &taxonomy(&state), &q, &r))
            script src="/assets/app/library.js" defer {}
        },
    )
    .into_response())
}
