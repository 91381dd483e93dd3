//! Headless Chromium tests: the territory autocomplete (`search.js`) driven
//! with real key events, the plain search form with JavaScript off, an
//! automated accessibility check of every page kind with axe-core, and the
//! comparison of four communes (mouse clicks, the add form's autocomplete,
//! the CSV download).
//!
//! The browser is Debian's `chromium`, spoken to over the Chrome DevTools
//! Protocol (CDP) with a small synchronous client below: JSON messages on a
//! WebSocket (tungstenite), nothing but 127.0.0.1. Every wait is bounded and
//! the browser process is killed when the test ends, even on a panic.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::common::spawn_server;

const CHROMIUM: &str = "/usr/bin/chromium";
/// Bound for Chromium's start-up and for each CDP reply.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound for each condition the tests wait for in the page.
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);
const POLL_EVERY: Duration = Duration::from_millis(50);

/// One headless Chromium with a fresh profile, attached to its page.
struct Browser {
    child: Child,
    /// Removed on drop, after the process is killed.
    profile: Option<tempfile::TempDir>,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Browser {
    /// Starts Chromium and connects to its first page target.
    fn launch() -> Browser {
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} not found: headless Chromium tests need Debian's chromium package: apt-get install chromium"
        );
        let profile = tempfile::tempdir().expect("temp dir for the Chromium profile");
        let mut child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(["--remote-debugging-port=0", "about:blank"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));

        // A thread forwards stderr lines (and keeps draining the pipe so
        // Chromium never blocks on it); the DevTools line gives the port.
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let mut seen = Vec::new();
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = devtools_port(&line) {
                        break Some(port);
                    }
                    seen.push(line);
                }
                Err(_) => break None, // timed out, or Chromium exited
            }
        };
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium printed no DevTools address within {STARTUP_TIMEOUT:?}; stderr:\n{}", seen.join("\n"));
        };

        // From here on, Drop kills the process if anything panics.
        let ws_url = match page_ws_url(port) {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{e}");
            }
        };
        let ws = match tungstenite::connect(ws_url.as_str()) {
            Ok((ws, _)) => ws,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("cannot open the DevTools WebSocket {ws_url}: {e}");
            }
        };
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            // Short reads, so that every wait for a reply can honour its deadline.
            s.set_read_timeout(Some(Duration::from_millis(500))).expect("read timeout");
        }
        Browser { child, profile: Some(profile), ws, next_id: 0 }
    }

    /// Sends one CDP command and returns its `result`, skipping events.
    fn try_call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({ "id": id, "method": method, "params": params });
        self.ws.send(Message::text(msg.to_string())).map_err(|e| format!("{method}: send: {e}"))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            let text = match self.ws.read() {
                Ok(Message::Text(t)) => t,
                Ok(Message::Close(frame)) => {
                    return Err(format!("{method}: DevTools closed the connection: {frame:?}"))
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    if Instant::now() > deadline {
                        return Err(format!("{method}: no reply within {CALL_TIMEOUT:?}"));
                    }
                    continue;
                }
                Err(e) => return Err(format!("{method}: read: {e}")),
            };
            let reply: Value = serde_json::from_str(&text).map_err(|e| format!("{method}: bad JSON ({e}): {text}"))?;
            if reply["id"].as_u64() != Some(id) {
                continue; // an event, or a late reply
            }
            if let Some(err) = reply.get("error") {
                return Err(format!("{method}: {err}"));
            }
            return Ok(reply["result"].clone());
        }
    }

    /// Sends one CDP command; panics on an error reply.
    #[track_caller]
    fn call(&mut self, method: &str, params: Value) -> Value {
        match self.try_call(method, params) {
            Ok(v) => v,
            Err(e) => panic!("CDP {e}"),
        }
    }

    /// Evaluates `js` in the page; the value, or the exception as an error.
    fn try_eval(&mut self, js: &str) -> Result<Value, String> {
        let r = self
            .try_call("Runtime.evaluate", json!({ "expression": js, "returnByValue": true, "awaitPromise": true }))?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("exception: {}", ex["exception"]["description"].as_str().unwrap_or(&ex.to_string())));
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Evaluates `js` in the page; panics on an exception.
    #[track_caller]
    fn eval(&mut self, js: &str) -> Value {
        match self.try_eval(js) {
            Ok(v) => v,
            Err(e) => panic!("evaluating `{js}`: {e}"),
        }
    }

    /// Polls `probe` every 50 ms until it returns `Ok(true)`, for at most
    /// `WAIT_TIMEOUT`; panics with the last value seen otherwise. Errors
    /// count as "not yet" (e.g. while a navigation replaces the document).
    #[track_caller]
    fn wait_for(&mut self, what: &str, mut probe: impl FnMut(&mut Browser) -> Result<Value, String>) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            let last = probe(self);
            if last == Ok(Value::Bool(true)) {
                return;
            }
            if Instant::now() > deadline {
                let url = self.try_eval("location.href");
                panic!("timed out after {WAIT_TIMEOUT:?} waiting for {what}; last value: {last:?} (page: {url:?})");
            }
            std::thread::sleep(POLL_EVERY);
        }
    }

    /// Waits until the JavaScript expression `cond` is `true`.
    #[track_caller]
    fn wait_until(&mut self, cond: &str) {
        self.wait_for(&format!("`{cond}`"), |b| b.try_eval(cond));
    }

    /// Navigates and waits until the new document has loaded.
    #[track_caller]
    fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_until(&format!("location.href === {} && document.readyState === 'complete'", json!(url)));
    }

    /// Types `text` one character at a time, as key presses: each one
    /// fires keydown, keypress, `input` and keyup in the page.
    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let s = c.to_string();
            let code = if c.is_ascii_alphabetic() { format!("Key{}", c.to_ascii_uppercase()) } else { String::new() };
            let vk = if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase() as u32
            } else if c == ' ' {
                32
            } else {
                0
            };
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": "keyDown", "key": s, "code": code, "text": s, "unmodifiedText": s, "windowsVirtualKeyCode": vk }),
            );
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": "keyUp", "key": s, "code": code, "windowsVirtualKeyCode": vk }),
            );
        }
    }

    /// Clicks the first element matching `selector` like a user: scrolls it
    /// into view, checks that it is what the pointer would hit at its
    /// centre, then moves, presses and releases the left mouse button there.
    #[track_caller]
    fn click(&mut self, selector: &str) {
        let js = format!(
            r#"(() => {{
  const el = document.querySelector({sel});
  if (!el) return {{ error: 'no element matches the selector' }};
  el.scrollIntoView({{ block: 'center', inline: 'center', behavior: 'instant' }});
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return {{ error: 'the element has an empty box: ' + JSON.stringify(r) }};
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (!hit || (hit !== el && !el.contains(hit))) {{
    return {{ error: 'the pointer would hit ' + (hit ? hit.outerHTML.slice(0, 200) : 'nothing') + ' at (' + x + ', ' + y + ')' }};
  }}
  return {{ x, y }};
}})()"#,
            sel = json!(selector)
        );
        let mut at = Value::Null;
        self.wait_for(&format!("a clickable `{selector}`"), |b| {
            let r = b.try_eval(&js)?;
            let ok = r.get("x").is_some();
            at = r;
            if ok {
                Ok(Value::Bool(true))
            } else {
                Ok(at.clone())
            }
        });
        let (x, y) = (at["x"].as_f64().unwrap_or(0.0), at["y"].as_f64().unwrap_or(0.0));
        self.call("Input.dispatchMouseEvent", json!({ "type": "mouseMoved", "x": x, "y": y }));
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 }),
            );
        }
    }

    /// Presses and releases a named key (`ArrowDown`, `Enter`, `Escape`…).
    fn press(&mut self, key: &str) {
        let (vk, text) = match key {
            "Enter" => (13, "\r"),
            "Escape" => (27, ""),
            "Tab" => (9, ""),
            " " => (32, " "),
            "ArrowUp" => (38, ""),
            "ArrowDown" => (40, ""),
            other => panic!("press: unknown key {other}"),
        };
        // "keyDown" with text also fires keypress (Enter submits forms);
        // without text it must be "rawKeyDown".
        let down = if text.is_empty() {
            json!({ "type": "rawKeyDown", "key": key, "code": key, "windowsVirtualKeyCode": vk })
        } else {
            let code = if key == " " { "Space" } else { key };
            json!({ "type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk, "text": text, "unmodifiedText": text })
        };
        self.call("Input.dispatchKeyEvent", down);
        let code = if key == " " { "Space" } else { key };
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk }),
        );
    }

    /// Presses Tab until the focused element matches `selector`, as a
    /// keyboard user moves through a page; fails after `max` presses with
    /// the elements focused on the way.
    #[track_caller]
    fn tab_to(&mut self, selector: &str, max: usize) {
        let probe = format!("!!document.activeElement && document.activeElement.matches({})", json!(selector));
        let mut seen = Vec::new();
        for _ in 0..max {
            self.press("Tab");
            if self.eval(&probe) == Value::Bool(true) {
                return;
            }
            seen.push(self.eval(
                "(() => { const e = document.activeElement; if (!e) return '-'; return e.tagName.toLowerCase() + \
                 (e.id ? '#' + e.id : '') + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : '') + \
                 (e.name ? '[name=' + e.name + ']' : ''); })()",
            ));
        }
        panic!("{max} presses of Tab never focused `{selector}`; focused on the way: {seen:?}");
    }

    /// With `OC_SCREENSHOTS=DIR` in the environment, saves the first
    /// screen of the page as `DIR/NAME.png`, for a person to look at;
    /// otherwise does nothing.
    fn screenshot(&mut self, name: &str) {
        let Some(dir) = std::env::var_os("OC_SCREENSHOTS") else { return };
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64_decode(shot["data"].as_str().unwrap_or(""));
        let file: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(100).collect();
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(dir.join(format!("{file}.png")), png).expect("write the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Only now that Chromium is gone can its profile be removed.
        drop(self.profile.take());
    }
}

