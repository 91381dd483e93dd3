//! Figures in context (issue 18): ranks, centiles and reference values
//! recomputed by brute force on the real data, ties and secrets included;
//! `/classements` and its exports; thematic maps; neighbours and peers;
//! series; the context in exports and compare.

use std::collections::BTreeMap;

use oc_model::KindGroup;
use oc_store::Geo;
use oc_web::fiche::data::Fiche;
use oc_web::fiche::figure::{RefLevel, Scope};
use scraper::{Html, Selector};

use crate::common::{app, get, get_json, shared_data};

fn geo() -> std::sync::Arc<Geo> {
    app().geo()
}

/// A fiche with its context, as the pages show it.
fn fiche(group: KindGroup, code: &str) -> Fiche {
    let g = geo();
    let mut f = oc_web::fiche::fiche_for_code(&g, group, code).unwrap_or_else(|| panic!("no fiche {code}"));
    oc_web::fiche::context::apply(&g, &mut f);
    f
}

/// Every fiche of a level, raw (no context): (code, dep, région, stratum
/// population, fiche). Communes: métropole and DOM, not arrondissements.
fn level(group: KindGroup) -> Vec<Fiche> {
    let g = geo();
    let codes: Vec<String> = match group {
        KindGroup::Commune => g
            .data
            .communes
            .iter()
            .filter(|c| c.kind == oc_model::Kind::Commune && c.zone != "com" && g.com_of_commune(c).is_none())
            .map(|c| c.code.clone())
            .collect(),
        KindGroup::Epci => {
            g.data.epci.iter().filter(|e| e.kind == oc_model::Kind::Epci).map(|e| e.code.clone()).collect()
        }
        KindGroup::Departement => {
            g.data.departements.iter().filter(|d| d.zone != "com").map(|d| d.code.clone()).collect()
        }
        KindGroup::Region => g.data.regions.iter().filter(|r| r.zone != "com").map(|r| r.code.clone()).collect(),
    };
    codes.iter().filter_map(|c| oc_web::fiche::fiche_for_code(&g, group, c)).collect()
}

/// The same figure: a density or an area computed on the contour where
/// the official area is missing is ranked with the official one.
fn same_figure(a: &str, b: &str) -> bool {
    a.trim_end_matches("_contour") == b.trim_end_matches("_contour")
}

/// A value as the page shows it (ranks compare shown values: two rates
/// that read the same tie).
fn shown(v: Option<f64>, decimals: usize) -> Option<f64> {
    let r = 10f64.powi(decimals as i32);
    v.map(|v| (v * r).round() / r)
}

/// (value as shown, secret) of a figure.
fn val(f: &Fiche, id: &str) -> (Option<f64>, bool) {
    f.figures.iter().find(|x| same_figure(x.id, id)).map_or((None, false), |x| (shown(x.value, x.decimals), x.secret))
}

/// Rank by brute force: 1 + the number of strictly higher values; the
/// group size; whether another has the same value.
fn brute_rank(v: f64, group: &[f64]) -> (u32, u32, bool) {
    let above = group.iter().filter(|x| **x > v).count();
    let same = group.iter().filter(|x| **x == v).count();
    ((above + 1) as u32, group.len() as u32, same > 1)
}

fn brute_centile(v: f64, all: &[f64]) -> u8 {
    let below = all.iter().filter(|x| **x < v).count() as f64;
    let same = all.iter().filter(|x| **x == v).count() as f64;
    (100.0 * (below + same / 2.0) / all.len() as f64).round().clamp(1.0, 100.0) as u8
}

fn commune_dep(code: &str) -> String {
    geo().commune(code).map(|c| c.departement.clone()).unwrap_or_default()
}

/// The commune strata of the DGFiP (as the OFGL numbers them).
fn commune_stratum(p: u64) -> usize {
    const LOWS: [u64; 11] = [0, 100, 200, 500, 2_000, 3_500, 5_000, 10_000, 20_000, 50_000, 100_000];
    LOWS.iter().rposition(|lo| p >= *lo).unwrap_or(0)
}

