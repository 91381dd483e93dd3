//! HTML pages (maud), on the State design system (DSFR).

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use oc_index::territory::MAX_RESULTS;
use oc_model::KindGroup;

use crate::error::WebResult;
use crate::extract::{param, params};
use crate::format::{fmt_int, urlencode};
use crate::search::{run_search, SearchRequest, MAX_LIMIT};
use crate::ui::components::{alert, page_window, pagination, table_head, Level, Pager};
use crate::ui::{layout_credits, layout_with, search_box, Head, Section, DEFAULT_DESCRIPTION};
use crate::AppState;

/// `GET /`
pub(crate) async fn home(State(state): State<AppState>) -> Markup {
    let lib = state.library.clone();
    let library = match lib {
        Some(l) => crate::blocking::spawn(move || {
            let all = oc_index::publication_search::PubQuery::default();
            crate::publications::latest(&l, &all, 6)
        })
        .await
        .ok(),
        None => None,
    };
    let themes: Vec<String> = state
        .library
        .as_ref()
        .map(|l| l.taxonomy().offered(oc_library::curation::TermKind::Theme).to_vec())
        .unwrap_or_default();
    let geo = state.geo();
    let credits = crate::fiche::data::loaded_sources(&geo);
    let d = &geo.data;
    layout_credits(
        &Head {
            title: "Accueil".into(),
            description: DEFAULT_DESCRIPTION.into(),
            canonical: Some("/".into()),
            search: Some("q"),
            ..Default::default()
        },
        Some(&credits),
        html! {
            h1 { "Les statistiques des collectivités locales" }
            p class="fr-text--lead" {
                "Trouvez en un instant une commune, une intercommunalité, un département ou une région, "
                "et les chiffres clés qui la décrivent, avec leur source et leur millésime."
            }
            (search_box("", None, true))
            p class="fr-hint-text fr-mt-1w" { "Exemples : "
                a href="/recherche?q=montpellier" { "Montpellier" } ", "
                a href="/recherche?q=st+etienne" { "st etienne" } ", "
                a href="/recherche?q=69003" { "69003" } ", "
                a href="/recherche?q=2A" { "2A" } ", "
                a href="/recherche?q=metropole+de+lyon" { "métropole de lyon" }
            }
            @let n = geo.counts();
            ul class="fr-grid-row fr-grid-row--gutters fr-mt-4w oc-counts" {
                li class="fr-col-6 fr-col-md-3" { strong { (fmt_int(n.communes as u64)) } " " (oc_model::fr::plural(n.communes as u64, "commune", "communes")) }
                li class="fr-col-6 fr-col-md-3" {
                    strong { (fmt_int(n.epci as u64)) }
                    " "
                        (oc_model::fr::plural(n.epci as u64, "intercommunalité à fiscalité propre", "intercommunalités à fiscalité propre"))
                }
                li class="fr-col-6 fr-col-md-3" {
                    strong { (fmt_int(n.departements as u64)) }
                    " " (oc_model::fr::plural(n.departements as u64, "département", "départements"))
                }
                li class="fr-col-6 fr-col-md-3" { strong { (fmt_int(n.regions as u64)) } " " (oc_model::fr::plural(n.regions as u64, "région", "régions")) }
            }
            p class="fr-text--sm fr-mt-2w" id="oc-counts-note" {
                "Communes, départements et régions de France métropolitaine et d'outre-mer, selon le Code officiel \
                    géographique au 1er janvier " (d.meta.cog_year)
                ", populations légales millésime " (d.meta.population_millesime) ". À part : "
                (oc_model::fr::count(n.com as u64, "collectivité d'outre-mer ou territoire", "collectivités \
                    d'outre-mer et territoires"))
                " (" (oc_model::fr::count(n.subdivisions_com as u64, "commune ou subdivision", "communes et subdivisions")) ")"
                @if !n.com_sans_population.is_empty() { ", dont " (n.com_sans_population.join(" et ")) ", sans population permanente" }
                "."
            }
            p { a class="fr-link" href=(crate::fiche::data::FRANCE_URL) { "La France en chiffres : recensement, zonages et syndicats, sommes des communes" } }
            @if let Some(r) = &library {
                section class="fr-mt-6w" aria-labelledby="oc-themes" {
                    h2 id="oc-themes" { "La bibliothèque, par thématique" }
                    ul class="fr-grid-row fr-grid-row--gutters oc-theme-tiles" {
                        @for (t, n) in themes.iter().map(|t| (t, r.facets.get(&oc_index::publication_search::Facet::Theme).and_then(|v| v.iter().find(|(x, _)| x == t)).map_or(0, |x| x.1))).filter(|(_, n)| *n > 0) {
                            li class="fr-col-12 fr-col-sm-6 fr-col-md-4" {
                                div class="fr-tile fr-enlarge-link" {
                                    div class="fr-tile__body" { div class="fr-tile__content" {
                                        h3 class="fr-tile__title" { a href=(format!("/publications?theme={}", urlencode(t))) { (t) } }
                                        p class="fr-tile__detail" { (oc_model::fr::count(n as u64, "document", "documents")) }
                                    } }
                                }
                            }
                        }
                    }
                }
                section class="fr-mt-6w" aria-labelledby="oc-latest" {
                    h2 id="oc-latest" { "Dernières publications" }
                    ul class="oc-pubs" { @for h in &r.hits { (crate::publications::result_item(&state.geo(), &h.doc)) } }
                    p {
                        a class="fr-link" href="/publications" {
                            "Toute la bibliothèque (" (oc_model::fr::count(r.total as u64, "document", "documents")) ")"
                        }
                        " · " a class="fr-link" href="/plateformes" { "Plateformes open data" }
                    }
                }
            }
        },
    )
}

