//! Territory search that reads intent (issue 21), on the real COG 2026
//! data: official long names and designators, importance in ranking,
//! acronyms, a large city's intercommunality, suggestions that tell
//! homonyms apart, result pages past 50; and a table of real queries with
//! the place meant and the rank it must reach.

use axum::http::StatusCode;
use oc_model::KindGroup;
use scraper::{Html, Selector};

use crate::common::{app, get, get_json};

/// The territory keys (`COM-…`, `EPCI-…`, `DEP-…`, `REG-…`) of a search's
/// hits, best first.
fn keys(q: &str, limit: usize) -> Vec<String> {
    let index = app().territories();
    let out = index.search(q, None, limit).unwrap_or_else(|e| panic!("{q}: {e}"));
    out.hits
        .iter()
        .map(|h| {
            let e = index.entry(h.entry);
            oc_model::TerritoryKey::new(e.kind.group(), e.code.clone()).to_string()
        })
        .collect()
}

/// The rank (from 1) of `key` among the first `limit` hits of `q`.
fn rank(q: &str, key: &str, limit: usize) -> Option<usize> {
    keys(q, limit).iter().position(|k| k == key).map(|p| p + 1)
}

fn first(q: &str) -> String {
    keys(q, 10).into_iter().next().unwrap_or_else(|| panic!("{q}: no result"))
}

/// The autocomplete asks for 8 suggestions.
const SUGGESTIONS: usize = 8;

#[test]
fn official_long_names_and_designators() {
    // The H1 of its own fiche, and the names people write.
    assert_eq!(first("Communauté de communes Cœur de Garonne"), "EPCI-200068815");
    assert_eq!(first("communauté de communes du Diois"), "EPCI-242600534");
    assert_eq!(first("Communauté d'agglomération du Grand Annecy"), "EPCI-200066793");
    assert_eq!(first("agglo cotentin"), "EPCI-200067205");
    assert_eq!(first("interco diois"), "EPCI-242600534");
    assert_eq!(first("communauté urbaine de Dunkerque"), "EPCI-245900428");
    assert_eq!(first("Établissement public territorial Plaine Commune"), "EPCI-200057867");
    assert_eq!(first("metropole lyon"), "EPCI-200046977");
    assert_eq!(first("Métropole de Bordeaux"), "EPCI-243300316");
    assert_eq!(first("lorient agglo"), "EPCI-200042174");
    // The short forms keep working.
    assert_eq!(first("CC du Diois"), "EPCI-242600534");
    assert_eq!(first("CA du Puy-en-Velay"), "EPCI-200073419");
    // Départements, régions, communes by their designators.
    assert_eq!(first("Département de la Loire"), "DEP-42");
    assert_eq!(first("departement du rhone"), "DEP-69");
    assert_eq!(first("département 34"), "DEP-34");
    assert_eq!(first("Région Bretagne"), "REG-53");
    assert_eq!(first("Ville de Lyon"), "COM-69123");
    assert_eq!(first("Mairie de Bordeaux"), "COM-33063");
    assert_eq!(first("Commune de Valence"), "COM-26362");
    // Leading articles are optional, both ways.
    assert_eq!(first("puy en velay"), "COM-43157");
    assert_eq!(first("havre"), "COM-76351");
    assert_eq!(first("rochelle"), "COM-17300");
    assert_eq!(first("Le Havre"), "COM-76351");
    // A designator alone is still a word searched for.
    assert!(!keys("agglo", 10).is_empty());
}

#[test]
fn a_much_larger_place_outranks_a_tiny_exact_homonym() {
    // Évry (Yonne, 402 inhabitants) after Évry-Courcouronnes (67,000).
    assert_eq!(first("evry"), "COM-91228");
    assert!(rank("evry", "COM-89162", 10).is_some(), "the exact homonym is still listed");
    // Aix (Corrèze, 352) after Aix-en-Provence.
    assert_eq!(first("aix"), "COM-13001");
    // A commune déléguée without population after Boulogne-Billancourt.
    assert_eq!(first("boulogne"), "COM-92012");
    let boulogne = keys("boulogne", 50);
    let deleguee = app().territories().search("boulogne", Some(KindGroup::Commune), 50).unwrap();
    let index = app().territories();
    let last_current = deleguee.hits.iter().rposition(|h| index.entry(h.entry).kind == oc_model::Kind::Commune);
    let first_former = deleguee.hits.iter().position(|h| {
        matches!(index.entry(h.entry).kind, oc_model::Kind::CommuneDeleguee | oc_model::Kind::CommuneAssociee)
    });
    if let (Some(c), Some(f)) = (last_current, first_former) {
        assert!(f > c, "former communes after current ones: {boulogne:?}");
    }
    // Comparable places: exact matches first.
    let sd = keys("saint denis", 10);
    assert!(sd[..2].contains(&"COM-93066".to_owned()) && sd[..2].contains(&"COM-97411".to_owned()), "{sd:?}");
    assert_eq!(first("valence"), "COM-26362");
    assert_eq!(first("paris"), "COM-75056");
}