/// (code, département, stratum, value, secret) of a commune.
type Row = (String, String, Option<usize>, Option<f64>, bool);

#[test]
fn commune_ranks_and_centiles_match_a_brute_force_count_ties_and_secrets_included() {
    let all = level(KindGroup::Commune);
    assert!(all.len() > 34_000, "communes of France: {}", all.len());
    let g = geo();
    // Figures with secrets (income), ties (syndicats, small counts) and
    // plain ones.
    for id in [
        "population",
        "densite",
        "revenu_median",
        "taux_pauvrete",
        "taux_chomage_15_64",
        "syndicats",
        "naissances_2022",
    ] {
        let values: Vec<Row> = all
            .iter()
            .map(|f| {
                let (v, s) = val(f, id);
                // No population, no stratum.
                let stratum = g.commune(&f.code).and_then(|c| c.population).map(|p| commune_stratum(u64::from(p)));
                (f.code.clone(), commune_dep(&f.code), stratum, v, s)
            })
            .collect();
        let national: Vec<f64> = values.iter().filter_map(|x| x.3).collect();
        assert!(!national.is_empty(), "{id}: no value at all");
        let mut checked = (0, 0, 0);
        for (k, (code, dep, stratum, v, secret)) in values.iter().enumerate() {
            if k % 331 != 0 && !(*secret && checked.1 < 5) {
                continue;
            }
            let f = fiche(KindGroup::Commune, code);
            let fig = f.figures.iter().find(|x| same_figure(x.id, id));
            let ctx = fig.and_then(|x| x.context.as_deref());
            let Some(v) = v else {
                // No value, or a secret one: never ranked.
                assert!(
                    ctx.is_none_or(|c| c.ranks.is_empty() && c.centile.is_none()),
                    "{code} {id}: ranked without a value"
                );
                if *secret {
                    checked.1 += 1;
                }
                continue;
            };
            let ctx = ctx.unwrap_or_else(|| panic!("{code} {id}: no context"));
            let in_dep: Vec<f64> = values.iter().filter(|x| x.1 == *dep).filter_map(|x| x.3).collect();
            let in_stratum: Vec<f64> = values.iter().filter(|x| x.2 == *stratum).filter_map(|x| x.3).collect();
            for (scope, group) in
                [(Scope::Departement, &in_dep), (Scope::Strate, &in_stratum), (Scope::France, &national)]
            {
                if scope == Scope::Strate && stratum.is_none() {
                    assert!(ctx.ranks.iter().all(|r| r.scope != scope), "{code}: no stratum without a population");
                    continue;
                }
                let r = ctx
                    .ranks
                    .iter()
                    .find(|r| r.scope == scope)
                    .unwrap_or_else(|| panic!("{code} {id}: no rank {scope:?}"));
                let (rank, of, tied) = brute_rank(*v, group);
                assert_eq!((r.rank, r.of, r.tied), (rank, of, tied), "{code} {id} {scope:?}");
                if tied {
                    checked.2 += 1;
                }
            }
            assert_eq!(ctx.centile, Some(brute_centile(*v, &national)), "{code} {id}: centile");
            checked.0 += 1;
        }
        assert!(checked.0 >= 10, "{id}: only {} communes checked", checked.0);
        if id == "revenu_median" {
            assert!(checked.1 >= 1, "a secret median was checked");
            // Secrets are left out of the group's size.
            let secrets = values.iter().filter(|x| x.4).count();
            assert!(secrets > 0);
            let f = fiche(KindGroup::Commune, "34172");
            let france = f
                .figures
                .iter()
                .find(|x| x.id == id)
                .unwrap()
                .context
                .as_ref()
                .unwrap()
                .ranks
                .iter()
                .find(|r| r.scope == Scope::France)
                .unwrap()
                .of;
            assert_eq!(france as usize, national.len());
            assert!((france as usize) < values.len() - secrets + 1);
        }
        if id == "syndicats" {
            assert!(checked.2 > 0, "ties were met and checked");
        }
    }
}