/// `GET /recherche?q=…&type=…`: the results page (works without JavaScript).
pub(crate) async fn search_page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    let p = params(raw);
    let q = param(&p, "q").unwrap_or("").to_owned();
    let head = |title: String| Head {
        canonical: Some("/recherche".into()),
        search: Some("q"),
        ..Head::new(title, Some(Section::Collectivites))
    };
    if q.trim().is_empty() {
        return Ok(layout_with(&head("Collectivités".into()), collectivites_landing(&state.geo())).into_response());
    }
    let req = match SearchRequest::from_params(&p, MAX_LIMIT) {
        Ok(r) => r,
        Err(e) => {
            let group = param(&p, "type").and_then(KindGroup::parse);
            return Ok((
                e.status(),
                layout_with(
                    &head("Recherche".into()),
                    html! {
                        h1 { "Rechercher une collectivité" }
                        (alert(Level::Error, false, "fr-mb-3w", html! { (e.to_string()) }))
                        (search_box(&q, group, true))
                    },
                ),
            )
                .into_response());
        }
    };
    let group = req.group;
    let index = state.territories();
    let outcome = run_search(index.clone(), req.clone()).await?;
    let (page, pages) = (req.page, req.pages(&outcome));
    let hits = req.page_hits(&outcome);
    let first = req.window().start + 1;
    let page_href = |n: usize| {
        let mut h = format!("/recherche?q={}", urlencode(&q));
        if let Some(g) = group {
            h.push_str("&type=");
            h.push_str(g.as_str());
        }
        if req.limit != MAX_LIMIT {
            h.push_str(&format!("&limit={}", req.limit));
        }
        if n > 1 {
            h.push_str(&format!("&page={n}"));
        }
        h
    };
    // Past the last page (or on a last page emptied by déléguées that
    // share their commune's page).
    if page > pages || (page > 1 && hits.is_empty()) {
        return Ok((
            axum::http::StatusCode::NOT_FOUND,
            layout_with(
                &head(format!("Recherche « {q} »")),
                html! {
                    h1 { "Résultats pour « " (q) " »" }
                    (alert(Level::Error, false, "fr-mb-3w", html! {
                        "Cette page de résultats n'existe pas : la recherche en compte "
                        (oc_model::fr::count(pages as u64, "page", "pages")) ". "
                        a href=(page_href(pages)) { "Aller à la dernière page" }
                    }))
                    (search_box(&q, group, true))
                },
            ),
        )
            .into_response());
    }
    let pubs = match state.library.clone() {
        Some(l) => {
            let pq = oc_index::publication_search::PubQuery { q: q.clone(), ..Default::default() };
            crate::blocking::spawn(move || (crate::publications::latest(&l, &pq, 5), pq)).await.ok()
        }
        None => None,
    };
    let tab = |g: Option<KindGroup>, label: &str| {
        let href = match g {
            None => format!("/recherche?q={}", urlencode(&q)),
            Some(g) => format!("/recherche?q={}&type={}", urlencode(&q), g.as_str()),
        };
        html! {
            li { a class="fr-tag" href=(href) aria-current=[(g == group).then_some("page")] { (label) } }
        }
    };
    Ok(layout_with(
        &head(format!("Recherche « {q} »")),
        html! {
            h1 { "Résultats pour « " (q) " »" }
            (search_box(&q, group, false))
            nav aria-label="Filtrer par type" class="fr-mt-2w" {
                ul class="fr-tags-group" {
                    (tab(None, "Tous"))
                    @for g in KindGroup::ALL { (tab(Some(g), g.label())) }
                }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
            div class=(if pubs.is_some() { "fr-col-12 fr-col-md-6" } else { "fr-col-12" }) {
            h2 class="fr-h4 fr-mt-2w" { "Collectivités" }
            @if hits.is_empty() {
                div class="fr-callout fr-mt-2w" {
                    p class="fr-callout__text" { "Aucune collectivité ne correspond à « " (q) " »." }
                    p { "Vérifiez l'orthographe, essayez un code postal ou un code INSEE, ou retirez le filtre de \
                        type." }
                }
            } @else {
                p class="fr-mt-2w" role="status" {
                    @if outcome.fuzzy { "Aucun résultat exact ; voici les noms les plus proches. " }
                    (fmt_int(outcome.total as u64)) @if outcome.total > 1 { " résultats" } @else { " résultat" }
                    @if pages > 1 {
                        " ; page " (page) " sur " (pages) " (résultats " (fmt_int(first as u64)) " à "
                        (fmt_int((first + hits.len() - 1) as u64)) ")"
                    }
                    @if outcome.total > MAX_RESULTS { " — seuls les " (fmt_int(MAX_RESULTS as u64)) " premiers sont affichés : précisez la recherche" }
                }
                ol class="oc-results" start=[(first > 1).then_some(first)] {
                    @for h in hits {
                        @let e = index.entry(h.entry);
                        li class="fr-mb-2w" {
                            a class="fr-link fr-text--lg" href=(e.url) { (e.name) }
                            br;
                            span class="fr-text--sm" {
                                (e.label)
                                @if let Some(p) = e.population { " — " (fmt_int(p)) " hab." }
                            }
                            @if outcome.city_epci == Some(h.entry) {
                                br;
                                span class="fr-text--xs oc-unit" { "Suggestion : l'intercommunalité de la commune recherchée" }
                            }
                        }
                    }
                }
                (pagination("Pages de résultats", page, pages, Pager::Numbers(page_window(page, pages)), page_href))
            }
            }
            @if let Some((r, pq)) = &pubs {
                div class="fr-col-12 fr-col-md-6" {
                    h2 class="fr-h4 fr-mt-2w" { "Publications" }
                    @if r.hits.is_empty() {
                        p { "Aucune publication ne correspond à « " (q) " ». " a href="/publications" { "Parcourir la bibliothèque" } }
                    } @else {
                        ul class="oc-pubs" { @for h in &r.hits { (crate::publications::result_item(&state.geo(), &h.doc)) } }
                        p {
                            a class="fr-link" href=(crate::publications::href("/publications", pq)) {
                                @if r.total == 1 { "Voir la publication" }
                                @else {
                                    "Voir les " (oc_model::fr::count(r.total as u64, "publication", "publications"))
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

/// `/recherche` without a query: the Collectivités section's landing, the
/// search box, then every région and département, France and the
/// rankings.
fn collectivites_landing(geo: &oc_store::Geo) -> Markup {
    let d = &geo.data;
    let by_name = |a: &&oc_model::Region, b: &&oc_model::Region| {
        oc_model::text::fold(&a.name).cmp(&oc_model::text::fold(&b.name))
    };
    let mut regions: Vec<&oc_model::Region> = d.regions.iter().filter(|r| r.zone != "com").collect();
    regions.sort_by(by_name);
    let mut coms: Vec<&oc_model::Region> = d.regions.iter().filter(|r| r.zone == "com").collect();
    coms.sort_by(by_name);
    html! {
        h1 { "Collectivités" }
        p class="fr-text--lead" { "Une fiche par commune, intercommunalité, département et région : ses chiffres clés, \
            chacun avec sa source et son millésime, à comparer et à télécharger." }
        (search_box("", None, true))
        p class="fr-hint-text fr-mt-1w" { "Un nom, un code INSEE, un code postal ou un numéro SIREN." }
        div class="fr-grid-row fr-grid-row--gutters fr-mt-4w" {
            section class="fr-col-12 fr-col-md-4" aria-labelledby="oc-regions" {
                h2 id="oc-regions" class="fr-h4" { "Régions" }
                ul { @for r in &regions {
                    li { a href=(oc_model::fiche_url(KindGroup::Region, &r.name, &r.code)) { (r.name) } }
                } }
                @if !coms.is_empty() {
                    h2 id="oc-com" class="fr-h4 fr-mt-4w" { "Collectivités d'outre-mer" }
                    ul { @for r in &coms {
                        li { a href=(oc_model::fiche_url(KindGroup::Region, &r.name, &r.code)) { (r.name) } }
                    } }
                }
            }
            section class="fr-col-12 fr-col-md-8" aria-labelledby="oc-departements" {
                h2 id="oc-departements" class="fr-h4" { "Départements" }
                ul class="oc-columns" { @for dep in d.departements.iter().filter(|d| d.zone != "com") {
                    li { a href=(oc_model::fiche_url(KindGroup::Departement, &dep.name, &dep.code)) { (dep.code) " — " (dep.name) } }
                } }
            }
        }
        h2 class="fr-h4 fr-mt-4w" { "Aussi" }
        ul {
            li { a href=(crate::fiche::data::FRANCE_URL) { "La France en chiffres" } }
            li { a href="/classements" { "Classements et cartes des indicateurs" } }
            li { a href="/comparer" { "Comparer jusqu'à 4 collectivités" } }
        }
    }
}

/// `GET /sources`: every dataset loaded on this server, from the source
/// registry, with its producer, vintage, link and licence.
pub(crate) async fn sources_page(State(state): State<AppState>) -> WebResult<Response> {
    let reference = state.reference();
    let geo = reference.geo.clone();
    let credits = crate::fiche::data::loaded_sources(&geo);
    let missing: Vec<&oc_model::sources::Dataset> =
        oc_model::sources::DATASETS.iter().filter(|d| !credits.iter().any(|c| c.id == d.id)).collect();
    Ok(layout_credits(
        &Head { title: "Sources des données".into(), description: "Les jeux de données affichés par Open \
            Collectivités, avec leur producteur, leur millésime et leur licence.".into(), canonical: Some("/sources".into()), ..Default::default() },
        Some(&credits),
        html! {
            h1 { "Sources des données" }
            p { "Chaque chiffre d'une fiche cite son jeu de données et son millésime. Voici les jeux de données \
                chargés sur ce portail, en service sur ce serveur depuis le "
                (crate::format::fmt_datetime(reference.serving_since)) " (heure de Paris)." }
            div class="fr-table" {
                table tabindex="0" {
                    caption { "Jeux de données chargés" }
                    (table_head(&["Jeu de données", "Producteur", "Millésime", "Licence"]))
                    tbody {
                        @for c in &credits {
                            tr { td { a href=(c.url) rel="noopener" { (c.title) } } td { (c.producer) } td { (c.vintage) } td { (c.licence) } }
                        }
                    }
                }
            }
            @if !missing.is_empty() {
                h2 class="fr-h4" { "Non disponibles sur ce portail" }
                ul { @for d in &missing { li { a href=(d.url) rel="noopener" { (d.title) } " (" (d.short) ")" } } }
            }
        },
    )
    .into_response())
}

/// The routes of the home page, `/recherche` and `/sources`.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/", get(home)).route("/sources", get(sources_page)).route("/recherche", get(search_page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_integers() {
        assert_eq!(fmt_int(0), "0");
        assert_eq!(fmt_int(999), "999");
        assert_eq!(fmt_int(285_121), "285\u{202f}121");
        assert_eq!(fmt_int(2_103_778), "2\u{202f}103\u{202f}778");
    }

    #[test]
    fn urlencodes() {
        assert_eq!(urlencode("st étienne&x"), "st+%C3%A9tienne%26x");
    }
}
