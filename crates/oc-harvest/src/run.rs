//! One run of a source: fetch (page by page), read, clean, classify, store.
//!
//! Every page is stored in one transaction before the next is fetched, so
//! a run stopped at any point (even by SIGKILL) keeps what it stored and
//! loses nothing else. Items that cannot be used are rejected one by one,
//! with their reason (logged, counted, kept in the store); one failing
//! source never stops the others; a source never runs twice at once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;

use oc_library::canonical::canonical_url;
use oc_library::store::{Change, Harvested, Library, RunCounts};
use oc_library::Precision;

use crate::detect::Detector;
use crate::http::{Fetched, Fetcher, Validators};
use crate::sanitize::{clean_html, clean_line, text_of_clean};
use crate::sources::{Source, SourceKind};
use crate::{catalogue, feed, ods, sru};

/// SRU records asked per page.
pub const SRU_PAGE: u64 = 50;
/// SRU records per run when the source does not say.
pub const SRU_DEFAULT_MAX: u64 = 1000;
/// Subjects kept per document.
const MAX_SUBJECTS: usize = 30;
/// File sizes asked (`HEAD`) per page of a source.
pub const MAX_SIZE_REQUESTS: usize = 100;

/// Where a run is.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Progress {
    pub source: String,
    pub pages: u64,
    pub seen: i64,
    /// Items announced by the source, when it says.
    pub total: Option<u64>,
}

/// Called after each page of a run.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a run is done.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Only items published on or after this day; HTTP validators are
    /// ignored so that the whole source is read again.
    pub since: Option<NaiveDate>,
    pub progress: Option<ProgressFn>,
    /// Paged sources: stop after this many pages (previews).
    pub max_pages: Option<u64>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions").field("since", &self.since).finish_non_exhaustive()
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub source: String,
    pub counts: RunCounts,
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
    /// Rejected items of this run (item, reason).
    pub rejected: Vec<(String, String)>,
    pub duration_ms: i64,
    /// Not run: the source was already running.
    pub skipped: bool,
}

/// An item as read, before cleaning.
#[derive(Debug, Default)]
struct Draft {
    /// Where it was found, for messages.
    item: String,
    url: String,
    title: String,
    summary_html: String,
    publisher: Option<String>,
    published: Option<(String, Precision)>,
    subjects: Vec<String>,
    resource_type: Option<String>,
    themes: Vec<String>,
    scope: Vec<String>,
    territories: Vec<String>,
    image: Option<String>,
    licence: Option<String>,
}

/// The harvester: one per process.
pub struct Harvester {
    fetcher: Arc<Fetcher>,
    store: Arc<Mutex<Library>>,
    /// Replaced when the reference data is refreshed ([`Harvester::set_detector`]).
    detector: std::sync::RwLock<Arc<Detector>>,
    running: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Harvester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Harvester")
    }
}

/// Removes a source from the running set however its run ends (panic,
/// cancelled future).
struct Running<'a> {
    set: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.set.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.id);
    }
}

/// State of one run.
struct Run<'a> {
    source: &'a Source,
    opts: &'a RunOptions,
    report: Report,
    seen_urls: HashSet<String>,
    progress: Progress,
}