/// Standard base64 (CDP's screenshots), padding and line breaks ignored.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::with_capacity(text.len() * 3 / 4), 0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// `DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…` → PORT.
fn devtools_port(line: &str) -> Option<u16> {
    let rest = line.split("DevTools listening on ws://127.0.0.1:").nth(1)?;
    rest.split('/').next()?.parse().ok()
}

/// The WebSocket URL of the browser's page target (polled: the target list
/// may still be empty right after start-up).
fn page_ws_url(port: u16) -> Result<String, String> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        let list = http_get(port, "/json/list")?;
        let targets: Value = serde_json::from_str(&list).map_err(|e| format!("/json/list: bad JSON ({e}): {list}"))?;
        let page = targets.as_array().into_iter().flatten().find(|t| t["type"] == "page");
        if let Some(url) = page.and_then(|t| t["webSocketDebuggerUrl"].as_str()) {
            return Ok(url.to_owned());
        }
        if Instant::now() > deadline {
            return Err(format!("no page target within {STARTUP_TIMEOUT:?}; /json/list: {list}"));
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// A minimal HTTP/1.1 GET to Chromium's DevTools server; returns the body.
/// The server keeps the connection open, so the body is read by length.
fn http_get(port: u16, path: &str) -> Result<String, String> {
    let err = |e: std::io::Error| format!("GET {path} on 127.0.0.1:{port}: {e}");
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(err)?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(err)?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").map_err(err)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).map_err(err)?;
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok());
            if !head.starts_with("HTTP/1.1 200") {
                return Err(format!("GET {path}: {head}"));
            }
            if len.is_some_and(|len| body.len() >= len) || (n == 0 && len.is_none()) {
                return Ok(body.to_owned());
            }
        }
        if n == 0 {
            return Err(format!("GET {path}: connection closed early: {}", String::from_utf8_lossy(&buf)));
        }
    }
}

/// Serves `app` on 127.0.0.1 with the peer address of each connection,
/// which the back office's login throttling reads.
async fn serve_with_peers(app: oc_web::App) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = oc_web::router(app).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("server");
    });
    addr
}

