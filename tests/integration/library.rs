//! The Bibliothèque's ingestion: every kind of source served by a loopback
//! HTTP server that also misbehaves on purpose (304, 500, 403 without a
//! browser-like User-Agent, slow, truncated, oversized, entity bombs,
//! malformed XML); curation kept across re-ingestion; a SIGKILL in the
//! middle of an ingestion; the server answering while an ingestion runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use oc_harvest::run::{Report, RunOptions};
use oc_library::store::{Library, Override};

use crate::common::{root, shared_data};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/data/library").join(name)).expect("fixture")
}

#[derive(Default)]
struct Hits {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    flaky: AtomicUsize,
    ods_queries: Mutex<Vec<String>>,
    slow_pages: AtomicUsize,
}

fn xml(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
}

/// SRU pages made from the real Gallica response, for a result set of
/// 2,000 records (identifiers made distinct per page), 300 ms each.
fn slow_sru_page(start: u64) -> String {
    let page1 = std::fs::read_to_string(shared_data().join("bnsp-sru/gallica-sru-page1.xml")).expect("sru page");
    page1
        .replace("<srw:numberOfRecords>61</srw:numberOfRecords>", "<srw:numberOfRecords>2000</srw:numberOfRecords>")
        .replace(
            "<srw:nextRecordPosition>51</srw:nextRecordPosition>",
            &format!("<srw:nextRecordPosition>{}</srw:nextRecordPosition>", start + 50),
        )
        .replace("</dc:identifier>", &format!("?lot={start}</dc:identifier>"))
}

async fn sru(Query(q): Query<Vec<(String, String)>>) -> Response {
    let start = q.iter().find(|(k, _)| k == "startRecord").map_or("1", |(_, v)| v.as_str()).to_owned();
    let file = if start == "1" { "gallica-sru-page1.xml" } else { "gallica-sru-page2.xml" };
    xml(std::fs::read(shared_data().join("bnsp-sru").join(file)).expect("sru"))
}

async fn slow_sru(State(h): State<Arc<Hits>>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let start: u64 = q.iter().find(|(k, _)| k == "startRecord").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.slow_pages.fetch_add(1, Ordering::SeqCst);
    xml(slow_sru_page(start).into_bytes())
}

/// Slow answers that record how many requests were in flight at once.
async fn counted(State(h): State<Arc<Hits>>) -> Response {
    let now = h.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    h.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.in_flight.fetch_sub(1, Ordering::SeqCst);
    ([(header::CONTENT_TYPE, "application/atom+xml")], fixture("drees.atom")).into_response()
}

async fn insee(headers: HeaderMap) -> Response {
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"insee-v1\"") {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"), (header::ETAG, "\"insee-v1\"")],
        fixture("insee.rss"),
    )
        .into_response()
}

async fn ods(State(h): State<Arc<Hits>>, uri: axum::http::Uri) -> Response {
    h.ods_queries.lock().unwrap().push(uri.query().unwrap_or("").to_owned());
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], fixture("ofgl-catalog.json")).into_response()
}

async fn flaky(State(h): State<Arc<Hits>>) -> Response {
    if h.flaky.fetch_add(1, Ordering::SeqCst) < 2 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "panne").into_response();
    }
    xml(fixture("drees.atom"))
}

async fn browser_only(headers: HeaderMap) -> Response {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ua.starts_with("Mozilla/") || !accept.contains("xml") {
        return (StatusCode::FORBIDDEN, "Accès refusé").into_response();
    }
    xml(fixture("ofgl.json"))
}

async fn truncated() -> Response {
    let body = fixture("insee.rss")[..300].to_vec();
    ([(header::CONTENT_TYPE, "application/rss+xml"), (header::CONTENT_LENGTH, "2087")], body).into_response()
}

const CSV: &str = "id,title,url,publisher,series,published,resource_type,themes,scope,territories,summary
1,Les collectivités locales en chiffres 2023,https://www.collectivites-locales.gouv.fr/collectivites-locales-chiffres,DGCL,,2023,Publication statistique,Finances & Fiscalité,Collectivités locales (toutes),,Annuaire statistique.
2,Mauvaise date,https://www.insee.fr/fr/information/2008354,Insee,,2023-13,Jeu de données,,,,Date impossible.
3,Populations légales 2021,https://www.insee.fr/fr/information/7735186,Insee,,2023-12,Jeu de données,Géographie & Intercommunalités,Communes & EPCI (toutes),,Populations légales.
";

