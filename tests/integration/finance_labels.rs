//! The words of the finance section, on the real OFGL extracts of
//! ../shared/data/finances-ofgl: strata named by their population band
//! (checked against the populations of the rows), missing sources in plain
//! French without configuration keys, the series chart with labelled axes
//! and a table twin, and the source sentence naming the exercices of the
//! fiche rather than of the whole file.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;

use oc_model::finance::{stratum_band, stratum_label, FinanceData, INDICATORS};
use oc_web::format::fmt_num;

use crate::common::html_text as text;
use crate::finances::{ofgl_files, raw_rows};

/// Cazères and its 2024 EPCI, CC Cœur de Garonne.
const CAZERES: &str = "31135";
const COEUR_DE_GARONNE: &str = "200068815";

/// The level of a row (`COM`, `EPCI`, `DEP`, `REG`) and the code of the
/// current collectivité it is counted in.
fn level_of(r: &HashMap<String, String>) -> Option<(&'static str, String)> {
    let get = |c: &str| r.get(c).cloned().unwrap_or_default();
    Some(match get("Catégorie").as_str() {
        "Commune" => ("COM", get("Code Insee 2024 Commune")),
        "GFP" => ("EPCI", get("Code Siren 2024 EPCI")),
        "DEPT" => ("DEP", get("Code Insee 2024 Département")),
        "REG" | "CTU" => ("REG", get("Code Insee 2024 Région")),
        _ => return None,
    })
}

/// The OFGL accounts only (no DETR/DSIL, no DGF criteria), as `load` reads
/// `[sources.finances] ofgl` = the four files.
fn ofgl_only() -> FinanceData {
    let mut d = FinanceData::default();
    oc_ingest::finance::parse_ofgl(&ofgl_files(), &mut d).expect("OFGL files parse");
    d.ofgl = Some(oc_ingest::finance::ofgl_source("ofgl", &d));
    d
}

/// An app on the embedded geography with the OFGL accounts loaded (built
/// once: its territory index takes a while).
fn ofgl_app() -> oc_web::App {
    static APP: OnceLock<(oc_web::App, tempfile::TempDir)> = OnceLock::new();
    APP.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut data = oc_store::embedded_default();
        data.finances = Some(ofgl_only());
        let geo = Arc::new(oc_store::Geo::new(data, 1));
        let territories =
            Arc::new(oc_index::TerritoryIndex::open_or_build(&dir.path().join("territories"), &geo).unwrap());
        (oc_web::App::new(geo, territories), dir)
    })
    .0
    .clone()
}

use crate::common::get_on;

/// The HTML of the "Ressources et finances" section of a page.
fn finance_section(page: &str) -> String {
    let start = page.find("id=\"finances\"").unwrap_or_else(|| panic!("no finance section in {page}"));
    let end = page[start..].find("</section>").expect("the section ends") + start;
    page[start..end].to_owned()
}