/// Runs a blocking browser session against a fresh server.
async fn with_browser(session: impl FnOnce(&mut Browser, SocketAddr) + Send + 'static) {
    let addr = spawn_server().await;
    tokio::task::spawn_blocking(move || {
        let mut browser = Browser::launch();
        session(&mut browser, addr);
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_in_headless_chromium() {
    with_browser(|b, addr| {
        b.call("Page.enable", json!({}));
        b.goto(&format!("http://{addr}/"));
        assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-expanded')"), "false");
        assert_eq!(b.eval("document.getElementById('q-listbox').hidden"), true);

        // Type like a user: suggestions come after the debounce.
        b.eval("document.getElementById('q').focus()");
        assert_eq!(b.eval("document.activeElement.id"), "q");
        b.type_text("montpel");
        assert_eq!(b.eval("document.getElementById('q').value"), "montpel");
        b.wait_until(
            "!document.getElementById('q-listbox').hidden && document.querySelectorAll('#q-listbox \
            [role=option]').length >= 1",
        );
        assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-expanded')"), "true");
        let first = b.eval("document.getElementById('q-option-0').textContent");
        assert!(first.as_str().is_some_and(|t| t.contains("Montpellier")), "first suggestion: {first}");
        // Type, département and population tell homonyms apart.
        let label = b.eval("document.querySelector('#q-option-0 .oc-suggestion__label').textContent");
        let label = label.as_str().unwrap_or_default().to_owned();
        assert!(label.starts_with("commune, Hérault (34) — "), "first suggestion's label: {label}");
        assert!(label.ends_with(" hab.") && label.chars().any(|c| c.is_ascii_digit()), "with its population: {label}");
        assert_eq!(b.eval("document.getElementById('q').hasAttribute('aria-activedescendant')"), false);

        // ArrowDown highlights the first option.
        b.press("ArrowDown");
        assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-activedescendant')"), "q-option-0");
        assert_eq!(b.eval("document.getElementById('q-option-0').getAttribute('aria-selected')"), "true");
        let options = b.eval("document.querySelectorAll('#q-listbox [role=option]').length").as_u64().unwrap_or(0);
        if options >= 2 {
            // Down again moves to the second option, Up comes back.
            b.press("ArrowDown");
            assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-activedescendant')"), "q-option-1");
            assert_eq!(b.eval("document.getElementById('q-option-0').getAttribute('aria-selected')"), "false");
            b.press("ArrowUp");
            assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-activedescendant')"), "q-option-0");
        }

        // Escape closes the list.
        b.press("Escape");
        assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-expanded')"), "false");
        assert_eq!(b.eval("document.getElementById('q-listbox').hidden"), true);
        assert_eq!(b.eval("document.getElementById('q').hasAttribute('aria-activedescendant')"), false);
        assert_eq!(b.eval("document.getElementById('q').value"), "montpel", "Escape keeps the typed text");

        // Typing again reopens it; ArrowDown then Enter goes to the page.
        b.type_text("l");
        b.wait_until(
            "document.getElementById('q').getAttribute('aria-expanded') === 'true' && \
            document.getElementById('q').value === 'montpell' && document.querySelectorAll('#q-listbox \
            [role=option]').length >= 1",
        );
        let first = b.eval("document.getElementById('q-option-0').textContent");
        assert!(first.as_str().is_some_and(|t| t.contains("Montpellier")), "first suggestion: {first}");
        b.press("ArrowDown");
        assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-activedescendant')"), "q-option-0");
        b.press("Enter");
        b.wait_until("location.pathname === '/commune/montpellier-34172'");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_form_works_without_javascript() {
    with_browser(|b, addr| {
        b.call("Page.enable", json!({}));
        b.call("Emulation.setScriptExecutionDisabled", json!({ "value": true }));

        // The results page itself, straight from a URL.
        b.goto(&format!("http://{addr}/recherche?q=st+etienne"));
        assert_eq!(b.eval("!!document.querySelector('a[href=\"/commune/saint-etienne-42218\"]')"), true);

        // The home page form: type, press Enter, the browser submits it.
        b.goto(&format!("http://{addr}/"));
        b.eval("document.getElementById('q').focus()");
        b.type_text("st etienne");
        // Past the 150 ms debounce: with scripts off, no suggestions open.
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(b.eval("document.getElementById('q-listbox').hidden"), true);
        b.press("Enter");
        b.wait_until(
            "location.pathname === '/recherche' && location.search === '?q=st+etienne' && \
            document.readyState === 'complete'",
        );
        assert_eq!(b.eval("!!document.querySelector('a[href=\"/commune/saint-etienne-42218\"]')"), true);
    })
    .await;
}

/// axe-core's browser bundle, fetched from npm by `scripts/test.sh`.
fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/package/axe.min.js")
}

/// One page of each kind, as the portal serves them: the public frame's
/// own pages too (legal notices, site map, API documentation, sources).
const PAGES_TO_AUDIT: [&str; 27] = [
    "/",
    "/publications",
    "/publications/1",
    "/admin/connexion",
    "/publications?q=communes&theme=Finances+%26+Fiscalit%C3%A9",
    "/publications?q=collectivit%C3%A9s+locales+en+chiffres+2026",
    "/plateformes",
    "/recherche",
    "/recherche?q=saint",
    "/recherche?q=zzzzqqq",
    "/commune/montpellier-34172",
    "/commune/paris-75056",
    "/epci/montpellier-mediterranee-metropole-243400017",
    "/departement/herault-34",
    "/region/occitanie-76",
    "/france",
    "/classements?carte=taux_chomage_15_64",
    "/classements/densite?niveau=commune&dans=DEP-31",
    "/departement/haute-garonne-31?carte=taux_pauvrete",
    "/comparer?ids=commune:34172,commune:34057&reference=commun",
    "/sources",
    "/api",
    "/accessibilite",
    "/mentions-legales",
    "/donnees-personnelles",
    "/plan-du-site",
    "/commune/inconnue-99999",
];

/// Runs axe-core on the loaded page; returns all its violations, whatever
/// their impact, as `{id, impact, help, helpUrl, nodes, targets}` objects.
const AXE_RUN: &str = r#"axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
  .map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  })))"#;

/// Viewports the pages are audited at: a desktop, and a phone (where wide
/// tables become scrollable regions, which axe checks for keyboard access).
const AUDIT_VIEWPORTS: [(&str, u32, u32, bool); 2] =
    [("desktop 1280 px", 1280, 900, false), ("phone 390 px", 390, 844, true)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_of_every_page_kind() {
    let path = axe_path();
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): the accessibility test needs axe-core from npm. \
             Run scripts/test.sh, which fetches it, or: \
             mkdir -p target/axe && cd target/axe && npm pack axe-core@4 && tar xzf axe-core-4.*.tgz",
            path.display()
        )
    });
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        let mut report = Vec::new();
        for (viewport, width, height, mobile) in AUDIT_VIEWPORTS {
            b.call(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
            );
            for page in PAGES_TO_AUDIT {
                b.goto(&format!("http://{addr}{page}"));
                // Injected through CDP: the page's CSP allows no inline
                // script, but Runtime.evaluate is not subject to it.
                let r = b.call("Runtime.evaluate", json!({ "expression": axe, "returnByValue": false }));
                assert!(r.get("exceptionDetails").is_none(), "{page}: injecting axe-core failed: {r}");
                b.screenshot(&format!("{width}{page}"));
                let violations = b.eval(AXE_RUN);
                let violations =
                    violations.as_array().unwrap_or_else(|| panic!("{page}: axe.run returned {violations}"));
                for v in violations {
                    let targets: Vec<&str> =
                        v["targets"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    report.push(format!(
                        "{page} ({viewport}): [{}] {}: {} ({} element(s), e.g. {}) {}",
                        v["impact"].as_str().unwrap_or("?"),
                        v["id"].as_str().unwrap_or("?"),
                        v["help"].as_str().unwrap_or("?"),
                        v["nodes"],
                        targets.join(" | "),
                        v["helpUrl"].as_str().unwrap_or(""),
                    ));
                }
            }
        }
        assert!(report.is_empty(), "axe-core found {} violation(s):\n{}", report.len(), report.join("\n"));
    })
    .await;
}

