//! The back office (`/admin`): librarians curate the library, admins also
//! manage sources, fiche messages, accounts and read the audit log.
//!
//! Security, in one place ([`guard`], in front of every `/admin` route):
//! - the session cookie (`oc_session`: random 256-bit token, stored hashed,
//!   `HttpOnly`, `SameSite=Strict`, `Secure`, path `/admin`, 8 h at most,
//!   1 h idle) is looked up and the session put in the request;
//! - every POST carries a CSRF token in its form: the session's, or, for
//!   the login form, the one of the `oc_login` cookie (double submit); a
//!   POST whose `Origin` is another site is refused too;
//! - responses are `no-store` and never framed.
//!
//! Handlers ask for [`Librarian`] or [`AdminOnly`]: anonymous visitors are
//! sent to the login page (GET) or refused (403), the wrong role gets 403.
//! Logins are throttled per (account, address) pair with growing delays,
//! under ceilings per address and per account (see
//! `oc_library::accounts`); the address is the TCP peer's, or, behind a
//! trusted reverse proxy (`[server] trusted_proxies`), the one it gives in
//! `X-Forwarded-For` ([`client_ip`]). Every change goes through `oc_library`, which
//! writes its audit entry in the same transaction; changes to documents are
//! indexed before the response, so the public search shows them at once.

pub mod documents;
mod french;
pub mod manage;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use futures_util::future::BoxFuture;
use maud::{html, Markup};

use oc_library::accounts::{Role, Session};
use oc_library::source::Source;
use oc_library::store::Status;
use oc_library::store::{Document, Library, StoreError};
use oc_model::fr;

use crate::error::{WebError, WebResult};
use crate::ui::components::{alert, Level};
use crate::ui::layout;
use crate::AppState;

/// A count of the store (an SQLite integer, never negative) for the
/// helpers of `oc_model::fr`.
pub(crate) fn num(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) const SESSION_COOKIE: &str = "oc_session";
pub(crate) const LOGIN_COOKIE: &str = "oc_login";
/// Largest form accepted (a long summary fits).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// What a source test brought back.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub seen: i64,
    pub error: Option<String>,
    pub rejected: Vec<(String, String)>,
    pub documents: Vec<Document>,
    pub duration_ms: i64,
}

/// Why the process serving the back office refused or failed an
/// operation (the harvester's error, kept whole); its text is French.
pub type OperatorError = Box<dyn std::error::Error + Send + Sync>;

/// What the back office asks of the process serving it. The binary
/// implements it with the harvester and the indexer.
pub trait Operator: Send + Sync + std::fmt::Debug {
    /// Checks a source definition the way the registry checks its
    /// entries; the message says what is wrong.
    fn check_source(&self, source: &Source) -> Result<(), OperatorError>;
    /// Fetches a source without saving anything.
    fn preview_source(&self, source: Source) -> BoxFuture<'static, Result<Preview, OperatorError>>;
    /// Starts a run of a source now (in the background).
    fn run_source(&self, id: String) -> Result<(), OperatorError>;
    /// Sources were added or changed: schedules are made again.
    fn sources_changed(&self);
    /// The store changed: the index should catch up.
    fn library_changed(&self);
}

/// A signed-in user, from the session cookie.
#[derive(Debug)]
pub(crate) struct Auth {
    pub session: Session,
}

impl Auth {
    pub fn name(&self) -> &str {
        &self.session.user.username
    }

    pub fn is_admin(&self) -> bool {
        self.session.user.role == Role::Admin
    }
}

#[derive(Clone)]
struct AuthSlot(Option<Arc<Auth>>);

/// The client's address (login throttling), from [`client_ip`].
#[derive(Clone, Debug)]
pub(crate) struct ClientIp(pub String);

