//! Fetching sources politely and robustly, for the harvester and the
//! reference-data loaders alike: connect and total timeouts, a
//! size cap (also on decompressed bodies), gzip, a browser-like
//! `User-Agent`/`Accept` (some publishers answer 403 without them),
//! conditional GET (ETag / Last-Modified → 304), retries with exponential
//! backoff on 5xx, 429, timeouts and broken connections, and at most one
//! request at a time per host. Local paths are read too (tests, the demo
//! configuration), under the same size cap. [`Fetcher::get`] gives a body
//! in memory; [`Fetcher::download`] copies a large file to disk chunk by
//! chunk, with the same retries and cap.
//!
//! Server-side request forgery: unless its [`AddressPolicy`] says
//! otherwise, the fetcher connects to public addresses only. The check is
//! made on the addresses actually connected to: every name is resolved by
//! a resolver that refuses any answer holding a non-public address (so a
//! name cannot point at 127.0.0.1 or the cloud metadata service), and
//! every redirect target is checked too (IP literals, `localhost`…); the
//! one rule is [`is_public_ip`]. Only an address *written* local or
//! private in the source's URL (the operator's registry, tests) is trusted
//! as written: the back office refuses such addresses
//! (`oc_harvest::sources::checked`).

pub mod address;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

pub use address::is_public_ip;

/// How long a `HEAD` request for a file's size may take.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Which addresses a fetch may connect to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AddressPolicy {
    /// Public addresses only, whatever the URL says: a local path, a
    /// non-public IP literal or a local name (`localhost`…) is refused
    /// before any request, names must resolve to public addresses only,
    /// and so must every redirect target. For the sources of the back
    /// office.
    Public,
    /// The default: a URL whose host is *written* as a local or private
    /// address (`http://127.0.0.1:8080/`, `http://localhost/`, a local
    /// path) is trusted as written, since only the operator's registry or
    /// a test can hold one (the back office refuses them); its redirects
    /// may stay on that same host. Everything else is checked as for
    /// [`AddressPolicy::Public`]: a name that looks public must resolve
    /// to public addresses only, a redirect must lead to a public one.
    #[default]
    AsWritten,
    /// No check at all (the fetcher as it was; tests that serve
    /// public-looking names from loopback).
    Any,
}

/// Limits and manners of the fetcher.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// For a whole request, body included.
    pub timeout: Duration,
    /// For each wait for data, when set (large downloads, whose whole
    /// transfer may take longer than `timeout` would allow).
    pub read_timeout: Option<Duration>,
    /// Largest body accepted, after decompression.
    pub max_bytes: u64,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First pause between attempts (doubled each time).
    pub backoff: Duration,
    pub user_agent: String,
    /// Which addresses may be reached ([`Fetcher::get`]).
    pub addresses: AddressPolicy,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(60),
            read_timeout: None,
            max_bytes: 20 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_secs(2),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 OpenCollectivites/0.1"
                .into(),
            addresses: AddressPolicy::default(),
        }
    }
}

/// Validators from an earlier response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: nothing new since the validators.
    NotModified,
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        validators: Validators,
    },
}

/// Why a fetch failed, in words for the source's status.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{url} : {message}")]
pub struct FetchError {
    pub url: String,
    pub message: String,
}

/// The fetcher: one per process, shared by every source.
#[derive(Debug)]
pub struct Fetcher {
    /// Resolves through [`GuardedResolver`], checks every redirect, no
    /// proxy (a proxy would resolve names out of our sight).
    guarded: reqwest::Client,
    /// No check ([`AddressPolicy::Any`]).
    open: reqwest::Client,
    config: FetchConfig,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// How one attempt ended.
enum Attempt<T> {
    Done(T),
    Retry(String),
    Fail(String),
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        Fetcher::build(config, None)
    }

    /// A fetcher whose names are resolved by `resolver` instead of the
    /// system's (tests); the address checks apply to its answers alike.
    pub fn with_resolver(config: FetchConfig, resolver: Arc<dyn Resolve>) -> Result<Fetcher, FetchError> {
        Fetcher::build(config, Some(resolver))
    }

