//! Local finances (issue 8): the OFGL and DETR/DSIL loaders on the real
//! files of ../shared/data and fixtures cut from them, each indicator at its
//! own latest exercice on the fiche, stratum averages recomputed by brute
//! force, finance columns with their years in compare and exports, absent
//! sources named.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;

use oc_model::finance::{FinanceData, INDICATORS};
use oc_store::Geo;

use crate::common::{root, shared_data};

pub(crate) fn ofgl_files() -> Vec<(String, Vec<u8>)> {
    [
        "ofgl-base-communes-consolidee.test.csv",
        "ofgl-base-epci.test.csv",
        "ofgl-base-departement.test.csv",
        "ofgl-base-region.test.csv",
    ]
    .iter()
    .map(|n| {
        let p = shared_data().join("finances-ofgl").join(n);
        (p.display().to_string(), std::fs::read(&p).expect("OFGL file"))
    })
    .collect()
}

fn grants_file() -> (String, Vec<u8>) {
    let p = shared_data().join("dotations-detr-dsil-2018/Projets_DI_2018.csv");
    (p.display().to_string(), std::fs::read(&p).expect("DETR/DSIL file"))
}

fn fixture(name: &str) -> (String, Vec<u8>) {
    let p = root().join("tests/data/finances").join(name);
    (p.display().to_string(), std::fs::read(&p).expect("fixture"))
}

/// The real files, loaded as `load` does.
fn real_finances() -> &'static FinanceData {
    static F: OnceLock<FinanceData> = OnceLock::new();
    F.get_or_init(|| {
        let mut d = FinanceData::default();
        oc_ingest::finance::parse_ofgl(&ofgl_files(), &mut d).expect("OFGL files parse");
        oc_ingest::finance::parse_grants(&[grants_file()], &mut d).expect("DETR/DSIL file parses");
        d.ofgl = Some(oc_ingest::finance::ofgl_source("ofgl", &d));
        d.grants = Some(oc_ingest::finance::grants_source("detr", &d));
        d
    })
}

/// The raw rows of the OFGL files, read independently of the loader.
pub(crate) fn raw_rows() -> Vec<HashMap<String, String>> {
    let mut out = Vec::new();
    for (_, bytes) in ofgl_files() {
        let text = String::from_utf8(bytes).unwrap();
        let mut rdr =
            csv::ReaderBuilder::new().delimiter(b';').from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = rdr.headers().unwrap().clone();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            out.push(headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect());
        }
    }
    out
}

/// A collectivité key, an indicator, an exercice.
type Slot = (String, String, u16);

fn key_of(r: &HashMap<String, String>) -> Option<String> {
    let get = |c: &str| r.get(c).cloned().unwrap_or_default();
    Some(match get("Catégorie").as_str() {
        "Commune" => format!("COM-{}", get("Code Insee 2024 Commune")),
        "GFP" => format!("EPCI-{}", get("Code Siren 2024 EPCI")),
        "DEPT" => format!("DEP-{}", get("Code Insee 2024 Département")),
        "REG" | "CTU" => format!("REG-{}", get("Code Insee 2024 Région")),
        _ => return None,
    })
}

