//! Back-office source URLs and server-side request forgery (hostile load,
//! item 7): the addresses actually connected to are checked, after name
//! resolution and on every redirect, and the text check normalises the
//! forms an address can be written in. A loopback server plays the
//! internal service; a resolver of our own plays the DNS that points a
//! public-looking name at it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use oc_harvest::http::{AddressPolicy, FetchConfig, Fetched, Fetcher, Validators};
use oc_harvest::run::{Harvester, RunOptions};

use crate::common::root;

const SECRET: &str = "réponse interne : ne doit jamais sortir";

/// The "internal service": every request counted.
async fn internal() -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/secret",
            get(|State(h): State<Arc<AtomicUsize>>| async move {
                h.fetch_add(1, Ordering::SeqCst);
                SECRET
            }),
        )
        .route(
            "/feed.rss",
            get(|State(h): State<Arc<AtomicUsize>>| async move {
                h.fetch_add(1, Ordering::SeqCst);
                let body = std::fs::read(root().join("tests/data/library/insee.rss")).expect("fixture");
                ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
            }),
        )
        // A redirect to wherever `u` says.
        .route(
            "/to",
            get(|State(h): State<Arc<AtomicUsize>>, Query(q): Query<HashMap<String, String>>| async move {
                h.fetch_add(1, Ordering::SeqCst);
                (StatusCode::FOUND, [(header::LOCATION, q.get("u").cloned().unwrap_or_default())]).into_response()
            }),
        )
        .with_state(hits.clone());
    let addr = crate::common::serve_loopback(app).await;
    (addr, hits)
}

/// A DNS of our own: names to addresses, every query recorded.
#[derive(Default)]
struct Names {
    table: HashMap<String, Vec<IpAddr>>,
    asked: Mutex<Vec<String>>,
}

impl Names {
    fn with(entries: &[(&str, &[&str])]) -> Arc<Names> {
        let table = entries
            .iter()
            .map(|(n, ips)| (n.to_string(), ips.iter().map(|ip| ip.parse().expect("ip")).collect()))
            .collect();
        Arc::new(Names { table, asked: Mutex::default() })
    }
}

impl Resolve for Names {
    fn resolve(&self, name: Name) -> Resolving {
        let n = name.as_str().to_owned();
        self.asked.lock().unwrap().push(n.clone());
        let found = self.table.get(&n).cloned();
        Box::pin(async move {
            let ips = found.ok_or_else(|| format!("nom inconnu : {n}"))?;
            Ok(Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs)
        })
    }
}

fn config(addresses: AddressPolicy) -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(20),
        addresses,
        ..FetchConfig::default()
    }
}

fn fetcher(names: &Arc<Names>, addresses: AddressPolicy) -> Fetcher {
    Fetcher::with_resolver(config(addresses), names.clone()).expect("fetcher")
}

fn body(f: Fetched) -> String {
    match f {
        Fetched::Body { bytes, .. } => String::from_utf8_lossy(&bytes).into_owned(),
        Fetched::NotModified => panic!("304"),
    }
}

/// The names of these tests: public-looking, pointing at the machine.
fn hostile_names() -> Arc<Names> {
    Names::with(&[
        ("example.test", &["127.0.0.1"]),
        ("mixed.example.test", &["93.184.215.14", "127.0.0.1"]),
        ("mapped.example.test", &["::ffff:127.0.0.1"]),
        ("metadata.example.test", &["169.254.169.254"]),
    ])
}

#[tokio::test]
async fn a_public_looking_name_that_resolves_to_a_local_address_is_refused() {
    let (addr, hits) = internal().await;
    let names = hostile_names();
    let port = addr.port();
    let secret = format!("http://example.test:{port}/secret");
    // Without the guard (the fetcher as it was), the name reaches the
    // internal service.
    let open = fetcher(&names, AddressPolicy::Any);
    assert_eq!(body(open.get(&secret, &Validators::default()).await.expect("guard off")), SECRET);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // With it (the default policy, and the back office's), never.
    for policy in [AddressPolicy::AsWritten, AddressPolicy::Public] {
        let f = fetcher(&names, policy);
        let e = f.get(&secret, &Validators::default()).await.expect_err("refused");
        assert!(
            e.message.starts_with(
                "adresse refusée : ce nom (example.test) désigne une adresse locale ou privée (127.0.0.1)"
            ),
            "{policy:?}: {e}"
        );
        for (name, shown) in [
            ("mixed.example.test", "127.0.0.1"),
            ("mapped.example.test", "::ffff:127.0.0.1 (soit 127.0.0.1)"),
            ("metadata.example.test", "169.254.169.254"),
        ] {
            let e = f.get(&format!("http://{name}:{port}/secret"), &Validators::default()).await.expect_err(name);
            assert!(e.message.contains("adresse refusée") && e.message.contains(shown), "{policy:?} {name}: {e}");
        }
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "no refused request reached the internal service");
    // Refused, not retried: each name asked once per fetch.
    assert_eq!(names.asked.lock().unwrap().iter().filter(|n| *n == "example.test").count(), 3);
}

