//! Deep fiches (issue 17): census sums at every level recomputed by brute
//! force, Filosofi secrecy, zonage and programme memberships, syndicats —
//! each checked against the real files of `../shared/data`, and the
//! embedded default showing every section with no `../shared` at all.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use oc_store::Geo;
use oc_web::fiche::data::{Fiche, Figure};

use crate::common::{html_text, shared_data};

fn geo() -> &'static Geo {
    static GEO: std::sync::OnceLock<Geo> = std::sync::OnceLock::new();
    GEO.get_or_init(Geo::embedded)
}

fn fiche(group: oc_model::KindGroup, code: &str) -> Fiche {
    oc_web::fiche::fiche_for_code(geo(), group, code).unwrap_or_else(|| panic!("no fiche {code}"))
}

fn value(f: &Fiche, id: &str) -> Option<f64> {
    f.figures.iter().find(|x| x.id == id).and_then(|x| x.value)
}

fn figure<'a>(f: &'a Fiche, id: &str) -> &'a Figure {
    f.figures.iter().find(|x| x.id == id).unwrap_or_else(|| panic!("{}: no figure {id}", f.code))
}

/// The Insee commune file as published, read here on its own: code →
/// (ménages, naissances, actifs 15-64, chômeurs 15-64). Rows whose
/// population 2021 is 0 (Mayotte, where the file has no census) have no
/// census counts.
fn insee_rows() -> BTreeMap<String, [Option<u64>; 4]> {
    let path = shared_data().join("insee-rp-2021/communes.csv");
    let mut r = csv::ReaderBuilder::new().from_path(&path).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap_or_else(|| panic!("no column {n}: {h:?}"));
    let cols = [
        at("insee_com"),
        at("menages_2021"),
        at("naissances_2022"),
        at("pop_15_64_active_2021"),
        at("pop_15_64_chomage_2021"),
        at("population_2021"),
    ];
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let n =
            |i: usize| rec.get(cols[i]).and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok()).map(|v| v as u64);
        let census = n(5) != Some(0);
        let c = |i: usize| if census { n(i) } else { None };
        out.entry(rec[cols[0]].to_owned()).or_insert([c(1), n(2), c(3), c(4)]);
    }
    out
}