/// The loopback fixture server.
async fn fixture_server() -> (SocketAddr, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let app = Router::new()
        .route("/insee.rss", get(insee))
        .route(
            "/dgcl-latin1.rss",
            get(|| async {
                ([(header::CONTENT_TYPE, "application/rss+xml; charset=ISO-8859-1")], fixture("dgcl-latin1.rss"))
            }),
        )
        .route(
            "/dgcl-wrong-charset.rss",
            get(|| async { ([(header::CONTENT_TYPE, "text/xml; charset=iso-8859-1")], fixture("dgcl-utf8.rss")) }),
        )
        .route(
            "/drees.atom",
            get(|| async { ([(header::CONTENT_TYPE, "application/atom+xml")], fixture("drees.atom")) }),
        )
        .route(
            "/ofgl.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/feed+json")], fixture("ofgl.json")) }),
        )
        .route("/bomb.rss", get(|| async { xml(fixture("bomb.rss")) }))
        .route("/malformed.rss", get(|| async { xml(fixture("insee.rss")[..700].to_vec()) }))
        .route(
            "/page.html",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<html><body>Pas un flux</body></html>") }),
        )
        .route("/sru", get(sru))
        .route("/slow-sru", get(slow_sru))
        .route("/ofgl/api/explore/v2.1/catalog/datasets", get(ods))
        .route("/flaky.atom", get(flaky))
        .route("/down.rss", get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "maintenance") }))
        .route("/browser-only.json", get(browser_only))
        .route(
            "/slow.rss",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(6)).await;
                xml(fixture("insee.rss"))
            }),
        )
        .route("/truncated.rss", get(truncated))
        .route("/huge.rss", get(|| async { xml(vec![b' '; 2 * 1024 * 1024]) }))
        .route("/counted-a.atom", get(counted))
        .route("/counted-b.atom", get(counted))
        .route("/catalogue.csv", get(|| async { ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], CSV) }))
        .with_state(hits.clone());
    let addr = crate::common::serve_loopback(app).await;
    (addr, hits)
}

/// One registry entry.
fn source(id: &str, kind: &str, url: &str, extra: &str) -> String {
    format!(
        "[[source]]\nid = \"{id}\"\nname = \"{id}\"\npublisher = \"Éditeur {id}\"\npublisher_short = \
        \"{id}\"\nkind = \"{kind}\"\nurl = \"{url}\"\n{extra}\n"
    )
}

/// A registry of every kind and misbehaviour, served by `addr`.
fn registry(addr: SocketAddr) -> String {
    let u = |p: &str| format!("http://{addr}{p}");
    let defaults = "[source.defaults]\nthemes = [\"Finances & Fiscalité\"]\nscope = [\"Collectivités locales \
        (toutes)\"]\nresource_type = \"Publication statistique\"\n";
    [
        source("insee", "feed", &u("/insee.rss"), defaults),
        source("dgcl-latin1", "feed", &u("/dgcl-latin1.rss"), ""),
        source("dgcl-wrong-charset", "feed", &u("/dgcl-wrong-charset.rss"), ""),
        source("drees", "feed", &u("/drees.atom"), "[source.defaults]\nthemes = [\"Santé & Social\"]\n"),
        source("ofgl-json", "feed", &u("/ofgl.json"), ""),
        source("bnsp", "sru", &u("/sru"), "query = 'dc.title all \"jaune bleu\"'\n"),
        source(
            "ofgl-catalogue",
            "ods",
            &u("/ofgl/api/explore/v2.1/catalog/datasets"),
            "[source.defaults]\nresource_type = \"Jeu de données\"\n",
        ),
        source("csv", "csv", &u("/catalogue.csv"), ""),
        source("seed", "csv", "embedded:publications-seed.csv", ""),
        source("bomb", "feed", &u("/bomb.rss"), ""),
        source("malformed", "feed", &u("/malformed.rss"), ""),
        source("html", "feed", &u("/page.html"), ""),
        source("flaky", "feed", &u("/flaky.atom"), ""),
        source("down", "feed", &u("/down.rss"), ""),
        source("browser-only", "feed", &u("/browser-only.json"), ""),
        source("slow", "feed", &u("/slow.rss"), ""),
        source("truncated", "feed", &u("/truncated.rss"), ""),
        source("huge", "feed", &u("/huge.rss"), ""),
        source("counted-a", "feed", &u("/counted-a.atom"), ""),
        source("counted-b", "feed", &u("/counted-b.atom"), "schedule = \"* * * * * *\"\n"),
        source(
            "slow-sru",
            "sru",
            &u("/slow-sru"),
            "query = 'dc.title all \"jaune bleu\"'\nmax_records = 2000\nenabled = false\n",
        ),
    ]
    .concat()
}