#[test]
fn the_ofgl_loader_maps_every_column_of_the_real_files() {
    let d = real_finances();
    let ids: HashMap<&str, &str> = INDICATORS.iter().map(|(id, a, _)| (*a, *id)).collect();
    // Brute force: (key, indicator, year) → amount, distinct sirens' population, strate.
    let mut expected: BTreeMap<Slot, (f64, u64, Option<String>, HashSet<String>)> = BTreeMap::new();
    for r in raw_rows() {
        let Some(id) = ids.get(r["Agrégat"].as_str()) else { continue };
        let Some(key) = key_of(&r) else { continue };
        let Ok(amount) = r["Montant"].parse::<f64>() else { continue };
        let e = expected.entry((key, (*id).to_owned(), r["Exercice"].parse().unwrap())).or_default();
        e.0 += amount;
        if e.3.insert(r["Code Siren Collectivité"].clone()) {
            e.1 += r["Population totale"].parse::<f64>().map(|p| p as u64).unwrap_or(0);
        }
        if e.2.is_none() {
            e.2 = r.get("Strate population 2024").filter(|s| !s.is_empty()).cloned();
        }
    }
    assert!(expected.len() > 40, "{} values expected", expected.len());
    let mut seen = 0;
    for ((key, id, year), (amount, pop, strate, _)) in &expected {
        let v = d
            .accounts
            .get(key)
            .and_then(|vs| vs.iter().find(|v| *v.indicator == **id && v.year == *year))
            .unwrap_or_else(|| panic!("{key} {id} {year} not loaded"));
        assert!((v.amount - amount).abs() <= 0.005 + 1e-9, "{key} {id} {year}: {} vs {amount} (to the cent)", v.amount);
        assert_eq!(v.population, Some(*pop).filter(|p| *p > 0), "{key} {id} {year}");
        assert_eq!(v.strate.map(|s| s.to_string()), *strate, "{key} {id} {year}");
        seen += 1;
    }
    let loaded: usize = d.accounts.values().map(Vec::len).sum();
    assert_eq!(loaded, seen, "nothing more than the files hold");
    // Every level is there, with its own key.
    for k in ["COM-31135", "DEP-31", "REG-76"] {
        assert!(
            d.accounts
                .get(k)
                .is_some_and(|v| v.iter().any(|x| x.indicator == "dgf" || x.indicator == "recettes_fonctionnement")),
            "{k}"
        );
    }
    // Former EPCI of 2016 are added up into their 2024 EPCI.
    let merged: Vec<_> = raw_rows()
        .into_iter()
        .filter(|r| r["Catégorie"] == "GFP" && r["Code Siren Collectivité"] != r["Code Siren 2024 EPCI"])
        .collect();
    assert!(!merged.is_empty(), "the EPCI file has former EPCI");
    let target = format!("EPCI-{}", merged[0]["Code Siren 2024 EPCI"]);
    let sum: f64 = raw_rows()
        .iter()
        .filter(|r| {
            key_of(r).as_deref() == Some(target.as_str())
                && r["Agrégat"] == "Achats et charges externes"
                && r["Exercice"] == "2016"
        })
        .map(|r| r["Montant"].parse::<f64>().unwrap())
        .sum();
    let v = d.accounts[&target].iter().find(|v| v.indicator == "achats_charges_externes" && v.year == 2016).unwrap();
    assert!((v.amount - sum).abs() <= 0.005 + 1e-9);
}

#[test]
fn stratum_averages_match_a_brute_force_recomputation() {
    let d = real_finances();
    assert!(!d.strata.is_empty());
    // From the raw rows: level|strate|indicator|year → (amount, population, collectivités).
    let ids: HashMap<&str, &str> = INDICATORS.iter().map(|(id, a, _)| (*a, *id)).collect();
    let mut per_key: BTreeMap<Slot, (f64, u64, String, HashSet<String>)> = BTreeMap::new();
    for r in raw_rows() {
        let (Some(id), Some(key)) = (ids.get(r["Agrégat"].as_str()), key_of(&r)) else { continue };
        let Some(strate) = r.get("Strate population 2024").filter(|s| !s.is_empty()).cloned() else { continue };
        let Ok(amount) = r["Montant"].parse::<f64>() else { continue };
        let e = per_key
            .entry((key, (*id).to_owned(), r["Exercice"].parse().unwrap()))
            .or_insert_with(|| (0.0, 0, strate, HashSet::new()));
        e.0 += amount;
        if e.3.insert(r["Code Siren Collectivité"].clone()) {
            e.1 += r["Population totale"].parse::<f64>().map(|p| p as u64).unwrap_or(0);
        }
    }
    let mut strata: BTreeMap<String, (f64, u64, u32)> = BTreeMap::new();
    for ((key, id, year), (amount, pop, strate, _)) in per_key {
        if pop == 0 {
            continue;
        }
        let level = key.split('-').next().unwrap().to_owned();
        let s = strata.entry(format!("{level}|{strate}|{id}|{year}")).or_default();
        s.0 += amount;
        s.1 += pop;
        s.2 += 1;
    }
    assert_eq!(strata.len(), d.strata.len());
    for (k, (amount, pop, n)) in &strata {
        let s = &d.strata[k];
        assert_eq!((s.population, s.count), (*pop, *n), "{k}");
        let avg = amount / *pop as f64;
        assert!((s.per_inhabitant().unwrap() - avg).abs() < 1e-4, "{k}: amounts are kept to the cent");
    }
}