/// The collectivités in the compare table, in column order: the href of
/// the name link in each header cell.
const COMPARE_COLUMNS: &str =
    "Array.from(document.querySelectorAll('.oc-compare thead th a:not(.fr-link)')).map(a => a.getAttribute('href'))";

/// Waits for the compare page whose permalink is `/comparer?ids=IDS` to have
/// loaded (and the add form, if any, to be wired by `search.js`).
#[track_caller]
fn wait_for_compare_page(b: &mut Browser, ids: &str) {
    b.wait_until(&format!(
        "location.pathname === '/comparer' && new URLSearchParams(location.search).get('ids') === {} && \
            document.readyState === 'complete'",
        json!(ids)
    ));
}

/// Adds a collectivité through the compare page's autocomplete: types
/// `query`, checks the first suggestion is `name`, picks it with ArrowDown
/// and Enter, and waits for the permalink `ids` (old ids + the new one).
#[track_caller]
fn add_with_autocomplete(b: &mut Browser, query: &str, name: &str, ids: &str) {
    assert_eq!(
        b.eval(
            "!!document.querySelector('form[action=\"/comparer/ajouter\"][data-oc-autocomplete][data-oc-pick=\"1\"] \
            #q-add[role=combobox]')"
        ),
        true,
        "before adding {name}: the compare page has no add form with the #q-add combobox"
    );
    // After a first collectivité, suggestions are restricted to its level.
    assert_eq!(
        b.eval(
            "document.querySelector('form[action=\"/comparer/ajouter\"] input[type=hidden][name=type]')?.value ?? null"
        ),
        "commune",
        "the add form should restrict suggestions to communes"
    );
    b.click("#q-add");
    b.wait_until("document.activeElement && document.activeElement.id === 'q-add'");
    b.type_text(query);
    assert_eq!(b.eval("document.getElementById('q-add').value"), query);
    b.wait_until(&format!(
        "document.getElementById('q-add').value === {} && !document.getElementById('q-add-listbox').hidden && \
            document.querySelectorAll('#q-add-listbox [role=option]').length >= 1",
        json!(query)
    ));
    let suggestions = b.eval(
        "Array.from(document.querySelectorAll('#q-add-listbox [role=option]')).map(o => \
        o.querySelector('.oc-suggestion__name').textContent + ' | ' + \
        o.querySelector('.oc-suggestion__label').textContent)",
    );
    let first = b.eval("document.querySelector('#q-add-option-0 .oc-suggestion__name').textContent");
    assert_eq!(first, name, "first suggestion for {query:?}; all suggestions: {suggestions}");
    b.press("ArrowDown");
    assert_eq!(b.eval("document.getElementById('q-add').getAttribute('aria-activedescendant')"), "q-add-option-0");
    b.press("Enter");
    wait_for_compare_page(b, ids);
}

/// Splits one CSV line (no line break inside) into cells, honouring quotes.
fn csv_cells(line: &str, sep: char) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().expect("a cell").push('"');
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => cells.push(String::new()),
            c => cells.last_mut().expect("a cell").push(c),
        }
    }
    cells
}

