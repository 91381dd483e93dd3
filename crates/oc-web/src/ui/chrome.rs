//! What frames every page, per the State design system (DSFR): the skip
//! links, the header (bloc-marque "République française", service name,
//! territory search, main navigation, a menu and a search dialog on
//! phones) and the footer (brand, credits, institutional links, legal
//! pages, licence).

use maud::{html, Markup};

use super::{search_box, Head, Section};

/// The `id` of the main navigation (the "Menu" skip link's target).
pub(crate) const NAV_ID: &str = "navigation";

/// The `id` of the territory search field (header or page).
const SEARCH_ID: &str = "q";

/// The footer's bottom links: the legal pages every public site owes, the
/// site map, the API documentation and the data sources.
pub(crate) const BOTTOM_LINKS: [(&str, &str); 6] = [
    // Followed by the state of conformity (`rgaa::site_conformity`).
    ("Accessibilité", "/accessibilite"),
    ("Mentions légales", "/mentions-legales"),
    ("Données personnelles", "/donnees-personnelles"),
    ("Plan du site", "/plan-du-site"),
    ("Documentation de l'API", "/api"),
    ("Sources des données", "/sources"),
];

/// The institutional links of a State site's footer.
const INSTITUTIONAL_LINKS: [&str; 4] = ["legifrance.gouv.fr", "info.gouv.fr", "service-public.fr", "data.gouv.fr"];

/// "République française", as the bloc-marque sets it.
fn marianne() -> Markup {
    html! { p class="fr-logo" { "République" br; "française" } }
}

/// The skip links: to the content, the menu, the search field and the
/// footer; each target exists on every page.
pub(crate) fn skip_links(head: &Head) -> Markup {
    let search = head.search.unwrap_or(SEARCH_ID);
    html! {
        div class="fr-skiplinks" {
            nav class="fr-container" role="navigation" aria-label="Accès rapide" {
                ul class="fr-skiplinks__list" {
                    li { a class="fr-link" href="#contenu" { "Contenu" } }
                    li { a class="fr-link" href=(format!("#{NAV_ID}")) { "Menu" } }
                    li { a class="fr-link" href=(format!("#{search}")) { "Recherche" } }
                    li { a class="fr-link" href="#footer" { "Pied de page" } }
                }
            }
        }
    }
}

/// The DSFR header. The territory search sits in it unless the page has
/// its own territory search box; on phones the navigation and the search
/// open as dialogs (the DSFR script), and without script both stay
/// reachable through the skip links and `/plan-du-site`.
pub(crate) fn header(head: &Head) -> Markup {
    let with_search = head.search != Some(SEARCH_ID);
    html! {
        header role="banner" class="fr-header" {
            div class="fr-header__body" {
                div class="fr-container" {
                    div class="fr-header__body-row" {
                        div class="fr-header__brand fr-enlarge-link" {
                            div class="fr-header__brand-top" {
                                div class="fr-header__logo" { (marianne()) }
                                div class="fr-header__navbar" {
                                    @if with_search {
                                        button class="fr-btn--search fr-btn" data-fr-opened="false"
                                            aria-controls="oc-modal-search" title="Rechercher" type="button" { "Rechercher" }
                                    }
                                    button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="oc-modal-menu"
                                        aria-haspopup="dialog" id="oc-button-menu" title="Menu" type="button" { "Menu" }
                                }
                            }
                            div class="fr-header__service" {
                                a href="/" title="Accueil — Open Collectivités — République française" {
                                    p class="fr-header__service-title" { "Open Collectivités" }
                                }
                                p class="fr-header__service-tagline" { "Les statistiques des collectivités locales, \
                                    faciles à trouver" }
                            }
                        }
                        @if with_search {
                            div class="fr-header__tools" {
                                div class="fr-header__search fr-modal" id="oc-modal-search" {
                                    div class="fr-container fr-container-lg--fluid" {
                                        button class="fr-btn--close fr-btn" aria-controls="oc-modal-search" title="Fermer"
                                            type="button" { "Fermer" }
                                        (search_box("", None, false))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div class="fr-header__menu fr-modal" id="oc-modal-menu" aria-labelledby="oc-button-menu" {
                div class="fr-container" {
                    button class="fr-btn--close fr-btn" aria-controls="oc-modal-menu" title="Fermer" type="button" { "Fermer" }
                    div class="fr-header__menu-links" {}
                    nav class="fr-nav" id=(NAV_ID) role="navigation" aria-label="Menu principal" {
                        ul class="fr-nav__list" {
                            @for (section, name, href) in Section::NAV {
                                li class="fr-nav__item" {
                                    a class="fr-nav__link" href=(href)
                                        aria-current=[(head.section == Some(section)).then(|| current_kind(head, href))] { (name) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `page` when the page is the section's own address, `true` when it is
/// inside the section.
fn current_kind(head: &Head, href: &str) -> &'static str {
    if head.canonical.as_deref() == Some(href) {
        "page"
    } else {
        "true"
    }
}

/// The footer's credits: the datasets this page shows (from the source
/// registry, at the vintages loaded), or a link to all of them.
fn credits_line(credits: Option<&[oc_model::sources::Credit]>) -> Markup {
    html! {
        p class="fr-footer__content-desc" {
            "Open Collectivités rassemble les statistiques publiques sur les communes, les intercommunalités, les \
                départements et les régions, avec leur source et leur millésime. "
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

/// The DSFR footer.
pub(crate) fn footer(credits: Option<&[oc_model::sources::Credit]>) -> Markup {
    html! {
        footer class="fr-footer" role="contentinfo" id="footer" tabindex="-1" {
            div class="fr-container" {
                div class="fr-footer__body" {
                    div class="fr-footer__brand fr-enlarge-link" {
                        a href="/" title="Retour à l'accueil — Open Collectivités — République française" { (marianne()) }
                    }
                    div class="fr-footer__content" {
                        (credits_line(credits))
                        ul class="fr-footer__content-list" {
                            @for site in INSTITUTIONAL_LINKS {
                                li class="fr-footer__content-item" {
                                    a class="fr-footer__content-link" href=(format!("https://www.{site}"))
                                        target="_blank" rel="noopener" title=(format!("{site} — nouvelle fenêtre")) { (site) }
                                }
                            }
                        }
                    }
                }
                div class="fr-footer__bottom" {
                    ul class="fr-footer__bottom-list" {
                        @for (name, href) in BOTTOM_LINKS {
                            li class="fr-footer__bottom-item" {
                                a class="fr-footer__bottom-link" href=(href) {
                                    (name) @if href == "/accessibilite" { " : " (super::rgaa::site_conformity()) }
                                }
                            }
                        }
                    }
                    div class="fr-footer__bottom-copy" {
                        p {
                            "Sauf mention contraire, les contenus de ce site sont proposés sous "
                            a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/" target="_blank" rel="noopener"
                                title="Licence Ouverte 2.0 — nouvelle fenêtre" { "Licence Ouverte 2.0" }
                            "\u{202f}; les données restent sous la licence de leur producteur."
                        }
                    }
                }
            }
        }
    }
}
