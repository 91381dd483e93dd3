//! The DGCL's "Liste et composition des EPCI à fiscalité propre"
//! (issue 17): the real `epcicom2023.xlsx` read as published, every
//! difference with the COG found (recomputed here on their own), the
//! figures on the EPCI fiches, and its yearly update in one command.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use calamine::{Data, Reader, Xlsx};

use crate::common::shared_data;

fn file() -> std::path::PathBuf {
    shared_data().join("dgcl-epcicom-2023/epcicom2023.xlsx")
}

/// The file read here with calamine alone: SIREN → (nature, financing,
/// population totale, INSEE codes of the members).
fn rows() -> BTreeMap<String, (String, String, u64, BTreeSet<String>)> {
    let mut wb: Xlsx<_> = calamine::open_workbook(file()).unwrap();
    let range = wb.worksheet_range("Epcicom2023").unwrap();
    let mut it = range.rows();
    let header: Vec<String> = it.next().unwrap().iter().map(|c| c.to_string()).collect();
    let at = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (s, n, f, p, i) = (at("siren"), at("nature_juridique"), at("mode_financ"), at("total_pop_tot"), at("insee"));
    let mut out: BTreeMap<String, (String, String, u64, BTreeSet<String>)> = BTreeMap::new();
    for r in it {
        let siren = match &r[s] {
            Data::Float(x) => format!("{}", *x as u64),
            other => other.to_string(),
        };
        let pop = match &r[p] {
            Data::Float(x) => *x as u64,
            other => panic!("population {other:?}"),
        };
        let e = out.entry(siren).or_insert_with(|| (r[n].to_string(), r[f].to_string(), pop, BTreeSet::new()));
        e.3.insert(r[i].to_string());
    }
    out
}

#[test]
fn the_real_list_is_read_as_published_and_set_beside_the_cog() {
    let bytes = std::fs::read(file()).unwrap();
    let parsed = oc_ingest::epcicom::parse_epcicom("epcicom2023.xlsx", &bytes).unwrap();
    assert_eq!(parsed.year, 2023);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    // The counts of the file (PROVENANCE.md, checked with openpyxl).
    assert_eq!(parsed.epci.len(), 1_255);
    let count = |f: &dyn Fn(&oc_model::epcicom::DgclEpci) -> bool| parsed.epci.values().filter(|e| f(e)).count();
    assert_eq!(count(&|e| e.nature == "CC"), 992);
    assert_eq!(count(&|e| e.nature == "CA"), 227);
    assert_eq!(count(&|e| e.nature == "METRO"), 21);
    assert_eq!(count(&|e| e.nature == "CU"), 14);
    assert_eq!(count(&|e| e.nature == "MET69"), 1);
    assert_eq!(count(&|e| e.financing == "FPU"), 1_090);
    assert_eq!(count(&|e| e.financing == "FA"), 165);
    assert_eq!(parsed.members.values().map(BTreeSet::len).sum::<usize>(), 34_941);
    // Everything equals the file read on its own.
    let raw = rows();
    for (siren, (nature, fin, pop, members)) in &raw {
        let e = &parsed.epci[siren];
        assert_eq!((&e.nature, &e.financing, e.population_totale), (nature, fin, Some(*pop)), "{siren}");
        assert_eq!(&parsed.members[siren], members, "{siren}");
    }
    // Beside the COG: each kind of difference, recomputed here.
    let geo = crate::common::app().geo();
    let (kept, report) = oc_ingest::epcicom::check("epcicom2023.xlsx", &parsed, &geo.data);
    let cog: BTreeMap<&str, &oc_model::Epci> =
        geo.data.epci.iter().filter(|e| e.legal_form != "EPT").map(|e| (e.code.as_str(), e)).collect();
    let natures: Vec<&String> = raw.iter().filter(|(s, r)| cog[s.as_str()].legal_form != r.0).map(|(s, _)| s).collect();
    let financings: Vec<&String> =
        raw.iter().filter(|(s, r)| cog[s.as_str()].tax_regime != r.1).map(|(s, _)| s).collect();
    let compositions: Vec<&String> = raw
        .iter()
        .filter(|(s, r)| cog[s.as_str()].membres.iter().cloned().collect::<BTreeSet<_>>() != r.3)
        .map(|(s, _)| s)
        .collect();
    assert_eq!(natures.len(), 3, "{natures:?}");
    assert!(natures.contains(&&"243400520".to_owned()), "Lunel Agglo became a CA");
    let line = |what: &str| report.iter().find(|l| l.contains(what)).unwrap_or_else(|| panic!("{what}: {report:?}"));
    assert!(line("nature juridique differs").contains(&format!("for {} EPCI", natures.len())));
    assert!(line("mode de financement differs").contains(&format!("for {} EPCI", financings.len())));
    assert!(line("members differ").contains(&format!("for {} EPCI", compositions.len())));
    assert!(line("members differ").contains("200023075"), "the first EPCI whose composition changed is named");
    assert!(!report.iter().any(|l| l.contains("not in the COG") || l.contains("not in the file")), "{report:?}");
    // What is kept says, per EPCI, which members differ.
    for s in &compositions {
        let k = &kept.epci[s.as_str()];
        let theirs: BTreeSet<String> = cog[s.as_str()].membres.iter().cloned().collect();
        let only_dgcl: Vec<String> = raw[s.as_str()].3.difference(&theirs).cloned().collect();
        assert_eq!(k.only_dgcl, only_dgcl, "{s}");
        assert!(!k.only_dgcl.is_empty() || !k.only_cog.is_empty(), "{s}");
    }
}

