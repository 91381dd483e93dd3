//! The publications index: schema, incremental updates and rebuilds.
//!
//! Derived from the library store (`oc-library`), never the other way: each
//! commit's payload records the store revision it covers, so after any
//! stop — a crash, a SIGKILL in the middle of an ingestion — [`catch_up`]
//! applies the changes after that revision and the index agrees with the
//! store again. One [`PublicationsIndex`] owns the single `IndexWriter`;
//! every commit is followed by a reader reload.
//!
//! Text fields use a French analyser (case and accents folded by the one
//! fold of `oc_model::text`, then French stop words and Snowball stemming:
//! `fiscalite` and `Fiscalité` are one word); facets hold the thématiques,
//! types de territoire (each with the narrower types it covers),
//! type de ressource, publisher and territories.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED,
    STORED, STRING,
};
use tantivy::tokenizer::{Language, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use oc_library::store::{Document, IndexChange, Library, StoreError};

use crate::IndexError;

/// Bumped when the schema or the analysis changes: an index of another
/// version is emptied and rebuilt from the store.
pub const SCHEMA_VERSION: u32 = 4;
/// The French analyser's name.
pub const FRENCH: &str = "fr";
/// Changes read from the store per commit while catching up.
const CATCH_UP_CHUNK: usize = 5_000;

/// The fields of the publications index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub url: Field,
    pub title: Field,
    pub summary: Field,
    pub subjects: Field,
    pub publisher_text: Field,
    pub publisher: Field,
    pub theme: Field,
    pub scope: Field,
    pub resource_type: Field,
    pub territory: Field,
    /// The territories and every territory containing them (a commune's
    /// EPCI, département and région): what a territory filter matches.
    pub area: Field,
    /// 1: useful to every collectivité of its types (see
    /// `Document::useful_to_all`); 0: about given territories.
    pub general: Field,
    /// Year of publication (0: unknown).
    pub year: Field,
    /// `YYYYMMDD`, with 00 for an unknown month or day (sorting).
    pub date: Field,
    /// The librarians' ranking: see [`rank_key`].
    pub rank: Field,
    /// The whole effective document as JSON (display).
    pub json: Field,
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fr = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(FRENCH).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        url: b.add_text_field("url", STRING),
        title: b.add_text_field("title", fr.clone()),
        summary: b.add_text_field("summary", fr.clone()),
        subjects: b.add_text_field("subjects", fr.clone()),
        publisher_text: b.add_text_field("publisher_text", fr),
        publisher: b.add_facet_field("publisher", FacetOptions::default()),
        theme: b.add_facet_field("theme", FacetOptions::default()),
        scope: b.add_facet_field("scope", FacetOptions::default()),
        resource_type: b.add_facet_field("resource_type", FacetOptions::default()),
        territory: b.add_facet_field("territory", FacetOptions::default()),
        area: b.add_facet_field("area", FacetOptions::default()),
        general: b.add_u64_field("general", INDEXED | FAST),
        year: b.add_u64_field("year", INDEXED | FAST),
        date: b.add_u64_field("date", FAST),
        rank: b.add_u64_field("rank", FAST),
        json: b.add_bytes_field("json", STORED),
    };
    (b.build(), fields)
}

pub use crate::publication_query::{rank_key, rank_of};

/// The French analyser: words folded first (case, accents, ligatures),
/// then stop words (folded too) and stems, so that a word typed without
/// its accents is the same word.
pub fn french_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(crate::publication_fold::Fold)
        .filter(StopWordFilter::remove(crate::publication_fold::stop_words()))
        .filter(Stemmer::new(Language::French))
        .build()
}

/// A facet value with one segment (values may contain `/`).
pub fn facet(value: &str) -> Facet {
    Facet::from_path([value])
}