/// The reverse proxies whose `X-Forwarded-For` is believed
/// (`[server] trusted_proxies`: addresses or CIDR blocks). Empty (the
/// default): the header is ignored, the TCP peer is the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Reads `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`…; the message says
    /// which one is wrong.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in items {
            let item = item.as_ref().trim();
            let bad = || {
                format!(
                    "{item:?} is neither an IP address nor a CIDR block (e.g. \"10.0.0.1\", \"10.0.0.0/8\", \
                    \"2001:db8::/32\")"
                )
            };
            let (addr, len) = match item.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (item, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| bad())?;
            let addr = addr.to_canonical();
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len = match len {
                Some(l) => l.parse::<u8>().ok().filter(|l| *l <= max).ok_or_else(bad)?,
                None => max,
            };
            nets.push((addr, len));
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Is `ip` one of the proxies?
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, len)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix_eq(u128::from(u32::from(*n)) << 96, u128::from(u32::from(a)) << 96, *len)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(u128::from(*n), u128::from(a), *len),
            _ => false,
        })
    }
}

/// Do the first `len` bits of `a` and `b` (left-aligned) agree?
fn prefix_eq(a: u128, b: u128, len: u8) -> bool {
    len == 0 || (a ^ b) >> (128 - u32::from(len.min(128))) == 0
}

/// One address of `X-Forwarded-For` (some proxies add the port).
fn forwarded_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip())).map(|ip| ip.to_canonical())
}

/// The client's address: the TCP peer's, unless the peer is a trusted
/// proxy; then the right-most address of `X-Forwarded-For` that is not
/// itself a trusted proxy (what is left of it was written by the client,
/// and is never believed). A header from any other peer changes nothing.
pub(crate) fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> String {
    let Some(mut client) = peer.map(|p| p.to_canonical()) else { return "inconnue".to_owned() };
    if !trusted.contains(client) {
        return client.to_string();
    }
    let hops: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    for hop in hops.iter().rev() {
        // Unreadable: the last proxy that wrote a readable hop is kept.
        let Some(ip) = forwarded_hop(hop) else { break };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client.to_string()
}

/// How long to wait, in French, agreed: seconds under a minute, then
/// minutes, rounded up (`1 seconde`, `30 secondes`, `2 minutes`).
pub(crate) fn wait_text(wait: std::time::Duration) -> String {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    if secs < 60 {
        fr::count(secs, "seconde", "secondes")
    } else {
        fr::count(secs.div_ceil(60), "minute", "minutes")
    }
}

/// The refusal of a throttled login.
fn too_many_attempts(wait: std::time::Duration) -> String {
    format!("Trop de tentatives : réessayez dans {}.", wait_text(wait))
}

/// A librarian or an admin.
pub(crate) struct Librarian(pub Arc<Auth>);
/// An admin only.
pub(crate) struct AdminOnly(pub Arc<Auth>);

fn refuse_anonymous(parts: &Parts) -> Response {
    if parts.method == Method::GET {
        let next = parts.uri.path_and_query().map_or("/admin", |p| p.as_str());
        let to = format!("/admin/connexion?suite={}", crate::format::urlencode(next));
        (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
    } else {
        WebError::Forbidden("Connexion requise : connectez-vous au back-office.".into()).into_response()
    }
}

impl FromRequestParts<AppState> for Librarian {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        match parts.extensions.get::<AuthSlot>().and_then(|s| s.0.clone()) {
            Some(a) => Ok(Librarian(a)),
            None => Err(refuse_anonymous(parts)),
        }
    }
}

impl FromRequestParts<AppState> for AdminOnly {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        match parts.extensions.get::<AuthSlot>().and_then(|s| s.0.clone()) {
            Some(a) if a.is_admin() => Ok(AdminOnly(a)),
            Some(_) => Err(WebError::Forbidden("Cette page est réservée aux administrateurs.".into()).into_response()),
            None => Err(refuse_anonymous(parts)),
        }
    }
}