/// The number shown in the compare table for the row whose header starts
/// with `label`, per column, as written in a French CSV cell (narrow and
/// ordinary no-break spaces dropped, `−` as `-`, decimal comma kept).
fn compare_row_values(b: &mut Browser, label: &str) -> Vec<String> {
    let js = format!(
        r#"(() => {{
  const row = Array.from(document.querySelectorAll('.oc-compare tbody tr'))
    .find(tr => tr.querySelector('th[scope=row]').textContent.trim().startsWith({label}));
  return row ? Array.from(row.querySelectorAll('td.oc-num')).map(td => td.textContent) : null;
}})()"#,
        label = json!(label)
    );
    let cells = b.eval(&js);
    let cells = cells.as_array().unwrap_or_else(|| panic!("no row starting with {label:?} in the compare table"));
    cells
        .iter()
        .map(|c| {
            c.as_str()
                .unwrap_or("")
                .chars()
                .filter(|c| !matches!(c, '\u{202f}' | '\u{a0}') && !c.is_whitespace())
                .map(|c| if c == '−' { '-' } else { c })
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_four_communes_from_a_fiche_and_download_csv() {
    with_browser(|b, addr| {
        b.call("Page.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );

        // From Montpellier's fiche, the "Comparer" button.
        b.goto(&format!("http://{addr}/commune/montpellier-34172"));
        let button = "a.fr-btn.fr-btn--secondary[href=\"/comparer?ids=commune:34172\"]";
        assert_eq!(
            b.eval(&format!("document.querySelector({})?.textContent.trim() ?? null", json!(button))),
            "Comparer"
        );
        b.click(button);
        wait_for_compare_page(b, "commune:34172");
        assert_eq!(b.eval(COMPARE_COLUMNS), json!(["/commune/montpellier-34172"]));

        // Three more through the add form's autocomplete.
        add_with_autocomplete(b, "toulouse", "Toulouse", "commune:34172,commune:31555");
        add_with_autocomplete(b, "marseille", "Marseille", "commune:34172,commune:31555,commune:13055");
        add_with_autocomplete(b, "lyon", "Lyon", "commune:34172,commune:31555,commune:13055,commune:69123");

        // Four columns, one "Retirer" per column, no more add form.
        let all = [
            "/commune/montpellier-34172",
            "/commune/toulouse-31555",
            "/commune/marseille-13055",
            "/commune/lyon-69123",
        ];
        assert_eq!(b.eval(COMPARE_COLUMNS), json!(all), "compare table header links");
        assert_eq!(
            b.eval("document.querySelectorAll('.oc-compare table thead th[scope=col]').length"),
            6,
            "header cells: Indicateur + 4 collectivités + Source"
        );
        let retirer = b.eval(
            "Array.from(document.querySelectorAll('.oc-compare thead th a.fr-link')).map(a => [a.textContent.trim(), \
                a.getAttribute('href')])",
        );
        assert_eq!(
            retirer,
            json!([
                ["Retirer", "/comparer?ids=commune:31555,commune:13055,commune:69123"],
                ["Retirer", "/comparer?ids=commune:34172,commune:13055,commune:69123"],
                ["Retirer", "/comparer?ids=commune:34172,commune:31555,commune:69123"],
                ["Retirer", "/comparer?ids=commune:34172,commune:31555,commune:13055"],
            ]),
            "one Retirer link per column, each dropping that column's id"
        );
        assert_eq!(
            b.eval(
                "!!document.querySelector('form[action=\"/comparer/ajouter\"]') || \
            !!document.getElementById('q-add')"
            ),
            false,
            "4 is the maximum: the add form should be gone"
        );
        let population_on_page = compare_row_values(b, "Population municipale");
        assert_eq!(population_on_page.len(), 4, "population cells on the page: {population_on_page:?}");

        // The CSV download, fetched by the page itself.
        let href = b.eval(
            "/^Télécharger \\(CSV – [0-9,]+ (octets|ko|Mo)\\)$/.test(document.querySelector('a[href^=\"/comparer.csv\"]')?.textContent.trim()) \
            ? document.querySelector('a[href^=\"/comparer.csv\"]').getAttribute('href') : null",
        );
        assert_eq!(
            href, "/comparer.csv?ids=commune:34172,commune:31555,commune:13055,commune:69123",
            "the \"Télécharger (CSV – … ko)\" link"
        );
        let res = b.eval(&format!(
            "fetch({}).then(r => r.arrayBuffer().then(buf => ({{ status: r.status, type: \
                r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: \
                Array.from(new Uint8Array(buf)) }})))",
            href
        ));
        assert_eq!(res["status"], 200, "GET {href}: {}", res["type"]);
        assert_eq!(res["type"], "text/csv; charset=utf-8", "GET {href}");
        let disposition = res["disposition"].as_str().unwrap_or("");
        assert!(
            disposition.starts_with("attachment; filename=\"comparaison-commune-") && disposition.ends_with(".csv\""),
            "Content-Disposition: {disposition}"
        );
        let bytes: Vec<u8> =
            res["bytes"].as_array().expect("bytes").iter().map(|v| v.as_u64().expect("a byte") as u8).collect();
        assert!(
            bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "the CSV should start with the UTF-8 BOM; first bytes: {:02X?}",
            &bytes[..bytes.len().min(8)]
        );
        let text = String::from_utf8(bytes[3..].to_vec()).expect("the CSV is UTF-8");
        assert!(text.ends_with("\r\n"), "the CSV should end with CRLF: {text:?}");
        let lines: Vec<&str> = text.strip_suffix("\r\n").unwrap_or(&text).split("\r\n").collect();
        for line in &lines {
            assert!(!line.contains(['\r', '\n']), "a line break other than CRLF in {line:?}\nwhole CSV:\n{text}");
        }
        assert_eq!(lines.len(), 5, "a header and 4 data rows:\n{text}");
        let rows: Vec<Vec<String>> = lines.iter().map(|l| csv_cells(l, ';')).collect();
        let header = &rows[0];
        assert!(header.len() > 2, "the separator should be `;`: header {:?}", lines[0]);
        assert_eq!(header[0], "Nom", "header: {header:?}");
        assert!(header[1].starts_with("Population municipale"), "column 2 should be the population: header {header:?}");
        for r in &rows[1..] {
            assert_eq!(r.len(), header.len(), "every row has as many cells as the header: {r:?} vs {header:?}");
        }
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["Montpellier", "Toulouse", "Marseille", "Lyon"], "first cell of each row");
        let insee =
            header.iter().position(|h| h == "Code INSEE").unwrap_or_else(|| panic!("no Code INSEE column: {header:?}"));
        let codes: Vec<&str> = rows[1..].iter().map(|r| r[insee].as_str()).collect();
        assert_eq!(codes, ["34172", "31555", "13055", "69123"], "Code INSEE column");
        let population_in_csv: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        let montpellier: u64 = population_in_csv[0].parse().unwrap_or_else(|e| {
            panic!(
                "Montpellier's population in \
            the CSV, {:?}: {e}",
                population_in_csv[0]
            )
        });
        assert!(montpellier > 100_000, "Montpellier's population: {montpellier}");
        assert_eq!(population_in_csv[0], population_on_page[0], "Montpellier's population: CSV vs compare page");
        assert_eq!(population_in_csv, population_on_page, "populations: CSV vs compare page");

        // "Retirer" under Toulouse: back to 3 columns, and the add form.
        b.click("a.fr-link[title=\"Retirer Toulouse de la comparaison\"]");
        wait_for_compare_page(b, "commune:34172,commune:13055,commune:69123");
        assert_eq!(
            b.eval(COMPARE_COLUMNS),
            json!(["/commune/montpellier-34172", "/commune/marseille-13055", "/commune/lyon-69123"]),
            "after removing Toulouse"
        );
        assert_eq!(b.eval("document.querySelectorAll('.oc-compare thead th a.fr-link').length"), 3);
        assert_eq!(b.eval("!!document.getElementById('q-add')"), true, "below 4, the add form is back");
    })
    .await;
}

/// The number of documents the results region announces.
const PUB_COUNT: &str =
    "parseInt((document.querySelector('#oc-pub-count strong') || {}).textContent.replace(/\\D/g, ''), 10)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_search_facets_tags_pages_and_results_in_chromium() {
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        let base = format!("http://{addr}");
        b.goto(&format!("{base}/publications?q=communes"));
        let all = b.eval(PUB_COUNT).as_i64().unwrap();
        assert!(all > 20, "{all}");
        // Tick two facets: the results change without a full reload.
        b.eval("window.__ocNoReload = true");
        // DSFR draws the checkbox on its label, which is what a user clicks.
        b.click("#facet-type .fr-checkbox-group:has(input[value='Jeu de données']) label");
        b.wait_until("location.search.includes('type=Jeu+de+donn')");
        b.wait_until("!!document.querySelector('#facet-theme input[value=\"Finances & Fiscalité\"]')");
        b.click("#facet-theme .fr-checkbox-group:has(input[value='Finances & Fiscalité']) label");
        b.wait_until("location.search.includes('theme=Finances')");
        b.wait_until("document.querySelectorAll('#oc-active-filters a').length === 2");
        let both = b.eval(PUB_COUNT).as_i64().unwrap();
        assert!(both > 0 && both < all, "{both} of {all}");
        assert_eq!(b.eval("window.__ocNoReload === true"), json!(true), "filters applied without a full reload");
        // Remove one tag.
        b.click("#oc-active-filters a[aria-label*='Type de ressource']");
        b.wait_until("document.querySelectorAll('#oc-active-filters a').length === 1");
        b.wait_until("!location.search.includes('type=')");
        let one = b.eval(PUB_COUNT).as_i64().unwrap();
        assert!(one >= both, "{one} >= {both}");
        // Page 2, if there is one; then back to page 1 and open a result.
        if one > 20 {
            b.click(".fr-pagination a[title='Page 2']");
            b.wait_until("location.search.includes('page=2')");
            b.wait_until("!!document.querySelector('.fr-pagination a[aria-current=page][title=\"Page 2\"]')");
        }
        let href = b.eval("document.querySelector('.oc-pubs .oc-pub a').getAttribute('href')");
        let href = href.as_str().unwrap().to_owned();
        assert!(href.starts_with("http"), "{href}");
        b.click(".oc-pubs .oc-pub a");
        // The original is outside (unreachable from here): the browser leaves the portal.
        b.wait_until(&format!("!location.href.startsWith({})", json!(base)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_filters_fold_away_on_a_phone_so_the_first_result_is_on_screen() {
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        let url = format!("http://{addr}/publications?q=communes");
        let first_top = "document.querySelector('.oc-pubs .oc-pub').getBoundingClientRect().top";
        b.call(
            "Emulation.setDeviceMetricsOverride",
            // A 390 px window (CDP's `mobile` emulation turns the mouse
            // events this harness sends into taps that labels ignore).
            json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": false }),
        );
        b.goto(&url);
        b.wait_until("document.getElementById('oc-facets').open === false");
        let top = b.eval(first_top).as_f64().unwrap();
        assert!(top > 0.0 && top < 844.0, "first result at {top} px on an 844 px screen");
        // The panel opens on demand, and stays open when a facet is ticked.
        b.click("#oc-facets > summary");
        b.wait_until("document.getElementById('oc-facets').open === true");
        b.click("#facet-type .fr-checkbox-group:has(input[value='Jeu de données']) label");
        b.wait_until("location.search.includes('type=Jeu+de+donn')");
        b.wait_until("document.querySelectorAll('#oc-active-filters a').length === 1");
        assert_eq!(b.eval("document.getElementById('oc-facets').open"), json!(true));
        let label = b.eval("document.querySelector('#oc-facets > summary').textContent");
        assert!(label.as_str().unwrap().contains("1 filtre actif"), "{label}");
        // On a desktop the filters are simply there.
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        b.goto(&url);
        b.wait_until("document.getElementById('oc-facets').open === true");
        assert_eq!(b.eval("getComputedStyle(document.querySelector('#oc-facets > summary')).display"), json!("none"));
    })
    .await;
}

/// The count a public facet shows for `value` (0 when it is not listed).
fn facet_count(b: &mut Browser, facet: &str, value: &str) -> i64 {
    let js = format!(
        "(() => {{ const i = document.querySelector('#facet-{facet} input[value=' + JSON.stringify({}) + ']'); \
         if (!i) return 0; const c = document.querySelector('label[for=\"' + i.id + '\"] .oc-count'); \
         return c ? parseInt(c.textContent.replace(/\\D/g, ''), 10) : -1; }})()",
        json!(value)
    );
    b.eval(&js).as_i64().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_librarian_logs_in_edits_thematiques_and_the_public_facet_counts_change_in_chromium() {
    use oc_library::curation::TermKind;
    let fixture = crate::admin::fixture();
    // A thématique of its own, so that the other tests never move its count.
    let theme = "Thématique essai navigateur";
    let lib = fixture.app.library.clone().expect("library");
    let id = {
        let mut store = lib.lock();
        store.add_term(TermKind::Theme, theme, "", "", "cli").expect("term");
        lib.reload_taxonomy(&store);
        store
            .published()
            .expect("documents")
            .iter()
            .rev()
            .find(|d| d.title.contains("logement"))
            .or(store.published().expect("documents").last())
            .map(|d| d.id)
            .expect("a document")
    };
    let addr = serve_with_peers(fixture.app.clone()).await;
    tokio::task::spawn_blocking(move || {
        let mut b = Browser::launch();
        b.call("Page.enable", json!({}));
        let base = format!("http://{addr}");
        b.goto(&format!("{base}/publications"));
        assert_eq!(facet_count(&mut b, "theme", theme), 0, "no document has the new thématique yet");
        // The document's page asks for a login first, then comes back.
        b.call("Page.navigate", json!({ "url": format!("{base}/admin/documents/{id}") }));
        b.wait_until("location.pathname === '/admin/connexion' && document.readyState === 'complete'");
        b.eval(&format!(
            "document.querySelector('#username').value = 'biblio-test'; document.querySelector('#password').value = \
                {};",
            json!(crate::admin::PASSWORD)
        ));
        b.click("form[action='/admin/connexion'] button[type=submit]");
        b.wait_until(&format!("location.pathname === '/admin/documents/{id}' && document.readyState === 'complete'"));
        // Tick the thématique (DSFR draws the box on the label) and save.
        b.click(&format!("#field-themes .fr-checkbox-group:has(input[value={}]) label", json!(theme)));
        assert_eq!(
            b.eval(&format!("document.querySelector('#field-themes input[value={}]').checked", json!(theme))),
            json!(true)
        );
        b.click("#save");
        b.wait_until("location.search.includes('fait=enregistre') && document.readyState === 'complete'");
        assert_eq!(b.eval("!!document.querySelector('.fr-alert--success')"), json!(true));
        // The back-office pages pass axe-core too, at both widths.
        let axe = Some(std::fs::read_to_string(axe_path()).expect("axe-core (see accessibility_of_every_page_kind)"));
        if let Some(axe) = &axe {
            let pages = [
                format!("/admin/documents/{id}"),
                "/admin/documents".into(),
                "/admin/taxonomies".into(),
                "/admin".into(),
            ];
            audit_back_office(&mut b, &base, axe, &pages);
        }
        // The public library counts it at once.
        b.goto(&format!("{base}/publications"));
        assert_eq!(facet_count(&mut b, "theme", theme), 1, "the public facet counts the edited document");
        b.goto(&format!("{base}/publications?theme={}", crate::admin::encode(theme)));
        assert_eq!(b.eval(PUB_COUNT), json!(1));
        // Logging out ends the session.
        b.goto(&format!("{base}/admin"));
        b.click("form[action='/admin/deconnexion'] button[type=submit]");
        b.wait_until("location.pathname === '/admin/connexion'");
        b.call("Page.navigate", json!({ "url": format!("{base}/admin/documents") }));
        b.wait_until("location.pathname === '/admin/connexion' && document.readyState === 'complete'");
        // The administrator's pages: sources, messages, accounts, journal.
        if let Some(axe) = &axe {
            b.eval(&format!(
                "document.querySelector('#username').value = 'admin-test'; document.querySelector('#password').value = \
                    {};",
                json!(crate::admin::PASSWORD)
            ));
            b.click("form[action='/admin/connexion'] button[type=submit]");
            b.wait_until("location.pathname.startsWith('/admin/documents') && document.readyState === 'complete'");
            let pages = [
                "/admin/sources".to_owned(),
                "/admin/messages".into(),
                "/admin/utilisateurs".into(),
                "/admin/journal".into(),
            ];
            audit_back_office(&mut b, &base, axe, &pages);
        }
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
}

/// Runs axe-core on each back-office page at the audit's two widths
/// (the session's cookie is the browser's); fails on any violation.
#[track_caller]
fn audit_back_office(b: &mut Browser, base: &str, axe: &str, pages: &[String]) {
    let mut report = Vec::new();
    for (viewport, width, height, mobile) in AUDIT_VIEWPORTS {
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
        for page in pages {
            b.goto(&format!("{base}{page}"));
            b.screenshot(&format!("{width}{page}"));
            let r = b.call("Runtime.evaluate", json!({ "expression": axe, "returnByValue": false }));
            assert!(r.get("exceptionDetails").is_none(), "{page}: injecting axe-core failed: {r}");
            for v in b.eval(AXE_RUN).as_array().cloned().unwrap_or_default() {
                report.push(format!(
                    "{page} ({viewport}): [{}] {}: {} {}",
                    v["impact"], v["id"], v["help"], v["targets"]
                ));
            }
        }
    }
    b.call("Emulation.clearDeviceMetricsOverride", json!({}));
    assert!(report.is_empty(), "axe-core on the back office:\n{}", report.join("\n"));
}

/// Keyboard only, as a reader without a mouse: the skip link, the home
/// page's search with its suggestions, the fiche's "Comparer" button, the
/// compare page's add form, and the CSV download — Tab, Enter, arrows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_search_fiche_compare_and_export() {
    let downloads = tempfile::tempdir().expect("download dir");
    let dir = downloads.path().to_owned();
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        b.call("Page.setDownloadBehavior", json!({ "behavior": "allow", "downloadPath": dir.to_string_lossy() }));
        b.goto(&format!("http://{addr}/"));
        // The first Tab stop is the skip link to the content; Enter moves
        // the focus there.
        b.press("Tab");
        assert_eq!(b.eval("document.activeElement.getAttribute('href')"), "#contenu", "first Tab stop");
        assert_eq!(b.eval("document.activeElement.textContent.trim()"), "Contenu");
        b.press("Enter");
        b.wait_until("document.activeElement && document.activeElement.id === 'contenu'");
        // From the content, the search field; suggestions; the fiche.
        b.tab_to("#q", 10);
        b.type_text("montpellier");
        b.wait_until("document.querySelectorAll('#q-listbox [role=option]').length >= 1");
        b.press("ArrowDown");
        assert_eq!(b.eval("document.getElementById('q').getAttribute('aria-activedescendant')"), "q-option-0");
        b.press("Enter");
        b.wait_until("location.pathname === '/commune/montpellier-34172' && document.readyState === 'complete'");
        // The fiche's "Comparer" button.
        b.tab_to("a[href='/comparer?ids=commune:34172']", 80);
        b.press("Enter");
        wait_for_compare_page(b, "commune:34172");
        // A second commune through the add form's suggestions.
        b.tab_to("#q-add", 40);
        b.type_text("toulouse");
        b.wait_until(
            "document.getElementById('q-add').value === 'toulouse' && \
             document.querySelectorAll('#q-add-listbox [role=option]').length >= 1",
        );
        b.press("ArrowDown");
        b.press("Enter");
        wait_for_compare_page(b, "commune:34172,commune:31555");
        assert_eq!(b.eval(COMPARE_COLUMNS), json!(["/commune/montpellier-34172", "/commune/toulouse-31555"]));
        // Both populations are on screen: no column is stretched by a long
        // text (the list of QPV wraps).
        let shown = b.eval(
            "Array.from(document.querySelectorAll('.oc-compare tbody tr:first-child td.oc-num')).slice(0, 2).map(td => { \
             const r = document.createRange(); r.selectNodeContents(td.firstChild); const b = r.getBoundingClientRect(); \
             return b.right <= window.innerWidth && b.width > 0; })",
        );
        assert_eq!(shown, json!([true, true]), "population cells within the 1280 px window");
        // The CSV download, with Enter on its link.
        b.tab_to("a[href^='/comparer.csv']", 40);
        b.press("Enter");
        let deadline = Instant::now() + WAIT_TIMEOUT;
        let file = loop {
            let done: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "csv")).collect())
                .unwrap_or_default();
            if let Some(f) = done.into_iter().next() {
                break f;
            }
            assert!(Instant::now() < deadline, "no CSV downloaded into {}", dir.display());
            std::thread::sleep(POLL_EVERY);
        };
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
        assert!(name.starts_with("comparaison-commune-"), "downloaded file name: {name}");
        // Written in full: a header and two rows.
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if text.trim_end().lines().count() == 3 {
                assert!(text.contains("Montpellier") && text.contains("Toulouse"), "{text}");
                break;
            }
            assert!(Instant::now() < deadline, "the downloaded CSV: {text:?}");
            std::thread::sleep(POLL_EVERY);
        }
    })
    .await;
    drop(downloads);
}