/// `YYYYMMDD` of a date at any precision (`2023` → 20230000).
pub fn date_key(published: Option<&str>) -> u64 {
    let Some(p) = published else { return 0 };
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    let padded = format!("{digits:0<8}");
    padded.get(..8).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// The territories containing a territory (`COM-34172` → `EPCI-…`,
/// `DEP-34`, `REG-76`), from the reference data.
pub type AreaFn = std::sync::Arc<dyn Fn(&str) -> Vec<String> + Send + Sync>;

/// Memory of the single writer.
const WRITER_HEAP: usize = 64_000_000;

/// The publications index.
pub struct PublicationsIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    /// `None` for a read-only view; inside, `None` after a failure, until
    /// the next use recreates the writer (a dead writer is never kept).
    writer: Option<Mutex<Option<IndexWriter>>>,
    fields: Fields,
    /// Fault injection for tests: the next commit fails as a full disk or
    /// descriptor exhaustion would make it fail.
    fail_next_commit: std::sync::atomic::AtomicBool,
    areas: std::sync::RwLock<Option<AreaFn>>,
    analyzer: TextAnalyzer,
    tables: std::sync::Arc<crate::publication_cache::TableCache>,
    /// The librarians' acronyms and expansions, analysed.
    synonyms: std::sync::RwLock<std::sync::Arc<crate::publication_synonyms::Synonyms>>,
    results: crate::publication_cache::ResultCache,
}

impl std::fmt::Debug for PublicationsIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicationsIndex").field("dir", &self.dir).finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    rev: i64,
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy { path: path.display().to_string(), source }
}

/// Whether an error opening the index means its files are damaged (or of
/// another schema) — as opposed to a lock, or the system refusing a
/// resource (descriptors, disk, memory), after which the index is fine.
fn is_damage(e: &IndexError) -> bool {
    use tantivy::TantivyError as T;
    match e {
        IndexError::Locked { .. } => false,
        IndexError::Io { source, .. } => {
            matches!(source.kind(), std::io::ErrorKind::InvalidData | std::io::ErrorKind::Other)
        }
        IndexError::Tantivy { source, .. } => match source {
            T::DataCorruption(_) | T::SchemaError(_) | T::IncompatibleIndex(_) | T::FieldNotFound(_) => true,
            // A file the metadata names is missing or unreadable as data.
            T::OpenReadError(tantivy::directory::error::OpenReadError::FileDoesNotExist(_)) => true,
            _ => format!("{source}").contains("Deserialize"),
        },
    }
}

/// A rebuild from a store holding fewer published documents than this
/// share of the index's is refused without force: the store is likely
/// damaged, emptied or another one.
pub const SHRINK_GUARD: f64 = 0.5;

/// Below this many indexed documents the guard does not apply.
pub const SHRINK_GUARD_MIN: u64 = 100;

/// Errors of [`catch_up`] and [`PublicationsIndex::rebuild`].
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the library store holds {published} published documents and the index {indexed}: the index is not \
        rebuilt from it (a damaged, emptied or wrong store?). Check the store, then run `opencollectivites reindex \
        --force` to rebuild anyway"
    )]
    Shrink { indexed: u64, published: u64 },
}

impl PublicationsIndex {
    /// Opens the index in `dir`, creating it when missing; an index of
    /// another schema version is emptied (the next [`catch_up`] refills it).
    /// Takes the index's single writer: a second process gets an error.
    pub fn open(dir: &Path) -> Result<PublicationsIndex, IndexError> {
        // One folder per schema version: a new version starts empty beside
        // the old one (never deleted in place, where another process may
        // hold the old one's writer lock); the next catch-up fills it.
        let dir = &dir.join(format!("v{SCHEMA_VERSION}"));
        match Self::open_in(dir) {
            Err(e @ IndexError::Locked { .. }) => Err(e),
            Err(damaged) if dir.join("meta.json").exists() && is_damage(&damaged) => {
                // Derived data: a damaged index is set aside (kept for a
                // look) and rebuilt from the store by the next catch-up.
                let stamp =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                let aside = (0u32..)
                    .map(|n| dir.with_extension(format!("damaged-{stamp}-{n}")))
                    .find(|p| !p.exists())
                    .unwrap_or_else(|| dir.with_extension("damaged"));
                tracing::error!(
                    "the publications index in {} is damaged ({damaged}); set aside as {} and rebuilt \
                    from the library store",
                    dir.display(),
                    aside.display()
                );
                std::fs::rename(dir, &aside)
                    .map_err(|source| IndexError::Io { path: dir.display().to_string(), source })?;
                Self::open_in(dir)
            }
            other => other,
        }
    }