/// The back-office routes, behind [`guard`].
pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/connexion", get(login_page).post(login))
        .route("/admin/deconnexion", post(logout))
        .route("/admin/documents", get(documents::list))
        .route("/admin/documents/lot", post(documents::bulk))
        .route("/admin/documents/nouveau", get(documents::new_page).post(documents::create))
        .route("/admin/documents/{id}", get(documents::edit_page).post(documents::save))
        .route("/admin/documents/{id}/fusionner", post(documents::merge))
        .route("/admin/documents/{id}/supprimer", post(documents::delete))
        .route("/admin/documents/{id}/restaurer", post(documents::restore))
        .route("/admin/taxonomies", get(manage::taxonomies).post(manage::taxonomy_action))
        .route("/admin/sources", get(manage::sources))
        .route("/admin/sources/nouvelle", get(manage::source_new).post(manage::source_create))
        .route("/admin/sources/{id}", get(manage::source_page).post(manage::source_save))
        .route("/admin/sources/{id}/tester", post(manage::source_test))
        .route("/admin/sources/{id}/lancer", post(manage::source_run))
        .route("/admin/messages", get(manage::messages).post(manage::message_save))
        .route("/admin/messages/{id}/supprimer", post(manage::message_delete))
        .route("/admin/utilisateurs", get(manage::users).post(manage::user_action))
        .route("/admin/journal", get(manage::journal))
        .route_layer(axum::middleware::from_fn_with_state(state, guard))
}

/// A cookie's value.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A `Set-Cookie` value for a back-office cookie.
fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Compares two secrets in constant time.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The host a request was sent to, and the host of its `Origin`.
fn cross_site(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    origin == "null" || !origin_host.eq_ignore_ascii_case(host)
}

fn forbidden(message: &str) -> Response {
    WebError::Forbidden(message.to_owned()).into_response()
}

/// In front of every back-office route: session, CSRF, headers.
async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip(peer, req.headers(), &state.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    let auth = match (cookie(req.headers(), SESSION_COOKIE), state.library.clone()) {
        (Some(token), Some(lib)) => match crate::blocking::spawn(move || lib.lock().session(&token)).await {
            Ok(Ok(s)) => s.map(|session| Arc::new(Auth { session })),
            Ok(Err(e)) => return WebError::from(e).into_response(),
            Err(e) => return WebError::from(e).into_response(),
        },
        _ => None,
    };
    req.extensions_mut().insert(AuthSlot(auth.clone()));
    let login = req.uri().path() == "/admin/connexion";
    // Defence in depth: whatever a handler asks for, no session, no page.
    if auth.is_none() && !login {
        let (parts, _) = req.into_parts();
        return finish(refuse_anonymous(&parts));
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        if !form {
            return finish(
                (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    crate::ui::error_page(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "Seuls les formulaires du back-office sont acceptés (application/x-www-form-urlencoded).",
                    ),
                )
                    .into_response(),
            );
        }
        if cross_site(req.headers()) {
            return finish(forbidden("Requête refusée : elle vient d'un autre site."));
        }
        let (parts, body) = req.into_parts();
        let bytes = match tokio::time::timeout(state.body_timeout, axum::body::to_bytes(body, MAX_FORM_BYTES)).await {
            Ok(Ok(b)) => b,
            Err(_) => {
                let message = "Le formulaire est arrivé trop lentement : la connexion a été coupée. Renvoyez-le.";
                let mut res =
                    (StatusCode::REQUEST_TIMEOUT, crate::ui::error_page(StatusCode::REQUEST_TIMEOUT, message))
                        .into_response();
                res.headers_mut().insert(header::CONNECTION, axum::http::HeaderValue::from_static("close"));
                return finish(res);
            }
            Ok(Err(_)) => {
                return finish(
                    WebError::BadRequest(format!("formulaire trop volumineux (au plus {} Kio)", MAX_FORM_BYTES / 1024))
                        .into_response(),
                )
            }
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let given = pairs.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
        let expected = if parts.uri.path() == "/admin/connexion" {
            cookie(&parts.headers, LOGIN_COOKIE)
        } else {
            auth.as_ref().map(|a| a.session.csrf.clone())
        };
        match expected {
            Some(e) if !given.is_empty() && same_secret(&e, given) => {}
            None if auth.is_none() && parts.uri.path() != "/admin/connexion" => {
                return finish(forbidden(
                    "Connexion requise : votre session a expiré ou vous n'êtes pas connecté. \
                    Reconnectez-vous, puis recommencez.",
                ));
            }
            _ => {
                return finish(forbidden(
                    "Jeton de sécurité (CSRF) absent ou invalide : la page était peut-être trop ancienne. \
                        Rechargez-la, puis recommencez.",
                ))
            }
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    finish(next.run(req).await)
}

fn finish(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    res
}

pub(crate) use crate::publications::library;

/// Runs `f` on the store, off the async runtime.
pub(crate) async fn with_store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Library) -> Result<T, StoreError> + Send + 'static,
) -> WebResult<T> {
    let lib = library(state)?;
    Ok(crate::blocking::spawn(move || f(&mut lib.lock())).await??)
}

/// Runs a change of documents or taxonomies, then brings the publications
/// index up to date before answering (the public search shows the change
/// at once) and reloads the taxonomies.
pub(crate) async fn change<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Library) -> Result<T, StoreError> + Send + 'static,
) -> WebResult<T> {
    let lib = library(state)?;
    let out = crate::blocking::spawn(move || -> WebResult<T> {
        let mut store = lib.lock();
        let out = f(&mut store)?;
        // The index's single writer is shared with the indexer (a mutex);
        // a read-only view (another process writes) leaves it to that one.
        if let Err(e) = oc_index::publications::catch_up(&store, &lib.index) {
            if lib.index.is_read_only() {
                tracing::debug!("index not updated by the back office: {e}");
            } else {
                tracing::error!(
                    "the publications index could not follow a back-office change (the indexer retries): {e}"
                );
            }
        }
        lib.reload_taxonomy(&store);
        Ok(out)
    })
    .await??;
    if let Some(op) = &state.operator {
        op.library_changed();
    }
    Ok(out)
}