/// A configuration in `dir` whose registry points at the fixture server.
fn config(dir: &Path, addr: SocketAddr) -> PathBuf {
    let reg = dir.join("sources.toml");
    std::fs::write(&reg, registry(addr)).expect("registry");
    let cfg = dir.join("config.toml");
    let text = format!(
        "[data]\ndir = {:?}\n[library]\nsources = {:?}\nschedule = false\n[library.fetch]\ntimeout_secs = \
            2\nconnect_timeout_secs = 2\nretries = 2\nbackoff_ms = 50\nmax_mb = 1\n",
        dir.join("data").display().to_string(),
        reg.display().to_string()
    );
    std::fs::write(&cfg, text).expect("config");
    cfg
}

fn harvest(cfg: &Path) -> opencollectivites::library::Harvest {
    let config = opencollectivites::Config::read(cfg).expect("config");
    opencollectivites::library::open_harvest(&config, &oc_store::Geo::embedded()).expect("harvest")
}

async fn run(h: &opencollectivites::library::Harvest, id: &str, opts: &RunOptions) -> Report {
    let s = h.sources.iter().find(|s| s.id == id).expect("source").clone();
    h.harvester.run(&s, opts).await
}

fn store(dir: &Path) -> Library {
    Library::open(&dir.join("data/library.sqlite")).expect("store")
}

fn doc_by_url(lib: &Library, url: &str) -> oc_library::store::Document {
    let id = lib.id_of(url).expect("store").unwrap_or_else(|| panic!("no document {url}"));
    lib.document(id).expect("store").expect("document")
}