#[test]
fn the_grants_loader_reads_the_national_file() {
    let d = real_finances();
    // Brute force: every commune or EPCI row of the file.
    let (_, bytes) = grants_file();
    let mut rdr = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[..]);
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (ech, com, epci) = (col("ECHELON"), col("INSEECOM"), col("INSEEEPCI"));
    let mut expected = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if (rec[ech].trim() == "Commune" && !rec[com].trim().is_empty() && rec[com].trim() != "0")
            || (rec[ech].trim() == "EPCI" && rec[epci].trim().len() == 9)
        {
            expected += 1;
        }
    }
    let loaded: usize = d.projects.values().map(Vec::len).sum();
    assert_eq!(loaded, expected);
    assert!(loaded > 25_000, "{loaded}");
    // A multi-line quoted beneficiary; French decimal commas elsewhere in the row.
    let p = &d.projects["COM-01015"];
    let x = p.iter().find(|x| x.id == "2018DI00006").unwrap();
    assert_eq!((x.dotation.as_str(), x.year, x.cost, x.subsidy), ("DETR", 2018, Some(38229.0), Some(19114.0)));
    assert_eq!(x.description, "Réparation de la toiture du clocher de l’église d’Arbignieu");
    assert!(d.projects.keys().any(|k| k.starts_with("EPCI-")));
}

#[test]
fn missing_values_and_bad_files_get_clear_messages() {
    // The cut fixture: 2023 DGF removed, one 2023 amount left empty.
    let mut d = FinanceData::default();
    let w = oc_ingest::finance::parse_ofgl(&[fixture("ofgl-cazeres-sans-dgf-2023.csv")], &mut d).unwrap();
    assert!(w.is_empty(), "{w:?}");
    let eq: Vec<u16> = d.series("COM-31135", "depenses_equipement").iter().map(|v| v.year).collect();
    assert_eq!(eq, vec![2022], "an empty amount is no value");
    let mut g = FinanceData::default();
    oc_ingest::finance::parse_grants(&[fixture("detr-dsil-2018-extrait.csv")], &mut g).unwrap();
    let coucouron = &g.projects["COM-07071"][0];
    assert_eq!(
        (coucouron.description.as_str(), coucouron.subsidy),
        ("", Some(26507.0)),
        "an empty description is kept empty"
    );
    // A file without the expected columns names itself and the column.
    let e = oc_ingest::finance::parse_ofgl(
        &[("comptes.csv".into(), b"Exercice;Montant\n2023;12\n".to_vec())],
        &mut FinanceData::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("comptes.csv") && e.contains("Catégorie"), "{e}");
    // A bad number is a warning with its line; the row is left out.
    let (name, bytes) = fixture("ofgl-cazeres-sans-dgf-2023.csv");
    let text = String::from_utf8(bytes).unwrap().replacen(";5450362.94;", ";cinq millions;", 1);
    let mut d2 = FinanceData::default();
    let w = oc_ingest::finance::parse_ofgl(&[(name, text.into_bytes())], &mut d2).unwrap();
    assert!(w.iter().any(|m| m.contains("line 40") && m.contains("Montant")), "{w:?}");
    // `\N` (a database null) is an empty value: no warning, no value.
    let (name, bytes) = fixture("ofgl-cazeres-sans-dgf-2023.csv");
    let text = String::from_utf8(bytes).unwrap().replacen(";5450362.94;", ";\\N;", 1);
    let mut d3 = FinanceData::default();
    let w = oc_ingest::finance::parse_ofgl(&[(name.clone(), text.into_bytes())], &mut d3).unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        d3.accounts["COM-31135"].len(),
        d2.accounts["COM-31135"].len(),
        "the \\N row is left out like the bad one"
    );
    // A strate that is not a stratum code is counted in one warning and
    // left without a stratum; the values are kept.
    let (_, bytes) = fixture("ofgl-cazeres-sans-dgf-2023.csv");
    let long = "x".repeat(40);
    let text =
        String::from_utf8(bytes).unwrap().replace(";CC Cœur de Garonne;5;", &format!(";CC Cœur de Garonne;{long};"));
    let mut d4 = FinanceData::default();
    let w = oc_ingest::finance::parse_ofgl(&[(name, text.into_bytes())], &mut d4).unwrap();
    assert!(w.len() == 1 && w[0].contains("Strate population 2024"), "{w:?}");
    assert!(d4.accounts["COM-31135"].iter().all(|v| v.strate.is_none()) && !d4.accounts["COM-31135"].is_empty());
    assert_eq!(oc_ingest::finance::number("1 234,50"), Ok(Some(1234.5)));
    assert_eq!(oc_ingest::finance::number("0,3999670062"), Ok(Some(0.3999670062)));
}

