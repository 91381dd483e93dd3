//! The page frame and the components every page uses: `<head>`, DSFR
//! header and footer with the credits, the search box, error pages;
//! [`components`]: alerts and pagination.

pub(crate) mod components;

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use oc_model::KindGroup;

/// What goes in a page's `<head>`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Head {
    pub title: String,
    pub description: String,
    /// Canonical path of the page.
    pub canonical: Option<String>,
    /// The Atom feed of the page's search (`<link rel="alternate">`).
    pub feed: Option<String>,
}

pub(crate) const DEFAULT_DESCRIPTION: &str =
    "Open Collectivités : les statistiques des communes, intercommunalités, départements et régions, faciles à \
        trouver.";

/// The page frame: DSFR header, main content, footer with the credits.
pub(crate) fn layout(title: &str, main: Markup) -> Markup {
    layout_with(
        &Head { title: title.to_owned(), description: DEFAULT_DESCRIPTION.to_owned(), canonical: None, feed: None },
        main,
    )
}

/// [`layout`] with a description and a canonical link.
pub(crate) fn layout_with(head: &Head, main: Markup) -> Markup {
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
                        a href=(c.url) rel="noopener" { (c.title) } " (" (c.short()) ", " (c.vintage) ", " (c.licence) ")"
                    }
                    ". "
                }
                None => { "Données publiques des producteurs de la statistique publique, sous Licence Ouverte / Open \
                    Licence 2.0. " }
            }
            a href="/sources" { "Toutes les sources des données" }
        }
    }
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
                meta name="description" content=(head.description);
                @if let Some(c) = &head.canonical { link rel="canonical" href=(c); }
                @if let Some(f) = &head.feed {
                    link rel="alternate" type="application/atom+xml" title="Flux Atom de cette recherche" href=(f);
                }
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
                                        p class="fr-header__service-tagline" { "Les statistiques des collectivités \
                                            locales, faciles à trouver" }
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

/// An error page that still offers the search box.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Markup {
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