#[test]
fn montpellier_median_income_rank_in_the_herault_is_counted_from_the_filosofi_file_itself() {
    // MED21 of the communes of the Hérault, as published (`s`: secret).
    let path = shared_data().join("insee-filosofi-2021/cc_filosofi_2021_COM.csv");
    let mut r = csv::ReaderBuilder::new().delimiter(b';').from_path(&path).unwrap();
    let h = r.headers().unwrap().clone();
    let (ci, mi) = (h.iter().position(|x| x == "CODGEO").unwrap(), h.iter().position(|x| x == "MED21").unwrap());
    let g = geo();
    let mut published: BTreeMap<String, f64> = BTreeMap::new();
    let mut secret = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let code = &rec[ci];
        if g.commune(code).is_none_or(|c| c.departement != "34" || c.kind != oc_model::Kind::Commune) {
            continue;
        }
        match rec[mi].replace(',', ".").parse::<f64>() {
            Ok(v) => {
                published.insert(code.to_owned(), v);
            }
            Err(_) => secret += 1,
        }
    }
    let mine = published["34172"];
    let above = published.values().filter(|v| **v > mine).count();
    let f = fiche(KindGroup::Commune, "34172");
    let ctx = f.figures.iter().find(|x| x.id == "revenu_median").unwrap().context.clone().unwrap();
    let dep = ctx.ranks.iter().find(|r| r.scope == Scope::Departement).unwrap();
    assert_eq!(dep.rank as usize, above + 1);
    assert_eq!(dep.of as usize, published.len(), "{secret} secret medians left out");
    assert_eq!(dep.group, "communes de l'Hérault");
    assert!(dep.url.starts_with("/classements/revenu_median?niveau=commune&dans=DEP-34"));
}

#[test]
fn epci_and_departement_ranks_match_a_brute_force_count() {
    let g = geo();
    for group in [KindGroup::Epci, KindGroup::Departement] {
        let all = level(group);
        for id in ["population", "taux_chomage_15_64", "menages_2021", "communes"] {
            // The group of each: an EPCI's département holding most of its
            // population; a département's région.
            let rows: Vec<(String, String, Option<f64>)> = all
                .iter()
                .map(|f| {
                    let key = match group {
                        KindGroup::Epci => {
                            let e = g.epci(&f.code).unwrap();
                            let mut by: BTreeMap<String, u64> = BTreeMap::new();
                            for c in e.membres.iter().filter_map(|m| g.commune(m)) {
                                *by.entry(c.departement.clone()).or_default() += u64::from(c.population.unwrap_or(0));
                            }
                            by.into_iter().max_by_key(|x| x.1).map(|x| x.0).unwrap_or_default()
                        }
                        _ => g.departement(&f.code).unwrap().region.clone(),
                    };
                    (f.code.clone(), key, val(f, id).0)
                })
                .collect();
            let national: Vec<f64> = rows.iter().filter_map(|x| x.2).collect();
            for (k, (code, key, v)) in rows.iter().enumerate() {
                if k % 37 != 0 {
                    continue;
                }
                let Some(v) = v else { continue };
                let f = fiche(group, code);
                let ctx = f.figures.iter().find(|x| x.id == id).and_then(|x| x.context.clone()).unwrap();
                let scope = if group == KindGroup::Epci { Scope::Departement } else { Scope::Region };
                let peers: Vec<f64> = rows.iter().filter(|x| x.1 == *key).filter_map(|x| x.2).collect();
                let r = ctx.ranks.iter().find(|r| r.scope == scope).unwrap();
                assert_eq!((r.rank, r.of, r.tied), brute_rank(*v, &peers), "{code} {id}");
                let r = ctx.ranks.iter().find(|r| r.scope == Scope::France).unwrap();
                assert_eq!((r.rank, r.of, r.tied), brute_rank(*v, &national), "{code} {id} France");
                assert_eq!(ctx.centile, Some(brute_centile(*v, &national)));
            }
        }
    }
}

