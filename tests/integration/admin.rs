//! The back office (issue 7): access control, CSRF, lockout, inert
//! payloads, the audit log, curation visible at once in the public search
//! and kept across re-ingestion, sources, fiche messages.
//!
//! One app with its own data directory (the index writer is the app's, as
//! in `serve`); tests share it, so each works on its own documents, terms
//! and accounts.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};

use oc_library::accounts::Role;
use oc_web::App;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct AdminFixture {
    pub app: App,
    pub _dir: tempfile::TempDir,
}

/// The back-office app: the seed catalogue indexed, an admin
/// (`admin-test`), a librarian (`biblio-test`), the operator of `serve`.
pub fn fixture() -> &'static AdminFixture {
    static F: OnceLock<AdminFixture> = OnceLock::new();
    F.get_or_init(|| {
        std::thread::spawn(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let config = opencollectivites::Config {
                data: opencollectivites::config::Data { dir: dir.path().to_path_buf(), refresh: None },
                ..toml::from_str("[library]\nschedule = false").expect("config")
            };
            let (h, index) = crate::common::seeded_library(&config);
            let mut store = oc_library::store::Library::open(&opencollectivites::library::store_path(&config.data.dir))
                .expect("store");
            store.add_user("admin-test", PASSWORD, Role::Admin, "cli").expect("admin");
            store.add_user("biblio-test", PASSWORD, Role::Librarian, "cli").expect("librarian");
            store.add_user("lock-test", PASSWORD, Role::Librarian, "cli").expect("librarian");
            let ops = Arc::new(opencollectivites::library::Operations {
                harvester: h.harvester.clone(),
                wake: Arc::default(),
                scheduler: Arc::default(),
                schedule: false,
                allow_local: true,
            });
            let app = opencollectivites::open_app_with(&config, index).expect("app").with_operator(ops);
            AdminFixture { app, _dir: dir }
        })
        .join()
        .expect("admin fixture")
    })
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Res {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").to_owned())
    }
}

pub async fn send(req: Request<Body>) -> Res {
    let a = crate::common::request(&fixture().app, req).await;
    Res { status: a.status, body: a.text(), headers: a.headers }
}

/// A query-string value.
pub fn encode(v: &str) -> String {
    oc_web::format::urlencode(v)
}

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("form")
}

fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token");
    html[i + 19..i + 19 + 64].to_owned()
}

fn post_req(uri: &str, cookie: &str, body: String, ip: [u8; 4]) -> Request<Body> {
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request");
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    req
}

/// A signed-in user.
pub struct Client {
    cookie: String,
    pub csrf: String,
}

/// Tries a login; returns the response.
async fn try_login(user: &str, password: &str, ip: [u8; 4]) -> Res {
    let page = send(Request::get("/admin/connexion").body(Body::empty()).expect("request")).await;
    assert_eq!(page.status, StatusCode::OK);
    let login_cookie = page.cookie("oc_login").expect("login cookie");
    let token = csrf_of(&page.body);
    send(post_req(
        "/admin/connexion",
        &login_cookie,
        form(&[("csrf", &token), ("username", user), ("password", password), ("suite", "/admin")]),
        ip,
    ))
    .await
}

impl Client {
    pub async fn login(user: &str) -> Client {
        let res = try_login(user, PASSWORD, [192, 0, 2, 10]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let cookie = res.cookie("oc_session").expect("session cookie");
        let set = res
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
            .join(" | ");
        for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/admin", "Max-Age="] {
            assert!(set.contains(flag), "session cookie without {flag}: {set}");
        }
        let mut c = Client { cookie, csrf: String::new() };
        let home = c.get("/admin").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        c.csrf = csrf_of(&home.body);
        c
    }

    pub async fn get(&self, uri: &str) -> Res {
        send(Request::get(uri).header(header::COOKIE, &self.cookie).body(Body::empty()).expect("request")).await
    }

    /// A POST with the session's CSRF token.
    pub async fn post(&self, uri: &str, pairs: &[(&str, &str)]) -> Res {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        send(post_req(uri, &self.cookie, form(&all), [192, 0, 2, 10])).await
    }

    pub async fn post_raw(&self, uri: &str, body: String) -> Res {
        send(post_req(uri, &self.cookie, body, [192, 0, 2, 10])).await
    }
}