#[test]
fn census_sums_of_epci_departements_and_regions_match_a_brute_force_recomputation() {
    let geo = geo();
    let rows = insee_rows();
    // A commune's counts: its own row, or for Paris, Lyon and Marseille the sum of its arrondissements.
    let of = |code: &str| -> Option<[Option<u64>; 4]> {
        if let Some(r) = rows.get(code) {
            return Some(*r);
        }
        let parts: Vec<&[Option<u64>; 4]> = geo
            .children(code)
            .filter(|k| k.kind == oc_model::Kind::ArrondissementMunicipal)
            .filter_map(|k| rows.get(&k.code))
            .collect();
        (!parts.is_empty()).then(|| std::array::from_fn(|i| parts.iter().map(|p| p[i]).sum()))
    };
    let check = |f: &Fiche, members: Vec<String>| {
        let mut sums: [Option<u64>; 4] = [None; 4];
        let (mut act, mut chom) = (0u64, 0u64);
        for m in &members {
            let Some(r) = of(m) else { continue };
            for i in 0..4 {
                if let Some(v) = r[i] {
                    sums[i] = Some(sums[i].unwrap_or(0) + v);
                }
            }
            if let (Some(a), Some(c)) = (r[2], r[3]) {
                act += a;
                chom += c;
            }
        }
        let as_f = |v: Option<u64>| v.map(|v| v as f64);
        assert_eq!(value(f, "menages_2021"), as_f(sums[0]), "{} ménages", f.code);
        assert_eq!(value(f, "naissances_2022"), as_f(sums[1]), "{} naissances", f.code);
        assert_eq!(value(f, "actifs_15_64_2021"), as_f(sums[2]), "{} actifs", f.code);
        let rate = value(f, "taux_chomage_15_64");
        assert_eq!(rate.is_some(), act > 0, "{}", f.code);
        if let Some(rate) = rate {
            assert!((rate - chom as f64 / act as f64 * 100.0).abs() < 1e-9, "{}: the rate comes from the sums", f.code);
        }
        assert!(figure(f, "menages_2021").label.contains("somme des communes"));
        assert!(figure(f, "menages_2021").vintage.contains("somme des communes"));
    };
    for e in geo.data.epci.iter().step_by(97) {
        check(&fiche(oc_model::KindGroup::Epci, &e.code), e.membres.clone());
    }
    for d in geo.data.departements.iter().filter(|d| d.zone != "com").step_by(9) {
        let members = geo.communes_of_departement(&d.code).map(|c| c.code.clone()).collect();
        check(&oc_web::fiche::data::departement(geo, d), members);
    }
    for r in geo.data.regions.iter().filter(|r| r.zone != "com") {
        let members = geo.communes_of_region(&r.code).map(|c| c.code.clone()).collect();
        check(&fiche(oc_model::KindGroup::Region, &r.code), members);
    }
    // France: métropole and départements d'outre-mer, every commune.
    let france: Vec<String> = geo
        .data
        .regions
        .iter()
        .filter(|r| r.zone != "com")
        .flat_map(|r| geo.communes_of_region(&r.code).map(|c| c.code.clone()))
        .collect();
    assert!(france.len() > 34_000, "{}", france.len());
    let f = oc_web::fiche::data::france(geo);
    check(&f, france.clone());
    assert_eq!(value(&f, "communes"), Some(france.len() as f64));
    let massif = anct_classes("montagne.csv", "niveau_montagne");
    let in_massif = france.iter().filter(|c| massif.get(*c).is_some_and(|m| !m.is_empty() && m != "undefined")).count();
    assert_eq!(value(&f, "communes_massif"), Some(in_massif as f64));
    // A median is never summed nor averaged above the commune.
    let herault = oc_web::fiche::data::departement(geo, geo.departement("34").unwrap());
    assert!(herault.figures.iter().all(|x| x.source != "filosofi"), "no Filosofi figure for a département");
    assert!(herault.section_notes.iter().any(|(_, n)| n.contains("ne s'additionnent pas")));
}

/// The Filosofi file as published: code → MED21 cell.
fn filosofi_medians() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(shared_data().join("insee-filosofi-2021/cc_filosofi_2021_COM.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let med = header.iter().position(|h| *h == "MED21").unwrap();
    lines.map(|l| l.split(';').collect::<Vec<_>>()).map(|c| (c[0].to_owned(), c[med].to_owned())).collect()
}

#[tokio::test]
async fn a_secret_median_reads_secret_statistique_never_zero_nor_nd() {
    let geo = geo();
    let medians = filosofi_medians();
    let secret: Vec<&String> = medians
        .iter()
        .filter(|(code, v)| *v == "s" && geo.commune(code).is_some_and(|c| c.kind == oc_model::Kind::Commune))
        .map(|(c, _)| c)
        .take(3)
        .collect();
    assert_eq!(secret.len(), 3, "the real file withholds some medians");
    for code in secret {
        let (status, v) = crate::common::get_json(&format!("/api/v1/communes/{code}")).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{code}");
        let fig = v["figures"].as_array().unwrap().iter().find(|f| f["id"] == "revenu_median").unwrap().clone();
        assert_eq!(fig["secret"], true, "{code}: {fig}");
        assert!(fig["value"].is_null(), "{code}: {fig}");
        let c = geo.commune(code).unwrap();
        let (_, _, page) = crate::common::get(&oc_web::fiche::url_commune(c)).await;
        let doc = scraper::Html::parse_document(&page);
        let row = doc
            .select(&scraper::Selector::parse("tr").unwrap())
            .find(|tr| tr.text().collect::<String>().contains("Médiane du revenu disponible"))
            .unwrap_or_else(|| panic!("{code}: no median row"));
        let cell = row.select(&scraper::Selector::parse("td").unwrap()).next().unwrap().text().collect::<String>();
        assert_eq!(cell.trim(), "secret statistique", "{code}");
    }
    // A published median is shown as published (Montpellier: 19 670 €).
    assert_eq!(medians["34172"], "19670");
    let f = oc_web::fiche::data::commune(geo, geo.commune("34172").unwrap());
    assert_eq!(value(&f, "revenu_median"), Some(19_670.0));
    // Guadeloupe is not covered: the section says so.
    let f = oc_web::fiche::data::commune(geo, geo.commune("97106").unwrap());
    assert!(f.figures.iter().all(|x| x.source != "filosofi"));
    assert!(f.section_notes.iter().any(|(_, n)| n.contains("ne publie pas")), "{:?}", f.section_notes);
}

/// `Nom (code)` members of a programme file, read here on its own.
fn members(file: &str) -> BTreeSet<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared_data().join("anct-programmes-2024").join(file)).unwrap())
            .unwrap();
    let mut out = BTreeSet::new();
    for f in v["features"].as_array().unwrap() {
        let text = f["properties"]["liste_geo"].as_str().unwrap_or("");
        for part in text.split("; ") {
            let code = part.rsplit('(').next().unwrap_or("").trim_end_matches(')');
            if code.len() == 5 || code.len() == 9 {
                out.insert(code.to_owned());
            }
        }
    }
    out
}

