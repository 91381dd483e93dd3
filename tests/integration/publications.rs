//! The public library on the seed catalogue: relevance, facets (checked
//! against a brute-force count over the store), the page, its exports and
//! feed, and the library on fiches, the home page and `/recherche`.

use std::collections::{BTreeMap, HashMap};

use oc_index::publication_search::{Facet, PubQuery};
use oc_library::store::Document;

use crate::common::{app, elements_text, get, get_json, html_text};

fn enc(s: &str) -> String {
    let mut out = String::from("q=");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Seed catalogue id → canonical URL.
fn seed_urls() -> HashMap<u32, String> {
    oc_harvest::catalogue::parse("seed", oc_harvest::catalogue::EMBEDDED)
        .unwrap()
        .docs
        .into_iter()
        .map(|d| (d.id, d.url))
        .collect()
}

/// Real queries over the seed catalogue, each with the documents (seed
/// ids) of which one must be in the top 3.
const RELEVANCE: &[(&str, &[u32])] = &[
    ("dotation solidarité rurale", &[198]),
    ("dotation communes rurales", &[198]),
    ("solidarité urbaine cohésion sociale", &[199]),
    ("guide pratique dotation globale de fonctionnement", &[24]),
    ("collectivités locales en chiffres 2026", &[120]),
    ("collectivites locales en chiffres 2015", &[2]),
    ("bilan statistique intercommunalité 2018", &[8]),
    ("répertoire national des élus", &[231, 9]),
    ("taux fiscalité directe locale communes 2026", &[11]),
    ("situation mensuelle comptable", &[16, 17]),
    ("composition communale EPCI 2026", &[20]),
    ("zones de revitalisation rurale", &[26, 47]),
    ("France Ruralités Revitalisation", &[25]),
    ("salaires fonction publique territoriale 2008", &[32]),
    ("communes fusionné Centre-Val de Loire", &[35]),
    ("populations légales 2021", &[38]),
    ("code officiel géographique 2026", &[145]),
    ("loi montagne", &[49]),
    ("loi littoral", &[53]),
    ("BANATIC", &[79, 55, 80]),
    ("aires d'attraction des villes", &[62, 63]),
    ("petites villes de demain", &[64]),
    ("quartiers prioritaires politique de la ville", &[66]),
    ("base permanente des équipements", &[71]),
    ("allocation personnalisée d'autonomie", &[84, 85]),
    ("minima sociaux", &[86]),
    ("comptes consolidés des régions", &[95, 237]),
    ("fiscalité REI", &[97, 200, 201]),
    ("action sociale des communes", &[112, 110]),
    ("dépenses culturelles collectivités", &[165, 166, 167]),
    ("délinquance enregistrée", &[168, 169]),
    ("open data Occitanie", &[225]),
    ("Sicoval", &[228]),
    ("DMTO départements", &[149]),
    ("\"fonction publique territoriale\"", &[32, 33, 34, 247]),
    ("investisements scolaires", &[132]),
    ("accessibilité potentielle localisée", &[114]),
    ("enseignement privé sous contrat", &[144]),
    ("parité communes intercommunalités", &[175]),
    ("artificialisation des sols", &[218]),
    ("bassins de vie 2022", &[244]),
    ("loi NOTRe intercommunalité", &[249]),
    // Issue 19: without accents, acronyms and expansions, years,
    // publishers.
    ("fiscalite directe locale", &[10, 11, 13, 4]),
    ("intercommunalite", &[8, 30, 29, 79, 55, 19, 20]),
    ("DGF", &[24, 100]),
    ("dotation globale de fonctionnement", &[24, 100]),
    ("DGF 2022", &[24]),
    ("dotation", &[24, 99, 197, 198, 199]),
    ("DSR", &[198]),
    ("DSU 2019", &[199]),
    ("QPV", &[66]),
    ("ZRR", &[26, 47]),
    ("APA departements", &[84]),
    ("PCH", &[87]),
    ("OFGL comptes des regions", &[94, 95, 237]),
    ("DGFiP balances comptables", &[127, 159, 160, 161, 211]),
    ("Insee populations legales 2021", &[38]),
    ("DREES minima sociaux", &[86]),
    ("DEPP depense education departements", &[137, 143]),
    ("collectivites locales en chiffres 2025", &[3]),
    ("composition communale EPCI 2022", &[22]),
    ("epcicom 2015", &[23]),
    ("elections municipales 2026", &[232, 233]),
    ("elections metropolitaines Lyon", &[234]),
    ("salaires fonction publique territoriale", &[32, 33, 34]),
    ("comptes individuels des communes", &[181, 191, 193]),
    ("REI", &[97, 200, 201]),
    ("droits de mutation departements", &[149]),
    ("PVD", &[64]),
    ("ACV", &[52]),
    ("coeur de ville", &[52]),
    ("BPE", &[71]),
    ("SMCL", &[16, 17, 18]),
    ("AAV 2020", &[62, 63]),
    ("Cour des comptes finances publiques locales 2018", &[117]),
    ("communes nouvelles", &[40]),
    ("delinquance", &[168, 169]),
    ("revenu median", &[83]),
    ("depenses culturelles 2014", &[167]),
    ("EPCI normands", &[104]),
    ("Vichy Communaute", &[118]),
];

#[tokio::test]
async fn relevance_table_over_the_seed_catalogue() {
    let urls = seed_urls();
    let mut misses = Vec::new();
    for (q, expected) in RELEVANCE {
        let (status, v) = get_json(&format!("/api/v1/publications?{}", enc(q))).await;
        assert_eq!(status, 200, "{q}");
        let top: Vec<&str> =
            v["results"].as_array().unwrap().iter().take(3).map(|r| r["url"].as_str().unwrap()).collect();
        if !expected.iter().any(|id| top.contains(&urls[id].as_str())) {
            misses.push(format!("{q} → {top:?}"));
        }
    }
    assert!(RELEVANCE.len() >= 80);
    eprintln!(
        "relevance: {} of {} queries with an expected document in the top 3",
        RELEVANCE.len() - misses.len(),
        RELEVANCE.len()
    );
    assert!(misses.is_empty(), "expected documents missing from the top 3:\n{}", misses.join("\n"));
}

/// The facet values of a document, as the index sees them.
fn values(d: &Document, f: Facet, areas: &oc_index::publications::AreaFn) -> Vec<String> {
    let mut v: Vec<String> = match f {
        Facet::Theme => d.themes.clone(),
        // Filed types, or the territories' types; each with the narrower
        // types it covers.
        Facet::Scope => {
            // A document about territories without a type: theirs, as it
            // is (not widened to littoral and montagne).
            let mut out: Vec<String> = Vec::new();
            if d.scope.is_empty() {
                out.extend(d.territories.iter().filter_map(|t| match t.split('-').next() {
                    Some("COM" | "EPCI") => Some("Communes & EPCI (toutes)".to_owned()),
                    Some("DEP") => Some("Départements (tous)".to_owned()),
                    Some("REG") => Some("Régions (toutes)".to_owned()),
                    _ => None,
                }));
            }
            for s in d.scope.clone() {
                match s.as_str() {
                    "Collectivités locales (toutes)" => out.extend(
                        [
                            "Collectivités locales (toutes)",
                            "Communes de littoral",
                            "Communes de montagne",
                            "Communes & EPCI (toutes)",
                            "Départements (tous)",
                            "Régions (toutes)",
                        ]
                        .map(str::to_owned),
                    ),
                    "Communes & EPCI (toutes)" => out.extend(
                        ["Communes & EPCI (toutes)", "Communes de littoral", "Communes de montagne"].map(str::to_owned),
                    ),
                    _ => out.push(s),
                }
            }
            out
        }
        Facet::Type => vec![d.resource_type.clone()],
        Facet::Publisher => vec![d.publisher.clone()],
        Facet::Year => d.published.as_deref().and_then(|p| p.get(..4)).map(|y| vec![y.to_owned()]).unwrap_or_default(),
        Facet::Territory => {
            let mut out = Vec::new();
            for t in &d.territories {
                for a in std::iter::once(t.clone()).chain(areas(t)) {
                    out.push(a);
                }
            }
            out
        }
    };
    v.retain(|x| !x.is_empty());
    v.sort();
    v.dedup();
    v
}

#[tokio::test]
async fn facet_counts_equal_a_brute_force_count() {
    let app = app();
    let lib = app.library.clone().unwrap();
    let docs = lib.store.lock().unwrap().published().unwrap();
    let areas = opencollectivites::library::area_fn(app.geo());
    // Every value seen, per facet.
    let mut seen: BTreeMap<Facet, Vec<String>> = BTreeMap::new();
    for d in &docs {
        for f in Facet::ALL {
            for v in values(d, f, &areas) {
                let e = seen.entry(f).or_default();
                if !e.contains(&v) {
                    e.push(v);
                }
            }
        }
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rand = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    for round in 0..60 {
        let mut q = PubQuery::default();
        for f in Facet::ALL {
            if rand(3) == 0 {
                let pool = &seen[&f];
                let k = 1 + rand(2);
                let picked: Vec<String> = (0..k).map(|_| pool[rand(pool.len())].clone()).collect();
                q.filters.insert(f, picked);
            }
        }
        if round % 5 == 0 {
            q.q = ["communes", "finances", "fonction publique", "dotation", "population"][rand(5)].to_owned();
        }
        let got = lib.index.search(&q).unwrap();
        // Brute force over the store, on the documents matching the text.
        let text_ids: Option<Vec<i64>> = if q.q.is_empty() {
            None
        } else {
            let (searcher, addrs) = lib.index.search_all(&PubQuery { q: q.q.clone(), ..PubQuery::default() }).unwrap();
            Some(addrs.into_iter().filter_map(|a| lib.index.stored(&searcher, a)).map(|d| d.id).collect())
        };
        let pass = |d: &Document, f: Facet| {
            q.filters.get(&f).is_none_or(|sel| values(d, f, &areas).iter().any(|v| sel.contains(v)))
        };
        let candidates: Vec<&Document> =
            docs.iter().filter(|d| text_ids.as_ref().is_none_or(|ids| ids.contains(&d.id))).collect();
        let total = candidates.iter().filter(|d| Facet::ALL.iter().all(|f| pass(d, *f))).count();
        assert_eq!(got.total, total, "round {round}: {q:?}");
        for f in Facet::ALL {
            let mut expected: HashMap<String, usize> = HashMap::new();
            for d in candidates.iter().filter(|d| Facet::ALL.iter().filter(|g| **g != f).all(|g| pass(d, *g))) {
                for v in values(d, f, &areas) {
                    *expected.entry(v).or_default() += 1;
                }
            }
            let counted: HashMap<String, usize> = got.facets.get(&f).cloned().unwrap_or_default().into_iter().collect();
            assert_eq!(counted, expected, "round {round}, facet {f:?}: {q:?}");
        }
    }
}

#[tokio::test]
async fn the_api_validates_and_ignores_unknown_parameters() {
    let (s, v) = get_json("/api/v1/publications?q=finances&utm_source=x&foo=bar").await;
    assert_eq!(s, 200);
    assert!(v["total"].as_u64().unwrap() > 10);
    let r = &v["results"][0];
    for k in ["id", "title", "url", "publisher", "published", "type", "themes", "scope", "territories", "summary"] {
        assert!(r.get(k).is_some(), "{k} missing in {r}");
    }
    for f in ["theme", "scope", "type", "publisher", "year", "territory"] {
        assert!(v["facets"][f].is_array(), "facet {f}");
    }
    for (bad, needle) in [
        ("theme=Cuisine", "theme"),
        ("year=20x4", "year"),
        ("from=2024-13-01", "from"),
        ("from=2025&to=2020", "début"),
        ("page=0", "page"),
        ("page=100000", "page"),
        ("sort=hasard", "sort"),
        ("territory=DEP-999", "territory"),
        ("type=Livre", "type"),
    ] {
        let (s, v) = get_json(&format!("/api/v1/publications?{bad}")).await;
        assert_eq!(s, 400, "{bad}");
        let m = v["error"]["message"].as_str().unwrap();
        assert!(m.contains(needle), "{bad}: {m}");
    }
    // Date bounds at any precision, written back as real dates.
    let (s, v) = get_json("/api/v1/publications?from=2026-02&to=2026-02").await;
    assert_eq!(s, 200);
    for r in v["results"].as_array().unwrap() {
        let p = r["published"].as_str().unwrap();
        assert!(p == "2026" || p.starts_with("2026-02"), "{p}");
    }
    let (s, _, page) = get("/publications?to=2023-02").await;
    assert_eq!(s, 200);
    assert!(page.contains("to=2023-02-28") && !page.contains("2023-02-31"), "the end of February is a real date");
    let (_, v) = get_json("/api/v1/publications?from=2023-05-01&to=2023-12-31").await;
    let years: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["published"].as_str().unwrap()).collect();
    assert!(years.iter().all(|p| p.starts_with("2023")), "{years:?}");
    let (_, all2023) = get_json("/api/v1/publications?year=2023").await;
    let year_only = all2023["results"].as_array().unwrap().iter().filter(|r| r["published"] == "2023").count();
    if year_only > 0 {
        assert!(years.contains(&"2023"), "a document dated 2023 overlaps May–December 2023");
    }
    // Stop words only: nothing to look for, not the whole library.
    let (_, v) = get_json("/api/v1/publications?q=de+la").await;
    assert_eq!(v["total"], 0);
    // A very long hyphenated word stays cheap and answers.
    let many = vec!["ab"; 100].join("-");
    assert_eq!(get_json(&format!("/api/v1/publications?q={many}")).await.0, 200);
    let (s, _, atom) = get("/publications.atom?q=%01finances").await;
    assert_eq!(s, 200);
    assert!(!atom.contains('\u{1}'), "no control characters in the feed");
    let long = "a".repeat(400);
    assert_eq!(get_json(&format!("/api/v1/publications?q={long}")).await.0, 400);
    // Phrases, filters by territory including the communes of a département.
    let (_, v) = get_json("/api/v1/publications?territory=DEP-93").await;
    let titles: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert!(titles.iter().any(|t| t.contains("Bobigny")), "COM-93008 is in DEP-93: {titles:?}");
    assert!(titles.iter().any(|t| t.contains("Seine-Saint-Denis")), "{titles:?}");
    let (_, v) =
        get_json("/api/v1/publications?theme=Aide+%26+Dotations&theme=Parit%C3%A9&type=Publication+statistique").await;
    for r in v["results"].as_array().unwrap() {
        let themes: Vec<&str> = r["themes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(themes.contains(&"Aide & Dotations") || themes.contains(&"Parité"), "OR within a facet: {themes:?}");
        assert_eq!(r["type"], "Publication statistique", "AND across facets");
    }
}

#[tokio::test]
async fn the_publications_page_works_without_javascript() {
    let (s, _, body) = get("/publications?q=fonction+publique&theme=Emploi+%26+Fonction+publique+territoriale").await;
    assert_eq!(s, 200);
    assert!(body.contains("id=\"oc-pub-filters\"") && body.contains("type=\"checkbox\""));
    assert!(
        body.contains("Retirer le filtre Thématique : Emploi &amp; Fonction publique territoriale"),
        "active filters as removable tags"
    );
    assert!(body.contains("href=\"/publications?q=fonction+publique\""), "removing the tag keeps the query");
    assert!(body.contains("/publications.csv?") && body.contains("/publications.atom?"));
    // Pagination.
    let (_, _, all) = get("/publications").await;
    assert!(all.contains("fr-pagination") && all.contains("href=\"/publications?page=2\""));
    let (s, _, p2) = get("/publications?page=2").await;
    assert_eq!(s, 200);
    assert!(p2.contains("aria-current=\"page\" title=\"Page 2\""));
    // Nothing found: suggestions.
    let (_, _, none) = get("/publications?q=zzzzqqq&theme=Parit%C3%A9").await;
    assert!(none.contains("Aucun document ne correspond") && none.contains("Retirez le filtre"), "{none}");
    // Invalid parameters: a clear message, not a 500.
    let (s, _, bad) = get("/publications?year=abc").await;
    assert_eq!(s, 400);
    assert!(bad.contains("year"));
    // Injection in the query is escaped.
    let (_, _, x) = get("/publications?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!x.contains("<script>alert(1)"));
}

#[tokio::test]
async fn exports_and_the_atom_feed() {
    let (s, ctype, csv) = get("/publications.csv?theme=Parit%C3%A9").await;
    assert_eq!(s, 200);
    assert!(ctype.starts_with("text/csv"));
    assert!(csv.starts_with('\u{feff}') && csv.lines().next().unwrap().contains("titre;url;organisme"));
    let (_, v) = get_json("/api/v1/publications?theme=Parit%C3%A9").await;
    assert_eq!(csv.lines().count() - 1, v["total"].as_u64().unwrap() as usize);
    let (_, _, std) = get("/publications.csv?theme=Parit%C3%A9&dialect=standard").await;
    assert!(!std.starts_with('\u{feff}') && std.lines().next().unwrap().contains("titre,url,organisme"));
    let (_, _, json) = get("/publications.json?q=communes").await;
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (_, v) = get_json("/api/v1/publications?q=communes").await;
    assert_eq!(j["results"].as_array().unwrap().len(), v["total"].as_u64().unwrap() as usize);
    // A valid Atom feed of the same search, newest first.
    let (s, ctype, atom) = get("/publications.atom?q=finances").await;
    assert_eq!(s, 200);
    assert!(ctype.starts_with("application/atom+xml"));
    let parsed = oc_harvest::feed::parse(atom.as_bytes(), None, "atom").unwrap();
    assert!(parsed.skipped.is_empty());
    assert_eq!(parsed.items.len(), 20);
    let dates: Vec<String> = parsed.items.iter().filter_map(|i| i.published.as_ref().map(|p| p.0.clone())).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert_eq!(get("/publications.atom?year=x").await.0, 400);
    let (_, v) = get_json("/api/v1/openapi.json").await;
    for p in ["/api/v1/publications", "/api/v1/search", "/api/v1/communes/{code}", "/api/v1/sources"] {
        assert!(v["paths"][p].is_object(), "{p}");
    }
}

#[tokio::test]
async fn the_library_on_fiches_home_search_and_platforms() {
    let (_, _, dep) = get("/departement/haute-garonne-31").await;
    assert!(
        dep.contains("Concernant ce territoire") && dep.contains("Open data du département de la Haute-Garonne"),
        "documents about DEP-31"
    );
    let headings = elements_text(&dep, "h2");
    assert!(headings.iter().any(|h| h == "Utiles à tous les départements"), "{headings:?}");
    assert!(dep.contains("href=\"/publications?territory=DEP-31&amp;sort=date\""), "Voir tout, pre-filtered");
    assert!(headings.iter().any(|h| h == "Plateformes de données ouvertes"), "{headings:?}");
    let (_, _, com) = get("/commune/toulouse-31555").await;
    assert!(
        com.contains("href=\"https://data.laregion.fr/") && com.contains("href=\"https://data.haute-garonne.fr/"),
        "platforms of the parents (OpenDataFrance's observatory)"
    );
    // The determiner agrees with the level: "toutes les communes".
    let headings = elements_text(&com, "h2");
    assert!(headings.iter().any(|h| h == "Utiles à toutes les communes"), "{headings:?}");
    let (_, _, home) = get("/").await;
    assert!(home.contains("Dernières publications") && home.contains("/publications?theme=Parit%C3%A9"));
    let (_, _, search) = get("/recherche?q=montpellier").await;
    assert!(search.contains("Collectivités") && search.contains("Publications"));
    let (_, _, search) = get("/recherche?q=dotation").await;
    assert!(search.contains("Voir les") && search.contains("/publications?q=dotation"));
    let (s, _, plat) = get("/plateformes").await;
    assert_eq!(s, 200);
    assert!(plat.contains("Plateforme nationale : data.gouv.fr"));
    let (_, _, plat) = get("/plateformes?q=sicoval").await;
    assert!(html_text(&plat).contains("CA du Sicoval"), "the Sicoval by name");
    let (_, _, plat) = get("/plateformes?type=region").await;
    assert!(plat.contains("href=\"https://data.laregion.fr/"), "the région's platform");
}