fn lock(store: &Mutex<Library>) -> std::sync::MutexGuard<'_, Library> {
    store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Harvester {
    pub fn new(fetcher: Fetcher, store: Arc<Mutex<Library>>, detector: Arc<Detector>) -> Harvester {
        Harvester {
            fetcher: Arc::new(fetcher),
            store,
            detector: std::sync::RwLock::new(detector),
            running: Mutex::new(HashSet::new()),
        }
    }

    /// The territory detector in use.
    fn detector(&self) -> Arc<Detector> {
        self.detector.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Detects territories with new reference data from now on.
    pub fn set_detector(&self, detector: Arc<Detector>) {
        *self.detector.write().unwrap_or_else(std::sync::PoisonError::into_inner) = detector;
    }

    pub fn store(&self) -> &Arc<Mutex<Library>> {
        &self.store
    }

    /// What a run of `source` would bring, saving nothing: the run goes to
    /// a throw-away in-memory store (SRU: 50 records at most; OpenDataSoft:
    /// its first page). Returns the report and the documents read.
    pub async fn preview(&self, source: &Source) -> crate::Result<(Report, Vec<oc_library::store::Document>)> {
        let scratch = Library::in_memory()?;
        let h = Harvester {
            fetcher: self.fetcher.clone(),
            store: Arc::new(Mutex::new(scratch)),
            detector: std::sync::RwLock::new(self.detector()),
            running: Mutex::new(HashSet::new()),
        };
        let mut s = source.clone();
        if s.kind == SourceKind::Sru {
            s.max_records = Some(s.max_records.unwrap_or(SRU_PAGE).min(SRU_PAGE));
        }
        let report = h.run(&s, &RunOptions { max_pages: Some(1), ..RunOptions::default() }).await;
        let store = h.store.clone();
        let docs = tokio::task::spawn_blocking(move || lock(&store).published()).await??;
        Ok((report, docs))
    }

    /// Runs every source given, one after the other; a failure is reported
    /// and the next source runs.
    pub async fn run_all(&self, sources: &[Source], opts: &RunOptions) -> Vec<Report> {
        let mut out = Vec::new();
        for s in sources {
            out.push(self.run(s, opts).await);
        }
        out
    }

    /// Runs one source, and records its status.
    pub async fn run(&self, source: &Source, opts: &RunOptions) -> Report {
        {
            let mut running = self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !running.insert(source.id.clone()) {
                tracing::info!(source = source.id, "already running, this run is skipped");
                return Report { source: source.id.clone(), skipped: true, ..Report::default() };
            }
        }
        let _running = Running { set: &self.running, id: source.id.clone() };
        let started = Instant::now();
        let id = source.id.clone();
        let store = self.store.clone();
        let _ = tokio::task::spawn_blocking(move || lock(&store).run_started(&id)).await;
        let mut run = Run {
            source,
            opts,
            report: Report { source: source.id.clone(), ..Report::default() },
            seen_urls: HashSet::new(),
            progress: Progress { source: source.id.clone(), ..Progress::default() },
        };
        let result = match source.kind {
            SourceKind::Feed => self.run_feed(&mut run).await,
            SourceKind::Sru => self.run_sru(&mut run).await,
            SourceKind::Ods => self.run_ods(&mut run).await,
            SourceKind::Csv => self.run_csv(&mut run).await,
        };
        let mut report = run.report;
        report.error = result.err().map(|e| e.to_string());
        report.duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match &report.error {
            Some(e) => tracing::warn!(source = source.id, "run failed: {e}"),
            None => tracing::info!(source = source.id, ?report.counts, "run done"),
        }
        let store = self.store.clone();
        let (id, counts, error, ms) =
            (source.id.clone(), report.counts.clone(), report.error.clone(), report.duration_ms);
        match tokio::task::spawn_blocking(move || lock(&store).run_finished(&id, &counts, error.as_deref(), ms)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(source = source.id, "cannot record the run: {e}"),
            Err(e) => tracing::error!(source = source.id, "cannot record the run: {e}"),
        }
        report
    }

    async fn fetch(&self, run: &Run<'_>, url: &str) -> crate::Result<Fetched> {
        // Paged sources (SRU, OpenDataSoft) are read whole: a 304 on their
        // first page would hide the changes of the others.
        let paged = matches!(run.source.kind, SourceKind::Sru | SourceKind::Ods);
        let validators = if run.opts.since.is_some() || paged {
            Validators::default()
        } else {
            let store = self.store.clone();
            let u = url.to_owned();
            tokio::task::spawn_blocking(move || lock(&store).validators(&u))
                .await?
                .map(|(etag, last_modified)| Validators { etag, last_modified })
                .unwrap_or_default()
        };
        Ok(self.fetcher.get(url, &validators).await?)
    }

    /// The sizes of the files that the drafts of a source on the web link
    /// to, as their servers announce them (`HEAD`), for the files never
    /// asked yet, at most [`MAX_SIZE_REQUESTS`] a page; 0 for a file
    /// asked whose server said nothing (it is not asked again). A link to
    /// another host than the source's must be a public address, whatever
    /// the configuration trusts. A host failing three times in a row is
    /// not asked again in this page.
    async fn file_sizes(&self, run: &Run<'_>, drafts: &[Draft]) -> crate::Result<HashMap<String, u64>> {
        let mut out = HashMap::new();
        let Ok(source) = url::Url::parse(&run.source.url) else { return Ok(out) };
        if !run.source.url.starts_with("http") {
            return Ok(out);
        }
        let since = run.opts.since.map(|d| d.format("%Y-%m-%d").to_string());
        let mut urls: Vec<String> = Vec::new();
        for d in drafts {
            if let (Some(since), Some((date, _))) = (&since, &d.published) {
                if date.as_str() < since.get(..date.len()).unwrap_or("") {
                    continue;
                }
            }
            if let Ok(u) = canonical_url(&d.url) {
                if oc_model::file::format_of(&u).is_some() && !urls.contains(&u) {
                    urls.push(u);
                }
            }
        }
        if urls.is_empty() {
            return Ok(out);
        }
        let store = self.store.clone();
        let asked = urls.clone();
        let known = tokio::task::spawn_blocking(move || lock(&store).sized(&asked)).await??;
        let mut failures: HashMap<String, usize> = HashMap::new();
        for u in urls.into_iter().filter(|u| !known.contains(u)).take(MAX_SIZE_REQUESTS) {
            let Ok(link) = url::Url::parse(&u) else { continue };
            let host = link.host_str().unwrap_or("").to_owned();
            if failures.get(&host).is_some_and(|n| *n >= 3) {
                continue;
            }
            let same_host =
                link.host_str() == source.host_str() && link.port_or_known_default() == source.port_or_known_default();
            let policy = if same_host { self.fetcher.config().addresses } else { crate::http::AddressPolicy::Public };
            match self.fetcher.announced_size(&u, policy).await {
                Some(n) => {
                    failures.remove(&host);
                    out.insert(u, n);
                }
                None => {
                    *failures.entry(host).or_default() += 1;
                    out.insert(u, 0);
                }
            }
        }
        Ok(out)
    }

    /// Cleans, classifies and stores one page of drafts (on a blocking
    /// thread: sanitising and detection cost CPU); then remembers the
    /// page's validators, unless the run reads with `--since`.
    async fn store_page(
        &self,
        run: &mut Run<'_>,
        drafts: Vec<Draft>,
        page_url: Option<(String, Validators)>,
    ) -> crate::Result<()> {
        let sizes = self.file_sizes(run, &drafts).await?;
        let store = self.store.clone();
        let detector = self.detector();
        let source = run.source.clone();
        let since = run.opts.since.map(|d| d.format("%Y-%m-%d").to_string());
        let page_url = page_url.filter(|_| since.is_none());
        let mut seen_urls = std::mem::take(&mut run.seen_urls);
        let n = drafts.len() as i64;
        let (changes, rejected, seen_urls) = tokio::task::spawn_blocking(move || -> crate::Result<_> {
            let mut docs = Vec::new();
            let mut rejected = Vec::new();
            for d in drafts {
                if let (Some(since), Some((date, _))) = (&since, &d.published) {
                    if date.as_str() < since.get(..date.len()).unwrap_or("") {
                        continue;
                    }
                }
                match finish(&detector, &source, d) {
                    Ok(mut h) => {
                        h.size = sizes.get(&h.url).copied();
                        if seen_urls.insert(h.url.clone()) {
                            docs.push(h);
                        } else {
                            rejected.push((
                                h.url.clone(),
                                "doublon : même URL canonique qu'une entrée précédente".to_owned(),
                            ));
                        }
                    }
                    Err(r) => rejected.push(r),
                }
            }
            for (item, reason) in &rejected {
                tracing::info!(source = source.id, item, "rejected: {reason}");
            }
            let mut lib = lock(&store);
            let changes = lib.upsert_batch(&docs, &source.id)?;
            lib.reject(&source.id, &rejected)?;
            if let Some((url, v)) = page_url {
                lib.set_validators(&url, v.etag.as_deref(), v.last_modified.as_deref())?;
            }
            Ok((changes, rejected, seen_urls))
        })
        .await??;
        run.seen_urls = seen_urls;
        run.report.counts.seen += n;
        for (_, c) in changes {
            match c {
                Change::New => run.report.counts.new += 1,
                Change::Updated => run.report.counts.updated += 1,
                Change::Unchanged => {}
            }
        }
        run.report.counts.rejected += rejected.len() as i64;
        run.report.rejected.extend(rejected);
        run.progress.pages += 1;
        run.progress.seen = run.report.counts.seen;
        if let Some(p) = &run.opts.progress {
            p(&run.progress);
        }
        Ok(())
    }
}

/// A draft made ready for the store, or the reason it is rejected.
fn finish(detector: &Detector, source: &Source, d: Draft) -> Result<Harvested, (String, String)> {
    {
        let url = canonical_url(&d.url).map_err(|m| (d.item.clone(), m))?;
        let title = clean_line(&d.title);
        if title.is_empty() {
            return Err((format!("{} ({url})", d.item), "sans titre".into()));
        }
        let summary_html = clean_html(&d.summary_html, Some(&url));
        let summary_text = text_of_clean(&summary_html);
        let defaults = &source.defaults;
        let mut territories: Vec<String> =
            if d.territories.is_empty() { defaults.territories.clone() } else { d.territories };
        for f in detector.detect(&format!("{title}. {summary_text}")) {
            if !territories.contains(&f.code) {
                territories.push(f.code);
            }
        }
        let mut subjects: Vec<String> = Vec::new();
        for s in d.subjects.iter().take(4 * MAX_SUBJECTS).map(|s| clean_line(s)).filter(|s| !s.is_empty()) {
            if !subjects.contains(&s) && subjects.len() < MAX_SUBJECTS {
                subjects.push(s);
            }
        }
        Ok(Harvested {
            url,
            title,
            summary_html,
            summary_text,
            publisher: d
                .publisher
                .map(|p| clean_line(&p))
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| source.publisher_label().to_owned()),
            published: d.published.as_ref().map(|p| p.0.clone()),
            precision: d.published.as_ref().map(|p| p.1.as_str().to_owned()),
            resource_type: d
                .resource_type
                .or_else(|| defaults.resource_type.clone())
                .unwrap_or_else(|| "Publication statistique".into()),
            themes: if d.themes.is_empty() { defaults.themes.clone() } else { d.themes },
            scope: if d.scope.is_empty() { defaults.scope.clone() } else { d.scope },
            territories,
            subjects,
            image: d.image.and_then(|i| canonical_url(&i).ok()),
            licence: d.licence.map(|l| clean_line(&l)).filter(|l| !l.is_empty()),
            size: None,
        })
    }
}

