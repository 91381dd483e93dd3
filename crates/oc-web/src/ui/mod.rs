//! The page frame and the components every page uses: `<head>`, the
//! search box, error pages; [`chrome`]: skip links, DSFR header and
//! footer; [`components`]: alerts, pagination, tables.

mod chrome;
pub(crate) mod components;
pub(crate) mod rgaa;

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use oc_model::KindGroup;

/// The section of the site a page belongs to: the main navigation marks
/// it (`aria-current`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Collectivites,
    Comparer,
    Bibliotheque,
    Plateformes,
    Api,
}

impl Section {
    /// The main navigation: each section's name and address, in order.
    pub(crate) const NAV: [(Section, &'static str, &'static str); 5] = [
        (Section::Collectivites, "Collectivités", "/recherche"),
        (Section::Comparer, "Comparer", "/comparer"),
        (Section::Bibliotheque, "Bibliothèque", "/publications"),
        (Section::Plateformes, "Plateformes", "/plateformes"),
        (Section::Api, "API", "/api"),
    ];
}

/// What goes in a page's `<head>`, and what its frame needs to know.
#[derive(Debug, Clone, Default)]
pub(crate) struct Head {
    pub title: String,
    pub description: String,
    /// Canonical path of the page.
    pub canonical: Option<String>,
    /// The Atom feed of the page's search (`<link rel="alternate">`).
    pub feed: Option<String>,
    /// The section the main navigation marks as current.
    pub section: Option<Section>,
    /// The `id` of the page's own search field, which the "Recherche" skip
    /// link then reaches; `Some("q")` is the territory search box
    /// ([`search_box`]), and the header then leaves out its own.
    pub search: Option<&'static str>,
}

impl Head {
    /// A page titled `title` in `section`, with the default description.
    pub(crate) fn new(title: impl Into<String>, section: Option<Section>) -> Head {
        Head { title: title.into(), description: DEFAULT_DESCRIPTION.to_owned(), section, ..Default::default() }
    }
}

pub(crate) const DEFAULT_DESCRIPTION: &str =
    "Open Collectivités : les statistiques des communes, intercommunalités, départements et régions, faciles à \
        trouver.";

/// The page frame: skip links, DSFR header, main content, footer.
pub(crate) fn layout(title: &str, main: Markup) -> Markup {
    layout_with(&Head::new(title, None), main)
}

/// [`layout`] with a description and a canonical link.
pub(crate) fn layout_with(head: &Head, main: Markup) -> Markup {
    layout_credits(head, None, main)
}

/// [`layout_with`] with the credits of the datasets the page shows.
pub(crate) fn layout_credits(head: &Head, credits: Option<&[oc_model::sources::Credit]>, main: Markup) -> Markup {
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
                link rel="apple-touch-icon" href="/assets/dsfr/favicon/apple-touch-icon.png";
                meta name="description" content=(head.description);
                @if let Some(c) = &head.canonical { link rel="canonical" href=(c); }
                @if let Some(f) = &head.feed {
                    link rel="alternate" type="application/atom+xml" title="Flux Atom de cette recherche" href=(f);
                }
            }
            body {
                (chrome::skip_links(head))
                (chrome::header(head))
                main id="contenu" role="main" class="fr-container fr-py-4w" tabindex="-1" { (main) }
                (chrome::footer(credits))
                script type="module" src="/assets/dsfr/dsfr.module.min.js" {}
                script src="/assets/app/search.js" defer {}
                script src="/assets/app/frame.js" defer {}
            }
        }
    }
}

/// The territory search box: a plain GET form that works without
/// JavaScript; `search.js` turns the input into an ARIA combobox.
pub(crate) fn search_box(value: &str, group: Option<KindGroup>, large: bool) -> Markup {
    search_box_with("/recherche", value, group, &[], large)
}

/// [`search_box`] submitting to `action` with extra hidden fields. A form
/// that is not the site search (`/comparer/ajouter`) gets a `pick` field
/// that the script fills with the chosen suggestion (`level:code`).
pub(crate) fn search_box_with(
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
        // Each search landmark has its own name (axe: landmark-unique).
        form action=(action) method="get" role="search" class="oc-search" data-oc-autocomplete data-oc-pick=[pick.then_some("1")]
            aria-label=(if pick { "Ajouter une collectivité" } else { "Rechercher une collectivité" }) {
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

/// An error page that still offers the search box.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = match status {
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::BAD_REQUEST => "Requête invalide",
        _ => "Erreur",
    };
    layout_with(
        &Head { search: Some("q"), ..Head::new(title, None) },
        html! {
            h1 { (title) }
            p { (message) }
            (search_box("", None, true))
            p class="fr-mt-2w" { a class="fr-link" href="/" { "Retour à l'accueil" } }
        },
    )
}