/// Keyboard only in the library: a query typed and sent with Enter, then
/// two facets ticked with Space; the focus stays on the ticked box, so
/// the next one is a few Tabs away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_library_search_with_two_facets() {
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        b.goto(&format!("http://{addr}/publications"));
        b.tab_to("#pub-q", 40);
        b.type_text("communes");
        b.press("Enter");
        b.wait_until("new URLSearchParams(location.search).get('q') === 'communes' && document.readyState === 'complete'");
        let all = b.eval(PUB_COUNT).as_i64().unwrap_or(0);
        assert!(all > 20, "{all} documents for « communes »");
        b.tab_to("#facet-theme input[value='Finances & Fiscalité']", 80);
        b.press(" ");
        b.wait_until("location.search.includes('theme=Finances') && document.querySelectorAll('#oc-active-filters a').length === 1");
        assert_eq!(
            b.eval("document.activeElement.matches(\"#facet-theme input[value='Finances & Fiscalité']\") && document.activeElement.checked"),
            json!(true),
            "after the results change, focus stays on the ticked box"
        );
        b.tab_to("#facet-type input[value='Jeu de données']", 80);
        b.press(" ");
        b.wait_until("location.search.includes('type=Jeu+de+donn') && document.querySelectorAll('#oc-active-filters a').length === 2");
        let both = b.eval(PUB_COUNT).as_i64().unwrap_or(0);
        assert!(both > 0 && both < all, "{both} of {all}");
        // The active filters are tags a keyboard reaches and removes.
        b.tab_to("#oc-active-filters a[aria-label*='Type de ressource']", 120);
        b.press("Enter");
        b.wait_until("document.querySelectorAll('#oc-active-filters a').length === 1 && !location.search.includes('type=')");
    })
    .await;
}