#[test]
fn programme_memberships_of_communes_and_epci_follow_the_files() {
    let geo = geo();
    for (file, id) in [
        ("acv_geom.geojson", "action_coeur_de_ville"),
        ("pvd_geom.geojson", "petites_villes_de_demain"),
        ("va_geom.geojson", "villages_d_avenir"),
    ] {
        let m = members(file);
        let sample: Vec<&String> = m.iter().filter(|c| geo.commune(c).is_some()).step_by(m.len() / 7).collect();
        assert!(sample.len() >= 5, "{file}");
        for code in sample {
            let f = oc_web::fiche::data::commune(geo, geo.commune(code).unwrap());
            let t = figure(&f, id).text.clone().unwrap_or_default();
            assert!(t.starts_with("oui"), "{code} in {file}: {t:?}");
        }
        let outside =
            geo.data.communes.iter().find(|c| c.kind == oc_model::Kind::Commune && !m.contains(&c.code)).unwrap();
        let f = oc_web::fiche::data::commune(geo, outside);
        assert_eq!(figure(&f, id).text.as_deref(), Some("non"), "{}", outside.code);
    }
    // PVD carries its signature date: Bouillante signed on 28 May 2021.
    let f = oc_web::fiche::data::commune(geo, geo.commune("97106").unwrap());
    assert_eq!(figure(&f, "petites_villes_de_demain").text.as_deref(), Some("oui — convention signée le 28/05/2021"));
    // Territoires d'industrie: EPCI members.
    let ti = members("ti_geom.geojson");
    let e = geo.data.epci.iter().find(|e| ti.contains(&e.code)).unwrap();
    let f = fiche(oc_model::KindGroup::Epci, &e.code);
    assert!(figure(&f, "territoires_d_industrie").text.as_deref().unwrap().starts_with("oui"), "{}", e.code);
    // Above the commune: counts and shares.
    let herault = oc_web::fiche::data::departement(geo, geo.departement("34").unwrap());
    let pvd = members("pvd_geom.geojson");
    let n = geo.communes_of_departement("34").filter(|c| pvd.contains(&c.code)).count();
    assert_eq!(value(&herault, "communes_petites_villes_de_demain"), Some(n as f64));
    let note = figure(&herault, "communes_petites_villes_de_demain").note.clone().unwrap();
    assert!(note.starts_with(&format!("{n} sur 341 communes")), "{note}");
}

#[test]
fn zonages_and_qpv_of_a_commune_follow_the_files() {
    let geo = geo();
    let f = oc_web::fiche::data::commune(geo, geo.commune("01004").unwrap());
    // montagne.csv: "01004,Ambérieu-en-Bugey,02 - Massif du Jura"; the QPV file lists QN00103M.
    assert_eq!(figure(&f, "massif").text.as_deref(), Some("Massif du Jura"));
    assert!(figure(&f, "qpv_liste").text.as_deref().unwrap().contains("QN00103M"));
    assert_eq!(figure(&f, "massif").label, "Massif", "labelled massif, not commune de montagne");
    let f = oc_web::fiche::data::commune(geo, geo.commune("01001").unwrap());
    assert_eq!(figure(&f, "grille_densite").text.as_deref(), Some("Rural à habitat dispersé"));
    assert_eq!(figure(&f, "typologie_ruralite").text.as_deref(), Some("Les ruralités résidentielles mixtes"));
    assert_eq!(value(&f, "qpv"), Some(0.0));
}

