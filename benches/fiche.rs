//! Server time per fiche, in-process through the router (no network):
//! every région, département and EPCI fiche and one commune in 20, each
//! rendered twice (first: cold map caches; then warm). Run with
//! `cargo bench --bench fiche`; figures go to docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn percentile<T: Copy>(sorted: &[T], p: f64) -> T {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config: opencollectivites::Config = toml::from_str("").expect("config");
    config.data.dir = dir.path().to_path_buf();
    let app = opencollectivites::open_app(&config).expect("app");
    let d = &app.geo().data;
    let mut urls: Vec<String> = Vec::new();
    urls.extend(d.regions.iter().map(|r| oc_web::fiche::url(oc_model::KindGroup::Region, &r.name, &r.code)));
    urls.extend(
        d.departements
            .iter()
            .filter(|x| x.zone != "com")
            .map(|x| oc_web::fiche::url(oc_model::KindGroup::Departement, &x.name, &x.code)),
    );
    urls.extend(d.epci.iter().map(|x| oc_web::fiche::url(oc_model::KindGroup::Epci, &x.name, &x.code)));
    urls.extend(
        d.communes.iter().filter(|c| c.kind == oc_model::Kind::Commune).step_by(20).map(oc_web::fiche::url_commune),
    );
    // Ranks, reference values and neighbours, as `serve` makes them at
    // start (issue 18): their time and the memory they add.
    let rss = || {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS"))
                    .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
            })
            .and_then(|k| k.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let before = rss();
    let t = Instant::now();
    oc_web::prepare(&app.geo());
    println!(
        "context tables and neighbours: {:?}, resident memory {} → {} MB",
        t.elapsed(),
        before / 1024,
        rss() / 1024
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let router = oc_web::router(app);
    let run = |label: &str| {
        let mut times: Vec<(Duration, usize, String)> = Vec::new();
        for u in &urls {
            let t = Instant::now();
            let (status, len) = rt.block_on(async {
                let res = router
                    .clone()
                    .oneshot(Request::builder().uri(u.as_str()).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                let status = res.status();
                (status, res.into_body().collect().await.unwrap().to_bytes().len())
            });
            assert!(status.is_success(), "{u}: {status}");
            times.push((t.elapsed(), len, u.clone()));
        }
        let mut all: Vec<Duration> = times.iter().map(|t| t.0).collect();
        all.sort();
        println!(
            "{label}: {} fiches, p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
            all.len(),
            percentile(&all, 0.5),
            percentile(&all, 0.9),
            percentile(&all, 0.99),
            all[all.len() - 1]
        );
        times
    };
    run("first pass (cold base maps)");
    let times = run("second pass (warm)");
    for prefix in ["/commune/", "/epci/", "/departement/", "/region/"] {
        let mut sizes: Vec<usize> = times.iter().filter(|t| t.2.starts_with(prefix)).map(|t| t.1).collect();
        sizes.sort();
        let mut durs: Vec<Duration> = times.iter().filter(|t| t.2.starts_with(prefix)).map(|t| t.0).collect();
        durs.sort();
        println!(
            "{prefix:<14} n={:<5} time p50 {:>9.2?} p99 {:>9.2?} | HTML+SVG size p50 {:>7} B, max {:>7} B",
            sizes.len(),
            percentile(&durs, 0.5),
            percentile(&durs, 0.99),
            percentile(&sizes, 0.5),
            sizes[sizes.len() - 1]
        );
    }
    let heaviest = times.iter().filter(|t| t.2.starts_with("/commune/")).max_by_key(|t| t.1).unwrap();
    println!("heaviest commune fiche: {} ({} B)", heaviest.2, heaviest.1);
    println!("resident memory at the end: {} MB", rss() / 1024);
}
