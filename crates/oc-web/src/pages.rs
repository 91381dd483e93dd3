//! HTML pages (maud), on the State design system (DSFR).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use oc_model::KindGroup;

use crate::api::{param, params, run_search, SearchRequest, MAX_LIMIT};
use crate::AppState;

/// Formats an integer the French way (`285 121`, narrow no-break spaces).
pub fn fmt_int(n: u64) -> String {
    oc_model::fr::fmt_int(n)
}

/// What goes in a page's `<head>`.
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub title: String,
    pub description: String,
    /// Canonical path of the page.
    pub canonical: Option<String>,
}

const DEFAULT_DESCRIPTION: &str =
    "Open Collectivités : les statistiques des communes, intercommunalités, départements et régions, faciles à trouver.";

/// The page frame: DSFR header, main content, footer with the credits.
pub fn layout(title: &str, main: Markup) -> Markup {
    layout_with(&Head { title: title.to_owned(), description: DEFAULT_DESCRIPTION.to_owned(), canonical: None }, main)
}

/// [`layout`] with a description and a canonical link.
pub fn layout_with(head: &Head, main: Markup) -> Markup {
    layout_credits(head, None, main)
}

/// The footer's credits: the datasets this page shows (from the source
/// registry, at the vintages loaded), or a link to all of them.
fn footer_credits(credits: Option<&[oc_model::sources::Credit]>) -> Markup {
    html! {
        p class="fr-footer__content-desc" {
            @match credits.filter(|c| !c.is_empty()) {
                Some(list) => {
                    "Données de cette page : "
                    @for (i, c) in list.iter().enumerate() {
                        @if i > 0 { " ; " }
                        a href=(c.url) rel="noopener" { (c.title) } " (" (c.short()) ", " (c.millesime) ", " (c.licence) ")"
                    }
                    ". "
                }
                None => { "Données publiques des producteurs de la statistique publique, sous Licence Ouverte / Open Licence 2.0. " }
            }
            a href="/sources" { "Toutes les sources des données" }
        }
    }
}

