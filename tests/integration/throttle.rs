//! Login lock-out is no weapon ("Stay up under hostile load", item 8):
//! failures are throttled per (account, address) pair with growing
//! delays, under a per-address ceiling and a per-account ceiling that only
//! slows; the client's address comes from `X-Forwarded-For` only behind a
//! trusted proxy; the refusal says in French how long to wait.
//!
//! The HTTP tests share the back-office app of `admin.rs` (each with its
//! own accounts and addresses); the failures they need are recorded
//! through the store at chosen times, and the delays are asserted on the
//! waits the store computes (an injected clock), never on timings.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};

use oc_library::accounts::{
    pair_delay, Role, MAX_FAILURES_IP, PAIR_FREE_FAILURES, PAIR_MAX_DELAY_SECS, THROTTLE_MINUTES,
};
use oc_library::store::Library;
use oc_web::admin::TrustedProxies;
use oc_web::App;

use crate::admin::{fixture, Res, PASSWORD};

const WRONG: &str = "wrong password, long enough";

fn addr(s: &str) -> IpAddr {
    s.parse().expect("an address")
}

/// Runs `f` on the shared store, off the async threads.
async fn on_store<T: Send + 'static>(f: impl FnOnce(&mut Library) -> T + Send + 'static) -> T {
    let lib = fixture().app.library.clone().expect("library");
    tokio::task::spawn_blocking(move || f(&mut lib.lock())).await.expect("join")
}

async fn account(name: &'static str) {
    on_store(move |s| s.add_user(name, PASSWORD, Role::Librarian, "cli").map(|_| ())).await.expect("account");
}

/// Records failures of `user` from `ip` at the times the throttle lets
/// them through, from `start`; returns the time of the last one.
fn fail_as_fast_as_allowed(
    s: &mut Library,
    user: &str,
    ip: &str,
    start: chrono::DateTime<chrono::Utc>,
    n: i64,
) -> chrono::DateTime<chrono::Utc> {
    let mut t = start;
    for _ in 0..n {
        let wait = s.login_wait_at(user, ip, t).expect("store").unwrap_or_default();
        t += chrono::Duration::from_std(wait).expect("a wait");
        s.begin_login_at(user, ip, t).expect("store").expect("let through");
    }
    t
}

/// An attacker's failures on `user` from `ip`, as fast as allowed: a run
/// of them yesterday, and one ten seconds ago. Only the last one is in
/// the last 15 minutes (the old lock-out would not refuse anything), but
/// the pair now waits its longest delay.
async fn hold_pair(user: &'static str, ip: &'static str) {
    on_store(move |s| {
        let now = now_ms();
        fail_as_fast_as_allowed(s, user, ip, now - chrono::Duration::hours(20), PAIR_FREE_FAILURES + 9);
        fail_as_fast_as_allowed(s, user, ip, now - chrono::Duration::seconds(10), 1);
        let wait = s.login_wait_at(user, ip, now).expect("store").expect("the pair waits");
        assert_eq!(wait, Duration::from_secs(PAIR_MAX_DELAY_SECS - 10));
    })
    .await;
}

/// Now, to the millisecond (as failures are stored).
fn now_ms() -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3)
}

async fn send_to(app: &App, req: Request<Body>) -> Res {
    let a = crate::common::request(app, req).await;
    Res { status: a.status, body: a.text(), headers: a.headers }
}

/// A login through the form, from the TCP peer `peer`, with an
/// `X-Forwarded-For` header if given.
async fn login_via(app: &App, user: &str, password: &str, peer: &str, forwarded: Option<&str>) -> Res {
    let page = send_to(app, Request::get("/admin/connexion").body(Body::empty()).expect("request")).await;
    assert_eq!(page.status, StatusCode::OK);
    let cookie = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("oc_login="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .expect("login cookie");
    let i = page.body.find("name=\"csrf\" value=\"").expect("a CSRF token") + 19;
    let token = &page.body[i..i + 64];
    let body =
        serde_urlencoded::to_string([("csrf", token), ("username", user), ("password", password), ("suite", "/admin")])
            .expect("form");
    let mut req = Request::post("/admin/connexion")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req.body(Body::from(body)).expect("request");
    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(addr(peer), 40000)));
    send_to(app, req).await
}

async fn login(user: &str, password: &str, peer: &str) -> Res {
    login_via(&fixture().app, user, password, peer, None).await
}

fn signed_in(r: &Res) -> bool {
    r.status == StatusCode::SEE_OTHER
        && r.headers.get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap_or("").starts_with("oc_session="))
}

/// The wait a refusal says, checked to be agreed French: `(n, unit)`.
fn said_wait(r: &Res) -> (u64, String) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let text = crate::common::html_text(&r.body);
    let rest =
        text.split_once("Trop de tentatives : réessayez dans ").unwrap_or_else(|| panic!("no wait said: {text}")).1;
    let (n, rest) = rest.split_once(' ').expect("a number");
    let unit = rest.split_once('.').expect("a full stop").0;
    let n: u64 = n.parse().unwrap_or_else(|_| panic!("{n:?} in {text}"));
    let expected = match (unit.starts_with("minute"), n >= 2) {
        (true, true) => "minutes",
        (true, false) => "minute",
        (false, true) => "secondes",
        (false, false) => "seconde",
    };
    assert_eq!(unit, expected, "agreed: {text}");
    (n, unit.to_owned())
}

