//! Shared fixtures: one app (embedded COG 2026 data, index built once in a
//! temporary directory) for the whole test binary.

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use oc_web::App;

struct Shared {
    app: App,
    _dir: tempfile::TempDir,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = opencollectivites::Config {
            data: opencollectivites::config::Data { dir: dir.path().to_path_buf(), refresh: None },
            ..toml::from_str("").expect("empty config")
        };
        // The library as on a fresh install: the seed catalogue, indexed.
        seeded_library(&config);
        let app = opencollectivites::open_app(&config).expect("app opens on the embedded data");
        Shared { app, _dir: dir }
    })
}

/// The library of `config`'s data directory as `serve` prepares it on a
/// fresh install (`opencollectivites::library::seed_and_index`: the seed
/// catalogue stored and indexed), on a thread of its own; returns the
/// harvest side and the index writer.
pub fn seeded_library(
    config: &opencollectivites::Config,
) -> (opencollectivites::library::Harvest, std::sync::Arc<oc_index::PublicationsIndex>) {
    let c = config.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let fresh = opencollectivites::library::check_store(&c.data.dir).expect("store checked");
        let geo = std::sync::Arc::new(oc_store::Geo::embedded());
        let h = opencollectivites::library::open_harvest(&c, &geo).expect("library opens");
        let index =
            std::sync::Arc::new(opencollectivites::library::open_index_writer(&c.data.dir, geo).expect("index"));
        rt.block_on(opencollectivites::library::seed_and_index(&c, &h, fresh, index.clone())).expect("seeded, indexed");
        (h, index)
    })
    .join()
    .expect("library seeded")
}

/// The app on the embedded default data.
pub fn app() -> App {
    shared().app.clone()
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data`, which CI lays beside the clone.
pub fn shared_data() -> PathBuf {
    let p = root().join("../shared/data");
    assert!(
        p.join("cog-2026/communes.json").exists(),
        "../shared/data is missing: the tests read the real COG 2026 files there"
    );
    p
}

/// What `app` answered in-process.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The one request helper of the tests: `req` to `app`'s router,
/// in-process (`oneshot`).
pub async fn request(app: &App, req: Request<Body>) -> Answer {
    let res = oc_web::router(app.clone()).oneshot(req).await.expect("infallible");
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.expect("body").to_bytes().to_vec();
    Answer { status, headers, body }
}

/// A GET of `uri` with `headers`.
pub fn get_request(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder().uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).expect("request")
}

/// GET `uri` from `app`: status and body text.
pub async fn get_on(app: &App, uri: &str) -> (StatusCode, String) {
    let a = request(app, get_request(uri, &[])).await;
    (a.status, a.text())
}

/// Sends one request in-process; returns status, content type and body.
pub async fn get(uri: &str) -> (StatusCode, String, String) {
    let a = request(&app(), get_request(uri, &[])).await;
    let ctype = a.headers.get("content-type").map(|v| v.to_str().unwrap_or("").to_owned()).unwrap_or_default();
    (a.status, ctype, a.text())
}

/// GET returning JSON.
pub async fn get_json(uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, ctype, body) = get(uri).await;
    assert!(ctype.starts_with("application/json"), "{uri}: content type {ctype}, body {body}");
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: invalid JSON ({e}): {body}")))
}

/// Starts the real server on 127.0.0.1:0; returns its address.
pub async fn spawn_server() -> std::net::SocketAddr {
    serve_loopback(oc_web::router(app())).await
}

/// Serves `router` on an ephemeral port of 127.0.0.1 until the test ends.
pub async fn serve_loopback(router: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("server");
    });
    addr
}

/// What a reader sees of an HTML page or fragment: tags dropped (each a
/// word break), the entities maud writes decoded, runs of ASCII whitespace
/// collapsed (the narrow no-break spaces of numbers stay), no space left
/// before a comma, a full stop or a closing parenthesis.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let out = out.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    out.replace(" ,", ",").replace(" .", ".").replace(" )", ")").replace("( ", "(")
}

/// The text of every `<tag …>…</tag>` element of a page (no nesting of
/// the same tag), as [`html_text`] reads it: headings checked whole, not
/// as substrings that could match the wrong text.
pub fn elements_text(html: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<h2` must not match `<h2x`: the tag name ends here.
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(start) = after.find('>') else { break };
        let body = &after[start + 1..];
        let Some(end) = body.find(&close) else { break };
        out.push(html_text(&body[..end]));
        rest = &body[end + close.len()..];
    }
    out
}

/// Starts `opencollectivites serve --config <config>` in `cwd` and waits
/// for the port it announces (the config binds `127.0.0.1:0`).
pub fn spawn_serve(cwd: &std::path::Path, config: &str) -> (std::process::Child, u16) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_opencollectivites"))
        .args(["serve", "--config", config])
        .current_dir(cwd)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let _ = tx.send(digits.parse::<u16>().unwrap_or(0));
            }
        }
    });
    let port = rx.recv_timeout(std::time::Duration::from_secs(120)).expect("the server starts");
    (child, port)
}