/// Text a public page must never show: configuration keys, file names,
/// "(s)" instead of an agreement, a bare stratum code.
fn assert_plain_french(what: &str, html: &str) {
    let t = text(html);
    for bad in ["(s)", "[sources", "sources.finances", ".toml", ".csv", "non chargés", "serveur"] {
        assert!(!html.contains(bad) && !t.contains(bad), "{what}: {bad:?} in {t}");
    }
    let bare = t.match_indices("strate ").any(|(i, m)| t[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(!bare, "{what}: a bare stratum code (\"strate n\") in {t}");
}

/// Cazères' values per agrégat id: year → (euros, population), from the raw rows.
fn cazeres_values() -> BTreeMap<&'static str, BTreeMap<u16, (f64, u64)>> {
    let ids: HashMap<&str, &str> = INDICATORS.iter().map(|(id, a, _)| (*a, *id)).collect();
    let mut out: BTreeMap<&str, BTreeMap<u16, (f64, u64)>> = BTreeMap::new();
    let mut sirens: HashSet<(String, String, String)> = HashSet::new();
    for r in raw_rows() {
        let Some(("COM", code)) = level_of(&r) else { continue };
        let Some(id) = ids.get(r["Agrégat"].as_str()) else { continue };
        let Ok(amount) = r["Montant"].parse::<f64>() else { continue };
        if code != CAZERES {
            continue;
        }
        let year: u16 = r["Exercice"].parse().unwrap();
        let e = out.entry(id).or_default().entry(year).or_default();
        e.0 += amount;
        if sirens.insert((r["Code Siren Collectivité"].clone(), (*id).to_owned(), r["Exercice"].clone())) {
            e.1 += r["Population totale"].parse::<f64>().unwrap() as u64;
        }
    }
    out
}

#[test]
fn commune_strata_bands_hold_the_populations_of_the_real_rows() {
    let mut checked = 0;
    let mut cazeres = BTreeSet::new();
    let mut unnamed: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for r in raw_rows() {
        let Some((level, code)) = level_of(&r) else { continue };
        let Some(strate) = r.get("Strate population 2024").filter(|s| !s.is_empty()) else { continue };
        let pop = r["Population totale"].parse::<f64>().unwrap() as u64;
        match stratum_band(level, strate) {
            Some((lo, hi)) => {
                assert!(
                    pop >= lo && hi.is_none_or(|h| pop <= h),
                    "{level} {code}, {pop} inhabitants, is outside its stratum {strate} ({lo}..{hi:?})"
                );
                assert!(stratum_label(level, strate).is_some());
                checked += 1;
                if code == CAZERES {
                    cazeres.insert((strate.clone(), pop));
                }
            }
            None => {
                assert_ne!(level, "COM", "every commune stratum of the files has a band: {strate}");
                unnamed.entry(level).or_default().insert(strate.clone());
            }
        }
    }
    assert!(checked >= 100, "{checked} commune rows checked");
    // Cazères, 4 871 inhabitants in 2022 (4 824 in 2023), is in stratum 5.
    assert_eq!(cazeres, BTreeSet::from([("5".to_owned(), 4871), ("5".to_owned(), 4824)]));
    assert_eq!(stratum_label("COM", "5").as_deref(), Some("communes de 3\u{202f}500 à 4\u{202f}999 habitants"));
    // The EPCI and département codes cannot be checked on these rows (the
    // 2016 rows are former EPCI, one département): not named.
    assert_eq!(unnamed.keys().copied().collect::<Vec<_>>(), ["DEP", "EPCI"]);
}

#[tokio::test]
async fn the_cazeres_fiche_names_its_stratum_band_in_plain_french() {
    let app = ofgl_app();
    let (status, page) = get_on(&app, "/commune/cazeres-31135").await;
    assert_eq!(status, StatusCode::OK);
    let section = finance_section(&page);
    let t = text(&section);
    let band = "communes de 3\u{202f}500 à 4\u{202f}999 habitants";
    assert_eq!(stratum_label("COM", "5").as_deref(), Some(band));
    assert!(t.contains(&format!("Strate de la collectivité : {band}.")), "the band of stratum 5 is named: {t}");
    assert_plain_french("Cazères", &section);
    // Loaded without the DETR/DSIL file nor the DGF criteria: both said
    // unavailable in plain words, the DGF remark kept.
    assert!(
        t.contains("Les projets subventionnés par la DETR et la DSIL (DGCL) ne sont pas disponibles sur ce portail."),
        "{t}"
    );
    assert!(
        t.contains("ne sont pas disponibles sur ce portail ; la DGF totale est donnée par les comptes de l'OFGL."),
        "{t}"
    );
    let (_, json) = get_on(&app, "/api/v1/communes/31135").await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["finances"]["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["strate_label"] == band), "{rows:?}");
    assert!(
        v["finances"]["missing"].as_array().unwrap().iter().all(|m| !m.as_str().unwrap().contains("[sources")),
        "{}",
        v["finances"]["missing"]
    );

    // CC Cœur de Garonne: a stratum average over several EPCI, a count
    // agreed with its noun, and an EPCI stratum code that is not guessed.
    let geo = app.geo();
    let e = geo.epci(COEUR_DE_GARONNE).expect("CC Cœur de Garonne in COG 2026");
    let (status, page) = get_on(&app, &oc_web::fiche::url(oc_model::KindGroup::Epci, &e.name, &e.code)).await;
    assert_eq!(status, StatusCode::OK);
    let section = finance_section(&page);
    let t = text(&section);
    // Brute force: the 2024 EPCI of stratum 2 with 2016 "Achats et charges externes".
    let peers: HashSet<String> = raw_rows()
        .into_iter()
        .filter(|r| {
            r["Catégorie"] == "GFP"
                && r["Strate population 2024"] == "2"
                && r["Agrégat"] == "Achats et charges externes"
                && r["Exercice"] == "2016"
        })
        .map(|r| r["Code Siren 2024 EPCI"].clone())
        .collect();
    assert!(peers.len() >= 2 && peers.contains(COEUR_DE_GARONNE), "{peers:?}");
    let cell = format!("strate de population 2 (classement OFGL), {} intercommunalités", peers.len());
    assert!(t.contains(&cell), "{cell:?} not in {t}");
    assert_plain_french("CC Cœur de Garonne", &section);
}

#[tokio::test]
async fn the_series_chart_of_cazeres_has_a_table_twin_with_every_year_and_value() {
    let (status, page) = get_on(&ofgl_app(), "/commune/cazeres-31135").await;
    assert_eq!(status, StatusCode::OK);
    let section = finance_section(&page);
    let values = cazeres_values();
    assert!(values.len() >= 8, "{values:?}");
    let mut twins = 0;
    for (id, series) in &values {
        let row = section
            .split("<tr id=\"fin-")
            .find(|s| s.starts_with(&format!("{id}\"")))
            .unwrap_or_else(|| panic!("no row {id}"));
        // Up to the end of the row's last cell (its chart and table twin).
        let row = row.split("</details></td></tr>").next().unwrap();
        assert!(series.len() >= 2, "{id}: {series:?}");
        let per_hab: Vec<(u16, String)> = series
            .iter()
            .map(|(y, (amount, pop))| (*y, format!("{} €/hab.", fmt_num(amount / *pop as f64, 0))))
            .collect();
        // The chart: first and last exercice, lowest and highest value labelled.
        let svg = row
            .split("<svg")
            .nth(1)
            .and_then(|s| s.split("</svg>").next())
            .unwrap_or_else(|| panic!("{id}: no chart in {row}"));
        let (first, last) = (per_hab[0].0, per_hab[per_hab.len() - 1].0);
        assert!(
            svg.contains(&format!(">{first}</text>")) && svg.contains(&format!(">{last}</text>")),
            "{id}: years on the axis: {svg}"
        );
        let nums: Vec<f64> = series.values().map(|(a, p)| a / *p as f64).collect();
        let (lo, hi) = (
            nums.iter().copied().fold(f64::INFINITY, f64::min),
            nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        for v in [lo, hi] {
            assert!(svg.contains(&format!(">{} €/hab.</text>", fmt_num(v, 0))), "{id}: {v} labelled: {svg}");
        }
        assert!(svg.contains("role=\"img\""), "{id}");
        let aria = svg.split("aria-label=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
        for (y, v) in &per_hab {
            assert!(aria.contains(&format!("{y} : {v}")), "{id}: {y} in {aria}");
        }
        // The twin: every exercice and its value, and nothing more.
        let twin =
            row.split("<details class=\"oc-series\">").nth(1).unwrap_or_else(|| panic!("{id}: no table twin in {row}"));
        assert!(
            twin.contains("<summary class=\"fr-text--xs\">Voir les valeurs</summary>") && twin.contains("<table"),
            "{id}: {twin}"
        );
        for (y, v) in &per_hab {
            assert!(
                twin.contains(&format!("<th scope=\"row\">{y}</th><td class=\"oc-num\">{v}</td>")),
                "{id}: {y} → {v} not in {twin}"
            );
        }
        assert_eq!(twin.matches("<th scope=\"row\">").count(), per_hab.len(), "{id}: one line per exercice");
        twins += 1;
    }
    assert_eq!(twins, values.len());
    for bad in ["style=", "<script"] {
        assert!(!section.contains(bad), "{bad}: blocked by the strict CSP");
    }
}

#[tokio::test]
async fn the_source_sentence_names_the_exercices_shown_on_the_fiche() {
    let app = ofgl_app();
    // Cazères' exercices in the files, and those of the files as a whole.
    let shown: BTreeSet<u16> = cazeres_values().values().flat_map(|s| s.keys().copied()).collect();
    let all: BTreeSet<u16> = raw_rows().iter().map(|r| r["Exercice"].parse().unwrap()).collect();
    assert_eq!(shown, BTreeSet::from([2022, 2023]));
    assert!(all.contains(&2016), "the EPCI file goes back to 2016: {all:?}");
    let (_, page) = get_on(&app, "/commune/cazeres-31135").await;
    let section = finance_section(&page);
    let source = section
        .split("<p class=\"fr-text--xs oc-source\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .expect("a source sentence");
    let t = text(source);
    assert!(
        t.contains(
            "Comptes consolidés des collectivités (budgets principaux et annexes), millésime : exercices 2022 et 2023."
        ),
        "{t}"
    );
    for y in all.difference(&shown) {
        assert!(!t.contains(&y.to_string()), "{y} is not shown for Cazères: {t}");
    }
    let (_, json) = get_on(&app, "/api/v1/communes/31135").await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["finances"]["exercices"], serde_json::json!([2022, 2023]));
    // One exercice: CC Cœur de Garonne, 2016 only.
    let geo = app.geo();
    let e = geo.epci(COEUR_DE_GARONNE).unwrap();
    let (_, page) = get_on(&app, &oc_web::fiche::url(oc_model::KindGroup::Epci, &e.name, &e.code)).await;
    let section = finance_section(&page);
    let source =
        section.split("<p class=\"fr-text--xs oc-source\">").nth(1).and_then(|s| s.split("</p>").next()).unwrap();
    assert!(text(source).contains("millésime : exercice 2016."), "{}", text(source));
}

#[tokio::test]
async fn without_finances_the_section_says_they_are_not_available_on_this_portal() {
    // The embedded default carries finances: a server without them.
    let mut data = oc_store::embedded_default();
    data.finances = None;
    let geo = Arc::new(oc_store::Geo::new(data, 1));
    let dir = tempfile::tempdir().unwrap();
    let territories = Arc::new(oc_index::TerritoryIndex::open_or_build(&dir.path().join("t"), &geo).unwrap());
    let app = oc_web::App::new(geo, territories);
    let (status, page) = get_on(&app, "/commune/cazeres-31135").await;
    assert_eq!(status, StatusCode::OK);
    let section = finance_section(&page);
    let t = text(&section);
    for sentence in [
        "Les comptes de cette collectivité (OFGL) ne sont pas disponibles sur ce portail.",
        "Les projets subventionnés par la DETR et la DSIL (DGCL) ne sont pas disponibles sur ce portail.",
        "Les critères de répartition de la DGF (DGCL : dotation forfaitaire, DSU, DSR, DNP) ne sont pas disponibles \
            sur ce portail.",
    ] {
        assert!(t.contains(sentence), "{sentence:?} not in {t}");
    }
    assert_plain_french("Cazères without finances", &section);
    let (status, body) = get_on(&app, "/api/v1/communes/31135").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let missing = v["finances"]["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 3, "{missing:?}");
    for m in missing {
        let m = m.as_str().unwrap();
        assert!(
            m.contains("ne sont pas disponibles sur ce portail") && !m.contains('[') && !m.contains(".toml"),
            "{m}"
        );
    }
}