#[tokio::test]
async fn every_kind_of_source_is_read_cleaned_and_classified() {
    let (addr, _) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let h = harvest(&config(dir.path(), addr));
    let opts = RunOptions::default();

    // RSS 2.0: French dates, entities, injection, tracking, duplicate, no link, no title.
    let r = run(&h, "insee", &opts).await;
    assert_eq!(r.error, None);
    assert_eq!((r.counts.seen, r.counts.new, r.counts.rejected), (6, 3, 3), "{r:?}");
    let reasons: Vec<&str> = r.rejected.iter().map(|(_, m)| m.as_str()).collect();
    assert!(reasons.iter().any(|m| m.contains("sans lien")), "{reasons:?}");
    assert!(reasons.iter().any(|m| m.contains("sans titre")), "{reasons:?}");
    assert!(reasons.iter().any(|m| m.contains("doublon")), "{reasons:?}");
    let lib = store(dir.path());
    let epci = doc_by_url(&lib, "https://insee.fr/fr/statistiques/6689129");
    assert_eq!(epci.published.as_deref(), Some("2023-01-17"), "French day and month names read");
    assert_eq!(epci.precision.as_deref(), Some("day"));
    assert_eq!(epci.summary, "Au 1er janvier 2022, la France compte 1 253 EPCI à fiscalité propre.");
    assert_eq!(epci.themes, vec!["Finances & Fiscalité"], "the source's defaults");
    assert_eq!(epci.publisher, "insee");
    assert_eq!(epci.subjects, vec!["Territoires"]);
    let fusion = doc_by_url(&lib, "https://insee.fr/fr/statistiques/4797725");
    assert!(
        fusion.territories.contains(&"REG-24".to_owned()),
        "Centre-Val de Loire detected: {:?}",
        fusion.territories
    );
    for bad in ["script", "onmouseover", "javascript", "evil", "cookie"] {
        assert!(!fusion.summary_html.contains(bad) && !fusion.summary.contains(bad), "{bad}: {}", fusion.summary_html);
    }
    let demo = doc_by_url(&lib, "https://www.insee.fr/fr/statistiques/3694585");
    assert!(!demo.title.contains('<') && !demo.title.contains("onerror"), "{}", demo.title);
    assert_eq!(demo.published, None, "no date is no date");
    let rejections = lib.rejections("insee", 10).unwrap();
    assert_eq!(rejections.len(), 3, "rejected items are kept with their reason");

    // Charsets: declared Latin-1; UTF-8 declared as Latin-1.
    for id in ["dgcl-latin1", "dgcl-wrong-charset"] {
        let r = run(&h, id, &opts).await;
        assert_eq!(r.error, None, "{id}");
        let d = doc_by_url(&lib, "https://www.collectivites-locales.gouv.fr/collectivites-locales-chiffres");
        assert_eq!(d.title, "Les collectivités locales en chiffres 2023", "{id}");
        assert_eq!(d.published.as_deref(), Some("2023-07-13"), "{id}: « jeudi, 13 juillet 2023 »");
    }
    let ofgl = doc_by_url(&lib, "https://www.collectivites-locales.gouv.fr/etudes-et-statistiques/rapports-de-lobservatoire-des-finances-et-de-la-gestion-publique-locales-ofgl");
    assert!(ofgl.summary.contains("Occitanie") && ofgl.territories.contains(&"REG-76".to_owned()), "{ofgl:?}");

    // Atom and JSON Feed.
    let r = run(&h, "drees", &opts).await;
    assert_eq!((r.error.as_deref(), r.counts.new), (None, 2));
    let minima = doc_by_url(&lib, "https://drees.solidarites-sante.gouv.fr/publications-communique-de-presse/panoramas-de-la-drees/241022_Minima_Sociaux_2024");
    assert_eq!(minima.published.as_deref(), Some("2024-10-24"));
    assert_eq!(minima.themes, vec!["Santé & Social"]);
    let r = run(&h, "ofgl-json", &opts).await;
    assert_eq!((r.error.as_deref(), r.counts.new), (None, 2));

    // SRU: two pages through nextRecordPosition, 61 real records.
    let r = run(&h, "bnsp", &opts).await;
    assert_eq!(r.error, None);
    assert_eq!(r.counts.seen, 61, "{r:?}");
    assert_eq!(r.counts.new + r.counts.rejected, 61);

    // OpenDataSoft catalogue: datasets become documents.
    let r = run(&h, "ofgl-catalogue", &opts).await;
    assert_eq!((r.error.as_deref(), r.counts.new, r.counts.rejected), (None, 3, 1), "{r:?}");
    let ds = doc_by_url(
        &lib,
        "https://data.ofgl.fr/explore/dataset/ofgl-base-communes-consolidee/"
            .replace("https://data.ofgl.fr", &format!("http://{addr}"))
            .as_str(),
    );
    assert_eq!(ds.resource_type, "Jeu de données");
    assert_eq!(ds.published.as_deref(), Some("2026-08-05"));
    assert!(ds.subjects.contains(&"comptes consolidés".to_owned()));

    // CSV catalogue: the bad row is rejected with its line, the others kept.
    let r = run(&h, "csv", &opts).await;
    assert_eq!((r.error.as_deref(), r.counts.new, r.counts.updated, r.counts.rejected), (None, 1, 1, 1), "{r:?}");
    assert!(r.rejected[0].0.contains("ligne 3") && r.rejected[0].1.contains("date"), "{:?}", r.rejected);

    // The embedded seed catalogue.
    let r = run(&h, "seed", &opts).await;
    assert_eq!((r.error.as_deref(), r.counts.seen, r.counts.rejected), (None, 251, 0));
    lib.check().unwrap();

    // Status per source, as `sources` and /api/v1/sources show it.
    let statuses = lib.sources().unwrap();
    let insee = statuses.iter().find(|s| s.source.id == "insee").unwrap();
    assert!(insee.last_success.is_some() && insee.last_error.is_none());
    assert_eq!((insee.items_seen, insee.items_new, insee.items_rejected), (6, 3, 3));
}

#[tokio::test]
async fn conditional_get_incremental_catalogues_and_since() {
    let (addr, hits) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let h = harvest(&config(dir.path(), addr));
    let opts = RunOptions::default();
    assert_eq!(run(&h, "insee", &opts).await.counts.new, 3);
    // Second run: ETag sent, 304, nothing read, still a success.
    let r = run(&h, "insee", &opts).await;
    assert_eq!((r.error.as_deref(), r.counts.seen, r.counts.new), (None, 0, 0), "{r:?}");
    // --since reads everything again; unchanged items are not updates.
    let since = RunOptions { since: chrono::NaiveDate::from_ymd_opt(2021, 1, 1), ..RunOptions::default() };
    let r = run(&h, "insee", &since).await;
    assert_eq!((r.counts.seen, r.counts.new, r.counts.updated), (6, 0, 0), "{r:?}");
    // OpenDataSoft: the second run asks only for datasets modified since the newest seen.
    run(&h, "ofgl-catalogue", &opts).await;
    run(&h, "ofgl-catalogue", &opts).await;
    let queries = hits.ods_queries.lock().unwrap().clone();
    assert!(!queries[0].contains("where"), "{queries:?}");
    assert!(queries[1].contains("where=modified%3E%3Ddate%272026-08-05%27"), "{queries:?}");
}

