//! Open-data platforms (issue 19, point 8): OpenDataFrance's observatory
//! read as published (both editions in `../shared/data`), keyed by SIREN;
//! each fiche lists its own collectivité's platform, those of the
//! collectivités it belongs to and, above the commune, those on its
//! territory — never a neighbour's — and always data.gouv.fr; `/plateformes`
//! lists them all, filtered and paged.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use oc_model::{KindGroup, TerritoryKey};
use oc_store::Geo;
use scraper::{Html, Selector};

use crate::common::{get, get_json, html_text, shared_data};

fn geo() -> &'static Geo {
    static GEO: std::sync::OnceLock<Geo> = std::sync::OnceLock::new();
    GEO.get_or_init(Geo::embedded)
}

const ODF_2022: &str = "opendatafrance-odater-2022/odf.csv";
const ODF_2021: &str = "opendatafrance-2021/ODF-Observatoire-apiviz_data-export_solidata-211216c.csv";

fn file(rel: &str) -> oc_ingest::extras::File {
    let path = shared_data().join(rel);
    oc_ingest::extras::File { name: rel.to_owned(), bytes: std::fs::read(&path).expect("shared file") }
}

/// The rows of an edition as the csv crate reads them, SIRENs cleaned of
/// invisible marks.
fn rows(rel: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(shared_data().join(rel)).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut m: BTreeMap<String, String> =
                h.iter().zip(rec.iter()).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            let s = m["siren"].trim_matches(|c: char| c.is_whitespace() || c == '\u{200e}').to_owned();
            m.insert("siren".into(), s);
            m
        })
        .collect()
}

fn parsed() -> &'static (oc_model::opendata::OpenDataData, Vec<String>) {
    static P: std::sync::OnceLock<(oc_model::opendata::OpenDataData, Vec<String>)> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let editions =
            vec![(file(ODF_2022), "31 décembre 2022".to_owned()), (file(ODF_2021), "16 décembre 2021".to_owned())];
        oc_ingest::opendata::parse_opendata(&editions, &geo().data).expect("both editions parse")
    })
}

#[test]
fn both_editions_load_by_siren_with_their_vintages() {
    let (data, warnings) = parsed();
    let new = rows(ODF_2022);
    let old = rows(ODF_2021);
    let sirens: BTreeSet<&str> = new.iter().chain(&old).map(|r| r["siren"].as_str()).filter(|s| s.len() == 9).collect();
    assert_eq!(data.publishers.len(), sirens.len(), "one publisher per SIREN of either edition");
    // The SIREN the 2022 file writes after a left-to-right mark is kept.
    assert!(data.publishers.contains_key("187609110"), "GIP Seine Aval");
    // A SIREN listed twice in the 2021 export is reported.
    assert!(warnings.iter().any(|w| w.contains("216401554") || w.contains("listed again")), "{warnings:?}");
    for r in &new {
        let p = &data.publishers[&r["siren"]];
        assert_eq!(p.vintage, "31 décembre 2022", "{}", r["siren"]);
        let url = r["url_platform"].trim();
        if url.starts_with("http") {
            assert_eq!(p.platform.as_deref(), Some(url), "{}", r["siren"]);
        }
    }
    // A count comes from 2021 only for the same platform, and says so.
    let old_by: BTreeMap<&str, &BTreeMap<String, String>> = old.iter().map(|r| (r["siren"].as_str(), r)).collect();
    let mut counted = 0;
    for p in data.publishers.values() {
        if let Some(n) = p.platform_datasets {
            let o = old_by[p.siren.as_str()];
            assert_eq!(o["nb_ptf"].parse::<f64>().ok().map(|x| x as u32), Some(n), "{}", p.siren);
            assert_eq!(
                o["url_ptf"].trim_end_matches('/'),
                p.platform.as_deref().unwrap().trim_end_matches('/'),
                "{}",
                p.siren
            );
            if p.vintage != "16 décembre 2021" {
                assert_eq!(p.counts_vintage.as_deref(), Some("16 décembre 2021"), "{}", p.siren);
            }
            counted += 1;
        }
    }
    assert!(counted > 300, "{counted} platform counts");
    // Départements and régions by their codes; communes and EPCI by SIREN.
    let dep =
        data.publishers.values().filter(|p| p.territory.as_ref().is_some_and(|k| k.group() == KindGroup::Departement));
    assert!(dep.count() >= 55);
    let reg: BTreeSet<String> = data
        .publishers
        .values()
        .filter_map(|p| p.territory.as_ref().filter(|k| k.group() == KindGroup::Region).map(|k| k.code().to_owned()))
        .collect();
    assert!(reg.contains("76") && reg.contains("11") && reg.len() >= 14, "{reg:?}");
    let herault = data.of_territory(&TerritoryKey::new(KindGroup::Departement, "34")).expect("Hérault");
    assert!(herault.platform.as_deref().unwrap().contains("herault-data.fr"));
    let montpellier = data.of_territory(&TerritoryKey::new(KindGroup::Commune, "34172")).expect("Montpellier");
    assert_eq!(Some(montpellier.siren.as_str()), geo().commune("34172").unwrap().siren.as_deref());
}

