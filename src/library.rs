//! Wiring of the Bibliothèque: the store and index paths, the harvester,
//! the first-start seed, the indexer that keeps the publications index
//! caught up with the store, and the scheduler.
//!
//! Ownership: the harvester writes the store through one connection; the
//! web server reads it through its own; the indexer (inside `serve`, or
//! the `ingest`/`reindex` commands when no server runs) owns the index's
//! single writer and follows the store by revision.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use oc_harvest::http::{FetchConfig, Fetcher};
use oc_harvest::run::{Harvester, Report, RunOptions};
use oc_harvest::sources::{Source, SourceKind};
use oc_index::publications::{catch_up, PublicationsIndex};
use oc_library::store::Library;
use oc_model::{KindGroup, TerritoryKey};
use oc_store::Geo;

use crate::Config;

/// The library store inside the data directory.
pub fn store_path(data: &Path) -> PathBuf {
    data.join("library.sqlite")
}

/// The publications index inside the data directory.
pub fn index_dir(data: &Path) -> PathBuf {
    data.join("publications")
}

/// How territories expand for the publications index: a commune to its
/// EPCI, département and région; an EPCI to the départements and régions
/// of its communes; a département to its région.
pub fn area_fn(geo: Arc<Geo>) -> oc_index::publications::AreaFn {
    Arc::new(move |code: &str| {
        let mut out = Vec::new();
        let key = |group, code: &str| TerritoryKey::new(group, code).to_string();
        let Ok(k) = code.parse::<TerritoryKey>() else { return out };
        match k.group() {
            KindGroup::Commune => {
                if let Some(c) = geo.commune(k.code()) {
                    if let Some(e) = &c.epci {
                        out.push(key(KindGroup::Epci, e));
                    }
                    out.push(key(KindGroup::Departement, &c.departement));
                    out.push(key(KindGroup::Region, &c.region));
                }
            }
            KindGroup::Departement => {
                if let Some(d) = geo.departement(k.code()) {
                    out.push(key(KindGroup::Region, &d.region));
                }
            }
            KindGroup::Epci => {
                if let Some(e) = geo.epci(k.code()) {
                    for c in e.membres.iter().filter_map(|m| geo.commune(m)) {
                        for a in [key(KindGroup::Departement, &c.departement), key(KindGroup::Region, &c.region)] {
                            if !out.contains(&a) {
                                out.push(a);
                            }
                        }
                    }
                }
            }
            KindGroup::Region => {}
        }
        out
    })
}

/// Checks the library store before anything opens it: `Ok(true)` for a
/// fresh install (no store file yet: the seed catalogue may fill it),
/// `Ok(false)` for a store that opens. A 0-byte or unreadable store is no
/// fresh install: it is refused with what to do, and nothing is seeded or
/// rebuilt from it. Blocking.
pub fn check_store(data: &Path) -> anyhow::Result<bool> {
    let path = store_path(data);
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => anyhow::bail!("cannot read the library store {}: {e}", path.display()),
        Ok(m) if m.len() == 0 => anyhow::bail!(
            "the library store {} is empty (0 bytes): this is not a fresh install, and nothing is seeded or re-indexed from it. \
             Restore the file from a backup; or, to start again from the seed catalogue (documents, curation and accounts are then lost), delete it",
            path.display()
        ),
        Ok(_) => {}
    }
    Library::open(&path).map(drop).with_context(|| {
        format!(
            "the library store {} cannot be read (damaged, or not a library store). Restore it from a backup; \
             or, to start again from the seed catalogue (documents, curation and accounts are then lost), delete it",
            path.display()
        )
    })?;
    Ok(false)
}

/// Opens the publications index's writer, with territory expansion.
pub fn open_index_writer(data: &Path, geo: Arc<Geo>) -> anyhow::Result<PublicationsIndex> {
    let index = PublicationsIndex::open(&index_dir(data))?;
    index.set_areas(area_fn(geo));
    Ok(index)
}

/// The fetcher's limits from the configuration.
pub fn fetch_config(config: &Config) -> FetchConfig {
    let f = &config.library.fetch;
    FetchConfig {
        connect_timeout: Duration::from_secs(f.connect_timeout_secs),
        timeout: Duration::from_secs(f.timeout_secs),
        max_bytes: f.max_mb.saturating_mul(1024 * 1024),
        retries: f.retries,
        backoff: Duration::from_millis(f.backoff_ms),
        ..FetchConfig::default()
    }
}

/// The harvester and the registry's sources.
#[derive(Debug, Clone)]
pub struct Harvest {
    pub harvester: Arc<Harvester>,
    pub sources: Vec<Source>,
}