/// [`layout_with`] with the credits of the datasets the page shows.
pub fn layout_credits(head: &Head, credits: Option<&[oc_model::sources::Credit]>, main: Markup) -> Markup {
    let title = head.title.as_str();
    html! {
        (DOCTYPE)
        html lang="fr" data-fr-scheme="light" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Open Collectivités" }
                link rel="stylesheet" href="/assets/dsfr/dsfr.min.css";
                link rel="stylesheet" href="/assets/app/app.css";
                link rel="icon" href="/assets/dsfr/favicon/favicon.svg" type="image/svg+xml";
                meta name="description" content=(head.description);
                @if let Some(c) = &head.canonical { link rel="canonical" href=(c); }
            }
            body {
                div class="fr-skiplinks" {
                    nav class="fr-container" role="navigation" aria-label="Accès rapide" {
                        ul class="fr-skiplinks__list" {
                            li { a class="fr-link" href="#contenu" { "Contenu" } }
                            li { a class="fr-link" href="#q" { "Recherche" } }
                        }
                    }
                }
                header role="banner" class="fr-header" {
                    div class="fr-header__body" {
                        div class="fr-container" {
                            div class="fr-header__body-row" {
                                div class="fr-header__brand fr-enlarge-link" {
                                    div class="fr-header__service" {
                                        a href="/" title="Accueil — Open Collectivités" {
                                            p class="fr-header__service-title" { "Open Collectivités" }
                                        }
                                        p class="fr-header__service-tagline" { "Les statistiques des collectivités locales, faciles à trouver" }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="contenu" role="main" class="fr-container fr-py-4w" { (main) }
                footer class="fr-footer" role="contentinfo" id="footer" {
                    div class="fr-container" {
                        div class="fr-footer__body" {
                            div class="fr-footer__content" {
                                (footer_credits(credits))
                            }
                        }
                    }
                }
                script type="module" src="/assets/dsfr/dsfr.module.min.js" {}
                script src="/assets/app/search.js" defer {}
            }
        }
    }
}

/// The territory search box: a plain GET form that works without
/// JavaScript; `search.js` turns the input into an ARIA combobox.
pub fn search_box(value: &str, group: Option<KindGroup>, large: bool) -> Markup {
    search_box_with("/recherche", value, group, &[], large)
}

/// [`search_box`] submitting to `action` with extra hidden fields. A form
/// that is not the site search (`/comparer/ajouter`) gets a `pick` field
/// that the script fills with the chosen suggestion (`level:code`).
pub fn search_box_with(
    action: &str,
    value: &str,
    group: Option<KindGroup>,
    hidden: &[(&str, String)],
    large: bool,
) -> Markup {
    let pick = action != "/recherche";
    let label = if pick {
        "Nom, code INSEE, code postal ou SIREN de la collectivité à ajouter"
    } else {
        "Rechercher une commune, une intercommunalité, un département ou une région"
    };
    let id = if pick { "q-add" } else { "q" };
    html! {
        form action=(action) method="get" role="search" class="oc-search" data-oc-autocomplete data-oc-pick=[pick.then_some("1")] {
            div class={ "fr-search-bar" @if large { " fr-search-bar--lg" } } {
                label class="fr-label" for=(id) { (label) }
                input class="fr-input" type="search" id=(id) name="q" value=(value)
                    placeholder="Nom, code INSEE, code postal ou SIREN"
                    autocomplete="off" spellcheck="false" maxlength="200"
                    role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls=(format!("{id}-listbox"));
                @if let Some(g) = group {
                    input type="hidden" name="type" value=(g.as_str());
                }
                @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
                @if pick { input type="hidden" name="pick" value=""; }
                button class="fr-btn" type="submit" title=(if pick { "Ajouter" } else { "Rechercher" }) { @if pick { "Ajouter" } @else { "Rechercher" } }
            }
            ul id=(format!("{id}-listbox")) role="listbox" class="oc-suggestions" aria-label="Suggestions" hidden {}
            p id=(format!("{id}-status")) class="fr-sr-only" aria-live="polite" {}
        }
    }
}

/// `GET /`
pub async fn home(State(state): State<AppState>) -> Markup {
    let lib = state.library.clone();
    let library = match lib {
        Some(l) => crate::blocking::spawn(move || {
            let all = oc_index::publication_search::PubQuery::default();
            crate::library::latest(&l, &all, 6)
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
        &Head { title: "Accueil".into(), description: DEFAULT_DESCRIPTION.into(), canonical: Some("/".into()) },
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
                li class="fr-col-6 fr-col-md-3" { strong { (fmt_int(n.epci as u64)) } " " (oc_model::fr::plural(n.epci as u64, "intercommunalité à fiscalité propre", "intercommunalités à fiscalité propre")) }
                li class="fr-col-6 fr-col-md-3" { strong { (fmt_int(n.departements as u64)) } " " (oc_model::fr::plural(n.departements as u64, "département", "départements")) }
                li class="fr-col-6 fr-col-md-3" { strong { (fmt_int(n.regions as u64)) } " " (oc_model::fr::plural(n.regions as u64, "région", "régions")) }
            }
            p class="fr-text--sm fr-mt-2w" id="oc-counts-note" {
                "Communes, départements et régions de France métropolitaine et d'outre-mer, selon le Code officiel géographique au 1er janvier " (d.meta.cog_year)
                ", populations légales millésime " (d.meta.population_millesime) ". À part : "
                (oc_model::fr::count(n.com as u64, "collectivité d'outre-mer ou territoire", "collectivités d'outre-mer et territoires"))
                " (" (oc_model::fr::count(n.subdivisions_com as u64, "commune ou subdivision", "communes et subdivisions")) ")"
                @if !n.com_sans_population.is_empty() { ", dont " (n.com_sans_population.join(" et ")) ", sans population permanente" }
                "."
            }
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
                    ul class="oc-pubs" { @for h in &r.hits { (crate::library::result_item(&state.geo(), &h.doc)) } }
                    p { a class="fr-link" href="/publications" { "Toute la bibliothèque (" (oc_model::fr::count(r.total as u64, "document", "documents")) ")" } " · " a class="fr-link" href="/plateformes" { "Plateformes open data" } }
                }
            }
        },
    )
}

/// `GET /recherche?q=…&type=…`: the results page (works without JavaScript).
pub async fn search_page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let q = param(&p, "q").unwrap_or("").to_owned();
    if q.trim().is_empty() {
        return layout(
            "Recherche",
            html! {
                h1 { "Rechercher une collectivité" }
                (search_box("", None, true))
            },
        )
        .into_response();
    }
    let req = match SearchRequest::from_params(&p, MAX_LIMIT) {
        Ok(r) => r,
        Err(e) => {
            let group = param(&p, "type").and_then(KindGroup::parse);
            return (
                e.status(),
                layout(
                    "Recherche",
                    html! {
                        h1 { "Rechercher une collectivité" }
                        div class="fr-alert fr-alert--error fr-mb-3w" role="alert" { p { (e.to_string()) } }
                        (search_box(&q, group, true))
                    },
                ),
            )
                .into_response();
        }
    };
    let group = req.group;
    let index = state.territories();
    let outcome = match run_search(index.clone(), req).await {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let pubs = match state.library.clone() {
        Some(l) => {
            let pq = oc_index::publication_search::PubQuery { q: q.clone(), ..Default::default() };
            crate::blocking::spawn(move || (crate::library::latest(&l, &pq, 5), pq)).await.ok()
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
    layout(
        &format!("Recherche « {q} »"),
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
            @if outcome.hits.is_empty() {
                div class="fr-callout fr-mt-2w" {
                    p class="fr-callout__text" { "Aucune collectivité ne correspond à « " (q) " »." }
                    p { "Vérifiez l'orthographe, essayez un code postal ou un code INSEE, ou retirez le filtre de type." }
                }
            } @else {
                p class="fr-mt-2w" role="status" {
                    @if outcome.fuzzy { "Aucun résultat exact ; voici les noms les plus proches. " }
                    (fmt_int(outcome.total as u64)) @if outcome.total > 1 { " résultats" } @else { " résultat" }
                    @if outcome.total > outcome.hits.len() { " (les " (outcome.hits.len()) " premiers)" }
                }
                ol class="oc-results" {
                    @for h in &outcome.hits {
                        @let e = index.entry(h.entry);
                        li class="fr-mb-2w" {
                            a class="fr-link fr-text--lg" href=(e.url) { (e.name) }
                            br;
                            span class="fr-text--sm" {
                                (e.label)
                                @if let Some(p) = e.population { " — " (fmt_int(p)) " hab." }
                            }
                        }
                    }
                }
            }
            }
            @if let Some((r, pq)) = &pubs {
                div class="fr-col-12 fr-col-md-6" {
                    h2 class="fr-h4 fr-mt-2w" { "Publications" }
                    @if r.hits.is_empty() {
                        p { "Aucune publication ne correspond à « " (q) " ». " a href="/publications" { "Parcourir la bibliothèque" } }
                    } @else {
                        ul class="oc-pubs" { @for h in &r.hits { (crate::library::result_item(&state.geo(), &h.doc)) } }
                        p { a class="fr-link" href=(crate::library::href("/publications", pq)) { @if r.total == 1 { "Voir la publication" } @else { "Voir les " (oc_model::fr::count(r.total as u64, "publication", "publications")) } } }
                    }
                }
            }
            }
        },
    )
    .into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|x| x.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// An error page that still offers the search box.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = match status {
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::BAD_REQUEST => "Requête invalide",
        _ => "Erreur",
    };
    layout(
        title,
        html! {
            h1 { (title) }
            p { (message) }
            (search_box("", None, true))
            p class="fr-mt-2w" { a class="fr-link" href="/" { "Retour à l'accueil" } }
        },
    )
}

