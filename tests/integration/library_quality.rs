//! The Bibliothèque finds what a researcher means and files each document
//! where it belongs (issue 19): accents and case, acronyms and their
//! expansions, years, the hierarchy of types de territoire, documents
//! about territories kept out of « Utiles à… », fiches that inherit the
//! documents of their EPCI, département and région, labels with levels.

use std::collections::BTreeSet;

use oc_index::publication_search::{Facet, PubQuery};
use scraper::{Html, Selector};

use crate::common::{app, get, get_json};

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The ids of every document a query finds.
fn ids(q: &str) -> BTreeSet<i64> {
    let lib = app().library.clone().unwrap();
    let (searcher, addrs) = lib.index.search_all(&PubQuery { q: q.to_owned(), ..PubQuery::default() }).unwrap();
    addrs.into_iter().filter_map(|a| lib.index.stored(&searcher, a)).map(|d| d.id).collect()
}

async fn total(query: &str) -> u64 {
    let (s, v) = get_json(&format!("/api/v1/publications?{query}")).await;
    assert_eq!(s, 200, "{query}: {v}");
    v["total"].as_u64().unwrap()
}

#[tokio::test]
async fn accents_and_case_never_matter_in_words_nor_in_facet_values() {
    for (plain, accented) in [
        ("fiscalite", "fiscalité"),
        ("intercommunalite", "intercommunalité"),
        ("FISCALITE", "Fiscalité"),
        ("depenses", "dépenses"),
        ("elus", "élus"),
        ("coeur de ville", "Cœur de ville"),
    ] {
        assert!(!ids(accented).is_empty(), "{accented} finds something");
        assert_eq!(ids(plain), ids(accented), "{plain} / {accented}");
    }
    // Facet values typed by hand.
    let exact = total(&format!("theme={}", enc("Finances & Fiscalité"))).await;
    assert!(exact > 0);
    assert_eq!(total(&format!("theme={}", enc("finances & fiscalite"))).await, exact);
    assert_eq!(
        total(&format!("scope={}", enc("communes & epci (toutes)"))).await,
        total(&format!("scope={}", enc("Communes & EPCI (toutes)"))).await
    );
    assert_eq!(total("territory=reg-76").await, total("territory=REG-76").await);
}

#[tokio::test]
async fn an_acronym_finds_its_expansion_and_the_reverse() {
    for (acronym, expansion) in [
        ("DGF", "dotation globale de fonctionnement"),
        ("DSR", "dotation de solidarité rurale"),
        ("QPV", "quartiers prioritaires"),
        ("ZRR", "zones de revitalisation rurale"),
        ("APA", "allocation personnalisée d'autonomie"),
        ("DGFiP", "direction générale des finances publiques"),
    ] {
        let (a, e) = (ids(acronym), ids(expansion));
        assert!(!a.is_empty(), "{acronym} finds something");
        assert_eq!(a, e, "{acronym} and « {expansion} » find the same documents");
    }
    // An acronym of two meanings finds both; each meaning only itself and
    // the acronym: « compte administratif » finds no « communauté
    // d'agglomération ».
    let (ca, compte, communaute) = (ids("CA"), ids("compte administratif"), ids("communauté d'agglomération"));
    assert!(compte.is_subset(&ca) && communaute.is_subset(&ca));
    assert!(!communaute.is_empty() && !communaute.is_subset(&compte), "{compte:?} / {communaute:?}");
    // The librarians' list is the search's: an acronym added in the store
    // finds its expansion once the view reloads.
    let app = app();
    let lib = app.library.clone().unwrap();
    assert!(ids("ZZRVT").is_empty(), "an acronym no document uses");
    {
        let mut store = lib.lock();
        store.set_synonym("ZZRVT", &["revitalisation rurale".into()], "test").unwrap();
        lib.reload_taxonomy(&store);
    }
    let after = ids("ZZRVT");
    assert!(!after.is_empty());
    assert_eq!(after, ids("revitalisation rurale"));
}

#[tokio::test]
async fn a_year_prefers_the_documents_of_that_year() {
    let (_, v) = get_json(&format!("/api/v1/publications?q={}", enc("dotation 2022"))).await;
    let first = &v["results"][0];
    assert!(first["published"].as_str().unwrap_or("").starts_with("2022"), "{first}");
    // A year is not required: the word alone still counts.
    assert!(total(&format!("q={}", enc("guide dotation globale de fonctionnement 2031"))).await > 0);
}