impl Harvester {
    async fn run_feed(&self, run: &mut Run<'_>) -> crate::Result<()> {
        let url = run.source.url.clone();
        let (bytes, content_type, validators) = match self.fetch(run, &url).await? {
            Fetched::NotModified => return Ok(()),
            Fetched::Body { bytes, content_type, validators } => (bytes, content_type, validators),
        };
        let parsed = tokio::task::spawn_blocking(move || feed::parse(&bytes, content_type.as_deref(), &url)).await??;
        let rejected: Vec<(String, String)> = parsed.skipped.into_iter().map(|m| (run.source.url.clone(), m)).collect();
        let drafts = parsed
            .items
            .into_iter()
            .enumerate()
            .map(|(i, it)| Draft {
                item: format!("entrée {}", i + 1),
                url: it.url,
                title: it.title,
                summary_html: it.summary_html,
                published: it.published,
                subjects: it.categories,
                image: it.image,
                licence: it.rights,
                ..Draft::default()
            })
            .collect();
        self.reject_early(run, rejected).await?;
        let page = if run.source.url.starts_with("http") { Some((run.source.url.clone(), validators)) } else { None };
        self.store_page(run, drafts, page).await
    }

    /// Records items rejected while reading (before cleaning).
    async fn reject_early(&self, run: &mut Run<'_>, rejected: Vec<(String, String)>) -> crate::Result<()> {
        if rejected.is_empty() {
            return Ok(());
        }
        for (item, reason) in &rejected {
            tracing::info!(source = run.source.id, item, "rejected: {reason}");
        }
        run.report.counts.seen += rejected.len() as i64;
        run.report.counts.rejected += rejected.len() as i64;
        run.report.rejected.extend(rejected.iter().cloned());
        let store = self.store.clone();
        let id = run.source.id.clone();
        Ok(tokio::task::spawn_blocking(move || lock(&store).reject(&id, &rejected)).await??)
    }