/// code → class, from an ANCT zonage CSV as published (BOM, leading
/// spaces in the values).
fn anct_classes(file: &str, column: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(shared_data().join("anct-zonages-2026").join(file)).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let at = r.headers().unwrap().iter().position(|h| h == column).unwrap();
    r.records().map(|x| x.unwrap()).map(|x| (x[0].to_owned(), x[at].trim().to_owned())).collect()
}

#[test]
fn rurality_and_centrality_are_counted_above_the_commune_as_in_the_files() {
    let geo = geo();
    let ruralite = anct_classes("ruralite.csv", "niveau_ruralite");
    let centralite = anct_classes("centralite.csv", "niveau_centralite");
    for (dep, id, class, from) in [
        ("34", "ruralite_productives_agricoles", "Les ruralités productives agricoles", &ruralite),
        ("48", "ruralite_touristiques_specialisees", "Les ruralités touristiques spécialisées", &ruralite),
        ("34", "centralite_majeur", "Centre majeur d'équipements et de services", &centralite),
        ("31", "centralite_local", "Centre local d'équipements et de services", &centralite),
    ] {
        let want =
            geo.communes_of_departement(dep).filter(|c| from.get(&c.code).map(String::as_str) == Some(class)).count();
        let f = oc_web::fiche::data::departement(geo, geo.departement(dep).unwrap());
        assert_eq!(value(&f, id), Some(want as f64), "{dep} {id}");
        assert!(want > 0, "{dep} {id}: a class present in the file");
        let n = geo.communes_of_departement(dep).count();
        assert!(figure(&f, id).note.as_deref().unwrap().contains(&format!("{want} sur {n} communes")), "{dep} {id}");
    }
}

#[tokio::test]
async fn the_syndicats_of_a_commune_are_those_of_the_banatic_file() {
    let geo = geo();
    let siren_of: BTreeMap<&str, &str> = geo
        .data
        .communes
        .iter()
        .filter(|c| c.kind == oc_model::Kind::Commune)
        .filter_map(|c| Some((c.siren.as_deref()?, c.code.as_str())))
        .collect();
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut r = csv::Reader::from_path(shared_data().join("banatic/composition-communale-syndicats.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        if let Some(code) = siren_of.get(&rec[2]) {
            expected.entry((*code).to_owned()).or_default().insert(rec[0].to_owned());
        }
    }
    let (code, sirens) = expected.iter().max_by_key(|(_, s)| s.len()).unwrap();
    let (status, v) = crate::common::get_json(&format!("/api/v1/communes/{code}")).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let got: BTreeSet<String> =
        v["syndicats"].as_array().unwrap().iter().map(|s| s["siren"].as_str().unwrap().to_owned()).collect();
    assert_eq!(&got, sirens, "{code}");
    for s in v["syndicats"].as_array().unwrap() {
        assert_eq!(
            s["url"].as_str().unwrap(),
            format!("https://annuaire-entreprises.data.gouv.fr/entreprise/{}", s["siren"].as_str().unwrap())
        );
    }
    // Départements count the syndicats on their territory.
    let d = geo.commune(code).unwrap().departement.clone();
    let on: BTreeSet<&String> = expected
        .iter()
        .filter(|(c, _)| geo.commune(c).is_some_and(|c| c.departement == d))
        .flat_map(|(_, s)| s.iter())
        .collect();
    let f = oc_web::fiche::data::departement(geo, geo.departement(&d).unwrap());
    assert_eq!(value(&f, "syndicats"), Some(on.len() as f64), "département {d}");
}