/// Keyboard only in the back office: log in (Tab to each field, Enter),
/// open the documents from the admin menu, open one, tick a thématique
/// with Space and save with Enter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_librarian_logs_in_and_edits_a_document() {
    let fixture = crate::admin::fixture();
    let addr = serve_with_peers(fixture.app.clone()).await;
    tokio::task::spawn_blocking(move || {
        let mut b = Browser::launch();
        b.call("Page.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        let base = format!("http://{addr}");
        b.goto(&format!("{base}/admin/connexion"));
        b.tab_to("#username", 40);
        b.type_text("biblio-test");
        b.tab_to("#password", 5);
        b.type_text(crate::admin::PASSWORD);
        b.press("Enter");
        b.wait_until("location.pathname === '/admin' && document.readyState === 'complete'");
        b.tab_to("a[href='/admin/documents']", 60);
        b.press("Enter");
        b.wait_until("location.pathname === '/admin/documents' && document.readyState === 'complete'");
        b.tab_to("main a[href^='/admin/documents/']:not([href$='nouveau'])", 120);
        let href = b.eval("document.activeElement.getAttribute('href')");
        b.press("Enter");
        b.wait_until(&format!("location.pathname === {href} && document.readyState === 'complete'"));
        b.tab_to("#field-themes input[type=checkbox]:not(:checked)", 200);
        let value = b.eval("document.activeElement.value");
        b.press(" ");
        assert_eq!(b.eval("document.activeElement.checked"), json!(true), "Space ticks {value}");
        b.tab_to("#save", 200);
        b.press("Enter");
        b.wait_until("location.search.includes('fait=enregistre') && document.readyState === 'complete'");
        assert_eq!(b.eval("!!document.querySelector('.fr-alert--success')"), json!(true));
        assert_eq!(
            b.eval(&format!(
                "document.querySelector('#field-themes input[value=' + JSON.stringify({value}) + ']').checked"
            )),
            json!(true),
            "the ticked thématique {value} is saved"
        );
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
}

/// At 320 px (RGAA 10.11's width) and on a 390 px phone, a wide table
/// scrolls inside its own box, never the page, and its first column (the
/// row's name) stays in view while the numbers scroll under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wide_tables_scroll_in_their_box_with_the_first_column_kept_on_a_phone() {
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        for width in [320, 390] {
            b.call(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
            );
            for (page, table) in [
                ("/comparer?ids=commune:34172,commune:31555,commune:13055,commune:69123", ".oc-compare table"),
                ("/plateformes", ".fr-table table"),
            ] {
                b.goto(&format!("http://{addr}{page}"));
                let r = b.eval(&format!(
                    r#"(() => {{
  const t = document.querySelector({table});
  if (!t) return {{ error: 'no table' }};
  t.scrollIntoView({{ block: 'start', behavior: 'instant' }});
  const wide = t.scrollWidth > t.clientWidth + 20;
  const before = t.querySelector('tbody tr > :first-child').getBoundingClientRect().left;
  t.scrollLeft = 250;
  const first = t.querySelector('tbody tr > :first-child').getBoundingClientRect();
  const second = t.querySelector('tbody tr > :nth-child(2)').getBoundingClientRect();
  const box = t.getBoundingClientRect();
  return {{
    wide, scrolled: t.scrollLeft,
    page: document.documentElement.scrollWidth, viewport: window.innerWidth,
    kept: Math.abs(first.left - before) < 1 && first.left >= box.left - 1,
    under: second.left < first.right,
  }};
}})()"#,
                    table = json!(table)
                ));
                assert!(r.get("error").is_none(), "{page} at {width} px: {r}");
                assert!(
                    r["page"].as_f64() <= r["viewport"].as_f64(),
                    "{page} at {width} px: the page itself scrolls sideways: {r}"
                );
                assert_eq!(
                    r["wide"],
                    json!(true),
                    "{page} at {width} px: the table should be wider than the phone: {r}"
                );
                assert!(
                    r["scrolled"].as_f64().unwrap_or(0.0) > 0.0,
                    "{page} at {width} px: the table's box does not scroll: {r}"
                );
                assert_eq!(
                    r["kept"],
                    json!(true),
                    "{page} at {width} px: the first column left the screen when the table scrolled: {r}"
                );
                assert_eq!(
                    r["under"],
                    json!(true),
                    "{page} at {width} px: the other columns should scroll under the first: {r}"
                );
            }
        }
    })
    .await;
}

