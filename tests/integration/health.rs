//! Stay up under hostile load (issue 15, item 4): `/healthz` says whether
//! the server can serve, and turns 503 when the blocking pool is
//! saturated or the publications index has stayed behind the store.
//!
//! The count of blocking tasks is process-wide and the tests of this
//! binary run in parallel: saturation is tested with a limit of the test's
//! own app ([`HealthConfig::blocking_limit`]), never with
//! `blocking::set_limit`, so no other test sees it.

use std::sync::{mpsc, Arc};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use oc_index::publications::catch_up;
use oc_library::store::Harvested;
use oc_web::health::HealthConfig;
use oc_web::App;
use tower::ServiceExt;

/// `GET /healthz` on `app`: status and JSON body.
async fn healthz(app: &App) -> (StatusCode, serde_json::Value) {
    let res = oc_web::router(app.clone())
        .oneshot(Request::get("/healthz").body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    assert_eq!(
        res.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap_or("")),
        Some("no-store"),
        "never cached"
    );
    let ctype =
        res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("").to_owned()).unwrap_or_default();
    assert!(ctype.starts_with("application/json"), "{ctype}");
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(&body))),
    )
}

fn failed(v: &serde_json::Value) -> Vec<&str> {
    v["failed"].as_array().map(|a| a.iter().filter_map(|f| f.as_str()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn healthz_is_200_with_every_check_ok_on_the_embedded_default() {
    let (status, v) = healthz(&crate::common::app()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "ok");
    // The fields it always had.
    assert_eq!(v["cog"], 2026);
    assert!(v["communes"].as_u64().unwrap() > 34_000 && v["indexed"].as_u64().unwrap() > 34_000);
    assert_eq!(v["data_fingerprint"].as_str().unwrap().len(), 16);
    let c = &v["checks"];
    assert_eq!(c["blocking"]["ok"], true, "{v}");
    assert!(c["blocking"]["in_flight"].is_u64(), "{v}");
    assert_eq!(c["blocking"]["limit"].as_u64(), Some(oc_web::blocking::limit() as u64), "{v}");
    assert_eq!(c["index"]["ok"], true, "{v}");
    assert_eq!(c["index"]["lag_revisions"], 0, "the fixture indexed the whole store: {v}");
    assert_eq!(c["index"]["behind_secs"], 0, "{v}");
    assert_eq!(c["store"]["ok"], true, "{v}");
    assert!(v.get("failed").is_none() && v.get("message").is_none(), "{v}");
}

#[tokio::test]
async fn a_saturated_blocking_pool_turns_healthz_503_until_released() {
    // Far above what the other tests hold at once, far below the pool.
    const HELD: usize = 64;
    let app = crate::common::app().with_health(HealthConfig { blocking_limit: Some(HELD), ..HealthConfig::default() });
    let (senders, tasks): (Vec<mpsc::Sender<()>>, Vec<_>) = (0..HELD)
        .map(|_| {
            let (tx, rx) = mpsc::channel::<()>();
            (tx, oc_web::blocking::spawn(move || rx.recv().is_ok()))
        })
        .unzip();
    assert!(oc_web::blocking::in_flight() >= HELD, "counted from the spawn on");
    let (status, v) = healthz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["status"], "degraded");
    assert_eq!(v["cog"], 2026, "the usual fields stay");
    let b = &v["checks"]["blocking"];
    assert_eq!(b["ok"], false, "{v}");
    assert_eq!(b["limit"], HELD as u64);
    assert!(b["in_flight"].as_u64().unwrap() >= HELD as u64, "{v}");
    assert_eq!(failed(&v), ["blocking"], "only the pool is at fault: {v}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("pool de tâches bloquantes est saturé") && message.contains(&format!("limite de {HELD}")),
        "{message}"
    );
    // Released: healthy again (the tasks are uncounted before they end).
    drop(senders);
    for t in tasks {
        assert!(!t.await.expect("task"), "released, not served");
    }
    let (status, v) = healthz(&app).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["checks"]["blocking"]["ok"], true, "{v}");
}

#[test]
fn a_check_that_gets_no_blocking_thread_in_time_is_saturation() {
    // A runtime of two blocking threads, both held: the check waits in the
    // queue. The limit is set out of reach, so only the timeout can tell.
    let rt =
        tokio::runtime::Builder::new_current_thread().max_blocking_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let app = crate::common::app().with_health(HealthConfig {
            blocking_limit: Some(1_000_000),
            check_timeout: Duration::from_millis(300),
            ..HealthConfig::default()
        });
        let (senders, tasks): (Vec<mpsc::Sender<()>>, Vec<_>) = (0..2)
            .map(|_| {
                let (tx, rx) = mpsc::channel::<()>();
                (tx, oc_web::blocking::spawn(move || rx.recv().is_ok()))
            })
            .unzip();
        let (status, v) = healthz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
        assert_eq!(v["checks"]["blocking"]["ok"], false, "{v}");
        assert_eq!(failed(&v), ["blocking"], "{v}");
        assert!(v["message"].as_str().unwrap_or_default().contains("aucun fil d'exécution bloquant libre"), "{v}");
        drop(senders);
        for t in tasks {
            t.await.expect("task");
        }
        let (status, v) = healthz(&app).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    });
}