#[tokio::test]
async fn the_france_page_and_its_exports() {
    let (status, _, page) = crate::common::get("/france").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let doc = scraper::Html::parse_document(&page);
    for id in ["chiffres-cles", "zonages", "groupements"] {
        let sel = scraper::Selector::parse(&format!("h2#{id}")).unwrap();
        assert!(doc.select(&sel).next().is_some(), "section {id}");
    }
    let text = html_text(&page);
    assert!(text.contains("Ménages (somme des communes)"), "census sums");
    assert!(!text.contains("Aucun compte"), "France has no accounts of its own: no finance section");
    let regions: Vec<String> = crate::common::elements_text(&page, "td");
    assert!(regions.iter().any(|t| t.contains("Occitanie")), "the régions are listed");
    for (uri, ctype) in [
        ("/france.csv", "text/csv"),
        ("/france.xlsx", "application/vnd.openxmlformats"),
        ("/france.json", "application/json"),
        ("/api/v1/france", "application/json"),
    ] {
        let (status, got, _) = crate::common::get(uri).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{uri}");
        assert!(got.starts_with(ctype), "{uri}: {got}");
    }
    let (_, v) = crate::common::get_json("/api/v1/france").await;
    assert_eq!(v["type"], "france");
    let (_, _, sitemap) = crate::common::get("/sitemap.xml").await;
    assert!(sitemap.contains("/france</loc>"));
}

/// GET over TCP: status and body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut body = Vec::new();
    s.read_to_end(&mut body).unwrap();
    let text = String::from_utf8_lossy(&body).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