    fn open_in(dir: &Path) -> Result<PublicationsIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io { path: dir.display().to_string(), source })?;
        let (schema, fields) = schema();
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir).map_err(tantivy_err(dir))?
        } else {
            Index::create_in_dir(dir, schema.clone()).map_err(tantivy_err(dir))?
        };
        if index.schema() != schema {
            return Err(IndexError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other("this folder holds an index of another schema"),
            });
        }
        index.tokenizers().register(FRENCH, french_analyzer());
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_HEAP).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => IndexError::Locked { path: dir.display().to_string() },
            e => tantivy_err(dir)(e),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err(dir))?;
        let me = PublicationsIndex {
            dir: dir.to_owned(),
            index,
            reader,
            writer: Some(Mutex::new(Some(writer))),
            fields,
            fail_next_commit: Default::default(),
            areas: Default::default(),
            analyzer: french_analyzer(),
            tables: Default::default(),
            results: Default::default(),
            synonyms: Default::default(),
        };
        // The commit metadata must read: a damaged payload is corruption too.
        me.indexed_rev()?;
        Ok(me)
    }

    /// A read-only view of the index in `dir`, following the commits of the
    /// process that writes it; an empty in-memory index when there is none
    /// yet or it has another schema (the writer will rebuild it).
    pub fn open_read_only(dir: &Path) -> Result<PublicationsIndex, IndexError> {
        let dir = &dir.join(format!("v{SCHEMA_VERSION}"));
        let (schema, fields) = schema();
        let on_disk = dir.join("meta.json").exists().then(|| Index::open_in_dir(dir).ok()).flatten();
        let current = on_disk.filter(|i| i.schema() == schema);
        let (index, policy) = match current {
            Some(i) => (i, ReloadPolicy::OnCommitWithDelay),
            None => (Index::create_in_ram(schema), ReloadPolicy::Manual),
        };
        index.tokenizers().register(FRENCH, french_analyzer());
        let reader = index.reader_builder().reload_policy(policy).try_into().map_err(tantivy_err(dir))?;
        Ok(PublicationsIndex {
            dir: dir.to_owned(),
            index,
            reader,
            writer: None,
            fields,
            fail_next_commit: Default::default(),
            areas: Default::default(),
            analyzer: french_analyzer(),
            tables: Default::default(),
            results: Default::default(),
            synonyms: Default::default(),
        })
    }

    /// Runs `f` with the single writer, recreating it first when a previous
    /// failure dropped it. On failure the writer is rolled back and
    /// dropped (its lock released), so the next call starts from a fresh
    /// writer instead of a dead one.
    fn with_writer<T, E: From<IndexError>>(&self, f: impl FnOnce(&mut IndexWriter) -> Result<T, E>) -> Result<T, E> {
        let slot = self.writer.as_ref().ok_or_else(|| IndexError::Io {
            path: self.dir.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "read-only view of the publications index",
            ),
        })?;
        let mut guard = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            let w = self.index.writer_with_num_threads(1, WRITER_HEAP).map_err(tantivy_err(&self.dir))?;
            tracing::warn!("publications index: writer recreated after a failure");
            *guard = Some(w);
        }
        let Some(w) = guard.as_mut() else { unreachable!("just set") };
        let out = f(w);
        if out.is_err() {
            if let Some(mut w) = guard.take() {
                let _ = w.rollback();
            }
        }
        out
    }

    /// Whether this is a read-only view (another process writes the index).
    pub fn is_read_only(&self) -> bool {
        self.writer.is_none()
    }

    /// Whether the writer must be recreated (a failure dropped it).
    pub fn writer_lost(&self) -> bool {
        self.writer.as_ref().is_some_and(|w| w.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_none())
    }

    /// The payload of the last commit: `None` for an index never committed;
    /// an error when the metadata cannot be read (never taken for 0).
    fn payload_of(&self) -> Result<Option<Payload>, IndexError> {
        let metas = self.index.load_metas().map_err(tantivy_err(&self.dir))?;
        match metas.payload.as_deref() {
            None => Ok(None),
            Some(p) => serde_json::from_str(p).map(Some).map_err(|e| IndexError::Io {
                path: self.dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            }),
        }
    }

    /// The store revision the last commit covers (0 for an index never
    /// committed); an error when it cannot be read.
    pub fn indexed_rev(&self) -> Result<i64, IndexError> {
        Ok(self.payload_of()?.map_or(0, |p| p.rev))
    }

    /// Sets how territories expand to the territories containing them
    /// (again after new reference data; documents indexed before keep their
    /// areas until re-indexed).
    pub fn set_areas(&self, f: AreaFn) {
        *self.areas.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(f);
    }

    /// A territory and those containing it.
    pub fn areas_of(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_owned()];
        let f = self.areas.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some(f) = f {
            for a in f(code) {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// The per-segment tables of the faceted search.
    pub fn tables(&self) -> std::sync::Arc<crate::publication_cache::TableCache> {
        self.tables.clone()
    }

    /// The cache of recent search results.
    pub fn results_cache(&self) -> &crate::publication_cache::ResultCache {
        &self.results
    }

    /// Sets the acronyms and their expansions (`(acronym, expansions)`),
    /// as the library store keeps them; cached results are dropped.
    pub fn set_synonyms(&self, rows: &[(String, Vec<String>)]) {
        let s = crate::publication_synonyms::Synonyms::new(&mut self.analyzer(), rows);
        *self.synonyms.write().unwrap_or_else(std::sync::PoisonError::into_inner) = std::sync::Arc::new(s);
        self.results.clear();
    }

    pub(crate) fn synonyms(&self) -> std::sync::Arc<crate::publication_synonyms::Synonyms> {
        self.synonyms.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The French analyser (a fresh copy).
    pub fn analyzer(&self) -> TextAnalyzer {
        self.analyzer.clone()
    }

    pub fn fields(&self) -> Fields {
        self.fields
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Published documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn document(&self, d: &Document) -> TantivyDocument {
        let f = &self.fields;
        let mut t = doc!(
            f.id => d.id as u64,
            f.url => d.url.as_str(),
            f.title => d.title.as_str(),
            f.summary => d.summary.as_str(),
            f.publisher_text => d.publisher.as_str(),
            f.general => u64::from(d.useful_to_all()),
            f.year => date_key(d.published.as_deref()) / 10_000,
            f.date => date_key(d.published.as_deref()),
            f.rank => rank_key(d.featured, d.weight),
            f.json => serde_json::to_vec(d).unwrap_or_default(),
        );
        for s in &d.subjects {
            t.add_text(f.subjects, s);
        }
        if !d.publisher.is_empty() {
            t.add_facet(f.publisher, facet(&d.publisher));
        }
        for v in &d.themes {
            t.add_facet(f.theme, facet(v));
        }
        // Its types, each with the narrower types it covers; a document
        // about territories without a type of its own is filed under
        // theirs as it is (a document about a commune is no document for
        // the communes de montagne).
        let mut scopes: Vec<&str> = Vec::new();
        if d.scope.is_empty() {
            scopes.extend(d.territories.iter().filter_map(|c| oc_library::taxonomy::scope_of_territory(c)));
        }
        for v in &d.scope {
            scopes.extend(oc_library::taxonomy::scopes_covered(v));
        }
        scopes.sort_unstable();
        scopes.dedup();
        for v in scopes {
            t.add_facet(f.scope, facet(v));
        }
        if !d.resource_type.is_empty() {
            t.add_facet(f.resource_type, facet(&d.resource_type));
        }
        let mut areas: Vec<String> = Vec::new();
        for v in &d.territories {
            t.add_facet(f.territory, facet(v));
            for a in self.areas_of(v) {
                if !areas.contains(&a) {
                    areas.push(a);
                }
            }
        }
        for a in &areas {
            t.add_facet(f.area, facet(a));
        }
        t
    }

    /// Makes the next commit fail (tests of the recovery).
    #[doc(hidden)]
    pub fn inject_commit_failure(&self) {
        self.fail_next_commit.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn commit(&self, writer: &mut IndexWriter, rev: i64) -> Result<(), IndexError> {
        if self.fail_next_commit.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Err(IndexError::Io {
                path: self.dir.display().to_string(),
                source: std::io::Error::other("injected failure (too many open files)"),
            });
        }
        let mut prepared = writer.prepare_commit().map_err(tantivy_err(&self.dir))?;
        prepared.set_payload(&serde_json::to_string(&Payload { schema: SCHEMA_VERSION, rev }).unwrap_or_default());
        prepared.commit().map_err(tantivy_err(&self.dir))?;
        // Every commit is followed by a reader reload.
        self.reader.reload().map_err(tantivy_err(&self.dir))
    }

    /// Applies changes from the store and commits them as covering `rev`.
    pub fn apply(&self, changes: &[IndexChange], rev: i64) -> Result<(), IndexError> {
        self.with_writer(|w| {
            for c in changes {
                w.delete_term(Term::from_field_u64(self.fields.id, c.id as u64));
                if let Some(d) = &c.doc {
                    w.add_document(self.document(d)).map_err(tantivy_err(&self.dir))?;
                }
            }
            self.commit(w, rev)
        })
    }

    /// Replaces the whole index with the store's published documents,
    /// unless the store holds far fewer than the index (see
    /// [`SHRINK_GUARD`]): then [`SyncError::Shrink`], and only
    /// [`PublicationsIndex::rebuild_forced`] (`reindex --force`) goes on.
    pub fn rebuild(&self, store: &Library) -> Result<u64, SyncError> {
        let indexed = self.num_docs();
        if indexed >= SHRINK_GUARD_MIN {
            let mut published = 0u64;
            store.for_each_published(|_| published += 1)?;
            if (published as f64) < indexed as f64 * SHRINK_GUARD {
                return Err(SyncError::Shrink { indexed, published });
            }
        }
        self.rebuild_forced(store)
    }

    /// [`PublicationsIndex::rebuild`] without the guard.
    pub fn rebuild_forced(&self, store: &Library) -> Result<u64, SyncError> {
        // The revision is read first: changes made while the documents are
        // read have a later revision, and the next catch-up applies them.
        let rev = store.rev()?;
        self.with_writer(|w| -> Result<u64, SyncError> {
            w.delete_all_documents().map_err(tantivy_err(&self.dir))?;
            let mut n = 0;
            let mut failed = None;
            store.for_each_published(|d| {
                if failed.is_none() {
                    match w.add_document(self.document(&d)) {
                        Ok(_) => n += 1,
                        Err(e) => failed = Some(e),
                    }
                }
            })?;
            if let Some(e) = failed {
                return Err(tantivy_err(&self.dir)(e).into());
            }
            self.commit(w, rev)?;
            Ok(n)
        })
    }

    /// Ids of every document in the index (consistency checks).
    pub fn ids(&self) -> Vec<i64> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for seg in searcher.segment_readers() {
            let Ok(col) = seg.fast_fields().u64("id") else { continue };
            for doc in seg.doc_ids_alive() {
                if let Some(v) = col.first(doc) {
                    out.push(v as i64);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The stored document of a hit.
    pub fn stored(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> Option<Document> {
        let d: TantivyDocument = searcher.doc(addr).ok()?;
        let bytes = d.get_first(self.fields.json)?.as_bytes()?;
        serde_json::from_slice(bytes).ok()
    }
}

/// Applies every store change after the index's revision; returns how
/// many changes were applied.
pub fn catch_up(store: &Library, index: &PublicationsIndex) -> Result<usize, SyncError> {
    // An index ahead of its store belongs to another store (recreated or
    // restored): rebuilt from this one.
    if index.indexed_rev()? > store.rev()? {
        return Ok(usize::try_from(index.rebuild(store)?).unwrap_or(usize::MAX));
    }
    let mut total = 0;
    loop {
        let from = index.indexed_rev()?;
        let changes = store.changes_since(from, CATCH_UP_CHUNK)?;
        let Some(last) = changes.last().map(|c| c.rev) else { return Ok(total) };
        index.apply(&changes, last)?;
        total += changes.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oc_library::store::{Harvested, Override};

    fn doc(url: &str, title: &str) -> Harvested {
        Harvested {
            url: url.into(),
            title: title.into(),
            publisher: "DGCL".into(),
            published: Some("2024-03".into()),
            ..Harvested::default()
        }
    }

    #[test]
    fn the_index_follows_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut lib = Library::in_memory().unwrap();
        let index = PublicationsIndex::open(dir.path()).unwrap();
        assert_eq!(index.indexed_rev().unwrap(), 0);
        let a = lib.upsert(&doc("https://a.fr/1", "Les finances des communes"), "s").unwrap().0;
        let b = lib.upsert(&doc("https://a.fr/2", "Dotation de solidarité rurale"), "s").unwrap().0;
        assert_eq!(catch_up(&lib, &index).unwrap(), 2);
        assert_eq!(index.ids(), vec![a, b]);
        lib.set_override(a, &Override { status: Some(oc_library::store::Status::Unpublished), ..Override::default() })
            .unwrap();
        lib.upsert(&doc("https://a.fr/2", "Dotation de solidarité rurale 2024"), "s").unwrap();
        catch_up(&lib, &index).unwrap();
        assert_eq!(index.ids(), vec![b], "unpublished documents leave the index; updates replace");
        assert_eq!(index.indexed_rev().unwrap(), lib.rev().unwrap());
        // Reopened: the revision is in the commit payload.
        drop(index);
        let index = PublicationsIndex::open(dir.path()).unwrap();
        assert_eq!(index.indexed_rev().unwrap(), lib.rev().unwrap());
        assert_eq!(catch_up(&lib, &index).unwrap(), 0);
        let searcher = index.searcher();
        let hits = searcher
            .search(
                &tantivy::query::TermQuery::new(
                    Term::from_field_u64(index.fields().id, b as u64),
                    IndexRecordOption::Basic,
                ),
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .unwrap();
        let stored = index.stored(&searcher, hits[0].1).unwrap();
        assert_eq!(stored.title, "Dotation de solidarité rurale 2024");
        assert_eq!(index.rebuild(&lib).unwrap(), 1);
        assert_eq!(index.ids(), vec![b]);
        let view = PublicationsIndex::open_read_only(dir.path()).unwrap();
        assert_eq!(view.ids(), vec![b]);
        assert!(view.rebuild(&lib).is_err(), "a view cannot write");
        let none = PublicationsIndex::open_read_only(&dir.path().join("missing")).unwrap();
        assert_eq!(none.num_docs(), 0);
    }

    #[test]
    fn featured_documents_come_first_and_weights_boost() {
        use crate::publication_search::{PubQuery, Sort};
        let dir = tempfile::tempdir().unwrap();
        let mut lib = Library::in_memory().unwrap();
        let index = PublicationsIndex::open(dir.path()).unwrap();
        let old = lib
            .upsert(
                &Harvested {
                    published: Some("2001".into()),
                    ..doc("https://a.fr/1", "Dotation globale de fonctionnement")
                },
                "s",
            )
            .unwrap()
            .0;
        let new = lib
            .upsert(
                &Harvested {
                    published: Some("2024".into()),
                    ..doc("https://a.fr/2", "Dotation globale de fonctionnement")
                },
                "s",
            )
            .unwrap()
            .0;
        let third = lib
            .upsert(
                &Harvested {
                    published: Some("2020".into()),
                    ..doc("https://a.fr/3", "Dotation globale de fonctionnement")
                },
                "s",
            )
            .unwrap()
            .0;
        catch_up(&lib, &index).unwrap();
        let order = |q: &PubQuery| index.search_uncached(q).unwrap().hits.iter().map(|h| h.doc.id).collect::<Vec<_>>();
        let by_date = PubQuery { sort: Some(Sort::Date), ..PubQuery::default() };
        assert_eq!(order(&by_date), vec![new, third, old]);
        lib.set_override(old, &Override { featured: true, ..Override::default() }).unwrap();
        lib.set_override(third, &Override { weight: 50.0, ..Override::default() }).unwrap();
        catch_up(&lib, &index).unwrap();
        assert_eq!(order(&by_date), vec![old, new, third], "featured first");
        let relevance = PubQuery { q: "dotation".into(), sort: Some(Sort::Relevance), ..PubQuery::default() };
        assert_eq!(order(&relevance), vec![old, third, new], "then the heavier at equal relevance");
        assert_eq!(rank_of(rank_key(true, -12.5)), (true, -12.5));
        assert_eq!(rank_of(rank_key(false, 1e9)), (false, 100.0));
    }

    #[test]
    fn french_analysis_and_dates() {
        let mut a = french_analyzer();
        let mut tokens = |text: &str| {
            let mut s = a.token_stream(text);
            let mut out = Vec::new();
            while s.advance() {
                out.push(s.token().text.clone());
            }
            out
        };
        let toks = tokens("Dotations de solidarité rurale des Communes");
        let qt = tokens("dotation communes rurales");
        assert!(!toks.contains(&"de".to_owned()), "stop words removed: {toks:?}");
        for t in &qt {
            assert!(toks.contains(t), "{t} not in {toks:?}");
        }
        assert_eq!(date_key(Some("2023")), 20230000);
        assert_eq!(date_key(Some("2023-05")), 20230500);
        assert_eq!(date_key(Some("2023-05-17")), 20230517);
        assert_eq!(date_key(None), 0);
    }
}
