//! The Open Collectivités web server: axum routes and maud pages.
//!
//! A guided tour:
//! - [`App`] holds what the server reads (reference data, territory index,
//!   library); handlers receive it as [`AppState`] (`Arc<App>`).
//! - [`router`] builds the whole `Router` by merging each feature's
//!   `routes()`; tests call it directly and send requests with
//!   `tower::ServiceExt::oneshot`.
//! - [`error::WebError`] is the one error type of the handlers, rendered as
//!   an HTML page or, under `/api/`, as JSON.
//!
//! Features (each exposes `routes()` and depends only on shared modules):
//! - [`pages`]: the home page, `/recherche` and `/sources`; [`about`]: the
//!   accessibility statement, legal notices, personal data and site map;
//! - [`api`]: `/api/v1/search` and `/api/v1/sources`; [`openapi`] its
//!   description, as JSON and as the `/api` page; [`health`]: `/healthz`;
//! - [`fiche_pages`]: the fiches of every level, their JSON twins, list
//!   exports, the sitemap and robots.txt; [`compare`]: up to four fiches
//!   side by side and their exports;
//! - [`library`]: the Bibliothèque's public pages, API, exports and feed;
//! - [`admin`]: the back office; [`assets`]: the embedded DSFR files and
//!   our script.
//!
//! Shared modules, leaves last:
//! - [`publications`]: what every page reads of the library (queries and
//!   their links, result items, the fiche sections);
//! - [`export`]: fiches as CSV and JSON, streamed or made whole;
//!   [`fiche`]: what a fiche is and how it looks; [`map`]: SVG maps;
//! - [`ui`]: the page frame (skip links, DSFR header with the main
//!   navigation, footer) and components; [`search`]: the territory
//!   search request; [`streaming`]: pulled bodies; [`cache`]: ETag and
//!   gzip; [`error`];
//! - [`extract`]: query strings; [`format`](mod@format): French numbers and URL
//!   encoding, dates in Paris time; [`blocking`]: the counted blocking pool. Text made safe for
//!   XML is `oc_model::markup::escape`.
//!
//! This crate never depends on ingestion: it reads the store and the index.
//! Index searches block, so they run on tokio's blocking pool.

pub mod about;
pub mod admin;
pub mod api;
pub mod assets;
pub mod blocking;
pub mod cache;
pub mod chart;
pub mod compare;
pub mod error;
pub mod export;
pub mod extract;
pub mod fiche;
pub mod fiche_pages;
pub mod format;
pub mod health;
pub mod library;
pub mod map;
pub mod openapi;
pub mod pages;
pub mod publications;
pub mod rankings;
pub mod search;
pub mod streaming;
pub mod ui;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;

use oc_index::TerritoryIndex;
use oc_store::Geo;

/// Everything the handlers read.
#[derive(Debug, Clone)]
pub struct App {
    /// The reference data and what is derived from it, replaced as a whole
    /// when a scheduled `load` brings new data ([`App::reference_slot`]).
    reference: ReferenceSlot,
    /// Public address of the portal (`https://…`, no trailing slash), for
    /// the sitemap and robots.txt.
    pub public_url: String,
    /// The Bibliothèque: the store (read, and written by the back office)
    /// and the publications index.
    pub library: Option<Arc<LibraryView>>,
    /// What the back office asks of the process that serves it (source
    /// tests and runs, the indexer): given by the binary, which owns the
    /// harvester; this crate never depends on ingestion.
    pub operator: Option<Arc<dyn admin::Operator>>,
    /// Back-office cookies carry `Secure` (off only for plain-HTTP tests).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` gives the client's address
    /// (none by default: the TCP peer is the client).
    pub trusted_proxies: admin::TrustedProxies,
    /// Exports streaming at once (`[server] max_exports`).
    pub exports: streaming::ExportLimit,
    /// Time a client has to send a whole request body (the back-office
    /// forms), however it trickles (`[server] body_timeout_secs`).
    pub body_timeout: std::time::Duration,
    /// What `/healthz` checks against, and remembers ([`App::with_health`]).
    pub health: health::Health,
    /// The operator's details the legal pages give.
    pub site: Site,
}

/// What the legal pages say of the operator of this server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// The hosting provider: name, address, telephone.
    pub host: Option<String>,
    /// Where users write (an e-mail address or a web address).
    pub contact: Option<String>,
    /// How long the back office's journal is kept ("un an").
    pub journal_retention: Option<String>,
}