#[tokio::test]
async fn a_large_city_brings_its_intercommunality() {
    // Lyon: the Métropole de Lyon among the suggestions, right after it.
    assert_eq!(first("lyon"), "COM-69123");
    assert!(rank("lyon", "EPCI-200046977", SUGGESTIONS).is_some_and(|r| r <= 3), "{:?}", keys("lyon", 8));
    // Marseille: Aix-Marseille-Provence.
    assert_eq!(first("marseille"), "COM-13055");
    assert!(rank("marseille", "EPCI-200054807", SUGGESTIONS).is_some_and(|r| r <= 3), "{:?}", keys("marseille", 8));
    // Lille: the Métropole européenne; Bordeaux: Bordeaux Métropole.
    assert!(rank("lille", "EPCI-200093201", SUGGESTIONS).is_some());
    assert!(rank("bordeaux", "EPCI-243300316", SUGGESTIONS).is_some());
    // Marked as a suggestion in the API and on the results page.
    let (_, v) = get_json("/api/v1/search?q=marseille&limit=8").await;
    let amp = v["results"].as_array().unwrap().iter().find(|r| r["code"] == "200054807").expect("AMP suggested");
    assert_eq!(amp["city_epci"], true);
    assert!(v["results"][0].get("city_epci").is_none(), "the city itself is a match: {v}");
    let (_, _, body) = get("/recherche?q=marseille").await;
    assert!(body.contains("Suggestion : l'intercommunalité de la commune recherchée"));
    // Not for a small place: Die (4,844 inhabitants) without its CC.
    let die = keys("die", SUGGESTIONS);
    assert_eq!(die[0], "COM-26113");
    assert!(!die.contains(&"EPCI-242600534".to_owned()), "{die:?}");
}

#[test]
fn acronyms_from_the_table() {
    for (q, key) in [
        ("IDF", "REG-11"),
        ("paca", "REG-93"),
        ("AURA", "REG-84"),
        ("BFC", "REG-27"),
        ("HDF", "REG-32"),
        ("MGP", "EPCI-200054781"),
        ("AMP", "EPCI-200054807"),
        ("MEL", "EPCI-200093201"),
        ("GPSO", "EPCI-200057974"),
    ] {
        assert_eq!(first(q), key, "{q}");
    }
}

#[test]
fn acronyms_table_names_the_territories_it_says() {
    let index = app().territories();
    for a in oc_index::territory::names::acronyms() {
        let key: oc_model::TerritoryKey = a.key.parse().unwrap_or_else(|e| panic!("{}: {e}", a.acronym));
        let e = index
            .entries()
            .iter()
            .find(|e| e.kind.group() == key.group() && e.code == key.code())
            .unwrap_or_else(|| panic!("{}: {} is not in the COG", a.acronym, a.key));
        assert_eq!(e.name, a.name, "{}: the table's name", a.acronym);
    }
}

#[tokio::test]
async fn suggestions_show_type_departement_and_population() {
    let (status, v) = get_json("/api/v1/search?q=saint%20denis&limit=8").await;
    assert_eq!(status, StatusCode::OK);
    let results = v["results"].as_array().unwrap();
    let reunion = results.iter().find(|r| r["code"] == "97411").expect("Saint-Denis (La Réunion)");
    assert_eq!(reunion["type"], "commune");
    assert_eq!(reunion["departement"]["name"], "La Réunion");
    assert!(reunion["population"].as_u64().is_some_and(|p| p > 100_000));
    assert!(reunion["label"].as_str().unwrap().contains("commune, La Réunion (974)"));
}