    fn build(config: FetchConfig, resolver: Option<Arc<dyn Resolve>>) -> Result<Fetcher, FetchError> {
        // reqwest is built without a default TLS provider: use ring's.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.9,text/html;q=0.8,*/*;q=0.7"),
        );
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR,fr;q=0.9,en;q=0.5"));
        let builder = || {
            let b = reqwest::Client::builder()
                .user_agent(config.user_agent.clone())
                .default_headers(headers.clone())
                .connect_timeout(config.connect_timeout)
                .timeout(config.timeout)
                .tls_backend_rustls();
            match config.read_timeout {
                Some(t) => b.read_timeout(t),
                None => b,
            }
        };
        let fail = |e: reqwest::Error| FetchError { url: "(client HTTP)".into(), message: e.to_string() };
        let guarded = builder()
            .redirect(guarded_redirects())
            .dns_resolver(GuardedResolver { inner: resolver.clone() })
            .no_proxy()
            .build()
            .map_err(fail)?;
        let open = match resolver {
            Some(r) => builder().dns_resolver(r),
            None => builder(),
        };
        let open = open.redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS)).build().map_err(fail)?;
        Ok(Fetcher { guarded, open, config, hosts: Mutex::new(HashMap::new()) })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches `location` (an `http(s)` URL or a local path), reaching
    /// the addresses the configuration's policy allows.
    pub async fn get(&self, location: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        self.get_with(location, validators, self.config.addresses).await
    }

    /// Fetches `location` under `policy` ([`AddressPolicy::Public`] for the
    /// sources of the back office).
    pub async fn get_with(
        &self,
        location: &str,
        validators: &Validators,
        policy: AddressPolicy,
    ) -> Result<Fetched, FetchError> {
        let err = |message: String| FetchError { url: location.to_owned(), message };
        if !is_http(location) {
            if policy == AddressPolicy::Public {
                return Err(err(NOT_HTTP.into()));
            }
            return self.read_file(location).await.map_err(err);
        }
        let (client, host) = self.client_for(location, policy).map_err(err)?;
        self.with_retries(location, &host, || self.attempt(client, location, validators)).await.map_err(err)
    }

    /// The size the server announces for `location` (`Content-Length` of
    /// a `HEAD` request asking for no compression: one try of at most
    /// [`HEAD_TIMEOUT`], under `policy`, one request at a time per host);
    /// `None` when it says nothing, refuses or fails.
    pub async fn announced_size(&self, location: &str, policy: AddressPolicy) -> Option<u64> {
        if !is_http(location) {
            return None;
        }
        let (client, host) = self.client_for(location, policy).ok()?;
        let lock = {
            let mut hosts = self.hosts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            hosts.entry(host).or_default().clone()
        };
        let _turn = lock.lock().await;
        let resp = client
            .head(location)
            .header(reqwest::header::ACCEPT_ENCODING, "identity")
            .timeout(HEAD_TIMEOUT)
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|n| *n > 0)
    }

    /// Copies `location` (an `http(s)` URL or a local path) into the file
    /// `dest`, chunk by chunk (a national file is never held in memory),
    /// under the configuration's policy, size cap and retries; returns the
    /// number of bytes. A failed or truncated transfer leaves no file
    /// behind.
    pub async fn download(&self, location: &str, dest: &Path) -> Result<u64, FetchError> {
        let err = |message: String| FetchError { url: location.to_owned(), message };
        let result = if is_http(location) {
            match self.client_for(location, self.config.addresses) {
                Ok((client, host)) => {
                    self.with_retries(location, &host, || self.attempt_download(client, location, dest)).await
                }
                Err(m) => Err(m),
            }
        } else if self.config.addresses == AddressPolicy::Public {
            Err(NOT_HTTP.into())
        } else {
            self.copy_file(location, dest).await
        };
        if result.is_err() {
            let _ = tokio::fs::remove_file(dest).await;
        }
        result.map_err(err)
    }

    /// The client `policy` calls for, and the host of `location`.
    fn client_for(&self, location: &str, policy: AddressPolicy) -> Result<(&reqwest::Client, String), String> {
        let url = url::Url::parse(location).map_err(|e| format!("URL invalide : {e}"))?;
        let client = match policy {
            AddressPolicy::Public => match address::url_refusal(&url) {
                Some(m) => return Err(m),
                None => &self.guarded,
            },
            AddressPolicy::AsWritten => &self.guarded,
            AddressPolicy::Any => &self.open,
        };
        Ok((client, url.host_str().unwrap_or("").to_owned()))
    }

    /// Runs `attempt` until it is done, fails for good, or has been
    /// retried [`FetchConfig::retries`] times with a doubling pause; one
    /// request at a time per host, retries included.
    async fn with_retries<T, F, Fut>(&self, location: &str, host: &str, mut attempt: F) -> Result<T, String>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Attempt<T>>,
    {
        let lock = {
            let mut hosts = self.hosts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            hosts.entry(host.to_owned()).or_default().clone()
        };
        let _turn = lock.lock().await;
        let mut pause = self.config.backoff;
        let mut tries = 0;
        loop {
            match attempt().await {
                Attempt::Done(f) => return Ok(f),
                Attempt::Fail(m) => return Err(m),
                Attempt::Retry(m) if tries >= self.config.retries => {
                    return Err(format!("{m} (après {} tentatives)", tries + 1));
                }
                Attempt::Retry(m) => {
                    tracing::info!(url = location, "{m}; nouvelle tentative dans {pause:?}");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(60));
                    tries += 1;
                }
            }
        }
    }

    /// Sends the request and judges its status: a response whose body is
    /// to be read, or how the attempt ended.
    async fn send(
        &self,
        client: &reqwest::Client,
        url: &str,
        validators: &Validators,
    ) -> Result<reqwest::Response, Attempt<Fetched>> {
        let mut req = client.get(url);
        if let Some(e) = &validators.etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(l) = &validators.last_modified {
            req = req.header(IF_MODIFIED_SINCE, l);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            // Refused by the address checks: no retry.
            Err(e) if refusal(&e).is_some() => return Err(Attempt::Fail(refusal(&e).unwrap_or_default())),
            Err(e) if e.is_timeout() => return Err(Attempt::Retry("délai dépassé".into())),
            Err(e) if e.is_connect() => {
                return Err(Attempt::Retry(format!("connexion impossible ({})", root_cause(&e))))
            }
            Err(e) => return Err(Attempt::Retry(format!("échec de la requête ({})", root_cause(&e)))),
        };
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Err(Attempt::Done(Fetched::NotModified));
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(Attempt::Retry(format!("le serveur répond {status}")));
        }
        if !status.is_success() {
            let hint = if status == reqwest::StatusCode::FORBIDDEN { " (accès refusé par le serveur)" } else { "" };
            return Err(Attempt::Fail(format!("le serveur répond {status}{hint}")));
        }
        let max = self.config.max_bytes;
        if let Some(n) = resp.content_length().filter(|&n| n > max) {
            return Err(Attempt::Fail(format!("réponse trop volumineuse ({n} octets annoncés, au plus {max})")));
        }
        Ok(resp)
    }

    /// One attempt of [`Fetcher::download`]: the file is written anew.
    async fn attempt_download(&self, client: &reqwest::Client, url: &str, dest: &Path) -> Attempt<u64> {
        use tokio::io::AsyncWriteExt;
        let mut resp = match self.send(client, url, &Validators::default()).await {
            Ok(r) => r,
            Err(Attempt::Done(_)) => return Attempt::Fail("réponse 304 inattendue".into()),
            Err(Attempt::Retry(m)) => return Attempt::Retry(m),
            Err(Attempt::Fail(m)) => return Attempt::Fail(m),
        };
        let write_err = |e: std::io::Error| Attempt::Fail(format!("écriture impossible de {} : {e}", dest.display()));
        let mut file = match tokio::fs::File::create(dest).await {
            Ok(f) => f,
            Err(e) => return write_err(e),
        };
        let (max, expected) = (self.config.max_bytes, resp.content_length());
        let mut written = 0u64;
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    written += c.len() as u64;
                    if written > max {
                        return Attempt::Fail(format!("réponse trop volumineuse (plus de {max} octets)"));
                    }
                    if let Err(e) = file.write_all(&c).await {
                        return write_err(e);
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Attempt::Retry("délai dépassé pendant la lecture de la réponse".into())
                }
                Err(e) => return Attempt::Retry(format!("réponse tronquée ({})", root_cause(&e))),
            }
        }
        if let Err(e) = file.flush().await {
            return write_err(e);
        }
        match expected {
            Some(n) if n != written => Attempt::Retry(format!("réponse tronquée ({written} octets sur {n})")),
            _ => Attempt::Done(written),
        }
    }

    async fn attempt(&self, client: &reqwest::Client, url: &str, validators: &Validators) -> Attempt<Fetched> {
        let mut resp = match self.send(client, url, validators).await {
            Ok(r) => r,
            Err(end) => return end,
        };
        let max = self.config.max_bytes;
        let header = |h: &HeaderMap, name| h.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let validators =
            Validators { etag: header(resp.headers(), ETAG), last_modified: header(resp.headers(), LAST_MODIFIED) };
        let content_type = header(resp.headers(), reqwest::header::CONTENT_TYPE);
        let mut bytes = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if bytes.len() as u64 + c.len() as u64 > max {
                        return Attempt::Fail(format!("réponse trop volumineuse (plus de {max} octets)"));
                    }
                    bytes.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Attempt::Retry("délai dépassé pendant la lecture de la réponse".into())
                }
                Err(e) => return Attempt::Retry(format!("réponse tronquée ({})", root_cause(&e))),
            }
        }
        Attempt::Done(Fetched::Body { bytes, content_type, validators })
    }

    /// A local file, refused when larger than the size cap.
    async fn check_size(&self, path: &str) -> Result<(), String> {
        let meta = tokio::fs::metadata(path).await.map_err(|e| format!("lecture impossible : {e}"))?;
        if meta.len() > self.config.max_bytes {
            return Err(format!("fichier trop volumineux ({} octets, au plus {})", meta.len(), self.config.max_bytes));
        }
        Ok(())
    }

    async fn copy_file(&self, path: &str, dest: &Path) -> Result<u64, String> {
        self.check_size(path).await?;
        tokio::fs::copy(path, dest).await.map_err(|e| format!("copie impossible : {e}"))
    }

    async fn read_file(&self, path: &str) -> Result<Fetched, String> {
        self.check_size(path).await?;
        let bytes = tokio::fs::read(path).await.map_err(|e| format!("lecture impossible : {e}"))?;
        Ok(Fetched::Body { bytes, content_type: None, validators: Validators::default() })
    }
}