    async fn run_sru(&self, run: &mut Run<'_>) -> crate::Result<()> {
        let query = run.source.query.clone().unwrap_or_default();
        let max = run.source.max_records.unwrap_or(SRU_DEFAULT_MAX);
        let mut start = 1;
        let mut read = 0;
        loop {
            let url = if run.source.url.starts_with("http") {
                sru::page_url(&run.source.url, &query, start, SRU_PAGE)
            } else {
                run.source.url.clone()
            };
            let (bytes, content_type, validators) = match self.fetch(run, &url).await? {
                Fetched::NotModified => return Ok(()),
                Fetched::Body { bytes, content_type, validators } => (bytes, content_type, validators),
            };
            let what = url.clone();
            let page = tokio::task::spawn_blocking(move || {
                sru::parse(&crate::charset::decode(&bytes, content_type.as_deref()), &what)
            })
            .await??;
            run.progress.total = Some(page.number_of_records.min(max));
            let n = page.records.len() as u64;
            let mut rejected = Vec::new();
            let mut drafts = Vec::new();
            for (i, r) in page.records.into_iter().enumerate() {
                let item = format!("notice {}", start + i as u64);
                let Some(link) = r.url().map(str::to_owned) else {
                    rejected.push((item, "sans identifiant http(s)".to_owned()));
                    continue;
                };
                drafts.push(Draft {
                    item,
                    url: link,
                    published: r.published(),
                    summary_html: r
                        .descriptions
                        .iter()
                        .map(|d| format!("<p>{}</p>", oc_model::markup::escape(d)))
                        .collect(),
                    subjects: r.subjects.clone(),
                    licence: r.rights.clone(),
                    title: r.title,
                    ..Draft::default()
                });
            }
            self.reject_early(run, rejected).await?;
            let _ = validators;
            self.store_page(run, drafts, None).await?;
            read += n;
            match page.next_record_position {
                Some(next)
                    if n > 0
                        && next > start
                        && next <= page.number_of_records
                        && read < max
                        && url.starts_with("http") =>
                {
                    start = next
                }
                _ => return Ok(()),
            }
        }
    }