/// The address the audit log gives to the last login of `user`.
async fn audited_ip(user: &'static str) -> String {
    let log = on_store(|s| s.audit(100_000).expect("audit")).await;
    let e = log
        .iter()
        .find(|e| e.action == "login" && e.target == format!("user:{user}"))
        .unwrap_or_else(|| panic!("no login of {user}"));
    let after: serde_json::Value = serde_json::from_str(e.after.as_deref().unwrap_or("{}")).expect("json");
    after["ip"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn an_attackers_failures_from_one_address_never_lock_the_account_for_another() {
    account("throttle-cible").await;
    // An attacker at A, as fast as the throttle lets it for ten minutes:
    // twelve failures (the old lock-out took five), and A waits …
    let wait = on_store(|s| {
        let now = now_ms();
        let last = fail_as_fast_as_allowed(
            s,
            "throttle-cible",
            "198.51.100.111",
            now - chrono::Duration::minutes(10),
            PAIR_FREE_FAILURES + 9,
        );
        assert_eq!(last, now - chrono::Duration::seconds(600 - 511));
        s.login_wait_at("throttle-cible", "198.51.100.111", now).expect("store")
    })
    .await;
    assert_eq!(wait, Some(pair_delay(PAIR_FREE_FAILURES + 9) - Duration::from_secs(600 - 511)));
    for password in [WRONG, WRONG, PASSWORD] {
        let r = login("throttle-cible", password, "198.51.100.111").await;
        let (n, unit) = said_wait(&r);
        assert!(unit == "minutes" && (7..=8).contains(&n), "{n} {unit}: 512 s after the last failure");
        assert!(!signed_in(&r));
    }
    // … and the account's owner at B signs in at once.
    let r = login("throttle-cible", PASSWORD, "198.51.100.112").await;
    assert!(signed_in(&r), "{}", r.body);
    // The owner's success does not let the attacker in again.
    assert!(on_store(|s| s.login_wait("throttle-cible", "198.51.100.111").expect("store")).await.is_some());

    // The same with the attacker's failures made through the form.
    account("throttle-cible-2").await;
    let mut refused = None;
    for _ in 0..20 {
        let r = login("throttle-cible-2", WRONG, "198.51.100.113").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let (_, unit) = said_wait(&refused.expect("the attacker is slowed down"));
    assert!(unit.starts_with("seconde"), "the first delays are seconds: {unit}");
    let r = login("throttle-cible-2", PASSWORD, "198.51.100.114").await;
    assert!(signed_in(&r), "{}", r.body);
}

#[tokio::test]
async fn the_wait_of_a_pair_grows_with_its_failures() {
    let mut s = Library::in_memory().expect("store");
    let mut t = chrono::DateTime::parse_from_rfc3339("2026-05-04T08:00:00Z").expect("date").with_timezone(&chrono::Utc);
    let mut waits = Vec::new();
    for n in 0..PAIR_FREE_FAILURES + 14 {
        let wait = s.login_wait_at("x", "198.51.100.1", t).expect("store").unwrap_or_default();
        assert_eq!(wait, pair_delay(n), "after {n} failures");
        if !wait.is_zero() {
            // Too early by a millisecond: refused, and not counted.
            let early = t + chrono::Duration::from_std(wait).expect("wait") - chrono::Duration::milliseconds(1);
            assert_eq!(s.begin_login_at("x", "198.51.100.1", early).expect("store"), Err(Duration::from_millis(1)));
        }
        t += chrono::Duration::from_std(wait).expect("wait");
        s.begin_login_at("x", "198.51.100.1", t).expect("store").expect("let through once the wait is over");
        waits.push(wait);
        // The account's owner elsewhere never waits.
        assert_eq!(s.login_wait_at("X", "192.0.2.77", t).expect("store"), None, "after {n} failures");
    }
    let free = usize::try_from(PAIR_FREE_FAILURES).expect("small");
    assert!(waits[..free].iter().all(Duration::is_zero), "{waits:?}");
    assert_eq!(waits[free], Duration::from_secs(1));
    let cap = Duration::from_secs(PAIR_MAX_DELAY_SECS);
    for w in waits[free..].windows(2) {
        assert!(w[1] > w[0] || w[1] == cap, "growing up to the cap: {waits:?}");
        assert!(w[1] <= cap);
    }
    assert_eq!(waits.last(), Some(&cap), "15 minutes at most: {waits:?}");
    // After the last failure, the next attempt waits the cap.
    assert_eq!(s.login_wait_at("x", "198.51.100.1", t).expect("store"), Some(cap));
}

#[tokio::test]
async fn one_address_has_a_ceiling_across_accounts_much_higher_than_before() {
    // The ceiling, on the store's clock: MAX_FAILURES_IP failures within
    // THROTTLE_MINUTES, released when the oldest leaves the window.
    let mut s = Library::in_memory().expect("store");
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-05-04T08:00:00Z").expect("date").with_timezone(&chrono::Utc);
    let at = |i: i64| t0 + chrono::Duration::seconds(i);
    for i in 0..MAX_FAILURES_IP - 1 {
        s.begin_login_at(&format!("compte{i}"), "203.0.113.1", at(i)).expect("store").expect("under the ceiling");
    }
    assert_eq!(
        s.login_wait_at("autre", "203.0.113.1", at(MAX_FAILURES_IP)).expect("store"),
        None,
        "{} failures are allowed",
        MAX_FAILURES_IP - 1
    );
    s.begin_login_at("dernier", "203.0.113.1", at(MAX_FAILURES_IP)).expect("store").expect("the last one allowed");
    let window = chrono::Duration::minutes(THROTTLE_MINUTES);
    assert_eq!(
        s.login_wait_at("autre", "203.0.113.1", at(MAX_FAILURES_IP)).expect("store"),
        (t0 + window - at(MAX_FAILURES_IP)).to_std().ok()
    );
    assert_eq!(
        s.login_wait_at("autre", "203.0.113.2", at(MAX_FAILURES_IP)).expect("store"),
        None,
        "other addresses go on"
    );
    assert_eq!(
        s.login_wait_at("autre", "203.0.113.1", t0 + window + chrono::Duration::milliseconds(1)).expect("store"),
        None
    );

    // Through the form: far more failures than the old lock-out allowed
    // (20) leave the address its logins …
    account("throttle-plafond").await;
    on_store(|s| {
        for i in 0..MAX_FAILURES_IP - 2 {
            s.begin_login(&format!("plafond-{i}"), "203.0.113.120").expect("store").expect("under the ceiling");
        }
    })
    .await;
    let r = login("throttle-plafond", PASSWORD, "203.0.113.120").await;
    assert!(signed_in(&r), "{}", r.body);
    // … up to the ceiling (a success is not a failure).
    on_store(|s| {
        for i in 0..2 {
            s.begin_login(&format!("plafond-bis-{i}"), "203.0.113.120").expect("store").expect("under the ceiling");
        }
    })
    .await;
    let r = login("throttle-plafond", PASSWORD, "203.0.113.120").await;
    let (n, unit) = said_wait(&r);
    assert!(unit.starts_with("minute") && n <= u64::try_from(THROTTLE_MINUTES).expect("small"), "{n} {unit}");
    assert!(signed_in(&login("throttle-plafond", PASSWORD, "203.0.113.121").await), "another address is not held");
}

#[tokio::test]
async fn x_forwarded_for_is_believed_from_a_trusted_proxy_only() {
    let proxied = fixture().app.clone().with_trusted_proxies(TrustedProxies::parse(&["10.0.0.0/8"]).expect("proxies"));
    for user in ["throttle-xff-a", "throttle-xff-b", "throttle-xff-c", "throttle-xff-d"] {
        account(user).await;
    }
    // Behind the proxy, each client is its own address: one held …
    hold_pair("throttle-xff-a", "198.51.100.131").await;
    let r = login_via(&proxied, "throttle-xff-a", PASSWORD, "10.1.1.1", Some("198.51.100.131")).await;
    assert_eq!(said_wait(&r).1, "minutes", "the forwarded address is the client's");
    // … another one, through the same proxy, not.
    let r = login_via(&proxied, "throttle-xff-a", PASSWORD, "10.1.1.1", Some("198.51.100.132")).await;
    assert!(signed_in(&r), "{}", r.body);
    assert_eq!(audited_ip("throttle-xff-a").await, "198.51.100.132");
    // The right-most address not itself a proxy: what the client put in
    // front is not believed.
    hold_pair("throttle-xff-b", "198.51.100.133").await;
    let r =
        login_via(&proxied, "throttle-xff-b", PASSWORD, "10.1.1.1", Some("198.51.100.99, 198.51.100.133, 10.7.7.7"))
            .await;
    assert_eq!(said_wait(&r).1, "minutes", "a forged left-most address changes nothing");
    // From a peer that is no trusted proxy, the header changes nothing.
    hold_pair("throttle-xff-c", "198.51.100.134").await;
    let r = login_via(&proxied, "throttle-xff-c", PASSWORD, "198.51.100.134", Some("198.51.100.135")).await;
    assert_eq!(said_wait(&r).1, "minutes", "a spoofed header from an untrusted peer is ignored");
    // Nor from anybody when no proxy is trusted (the default).
    hold_pair("throttle-xff-d", "10.2.2.2").await;
    let r = login_via(&fixture().app, "throttle-xff-d", PASSWORD, "10.2.2.2", Some("198.51.100.136")).await;
    assert_eq!(said_wait(&r).1, "minutes", "no trusted proxy by default");
}