/// The embedded geography plus the finances of `d`.
fn geo_with(d: FinanceData) -> Geo {
    let mut data = oc_store::embedded_default();
    data.finances = Some(d);
    Geo::new(data, 1)
}

fn fixture_finances() -> FinanceData {
    let mut d = FinanceData::default();
    oc_ingest::finance::parse_ofgl(&[fixture("ofgl-cazeres-sans-dgf-2023.csv")], &mut d).unwrap();
    oc_ingest::finance::parse_grants(&[fixture("detr-dsil-2018-extrait.csv")], &mut d).unwrap();
    d.ofgl = Some(oc_ingest::finance::ofgl_source("fixture", &d));
    d.grants = Some(oc_ingest::finance::grants_source("fixture", &d));
    assert_eq!(d.ofgl.as_ref().map(|s| s.vintage.as_str()), Some("exercices 2022 à 2023"));
    d
}

#[test]
fn a_fiche_shows_each_indicator_at_its_own_latest_exercice() {
    let geo = geo_with(fixture_finances());
    let c = geo.commune("31135").unwrap();
    let f = oc_web::fiche::data::commune(&geo, c);
    let row = |id: &str| f.finances.rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(row("dgf").year, 2022, "the DGF of 2023 is not in the file: 2022 is shown");
    assert_eq!(row("recettes_fonctionnement").year, 2023, "next to a newer agrégat");
    assert_eq!(row("recettes_fonctionnement").series.len(), 2);
    let fig = |id: &str| f.figures.iter().find(|x| x.id == id).and_then(|x| x.value);
    assert_eq!(fig("dgf_exercice"), Some(2022.0));
    assert_eq!(fig("recettes_fonctionnement_exercice"), Some(2023.0));
    let html = oc_web::fiche::html::render(
        &geo,
        &oc_web::map::MapCache::default(),
        &f,
        &oc_web::fiche::html::Options::default(),
    )
    .into_string();
    let cut = |id: &str| {
        html.split(&format!("id=\"fin-{id}\""))
            .nth(1)
            .and_then(|s| s.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row {id}"))
            .to_owned()
    };
    assert!(cut("dgf").contains(">2022<"), "{}", cut("dgf"));
    assert!(
        cut("recettes_fonctionnement").contains(">2023<") && cut("recettes_fonctionnement").contains("<svg"),
        "a series of two exercices is drawn"
    );
    assert!(
        html.contains("Ressources et finances") && html.contains("critères de répartition de la DGF"),
        "the missing DGF criteria are named"
    );
    // DETR/DSIL projects of a commune.
    let f = oc_web::fiche::data::commune(&geo, geo.commune("01002").unwrap());
    assert_eq!(f.finances.projects.len(), 1);
    let html = oc_web::fiche::html::render(
        &geo,
        &oc_web::map::MapCache::default(),
        &f,
        &oc_web::fiche::html::Options::default(),
    )
    .into_string();
    let subsidy = oc_web::format::fmt_num(58226.0, 0);
    assert!(html.contains("aménagement de la place du pèse-lait") && html.contains(&subsidy), "project, subsidy");
}

#[test]
fn absent_sources_are_named_not_left_as_empty_tables() {
    // The embedded default carries finances: reference data without them.
    let mut data = oc_store::embedded_default();
    data.finances = None;
    let geo = Geo::new(data, 1);
    let f = oc_web::fiche::data::commune(&geo, geo.commune("31135").unwrap());
    assert!(f.finances.rows.is_empty());
    assert!(f.figures.iter().all(|x| x.source != "ofgl"), "no empty finance columns");
    let html = oc_web::fiche::html::render(
        &geo,
        &oc_web::map::MapCache::default(),
        &f,
        &oc_web::fiche::html::Options::default(),
    )
    .into_string();
    assert!(
        html.contains("Sources manquantes") && html.contains("(OFGL)") && html.contains("DETR"),
        "the section names the missing sources"
    );
    assert!(!html.contains("oc-finances"), "no empty table");
    let d = oc_web::fiche::data::departement(&geo, geo.departement("31").unwrap());
    assert!(d.finances.missing.iter().any(|m| m.contains("DETR")), "départements receive DSID grants");
}

use crate::common::get_on;

#[tokio::test]
async fn compare_and_exports_carry_finance_columns_with_their_years() {
    let dir = tempfile::tempdir().unwrap();
    let geo = Arc::new(geo_with(fixture_finances()));
    let territories = Arc::new(oc_index::TerritoryIndex::open_or_build(&dir.path().join("territories"), &geo).unwrap());
    let app = oc_web::App::new(geo, territories);
    let (status, csv) = get_on(&app, "/comparer.csv?ids=commune:31135,commune:01002").await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    for h in [
        "Dotation globale de fonctionnement (DGF) (€",
        "Dotation globale de fonctionnement (DGF) par habitant (€/hab.",
        "Dotation globale de fonctionnement (DGF) : exercice (année",
        "Subventions DETR et DSIL (€",
    ] {
        assert!(header.contains(h), "{h} not in {header}");
    }
    let sep = if header.contains(';') { ';' } else { ',' };
    let cols: Vec<&str> = header.split(sep).collect();
    let cazeres: Vec<&str> = lines.find(|l| l.contains("Cazères")).unwrap().split(sep).collect();
    let at = |name: &str| cols.iter().position(|c| c.contains(name)).unwrap();
    assert_eq!(cazeres[at("(DGF) : exercice")], "2022");
    assert_eq!(cazeres[at("Recettes de fonctionnement : exercice")], "2023");
    let (status, json) = get_on(&app, "/comparer.json?ids=commune:31135,commune:01002").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        json.contains("dgf_exercice") && json.contains("detr_dsil_subventions"),
        "{}",
        &json[..json.len().min(500)]
    );
    let (status, page) = get_on(&app, "/comparer?ids=commune:31135,commune:01002").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Dotation globale de fonctionnement (DGF)"));
    let (status, fiche_csv) = get_on(&app, "/commune/cazeres-31135.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(fiche_csv.contains("exercice"));
    let (status, fiche_json) = get_on(&app, "/api/v1/communes/31135").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&fiche_json).unwrap();
    assert!(v["finances"]["rows"].as_array().unwrap().iter().any(|r| r["id"] == "dgf" && r["year"] == 2022));
}

