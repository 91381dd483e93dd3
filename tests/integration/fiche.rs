//! Fiches (issue 3): canonical URLs and redirects, content, special
//! statuses, JSON twins, sitemap, caching, and a crawl of internal links.

use std::collections::{BTreeSet, HashMap};

use axum::http::StatusCode;

use crate::common::{app, get, get_json};

/// GET returning status, headers and body.
async fn fetch(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let a = crate::common::request(&app(), crate::common::get_request(uri, headers)).await;
    (a.status, a.headers, a.body)
}

async fn location(uri: &str) -> String {
    let (status, h, _) = fetch(uri, &[]).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY, "{uri}");
    h["location"].to_str().unwrap().to_owned()
}

async fn page(uri: &str) -> String {
    let (status, _, body) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

#[tokio::test]
async fn canonical_urls_and_redirects() {
    page("/commune/montpellier-34172").await;
    assert_eq!(location("/commune/34172").await, "/commune/montpellier-34172");
    assert_eq!(location("/commune/montpelier-34172").await, "/commune/montpellier-34172", "outdated slug");
    assert_eq!(location("/commune/ajaccio-2a004").await, "/commune/ajaccio-2A004");
    assert_eq!(location("/epci/243400017").await, "/epci/montpellier-mediterranee-metropole-243400017");
    assert_eq!(location("/departement/2a").await, "/departement/corse-du-sud-2A");
    assert_eq!(location("/region/76").await, "/region/occitanie-76");
    // A commune associée redirects to its current commune, which says so.
    let to = location("/commune/cordieux-01120").await;
    assert!(to.contains("?deleguee=01120"), "{to}");
    let body = page(&to).await;
    assert!(body.contains("Cordieux (01120) est une commune associée de"), "notice shown");
    // A déléguée sharing its commune's code, asked by its own name.
    let to = location("/commune/arbignieu-01015").await;
    assert_eq!(to, "/commune/arboys-en-bugey-01015?deleguee=01015");
    assert!(page(&to).await.contains("Arbignieu (01015) est une commune déléguée d'Arboys en Bugey"));
}

#[tokio::test]
async fn former_codes_redirect_and_only_real_ones_are_announced() {
    // 01340 is a former code now part of Arboys en Bugey.
    let to = location("/commune/01340").await;
    assert!(to.starts_with("/commune/arboys-en-bugey-01015?"), "{to}");
    assert!(page(&to).await.contains("Arboys en Bugey"));
    let spoof = page("/commune/montpellier-34172?ancien=Appelez+le+0800").await;
    assert!(!spoof.contains("0800"), "arbitrary text is never shown as a notice");
}

#[tokio::test]
async fn unknown_codes_get_a_helpful_404() {
    for uri in [
        "/commune/nulle-part-99999",
        "/epci/000000000",
        "/departement/00",
        "/region/xx-99",
        "/commune/-",
        "/commune/%00",
    ] {
        let (status, _, body) = get(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains(r#"action="/recherche""#), "{uri}: search box on the 404 page");
    }
}

#[tokio::test]
async fn commune_fiche_content() {
    let b = page("/commune/montpellier-34172").await;
    for needle in [
        "<title>Commune de Montpellier — chiffres clés — Open Collectivités</title>",
        r#"<meta name="description""#,
        "34172",
        "213401722",
        "34000, 34070, 34080, 34090",
        "préfecture de l'Hérault (34)",
        r#"href="/epci/montpellier-mediterranee-metropole-243400017""#,
        r#"href="/departement/herault-34""#,
        r#"href="/region/occitanie-76""#,
        "Maire, depuis le",
        "04 67 34 70 00",
        "Horaires",
        "Population municipale (population légale)",
        "2023 (en vigueur au 1er janvier 2026)",
        "Superficie",
        "Densité de population",
        r#"class="fr-breadcrumb""#,
        r#"href="/comparer?ids=commune:34172""#,
        r#"href="/commune/montpellier-34172.csv""#,
        r#"href="/commune/montpellier-34172.json""#,
        r#"<svg class="oc-map""#,
        r#"role="img""#,
        "<desc id=\"oc-map-desc\">Montpellier (en bleu) parmi les communes de l'Hérault",
    ] {
        assert!(b.contains(needle), "missing {needle:?}");
    }
    assert!(page("/commune/toulouse-31555").await.contains("chef-lieu de la région Occitanie"));
    assert!(page("/commune/beziers-34032").await.contains("sous-préfecture"));
    // Officials: civilité, name, function, start date only.
    assert!(!b.contains("date_naissance") && !b.contains("profession"));
    assert!(b.len() < 150_000, "a commune fiche weighs {} bytes", b.len());
}

#[tokio::test]
async fn every_table_has_its_source_and_vintage() {
    for uri in [
        "/commune/montpellier-34172",
        "/epci/montpellier-mediterranee-metropole-243400017",
        "/departement/herault-34",
        "/region/occitanie-76",
    ] {
        let b = page(uri).await;
        let mut depth = 0i64;
        for (i, chunk) in b.split("</table>").enumerate() {
            // Tables nested in a table (a finance row's values) are credited by the outer one.
            let closing_nested = depth > 1;
            depth += chunk.matches("<table").count() as i64;
            if i == 0 {
                continue;
            }
            depth -= 1;
            if closing_nested {
                continue;
            }
            let end = chunk.char_indices().nth(1_500).map_or(chunk.len(), |(i, _)| i);
            let next = &chunk[..end];
            let source = next.find("Source : ").unwrap_or_else(|| panic!("{uri}: no source after table {i}"));
            assert!(next[source..].contains("millésime"), "{uri}: no vintage after table {i}");
            assert!(!next[..source].contains("<table"), "{uri}: table {i}'s source belongs to another table");
        }
        assert!(b.contains("Source : <a href="), "{uri}: linked producer");
    }
}

#[tokio::test]
async fn epci_fiche_content_and_sortable_members() {
    let b = page("/epci/montpellier-mediterranee-metropole-243400017").await;
    for needle in [
        "Métropole",
        "Fiscalité professionnelle unique (FPU)",
        "Communes membres",
        r#"href="/commune/montpellier-34172""#,
        "Président",
        "?tri=nom",
    ] {
        assert!(b.contains(needle), "missing {needle:?}");
    }
    let by_pop = page("/epci/montpellier-mediterranee-metropole-243400017").await;
    let by_name = page("/epci/montpellier-mediterranee-metropole-243400017?tri=nom").await;
    let first_member = |b: &str| {
        b.split("Communes membres —")
            .nth(1)
            .and_then(|t| t.split("<td><a href=\"").nth(1))
            .map(|s| s[..s.find('"').unwrap()].to_owned())
    };
    assert_eq!(first_member(&by_pop).as_deref(), Some("/commune/montpellier-34172"), "most populous first");
    assert_eq!(first_member(&by_name).as_deref(), Some("/commune/baillargues-34022"), "alphabetical");
}

#[tokio::test]
async fn departement_and_region_fiches() {
    let b = page("/departement/herault-34").await;
    assert!(b.contains("Président") || b.contains("Présidente"), "président du conseil départemental");
    assert!(b.contains("Intercommunalités") && b.contains("Communes"));
    assert!(b.contains("?page=2#communes"), "paginated list of communes");
    let p2 = page("/departement/herault-34?page=2").await;
    assert_ne!(b, p2);
    let huge = page("/departement/herault-34?page=99999999999999999999").await;
    assert!(huge.contains("Communes"));
    let sorted = page("/epci/ca-du-pays-basque-200067106?tri=nom").await;
    assert!(sorted.contains("?page=2&amp;tri=nom"), "pagination keeps the sort");
    let r = page("/region/occitanie-76").await;
    assert!(r.contains(r#"href="/departement/herault-34""#) && r.contains("Présidente du conseil régional"));
}

#[tokio::test]
async fn special_statuses_are_explained() {
    let cases = [
        ("/commune/paris-75056", "commune et un département"),
        ("/departement/paris-75", "commune et un département"),
        ("/epci/metropole-de-lyon-200046977", "et non un EPCI"),
        ("/departement/rhone-69", "Métropole de Lyon"),
        ("/region/corse-94", "Collectivité de Corse"),
        ("/departement/corse-du-sud-2A", "Collectivité de Corse"),
        ("/departement/haute-corse-2B", "Collectivité de Corse"),
        ("/region/martinique-02", "collectivité territoriale unique"),
        ("/departement/guyane-973", "collectivité territoriale unique"),
        ("/departement/mayotte-976", "Département de Mayotte"),
        ("/departement/bas-rhin-67", "Collectivité européenne d'Alsace"),
        ("/region/saint-pierre-et-miquelon-975", "Collectivité d'outre-mer"),
        ("/commune/paris-1er-arrondissement-75101", "arrondissement municipal n'est pas une commune"),
        ("/epci/plaine-commune-200057867", "Métropole du Grand Paris"),
    ];
    for (uri, needle) in cases {
        let b = page(uri).await;
        assert!(b.contains(needle), "{uri}: missing {needle:?}");
    }
}

#[tokio::test]
async fn json_twins_carry_the_same_data_with_sources() {
    let (status, v) = get_json("/api/v1/communes/34172").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["name"], "Montpellier");
    assert_eq!(v["url"], "/commune/montpellier-34172");
    let pop = v["figures"].as_array().unwrap().iter().find(|f| f["id"] == "population").unwrap();
    assert_eq!(pop["source"], "cog");
    assert!(pop["millesime"].as_str().unwrap().starts_with("2023"));
    assert!(v["sources"].as_array().unwrap().iter().any(|s| s["id"] == "cog"));
    let page_body = page("/commune/montpellier-34172").await;
    let shown = oc_web::fiche::data::commune(&app().geo(), app().geo().commune("34172").unwrap());
    let p = shown.figures[0].value.unwrap();
    assert_eq!(pop["value"].as_f64().unwrap(), p);
    assert!(page_body.contains(&oc_web::format::fmt_int(p as u64)), "page and JSON agree");
    for (uri, name) in [
        ("/api/v1/epci/243400017", "Montpellier Méditerranée Métropole"),
        ("/api/v1/departements/2a", "Corse-du-Sud"),
        ("/api/v1/regions/94", "Corse"),
    ] {
        let (status, v) = get_json(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(v["name"], name, "{uri}");
    }
    let (status, v) = get_json("/api/v1/communes/99999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["status"], 404);
}

#[tokio::test]
async fn sitemap_and_robots() {
    let (status, ctype, body) = get("/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("application/xml"));
    let urls = body.matches("<loc>").count();
    // COM have one fiche each: no "département" of a COM, no "commune"
    // Saint-Martin, Saint-Barthélemy or Clipperton.
    assert_eq!(urls, 1 + 1 + 26 + 101 + 1266 + 34_969 - 3 + 45, "home, France and every fiche");
    assert!(body.contains("<loc>http://127.0.0.1:8080/france</loc>"));
    assert!(body.contains("<loc>http://127.0.0.1:8080/commune/montpellier-34172</loc>"), "absolute URLs");
    let (_, _, again) = get("/sitemap.xml?base=%3Cx%3E").await;
    assert!(!again.contains("<x>"), "no parameter reaches the sitemap");
    let (status, _, robots) = get("/robots.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert!(robots.contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"));
}

#[tokio::test]
async fn responses_are_compressed_and_cacheable() {
    let (status, h, body) = fetch("/commune/montpellier-34172", &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-encoding"], "gzip");
    assert_eq!(&body[..2], &[0x1f, 0x8b]);
    let etag = h["etag"].to_str().unwrap().to_owned();
    let (status, _, body) = fetch("/commune/montpellier-34172", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    let (status, h, _) = fetch("/assets/dsfr/dsfr.min.css", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-encoding"], "gzip");
}

/// Every département, région and EPCI fiche, and a sample of communes
/// including the special cases, answer 200; every internal link they hold
/// leads to a page that answers 200 (after at most one redirect).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_fiches_render_and_no_internal_link_is_broken() {
    let app = app();
    let d = &app.geo().data;
    let mut pages: Vec<String> = Vec::new();
    pages.extend(d.regions.iter().map(|r| oc_web::fiche::url(oc_model::KindGroup::Region, &r.name, &r.code)));
    pages.extend(
        d.departements
            .iter()
            .filter(|x| x.zone != "com")
            .map(|x| oc_web::fiche::url(oc_model::KindGroup::Departement, &x.name, &x.code)),
    );
    pages.extend(d.epci.iter().map(|x| oc_web::fiche::url(oc_model::KindGroup::Epci, &x.name, &x.code)));
    let currents: Vec<&oc_model::Commune> = d.communes.iter().filter(|c| c.kind == oc_model::Kind::Commune).collect();
    pages.extend(currents.iter().step_by(97).map(|c| oc_web::fiche::url_commune(c)));
    for code in [
        "75056", "75101", "69123", "69381", "13055", "13201", "2A004", "2B033", "97209", "97302", "97611", "97502",
        "67482", "68224", "01015",
    ] {
        pages.push(oc_web::fiche::url_commune(app.geo().commune(code).unwrap_or_else(|| panic!("{code}"))));
    }
    let mut links: BTreeSet<String> = BTreeSet::new();
    for p in &pages {
        let (status, _, body) = get(p).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        for href in body.split("href=\"").skip(1).filter_map(|s| s.split('"').next()) {
            let href = href.replace("&amp;", "&");
            if href.starts_with('/') && !href.starts_with("//") {
                links.insert(href.split('#').next().unwrap_or("").to_owned());
            }
        }
    }
    let mut broken: HashMap<String, StatusCode> = HashMap::new();
    for l in &links {
        let (mut status, h, _) = fetch(l, &[]).await;
        if status == StatusCode::MOVED_PERMANENTLY {
            let to = h["location"].to_str().unwrap().to_owned();
            status = fetch(&to, &[]).await.0;
        }
        if status != StatusCode::OK {
            broken.insert(l.clone(), status);
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken links among {}: {:?}",
        broken.len(),
        links.len(),
        broken.iter().take(10).collect::<Vec<_>>()
    );
    assert!(links.len() > 3_000, "crawled {} links", links.len());
}