#[tokio::test]
async fn types_de_territoire_are_a_hierarchy() {
    let lib = app().library.clone().unwrap();
    let docs = lib.store.lock().unwrap().published().unwrap();
    let found = |scope: &str| -> BTreeSet<i64> {
        let mut q = PubQuery { per_page: 500, ..PubQuery::default() };
        q.filters.insert(Facet::Scope, vec![scope.to_owned()]);
        let (searcher, addrs) = lib.index.search_all(&q).unwrap();
        addrs.into_iter().filter_map(|a| lib.index.stored(&searcher, a)).map(|d| d.id).collect()
    };
    let filed = |scope: &str| -> BTreeSet<i64> {
        docs.iter().filter(|d| d.scope.iter().any(|s| s == scope)).map(|d| d.id).collect()
    };
    let all = filed("Collectivités locales (toutes)");
    assert!(!all.is_empty());
    for level in ["Communes & EPCI (toutes)", "Départements (tous)", "Régions (toutes)", "Communes de montagne"] {
        assert!(found(level).is_superset(&all), "{level} includes what serves every collectivité");
    }
    let communes = filed("Communes & EPCI (toutes)");
    for level in ["Communes de littoral", "Communes de montagne"] {
        assert!(found(level).is_superset(&communes), "{level} includes what serves every commune");
    }
    // A document about one commune is filed under the communes, not under
    // the communes de montagne.
    let bobigny = docs.iter().find(|d| d.title.starts_with("Budget de la Ville de Bobigny")).unwrap().id;
    assert!(found("Communes & EPCI (toutes)").contains(&bobigny));
    assert!(!found("Communes de montagne").contains(&bobigny) && !found("Communes de littoral").contains(&bobigny));
    // « finances locales » for communes: the documents for every
    // collectivité are counted in.
    let broad = total(&format!("q={}&scope={}", enc("finances locales"), enc("Collectivités locales (toutes)"))).await;
    let communes = total(&format!("q={}&scope={}", enc("finances locales"), enc("Communes & EPCI (toutes)"))).await;
    assert!(communes >= broad && broad > 2, "{communes} ≥ {broad}");
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(e: &scraper::ElementRef) -> String {
    e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn documents_about_territories_are_not_useful_to_all_and_fiches_inherit() {
    let (s, _, body) = get("/commune/toulouse-31555").await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let useful: Vec<String> =
        select(&doc, "section[aria-labelledby=oc-useful] .oc-pub__title").iter().map(text).collect();
    assert!(!useful.is_empty());
    for t in ["Ville de Paris", "Élections métropolitaines de Lyon", "Bobigny", "Vichy"] {
        assert!(useful.iter().all(|u| !u.contains(t)), "{t} is about one territory: {useful:?}");
    }
    // Montpellier: nothing about the commune itself in the seed, but its
    // région's platform, in a labelled group leading to the library.
    let (_, _, body) = get("/commune/montpellier-34172").await;
    let doc = Html::parse_document(&body);
    let groups: Vec<String> = select(&doc, "section[aria-labelledby=oc-about] h3").iter().map(text).collect();
    assert!(groups.iter().any(|g| g == "Sa région : Occitanie"), "{groups:?}");
    let links: Vec<&str> = select(&doc, "section[aria-labelledby=oc-about] a.fr-link--icon-right")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(links.contains(&"/publications?territory=REG-76&sort=date"), "{links:?}");
    // A platform covers its own collectivité (and an EPCI's members),
    // never a neighbour: Toulouse Métropole's is not Cazères's.
    let (_, _, cazeres) = get("/commune/cazeres-31135").await;
    assert!(!cazeres.contains("Open data de Toulouse Métropole"), "Cazères is not in Toulouse Métropole");
    assert!(cazeres.contains("Open data du département de la Haute-Garonne"));
    let (_, _, toulouse) = get("/commune/toulouse-31555").await;
    assert!(toulouse.contains("Open data de Toulouse Métropole"), "a member of Toulouse Métropole");
    // The Lyon elections belong to the Métropole, not the Rhône.
    let (_, _, rhone) = get("/departement/rhone-69").await;
    let doc = Html::parse_document(&rhone);
    let about: Vec<String> =
        select(&doc, "section[aria-labelledby=oc-about] li .oc-pub__title").iter().map(text).collect();
    assert!(about.iter().all(|t| !t.contains("Élections métropolitaines")), "{about:?}");
}

#[tokio::test]
async fn a_territory_is_shown_once_with_its_level() {
    let (_, v) = get_json(&format!("/api/v1/publications?q={}", enc("Ville de Paris compte administratif 2025"))).await;
    let id = v["results"][0]["id"].as_i64().unwrap();
    let (s, _, body) = get(&format!("/publications/{id}")).await;
    assert_eq!(s, 200);
    assert!(body.contains("Paris (commune, 75)"), "the level is said");
    let (_, _, page) = get(&format!("/publications?q={}", enc("Ville de Paris"))).await;
    let doc = Html::parse_document(&page);
    for item in select(&doc, "li.oc-pub") {
        let tags: Vec<String> = item.select(&Selector::parse(".oc-tag-territory").unwrap()).map(|t| text(&t)).collect();
        let unique: BTreeSet<&String> = tags.iter().collect();
        assert_eq!(unique.len(), tags.len(), "each territory once: {tags:?}");
    }
}

#[tokio::test]
async fn relevance_prefers_what_serves_all_the_year_asked_and_the_publisher_named() {
    let top = |q: &'static str| async move {
        let (_, v) = get_json(&format!("/api/v1/publications?q={}", enc(q))).await;
        v["results"].as_array().unwrap().iter().take(3).cloned().collect::<Vec<serde_json::Value>>()
    };
    // A Gironde school dataset no longer comes first for « dotation ».
    let d = top("dotation").await;
    assert!(d[0]["territories"].as_array().is_some_and(|t| t.is_empty()), "{}", d[0]["title"]);
    // « DGF 2024 »: the DGCL's 2022 guide before a 2016 newspaper file.
    let d = top("DGF 2024").await;
    assert_eq!(d[0]["publisher"], "DGCL", "{}", d[0]["title"]);
    // « Insee »: the Insee's own documents first.
    let d = top("Insee").await;
    assert!(d.iter().all(|x| x["publisher"] == "Insee"), "{:?}", d.iter().map(|x| &x["title"]).collect::<Vec<_>>());
}

#[tokio::test]
async fn search_pages_offer_their_feed_pages_and_a_way_back_from_past_the_end() {
    let (s, _, body) = get("/publications?q=finances").await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let feeds: Vec<&str> = select(&doc, "link[rel=alternate][type='application/atom+xml']")
        .iter()
        .filter_map(|l| l.value().attr("href"))
        .collect();
    assert_eq!(feeds, ["/publications.atom?q=finances"]);
    let next: Vec<String> = select(&doc, ".fr-pagination__link--next").iter().map(text).collect();
    assert_eq!(next, ["Suivante"]);
    assert!(select(&doc, ".fr-pagination__link--prev").is_empty(), "no previous page on the first");
    let (_, _, p2) = get("/publications?q=finances&page=2").await;
    let doc2 = Html::parse_document(&p2);
    assert_eq!(select(&doc2, ".fr-pagination__link--prev").len(), 1);
    // Past the end: said, with the last page one click away.
    let (s, _, far) = get("/publications?q=finances&page=400").await;
    assert_eq!(s, 200);
    let far = Html::parse_document(&far);
    let back: Vec<&str> = select(&far, ".fr-callout a").iter().filter_map(|a| a.value().attr("href")).collect();
    let total = total("q=finances").await as usize;
    let last = total.div_ceil(20);
    assert!(back.iter().any(|h| *h == format!("/publications?q=finances&page={last}")), "{back:?}");
}

#[tokio::test]
async fn exports_speak_french_name_territories_and_say_what_was_searched() {
    let (s, _, csv) = get("/publications.csv?q=Paris&dialect=standard").await;
    assert_eq!(s, 200);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap_or_else(|| panic!("{n} in {h:?}"));
    let (p, names, codes) = (col("précision"), col("territoires (noms)"), col("territoires"));
    let mut seen_paris = false;
    for rec in r.records() {
        let rec = rec.unwrap();
        assert!(matches!(&rec[p], "" | "jour" | "mois" | "année"), "{}", &rec[p]);
        if rec[codes].contains("COM-75056") {
            assert!(rec[names].contains("Paris (commune"), "{}", &rec[names]);
            seen_paris = true;
        }
    }
    assert!(seen_paris);
    let app = crate::common::app();
    let res = crate::common::request(
        &app,
        crate::common::get_request("/publications.xlsx?q=dotation&theme=Aide+%26+Dotations", &[]),
    )
    .await;
    let disposition = res.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(
        disposition.contains("bibliotheque-dotation-theme-aide-dotations.xlsx"),
        "the file name says what the search was: {disposition}"
    );
}

#[tokio::test]
async fn notices_say_their_format_list_similar_documents_and_are_in_a_sitemap() {
    let (_, v) =
        get_json(&format!("/api/v1/publications?q={}", enc("collectivités locales en chiffres 2025 PDF"))).await;
    let pdf = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"].as_str().unwrap_or("").ends_with(".pdf"))
        .expect("a PDF in the seed")
        .clone();
    let id = pdf["id"].as_i64().unwrap();
    let (s, _, body) = get(&format!("/publications/{id}")).await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let button: Vec<String> = select(&doc, "a.fr-btn").iter().map(text).collect();
    assert!(button.iter().any(|b| b == "Télécharger le document (PDF)"), "{button:?}");
    let similar: Vec<String> =
        select(&doc, "section[aria-labelledby=oc-similar] .oc-pub__title").iter().map(text).collect();
    assert_eq!(similar.len(), 5, "{similar:?}");
    assert!(similar.iter().all(|t| t != pdf["title"].as_str().unwrap()), "not itself");
    assert!(similar.iter().any(|t| t.starts_with("Les collectivités locales en chiffres")), "{similar:?}");
    // A web page is no file.
    let (_, v) = get_json("/api/v1/publications?q=BANATIC").await;
    let page = v["results"][0]["id"].as_i64().unwrap();
    let (_, _, body) = get(&format!("/publications/{page}")).await;
    assert!(body.contains("Consulter le document sur le site de l'éditeur"));
    let (s, ctype, map) = get("/sitemap-publications.xml").await;
    assert_eq!(s, 200);
    assert!(ctype.starts_with("application/xml"));
    assert!(map.contains(&format!("/publications/{id}</loc>")));
    assert_eq!(map.matches("<loc>").count() as u64, total("").await);
    let (_, _, robots) = get("/robots.txt").await;
    assert!(robots.contains("/sitemap-publications.xml"));
}

/// The parts of one edition found on a page (« Les collectivités locales
/// en chiffres 2026 – Chapitre 4 : … ») are grouped under the first of
/// them, each part listed once, with a search for the whole edition.
#[tokio::test]
async fn chapters_of_one_edition_are_grouped_under_one_result() {
    let q = "collectivités locales en chiffres 2026";
    let (s, _, body) = get(&format!("/publications?q={}", enc(q))).await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let (_, v) = get_json(&format!("/api/v1/publications?q={}", enc(q))).await;
    let titles: Vec<String> =
        v["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect();
    let edition = "Les collectivités locales en chiffres 2026";
    let parts = titles.iter().filter(|t| t.starts_with(&format!("{edition} – ")) || *t == edition).count();
    assert!(parts >= 4, "the seed holds the edition and its chapters: {titles:?}");
    let groups = select(&doc, "ol.oc-results > li.oc-pub:has(details.oc-edition)");
    let group = groups
        .iter()
        .find(|g| text(&select_in(g, "summary")[0]).contains(&format!("« {edition} »")))
        .unwrap_or_else(|| panic!("no group for the edition: {}", groups.len()));
    let listed = select_in(group, "details.oc-edition li").len();
    assert_eq!(listed + 1, parts, "every part of the edition on the page, once");
    assert!(text(&select_in(group, "summary")[0]).ends_with(&format!("{} autres documents", listed)));
    let top: usize = select(&doc, "ol.oc-results > li.oc-pub").len();
    assert_eq!(top + listed, titles.len(), "the others are not shown twice");
    let all = select_in(group, "details.oc-edition p a")[0].value().attr("href").unwrap().to_owned();
    assert!(all.starts_with("/publications?q=%22Les+collectivit"), "{all}");
    let (s, _, whole) = get(&all).await;
    assert_eq!(s, 200);
    let whole = Html::parse_document(&whole);
    let heads = select(&whole, ".oc-pub__title").iter().map(text).filter(|t| t.starts_with(edition)).count();
    assert!(heads + select(&whole, "details.oc-edition li").len() >= parts, "the whole edition");
    // A document alone of its edition on the page is a plain result.
    let (_, _, body) = get("/publications?q=BANATIC").await;
    assert!(!body.contains("oc-edition"));
}

fn select_in<'a>(e: &scraper::ElementRef<'a>, css: &str) -> Vec<scraper::ElementRef<'a>> {
    e.select(&Selector::parse(css).unwrap()).collect()
}

/// The notices' sitemap pages past 50,000 addresses; its page parameter is
/// checked.
#[tokio::test]
async fn the_notices_sitemap_has_pages_and_checks_them() {
    let (s, _, one) = get("/sitemap-publications.xml?page=1").await;
    assert_eq!(s, 200);
    let (_, _, all) = get("/sitemap-publications.xml").await;
    assert_eq!(one, all, "one page: the whole sitemap");
    let (s, _, body) = get("/sitemap-publications.xml?page=deux").await;
    assert_eq!(s, 400);
    assert!(body.contains("un numéro de page est un entier"), "{body}");
    let (s, _, body) = get("/sitemap-publications.xml?page=9").await;
    assert_eq!(s, 404);
    assert!(body.contains("il en compte 1"), "{body}");
}