/// The DGCL criteria files: no real extract could be fetched on the build
/// machine (no network), and figures are never invented, so the fixture
/// has the published header (2024 names) and real communes with every
/// value missing. It checks that every column is recognised (2024 and
/// older names), codes are padded, missing values stay missing, and bad
/// files or numbers get clear messages.
#[test]
fn the_dgf_criteria_loader_knows_the_published_columns() {
    let (name, bytes) = fixture("dgf-criteres-2024-entete.csv");
    let mut d = FinanceData::default();
    let w = oc_ingest::finance::parse_dgf(&[(2024, name.clone(), bytes.clone())], &mut d).unwrap();
    assert!(w.is_empty(), "every column recognised: {w:?}");
    assert!(d.dgf_parts.is_empty(), "missing values stay missing");
    // The names of earlier years.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let older = text
        .replace(
            "Dotation de solidarité urbaine et de cohésion sociale - Montant total réparti",
            "Dotation de solidarité urbaine - Montant total réparti",
        )
        .replace(
            "Dotation de solidarité rurale - Fraction bourg-centre - Montant global réparti",
            "Dotation de solidarité rurale Bourg-centre - Montant global réparti",
        )
        .replace(
            "Dotation de solidarité rurale - Fraction péréquation - Montant global réparti",
            "Dotation de solidarité rurale - Péréquation - Montant global réparti (après garantie CN)",
        )
        .replace(
            "Dotation de solidarité rurale - Fraction cible - Montant global réparti",
            "Dotation de solidarité rurale - Cible - Montant global réparti",
        )
        .replace("Population DGF de l'année N", "Population DGF Année N'");
    let w =
        oc_ingest::finance::parse_dgf(&[(2021, "2021.csv".into(), older.into_bytes())], &mut FinanceData::default())
            .unwrap();
    assert!(w.is_empty(), "older names recognised: {w:?}");
    // A column missing is named; a bad number is a warning with its line.
    let cut =
        text.replace(";Dotation nationale de péréquation - DNP totale", "").replace(";;;;;;;;\r\n", ";;;;;;;\r\n");
    let w = oc_ingest::finance::parse_dgf(&[(2024, "c.csv".into(), cut.into_bytes())], &mut FinanceData::default())
        .unwrap();
    assert!(w.iter().any(|m| m.contains("DNP")), "{w:?}");
    let bad = text.replacen("31135;Cazères;;", "31135;Cazères;n.c.;", 1);
    let w = oc_ingest::finance::parse_dgf(&[(2024, "b.csv".into(), bad.into_bytes())], &mut FinanceData::default())
        .unwrap();
    assert!(w.iter().any(|m| m.contains("b.csv, line 2") && m.contains("n.c.")), "{w:?}");
    let e = oc_ingest::finance::parse_dgf(
        &[(2024, "x.csv".into(), b"Commune;Montant\n31135;12\n".to_vec())],
        &mut FinanceData::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("x.csv") && e.contains("Code INSEE"), "{e}");
    let _ = name;
}

