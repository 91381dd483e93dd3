//! The frame of every page, per the State design system: the bloc-marque
//! and the main navigation in the header, the footer's institutional and
//! legal links, skip links whose targets exist, the DSFR icons defined in
//! the shipped CSS; and the pages the footer links to (accessibility
//! statement, legal notices, personal data, site map, API documentation).
//! Checked with an HTML parser on every page type.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use scraper::{Html, Selector};

use crate::common::{app, get, get_on};

/// One page of each type, and the section its navigation marks current.
const PAGE_TYPES: [(&str, Option<&str>); 22] = [
    ("/", None),
    ("/recherche", Some("/recherche")),
    ("/recherche?q=saint", Some("/recherche")),
    ("/commune/montpellier-34172", Some("/recherche")),
    ("/epci/montpellier-mediterranee-metropole-243400017", Some("/recherche")),
    ("/departement/herault-34", Some("/recherche")),
    ("/region/occitanie-76", Some("/recherche")),
    ("/france", Some("/recherche")),
    ("/classements", Some("/recherche")),
    ("/classements/densite?niveau=commune&dans=DEP-31", Some("/recherche")),
    ("/comparer?ids=commune:34172,commune:34057", Some("/comparer")),
    ("/publications?q=communes&theme=Finances+%26+Fiscalit%C3%A9", Some("/publications")),
    ("/publications/1", Some("/publications")),
    ("/plateformes", Some("/plateformes")),
    ("/api", Some("/api")),
    ("/sources", None),
    ("/accessibilite", None),
    ("/mentions-legales", None),
    ("/donnees-personnelles", None),
    ("/plan-du-site", None),
    ("/admin/connexion", None),
    ("/commune/nulle-part-99999", None),
];

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

fn text(e: scraper::ElementRef<'_>) -> String {
    e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What every page's frame must hold; `current` is the address of the
/// navigation entry marked current.
fn check_frame(page: &str, html: &str, current: Option<&str>) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut bad = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            bad.push(format!("{page}: {what}"));
        }
    };
    let lang = doc.select(&sel("html")).next().and_then(|h| h.value().attr("lang"));
    need(lang == Some("fr"), format!("html lang is {lang:?}"));
    // Header: bloc-marque, service name, navigation.
    let logo = doc.select(&sel("header.fr-header .fr-header__brand .fr-header__logo .fr-logo")).next().map(text);
    need(logo.as_deref() == Some("République française"), format!("bloc-marque reads {logo:?}"));
    let service = doc.select(&sel("header .fr-header__service-title")).next().map(text);
    need(service.as_deref() == Some("Open Collectivités"), format!("service title {service:?}"));
    let nav: Vec<(String, String, Option<String>)> = doc
        .select(&sel("header nav.fr-nav#navigation a.fr-nav__link"))
        .map(|a| {
            (
                text(a),
                a.value().attr("href").unwrap_or("").to_owned(),
                a.value().attr("aria-current").map(str::to_owned),
            )
        })
        .collect();
    let names: Vec<&str> = nav.iter().map(|(n, _, _)| n.as_str()).collect();
    need(
        names == ["Collectivités", "Comparer", "Bibliothèque", "Plateformes", "API"],
        format!("main navigation is {names:?}"),
    );
    let marked: Vec<&str> = nav.iter().filter(|(_, _, c)| c.is_some()).map(|(_, h, _)| h.as_str()).collect();
    need(marked == current.into_iter().collect::<Vec<_>>(), format!("navigation marks {marked:?}, not {current:?}"));
    need(
        doc.select(&sel("header .fr-header__navbar button.fr-btn--menu[aria-controls]")).next().is_some(),
        "no menu button for phones".into(),
    );
    // Footer: brand, institutional links, bottom links, licence.
    need(
        doc.select(&sel("footer.fr-footer .fr-footer__brand .fr-logo")).next().is_some(),
        "footer without brand".into(),
    );
    let links: BTreeSet<String> =
        doc.select(&sel("footer.fr-footer a")).filter_map(|a| a.value().attr("href").map(str::to_owned)).collect();
    for href in [
        "https://www.legifrance.gouv.fr",
        "https://www.info.gouv.fr",
        "https://www.service-public.fr",
        "https://www.data.gouv.fr",
        "/accessibilite",
        "/mentions-legales",
        "/donnees-personnelles",
        "/plan-du-site",
        "/api",
        "/sources",
    ] {
        need(links.contains(href), format!("footer has no link to {href}"));
    }
    let access = doc.select(&sel("footer .fr-footer__bottom-link[href='/accessibilite']")).next().map(text);
    need(
        access == Some(format!("Accessibilité : {}", expected_conformity())),
        format!("accessibility link reads {access:?}"),
    );
    let copy = doc.select(&sel("footer .fr-footer__bottom-copy")).next().map(text).unwrap_or_default();
    need(copy.contains("Licence Ouverte 2.0"), format!("licence line reads {copy:?}"));
    // Skip links: the four, each to an element of the page.
    let ids: Vec<&str> = doc.select(&sel("[id]")).filter_map(|e| e.value().attr("id")).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    need(unique.len() == ids.len(), "an id is used twice".into());
    let skips: Vec<(String, String)> = doc
        .select(&sel(".fr-skiplinks a"))
        .map(|a| (text(a), a.value().attr("href").unwrap_or("").to_owned()))
        .collect();
    let skip_names: Vec<&str> = skips.iter().map(|(n, _)| n.as_str()).collect();
    need(skip_names == ["Contenu", "Menu", "Recherche", "Pied de page"], format!("skip links are {skip_names:?}"));
    for (name, href) in &skips {
        let id = href.strip_prefix('#').unwrap_or("");
        need(unique.contains(id), format!("skip link « {name} » points to {href}, which is not on the page"));
    }
    let search = skips.iter().find(|(n, _)| n == "Recherche").map(|(_, h)| h.trim_start_matches('#').to_owned());
    if let Some(id) = search {
        let field = doc.select(&sel(&format!("#{id}"))).next();
        need(
            field.is_some_and(|f| f.value().name() == "input" && f.value().attr("type") == Some("search")),
            format!("the « Recherche » skip link's target #{id} is not a search field"),
        );
    }
    let h1 = doc.select(&sel("h1")).count();
    need(h1 == 1, format!("{h1} h1 elements"));
    need(doc.select(&sel("main#contenu")).count() == 1, "no main#contenu".into());
    bad
}