    async fn run_ods(&self, run: &mut Run<'_>) -> crate::Result<()> {
        let portal = ods::portal_of(&run.source.url).unwrap_or_default();
        let since = match run.opts.since {
            Some(d) => Some(d.format("%Y-%m-%d").to_string()),
            None => {
                let store = self.store.clone();
                let id = run.source.id.clone();
                tokio::task::spawn_blocking(move || lock(&store).cursor(&id)).await??
            }
        };
        let mut offset = 0;
        let mut newest: Option<String> = None;
        let mut complete = true;
        loop {
            let url = if run.source.url.starts_with("http") {
                ods::page_url(&run.source.url, offset, since.as_deref())
            } else {
                run.source.url.clone()
            };
            let (bytes, content_type, validators) = match self.fetch(run, &url).await? {
                Fetched::NotModified => break,
                Fetched::Body { bytes, content_type, validators } => (bytes, content_type, validators),
            };
            let (what, p) = (url.clone(), portal.clone());
            let page = tokio::task::spawn_blocking(move || {
                ods::parse(&crate::charset::decode(&bytes, content_type.as_deref()), &p, &what)
            })
            .await??;
            run.progress.total = Some(page.total_count);
            let n = page.datasets.len() as u64 + page.skipped.len() as u64;
            self.reject_early(run, page.skipped.into_iter().map(|m| (url.clone(), m)).collect()).await?;
            let mut drafts = Vec::new();
            for d in page.datasets {
                if let Some((day, _)) = d.published() {
                    if newest.as_deref().is_none_or(|n| day.as_str() > n) {
                        newest = Some(day);
                    }
                }
                let mut subjects = d.themes.clone();
                subjects.extend(d.keywords.iter().cloned());
                drafts.push(Draft {
                    item: format!("jeu {}", d.id),
                    published: d.published(),
                    url: d.url,
                    title: d.title,
                    summary_html: d.description,
                    publisher: d.publisher,
                    subjects,
                    licence: d.license,
                    ..Draft::default()
                });
            }
            let _ = validators;
            self.store_page(run, drafts, None).await?;
            offset += ods::PAGE_SIZE;
            if n == 0 || offset >= page.total_count || !url.starts_with("http") {
                break;
            }
            if run.opts.max_pages.is_some_and(|m| run.progress.pages >= m) {
                complete = false;
                break;
            }
            if offset + ods::PAGE_SIZE > ods::MAX_OFFSET {
                // The API stops here: the datasets beyond are not read,
                // so the cursor must not move past them.
                tracing::warn!(
                    source = run.source.id,
                    "catalogue larger than {} datasets: the rest waits for the next runs",
                    ods::MAX_OFFSET
                );
                complete = false;
                break;
            }
        }
        if let Some(day) = newest.filter(|_| complete) {
            let store = self.store.clone();
            let id = run.source.id.clone();
            tokio::task::spawn_blocking(move || lock(&store).set_cursor(&id, &day)).await??;
        }
        Ok(())
    }