/// `load` streams the OFGL exports: served over HTTP (here a loopback
/// server giving the real extracts), each is written to a download folder
/// chunk by chunk, read row by row, then removed. The values are those of
/// the same files read from disk; a truncated transfer is an error that
/// leaves nothing behind.
#[tokio::test]
async fn ofgl_exports_are_streamed_from_http_and_match_the_files() {
    use axum::http::header;
    use axum::response::IntoResponse;
    let files = ofgl_files();
    let served = files.clone();
    let mut app = axum::Router::new();
    for (i, (_, bytes)) in served.into_iter().enumerate() {
        app = app.route(
            &format!("/exports/{i}.csv"),
            axum::routing::get(move || async move {
                ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response()
            }),
        );
    }
    let head = files[0].1[..5000].to_vec();
    let full = files[0].1.len().to_string();
    app = app.route(
        "/exports/truncated.csv",
        axum::routing::get(move || async move {
            ([(header::CONTENT_TYPE, "text/csv".to_owned()), (header::CONTENT_LENGTH, full)], head).into_response()
        }),
    );
    let addr = crate::common::serve_loopback(app).await;
    let scratch = tempfile::tempdir().expect("tempdir");
    let downloads = scratch.path().join("downloads");
    let source = opencollectivites::config::FinanceSource {
        ofgl: (0..files.len()).map(|i| format!("http://{addr}/exports/{i}.csv")).collect(),
        grants: vec![],
        dgf: vec![],
    };
    let (streamed, _) = opencollectivites::load_finances(&source, &downloads).await.expect("streamed load");
    let mut from_files = FinanceData::default();
    oc_ingest::finance::parse_ofgl(&files, &mut from_files).expect("files parse");
    assert!(!from_files.accounts.is_empty());
    assert_eq!(streamed.accounts, from_files.accounts, "the same values as the files read from disk");
    assert_eq!(streamed.strata, from_files.strata);
    assert_eq!(std::fs::read_dir(&downloads).expect("downloads folder").count(), 0, "downloads removed after reading");
    let truncated = opencollectivites::config::FinanceSource {
        ofgl: vec![format!("http://{addr}/exports/truncated.csv")],
        grants: vec![],
        dgf: vec![],
    };
    let e = opencollectivites::load_finances(&truncated, &downloads)
        .await
        .expect_err("a truncated export is refused")
        .to_string();
    assert!(e.contains("truncated.csv"), "{e}");
    assert_eq!(std::fs::read_dir(&downloads).expect("downloads folder").count(), 0, "nothing left behind");
    let missing = opencollectivites::config::FinanceSource {
        ofgl: vec![format!("http://{addr}/exports/none.csv")],
        grants: vec![],
        dgf: vec![],
    };
    let e = opencollectivites::load_finances(&missing, &downloads).await.expect_err("a 404 is refused").to_string();
    assert!(e.contains("404"), "{e}");
}

/// The 2024 criteria file as the DGCL publishes it (`criteres_repartition_2024.csv`):
/// `,`-separated, with the published names of its columns (the 62 that
/// LexImpact's `leximpact-dotations-back` 8.0.0 maps, order not
/// significant) and real communes, every value missing (no real figures
/// could be fetched here). Each part shown on fiches is found under its
/// 2024 name; the DNP, which that mapping does not name, is reported
/// missing rather than guessed.
#[test]
fn the_dgf_criteria_loader_reads_the_published_2024_layout() {
    let (name, bytes) = fixture("dgf-criteres-2024-colonnes-publiees.csv");
    let header = String::from_utf8(bytes.clone()).unwrap().lines().next().unwrap().to_owned();
    assert_eq!(header.split(',').count(), 62);
    let mut d = FinanceData::default();
    let w = oc_ingest::finance::parse_dgf(&[(2024, name, bytes)], &mut d).unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("Dotation nationale de péréquation"), "{w:?}");
    assert!(d.dgf_parts.is_empty(), "missing values stay missing");
}