#[test]
fn reference_values_are_the_same_figure_of_the_fiches_above_and_only_where_defined() {
    let g = geo();
    for code in ["34172", "31555", "01004", "97411", "2A004"] {
        let f = fiche(KindGroup::Commune, code);
        let c = g.commune(code).unwrap();
        let epci = c.epci.as_deref().map(|e| fiche(KindGroup::Epci, e));
        let dep = fiche(KindGroup::Departement, &c.departement);
        let reg = fiche(KindGroup::Region, &c.region);
        let france = oc_web::fiche::data::france(&g);
        let mut seen = 0;
        for x in &f.figures {
            let refs = x.context.as_ref().map(|c| c.references.clone()).unwrap_or_default();
            for (level, above) in [
                (RefLevel::Epci, epci.as_ref()),
                (RefLevel::Departement, Some(&dep)),
                (RefLevel::Region, Some(&reg)),
                (RefLevel::France, Some(&france)),
            ] {
                let Some(above) = above else { continue };
                let expected = above
                    .figures
                    .iter()
                    .find(|y| same_figure(y.id, x.id))
                    .filter(|y| y.text.is_none() && (y.value.is_some() || y.secret));
                let got = refs.iter().find(|r| r.level == level);
                match (
                    x.section() == oc_web::fiche::figure::Section::Finances
                        || x.id == "syndicats"
                        || x.text.is_some()
                        || x.unit == "année",
                    expected,
                    got,
                ) {
                    (true, _, got) => assert!(got.is_none(), "{code} {}: no reference for {level:?}", x.id),
                    (false, Some(e), Some(r)) => {
                        assert_eq!(
                            (r.value, r.secret),
                            (shown(e.value, e.decimals), e.secret),
                            "{code} {} {level:?}",
                            x.id
                        );
                        assert_eq!(r.code, above.code);
                        seen += 1;
                    }
                    (false, None, None) => {}
                    (false, e, r) => {
                        if x.value.is_some() || x.secret {
                            panic!("{code} {} {level:?}: expected {e:?}, got {r:?}", x.id)
                        }
                    }
                }
            }
        }
        assert!(seen >= 10, "{code}: {seen} reference values");
        // Recomputed from the communes themselves: the population of the
        // EPCI, the département and the région is the sum of their
        // communes' populations légales.
        let sum = |keep: &dyn Fn(&oc_model::Commune) -> bool| -> f64 {
            g.data
                .communes
                .iter()
                .filter(|c| c.kind == oc_model::Kind::Commune && keep(c))
                .map(|c| f64::from(c.population.unwrap_or(0)))
                .sum()
        };
        let pop = f.figures.iter().find(|x| x.id == "population").expect("population");
        let refs = &pop.context.as_ref().expect("population has references").references;
        let of = |l: RefLevel| refs.iter().find(|r| r.level == l).and_then(|r| r.value);
        if let Some(e) = c.epci.as_deref() {
            assert_eq!(of(RefLevel::Epci), Some(sum(&|x| x.epci.as_deref() == Some(e))), "{code} EPCI population");
        }
        assert_eq!(of(RefLevel::Departement), Some(sum(&|x| x.departement == c.departement)), "{code} dép.");
        assert_eq!(of(RefLevel::Region), Some(sum(&|x| x.region == c.region)), "{code} région");
        // A median is published for communes only: no reference above.
        if let Some(x) = f.figures.iter().find(|x| x.id == "revenu_median") {
            assert!(
                x.context.as_ref().is_none_or(|c| c.references.is_empty()),
                "{code}: a median has no reference above"
            );
        }
    }
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(e: &scraper::ElementRef<'_>) -> String {
    e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_ranking_page_sorts_pages_and_exports_without_javascript() {
    let (s, _, body) = get("/classements/densite?niveau=commune&dans=DEP-31").await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let rows = select(&doc, "table.oc-ranking tbody tr");
    assert_eq!(rows.len(), 100, "first page of the Haute-Garonne's communes");
    let first = text(&select(&doc, "table.oc-ranking tbody tr th a")[0]);
    assert_eq!(first, "Toulouse");
    assert_eq!(text(&select(&doc, "table.oc-ranking tbody tr td")[0]), "1er");
    assert!(!select(&doc, "nav.fr-pagination").is_empty(), "paged");
    assert!(body.contains("tri=nom"), "sort links");
    // CSV: every commune of the département with a value, one row each.
    let (s, ctype, csv) = get("/classements/densite.csv?niveau=commune&dans=DEP-31&dialect=standard").await;
    assert_eq!(s, 200);
    assert!(ctype.starts_with("text/csv"));
    let lines: Vec<&str> = csv.lines().collect();
    let g = geo();
    let n = g.communes_of_departement("31").filter(|c| c.kind == oc_model::Kind::Commune).count();
    assert_eq!(lines.len() - 1, n, "header + one row per commune");
    assert!(lines[1].starts_with("1,,31555,Toulouse,"), "{}", lines[1]);
    // JSON: the same rows, counted.
    let (s, j) = get_json("/classements/revenu_median.json?niveau=commune&dans=DEP-34").await;
    assert_eq!(s, 200);
    let ranked = j["classes"].as_u64().unwrap() as usize;
    assert_eq!(j["lignes"].as_array().unwrap().len(), ranked);
    assert!(j["secrets"].as_u64().unwrap() > 0, "Hérault has secret medians");
    assert_eq!(
        ranked + j["secrets"].as_u64().unwrap() as usize + j["sans_valeur"].as_u64().unwrap() as usize,
        g.communes_of_departement("34").filter(|c| c.kind == oc_model::Kind::Commune).count()
    );
    // Ascending: the lowest first; by name: alphabetical.
    let (_, _, asc) = get("/classements/densite?niveau=commune&dans=DEP-31&tri=asc").await;
    let doc = Html::parse_document(&asc);
    let first_asc = text(&select(&doc, "table.oc-ranking tbody tr td")[0]);
    let last_csv = lines.last().unwrap().split(',').next().unwrap().to_owned();
    assert!(first_asc.starts_with(&format!("{last_csv}e")), "{first_asc} vs the CSV's last rank {last_csv}");
    // A stratum, an EPCI's members, levels.
    for u in [
        "/classements/population?niveau=commune&strate=10",
        "/classements/population?niveau=commune&dans=EPCI-243400017",
        "/classements/taux_chomage_15_64?niveau=epci&dans=REG-76",
        "/classements/population?niveau=departement",
        "/classements/population?niveau=region",
        "/classements?carte=taux_chomage_15_64",
    ] {
        let (s, _, body) = get(u).await;
        assert_eq!(s, 200, "{u}");
        assert!(!body.contains("index/") && !body.contains(".toml"), "{u}: no path nor key");
    }
    // Bad input: French messages, never a 500.
    for (u, code, words) in [
        ("/classements/densite?niveau=ville", 400, "niveau « ville » inconnu"),
        ("/classements/densite?dans=DEP-999", 400, "territoire « DEP-999 » inconnu"),
        ("/classements/densite?strate=42", 400, "strate « 42 » inconnue"),
        ("/classements/densite?tri=hasard", 400, "tri « hasard » inconnu"),
        ("/classements/densite?page=0", 400, "page « 0 » invalide"),
        ("/classements/nimporte", 404, "aucun indicateur « nimporte »"),
        ("/classements/densite?niveau=departement&dans=DEP-31", 400, "sans objet pour ce niveau"),
        ("/classements?carte=foo", 400, "carte « foo » inconnue"),
    ] {
        let (s, _, body) = get(u).await;
        assert_eq!(s.as_u16(), code, "{u}");
        assert!(body.contains(words), "{u}: {words} in {}", &body[..body.len().min(400)]);
    }
}

#[tokio::test]
async fn thematic_maps_colour_every_commune_in_stated_classes_with_a_table_twin() {
    let (s, _, body) = get("/departement/haute-garonne-31?carte=taux_pauvrete").await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let svg = select(&doc, "#carte-thematique svg");
    assert_eq!(svg.len(), 1);
    assert!(!select(&doc, "#carte-thematique svg title").is_empty(), "accessible name");
    let classes: Vec<String> = select(&doc, "#carte-thematique svg path")
        .iter()
        .map(|p| p.value().attr("class").unwrap_or("").to_owned())
        .collect();
    assert!(classes.iter().any(|c| c == "oc-q0") && classes.iter().any(|c| c == "oc-q4"), "{classes:?}");
    // The legend's counts cover the communes with a value; the twin table
    // lists every commune.
    let items = select(&doc, ".oc-legend__list li");
    let total: usize = items
        .iter()
        .map(|li| text(li).rsplit('(').next().unwrap().trim_end_matches(')').parse::<usize>().unwrap())
        .sum();
    let g = geo();
    let n = g.communes_of_departement("31").count();
    assert_eq!(total, n, "classes + no data = every commune");
    let twin = select(&doc, "details.oc-series table tbody tr");
    assert!(twin.len() >= n - 1, "{} rows for {n} communes", twin.len());
    assert!(body.contains("selected") && body.contains("value=\"taux_pauvrete\" selected"));
    // Two maps on one page: each its own ids.
    let mut ids: Vec<&str> = select(&doc, "[id]").iter().filter_map(|e| e.value().attr("id")).collect();
    let n_ids = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n_ids, "duplicate ids on the page");
    // Régions: départements; under 400 kB for the largest.
    for u in [
        "/region/nouvelle-aquitaine-75?carte=densite",
        "/region/occitanie-76",
        "/epci/montpellier-mediterranee-metropole-243400017?carte=population",
    ] {
        let (s, _, body) = get(u).await;
        assert_eq!(s, 200, "{u}");
        let doc = Html::parse_document(&body);
        let map = select(&doc, "#carte-thematique svg");
        assert_eq!(map.len(), 1, "{u}");
        assert!(map[0].html().len() < 400_000, "{u}: {} bytes", map[0].html().len());
    }
    // An unknown figure: the default map and a warning, not an error.
    let (s, _, body) = get("/departement/haute-garonne-31?carte=foo").await;
    assert_eq!(s, 200);
    assert!(body.contains("carte « foo » inconnue"));
}

#[test]
fn neighbours_share_a_border_both_ways() {
    let g = geo();
    let n = g.neighbours("34172");
    for x in ["34057", "34129", "34154", "34270", "34116"] {
        assert!(n.iter().any(|c| c == x), "Montpellier borders {x}: {n:?}");
    }
    assert!(!n.iter().any(|c| c == "34172"));
    // Brute force over every pair of the Hérault's communes: neighbours
    // are the pairs with two distinct contour points in common (a ring's
    // repeated closing point and a tripoint counted right).
    let here: Vec<&oc_model::Commune> =
        g.data.communes.iter().filter(|c| c.kind == oc_model::Kind::Commune && c.departement == "34").collect();
    let points: Vec<std::collections::HashSet<(i64, i64)>> =
        here.iter().map(|c| g.contour(&c.code).map(|s| s.vertices().collect()).unwrap_or_default()).collect();
    let mut pairs = 0;
    for (i, a) in here.iter().enumerate() {
        for (j, b) in here.iter().enumerate().skip(i + 1) {
            let shared = points[i].intersection(&points[j]).take(2).count();
            let expected = shared >= 2;
            pairs += usize::from(expected);
            assert_eq!(g.neighbours(&a.code).contains(&b.code), expected, "{} ↔ {}", a.code, b.code);
            assert_eq!(g.neighbours(&b.code).contains(&a.code), expected, "{} ↔ {}", b.code, a.code);
        }
    }
    assert!(pairs > 700, "{pairs} neighbouring pairs in the Hérault");
    // An island commune has none: Île-de-Sein.
    assert!(g.neighbours("29083").is_empty(), "{:?}", g.neighbours("29083"));
}

#[tokio::test]
async fn a_commune_fiche_shows_context_peers_and_its_population_series() {
    let (s, _, body) = get("/commune/montpellier-34172").await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let heads: Vec<String> =
        select(&doc, "#chiffres-cles + div table thead th, h2#chiffres-cles ~ div.fr-table thead th")
            .iter()
            .map(text)
            .collect();
    for h in ["Intercommunalité", "Département", "Région", "France", "Position"] {
        assert!(heads.iter().any(|x| x.starts_with(h)), "{h} in {heads:?}");
    }
    assert!(body.contains("1er sur 341 communes de l'Hérault") || body.contains("sur 341 communes de l'Hérault"));
    assert!(body.contains("centile national"));
    let peers = select(&doc, "section[aria-labelledby=comparer-titre] a.fr-btn");
    assert!(peers.len() >= 2);
    assert!(peers[0].value().attr("href").unwrap().starts_with("/comparer?ids=commune:34172,commune:"));
    assert!(select(&doc, "svg.oc-sparkline").iter().any(|s| s
        .value()
        .attr("aria-label")
        .unwrap_or("")
        .starts_with("Population municipale")));
    assert!(body.len() < 200_000, "{} bytes", body.len());
    // Paris, the largest commune page.
    let (_, _, paris) = get("/commune/paris-75056").await;
    assert!(paris.len() < 200_000, "Paris: {} bytes", paris.len());
}

#[tokio::test]
async fn exports_and_compare_carry_the_context() {
    let (s, _, csv) = get("/commune/montpellier-34172.csv?dialect=standard").await;
    assert_eq!(s, 200);
    let header = csv.lines().next().unwrap();
    for h in [
        "Densité de population (hab./km²) — valeur du département",
        "Densité de population — rang dans le département",
        "Densité de population — centile national",
    ] {
        assert!(header.contains(h), "{h}");
    }
    let (s, j) = get_json("/api/v1/communes/34172").await;
    assert_eq!(s, 200);
    let dens = j["figures"].as_array().unwrap().iter().find(|f| f["id"] == "densite").unwrap();
    assert!(dens["contexte"]["references"].as_array().unwrap().iter().any(|r| r["niveau"] == "france"));
    assert_eq!(dens["contexte"]["rangs"][0]["portee"], "departement");
    let (s, _, body) = get("/comparer?ids=commune:34172,commune:34057&reference=commun").await;
    assert_eq!(s, 200);
    let doc = Html::parse_document(&body);
    let heads: Vec<String> = select(&doc, ".oc-compare thead th").iter().map(text).collect();
    assert!(heads.iter().any(|h| h.starts_with("Référence") && h.contains("Hérault")), "{heads:?}");
    let (_, _, body) = get("/comparer?ids=commune:34172,commune:31555&reference=commun").await;
    assert!(body.contains("Référence") && body.contains("Occitanie"), "common région");
    let (_, _, csv) = get("/comparer.csv?ids=commune:34172,commune:31555&dialect=standard").await;
    assert!(csv.lines().next().unwrap().contains("rang en France"));
}

#[tokio::test]
async fn the_openapi_description_covers_rankings_and_the_context_of_figures() {
    let (_, v) = get_json("/api/v1/openapi.json").await;
    assert!(v["paths"]["/classements/{indicateur}.json"]["get"].is_object());
    let s = &v["components"]["schemas"];
    assert_eq!(s["Figure"]["properties"]["contexte"]["$ref"], "#/components/schemas/FigureContext");
    for k in ["references", "rangs", "centile_national"] {
        assert!(s["FigureContext"]["properties"][k].is_object(), "{k}");
    }
    // Every field the API writes is described.
    let (_, j) = get_json("/classements/densite.json?niveau=departement").await;
    for k in j.as_object().unwrap().keys() {
        assert!(s["Ranking"]["properties"][k].is_object(), "Ranking.{k}");
    }
}