/// The `fr-icon-*` classes of a page.
/// The state of conformity the checklist supports, by the RGAA's rule
/// (worked out here apart from the code that shows it): non conforme
/// until all 106 criteria are checked, then by the share of those met.
fn expected_conformity() -> &'static str {
    let checklist = std::fs::read_to_string(crate::common::root().join("docs/ACCESSIBILITY.md")).expect("checklist");
    let results: Vec<String> = checklist
        .lines()
        .filter(|l| {
            l.split('|').nth(1).is_some_and(|n| {
                n.trim().split_once('.').is_some_and(|(a, b)| a.parse::<u8>().is_ok() && b.parse::<u8>().is_ok())
            })
        })
        .filter_map(|l| l.split('|').nth(3).map(|r| r.trim().to_owned()))
        .collect();
    let (met, failed) = (results.iter().filter(|r| *r == "C").count(), results.iter().filter(|r| *r == "NC").count());
    if results.len() < 106 || met * 2 < met + failed {
        "non conforme"
    } else if failed == 0 {
        "totalement conforme"
    } else {
        "partiellement conforme"
    }
}

fn icon_classes(html: &str) -> BTreeSet<String> {
    let doc = Html::parse_document(html);
    doc.select(&sel("[class]"))
        .flat_map(|e| e.value().classes().filter(|c| c.starts_with("fr-icon-") && !c.starts_with("fr-icon--")))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_page_type_has_the_state_header_navigation_footer_and_skip_links() {
    let mut bad = Vec::new();
    for (page, current) in PAGE_TYPES {
        let (status, _, html) = get(page).await;
        let expected = if page.contains("nulle-part") { StatusCode::NOT_FOUND } else { StatusCode::OK };
        assert_eq!(status, expected, "{page}");
        bad.extend(check_frame(page, &html, current));
    }
    // The back office too, signed in.
    let c = crate::admin::Client::login("admin-test").await;
    for page in ["/admin", "/admin/documents", "/admin/journal", "/admin/sources", "/admin/taxonomies"] {
        let r = c.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        bad.extend(check_frame(page, &r.body, None));
    }
    assert!(bad.is_empty(), "{} problem(s):\n{}", bad.len(), bad.join("\n"));
}

#[tokio::test]
async fn every_icon_class_of_the_pages_is_defined_in_the_shipped_css() {
    let app = app();
    let (_, dsfr) = get_on(&app, "/assets/dsfr/dsfr.min.css").await;
    let (_, ours) = get_on(&app, "/assets/app/app.css").await;
    let mut used = BTreeSet::new();
    for (page, _) in PAGE_TYPES {
        let (_, html) = get_on(&app, page).await;
        used.extend(icon_classes(&html));
    }
    let (_, library) = get_on(&app, "/publications").await;
    used.extend(icon_classes(&library));
    assert!(used.contains("fr-icon-arrow-right-line"), "the « Voir tout » links use an icon: {used:?}");
    for class in &used {
        let css = [&dsfr, &ours].into_iter().find(|css| {
            css.match_indices(&format!(".{class}")).any(|(i, m)| {
                let next = css[i + m.len()..].chars().next();
                !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
        });
        let Some(css) = css else { panic!("{class} is used but neither dsfr.min.css nor app.css defines it") };
        // The rule names an SVG file, which is shipped.
        let at = css.find(&format!(".{class}")).expect("found above");
        let rule = &css[at..css[at..].find('}').map_or(css.len(), |e| at + e)];
        let url = rule.split("url(").nth(1).and_then(|u| u.split(')').next()).expect("a mask image");
        let path = if let Some(rest) = url.strip_prefix("../dsfr/") {
            format!("/assets/dsfr/{rest}")
        } else {
            format!("/assets/dsfr/{url}")
        };
        let (status, _) = get_on(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{class}: its icon {path} is not shipped");
    }
}

#[tokio::test]
async fn the_footer_and_site_map_links_all_answer() {
    let app = app();
    let (_, map) = get_on(&app, "/plan-du-site").await;
    let doc = Html::parse_document(&map);
    let hrefs: Vec<String> =
        doc.select(&sel("main a")).filter_map(|a| a.value().attr("href").map(str::to_owned)).collect();
    assert!(hrefs.len() >= 15, "{hrefs:?}");
    for (_, href) in [("", "/accessibilite"), ("", "/mentions-legales"), ("", "/donnees-personnelles"), ("", "/api")] {
        assert!(hrefs.iter().any(|h| h == href), "the site map has no link to {href}");
    }
    for href in hrefs.iter().filter(|h| h.starts_with('/')) {
        let (status, _) = get_on(&app, href).await;
        assert_eq!(status, StatusCode::OK, "site map link {href}");
    }
}

#[tokio::test]
async fn the_accessibility_statement_follows_the_rgaa_model_and_the_checklist() {
    let (status, _, html) = get("/accessibilite").await;
    assert_eq!(status, StatusCode::OK);
    let doc = Html::parse_document(&html);
    let h2: Vec<String> = doc.select(&sel("main h2")).map(text).collect();
    for part in [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ] {
        assert!(h2.iter().any(|h| h == part), "no « {part} » section: {h2:?}");
    }
    // The non-conformities listed are those of docs/ACCESSIBILITY.md.
    let checklist = std::fs::read_to_string(crate::common::root().join("docs/ACCESSIBILITY.md")).expect("checklist");
    let nc: Vec<&str> = checklist
        .lines()
        .filter(|l| l.split('|').nth(3).map(str::trim) == Some("NC"))
        .filter_map(|l| l.split('|').nth(1).map(str::trim))
        .collect();
    assert!(!nc.is_empty());
    let items: Vec<String> = doc.select(&sel("main li")).map(text).collect();
    for n in &nc {
        assert!(
            items.iter().any(|i| i.starts_with(&format!("Critère {n} "))),
            "criterion {n} is non-conform in the checklist but not in the statement"
        );
    }
    let body = crate::common::html_text(&html);
    let state = doc.select(&sel("main h2 + p strong")).next().map(text);
    assert_eq!(state.as_deref(), Some(expected_conformity()), "the state of conformity in the statement");
    assert!(body.contains("Défenseur des droits"), "{body}");
    // Unset on this server, the contact says who must give it, never a
    // configuration key.
    assert!(body.contains("à indiquer par l'exploitant"), "{body}");
    assert!(!body.contains("contact =") && !body.contains("[site]"), "{body}");
}

#[tokio::test]
async fn the_legal_pages_give_the_operator_details_when_configured() {
    let app = app().with_site(oc_web::Site {
        host: Some("Hébergeur exemple, 1 rue de l'Exemple, 75000 Paris".into()),
        contact: Some("contact@exemple.gouv.fr".into()),
        journal_retention: Some("un an".into()),
    });
    let (status, legal) = get_on(&app, "/mentions-legales").await;
    assert_eq!(status, StatusCode::OK);
    let text = crate::common::html_text(&legal);
    assert!(text.contains("Direction générale des collectivités locales"), "{text}");
    assert!(text.contains("Hébergeur exemple, 1 rue de l'Exemple"), "{text}");
    assert!(!text.contains("à indiquer par l'exploitant"), "{text}");
    assert!(legal.contains(r#"href="mailto:contact@exemple.gouv.fr""#), "{legal}");
    let (_, unset) = get_on(&crate::common::app(), "/mentions-legales").await;
    assert!(crate::common::html_text(&unset).contains("à indiquer par l'exploitant de ce serveur"));
    let (status, data) = get_on(&app, "/donnees-personnelles").await;
    assert_eq!(status, StatusCode::OK);
    let text = crate::common::html_text(&data);
    for part in ["aucun cookie", "mot de passe", "8 heures", "adresse IP", "CNIL"] {
        assert!(text.contains(part), "personal data page without « {part} »: {text}");
    }
}

#[tokio::test]
async fn the_api_page_documents_every_path_of_the_openapi_description() {
    let (_, openapi) = crate::common::get_json("/api/v1/openapi.json").await;
    let (status, _, html) = get("/api").await;
    assert_eq!(status, StatusCode::OK);
    let doc = Html::parse_document(&html);
    let documented: BTreeSet<String> = doc.select(&sel("main h3 code")).map(text).collect();
    let paths = openapi["paths"].as_object().expect("paths");
    for path in paths.keys() {
        assert!(documented.contains(&format!("GET {path}")), "/api does not document {path}: {documented:?}");
    }
    for schema in openapi["components"]["schemas"].as_object().expect("schemas").keys() {
        assert!(documented.contains(schema), "/api does not document the schema {schema}");
    }
    // Each parameter of the publication search is in its table.
    let params: BTreeSet<String> =
        doc.select(&sel("#api-v1-publications ~ .fr-table td:first-child code")).map(text).collect();
    for p in ["q", "theme", "scope", "type", "publisher", "territory", "page"] {
        assert!(params.contains(p), "parameter {p} missing: {params:?}");
    }
}

#[tokio::test]
async fn the_sources_page_says_since_when_the_data_serves() {
    let (status, _, html) = get("/sources").await;
    assert_eq!(status, StatusCode::OK);
    let text = crate::common::html_text(&html);
    assert!(text.contains("en service sur ce serveur depuis le"), "{text}");
    assert!(text.contains("(heure de Paris)"), "{text}");
}

/// Every download link of a fiche, the France page and a comparison says
/// its format and, for CSV and JSON, the size of the very file it serves
/// ("CSV – 4,2 ko"); a list's links say its number of rows.
#[tokio::test]
async fn download_links_say_format_and_size_of_the_file_served() {
    let app = app();
    for page in [
        "/commune/montpellier-34172",
        "/epci/montpellier-mediterranee-metropole-243400017",
        "/france",
        "/comparer?ids=commune:34172,commune:31555",
    ] {
        let (status, html) = get_on(&app, page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let doc = Html::parse_document(&html);
        let links: Vec<(String, String)> = doc
            .select(&sel("main a[download]"))
            .map(|a| (a.value().attr("href").unwrap_or("").to_owned(), text(a)))
            .collect();
        assert!(links.len() >= 3, "{page}: download links {links:?}");
        for (href, label) in links {
            let file = crate::common::request(&app, crate::common::get_request(&href, &[])).await;
            assert_eq!(file.status, StatusCode::OK, "{page}: {href}");
            let own = href.starts_with(&format!("{}.", page.split('?').next().unwrap_or(page)))
                || href.starts_with("/comparer.");
            if !own {
                // A list (an EPCI's communes): made on demand, its size
                // told by its rows.
                if href.ends_with(".csv") {
                    let rows = file.text().trim_end().lines().count() - 1;
                    let p = doc
                        .select(&sel("main p"))
                        .find(|p| p.select(&sel("a[download]")).any(|a| a.value().attr("href") == Some(href.as_str())))
                        .map(text)
                        .unwrap_or_default();
                    assert!(
                        p.contains(&format!("({rows} lignes)")),
                        "{page}: {href} has {rows} rows; the page says {p:?}"
                    );
                }
                continue;
            }
            let format = if href.contains(".xlsx") {
                "XLSX"
            } else if href.contains(".json") {
                "JSON"
            } else {
                "CSV"
            };
            let size = oc_model::file::size_text(file.body.len() as u64);
            if format == "XLSX" {
                // Its size would cost a compression per page view.
                assert!(label.contains("XLSX"), "{page}: the link to {href} says {label:?}");
                continue;
            }
            assert!(
                label.contains(&format!("{format} – {size}")) || label.contains(&format!("{format} standard – {size}")),
                "{page}: the link to {href} says {label:?}; the file is {format}, {size}"
            );
        }
    }
}