#[tokio::test]
async fn a_redirect_to_a_local_address_is_refused() {
    let (addr, hits) = internal().await;
    let (other, other_hits) = internal().await;
    let names = hostile_names();
    let port = addr.port();
    let to = |target: &str| format!("http://example.test:{port}/to?u={}", oc_web::format::urlencode(target));
    let inner = format!("http://127.0.0.1:{}/secret", other.port());
    // Guard off: the public-looking server redirects to the internal one,
    // which answers.
    let open = fetcher(&names, AddressPolicy::Any);
    assert_eq!(body(open.get(&to(&inner), &Validators::default()).await.expect("guard off")), SECRET);
    assert_eq!(other_hits.load(Ordering::SeqCst), 1);
    // Guard on: refused (here at the name already).
    let strict = fetcher(&names, AddressPolicy::Public);
    let e = strict.get(&to(&inner), &Validators::default()).await.expect_err("refused");
    assert!(e.message.starts_with("adresse refusée"), "{e}");
    // The redirect check itself: the first URL is trusted as written (an
    // address of the operator's registry), where it redirects is not.
    let asw = fetcher(&names, AddressPolicy::AsWritten);
    let trusted = |target: &str| format!("http://127.0.0.1:{port}/to?u={}", oc_web::format::urlencode(target));
    let o = other.port();
    for target in [
        inner.clone(),
        format!("http://2130706433:{o}/secret"),
        format!("http://[::ffff:127.0.0.1]:{o}/secret"),
        format!("http://[::127.0.0.1]:{o}/secret"),
        format!("http://localhost:{o}/secret"),
        format!("http://localhost.localdomain:{o}/secret"),
        format!("http://198.18.0.1:{o}/secret"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        let e = asw.get(&trusted(&target), &Validators::default()).await.expect_err(&target);
        assert!(e.message.starts_with("adresse refusée : redirection vers http"), "{target}: {e}");
    }
    // A redirect to a public-looking name is followed, then its name is
    // checked like any other.
    let e = asw
        .get(&trusted(&format!("http://example.test:{o}/secret")), &Validators::default())
        .await
        .expect_err("refused");
    assert!(e.message.starts_with("adresse refusée : ce nom (example.test)"), "{e}");
    assert_eq!(other_hits.load(Ordering::SeqCst), 1, "no refused redirect reached the internal service");
    // A registry address may still redirect within its own host.
    assert_eq!(
        body(
            asw.get(&trusted(&format!("http://127.0.0.1:{port}/secret")), &Validators::default())
                .await
                .expect("same host")
        ),
        SECRET
    );
    assert!(hits.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn local_addresses_in_any_written_form_are_refused() {
    let (addr, hits) = internal().await;
    let port = addr.port();
    let spec = |url: &str| serde_json::json!({"id": "essai-ssrf", "name": "Essai", "publisher": "Insee", "kind": "feed", "url": url});
    let strict = Fetcher::new(config(AddressPolicy::Public)).expect("fetcher");
    for host in [
        "[::127.0.0.1]",
        "[::ffff:127.0.0.1]",
        "198.18.0.1",
        "localhost.localdomain",
        "2130706433",
        "localhost.",
        "0x7f.1",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "100.64.0.1",
        "0.0.0.0",
    ] {
        let url = format!("http://{host}:{port}/secret");
        // The back office's check ("Tester", "Enregistrer")…
        let e = oc_harvest::sources::from_json(&spec(&url), false).expect_err(&url).to_string();
        assert!(
            e.starts_with("adresse refusée : ")
                && (e.contains("adresse locale, privée ou réservée") || e.contains("cette machine ou le réseau local")),
            "{url}: {e}"
        );
        // …and the fetcher under the back office's policy.
        let e = strict.get(&url, &Validators::default()).await.expect_err(&url);
        assert!(e.message.starts_with("adresse refusée : "), "{url}: {e}");
    }
    let e =
        oc_harvest::sources::from_json(&spec(&format!("http://2130706433:{port}/")), false).unwrap_err().to_string();
    assert!(e.contains("127.0.0.1 est une adresse locale"), "the decimal form is named as what it is: {e}");
    let e = strict
        .get(&root().join("Cargo.toml").display().to_string(), &Validators::default())
        .await
        .expect_err("a local file");
    assert!(e.message.contains("ni fichier local"), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_back_office_preview_and_run_never_show_an_internal_answer() {
    let (addr, hits) = internal().await;
    let names = hostile_names();
    let url = format!("http://example.test:{}/feed.rss", addr.port());
    let spec = serde_json::json!({"id": "essai-ssrf-apercu", "name": "Essai", "publisher": "Insee", "kind": "feed", "url": url});
    // The text looks public: the back office accepts it…
    let source = oc_harvest::sources::from_json(&spec, false).expect("a public-looking address");
    let geo = oc_store::Geo::embedded();
    let detector = Arc::new(oc_harvest::detect::Detector::new(&geo));
    let harvester = |policy| {
        let store = Arc::new(Mutex::new(oc_library::store::Library::in_memory().expect("store")));
        Harvester::new(fetcher(&names, policy), store, detector.clone())
    };
    // …and without the guard its "Tester" would show the internal feed.
    let (report, docs) = harvester(AddressPolicy::Any).preview(&source).await.expect("preview");
    assert!(report.error.is_none() && !docs.is_empty(), "{report:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // The default fetcher (the one `serve` builds) refuses it, for the
    // preview and for a run.
    let h = harvester(FetchConfig::default().addresses);
    let (report, docs) = h.preview(&source).await.expect("preview");
    let e = report.error.unwrap_or_default();
    assert!(
        e.contains("adresse refusée : ce nom (example.test) désigne une adresse locale ou privée (127.0.0.1)"),
        "{e}"
    );
    assert!(docs.is_empty());
    let report = h.run(&source, &RunOptions::default()).await;
    assert!(report.error.as_deref().is_some_and(|e| e.contains("adresse refusée")), "{report:?}");
    assert_eq!(report.counts.seen, 0);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "the internal service was never reached with the guard on");
}