/// `303 See Other` to a back-office page.
pub(crate) fn see_other(to: &str) -> Response {
    let to = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/admin"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// One form value.
pub(crate) fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// Every value of a repeated form field, trimmed, without empties.
pub(crate) fn fields(f: &[(String, String)], name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, v) in f.iter().filter(|(k, _)| k == name) {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|x| x == v) {
            out.push(v.to_owned());
        }
    }
    out
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf(auth: &Auth) -> Markup {
    html! { input type="hidden" name="csrf" value=(auth.session.csrf); }
}

/// Fixed success messages, named in redirects (`?fait=…`).
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "enregistre" => "Modifications enregistrées : elles sont déjà visibles dans la recherche publique.",
        "ajoute" => "Document ajouté.",
        "supprime" => "Document supprimé (gardé comme pierre tombale : aucune moisson ne le fera revenir).",
        "restaure" => "Document restauré (non publié : publiez-le quand il est prêt).",
        "fusionne" => "Documents fusionnés : l'adresse du document fusionné redirige vers celui-ci.",
        "lot" => "Modification par lot appliquée.",
        "taxonomie" => "Taxonomie mise à jour.",
        "source" => "Source enregistrée ; ses horaires sont pris en compte.",
        "lancee" => "Moisson lancée : son état s'affiche ci-dessous dès qu'elle est terminée.",
        "message" => "Message enregistré.",
        "message-supprime" => "Message supprimé.",
        "compte" => "Compte enregistré.",
        "enregistre-differe" => "Modifications enregistrées ; la recherche publique sera mise à jour dès que possible.",
        "ajoute-differe" | "supprime-differe" | "restaure-differe" | "fusionne-differe" | "lot-differe"
        | "taxonomie-differe" => "Enregistré ; la recherche publique sera mise à jour dès que possible.",
        _ => return None,
    })
}