/// `GET /sources`: every dataset loaded on this server, from the source
/// registry, with its producer, vintage, link and licence.
pub async fn sources_page(State(state): State<AppState>) -> Response {
    let geo = state.geo();
    let credits = crate::fiche::data::loaded_sources(&geo);
    let missing: Vec<&oc_model::sources::Dataset> =
        oc_model::sources::DATASETS.iter().filter(|d| !credits.iter().any(|c| c.id == d.id)).collect();
    layout_credits(
        &Head { title: "Sources des données".into(), description: "Les jeux de données affichés par Open Collectivités, avec leur producteur, leur millésime et leur licence.".into(), canonical: Some("/sources".into()) },
        Some(&credits),
        html! {
            h1 { "Sources des données" }
            p { "Chaque chiffre d'une fiche cite son jeu de données et son millésime. Voici les jeux de données chargés sur ce portail." }
            div class="fr-table" {
                table {
                    caption { "Jeux de données chargés" }
                    thead { tr { th scope="col" { "Jeu de données" } th scope="col" { "Producteur" } th scope="col" { "Millésime" } th scope="col" { "Licence" } } }
                    tbody {
                        @for c in &credits {
                            tr { td { a href=(c.url) rel="noopener" { (c.title) } } td { (c.producer) } td { (c.millesime) } td { (c.licence) } }
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
    .into_response()
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