    async fn run_csv(&self, run: &mut Run<'_>) -> crate::Result<()> {
        let (text, validators) = if run.source.url == catalogue::EMBEDDED_LOCATION {
            (catalogue::EMBEDDED.to_owned(), None)
        } else {
            match self.fetch(run, &run.source.url.clone()).await? {
                Fetched::NotModified => return Ok(()),
                Fetched::Body { bytes, content_type, validators } => (
                    tokio::task::spawn_blocking(move || crate::charset::decode(&bytes, content_type.as_deref()))
                        .await?,
                    Some(validators),
                ),
            }
        };
        let name = run.source.url.clone();
        let parsed = tokio::task::spawn_blocking(move || catalogue::parse(&name, &text)).await??;
        self.reject_early(run, parsed.rejected).await?;
        let drafts = parsed
            .docs
            .into_iter()
            .map(|d| Draft {
                item: format!("{} n° {}", run.source.url, d.id),
                url: d.url,
                title: d.title,
                summary_html: oc_model::markup::escape(&d.summary),
                publisher: Some(d.publisher),
                published: d.published,
                subjects: d
                    .series
                    .into_iter()
                    .chain(d.example.then(|| oc_library::document::EXAMPLE_SUBJECT.to_owned()))
                    .collect(),
                resource_type: Some(d.resource_type),
                themes: d.themes,
                scope: d.scope,
                territories: d.territories,
                image: None,
                licence: None,
            })
            .collect();
        let page = validators.filter(|_| run.source.url.starts_with("http")).map(|v| (run.source.url.clone(), v));
        self.store_page(run, drafts, page).await
    }
}