/// The entries of the back-office menu; a page names the one it belongs
/// to, which the menu marks with `aria-current="page"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Menu {
    Dashboard,
    Documents,
    Taxonomies,
    Sources,
    Messages,
    Accounts,
    Journal,
}

impl Menu {
    /// Address, label, for admins only.
    fn entry(self) -> (&'static str, &'static str, bool) {
        match self {
            Menu::Dashboard => ("/admin", "Tableau de bord", false),
            Menu::Documents => ("/admin/documents", "Documents", false),
            Menu::Taxonomies => ("/admin/taxonomies", "Taxonomies", false),
            Menu::Sources => ("/admin/sources", "Sources", true),
            Menu::Messages => ("/admin/messages", "Messages de fiche", true),
            Menu::Accounts => ("/admin/utilisateurs", "Comptes", true),
            Menu::Journal => ("/admin/journal", "Journal", true),
        }
    }

    const ALL: [Menu; 7] = [
        Menu::Dashboard,
        Menu::Documents,
        Menu::Taxonomies,
        Menu::Sources,
        Menu::Messages,
        Menu::Accounts,
        Menu::Journal,
    ];
}

/// The back-office frame: navigation (the entry of `menu` marked as the
/// current page), who is signed in, logout.
pub(crate) fn page(menu: Menu, title: &str, auth: &Auth, done: Option<&str>, body: Markup) -> Markup {
    let admin = auth.is_admin();
    layout(
        &format!("{title} — back-office"),
        html! {
            nav class="fr-nav oc-admin-nav fr-mb-3w" role="navigation" aria-label="Back-office" {
                ul class="fr-nav__list" {
                    @for m in Menu::ALL {
                        @let (href, label, admin_only) = m.entry();
                        @if admin || !admin_only {
                            li class="fr-nav__item" {
                                a class="fr-nav__link" href=(href) aria-current=[(m == menu).then_some("page")] { (label) }
                            }
                        }
                    }
                }
            }
            form class="oc-admin-who fr-mb-2w" method="post" action="/admin/deconnexion" {
                (csrf(auth))
                span class="fr-text--sm" { "Connecté : " strong { (auth.name()) } " (" (if admin { "administrateur" } else { "bibliothécaire" }) ") " }
                button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" { "Se déconnecter" }
            }
            @if let Some(m) = done.and_then(done_message) {
                (alert(Level::Success, true, "fr-mb-3w", html! { (m) }))
            }
            h1 class="fr-h2" { (title) }
            (body)
        },
    )
}

/// An error notice inside a form page.
pub(crate) fn error_notice(message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message {
            (alert(Level::Error, true, "fr-mb-3w", html! { (m) }))
        }
    }
}

/// `?fait=` of a request.
pub(crate) fn done_of(q: &Option<String>) -> Option<String> {
    let p = crate::extract::params(q.clone());
    crate::extract::param(&p, "fait").map(str::to_owned)
}

/// Whether the publications index is behind the store (or either cannot
/// be read): what the public search shows is not yet what was saved.
pub fn index_behind(lib: &crate::LibraryView) -> bool {
    let store_rev = lib.lock().rev();
    match (lib.index.indexed_rev(), store_rev) {
        (Ok(i), Ok(s)) => i < s,
        _ => true,
    }
}

/// Codes of changes the public search shows once the index follows.
const INDEXED_CHANGES: [&str; 7] = ["enregistre", "ajoute", "supprime", "restaure", "fusionne", "lot", "taxonomie"];

/// [`done_of`], told the truth: a change the publications index has not
/// followed yet (its writer failed, or another process writes it and is
/// behind) becomes `…-differe`, whose message says the public search will
/// follow as soon as possible instead of claiming it already shows it.
pub(crate) async fn done_checked(state: &AppState, q: &Option<String>) -> Option<String> {
    let code = done_of(q)?;
    if !INDEXED_CHANGES.contains(&code.as_str()) {
        return Some(code);
    }
    let Ok(lib) = library(state) else { return Some(code) };
    let behind = crate::blocking::spawn(move || index_behind(&lib)).await.unwrap_or(true);
    Some(if behind { format!("{code}-differe") } else { code })
}