#[test]
fn epci_fiches_show_the_dgcl_figures_and_their_differences_with_the_cog() {
    let geo = crate::common::app().geo();
    let raw = rows();
    // Montpellier Méditerranée Métropole, on the embedded default.
    let f = oc_web::fiche::fiche_for_code(&geo, oc_model::KindGroup::Epci, "243400017").unwrap();
    let get = |f: &oc_web::fiche::data::Fiche, id: &str| f.figures.iter().find(|x| x.id == id).cloned();
    let pop = get(&f, "dgcl_population_totale").expect("the DGCL population is embedded");
    assert_eq!(pop.value, Some(raw["243400017"].2 as f64));
    assert_eq!(pop.vintage, "au 1er janvier 2023");
    assert_eq!(get(&f, "dgcl_nature").unwrap().text.as_deref(), Some("Métropole (METRO)"));
    // Lunel Agglo: a CC in the 2023 list, a CA in the COG 2026: said.
    let f = oc_web::fiche::fiche_for_code(&geo, oc_model::KindGroup::Epci, "243400520").unwrap();
    let nature = get(&f, "dgcl_nature").unwrap();
    assert!(
        nature.note.as_deref().unwrap_or("").contains("le COG 2026 indique Communauté d'agglomération"),
        "{nature:?}"
    );
    // An EPCI whose members changed names them.
    let f = oc_web::fiche::fiche_for_code(&geo, oc_model::KindGroup::Epci, "200023075").unwrap();
    let m = get(&f, "dgcl_membres").unwrap();
    assert!(m.note.as_deref().unwrap_or("").contains("25192"), "{m:?}");
    // An EPT is not on the list: the section says why.
    let ept = geo.data.epci.iter().find(|e| e.legal_form == "EPT").unwrap();
    let f = oc_web::fiche::fiche_for_code(&geo, oc_model::KindGroup::Epci, &ept.code).unwrap();
    assert!(get(&f, "dgcl_population_totale").is_none());
    assert!(
        f.section_notes.iter().any(|(_, n)| n.contains("établissements publics territoriaux")),
        "{:?}",
        f.section_notes
    );
}