#[tokio::test]
async fn results_page_past_fifty() {
    let (status, _, body) = get("/recherche?q=saint").await;
    assert_eq!(status, StatusCode::OK);
    let doc = Html::parse_document(&body);
    let items = Selector::parse("ol.oc-results > li > a").unwrap();
    let page1: Vec<String> = doc.select(&items).map(|a| a.value().attr("href").unwrap().to_owned()).collect();
    assert_eq!(page1.len(), 50);
    let next = Selector::parse("nav.fr-pagination a.fr-pagination__link--next").unwrap();
    let href = doc.select(&next).next().expect("a next page link").value().attr("href").unwrap().to_owned();
    assert_eq!(href, "/recherche?q=saint&page=2");
    // Each result shows its type, département and population.
    let label = Selector::parse("ol.oc-results > li > span").unwrap();
    let first_label = doc.select(&label).next().unwrap().text().collect::<String>();
    assert!(first_label.contains("commune, ") && first_label.ends_with(" hab."), "{first_label}");

    let (status, _, body) = get(&href).await;
    assert_eq!(status, StatusCode::OK);
    let doc = Html::parse_document(&body);
    let page2: Vec<String> = doc.select(&items).map(|a| a.value().attr("href").unwrap().to_owned()).collect();
    assert_eq!(page2.len(), 50);
    assert!(page2.iter().all(|h| !page1.contains(h)), "page 2 holds results 51 to 100");
    let ol = Selector::parse("ol.oc-results").unwrap();
    assert_eq!(doc.select(&ol).next().unwrap().value().attr("start"), Some("51"));
    // The same pages over the API.
    let (_, v) = get_json("/api/v1/search?q=saint&limit=50&page=2").await;
    assert_eq!(v["page"], 2);
    assert!(v["pages"].as_u64().unwrap() > 50);
    let api2: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["url"].as_str().unwrap()).collect();
    assert_eq!(api2, page2.iter().map(String::as_str).collect::<Vec<_>>());
    // The last page announced holds results.
    let (_, v) = get_json("/api/v1/search?q=paris&limit=10").await;
    let last = v["pages"].as_u64().unwrap();
    assert!(last > 1, "{v}");
    let (_, v) = get_json(&format!("/api/v1/search?q=paris&limit=10&page={last}")).await;
    assert!(!v["results"].as_array().unwrap().is_empty(), "page {last}: {v}");
    assert_eq!(v["pages"], last);
    // Pages keep their size, and the last page announced can be asked for.
    let (_, _, body) = get("/recherche?q=saint&limit=10").await;
    assert!(body.contains("href=\"/recherche?q=saint&amp;limit=10&amp;page=2\""), "page links keep the limit");
    let (_, v) = get_json("/api/v1/search?q=saint&limit=30").await;
    let last = v["pages"].as_u64().unwrap();
    let (status, _) = get_json(&format!("/api/v1/search?q=saint&limit=30&page={last}")).await;
    assert_eq!(status, StatusCode::OK);
    // A page past the last one, and a page that is not a number.
    let (status, _, body) = get("/recherche?q=montpellier&page=40").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Cette page de résultats n'existe pas"), "{body}");
    let (status, _, body) = get("/recherche?q=montpellier&page=deux").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("paramètre « page » invalide"));
    let (status, _) = get_json("/api/v1/search?q=saint&page=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Real queries — misspellings, abbreviations, homonyms, official names,
/// codes, acronyms — with the place meant and the rank it must reach.
const QUERIES: &[(&str, &str, usize)] = &[
    // Official names and designators.
    ("Communauté de communes Cœur de Garonne", "EPCI-200068815", 1),
    ("communauté de communes du Diois", "EPCI-242600534", 1),
    ("Communauté d'agglomération du Grand Annecy", "EPCI-200066793", 1),
    ("agglo cotentin", "EPCI-200067205", 1),
    ("grand annecy", "EPCI-200066793", 1),
    ("agglo annecy", "EPCI-200066793", 1),
    ("CC diois", "EPCI-242600534", 1),
    ("Métropole de Lyon", "EPCI-200046977", 1),
    ("Métropole d'Aix-Marseille-Provence", "EPCI-200054807", 1),
    ("aix marseille provence", "EPCI-200054807", 1),
    ("Eurométropole de Strasbourg", "EPCI-246700488", 1),
    ("strasbourg eurometropole", "EPCI-246700488", 1),
    ("CU de Dunkerque", "EPCI-245900428", 1),
    ("CA du Puy-en-Velay", "EPCI-200073419", 1),
    ("Lorient Agglomération", "EPCI-200042174", 1),
    ("les sables d olonne agglomeration", "EPCI-200071165", 1),
    ("le grand perigueux", "EPCI-200040392", 1),
    ("plaine commune", "EPCI-200057867", 1),
    ("grand paris", "EPCI-200054781", 1),
    ("metropole du grand nancy", "EPCI-245400676", 1),
    ("Département de la Loire", "DEP-42", 1),
    ("conseil departemental de l'herault", "DEP-34", 1),
    ("Région Bretagne", "REG-53", 1),
    ("region auvergne rhone alpes", "REG-84", 1),
    ("Ville de Paris", "COM-75056", 1),
    ("mairie de nantes", "COM-44109", 1),
    // Homonyms and importance.
    ("evry", "COM-91228", 1),
    ("aix", "COM-13001", 1),
    ("boulogne", "COM-92012", 1),
    ("puy en velay", "COM-43157", 1),
    ("le puy", "COM-43157", 3),
    ("saint denis", "COM-97411", 2),
    ("saint denis", "COM-93066", 2),
    ("valence", "COM-26362", 1),
    ("paris", "COM-75056", 1),
    ("lyon", "COM-69123", 1),
    ("lyon", "EPCI-200046977", 3),
    ("marseille", "COM-13055", 1),
    ("marseille", "EPCI-200054807", 3),
    ("lille", "COM-59350", 1),
    ("nantes", "COM-44109", 1),
    ("bordeaux", "COM-33063", 1),
    ("toulouse", "COM-31555", 1),
    ("nice", "COM-06088", 1),
    ("rennes", "COM-35238", 1),
    ("reims", "COM-51454", 1),
    ("tours", "COM-37261", 1),
    ("metz", "COM-57463", 1),
    ("saint nazaire", "COM-44184", 1),
    ("corse", "REG-94", 1),
    ("seine saint denis", "DEP-93", 1),
    ("rochelle", "COM-17300", 1),
    ("havre", "COM-76351", 1),
    ("les sables d olonne", "COM-85194", 1),
    // Abbreviations, prefixes and misspellings.
    ("st etienne", "COM-42218", 1),
    ("ste maxime", "COM-83115", 1),
    ("montpel", "COM-34172", 1),
    ("aix en pro", "COM-13001", 1),
    ("bordeau", "COM-33063", 1),
    ("montpelier", "COM-34172", 1),
    ("marseile", "COM-13055", 1),
    ("toulousse", "COM-31555", 1),
    ("strasbourgh", "COM-67482", 1),
    ("clermont ferand", "COM-63113", 1),
    ("boulogne billancourt", "COM-92012", 1),
    ("lhay les roses", "COM-94038", 1),
    // Codes.
    ("34172", "COM-34172", 1),
    ("2A004", "COM-2A004", 1),
    ("243400017", "EPCI-243400017", 1),
    ("69003", "COM-69123", 3),
    ("974", "DEP-974", 1),
    ("département 34", "DEP-34", 1),
    // Acronyms.
    ("IDF", "REG-11", 1),
    ("PACA", "REG-93", 1),
    ("région PACA", "REG-93", 1),
    ("AURA", "REG-84", 1),
    ("BFC", "REG-27", 1),
    ("MGP", "EPCI-200054781", 1),
    ("AMP", "EPCI-200054807", 1),
    ("MEL", "EPCI-200093201", 1),
    ("3M", "EPCI-243400017", 1),
];

#[test]
fn real_queries_reach_their_rank() {
    assert!(QUERIES.len() >= 60);
    let mut misses = Vec::new();
    let mut at_first = 0;
    for &(q, key, want) in QUERIES {
        match rank(q, key, 10) {
            Some(r) if r <= want => {
                at_first += usize::from(r == 1);
            }
            got => misses.push(format!("{q:?}: {key} at {got:?}, wanted ≤ {want}: {:?}", keys(q, 5))),
        }
    }
    let met = QUERIES.len() - misses.len();
    println!("query table: {met} of {} queries reach their rank; {at_first} with the place meant first", QUERIES.len());
    assert!(misses.is_empty(), "{met}/{} met:\n{}", QUERIES.len(), misses.join("\n"));
}