async fn dashboard(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> WebResult<Response> {
    let since = auth.session.previous_login.clone();
    let (counts, sources) = with_store(&state, move |s| {
        let docs = s.admin_documents()?;
        let count = |st: Status| docs.iter().filter(|d| d.doc.status == st).count();
        let new = since.as_deref().map_or(0, |t| {
            docs.iter().filter(|d| d.doc.status != Status::Deleted && d.doc.first_seen.as_str() > t).count()
        });
        let failing = s.sources()?.into_iter().filter(|x| x.source.enabled && x.last_error.is_some()).count();
        Ok(([count(Status::Published), count(Status::Unpublished), count(Status::Deleted), new], failing))
    })
    .await?;
    Ok(page(
        Menu::Dashboard,
        "Tableau de bord",
        &auth,
        done_of(&q).as_deref(),
        html! {
            div class="fr-grid-row fr-grid-row--gutters" {
                @for (label, n, href) in [
                    ("Publiés", counts[0], "/admin/documents?statut=publie"),
                    ("Non publiés", counts[1], "/admin/documents?statut=non-publie"),
                    ("Supprimés", counts[2], "/admin/documents?statut=supprime"),
                    ("Nouveaux depuis votre dernière visite", counts[3], "/admin/documents?statut=nouveau"),
                ] {
                    div class="fr-col-12 fr-col-md-3" {
                        div class="fr-tile fr-enlarge-link" { div class="fr-tile__body" { div class="fr-tile__content" {
                            h2 class="fr-tile__title" { a href=(href) { (label) " : " (oc_model::fr::count_or_none(n as u64, "document", "documents", false)) } }
                        } } }
                    }
                }
            }
            @if auth.is_admin() && sources > 0 {
                (alert(Level::Warning, true, "fr-mt-3w", html! {
                    a href="/admin/sources" { (fr::count(sources as u64, "source en erreur", "sources en erreur")) }
                    " : voyez leur dernier message."
                }))
            }
            p class="fr-mt-3w" { a class="fr-btn fr-btn--secondary" href="/admin/documents/nouveau" { "Ajouter un document à la main" } }
        },
    )
    .into_response())
}

/// A local back-office path to go back to after login (never another site).
pub(crate) fn safe_next(next: &str) -> &str {
    let plain = next.bytes().all(|b| b.is_ascii_graphic());
    if plain && next.starts_with("/admin") && !next.starts_with("//") && !next.contains('\\') && !next.contains("://") {
        next
    } else {
        "/admin"
    }
}

fn login_form(token: &str, next: &str, username: &str, error: Option<&str>, info: Option<&str>) -> Markup {
    layout(
        "Connexion au back-office",
        html! {
            div class="fr-grid-row fr-grid-row--center" { div class="fr-col-12 fr-col-md-6" {
                h1 class="fr-h2" { "Connexion au back-office" }
                p { "Réservé aux bibliothécaires et administrateurs d'Open Collectivités." }
                (error_notice(error))
                @if let Some(i) = info { (alert(Level::Info, true, "fr-mb-3w", html! { (i) })) }
                form method="post" action="/admin/connexion" {
                    input type="hidden" name="csrf" value=(token);
                    input type="hidden" name="suite" value=(next);
                    div class="fr-input-group" {
                        label class="fr-label" for="username" { "Identifiant" }
                        input class="fr-input" id="username" name="username" autocomplete="username" required value=(username);
                    }
                    div class="fr-input-group" {
                        label class="fr-label" for="password" { "Mot de passe" }
                        input class="fr-input" id="password" name="password" type="password" autocomplete="current-password" required;
                    }
                    button class="fr-btn" type="submit" { "Se connecter" }
                }
            } }
        },
    )
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> WebResult<Response> {
    let p = crate::extract::params(q);
    let next = safe_next(crate::extract::param(&p, "suite").unwrap_or("/admin")).to_owned();
    let existing = cookie(&headers, LOGIN_COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let token = match existing {
        Some(t) => t,
        None => oc_library::accounts::random_token().map_err(WebError::internal)?,
    };
    let notice = crate::extract::param(&p, "sortie").map(|_| "Vous êtes déconnecté.");
    let mut res = login_form(&token, &next, "", None, notice).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(&state, LOGIN_COOKIE, &token, 3600));
    Ok(res)
}

async fn login(
    State(state): State<AppState>,
    axum::Extension(ClientIp(ip)): axum::Extension<ClientIp>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let username = field(&f, "username").trim().to_owned();
    let password = field(&f, "password").to_owned();
    let next = safe_next(field(&f, "suite")).to_owned();
    let token = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    let again =
        |status: StatusCode, m: &str| (status, login_form(&token, &next, &username, Some(m), None)).into_response();
    if username.is_empty() || password.is_empty() {
        return again(StatusCode::BAD_REQUEST, "Saisissez votre identifiant et votre mot de passe.");
    }
    if username.chars().count() > 64 || password.chars().count() > 1024 {
        return again(StatusCode::BAD_REQUEST, "Identifiant ou mot de passe trop long.");
    }
    let Ok(lib) = library(&state) else {
        return again(StatusCode::SERVICE_UNAVAILABLE, "Le back-office n'est pas disponible sur ce serveur.");
    };
    // The throttle first, before any hashing and without waiting for a
    // hashing permit: a refused attempt costs a few indexed reads. A
    // passing attempt is counted as a failure at once, so that parallel
    // attempts cannot all pass.
    let (u, i, l) = (username.clone(), ip.clone(), lib.clone());
    let attempt = match crate::blocking::spawn(move || l.lock().begin_login(&u, &i)).await {
        Ok(Ok(Ok(a))) => a,
        Ok(Ok(Err(wait))) => return again(StatusCode::TOO_MANY_REQUESTS, &too_many_attempts(wait)),
        Ok(Err(e)) => return WebError::from(e).into_response(),
        Err(e) => return WebError::from(e).into_response(),
    };
    // Each password check takes ~19 MiB and a core for a moment: a few at
    // a time, whoever asks.
    static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
    let Ok(_permit) = HASHING.acquire().await else {
        return again(StatusCode::SERVICE_UNAVAILABLE, "Service momentanément indisponible : réessayez.");
    };
    let (u, i) = (username.clone(), ip.clone());
    let outcome = crate::blocking::spawn(
        move || -> Result<Result<(String, Session), Option<std::time::Duration>>, StoreError> {
            // Hashing takes a moment: the store is not held meanwhile.
            let found = lib.lock().password_hash(&u)?;
            let user = match found {
                Some((user, hash)) => oc_library::accounts::verify_password(&password, &hash).then_some(user),
                None => {
                    // As long as for a real account: no telling which exist.
                    oc_library::accounts::verify_password(&password, dummy_hash());
                    None
                }
            };
            let mut store = lib.lock();
            match user {
                Some(user) => {
                    store.login_succeeded(attempt)?;
                    Ok(Ok(store.open_session(&user, &i)?))
                }
                None => {
                    store.login_failed(&u, &i)?;
                    Ok(Err(store.login_wait(&u, &i)?))
                }
            }
        },
    )
    .await;
    match outcome {
        Ok(Ok(Ok((session_token, _)))) => {
            let mut res = see_other(&next);
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, &session_token, oc_library::accounts::SESSION_HOURS * 3600),
            );
            res.headers_mut().append(header::SET_COOKIE, set_cookie(&state, LOGIN_COOKIE, "", 0));
            res
        }
        // The next attempt must wait: say how long at once.
        Ok(Ok(Err(Some(wait)))) => again(
            StatusCode::UNAUTHORIZED,
            &format!("Identifiant ou mot de passe incorrect. {}", too_many_attempts(wait)),
        ),
        Ok(Ok(Err(None))) => again(StatusCode::UNAUTHORIZED, "Identifiant ou mot de passe incorrect."),
        Ok(Err(e)) => WebError::from(e).into_response(),
        Err(e) => WebError::from(e).into_response(),
    }
}