#[test]
fn the_binary_on_the_default_configuration_without_shared_shows_every_section() {
    // A working directory whose ../shared does not exist.
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("clone");
    std::fs::create_dir_all(&cwd).unwrap();
    assert!(!cwd.join("../shared").exists());
    let default = std::fs::read_to_string(crate::common::root().join("config/default.toml")).unwrap();
    assert!(!default.contains("[sources"), "the default configuration reads no file");
    let cfg =
        default.replace("bind = \"127.0.0.1:8080\"", "bind = \"127.0.0.1:0\"") + "\n[library]\nschedule = false\n";
    // What a clone has: its config folder (the library's sources.toml too).
    std::fs::create_dir_all(cwd.join("config")).unwrap();
    for f in std::fs::read_dir(crate::common::root().join("config")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), cwd.join("config").join(f.file_name())).unwrap();
    }
    std::fs::write(cwd.join("config/default.toml"), cfg).unwrap();
    let (mut child, port) = crate::common::spawn_serve(&cwd, "config/default.toml");
    let sections = |path: &str, ids: &[&str], texts: &[&str]| {
        let (status, page) = http_get(port, path);
        assert_eq!(status, 200, "{path}");
        let doc = scraper::Html::parse_document(&page[page.find("\r\n\r\n").unwrap()..]);
        let h2: Vec<String> = doc
            .select(&scraper::Selector::parse("h2[id]").unwrap())
            .map(|h| h.value().attr("id").unwrap().to_owned())
            .collect();
        for id in ids {
            assert!(h2.iter().any(|h| h == id), "{path}: no section {id} in {h2:?}");
        }
        let t = html_text(&page);
        for needle in texts {
            assert!(t.contains(needle), "{path}: {needle:?} missing");
        }
    };
    sections(
        "/commune/montpellier-34172",
        &["chiffres-cles", "revenus", "zonages", "groupements"],
        &[
            "Médiane du revenu disponible",
            "Grands centres urbains",
            "Quartiers prioritaires",
            "Ménages",
            "Taux de chômage",
        ],
    );
    sections(
        "/epci/montpellier-mediterranee-metropole-243400017",
        &["chiffres-cles", "revenus", "zonages", "groupements"],
        &["somme des communes", "Communes en Petites villes de demain", "Territoires d'industrie"],
    );
    sections(
        "/departement/herault-34",
        &["chiffres-cles", "revenus", "zonages", "groupements"],
        &["somme des communes", "sur 341 communes", "Syndicats ayant au moins une commune"],
    );
    sections("/region/occitanie-76", &["chiffres-cles", "zonages", "groupements"], &["somme des communes"]);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn grants_of_2018_and_2019_total_as_in_the_files() {
    let geo = geo();
    let f = geo.data.finances.as_ref().expect("the embedded default carries the grants");
    let mut by_year_dotation: BTreeMap<(u16, String), (usize, f64)> = BTreeMap::new();
    for p in f.projects.values().flatten() {
        let e = by_year_dotation.entry((p.year, p.dotation.clone())).or_default();
        e.0 += 1;
        e.1 += p.subsidy.unwrap_or(0.0);
    }
    // 2019 (PROVENANCE of dotations-investissement-2019): DETR 20,382, DSIL 4,079, DSID 350 projects; 1,707,978,946 € in all.
    let n = |d: &str| by_year_dotation.get(&(2019, d.to_owned())).map_or(0, |x| x.0);
    assert_eq!((n("DETR"), n("DSIL"), n("DSID")), (20_382, 4_079, 350));
    let total: f64 = by_year_dotation.iter().filter(|((y, _), _)| *y == 2019).map(|(_, v)| v.1).sum();
    assert!((total - 1_707_978_946.0).abs() < 1.0, "{total}");
    // 2018: the communes' and EPCI's rows of the CSV, summed here on their own.
    let text = std::fs::read_to_string(shared_data().join("dotations-detr-dsil-2018/Projets_DI_2018.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let (mut count, mut sum) = (0usize, 0.0);
    let mut ids = BTreeSet::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if matches!(&rec[2], "Commune" | "EPCI") && ids.insert(rec[0].to_owned()) {
            let ok = if &rec[2] == "Commune" { !rec[4].is_empty() && &rec[4] != "0" } else { rec[5].len() == 9 };
            if ok {
                count += 1;
                sum += rec[12].replace(',', ".").trim().parse::<f64>().unwrap_or(0.0);
            }
        }
    }
    let loaded: (usize, f64) =
        by_year_dotation.iter().filter(|((y, _), _)| *y == 2018).fold((0, 0.0), |a, (_, v)| (a.0 + v.0, a.1 + v.1));
    assert_eq!(loaded.0, count);
    assert!((loaded.1 - sum).abs() < 1.0, "{} vs {sum}", loaded.1);
    // A département fiche lists its DSID projects with totals per year and dotation.
    let d = oc_web::fiche::data::departement(geo, geo.departement("01").unwrap());
    assert!(d.finances.projects.iter().any(|p| p.dotation == "DSID" && p.year == 2019));
    assert_eq!(value(&d, "detr_dsil_annee"), Some(2019.0));
}

#[test]
fn the_banatic_groupements_export_is_read_by_its_published_header() {
    // The 43 columns of BANATIC's schema.json, three real SIRENs of the
    // composition file, every other cell left empty.
    let path = crate::common::root().join("tests/data/banatic/liste-groupements-entete.csv");
    let bytes = std::fs::read(&path).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared_data().join("banatic/schema.json")).unwrap()).unwrap();
    let header: Vec<&str> = schema.as_array().unwrap().iter().map(|c| c["x-originalName"].as_str().unwrap()).collect();
    assert_eq!(
        String::from_utf8_lossy(&bytes).lines().next().unwrap(),
        header.join(";"),
        "the fixture keeps the header"
    );
    let (g, warnings) = oc_ingest::groupement::parse_groupements("liste-groupements.csv", &bytes).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(g.keys().cloned().collect::<Vec<_>>(), ["200000677", "200001238", "200002087"]);
    for x in g.values() {
        assert_eq!((x.name.as_deref(), x.legal_form.as_deref(), x.siege.as_deref()), (None, None, None));
        assert!(x.competences.is_empty());
    }
    // Attached with the composition: the SIRENs are the file's, no name is made up.
    let mut data = oc_store::embedded_default();
    data.syndicats = None;
    let read = |p: &std::path::Path| oc_ingest::extras::File {
        name: p.display().to_string(),
        bytes: std::fs::read(p).unwrap(),
    };
    let files = oc_ingest::extras::ExtraFiles {
        syndicats: Some((
            read(&shared_data().join("banatic/composition-communale-syndicats.csv")),
            vec![read(&path)],
            "périmètres BANATIC vers 2021".into(),
        )),
        ..Default::default()
    };
    oc_ingest::extras::attach(&mut data, &files).unwrap();
    let s = data.syndicats.unwrap();
    assert_eq!(s.groupements.len(), 1_333, "the syndicats of the composition file");
    assert_eq!(s.groupements["200000677"].name, None);
}