async fn public(uri: &str) -> Res {
    send(Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn public_json(uri: &str) -> serde_json::Value {
    let r = public(uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    serde_json::from_str(&r.body).expect("json")
}

/// A published seed document whose title contains `needle`.
async fn seed_doc(needle: &str) -> i64 {
    let r = public_json(&format!("/api/v1/publications?q={}", oc_web::format::urlencode(needle))).await;
    r["results"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|d| d["id"].as_i64())
        .unwrap_or_else(|| panic!("no document for {needle}: {r}"))
}

/// The form of a document as it is (every field), with `changes`.
async fn doc_form(c: &Client, id: i64, changes: &[(&str, &str)], themes: &[&str]) -> Vec<(String, String)> {
    let lib = fixture().app.library.clone().expect("library");
    let d = tokio::task::spawn_blocking(move || lib.lock().admin_document(id).expect("store").expect("document"))
        .await
        .expect("join");
    let _ = c;
    let mut f: Vec<(String, String)> = vec![
        ("title".into(), d.doc.title.clone()),
        ("summary".into(), d.doc.summary.clone()),
        ("publisher".into(), d.doc.publisher.clone()),
        ("published".into(), d.doc.published.clone().unwrap_or_default()),
        ("resource_type".into(), d.doc.resource_type.clone()),
        ("territories".into(), d.doc.territories.join(", ")),
        ("status".into(), d.doc.status.as_str().to_owned()),
        ("weight".into(), d.doc.weight.to_string()),
    ];
    for s in &d.doc.scope {
        f.push(("scope".into(), s.clone()));
    }
    for t in themes {
        f.push(("themes".into(), (*t).to_owned()));
    }
    for (k, v) in changes {
        f.retain(|(x, _)| x != k);
        f.push(((*k).to_owned(), (*v).to_owned()));
    }
    f
}

async fn save_doc(c: &Client, id: i64, f: Vec<(String, String)>) -> Res {
    let mut all = vec![("csrf".to_owned(), c.csrf.clone())];
    all.extend(f);
    c.post_raw(&format!("/admin/documents/{id}"), serde_urlencoded::to_string(&all).expect("form")).await
}

const GETS: [&str; 11] = [
    "/admin",
    "/admin/documents",
    "/admin/documents/nouveau",
    "/admin/documents/1",
    "/admin/taxonomies",
    "/admin/sources",
    "/admin/sources/nouvelle",
    "/admin/sources/insee-flux-1",
    "/admin/messages",
    "/admin/utilisateurs",
    "/admin/journal",
];
const POSTS: [&str; 15] = [
    "/admin/deconnexion",
    "/admin/documents/lot",
    "/admin/documents/nouveau",
    "/admin/documents/1",
    "/admin/documents/1/fusionner",
    "/admin/documents/1/supprimer",
    "/admin/documents/1/restaurer",
    "/admin/taxonomies",
    "/admin/sources/nouvelle",
    "/admin/sources/insee-flux-1",
    "/admin/sources/insee-flux-1/tester",
    "/admin/sources/insee-flux-1/lancer",
    "/admin/messages",
    "/admin/messages/1/supprimer",
    "/admin/utilisateurs",
];
/// Routes for admins only.
fn admin_only(path: &str) -> bool {
    ["/admin/sources", "/admin/messages", "/admin/utilisateurs", "/admin/journal"].iter().any(|p| path.starts_with(p))
}

#[tokio::test]
async fn every_admin_route_refuses_anonymous_visitors_and_the_wrong_role() {
    let before = fixture().app.library.clone().unwrap().lock().audit(100_000).unwrap().len();
    for path in GETS {
        let r = public(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "anonymous GET {path}");
        assert!(r.location().starts_with("/admin/connexion?suite="), "{path}: {}", r.location());
        assert_eq!(r.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"));
    }
    for path in POSTS {
        let r = send(post_req(path, "", form(&[("csrf", &"a".repeat(64)), ("title", "x")]), [192, 0, 2, 1])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "anonymous POST {path}");
        assert!(r.body.contains("Connexion requise"), "{path}: {}", r.body);
        // A made-up session cookie is no better.
        let r = send(post_req(
            path,
            &format!("oc_session={}", "b".repeat(64)),
            form(&[("csrf", &"a".repeat(64))]),
            [192, 0, 2, 1],
        ))
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "forged session POST {path}");
    }
    let librarian = Client::login("biblio-test").await;
    for path in GETS {
        let r = librarian.get(path).await;
        if admin_only(path) {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "librarian GET {path}");
            assert!(r.body.contains("réservée aux administrateurs"), "{path}");
        } else {
            assert_eq!(r.status, StatusCode::OK, "librarian GET {path}: {}", r.body);
        }
    }
    for path in POSTS.iter().filter(|p| admin_only(p)) {
        let r = librarian
            .post(
                path,
                &[
                    ("title", "x"),
                    ("territory", "COM-75056"),
                    ("body", "x"),
                    ("username", "intrus"),
                    ("role", "admin"),
                    ("action", "ajouter"),
                    ("password", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "librarian POST {path}");
    }
    let admin = Client::login("admin-test").await;
    for path in GETS {
        assert_eq!(admin.get(path).await.status, StatusCode::OK, "admin GET {path}");
    }
    // Nothing was changed by the refused requests.
    let log = fixture().app.library.clone().unwrap().lock().audit(100_000).unwrap();
    assert!(log.len() >= before);
    assert!(!log.iter().any(|a| a.target == "user:intrus"), "no account made");
    let by_librarian: Vec<_> = log
        .iter()
        .filter(|a| {
            a.user == "biblio-test"
                && (a.action.starts_with("user") || a.action.starts_with("source") || a.action.starts_with("message"))
        })
        .collect();
    assert!(by_librarian.is_empty(), "{by_librarian:?}");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_rejected() {
    let c = Client::login("biblio-test").await;
    let id = seed_doc("police municipale").await;
    let before = fixture().app.library.clone().unwrap().lock().admin_document(id).unwrap().unwrap();
    let f = doc_form(&c, id, &[("title", "Titre changé sans jeton")], &[]).await;
    for token in ["", "0000", &"f".repeat(64)] {
        let mut all = vec![("csrf".to_owned(), token.to_owned())];
        all.extend(f.clone());
        let r = c.post_raw(&format!("/admin/documents/{id}"), serde_urlencoded::to_string(&all).unwrap()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(r.body.contains("CSRF"), "{}", r.body);
    }
    let r = c.post_raw(&format!("/admin/documents/{id}"), serde_urlencoded::to_string(&f).unwrap()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token at all");
    // The right token from another site.
    let mut all = vec![("csrf".to_owned(), c.csrf.clone())];
    all.extend(f.clone());
    let mut req = post_req(
        &format!("/admin/documents/{id}"),
        &c.cookie,
        serde_urlencoded::to_string(&all).unwrap(),
        [192, 0, 2, 10],
    );
    req.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    req.headers_mut().insert(header::HOST, "opencollectivites.example".parse().unwrap());
    assert_eq!(send(req).await.status, StatusCode::FORBIDDEN, "cross-site origin");
    // The login form needs its own token too.
    let r = send(post_req(
        "/admin/connexion",
        "oc_login=abc",
        form(&[("csrf", "abd"), ("username", "biblio-test"), ("password", PASSWORD)]),
        [192, 0, 2, 3],
    ))
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let after = fixture().app.library.clone().unwrap().lock().admin_document(id).unwrap().unwrap();
    assert_eq!(before, after, "nothing changed");
    // Logout ends the session.
    let r = c.post("/admin/deconnexion", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/admin").await.status, StatusCode::SEE_OTHER, "the session is over");
}

#[tokio::test]
async fn logins_are_throttled_per_account_and_per_address() {
    // One (account, address) pair: a few failures go freely …
    for i in 0..oc_library::accounts::PAIR_FREE_FAILURES {
        let r = try_login("lock-test", "wrong password, long enough", [198, 51, 100, 1]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(r.body.contains("Identifiant ou mot de passe incorrect"), "{}", r.body);
        assert!(r.body.contains("value=\"lock-test\""), "the username typed is kept");
    }
    // … and never lock the account for its owner at another address.
    let r = try_login("lock-test", PASSWORD, [198, 51, 100, 2]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.cookie("oc_session").is_some());
    // Other accounts are not locked.
    assert_eq!(try_login("biblio-test", PASSWORD, [198, 51, 100, 2]).await.status, StatusCode::SEE_OTHER);
    // One address trying many accounts is locked too.
    for i in 0..oc_library::accounts::MAX_FAILURES_IP {
        try_login(&format!("inconnu{i}"), "wrong password, long enough", [203, 0, 113, 9]).await;
    }
    let r = try_login("biblio-test", PASSWORD, [203, 0, 113, 9]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "address locked");
    assert!(r.body.contains("Trop de tentatives : réessayez dans") && r.body.contains("minute"), "{}", r.body);
    let log = fixture().app.library.clone().unwrap().lock().audit(100_000).unwrap();
    assert!(log.iter().any(|a| a.action == "login.failed" && a.user == "anonyme" && a.target == "user:lock-test"));
}

#[tokio::test]
async fn an_edit_is_in_the_public_search_at_once_and_survives_reingestion() {
    let c = Client::login("biblio-test").await;
    // A feed of our own, harvested through a source added in the back office.
    let feed_dir = tempfile::tempdir().unwrap();
    let feed = feed_dir.path().join("insee.rss");
    std::fs::copy(crate::common::root().join("tests/data/library/insee.rss"), &feed).unwrap();
    let admin = Client::login("admin-test").await;
    let url = feed.display().to_string();
    let source = [
        ("id", "essai-insee"),
        ("name", "Essai — flux Insee"),
        ("publisher", "Institut national de la statistique et des études économiques"),
        ("publisher_short", "Insee"),
        ("kind", "feed"),
        ("url", url.as_str()),
        ("schedule", "0 0 3 * * *"),
        ("enabled", "1"),
        ("themes", "Géographie & Intercommunalités"),
    ];
    // What the feed would bring is not tied to the source (the other
    // tests of this fixture add documents meanwhile: no global count).
    let saved_from_feed = || {
        let lib = fixture().app.library.clone().unwrap();
        let store = lib.lock();
        let urls = [
            "https://insee.fr/fr/statistiques/6689129",
            "https://insee.fr/fr/statistiques/4797725",
            "https://www.insee.fr/fr/statistiques/3694585",
        ];
        urls.iter().any(|u| {
            store
                .id_of(u)
                .unwrap()
                .is_some_and(|id| store.document_sources(id).unwrap().iter().any(|s| s == "essai-insee"))
        }) || !store.rejections("essai-insee", 10).unwrap().is_empty()
    };
    // "Test" shows what a fetch would bring, and saves nothing.
    let r = admin.post("/admin/sources/nouvelle/tester", &source).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("rien n'a été enregistré") && r.body.contains("128 communes ont fusionné"), "{}", r.body);
    assert!(!saved_from_feed(), "a test saves no document");
    assert_eq!(admin.get("/admin/sources/essai-insee").await.status, StatusCode::NOT_FOUND, "nor the source");
    // A bad schedule is refused with its reason, the values kept.
    let mut bad = source.to_vec();
    bad.retain(|(k, _)| *k != "schedule");
    bad.push(("schedule", "tous les jours"));
    let r = admin.post("/admin/sources/nouvelle", &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("schedule") && r.body.contains("Essai — flux Insee"), "{}", r.body);
    let r = admin.post("/admin/sources/nouvelle", &source).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = admin.post("/admin/sources/essai-insee/lancer", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let lib = fixture().app.library.clone().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let id = loop {
        let l = lib.clone();
        let found = tokio::task::spawn_blocking(move || {
            l.lock()
                .id_of(&oc_library::canonical::canonical_url("https://insee.fr/fr/statistiques/4797725").unwrap())
                .unwrap()
        })
        .await
        .unwrap();
        if let Some(id) = found {
            break id;
        }
        assert!(std::time::Instant::now() < deadline, "run now did not store the feed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    // The run is over (its status recorded) before the next one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let l = lib.clone();
        let done = tokio::task::spawn_blocking(move || {
            l.lock().sources().unwrap().into_iter().any(|s| s.source.id == "essai-insee" && s.last_success.is_some())
        })
        .await
        .unwrap();
        if done {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the first run did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let status = admin.get("/admin/sources/essai-insee").await;
    assert!(status.body.contains("nouveaux"), "{}", status.body);
    assert!(saved_from_feed(), "a run, unlike a test, ties the feed's documents to the source");

    // The librarian re-classifies it and retitles it.
    let f = doc_form(
        &c,
        id,
        &[("title", "Communes nouvelles du Centre-Val de Loire (titre revu)")],
        &["Parité", "Sécurité"],
    )
    .await;
    let before_parite =
        public_json("/api/v1/publications?theme=Parit%C3%A9&per_page=1").await["total"].as_i64().unwrap();
    let r = save_doc(&c, id, f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Visible at once: no waiting.
    let after_parite =
        public_json("/api/v1/publications?theme=Parit%C3%A9&per_page=1").await["total"].as_i64().unwrap();
    assert_eq!(after_parite, before_parite + 1);
    let hits = public_json("/api/v1/publications?q=titre+revu").await;
    assert_eq!(hits["results"][0]["id"].as_i64(), Some(id), "{hits}");

    // The source changes its text; a new run keeps the librarian's values.
    let text = std::fs::read_to_string(&feed)
        .unwrap()
        .replace("Communes nouvelles &amp;amp; fusions", "Communes nouvelles, texte revu par l'Insee");
    std::fs::write(&feed, text).unwrap();
    let r = admin.post("/admin/sources/essai-insee/lancer", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let l = lib.clone();
        let d = tokio::task::spawn_blocking(move || l.lock().document(id).unwrap().unwrap()).await.unwrap();
        if d.summary.contains("texte revu par l'Insee") {
            assert_eq!(d.title, "Communes nouvelles du Centre-Val de Loire (titre revu)", "the edited title stays");
            assert_eq!(d.themes, vec!["Parité", "Sécurité"], "the edited thématiques stay");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the second run did not update the summary");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let log = lib.lock().audit(100_000).unwrap();
    for action in ["source.add", "source.run", "document.edit"] {
        assert!(log.iter().any(|a| a.action == action), "{action} not in the audit log");
    }
}

#[tokio::test]
async fn script_payloads_are_inert_on_public_and_admin_pages() {
    let c = Client::login("admin-test").await;
    let id = seed_doc("base du dossier complet").await;
    let payload = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let f = doc_form(
        &c,
        id,
        &[
            ("title", &format!("Violences {payload}")),
            ("summary", &format!("Résumé {payload}")),
            ("publisher", &format!("Éditeur {payload}")),
        ],
        &["Parité"],
    )
    .await;
    let r = save_doc(&c, id, f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post("/admin/taxonomies", &[("kind", "theme"), ("action", "ajouter"), ("name", &format!("Thème {payload}"))])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            "/admin/messages",
            &[
                ("id", "0"),
                ("territory", "COM-34172"),
                ("title", &format!("Titre {payload}")),
                ("body", &format!("Texte {payload}")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pages = [
        public(&format!("/publications/{id}")).await,
        public("/publications?q=violences").await,
        public("/commune/montpellier-34172").await,
        c.get(&format!("/admin/documents/{id}")).await,
        c.get("/admin/documents?q=violences").await,
        c.get("/admin/taxonomies").await,
        c.get("/admin/messages").await,
        c.get("/admin/journal").await,
    ];
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.status, StatusCode::OK, "page {i}: {}", p.body);
        assert!(
            !p.body.contains("<script>alert") && !p.body.contains("<img src=x"),
            "page {i} renders the payload as markup"
        );
        assert!(
            p.body.contains("&lt;script&gt;alert") || p.body.contains("&lt;script&gt;"),
            "page {i} shows the payload as text"
        );
    }
    assert!(pages[2].body.contains("oc-fiche-message"), "the message is on the fiche");
    let csp = pages[3].headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    for p in &pages {
        assert_eq!(p.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert!(p.headers.get(header::REFERRER_POLICY).is_some());
    }
    // The JSON API gives the text as it was typed (JSON escaping).
    let j = public_json("/api/v1/publications?q=violences").await;
    assert!(j.to_string().contains("<script>alert('x')</script>"));
}

#[tokio::test]
async fn every_kind_of_change_is_audited_and_the_log_filters() {
    let c = Client::login("admin-test").await;
    let a = seed_doc("fonction publique territoriale").await;
    let b = {
        let r = c
            .post(
                "/admin/documents/nouveau",
                &[
                    ("url", "https://www.collectivites-locales.gouv.fr/essai-saisie-manuelle"),
                    ("title", "Guide saisi à la main"),
                    ("status", "published"),
                    ("resource_type", "Outil"),
                    ("publisher", "DGCL"),
                    ("themes", "Finances & Fiscalité"),
                    ("territories", "DEP-34, REG-76"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        r.location().trim_start_matches("/admin/documents/").split('?').next().unwrap().parse::<i64>().unwrap()
    };
    assert_eq!(
        public_json("/api/v1/publications?q=guide+saisi").await["results"][0]["id"].as_i64(),
        Some(b),
        "added by hand: searchable at once"
    );
    // Errors say what is wrong and keep what was typed.
    let r = c
        .post(
            "/admin/documents/nouveau",
            &[("url", "pas une adresse"), ("title", "Titre gardé"), ("status", "published")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("adresse invalide") && r.body.contains("Titre gardé") && !r.body.contains("relative URL"),
        "{}",
        r.body
    );
    let r = c
        .post(
            &format!("/admin/documents/{a}"),
            &[
                ("title", "Titre gardé malgré le poids"),
                ("weight", "lourd"),
                ("themes", "Parité"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("poids invalide") && r.body.contains("Titre gardé malgré le poids"), "every value is kept");
    assert!(r.body.contains("value=\"Parité\" id=\"themes-6\" checked"), "the thématiques too");
    let r = c
        .post(
            "/admin/documents/nouveau",
            &[("url", "https://x.example/a"), ("title", "Titre gardé"), ("territories", "DEP-999")],
        )
        .await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("territoire inconnu"), "{}", r.body);
    // Bulk, merge (with its redirect), delete, restore.
    let r = c
        .post(
            "/admin/documents/lot",
            &[
                ("id", &a.to_string()),
                ("id", &b.to_string()),
                ("action", "ajouter-theme"),
                ("theme", "Sécurité"),
                ("retour", "/admin/documents?q=guide"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/admin/documents?q=guide&fait=lot");
    assert!(c
        .post("/admin/documents/lot", &[("action", "publier")])
        .await
        .body
        .contains("Cochez au moins un document"));
    let r = c.post(&format!("/admin/documents/{b}/fusionner"), &[("into", &a.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let moved = public(&format!("/publications/{b}")).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.location(), format!("/publications/{a}"));
    assert_eq!(public(&format!("/publications/{a}")).await.status, StatusCode::OK);
    assert!(public_json("/api/v1/publications?q=guide+saisi").await["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["id"].as_i64() != Some(b)));
    assert_eq!(c.post(&format!("/admin/documents/{a}/supprimer"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(public(&format!("/publications/{a}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.post(&format!("/admin/documents/{a}/restaurer"), &[]).await.status, StatusCode::SEE_OTHER);
    // Taxonomies: add, rename (propagates), move, retire.
    assert_eq!(
        c.post("/admin/taxonomies", &[("kind", "scope"), ("action", "ajouter"), ("name", "Communes d'outre-mer")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let r = c
        .post("/admin/taxonomies", &[("kind", "scope"), ("action", "ajouter"), ("name", "Communes d'outre-mer")])
        .await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("existe déjà"), "{}", r.body);
    assert_eq!(
        c.post(
            "/admin/taxonomies",
            &[
                ("kind", "scope"),
                ("action", "renommer"),
                ("name", "Communes d'outre-mer"),
                ("new_name", "Communes des outre-mer")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post("/admin/taxonomies", &[("kind", "scope"), ("action", "monter"), ("name", "Communes des outre-mer")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post("/admin/taxonomies", &[("kind", "scope"), ("action", "retirer"), ("name", "Communes des outre-mer")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post(
            "/admin/taxonomies",
            &[
                ("kind", "publisher"),
                ("action", "organisme"),
                ("name", "DGCL"),
                ("acronym", "DGCL"),
                ("parent", "Ministère de l'Intérieur")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    // Messages, accounts, sources.
    let r = c
        .post(
            "/admin/messages",
            &[
                ("id", "0"),
                ("territory", "REG-94"),
                ("title", "Collectivité de Corse"),
                ("body", "La Corse est une collectivité à statut particulier."),
                ("starts", "2026-01-01"),
                ("ends", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            "/admin/messages",
            &[
                ("id", "0"),
                ("territory", "REG-94"),
                ("title", "x"),
                ("body", "x"),
                ("starts", "2026-05-01"),
                ("ends", "2026-01-01"),
            ],
        )
        .await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("après la date de fin"), "{}", r.body);
    let corse = public("/region/corse-94").await;
    assert!(corse.body.contains("statut particulier"), "the message is on the fiche");
    let r = c
        .post(
            "/admin/utilisateurs",
            &[
                ("action", "ajouter"),
                ("username", "nouvelle.bibliothecaire"),
                ("password", "une phrase de passe assez longue"),
                ("role", "librarian"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            "/admin/utilisateurs",
            &[("action", "ajouter"), ("username", "court"), ("password", "court"), ("role", "librarian")],
        )
        .await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("trop court"), "{}", r.body);
    assert_eq!(
        c.post(
            "/admin/utilisateurs",
            &[("action", "modifier"), ("username", "nouvelle.bibliothecaire"), ("role", "librarian")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let r = c.get("/admin/sources/ofgl-catalogue").await;
    let r = if r.status == StatusCode::OK { r } else { c.get("/admin/sources/insee-flux-2").await };
    assert_eq!(r.status, StatusCode::OK);
    let r = c
        .post(
            "/admin/sources/insee-flux-2",
            &[
                ("name", "Insee — flux RSS n° 2"),
                ("publisher", "Insee"),
                ("kind", "feed"),
                ("url", "https://www.insee.fr/fr/flux/2"),
                ("schedule", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let disabled = c.get("/admin/sources").await;
    assert!(disabled.body.contains("géré ici"));

    let log = fixture().app.library.clone().unwrap().lock().audit(100_000).unwrap();
    for action in [
        "document.add",
        "document.theme_add",
        "document.merge",
        "document.delete",
        "document.restore",
        "term.add",
        "term.rename",
        "term.move",
        "term.retire",
        "term.edit",
        "message.add",
        "user.add",
        "user.edit",
        "source.edit",
        "login",
    ] {
        let e = log
            .iter()
            .find(|e| e.action == action && (e.user == "admin-test" || action == "login"))
            .unwrap_or_else(|| panic!("{action} not audited"));
        if action != "login"
            && action != "document.add"
            && action != "term.add"
            && action != "message.add"
            && action != "user.add"
        {
            assert!(e.before.is_some(), "{action}: no before");
        }
    }
    let merge = log.iter().find(|e| e.action == "document.merge").unwrap();
    assert_eq!(merge.target, format!("document:{b}"));
    assert!(merge.after.as_deref().unwrap().contains(&format!("\"merged_into\":{a}")));
    // The log page filters by action family, user, target and day.
    let j = c.get("/admin/journal?action=term&utilisateur=admin-test").await;
    assert_eq!(j.status, StatusCode::OK);
    let actions = journal_actions(&j.body);
    assert!(
        actions.iter().any(|a| a == "term.rename") && actions.iter().all(|a| a.starts_with("term.")),
        "{actions:?}"
    );
    let j = c.get(&format!("/admin/journal?cible=document:{b}")).await;
    let actions = journal_actions(&j.body);
    assert!(
        actions.iter().any(|a| a == "document.merge") && !actions.iter().any(|a| a == "term.rename"),
        "{actions:?}"
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let j = c.get(&format!("/admin/journal?du={today}&au={today}&action=message.add")).await;
    assert!(j.body.contains("Collectivité de Corse"));
    assert_eq!(c.get("/admin/journal?du=hier").await.status, StatusCode::BAD_REQUEST);
    // The renamed scope is in the public taxonomy (retired, so not offered;
    // links with it still work).
    assert_eq!(public("/publications?scope=Communes+des+outre-mer").await.status, StatusCode::OK);
    // The old name of a renamed term still works (old links, bookmarks).
    assert_eq!(public("/publications?scope=Communes+d%27outre-mer").await.status, StatusCode::OK);
    assert_eq!(public("/publications?scope=Communes+inconnues").await.status, StatusCode::BAD_REQUEST);
}

/// The action codes of the rows of an audit log page.
fn journal_actions(body: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(body);
    let rows = scraper::Selector::parse("table.oc-journal tbody tr").expect("selector");
    doc.select(&rows).map(|tr| tr.value().attr("data-action").unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn the_document_list_filters_by_status_and_facets() {
    let c = Client::login("biblio-test").await;
    let all = c.get("/admin/documents").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("id=\"admin-total\""));
    for q in [
        "statut=publie",
        "statut=non-publie",
        "statut=supprime",
        "statut=nouveau",
        "statut=doublon",
        "q=communes&theme=Finances+%26+Fiscalit%C3%A9",
        "page=2",
        "type=Jeu+de+donn%C3%A9es&year=2023",
    ] {
        let r = c.get(&format!("/admin/documents?{q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    for bad in ["statut=perdu", "page=0", "page=abc"] {
        let r = c.get(&format!("/admin/documents?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = c.get("/admin/documents?type=Jeu+de+donn%C3%A9es").await;
    let n: usize = r
        .body
        .split("id=\"admin-total\"><strong>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.replace(['\u{a0}', ' '], "").parse().ok())
        .unwrap();
    let lib = fixture().app.library.clone().unwrap();
    let expected = lib
        .lock()
        .admin_documents()
        .unwrap()
        .iter()
        .filter(|d| d.doc.status != oc_library::store::Status::Deleted && d.doc.resource_type == "Jeu de données")
        .count();
    assert_eq!(n, expected);
    assert_eq!(c.get("/admin/documents/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/admin/documents/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stale_forms_odd_redirects_and_other_bodies_get_clear_answers() {
    let c = Client::login("biblio-test").await;
    let id = seed_doc("comptes consolidés").await;
    // A form made before another change is refused, the typed values kept.
    let lib = fixture().app.library.clone().unwrap();
    let rev = lib.lock().admin_document(id).unwrap().unwrap().doc.rev;
    let mut f = doc_form(&c, id, &[("title", "Titre saisi sur une page ancienne")], &["Parité"]).await;
    f.push(("rev".into(), (rev - 1).to_string()));
    let r = save_doc(&c, id, f.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("a changé depuis") && r.body.contains("Titre saisi sur une page ancienne"), "{}", r.body);
    f.retain(|(k, _)| k != "rev");
    f.push(("rev".into(), rev.to_string()));
    assert_eq!(save_doc(&c, id, f).await.status, StatusCode::SEE_OTHER, "the current revision saves");
    // A return address with a line break never makes a 500.
    let r = c
        .post(
            "/admin/documents/lot",
            &[("id", &id.to_string()), ("action", "publier"), ("retour", "/admin/documents\r\nSet-Cookie: x=y")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/admin/documents?fait=lot"), "{}", r.location());
    let page = send(Request::get("/admin/connexion?suite=%2Fadmin%0Aevil").body(Body::empty()).unwrap()).await;
    assert!(page.body.contains("name=\"suite\" value=\"/admin\""), "the odd return address is dropped");
    // Bodies other than forms are refused in French.
    let mut req = post_req(&format!("/admin/documents/{id}"), &c.cookie, "{\"title\":\"x\"}".into(), [192, 0, 2, 10]);
    req.headers_mut().insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    let r = send(req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.body.contains("formulaires"), "{}", r.body);
    // Admin pages are never compressed (their CSRF token sits beside echoed input).
    let r = send(
        Request::get("/admin/documents?q=x")
            .header(header::COOKIE, &c.cookie)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(r.headers.get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn librarians_edit_the_acronyms_of_the_search_and_it_is_audited() {
    let c = Client::login("biblio-test").await;
    let page = c.get("/admin/taxonomies").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Sigles et expressions de la recherche")
            && page.body.contains("dotation globale de fonctionnement")
    );
    let found = |v: &serde_json::Value| v["total"].as_u64().unwrap_or(0);
    let before = found(&public_json("/api/v1/publications?q=DMTOX").await);
    assert_eq!(before, 0, "an unknown acronym finds nothing");
    let r = c
        .post(
            "/admin/taxonomies",
            &[
                ("action", "sigle-enregistrer"),
                ("acronym", "DMTOX"),
                ("expansions", "droits de mutation ; mutation à titre onéreux"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = found(&public_json("/api/v1/publications?q=DMTOX").await);
    assert_eq!(after, found(&public_json("/api/v1/publications?q=%22droits+de+mutation%22").await).max(after));
    assert!(after > 0, "the public search follows the back office at once");
    // Bad input: a French message, nothing lost.
    let r =
        c.post("/admin/taxonomies", &[("action", "sigle-enregistrer"), ("acronym", "D M"), ("expansions", "x")]).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("sans espace"), "{}", r.body);
    let r = c.post("/admin/taxonomies", &[("action", "sigle-supprimer"), ("acronym", "DMTOX")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(found(&public_json("/api/v1/publications?q=DMTOX").await), 0);
    let lib = fixture().app.library.clone().expect("library");
    let log = tokio::task::spawn_blocking(move || lib.lock().audit(200).expect("audit")).await.expect("join");
    let mine: Vec<&str> = log.iter().filter(|e| e.target == "synonym:DMTOX").map(|e| e.action.as_str()).collect();
    assert!(mine.contains(&"synonym.set") && mine.contains(&"synonym.delete"), "{mine:?}");
}