/// A hash to check unknown usernames against.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| oc_library::accounts::hash_password("not a password of anybody").unwrap_or_default())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, Librarian(auth): Librarian) -> WebResult<Response> {
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    let by = auth.name().to_owned();
    with_store(&state, move |s| s.close_session(&token, &by)).await?;
    let mut res = see_other("/admin/connexion?sortie=1");
    res.headers_mut().append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn trusted_proxies_are_addresses_or_blocks() {
        let t = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", " ::1 "]).unwrap();
        for yes in ["10.1.2.3", "192.0.2.7", "2001:db8:1::5", "::1", "::ffff:10.9.9.9"] {
            assert!(t.contains(yes.parse().unwrap()), "{yes}");
        }
        for no in ["11.0.0.1", "192.0.2.8", "2001:db9::1", "::2"] {
            assert!(!t.contains(no.parse().unwrap()), "{no}");
        }
        assert!(TrustedProxies::parse(&["0.0.0.0/0"]).unwrap().contains("203.0.113.1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0/8", "::/129", ""] {
            let e = TrustedProxies::parse(&[bad]).unwrap_err();
            assert!(e.contains("CIDR"), "{bad}: {e}");
        }
        assert!(TrustedProxies::parse::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn the_forwarded_address_is_believed_from_a_trusted_proxy_only() {
        let t = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let none = TrustedProxies::default();
        // Untrusted peer (or no proxy configured): the header is ignored.
        assert_eq!(client_ip(ip("198.51.100.1"), &xff(&["203.0.113.5"]), &t), "198.51.100.1");
        assert_eq!(client_ip(ip("10.0.0.1"), &xff(&["203.0.113.5"]), &none), "10.0.0.1");
        // Trusted: the right-most address not itself a proxy.
        assert_eq!(client_ip(ip("10.0.0.1"), &xff(&["203.0.113.5"]), &t), "203.0.113.5");
        assert_eq!(
            client_ip(ip("10.0.0.1"), &xff(&["1.2.3.4, 203.0.113.5, 10.0.0.9"]), &t),
            "203.0.113.5",
            "what the client wrote is skipped"
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &xff(&["1.2.3.4", "203.0.113.5:4711"]), &t),
            "203.0.113.5",
            "several lines, a port"
        );
        assert_eq!(client_ip(ip("::ffff:10.0.0.1"), &xff(&["[2001:db8::1]:80"]), &t), "2001:db8::1");
        // Nothing usable: the nearest readable hop.
        assert_eq!(client_ip(ip("10.0.0.1"), &HeaderMap::new(), &t), "10.0.0.1");
        assert_eq!(client_ip(ip("10.0.0.1"), &xff(&["203.0.113.5, garbage, 10.0.0.2"]), &t), "10.0.0.2");
        assert_eq!(client_ip(None, &xff(&["203.0.113.5"]), &t), "inconnue");
    }

    #[test]
    fn the_wait_is_said_in_agreed_french() {
        let s = std::time::Duration::from_secs;
        assert_eq!(wait_text(std::time::Duration::from_millis(300)), "1 seconde");
        assert_eq!(wait_text(s(1)), "1 seconde");
        assert_eq!(wait_text(s(30)), "30 secondes");
        assert_eq!(wait_text(std::time::Duration::from_millis(59_500)), "1 minute");
        assert_eq!(wait_text(s(61)), "2 minutes");
        assert_eq!(wait_text(s(900)), "15 minutes");
        assert_eq!(too_many_attempts(s(120)), "Trop de tentatives : réessayez dans 2 minutes.");
    }
}
