//! Search behaviours of issue 2 on the real COG 2026 data (in-process).

use oc_model::KindGroup;

use crate::common::app;

/// (kind, code, name) of the hits of a search.
fn search(q: &str, group: Option<KindGroup>, limit: usize) -> Vec<(String, String, String)> {
    let index = app().territories();
    let out = index.search(q, group, limit).unwrap_or_else(|e| panic!("{q}: {e}"));
    out.hits
        .iter()
        .map(|h| {
            let e = index.entry(h.entry);
            (e.kind.as_str().to_owned(), e.code.clone(), e.name.clone())
        })
        .collect()
}

fn first(q: &str) -> (String, String, String) {
    search(q, None, 10).into_iter().next().unwrap_or_else(|| panic!("{q}: no result"))
}

#[test]
fn case_accents_ligatures_hyphens_and_apostrophes_are_ignored() {
    for q in ["l'hay-les-roses", "lhay les roses", "L'Haÿ-les-Roses", "L’HAŸ LES ROSES", "l hay les roses"] {
        assert_eq!(first(q), ("commune".into(), "94038".into(), "L'Haÿ-les-Roses".into()), "{q}");
    }
    assert_eq!(first("SAINT-ÉTIENNE").1, "42218");
    // œ → oe: Cœuvres-et-Valsery (Aisne).
    assert_eq!(first("coeuvres et valsery").2, "Cœuvres-et-Valsery");
    assert_eq!(first("Cœuvres-et-Valsery").2, "Cœuvres-et-Valsery");
}

#[test]
fn st_and_ste_abbreviations() {
    assert_eq!(first("st etienne"), ("commune".into(), "42218".into(), "Saint-Étienne".into()));
    assert_eq!(first("St-Étienne").1, "42218");
    assert_eq!(first("Sᵗ Étienne").1, "42218");
    assert_eq!(first("ste foy les lyon").2, "Sainte-Foy-lès-Lyon");
}

#[test]
fn last_word_is_completed_as_a_prefix() {
    assert_eq!(first("montpel"), ("commune".into(), "34172".into(), "Montpellier".into()));
    assert_eq!(first("aix en pro").2, "Aix-en-Provence");
    assert_eq!(first("strasb").2, "Strasbourg");
}

#[test]
fn typos_are_tolerated_when_nothing_matches_exactly() {
    assert_eq!(first("Montpelier").1, "34172");
    assert_eq!(first("marseile").1, "13055");
    assert_eq!(first("bordeau").2, "Bordeaux"); // a prefix, not a typo
    assert_eq!(first("toulousse").1, "31555");
    // An exact match is never drowned by approximate ones.
    let out = app().territories().search("lyon", None, 10).unwrap();
    assert!(!out.fuzzy);
    assert_eq!(app().territories().entry(out.hits[0].entry).code, "69123");
}

#[test]
fn exact_full_name_first_then_population() {
    let hits = search("saint denis", None, 10);
    let codes: Vec<&str> = hits.iter().take(2).map(|h| h.1.as_str()).collect();
    assert!(codes.contains(&"93066") && codes.contains(&"97411"), "the two large Saint-Denis first: {hits:?}");
    for h in hits.iter().take(2) {
        assert_eq!(h.2, "Saint-Denis");
    }
    assert_eq!(first("paris"), ("commune".into(), "75056".into(), "Paris".into()));
    let paris = search("paris", None, 10);
    let parisot = paris.iter().position(|h| h.2 == "Parisot");
    assert!(parisot.is_none_or(|p| p > 0));
    // Nantes the city before Nanteuil-*, Nantes Métropole after the city.
    assert_eq!(first("nantes").1, "44109");
}

#[test]
fn codes_siren_postal_codes_and_departements() {
    assert_eq!(first("34172").2, "Montpellier");
    assert_eq!(first("2A004").2, "Ajaccio");
    assert_eq!(first("2b033").2, "Bastia");
    assert_eq!(first("97411").2, "Saint-Denis");
    // SIREN of an EPCI and of a commune.
    assert_eq!(first("243400017"), ("epci".into(), "243400017".into(), "Montpellier Méditerranée Métropole".into()));
    assert_eq!(first("213401722").2, "Montpellier");
    // A postal code finds the communes it serves.
    let served = search("34000", None, 10);
    assert_eq!(served[0].2, "Montpellier");
    let lyon3 = search("69003", None, 10);
    assert!(lyon3.iter().any(|h| h.2 == "Lyon"), "{lyon3:?}");
    let shared_pc = search("01400", None, 50);
    assert!(shared_pc.len() > 5, "01400 serves many communes: {shared_pc:?}");
    // Département codes, including Corsica and overseas.
    assert_eq!(first("34"), ("departement".into(), "34".into(), "Hérault".into()));
    assert_eq!(first("2A"), ("departement".into(), "2A".into(), "Corse-du-Sud".into()));
    assert_eq!(first("2b").1, "2B");
    assert_eq!(first("974").2, "La Réunion");
    assert_eq!(first("976").2, "Mayotte");
}

#[test]
fn filter_by_type() {
    for (g, kinds) in [
        (KindGroup::Commune, &["commune", "arrondissement-municipal", "commune-deleguee", "commune-associee"][..]),
        (KindGroup::Epci, &["epci", "ept"][..]),
        (KindGroup::Departement, &["departement"][..]),
        (KindGroup::Region, &["region"][..]),
    ] {
        let hits = search("saint", Some(g), 50);
        for h in &hits {
            assert!(kinds.contains(&h.0.as_str()), "{g:?}: {h:?}");
        }
    }
    assert_eq!(search("lyon", Some(KindGroup::Epci), 1)[0].2, "Métropole de Lyon");
    assert_eq!(search("paris", Some(KindGroup::Departement), 1)[0].1, "75");
    assert_eq!(search("bretagne", Some(KindGroup::Region), 1)[0].1, "53");
}

#[test]
fn every_level_is_indexed() {
    // Arrondissement municipal, commune déléguée (points to its commune),
    // EPT, région, collectivité d'outre-mer.
    assert_eq!(first("paris 1er arrondissement").0, "arrondissement-municipal");
    let index = app().territories();
    let out = index.search("Arbignieu", None, 5).unwrap();
    let e = index.entry(out.hits[0].entry);
    assert_eq!(e.kind.as_str(), "commune-deleguee");
    assert!(e.url.starts_with("/commune/arboys-en-bugey-01015"), "a déléguée points to its current commune: {}", e.url);
    assert_eq!(first("plaine commune").0, "ept");
    assert_eq!(first("occitanie"), ("region".into(), "76".into(), "Occitanie".into()));
    assert!(search("polynesie", None, 5).iter().any(|h| h.1 == "987"), "COM are searchable");
}

#[test]
fn urls_follow_the_fiche_scheme() {
    let app = app();
    let url = |q: &str| {
        let out = app.territories().search(q, None, 1).unwrap();
        app.territories().entry(out.hits[0].entry).url.clone()
    };
    assert_eq!(url("34172"), "/commune/montpellier-34172");
    assert_eq!(url("243400017"), "/epci/montpellier-mediterranee-metropole-243400017");
    assert_eq!(url("2A"), "/departement/corse-du-sud-2A");
    assert_eq!(url("occitanie"), "/region/occitanie-76");
}

#[test]
fn limit_and_total() {
    let app = app();
    let out = app.territories().search("saint", None, 50).unwrap();
    assert_eq!(out.hits.len(), 50);
    assert!(out.total > 4000, "thousands of names start with saint: {}", out.total);
}