/// One version of the reference data, with what is derived from it: a
/// request reads one version from start to end.
#[derive(Debug)]
pub struct Reference {
    pub geo: Arc<Geo>,
    pub territories: Arc<TerritoryIndex>,
    /// Base maps drawn once (départements, régions).
    pub maps: Arc<map::MapCache>,
    /// The sitemap, built on first request.
    pub sitemap: std::sync::OnceLock<String>,
    /// The codes of every current commune, for `/communes.csv|json`: shared
    /// by every export stream instead of copied into each.
    pub commune_codes: std::sync::OnceLock<Arc<[String]>>,
    /// Short list exports, made on first request.
    pub small_exports: export::SmallExports,
    /// When this version started serving on this server (`/sources`).
    pub serving_since: chrono::DateTime<chrono::Utc>,
}

/// Makes what the fiches derive from a version of the reference data
/// once (ranks, reference values: [`fiche::context::tables`]): the server
/// calls it at start and before a refreshed version serves, off the
/// request path.
pub fn prepare(geo: &Geo) {
    fiche::context::tables(geo);
    // The borders between communes, for the fiches' neighbours.
    geo.neighbours("");
}

/// Where the current [`Reference`] is kept; the binary keeps a clone to
/// replace it after a refresh.
#[derive(Debug, Clone)]
pub struct ReferenceSlot(Arc<std::sync::RwLock<Arc<Reference>>>);

impl Reference {
    /// A version whose maps and sitemap are drawn on first request.
    fn new(geo: Arc<Geo>, territories: Arc<TerritoryIndex>) -> Arc<Reference> {
        Arc::new(Reference {
            geo,
            territories,
            maps: Arc::default(),
            sitemap: Default::default(),
            commune_codes: Default::default(),
            small_exports: Default::default(),
            serving_since: chrono::Utc::now(),
        })
    }
}

impl ReferenceSlot {
    fn new(geo: Arc<Geo>, territories: Arc<TerritoryIndex>) -> ReferenceSlot {
        ReferenceSlot(Arc::new(std::sync::RwLock::new(Reference::new(geo, territories))))
    }

    /// The current version.
    pub fn current(&self) -> Arc<Reference> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Puts a new version in place: requests already running finish on the
    /// old one, the next ones read the new one.
    pub fn replace(&self, geo: Arc<Geo>, territories: Arc<TerritoryIndex>) {
        let old = std::mem::replace(
            &mut *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner),
            Reference::new(geo, territories),
        );
        // Freed (when no request holds it any more) after the lock is let go.
        drop(old);
    }
}

/// What the web server reads of the library. The store connection is the
/// web's own (SQLite WAL: reading never waits for the harvester's writes).
pub struct LibraryView {
    pub store: std::sync::Mutex<oc_library::store::Library>,
    pub index: Arc<oc_index::PublicationsIndex>,
    /// The taxonomies as the librarians keep them (reloaded after each
    /// change in the back office).
    pub taxonomy: std::sync::RwLock<Arc<Taxonomy>>,
}

impl LibraryView {
    pub fn new(store: oc_library::store::Library, index: Arc<oc_index::PublicationsIndex>) -> LibraryView {
        let taxonomy = Taxonomy::load(&store).unwrap_or_else(|e| {
            tracing::error!("cannot read the taxonomies: {e}");
            Taxonomy::default()
        });
        let view = LibraryView {
            store: std::sync::Mutex::new(store),
            index,
            taxonomy: std::sync::RwLock::new(Arc::new(taxonomy)),
        };
        view.reload_synonyms(&view.lock());
        view
    }

    /// Gives the search the acronyms and expansions of `store` (blocking).
    pub fn reload_synonyms(&self, store: &oc_library::store::Library) {
        match store.synonyms() {
            Ok(list) => {
                let rows: Vec<(String, Vec<String>)> = list.into_iter().map(|s| (s.acronym, s.expansions)).collect();
                self.index.set_synonyms(&rows);
            }
            Err(e) => tracing::error!("cannot read the synonyms: {e}"),
        }
    }

    /// The store, whoever panicked while holding it before.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, oc_library::store::Library> {
        self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.taxonomy.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Reads the taxonomies again from `store` (blocking).
    pub fn reload_taxonomy(&self, store: &oc_library::store::Library) {
        match Taxonomy::load(store) {
            Ok(t) => *self.taxonomy.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(t),
            Err(e) => tracing::error!("cannot read the taxonomies: {e}"),
        }
        self.reload_synonyms(store);
    }
}

/// The library's taxonomies: the terms offered (in the librarians' order,
/// retired ones left out) and every known name (links with a retired term
/// keep working).
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub offered: std::collections::HashMap<oc_library::curation::TermKind, Vec<String>>,
    pub known: std::collections::HashMap<oc_library::curation::TermKind, Vec<String>>,
    /// Renamed names → current names (old links keep working).
    pub aliases: std::collections::HashMap<(oc_library::curation::TermKind, String), String>,
}