#[test]
fn the_embedded_default_carries_the_observatory() {
    let d = geo().data.opendata.as_ref().expect("odater in the snapshot");
    assert_eq!(d.publishers.len(), parsed().0.publishers.len());
    assert_eq!(d.source.as_ref().unwrap().vintage, "31 décembre 2022");
}

fn open_data(group: KindGroup, code: &str) -> oc_web::fiche::opendata::OpenData {
    oc_web::fiche::fiche_for_code(geo(), group, code).expect("fiche").open_data
}

/// The territories a commune belongs to: itself, its commune (for an
/// arrondissement), EPCI and EPT, département, région.
fn belongs(code: &str) -> BTreeSet<TerritoryKey> {
    let g = geo();
    let c = g.commune(code).unwrap();
    let mut out = BTreeSet::from([TerritoryKey::new(KindGroup::Commune, code)]);
    let parent = c.parent.as_deref().filter(|_| c.kind == oc_model::Kind::ArrondissementMunicipal);
    let p = parent.and_then(|p| g.commune(p)).unwrap_or(c);
    out.insert(TerritoryKey::new(KindGroup::Commune, p.code.clone()));
    out.extend(p.epci.iter().chain(&p.ept).map(|e| TerritoryKey::new(KindGroup::Epci, e.clone())));
    out.insert(TerritoryKey::new(KindGroup::Departement, c.departement.clone()));
    out.insert(TerritoryKey::new(KindGroup::Region, c.region.clone()));
    // Lyon's communes are in the Rhône's circonscription.
    if c.departement == "69M" || c.departement == "69D" {
        out.insert(TerritoryKey::new(KindGroup::Departement, "69"));
    }
    out
}