/// The rows of the real file for the EPCI of one département (`dept`),
/// written as a workbook of the same layout: a fixture cut from it.
fn cut(dept: &str, to: &std::path::Path) -> usize {
    let mut wb: Xlsx<_> = calamine::open_workbook(file()).unwrap();
    let range = wb.worksheet_range("Epcicom2023").unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    ws.set_name("Epcicom2023").unwrap();
    let mut n = 0u32;
    let mut sirens = BTreeSet::new();
    for (i, r) in range.rows().enumerate() {
        if i > 0 && r[0] != Data::String(dept.to_owned()) {
            continue;
        }
        if i > 0 {
            sirens.insert(r[1].to_string());
        }
        for (c, v) in r.iter().enumerate() {
            let c = c as u16;
            match v {
                Data::Float(x) => ws.write_number(n, c, *x).map(|_| ()),
                Data::Int(x) => ws.write_number(n, c, *x as f64).map(|_| ()),
                Data::Empty => Ok(()),
                other => ws.write_string(n, c, other.to_string()).map(|_| ()),
            }
            .unwrap();
        }
        n += 1;
    }
    out.save(to).unwrap();
    sirens.len()
}

/// `opencollectivites load --config <cfg> --epcicom <file>`: its output.
fn load_epcicom(cfg: &std::path::Path, file: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opencollectivites"))
        .args(["load", "--config", cfg.to_str().unwrap(), "--epcicom", file.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_yearly_update_is_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, format!("[data]\ndir = {:?}\n", dir.path().join("index").display().to_string())).unwrap();
    let out = load_epcicom(&cfg, &file());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("nature juridique differs for 3 EPCI"), "{log}");
    assert!(log.contains("from the embedded snapshot, with the DGCL list of EPCI of 2023"), "{log}");
    assert!(log.contains("members differ for"), "{log}");
    let geo = opencollectivites::open_geo(&oc_store::DataDir::new(dir.path().join("index"))).unwrap();
    assert_eq!(geo.data.epcicom.as_ref().map(|d| (d.year, d.epci.len())), Some((2023, 1_255)));
    // The list of one département only (cut from the real file): what is
    // stored is that list, and the EPCI missing from it are reported.
    let lozere = dir.path().join("epcicom2023-48.xlsx");
    let n = cut("48", &lozere);
    assert!((5..30).contains(&n), "{n}");
    let out = load_epcicom(&cfg, &lozere);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains(&format!("{} EPCI of the COG not in the file", 1_255 - n)), "{log}");
    let geo = opencollectivites::open_geo(&oc_store::DataDir::new(dir.path().join("index"))).unwrap();
    assert_eq!(geo.data.epcicom.as_ref().map(|d| d.epci.len()), Some(n));
    // A file that is not the DGCL list is refused, in words, and nothing is replaced.
    let bad = dir.path().join("epcicom2030.xlsx");
    std::fs::write(&bad, b"PK not a workbook").unwrap();
    let out = load_epcicom(&cfg, &bad);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a readable XLSX"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let geo = opencollectivites::open_geo(&oc_store::DataDir::new(dir.path().join("index"))).unwrap();
    assert_eq!(geo.data.epcicom.as_ref().map(|d| d.epci.len()), Some(n), "the served list is kept");
}

#[tokio::test]
async fn the_fiche_page_says_where_the_dgcl_list_and_the_cog_differ() {
    let (status, _, page) = crate::common::get("/epci/ca-lunel-agglo-243400520").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let doc = scraper::Html::parse_document(&page);
    let tr = scraper::Selector::parse("#groupements ~ div tr").unwrap();
    let row = doc
        .select(&tr)
        .find(|r| r.text().collect::<String>().contains("Nature juridique (liste DGCL)"))
        .expect("a row for the DGCL nature");
    let value = row.select(&scraper::Selector::parse("td").unwrap()).next().unwrap().text().collect::<String>();
    assert!(value.contains("Communauté de communes (CC)"), "{value}");
    assert!(value.contains("le COG 2026 indique Communauté d'agglomération (CA)"), "{value}");
}