fn is_http(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

const NOT_HTTP: &str = "adresse refusée : seules les adresses http(s) d'autres serveurs sont acceptées (ni fichier \
    local, ni adresse locale ou privée)";

/// A connection refused by the address checks (the message in French).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

/// The refusal behind a request error, if any.
fn refusal(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(c) = cur {
        if let Some(r) = c.downcast_ref::<Refused>() {
            return Some(r.0.clone());
        }
        cur = c.source();
    }
    None
}

/// Resolves names (with the system resolver, or the one given) and refuses
/// any answer holding a non-public address; the connection is then made
/// to the addresses checked, never to a second answer. Local names
/// (`localhost`…) are let through: they can only come from a URL trusted
/// as written, since [`guarded_redirects`] and [`AddressPolicy::Public`]
/// refuse them otherwise. IP literals are never resolved: their text is
/// checked before the request or the redirect.
struct GuardedResolver {
    inner: Option<Arc<dyn Resolve>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let inner = self.inner.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = match inner {
                Some(r) => r.resolve(name).await?.collect(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            if !address::is_local_name(&host) {
                if let Some(bad) = addrs.iter().find(|a| !is_public_ip(a.ip())) {
                    let m = format!(
                        "adresse refusée : ce nom ({host}) désigne une adresse locale ou privée ({})",
                        address::describe(bad.ip())
                    );
                    return Err(Box::new(Refused(m)) as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Follows at most [`MAX_REDIRECTS`] redirects, each to a public address
/// by its text (names are checked by [`GuardedResolver`] when connected
/// to), or to the very host of a first URL trusted as written.
fn guarded_redirects() -> reqwest::redirect::Policy {
    let limited = reqwest::redirect::Policy::limited(MAX_REDIRECTS);
    reqwest::redirect::Policy::custom(move |attempt| {
        let target = attempt.url();
        let same_trusted_host = attempt.previous().first().is_some_and(|first| {
            address::url_refusal(first).is_some()
                && first.host_str() == target.host_str()
                && first.port_or_known_default() == target.port_or_known_default()
        });
        if !same_trusted_host {
            if let Some(m) = address::url_refusal(target) {
                let m = format!(
                    "adresse refusée : redirection vers {target} ({})",
                    m.replacen("adresse refusée : ", "", 1)
                );
                return attempt.error(Refused(m));
            }
        }
        limited.redirect(attempt)
    })
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
