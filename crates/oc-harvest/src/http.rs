//! Fetching sources politely and robustly: connect and total timeouts, a
//! size cap (also on decompressed bodies), gzip, a browser-like
//! `User-Agent`/`Accept` (some publishers answer 403 without them),
//! conditional GET (ETag / Last-Modified → 304), retries with exponential
//! backoff on 5xx, 429, timeouts and broken connections, and at most one
//! request at a time per host. Local paths are read too (tests, the demo
//! configuration), under the same size cap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

/// Limits and manners of the fetcher.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// For a whole request, body included.
    pub timeout: Duration,
    /// Largest body accepted, after decompression.
    pub max_bytes: u64,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First pause between attempts (doubled each time).
    pub backoff: Duration,
    pub user_agent: String,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(60),
            max_bytes: 20 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_secs(2),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 OpenCollectivites/0.1".into(),
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
    Body { bytes: Vec<u8>, content_type: Option<String>, validators: Validators },
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
    client: reqwest::Client,
    config: FetchConfig,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

enum Attempt {
    Done(Fetched),
    Retry(String),
    Fail(String),
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        // reqwest is built without a default TLS provider: use ring's.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.9,text/html;q=0.8,*/*;q=0.7"),
        );
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR,fr;q=0.9,en;q=0.5"));
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .tls_backend_rustls()
            .build()
            .map_err(|e| FetchError { url: "(client HTTP)".into(), message: e.to_string() })?;
        Ok(Fetcher { client, config, hosts: Mutex::new(HashMap::new()) })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches `location` (an `http(s)` URL or a local path).
    pub async fn get(&self, location: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let err = |message: String| FetchError { url: location.to_owned(), message };
        if !(location.starts_with("http://") || location.starts_with("https://")) {
            return self.read_file(location).await.map_err(err);
        }
        let host = url::Url::parse(location).map_err(|e| err(format!("URL invalide : {e}")))?.host_str().unwrap_or("").to_owned();
        let lock = {
            let mut hosts = self.hosts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            hosts.entry(host).or_default().clone()
        };
        // One request at a time per host, retries included.
        let _turn = lock.lock().await;
        let mut pause = self.config.backoff;
        let mut attempt = 0;
        loop {
            match self.attempt(location, validators).await {
                Attempt::Done(f) => return Ok(f),
                Attempt::Fail(m) => return Err(err(m)),
                Attempt::Retry(m) if attempt >= self.config.retries => {
                    return Err(err(format!("{m} (après {} tentatives)", attempt + 1)));
                }
                Attempt::Retry(m) => {
                    tracing::info!(url = location, "{m}; nouvelle tentative dans {pause:?}");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(60));
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(&self, url: &str, validators: &Validators) -> Attempt {
        let mut req = self.client.get(url);
        if let Some(e) = &validators.etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(l) = &validators.last_modified {
            req = req.header(IF_MODIFIED_SINCE, l);
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Attempt::Retry("délai dépassé".into()),
            Err(e) if e.is_connect() => return Attempt::Retry(format!("connexion impossible ({})", root_cause(&e))),
            Err(e) => return Attempt::Retry(format!("échec de la requête ({})", root_cause(&e))),
        };
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Attempt::Done(Fetched::NotModified);
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Retry(format!("le serveur répond {status}"));
        }
        if !status.is_success() {
            let hint = if status == reqwest::StatusCode::FORBIDDEN { " (accès refusé par le serveur)" } else { "" };
            return Attempt::Fail(format!("le serveur répond {status}{hint}"));
        }
        let max = self.config.max_bytes;
        if resp.content_length().is_some_and(|n| n > max) {
            return Attempt::Fail(format!("réponse trop volumineuse ({} octets annoncés, au plus {max})", resp.content_length().unwrap_or(0)));
        }
        let header = |h: &HeaderMap, name| h.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let validators = Validators { etag: header(resp.headers(), ETAG), last_modified: header(resp.headers(), LAST_MODIFIED) };
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
                Err(e) if e.is_timeout() => return Attempt::Retry("délai dépassé pendant la lecture de la réponse".into()),
                Err(e) => return Attempt::Retry(format!("réponse tronquée ({})", root_cause(&e))),
            }
        }
        Attempt::Done(Fetched::Body { bytes, content_type, validators })
    }

    async fn read_file(&self, path: &str) -> Result<Fetched, String> {
        let meta = tokio::fs::metadata(path).await.map_err(|e| format!("lecture impossible : {e}"))?;
        if meta.len() > self.config.max_bytes {
            return Err(format!("fichier trop volumineux ({} octets, au plus {})", meta.len(), self.config.max_bytes));
        }
        let bytes = tokio::fs::read(path).await.map_err(|e| format!("lecture impossible : {e}"))?;
        Ok(Fetched::Body { bytes, content_type: None, validators: Validators::default() })
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