/// An app on its own data directory whose index is the writer's (as in
/// `serve`): the test moves the store and the index apart.
fn own_app() -> (App, Arc<oc_index::PublicationsIndex>, tempfile::TempDir) {
    std::thread::spawn(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = opencollectivites::Config {
            data: opencollectivites::config::Data { dir: dir.path().to_path_buf(), refresh: None },
            ..toml::from_str("[library]\nschedule = false").expect("config")
        };
        let geo = Arc::new(oc_store::Geo::embedded());
        let index = Arc::new(opencollectivites::library::open_index_writer(&config.data.dir, geo).expect("index"));
        let app = opencollectivites::open_app_with(&config, index.clone()).expect("app");
        (app, index, dir)
    })
    .join()
    .expect("app opens")
}

#[tokio::test]
async fn an_index_behind_the_store_for_longer_than_allowed_turns_healthz_503() {
    let (app, index, _dir) = own_app();
    let lib = app.library.clone().expect("library");
    let strict = app.clone().with_health(HealthConfig::with_max_index_lag_secs(0));
    let lenient = app.with_health(HealthConfig::default());
    let (status, v) = healthz(&strict).await;
    assert_eq!(status, StatusCode::OK, "store and index agree: {v}");
    assert_eq!(v["checks"]["index"]["lag_revisions"], 0, "{v}");
    // A librarian's change saved, the indexer's commit failed.
    lib.lock()
        .upsert(
            &Harvested {
                url: "https://www.collectivites-locales.gouv.fr/essai/sante".into(),
                title: "Les finances des communes rurales".into(),
                publisher: "DGCL".into(),
                ..Harvested::default()
            },
            "s",
        )
        .expect("saved");
    index.inject_commit_failure();
    assert!(catch_up(&lib.lock(), &index).is_err(), "the commit fails");
    let (status, v) = healthz(&strict).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["status"], "degraded");
    let i = &v["checks"]["index"];
    assert_eq!(i["ok"], false, "{v}");
    assert_eq!(i["lag_revisions"], 1, "{v}");
    assert!(i["behind_secs"].is_u64(), "{v}");
    assert_eq!(failed(&v), ["index"], "the store reads, the pool is free: {v}");
    assert_eq!(v["checks"]["store"]["ok"], true);
    assert!(
        v["message"].as_str().unwrap_or_default().contains("l'index des publications a 1 révision(s) de retard"),
        "{v}"
    );
    // Behind for less than the lag allowed (five minutes): still healthy,
    // the lag shown.
    let (status, v) = healthz(&lenient).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["checks"]["index"]["ok"], true, "{v}");
    assert_eq!(v["checks"]["index"]["lag_revisions"], 1, "{v}");
    // The indexer catches up: healthy again, the lag forgotten.
    assert_eq!(catch_up(&lib.lock(), &index).expect("caught up"), 1);
    let (status, v) = healthz(&strict).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["checks"]["index"]["ok"], true, "{v}");
    assert_eq!(v["checks"]["index"]["lag_revisions"], 0, "{v}");
    assert_eq!(v["checks"]["index"]["behind_secs"], 0, "{v}");
}