#[test]
fn montpellier_lists_its_own_its_epci_departement_and_region() {
    let od = open_data(KindGroup::Commune, "34172");
    assert!(od.loaded);
    let got: Vec<(String, String)> = od
        .groups
        .iter()
        .map(|g| (g.label.clone(), g.entries[0].publisher.territory.as_ref().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        [
            ("Cette collectivité".to_owned(), "COM-34172".to_owned()),
            ("Son intercommunalité : Montpellier Méditerranée Métropole".to_owned(), "EPCI-243400017".to_owned()),
            ("Son département : Hérault".to_owned(), "DEP-34".to_owned()),
            ("Sa région : Occitanie".to_owned(), "REG-76".to_owned()),
        ]
    );
    assert_eq!(od.national.url, "https://www.data.gouv.fr/");
}

#[test]
fn cazeres_is_not_covered_by_toulouse_metropole() {
    let od = open_data(KindGroup::Commune, "31135");
    let keys: Vec<String> = od
        .groups
        .iter()
        .flat_map(|g| &g.entries)
        .filter_map(|e| e.publisher.territory.as_ref())
        .map(|k| k.to_string())
        .collect();
    assert!(!keys.contains(&"EPCI-243100518".to_owned()), "Toulouse Métropole listed for Cazères: {keys:?}");
    assert!(keys.contains(&"EPCI-200068815".to_owned()) || keys.iter().any(|k| k.starts_with("EPCI-")), "{keys:?}");
    assert!(keys.contains(&"DEP-31".to_owned()) && keys.contains(&"REG-76".to_owned()), "{keys:?}");
}

#[test]
fn no_commune_lists_a_platform_of_a_neighbour() {
    let g = geo();
    let mut checked = 0;
    for c in g
        .data
        .communes
        .iter()
        .filter(|c| c.kind != oc_model::Kind::CommuneDeleguee && c.kind != oc_model::Kind::CommuneAssociee)
    {
        let od = open_data(KindGroup::Commune, &c.code);
        let mine = belongs(&c.code);
        for e in od.groups.iter().flat_map(|g| &g.entries) {
            let k = e.publisher.territory.as_ref().expect("a listed publisher is a collectivité");
            assert!(mine.contains(k), "{} ({}) lists {} ({k})", c.name, c.code, e.libelle);
        }
        checked += 1;
    }
    assert!(checked > 34_000);
}

#[test]
fn an_epci_lists_its_member_communes_and_a_region_what_is_on_it() {
    let g = geo();
    let od = open_data(KindGroup::Epci, "243400017");
    let members: BTreeSet<&str> = g.epci("243400017").unwrap().membres.iter().map(String::as_str).collect();
    let inside = od.groups.iter().find(|g| g.label == "Ses communes membres").expect("members group");
    assert!(inside.total >= 20, "{}", inside.total);
    for e in &inside.entries {
        let k = e.publisher.territory.as_ref().unwrap();
        assert!(k.group() == KindGroup::Commune && members.contains(k.code()), "{k}");
    }
    assert_eq!(inside.voir_tout.as_deref(), Some("/plateformes?territoire=EPCI-243400017"));
    let od = open_data(KindGroup::Region, "76");
    let inside = od.groups.iter().find(|g| g.label == "Collectivités de son territoire").unwrap();
    for e in &inside.entries {
        let k = e.publisher.territory.as_ref().unwrap();
        let in_76 = match k.group() {
            KindGroup::Commune => g.commune(k.code()).unwrap().region == "76",
            KindGroup::Epci => g.epci_of_region("76").any(|x| x.code == k.code()),
            KindGroup::Departement => g.departement(k.code()).unwrap().region == "76",
            KindGroup::Region => false,
        };
        assert!(in_76, "{k} listed on Occitanie");
    }
    // Paris: the commune and the département are one collectivité.
    let od = open_data(KindGroup::Departement, "75");
    assert_eq!(od.groups[0].entries[0].publisher.siren, "217500016");
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[tokio::test]
async fn fiches_show_the_platforms_and_data_gouv_fr() {
    for path in [
        "/commune/montpellier-34172",
        "/commune/cazeres-31135",
        "/epci/montpellier-mediterranee-metropole-243400017",
        "/departement/herault-34",
        "/region/occitanie-76",
    ] {
        let (status, _, body) = get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let doc = Html::parse_document(&body);
        let section = doc
            .select(&sel("section[aria-labelledby=oc-opendata]"))
            .next()
            .unwrap_or_else(|| panic!("{path}: no open-data section"));
        let h2: Vec<String> = section.select(&sel("h2")).map(|h| h.text().collect::<String>()).collect();
        assert_eq!(h2, ["Plateformes de données ouvertes"], "{path}");
        let links: Vec<(String, String)> = section
            .select(&sel("a"))
            .map(|a| (a.value().attr("href").unwrap_or("").to_owned(), a.text().collect::<String>()))
            .collect();
        assert!(
            links.contains(&("https://www.data.gouv.fr/".to_owned(), "data.gouv.fr".to_owned())),
            "{path}: {links:?}"
        );
        // The catalogue's platform list, which put Toulouse Métropole on
        // Cazères, is gone from every fiche.
        let all: Vec<&str> = doc.select(&sel("a")).filter_map(|a| a.value().attr("href")).collect();
        if path.contains("cazeres") {
            assert!(!all.iter().any(|h| h.contains("toulouse-metropole")), "{path}");
            assert!(!body.contains("Plateformes open data couvrant ce territoire"));
        }
        if path.contains("montpellier") {
            assert!(links.iter().any(|(h, _)| h.contains("data.montpellier3m.fr")), "{path}: {links:?}");
        }
        let text = html_text(&section.html());
        assert!(text.contains("OpenDataFrance"), "{path}: {text}");
    }
    let (_, v) = get_json("/api/v1/communes/34172").await;
    let od = &v["donnees_ouvertes"];
    assert_eq!(od["plateforme_nationale"]["url"], "https://www.data.gouv.fr/");
    assert_eq!(od["groupes"][0]["organismes"][0]["siren"], "213401722");
    assert_eq!(od["groupes"][0]["organismes"][0]["millesime"], "31 décembre 2022");
}

fn table_rows(body: &str) -> Vec<Vec<String>> {
    let doc = Html::parse_document(body);
    doc.select(&sel("table tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(|td| html_text(&td.inner_html())).collect())
        .collect()
}

#[tokio::test]
async fn the_register_lists_filters_and_pages() {
    let (status, _, body) = get("/plateformes").await;
    assert_eq!(status, StatusCode::OK);
    let doc = Html::parse_document(&body);
    // The national platform comes before the table.
    let callout = doc.select(&sel(".fr-callout__title")).next().map(|e| e.text().collect::<String>());
    assert_eq!(callout.as_deref(), Some("Plateforme nationale : data.gouv.fr"));
    assert!(body.find("Plateforme nationale").unwrap() < body.find("<table").unwrap());
    assert_eq!(table_rows(&body).len(), 50, "first page");
    let total = geo().data.opendata.as_ref().unwrap().publishers.len();
    let last = total.div_ceil(50);
    let (_, _, body) = get(&format!("/plateformes?page={last}")).await;
    assert_eq!(table_rows(&body).len(), total - (last - 1) * 50);
    // Past the end: the last page is a click away.
    let (status, _, body) = get("/plateformes?page=999").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("href=\"/plateformes?page={last}\"")), "link to the last page");
    // The régions: one row each, typed « Région ».
    let (_, _, body) = get("/plateformes?type=region").await;
    let rows = table_rows(&body);
    assert!(rows.len() >= 14 && rows.iter().all(|r| r[1] == "Région"), "{rows:?}");
    // The EPCI's page from its fiche: itself and its member communes.
    let (_, _, body) = get("/plateformes?territoire=EPCI-243400017").await;
    let rows = table_rows(&body);
    let od = open_data(KindGroup::Epci, "243400017");
    let members = od.groups.iter().find(|g| g.label == "Ses communes membres").unwrap().total;
    assert_eq!(rows.len(), members + 1, "{rows:?}");
    assert!(rows.iter().any(|r| r[0] == "Montpellier Méditerranée Métropole"));
    // By name, accents and case aside.
    let (_, _, body) = get("/plateformes?q=HERAULT&type=departement").await;
    let rows = table_rows(&body);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0][0].starts_with("Hérault"), "{rows:?}");
    for bad in
        ["/plateformes?type=ville", "/plateformes?territoire=DEP-999", "/plateformes?page=0", "/plateformes?page=x"]
    {
        let (status, _, body) = get(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(html_text(&body).contains("paramètre «"), "{bad}");
    }
}