/// The current level filter of the territory search is a visible state:
/// filled and bold, unlike the other choices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_search_filter_looks_current() {
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        for (query, current) in [("saint", "Tous"), ("saint&type=commune", "Communes")] {
            b.goto(&format!("http://{addr}/recherche?q={query}"));
            let tags = b.eval(
                "Array.from(document.querySelectorAll('main a.fr-tag')).map(a => { const s = getComputedStyle(a); \
                 return [a.textContent.trim(), a.getAttribute('aria-current'), s.backgroundColor, s.fontWeight]; })",
            );
            let tags = tags.as_array().cloned().unwrap_or_default();
            assert!(tags.len() >= 5, "{query}: level tags {tags:?}");
            let (on, off): (Vec<&Value>, Vec<&Value>) = tags.iter().partition(|t| t[1] == "page");
            assert_eq!(on.len(), 1, "{query}: one current tag: {tags:?}");
            assert_eq!(on[0][0], current, "{query}: the current tag");
            for t in &off {
                assert_ne!(t[2], on[0][2], "{query}: the current tag's background is that of {t}");
            }
            assert!(on[0][3].as_str().and_then(|w| w.parse::<u32>().ok()).unwrap_or(0) >= 700, "{query}: {:?}", on[0]);
        }
    })
    .await;
}

/// On a phone the main menu and the search box are closed dialogs: the
/// "Menu" and "Recherche" skip links open them and move the focus there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_links_reach_the_menu_and_the_search_on_a_phone() {
    with_browser(move |b, addr| {
        b.call("Page.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
        );
        for (link, target) in [("#navigation", "#navigation"), ("#q", "#q")] {
            b.goto(&format!("http://{addr}/commune/montpellier-34172"));
            let probe = b.eval(&format!(
                "(() => {{ const t = document.querySelector({}); const m = t.closest('.fr-modal'); const s = getComputedStyle(m); \
                 return [t.checkVisibility({{ checkVisibilityCSS: true, checkOpacity: true }}), s.display, s.visibility, s.opacity, m.className]; }})()",
                json!(target)
            ));
            assert_eq!(probe[0], json!(false), "{target} is hidden on a phone until its dialog opens: {probe}");
            b.tab_to(&format!(".fr-skiplinks a[href='{link}']"), 5);
            b.press("Enter");
            b.wait_until(&format!(
                "document.querySelector({t}).checkVisibility({{ checkVisibilityCSS: true, checkOpacity: true }}) && \
                 document.activeElement === document.querySelector({t})",
                t = json!(target)
            ));
        }
    })
    .await;
}