/// Opens the store (running its migrations), reads the registry and
/// declares its sources in the store. Blocking.
pub fn open_harvest(config: &Config, geo: &Geo) -> anyhow::Result<Harvest> {
    let sources = oc_harvest::sources::load(&config.library.sources)?;
    std::fs::create_dir_all(&config.data.dir)
        .with_context(|| format!("cannot create {}", config.data.dir.display()))?;
    let path = store_path(&config.data.dir);
    let mut store =
        Library::open(&path).with_context(|| format!("cannot open the library store {}", path.display()))?;
    store.sync_sources(&sources.iter().map(Source::row).collect::<Vec<_>>())?;
    // The registry's sources, and those added or edited in the back office.
    let sources = store_sources(&store, false)?;
    let fetcher = Fetcher::new(fetch_config(config))?;
    let detector = Arc::new(oc_harvest::detect::Detector::new(geo));
    Ok(Harvest { harvester: Arc::new(Harvester::new(fetcher, Arc::new(Mutex::new(store)), detector)), sources })
}

/// Every source the store knows (the registry's, and those managed in the
/// back office), in id order; a definition that no longer reads is
/// skipped with a warning, and so is a back-office source whose address
/// is local or private (saved before that check existed) unless
/// `allow_local` (tests).
pub fn store_sources(store: &Library, allow_local: bool) -> anyhow::Result<Vec<Source>> {
    let mut out = Vec::new();
    for s in store.sources()? {
        match oc_harvest::sources::from_row(&s.source) {
            Ok(src) => {
                if s.source.managed && !allow_local {
                    if let Some(m) = oc_harvest::sources::address_refusal(&src.url) {
                        tracing::warn!("back-office source {:?} not run: {m}", src.id);
                        continue;
                    }
                }
                out.push(Source { enabled: s.source.enabled, ..src });
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
    Ok(out)
}

/// What the back office asks of `serve`: source checks, previews and runs,
/// schedules made again, the indexer woken.
pub struct Operations {
    pub harvester: Arc<Harvester>,
    pub wake: Arc<tokio::sync::Notify>,
    /// The scheduler (none when `[library] schedule = false`).
    pub scheduler: Arc<tokio::sync::Mutex<Option<tokio_cron_scheduler::JobScheduler>>>,
    pub schedule: bool,
    /// Sources of the back office may be local files and local addresses
    /// (tests only: in production the back office reaches other hosts only).
    pub allow_local: bool,
}

impl std::fmt::Debug for Operations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operations").field("schedule", &self.schedule).finish_non_exhaustive()
    }
}

impl Operations {
    /// Starts the scheduler on the store's sources (replacing a running
    /// one); returns the number of jobs.
    pub async fn reschedule(&self) -> anyhow::Result<usize> {
        if !self.schedule {
            return Ok(0);
        }
        let store = self.harvester.store().clone();
        let allow_local = self.allow_local;
        let sources = tokio::task::spawn_blocking(move || {
            store_sources(&store.lock().unwrap_or_else(std::sync::PoisonError::into_inner), allow_local)
        })
        .await??;
        let mut slot = self.scheduler.lock().await;
        if let Some(mut old) = slot.take() {
            if let Err(e) = old.shutdown().await {
                tracing::warn!("scheduler: {e}");
            }
        }
        let w = self.wake.clone();
        let (sched, jobs) =
            oc_harvest::schedule::start(self.harvester.clone(), &sources, Arc::new(move || w.notify_one()))
                .await
                .context("cannot start the scheduler")?;
        *slot = Some(sched);
        Ok(jobs)
    }
}

use oc_web::admin::OperatorError;

impl oc_web::admin::Operator for Operations {
    fn check_source(&self, source: &Source) -> Result<(), OperatorError> {
        Ok(oc_harvest::sources::checked(source.clone(), self.allow_local).map(|_| ())?)
    }

    fn preview_source(
        &self,
        source: Source,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<oc_web::admin::Preview, OperatorError>> + Send>>
    {
        let (h, allow_local) = (self.harvester.clone(), self.allow_local);
        Box::pin(async move {
            let s = oc_harvest::sources::checked(source, allow_local)?;
            let (report, documents) = h.preview(&s).await?;
            Ok(oc_web::admin::Preview {
                seen: report.counts.seen,
                error: report.error,
                rejected: report.rejected,
                documents,
                duration_ms: report.duration_ms,
            })
        })
    }

    fn run_source(&self, id: String) -> Result<(), OperatorError> {
        let (h, wake, allow_local) = (self.harvester.clone(), self.wake.clone(), self.allow_local);
        tokio::spawn(async move {
            let store = h.store().clone();
            let found = tokio::task::spawn_blocking(move || {
                store_sources(&store.lock().unwrap_or_else(std::sync::PoisonError::into_inner), allow_local)
            })
            .await;
            let Some(source) = found.ok().and_then(Result::ok).and_then(|all| all.into_iter().find(|s| s.id == id))
            else {
                tracing::warn!("run now: no source {id:?}");
                return;
            };
            let report = h.run(&source, &RunOptions::default()).await;
            if !report.skipped {
                wake.notify_one();
            }
        });
        Ok(())
    }

    fn sources_changed(&self) {
        let me = Operations {
            harvester: self.harvester.clone(),
            wake: self.wake.clone(),
            scheduler: self.scheduler.clone(),
            schedule: self.schedule,
            allow_local: self.allow_local,
        };
        tokio::spawn(async move {
            match me.reschedule().await {
                Ok(n) => tracing::info!("sources changed: {n} sources scheduled"),
                Err(e) => tracing::error!("sources changed: {e:#}"),
            }
        });
    }

    fn library_changed(&self) {
        self.wake.notify_one();
    }
}

/// On first start (an empty store), loads the embedded catalogue sources.
pub async fn seed_if_empty(h: &Harvest) -> anyhow::Result<Vec<Report>> {
    let store = h.harvester.store().clone();
    let empty =
        tokio::task::spawn_blocking(move || store.lock().unwrap_or_else(std::sync::PoisonError::into_inner).count())
            .await??
            == 0;
    if !empty {
        return Ok(Vec::new());
    }
    let seeds: Vec<Source> = h
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Csv && s.url == oc_harvest::catalogue::EMBEDDED_LOCATION && s.enabled)
        .cloned()
        .collect();
    Ok(h.harvester.run_all(&seeds, &RunOptions::default()).await)
}

/// What `serve` does once its store and publications index are open, and
/// what the tests' fixtures do the same way: on a fresh install (`fresh`,
/// from [`check_store`]) with `[library] seed`, loads the embedded
/// catalogue; then brings `index` up to the store's revision. Returns the
/// number of changes indexed.
pub async fn seed_and_index(
    config: &Config,
    harvest: &Harvest,
    fresh: bool,
    index: Arc<PublicationsIndex>,
) -> anyhow::Result<usize> {
    // Seeded only on a fresh install: an existing store, even empty of
    // documents, is the librarians' and stays as it is.
    if config.library.seed && fresh {
        for r in seed_if_empty(harvest).await? {
            tracing::info!(
                "library seeded from {}: {} documents ({} rejected)",
                r.source,
                r.counts.new,
                r.counts.rejected
            );
        }
    }
    let store_path = store_path(&config.data.dir);
    tokio::task::spawn_blocking(move || sync_index(&mut Library::open(&store_path)?, &index)).await?
}

/// Brings `index` up to date with the store at `store`: a pending
/// `reindex` request first, then every change after the index's revision.
/// Blocking.
pub fn sync_index(store: &mut Library, index: &PublicationsIndex) -> anyhow::Result<usize> {
    let (requested, done) = store.reindex_state()?;
    let mut n = 0;
    if requested > done {
        let count = index.rebuild(store)?;
        tracing::info!("publications index rebuilt: {count} documents");
        n += usize::try_from(count).unwrap_or(usize::MAX);
    }
    n += catch_up(store, index)?;
    if requested > done {
        store.reindex_done(requested)?;
    }
    Ok(n)
}

/// The pause before the indexer's next attempt after `failures`
/// consecutive failures: 2 s, 4 s, 8 s… up to one minute.
pub fn retry_pause(failures: u32) -> Duration {
    Duration::from_secs((1u64 << failures.min(6)).min(60))
}

/// The indexer of `serve`: catches the index up every two seconds, or at
/// once when `wake` is notified (after a scheduled run). Runs on the
/// blocking pool.
pub fn spawn_indexer(
    store: PathBuf,
    index: Arc<PublicationsIndex>,
    wake: Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // The indexer's own connection.
        let conn: Arc<Mutex<Option<Library>>> = Arc::default();
        // Consecutive failures: the pause doubles from 2 s up to a minute,
        // and the index writer is recreated on the next attempt.
        let mut failures: u32 = 0;
        loop {
            let (s, i, c) = (store.clone(), index.clone(), conn.clone());
            let r = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let mut guard = c.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if guard.is_none() {
                    *guard = Some(Library::open(&s)?);
                }
                match guard.as_mut() {
                    Some(lib) => sync_index(lib, &i),
                    None => Ok(0),
                }
            })
            .await;
            let failed = match r {
                Ok(Ok(0)) => false,
                Ok(Ok(n)) => {
                    tracing::info!("publications index: {n} changes applied");
                    false
                }
                Ok(Err(e)) => {
                    // The connection may be the broken part: opened again next time.
                    *conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                    tracing::error!("publications index: {e:#} (attempt {}; retrying)", failures + 1);
                    true
                }
                Err(e) => {
                    tracing::error!("publications index: {e}");
                    true
                }
            };
            if failed {
                failures = failures.saturating_add(1);
                if failures == 1 {
                    // A failure is retried at once; repeated ones wait.
                    continue;
                }
                tokio::time::sleep(retry_pause(failures)).await;
                continue;
            }
            if failures > 0 {
                tracing::info!("publications index: caught up again after {failures} failed attempts");
                failures = 0;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    })
}