impl Default for Taxonomy {
    /// The original portal's terms.
    fn default() -> Taxonomy {
        use oc_library::curation::TermKind;
        use oc_library::taxonomy::{RESOURCE_TYPES, SCOPES, THEMES};
        let mut offered = std::collections::HashMap::new();
        for (k, v) in [
            (TermKind::Theme, &THEMES[..]),
            (TermKind::Scope, &SCOPES[..]),
            (TermKind::ResourceType, &RESOURCE_TYPES[..]),
        ] {
            offered.insert(k, v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        }
        Taxonomy { known: offered.clone(), offered, aliases: Default::default() }
    }
}

impl Taxonomy {
    pub fn load(store: &oc_library::store::Library) -> Result<Taxonomy, oc_library::store::StoreError> {
        use oc_library::curation::TermKind;
        let mut t = Taxonomy { offered: Default::default(), known: Default::default(), aliases: Default::default() };
        for k in [TermKind::Theme, TermKind::Scope, TermKind::ResourceType] {
            t.offered.insert(k, store.term_names(k, false)?);
            t.known.insert(k, store.term_names(k, true)?);
        }
        for (k, old, new) in store.term_aliases()? {
            t.aliases.insert((k, old), new);
        }
        Ok(t)
    }

    pub fn offered(&self, k: oc_library::curation::TermKind) -> &[String] {
        self.offered.get(&k).map_or(&[], Vec::as_slice)
    }

    pub fn known(&self, k: oc_library::curation::TermKind) -> &[String] {
        self.known.get(&k).map_or(&[], Vec::as_slice)
    }
}

impl std::fmt::Debug for LibraryView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryView").field("index", &self.index).finish_non_exhaustive()
    }
}

/// Default of [`App::body_timeout`], in seconds.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 20;

impl App {
    pub fn new(geo: Arc<Geo>, territories: Arc<TerritoryIndex>) -> App {
        App {
            reference: ReferenceSlot::new(geo, territories),
            public_url: "http://127.0.0.1:8080".into(),
            library: None,
            operator: None,
            secure_cookies: true,
            trusted_proxies: admin::TrustedProxies::default(),
            exports: streaming::ExportLimit::default(),
            body_timeout: std::time::Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            health: health::Health::default(),
            site: Site::default(),
        }
    }

    /// The operator's details for the legal pages.
    pub fn with_site(mut self, site: Site) -> App {
        self.site = site;
        self
    }

    /// The current reference data.
    pub fn reference(&self) -> Arc<Reference> {
        self.reference.current()
    }

    /// The current reference data's geography.
    pub fn geo(&self) -> Arc<Geo> {
        self.reference.current().geo.clone()
    }

    /// The current territory index.
    pub fn territories(&self) -> Arc<TerritoryIndex> {
        self.reference.current().territories.clone()
    }

    /// A handle to replace the reference data while serving.
    pub fn reference_slot(&self) -> ReferenceSlot {
        self.reference.clone()
    }

    /// Adds the library.
    pub fn with_library(mut self, library: LibraryView) -> App {
        self.library = Some(Arc::new(library));
        self
    }

    /// Adds what the back office asks of the serving process.
    pub fn with_operator(mut self, operator: Arc<dyn admin::Operator>) -> App {
        self.operator = Some(operator);
        self
    }

    /// Sets whether back-office cookies carry `Secure`.
    pub fn with_secure_cookies(mut self, secure: bool) -> App {
        self.secure_cookies = secure;
        self
    }

    /// Sets the reverse proxies whose `X-Forwarded-For` is believed.
    pub fn with_trusted_proxies(mut self, proxies: admin::TrustedProxies) -> App {
        self.trusted_proxies = proxies;
        self
    }

    /// Sets the time a client has to send a whole request body.
    pub fn with_body_timeout(mut self, timeout: std::time::Duration) -> App {
        self.body_timeout = timeout;
        self
    }

    /// How many exports may stream at once.
    pub fn with_max_exports(mut self, max: usize) -> App {
        self.exports = streaming::ExportLimit::new(max);
        self
    }

    /// Sets the public address used in the sitemap and robots.txt.
    pub fn with_public_url(mut self, url: &str) -> App {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
    }
}

/// The typed state of every handler.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// Builds the router of the whole portal.
pub fn router(app: App) -> Router {
    let state = AppState(Arc::new(app));
    Router::new()
        .merge(pages::routes())
        .merge(about::routes())
        .merge(api::routes())
        .merge(openapi::routes())
        .merge(health::routes())
        .merge(library::routes())
        .merge(fiche_pages::routes())
        .merge(compare::routes())
        .merge(rankings::routes())
        .merge(assets::routes())
        .merge(admin::routes(state.clone()))
        .fallback(error::fallback)
        .layer(axum::middleware::from_fn(cache::layer))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ),
    );
    res
}