#[tokio::test]
async fn misbehaving_servers_are_reported_and_never_stop_the_others() {
    let (addr, hits) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let h = harvest(&config(dir.path(), addr));
    // A client without a browser-like User-Agent gets 403 from this server.
    let plain = client().get(format!("http://{addr}/browser-only.json")).send().await.unwrap();
    assert_eq!(plain.status(), 403);
    let ids = ["bomb", "malformed", "html", "flaky", "down", "browser-only", "slow", "truncated", "huge", "drees"];
    let sources: Vec<_> = ids.iter().map(|id| h.sources.iter().find(|s| &s.id == id).unwrap().clone()).collect();
    let reports = h.harvester.run_all(&sources, &RunOptions::default()).await;
    let by = |id: &str| reports.iter().find(|r| r.source == id).unwrap();
    let err = |id: &str| by(id).error.clone().unwrap_or_else(|| panic!("{id} should fail: {:?}", by(id)));
    assert!(err("malformed").contains("flux illisible"), "{}", err("malformed"));
    assert!(err("html").contains("flux illisible"), "{}", err("html"));
    assert!(err("down").contains("503") && err("down").contains("3 tentatives"), "{}", err("down"));
    assert!(err("slow").contains("délai"), "{}", err("slow"));
    assert!(err("truncated").contains("tronquée") || err("truncated").contains("requête"), "{}", err("truncated"));
    assert!(err("huge").contains("trop volumineuse"), "{}", err("huge"));
    // The entity bomb is either refused or read without expansion.
    if by("bomb").error.is_none() {
        let lib = store(dir.path());
        for d in lib.published().unwrap() {
            assert!(d.title.len() < 5_000 && d.summary.len() < 25_000);
        }
    }
    assert_eq!(by("flaky").error, None, "5xx retried with backoff");
    assert_eq!(hits.flaky.load(Ordering::SeqCst), 3);
    assert_eq!(by("browser-only").error, None, "browser-like User-Agent and Accept sent");
    assert_eq!(by("drees").error, None, "the last source runs after all those failures");
    // Failures are recorded, and nothing was stored by them.
    let lib = store(dir.path());
    let statuses = lib.sources().unwrap();
    let down = statuses.iter().find(|s| s.source.id == "down").unwrap();
    assert!(down.last_error.as_deref().is_some_and(|e| e.contains("503")) && down.last_success.is_none());
    assert_eq!(down.documents, 0);
    lib.check().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_per_host_one_run_per_source_and_cron_runs() {
    let (addr, hits) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let h = harvest(&config(dir.path(), addr));
    let src = |id: &str| h.sources.iter().find(|s| s.id == id).unwrap().clone();
    let (a, b) = (src("counted-a"), src("counted-b"));
    let opts = RunOptions::default();
    // Two sources of one host at once: their requests take turns.
    let (ra, rb) = tokio::join!(h.harvester.run(&a, &opts), h.harvester.run(&b, &opts));
    assert_eq!((ra.error, rb.error), (None, None));
    assert_eq!(hits.max_in_flight.load(Ordering::SeqCst), 1, "at most one request at a time per host");
    // One source twice at once: the second run is skipped.
    let (r1, r2) = tokio::join!(h.harvester.run(&a, &opts), h.harvester.run(&a, &opts));
    assert!(r1.skipped != r2.skipped, "{r1:?} {r2:?}");
    // The scheduler runs `counted-b` every second ("* * * * * *").
    let before =
        store(dir.path()).sources().unwrap().into_iter().find(|s| s.source.id == "counted-b").unwrap().last_attempt;
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let (mut sched, jobs) = oc_harvest::schedule::start(
        h.harvester.clone(),
        &h.sources,
        Arc::new(move || {
            r.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .await
    .unwrap();
    assert_eq!(jobs, 1, "only sources with a schedule");
    assert!(wait_for(10, || runs.load(Ordering::SeqCst) >= 2).await, "the cron job ran");
    sched.shutdown().await.unwrap();
    let after = store(dir.path()).sources().unwrap().into_iter().find(|s| s.source.id == "counted-b").unwrap();
    assert!(after.last_success.is_some() && after.last_attempt != before);
}

#[tokio::test]
async fn curation_is_never_undone_by_ingestion() {
    let (addr, _) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let h = harvest(&config(dir.path(), addr));
    run(&h, "insee", &RunOptions::default()).await;
    let mut lib = store(dir.path());
    let a = lib.id_of("https://insee.fr/fr/statistiques/6689129").unwrap().unwrap();
    let b = lib.id_of("https://insee.fr/fr/statistiques/4797725").unwrap().unwrap();
    let c = lib.id_of("https://www.insee.fr/fr/statistiques/3694585").unwrap().unwrap();
    lib.set_override(
        a,
        &Override {
            themes: Some(vec!["Géographie & Intercommunalités".into()]),
            title: Some("Titre corrigé".into()),
            ..Override::default()
        },
    )
    .unwrap();
    lib.set_override(b, &Override { status: Some(oc_library::store::Status::Unpublished), ..Override::default() })
        .unwrap();
    lib.set_override(c, &Override { status: Some(oc_library::store::Status::Deleted), ..Override::default() }).unwrap();
    // Fetched again in full.
    let since = RunOptions { since: chrono::NaiveDate::from_ymd_opt(2000, 1, 1), ..RunOptions::default() };
    let r = run(&h, "insee", &since).await;
    assert_eq!(r.error, None);
    let d = lib.document(a).unwrap().unwrap();
    assert_eq!(
        (d.title.as_str(), d.themes.clone()),
        ("Titre corrigé", vec!["Géographie & Intercommunalités".to_owned()])
    );
    let published: Vec<i64> = lib.published().unwrap().iter().map(|d| d.id).collect();
    assert_eq!(published, vec![a], "unpublished and deleted documents stay so");
}

/// A plain HTTP client (no browser-like headers).
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Waits until `f` holds, up to `secs` seconds.
async fn wait_for(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 10 {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn documents(dir: &Path) -> i64 {
    Library::open(&dir.join("data/library.sqlite")).and_then(|l| l.count()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_ingestion_leaves_store_and_index_consistent() {
    let (addr, hits) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), addr);
    let bin = env!("CARGO_BIN_EXE_opencollectivites");
    let mut child = Command::new(bin)
        .args(["ingest", "--config", cfg.to_str().unwrap(), "--source", "slow-sru"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ingest starts");
    // Kill it once a few pages are stored, in the middle of the next ones.
    assert!(wait_for(60, || documents(dir.path()) >= 100).await, "the ingestion never stored anything");
    tokio::time::sleep(Duration::from_millis(150)).await;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let pages = hits.slow_pages.load(Ordering::SeqCst);
    assert!(pages < 40, "killed before the end ({pages} pages)");
    // The store is consistent and kept every committed page, whole.
    let lib = store(dir.path());
    lib.check().unwrap();
    let n = lib.count().unwrap();
    assert!(n >= 100 && n % 50 == 0, "whole pages only: {n}");
    // The index agrees with the store once caught up.
    let index = oc_index::PublicationsIndex::open(&dir.path().join("data/publications")).unwrap();
    let mut lib = lib;
    opencollectivites::library::sync_index(&mut lib, &index).unwrap();
    let published: Vec<i64> = lib.published().unwrap().iter().map(|d| d.id).collect();
    assert_eq!(index.ids(), published);
    drop(index);
    // Running again completes, without duplicates.
    let status = Command::new(bin)
        .args(["ingest", "--config", cfg.to_str().unwrap(), "--source", "slow-sru"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let lib = store(dir.path());
    lib.check().unwrap();
    assert_eq!(lib.count().unwrap(), 2000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_seeds_the_library_and_answers_while_an_ingestion_runs() {
    let (addr, _) = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), addr);
    // The registry of a fresh install has the seed catalogue.
    let mut reg = std::fs::read_to_string(dir.path().join("sources.toml")).unwrap();
    reg = reg.replace("id = \"seed\"", "id = \"catalogue-initial\"");
    std::fs::write(dir.path().join("sources.toml"), reg).unwrap();
    let bin = env!("CARGO_BIN_EXE_opencollectivites");
    let mut server = Command::new(bin)
        .args(["serve", "--config", cfg.to_str().unwrap(), "--bind", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    // The address from the log.
    let stderr = server.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("listening on http://") {
                let _ = tx.send(line[i + "listening on http://".len()..].trim().to_owned());
            }
        }
    });
    let base = rx.recv_timeout(Duration::from_secs(120)).expect("the server starts");
    let client = client();
    let sources = |c: reqwest::Client| {
        let url = format!("http://{base}/api/v1/sources");
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .map(|b| serde_json::from_slice::<serde_json::Value>(&b).unwrap())
                .unwrap()
        }
    };
    let v = sources(client.clone()).await;
    assert_eq!(v["documents_indexed"], 251, "seeded and indexed before listening: {v}");
    let seed = v["sources"].as_array().unwrap().iter().find(|s| s["id"] == "catalogue-initial").unwrap().clone();
    assert_eq!(seed["items_new"], 251);
    assert!(seed["last_success"].is_string());
    // An ingestion by hand while the server runs: the server keeps
    // answering, and its indexer picks the new documents up.
    let mut ingest = Command::new(bin)
        .args(["ingest", "--config", cfg.to_str().unwrap(), "--source", "slow-sru"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut answered = 0;
    while ingest.try_wait().unwrap().is_none() {
        let r = client.get(format!("http://{base}/api/v1/search?q=montpellier")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v = sources(client.clone()).await;
        assert!(v["total"].as_u64().unwrap() > 0);
        answered += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered > 5, "the server answered during the ingestion ({answered} rounds)");
    let out = ingest.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("in use by a running server"), "{text}");
    let caught_up = wait_for(20, || {
        let c = client.clone();
        let url = format!("http://{base}/api/v1/sources");
        let v = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
                c.get(url)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .map(|b| serde_json::from_slice::<serde_json::Value>(&b).unwrap())
                    .unwrap()
            })
        })
        .join()
        .unwrap();
        v["documents_indexed"] == 251 + 2000
    })
    .await;
    let _ = server.kill();
    let _ = server.wait();
    assert!(caught_up, "the server's indexer applies the ingestion's changes");
}

#[test]
fn admin_add_user_from_the_command_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, format!("[data]\ndir = {:?}\n", dir.path().join("data").display().to_string())).unwrap();
    let bin = env!("CARGO_BIN_EXE_opencollectivites");
    let add = |user: &str, password: &str, role: &str| {
        let mut child = Command::new(bin)
            .args(["admin", "add-user", "--config", cfg.to_str().unwrap(), "--username", user, "--role", role])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("RUST_BACKTRACE", "0")
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = add("marie", "correct horse battery staple", "admin");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let short = add("jean", "court", "librarian");
    assert!(!short.status.success() && String::from_utf8_lossy(&short.stderr).contains("trop court"));
    let twice = add("marie", "another long password", "librarian");
    assert!(!twice.status.success() && String::from_utf8_lossy(&twice.stderr).contains("existe déjà"));
    let lib = Library::open(&dir.path().join("data/library.sqlite")).unwrap();
    assert!(lib.authenticate("marie", "correct horse battery staple").unwrap().is_some());
    assert_eq!(lib.audit(10).unwrap().len(), 1, "the creation is in the audit log");
}

/// Notices give the licence a source states and the size of the file a
/// document links to, asked once of its server (`HEAD`) at harvest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_give_the_licence_and_the_file_size_asked_at_harvest() {
    let csv = std::fs::read(shared_data().join("finances-ofgl/ofgl-base-epci.test.csv")).expect("OFGL extract");
    let size = csv.len() as u64;
    let heads = Arc::new(AtomicUsize::new(0));
    let counted = heads.clone();
    let feed = |addr: SocketAddr| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>OFGL</title><id>https://www.data.ofgl.fr/</id>
<updated>2025-06-01T00:00:00Z</updated><rights>Licence Ouverte v2.0 (Etalab)</rights>
<entry><title>Comptes consolidés des EPCI (extrait CSV)</title><id>urn:a</id>
<link href="http://{addr}/files/ofgl-base-epci.csv"/><updated>2025-06-01T00:00:00Z</updated></entry>
<entry><title>Comptes consolidés des régions</title><id>urn:b</id><rights>ODbL</rights>
<link href="http://{addr}/files/ofgl-base-region"/><updated>2025-06-01T00:00:00Z</updated></entry>
<entry><title>Comptes consolidés des départements (CSV)</title><id>urn:c</id>
<link href="http://{addr}/files/ofgl-base-departement.csv"/><updated>2025-06-01T00:00:00Z</updated></entry>
<entry><title>Comptes consolidés des communes (CSV)</title><id>urn:d</id>
<link href="http://localhost:{port}/files/ofgl-base-epci.csv"/><updated>2025-06-01T00:00:00Z</updated></entry>
</feed>"#,
            port = addr.port()
        )
    };
    let addr_cell = Arc::new(std::sync::OnceLock::<SocketAddr>::new());
    let cell = addr_cell.clone();
    let app = Router::new()
        .route(
            "/ofgl.atom",
            get(move || async move { ([(header::CONTENT_TYPE, "application/atom+xml")], feed(*cell.get().unwrap())) }),
        )
        .route("/files/ofgl-base-epci.csv", get(move || async move { ([(header::CONTENT_TYPE, "text/csv")], csv) }))
        .route("/files/ofgl-base-region", get(|| async { "<html></html>" }))
        // A server refusing HEAD: asked once, never again.
        .route("/files/ofgl-base-departement.csv", axum::routing::post(|| async { "" }))
        .layer(axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
            let counted = counted.clone();
            async move {
                if req.method() == axum::http::Method::HEAD {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
                next.run(req).await
            }
        }));
    let addr = crate::common::serve_loopback(app).await;
    addr_cell.set(addr).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("sources.toml");
    std::fs::write(&reg, source("ofgl", "feed", &format!("http://{addr}/ofgl.atom"), "")).unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[data]\ndir = {:?}\n[library]\nsources = {:?}\nschedule = false\n",
            dir.path().join("data").display().to_string(),
            reg.display().to_string()
        ),
    )
    .unwrap();
    let config = opencollectivites::Config::read(&cfg).expect("config");
    let (h, index) = crate::common::seeded_library(&config);
    for _ in 0..2 {
        let r = run(&h, "ofgl", &RunOptions::default()).await;
        assert_eq!(r.error, None, "{r:?}");
    }
    // One HEAD per file of the source's host, over two runs; none for the
    // link to another host written as a local name.
    assert_eq!(heads.load(Ordering::SeqCst), 2, "each file asked once, and never a local address of another host");
    let lib = store(dir.path());
    let file = doc_by_url(&lib, &format!("http://{addr}/files/ofgl-base-epci.csv"));
    assert_eq!(file.size, Some(size));
    assert_eq!(file.licence.as_deref(), Some("Licence Ouverte v2.0 (Etalab)"), "the feed's rights");
    let page = doc_by_url(&lib, &format!("http://{addr}/files/ofgl-base-region"));
    assert_eq!((page.size, page.licence.as_deref()), (None, Some("ODbL")), "the entry's own rights; no file");
    let refused = doc_by_url(&lib, &format!("http://{addr}/files/ofgl-base-departement.csv"));
    assert_eq!(refused.size, None, "a server saying nothing leaves the size unknown");
    let local = doc_by_url(&lib, &format!("http://localhost:{}/files/ofgl-base-epci.csv", addr.port()));
    assert_eq!(local.size, None);
    oc_index::publications::catch_up(&lib, &index).expect("indexed");
    let app = opencollectivites::open_app_with(&config, index).expect("app");
    let (s, body) = crate::common::get_on(&app, &format!("/publications/{}", file.id)).await;
    assert_eq!(s, 200);
    let html = scraper::Html::parse_document(&body);
    let sel = |css: &str| -> Vec<String> {
        html.select(&scraper::Selector::parse(css).unwrap())
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let (dt, dd) = (sel("dl.oc-identity dt"), sel("dl.oc-identity dd"));
    let value = |k: &str| dt.iter().position(|t| t == k).map(|i| dd[i].clone());
    let shown = oc_model::file::size_text(size);
    assert_eq!(shown, "7,7 ko");
    assert_eq!(value("Format"), Some(format!("CSV – {shown} (fichier à télécharger)")), "{dt:?} {dd:?}");
    assert_eq!(value("Licence"), Some("Licence Ouverte v2.0 (Etalab) (selon la source)".into()));
    assert!(sel("a.fr-btn").contains(&format!("Télécharger le document (CSV – {shown})")), "{:?}", sel("a.fr-btn"));
    let (_, body) = crate::common::get_on(&app, &format!("/publications/{}", page.id)).await;
    assert!(!body.contains("fichier à télécharger") && body.contains("ODbL"));
}
