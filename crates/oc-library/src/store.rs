//! The library store: SQLite (bundled, WAL), the source of truth for
//! documents, sources, fetch state and curation. Harvested values and
//! librarian overrides live in separate tables, so that fetching a source
//! again never undoes a decision: an unpublished, deleted (tombstoned) or
//! re-classified document keeps it. Schema migrations are versioned and run
//! when the store opens.
//!
//! Every call blocks: async callers use `spawn_blocking`.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::now;
use crate::terms::{seed_terms, Aliases};

pub(crate) use crate::document::json;
pub use crate::document::{Document, Harvested, Status};
pub use crate::error::StoreError;

/// Versioned migrations (`migrations/*.sql`): index + 1 is the schema
/// version they lead to. A new version is a new file, never an edit.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001-documents-sources-curation.sql"),
    include_str!("../migrations/002-revisions-hashes-rejections.sql"),
    include_str!("../migrations/003-accounts-sessions-audit.sql"),
    include_str!("../migrations/004-back-office.sql"),
    include_str!("../migrations/005-synonyms.sql"),
    include_str!("../migrations/006-licence-size.sql"),
];

/// How many rejected items are kept per source (the newest).
pub const KEPT_REJECTIONS: i64 = 200;

fn union(old: &[String], new: &[String]) -> Vec<String> {
    let mut out = old.to_vec();
    for v in new {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// The values of a document another source (or an earlier run) already
/// gave, updated by a new harvest: the new title, summary and date when
/// there are some; classification lists united, so that a feed's default
/// thématique never erases a catalogue's; the first publisher and resource
/// type kept. Re-harvesting the same values changes nothing.
fn merge(old: &Harvested, new: &Harvested) -> Harvested {
    let (summary_html, summary_text) = if new.summary_text.is_empty() && new.summary_html.is_empty() {
        (old.summary_html.clone(), old.summary_text.clone())
    } else {
        (new.summary_html.clone(), new.summary_text.clone())
    };
    let (published, precision) = if new.published.is_some() {
        (new.published.clone(), new.precision.clone())
    } else {
        (old.published.clone(), old.precision.clone())
    };
    Harvested {
        url: new.url.clone(),
        title: new.title.clone(),
        summary_html,
        summary_text,
        publisher: if old.publisher.is_empty() { new.publisher.clone() } else { old.publisher.clone() },
        published,
        precision,
        resource_type: if old.resource_type.is_empty() { new.resource_type.clone() } else { old.resource_type.clone() },
        themes: union(&old.themes, &new.themes),
        scope: union(&old.scope, &new.scope),
        territories: union(&old.territories, &new.territories),
        subjects: union(&old.subjects, &new.subjects),
        image: new.image.clone().or_else(|| old.image.clone()),
        // The first licence known stays (two sources naming it
        // differently would otherwise change the document at every run).
        licence: old.licence.clone().or_else(|| new.licence.clone()),
        size: new.size.or(old.size),
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    New,
    Updated,
    Unchanged,
}

/// A librarian's decisions; `None` keeps the harvested value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Override {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub resource_type: Option<String>,
    pub themes: Option<Vec<String>>,
    pub scope: Option<Vec<String>>,
    pub territories: Option<Vec<String>>,
    /// `None`: published.
    pub status: Option<Status>,
    pub featured: bool,
    pub weight: f64,
}

/// A source as the registry declares it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceRow {
    pub id: String,
    pub name: String,
    pub publisher: String,
    pub publisher_short: String,
    pub kind: String,
    pub url: String,
    pub schedule: String,
    pub enabled: bool,
    /// The whole definition as JSON (the harvester's `Source`).
    #[serde(skip)]
    pub spec: String,
    /// Added or edited in the back office: the registry file no longer
    /// overwrites it.
    pub managed: bool,
}

/// A source and how its last runs went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceStatus {
    #[serde(flatten)]
    pub source: SourceRow,
    pub last_attempt: Option<String>,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
    pub items_seen: i64,
    pub items_new: i64,
    pub items_updated: i64,
    pub items_rejected: i64,
    pub duration_ms: i64,
    /// Documents of this source in the store.
    pub documents: i64,
}

/// The outcome of one run of a source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    pub seen: i64,
    pub new: i64,
    pub updated: i64,
    pub rejected: i64,
}

/// One rejected item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub source_id: String,
    pub at: String,
    pub item: String,
    pub reason: String,
}

/// One change for the index: the document as it is now, or `None` when it
/// is no longer public (unpublished, deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexChange {
    pub id: i64,
    pub rev: i64,
    pub doc: Option<Document>,
}

/// A JSON array of strings from the store (empty if unreadable).
pub(crate) fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The library store.
pub struct Library {
    conn: Connection,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Library")
    }
}

/// The next revision number, inside the caller's transaction.
pub(crate) fn next_rev(tx: &Connection) -> rusqlite::Result<i64> {
    tx.query_row("UPDATE counters SET value = value + 1 WHERE name = 'rev' RETURNING value", [], |r| r.get(0))
}

impl Library {
    /// Opens (creating) the store at `path` and runs pending migrations.
    pub fn open(path: &Path) -> Result<Library, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL + NORMAL: a commit survives a process kill; a power cut may
        // lose the last commits but never corrupts the store.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Self::setup(conn)
    }

    /// An in-memory store (tests).
    pub fn in_memory() -> Result<Library, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Library, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
        let version: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))?;
        let version = usize::try_from(version).map_err(|_| StoreError::Invalid(format!("schema version {version}")))?;
        if version > MIGRATIONS.len() {
            return Err(StoreError::Invalid(format!(
                "the store has schema version {version}, newer than this binary ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            // Immediate: two processes starting together apply each
            // migration once (the second sees the first's version).
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now: i64 = tx.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(sql)?;
            if i == 4 {
                crate::terms::seed_synonyms(&tx)?;
            }
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", params![i as i64 + 1])?;
            tx.commit()?;
        }
        seed_terms(&mut conn)?;
        Ok(Library { conn })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The schema version.
    pub fn version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?)
    }

    /// Inserts or updates the harvested values of one document (keyed by
    /// its canonical URL) and records the source. Overrides are never
    /// touched.
    pub fn upsert(&mut self, doc: &Harvested, source_id: &str) -> Result<(i64, Change), StoreError> {
        let mut out = self.upsert_batch(std::slice::from_ref(doc), source_id)?;
        Ok(out.pop().unwrap_or((0, Change::Unchanged)))
    }

    /// [`Library::upsert`] for many documents in one transaction: all are
    /// written, or none.
    pub fn upsert_batch(&mut self, docs: &[Harvested], source_id: &str) -> Result<Vec<(i64, Change)>, StoreError> {
        if let Some(d) = docs.iter().find(|d| d.url.is_empty() || d.title.trim().is_empty()) {
            return Err(StoreError::Invalid(format!("document without URL or title: {:?}", d.url)));
        }
        // Immediate: the read of the current values and the write happen
        // under one lock, whatever other process writes too.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = upsert_in(&tx, docs, source_id)?;
        tx.commit()?;
        Ok(out)
    }
}

/// [`Library::upsert_batch`] inside the caller's transaction.
pub(crate) fn upsert_in(
    tx: &Connection,
    docs: &[Harvested],
    source_id: &str,
) -> Result<Vec<(i64, Change)>, StoreError> {
    let t = now();
    let mut out = Vec::with_capacity(docs.len());
    // Names the librarians renamed are harvested under their new name.
    let aliases = Aliases::load(tx)?;
    {
        let mut publisher_term = tx.prepare_cached(
            "INSERT OR IGNORE INTO terms (kind, name, position) SELECT 'publisher', ?1, COALESCE(MAX(position), \
                    0) + 1 FROM terms WHERE kind = 'publisher'",
        )?;
        let mut find = tx.prepare_cached(
                "SELECT id, content_hash, summary_html, summary_text, publisher, published, precision, resource_type, themes, scope,
                        territories, subjects, image, licence, size FROM documents WHERE url = ?1",
            )?;
        let mut insert = tx.prepare_cached(
                "INSERT INTO documents (url, title, summary_html, summary_text, publisher, published, precision, resource_type,
                                        themes, scope, territories, subjects, image, first_seen, last_updated, rev, content_hash,
                                        licence, size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, ?17, ?18) RETURNING id",
            )?;
        let mut update = tx.prepare_cached(
            "UPDATE documents SET title = ?2, summary_html = ?3, summary_text = ?4, publisher = ?5, published = ?6,
                    precision = ?7, resource_type = ?8, themes = ?9, scope = ?10, territories = ?11, subjects = ?12,
                    image = ?13, last_updated = ?14, rev = ?15, content_hash = ?16, licence = ?17, size = ?18 WHERE url = ?1",
        )?;
        let mut link =
            tx.prepare_cached("INSERT OR IGNORE INTO document_sources (document_id, source_id) VALUES (?1, ?2)")?;
        for new in docs {
            let renamed;
            let new = match aliases.apply(new) {
                Some(r) => {
                    renamed = r;
                    &renamed
                }
                None => new,
            };
            if !new.publisher.is_empty() {
                publisher_term.execute(params![new.publisher])?;
            }
            let existing: Option<(i64, String, Harvested)> = find
                .query_row(params![new.url], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        Harvested {
                            url: new.url.clone(),
                            title: String::new(),
                            summary_html: r.get(2)?,
                            summary_text: r.get(3)?,
                            publisher: r.get(4)?,
                            published: r.get(5)?,
                            precision: r.get(6)?,
                            resource_type: r.get(7)?,
                            themes: parse_list(&r.get::<_, String>(8)?),
                            scope: parse_list(&r.get::<_, String>(9)?),
                            territories: parse_list(&r.get::<_, String>(10)?),
                            subjects: parse_list(&r.get::<_, String>(11)?),
                            image: r.get(12)?,
                            licence: r.get(13)?,
                            size: r.get::<_, Option<i64>>(14)?.and_then(|n| u64::try_from(n).ok()),
                        },
                    ))
                })
                .optional()?;
            // A document several sources give keeps what each brings.
            let merged;
            let doc = match &existing {
                Some((_, _, old)) => {
                    merged = merge(old, new);
                    &merged
                }
                None => new,
            };
            let hash = doc.content_hash();
            let (id, change) = match existing.map(|(id, h, _)| (id, h)) {
                Some((id, old)) if old == hash => (id, Change::Unchanged),
                found => {
                    let rev = next_rev(tx)?;
                    let values = params![
                        doc.url,
                        doc.title,
                        doc.summary_html,
                        doc.summary_text,
                        doc.publisher,
                        doc.published,
                        doc.precision,
                        doc.resource_type,
                        json(&doc.themes),
                        json(&doc.scope),
                        json(&doc.territories),
                        json(&doc.subjects),
                        doc.image,
                        t,
                        rev,
                        hash,
                        doc.licence,
                        doc.size.and_then(|n| i64::try_from(n).ok())
                    ];
                    match found {
                        Some((id, _)) => {
                            update.execute(values)?;
                            (id, Change::Updated)
                        }
                        None => (insert.query_row(values, |r| r.get(0))?, Change::New),
                    }
                }
            };
            link.execute(params![id, source_id])?;
            out.push((id, change));
        }
    }
    Ok(out)
}

impl Library {
    /// Records a librarian's decisions on a document.
    pub fn set_override(&mut self, id: i64, o: &Override) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        write_override(&tx, id, o, None)?;
        tx.commit()?;
        Ok(())
    }

    /// The effective document (harvested values under overrides); `None`
    /// for an unknown or deleted one.
    pub fn document(&self, id: i64) -> Result<Option<Document>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{SELECT_EFFECTIVE} WHERE d.id = ?1 AND COALESCE(o.status, 'published') != 'deleted'"),
                params![id],
                row_to_doc,
            )
            .optional()?)
    }

    /// Every published document, in id order.
    pub fn published(&self) -> Result<Vec<Document>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{SELECT_EFFECTIVE} WHERE COALESCE(o.status, 'published') = 'published' ORDER BY d.id"
        ))?;
        let rows = stmt.query_map([], row_to_doc)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `f` on every published document, in id order, without holding
    /// them all in memory.
    pub fn for_each_published(&self, mut f: impl FnMut(Document)) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{SELECT_EFFECTIVE} WHERE COALESCE(o.status, 'published') = 'published' ORDER BY d.id"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            f(row_to_doc(r)?);
        }
        Ok(())
    }

    /// The number of documents (all statuses, tombstones included).
    pub fn count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))?)
    }

    /// The id of the document with this canonical URL.
    pub fn id_of(&self, url: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row("SELECT id FROM documents WHERE url = ?1", params![url], |r| r.get(0)).optional()?)
    }

    /// The latest revision.
    pub fn rev(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM counters WHERE name = 'rev'", [], |r| r.get(0))?)
    }

    /// Changes after revision `after`, oldest first, at most `limit`.
    pub fn changes_since(&self, after: i64, limit: usize) -> Result<Vec<IndexChange>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached(&format!("{SELECT_EFFECTIVE} WHERE d.rev > ?1 ORDER BY d.rev LIMIT ?2"))?;
        let rows = stmt.query_map(params![after, limit as i64], row_to_doc)?;
        let mut out = Vec::new();
        for d in rows {
            let d = d?;
            let public = d.status == Status::Published;
            out.push(IndexChange { id: d.id, rev: d.rev, doc: public.then_some(d) });
        }
        Ok(out)
    }

    /// Asks the process that owns the publications index to rebuild it
    /// (`reindex` while a server runs); returns the request number.
    pub fn request_reindex(&mut self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "UPDATE counters SET value = value + 1 WHERE name = 'reindex_requested' RETURNING value",
            [],
            |r| r.get(0),
        )?)
    }

    /// The latest reindex request number, and the latest done.
    pub fn reindex_state(&self) -> Result<(i64, i64), StoreError> {
        let get = |n: &str| {
            self.conn.query_row("SELECT value FROM counters WHERE name = ?1", params![n], |r| r.get::<_, i64>(0))
        };
        Ok((get("reindex_requested")?, get("reindex_done")?))
    }

    /// Notes that the requests up to `n` are done.
    pub fn reindex_done(&mut self, n: i64) -> Result<(), StoreError> {
        self.conn.execute("UPDATE counters SET value = MAX(value, ?1) WHERE name = 'reindex_done'", params![n])?;
        Ok(())
    }

    /// Declares the registry's sources (added or updated; sources no longer
    /// declared are kept, disabled, with their documents). Sources managed
    /// in the back office are left as the librarians made them.
    pub fn sync_sources(&mut self, sources: &[SourceRow]) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("UPDATE sources SET enabled = 0 WHERE managed = 0", [])?;
        for s in sources {
            tx.execute(
                "INSERT INTO sources (id, name, publisher, publisher_short, kind, url, schedule, enabled, spec) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, publisher = excluded.publisher,
                    publisher_short = excluded.publisher_short, kind = excluded.kind, url = excluded.url,
                    schedule = excluded.schedule, enabled = excluded.enabled, spec = excluded.spec WHERE managed = 0",
                params![s.id, s.name, s.publisher, s.publisher_short, s.kind, s.url, s.schedule, s.enabled, s.spec],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every known source with its status, in id order.
    pub fn sources(&self) -> Result<Vec<SourceStatus>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.name, s.publisher, s.publisher_short, s.kind, s.url, s.schedule, s.enabled, s.spec, s.managed,
                    f.last_fetch, f.last_ok, f.last_error, COALESCE(f.items_seen, 0), COALESCE(f.items_new, 0),
                    COALESCE(f.items_updated, 0), COALESCE(f.items_rejected, 0), COALESCE(f.duration_ms, 0),
                    (SELECT COUNT(*) FROM document_sources ds WHERE ds.source_id = s.id)
             FROM sources s LEFT JOIN fetch_state f ON f.source_id = s.id ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceStatus {
                source: SourceRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    publisher: r.get(2)?,
                    publisher_short: r.get(3)?,
                    kind: r.get(4)?,
                    url: r.get(5)?,
                    schedule: r.get(6)?,
                    enabled: r.get(7)?,
                    spec: r.get(8)?,
                    managed: r.get(9)?,
                },
                last_attempt: r.get(10)?,
                last_success: r.get(11)?,
                last_error: r.get(12)?,
                items_seen: r.get(13)?,
                items_new: r.get(14)?,
                items_updated: r.get(15)?,
                items_rejected: r.get(16)?,
                duration_ms: r.get(17)?,
                documents: r.get(18)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Notes that a run of `source_id` starts.
    pub fn run_started(&mut self, source_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO fetch_state (source_id, last_fetch) VALUES (?1, ?2)
             ON CONFLICT(source_id) DO UPDATE SET last_fetch = excluded.last_fetch",
            params![source_id, now()],
        )?;
        Ok(())
    }

    /// Records how a run ended: counts, and the error if it failed.
    pub fn run_finished(
        &mut self,
        source_id: &str,
        counts: &RunCounts,
        error: Option<&str>,
        duration_ms: i64,
    ) -> Result<(), StoreError> {
        let t = now();
        self.conn.execute(
            "INSERT INTO fetch_state (source_id, last_fetch, last_ok, last_error, items_seen, items_new, items_updated, items_rejected, duration_ms)
             VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(source_id) DO UPDATE SET last_ok = COALESCE(CASE WHEN ?3 IS NULL THEN ?2 END, last_ok),
                last_error = ?3, items_seen = ?4, items_new = ?5, items_updated = ?6, items_rejected = ?7, duration_ms = ?8",
            params![source_id, t, error, counts.seen, counts.new, counts.updated, counts.rejected, duration_ms],
        )?;
        Ok(())
    }

    /// The incremental cursor of a source (OpenDataSoft: the newest
    /// `modified` seen).
    pub fn cursor(&self, source_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT cursor FROM fetch_state WHERE source_id = ?1", params![source_id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    pub fn set_cursor(&mut self, source_id: &str, cursor: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO fetch_state (source_id, cursor) VALUES (?1, ?2) ON CONFLICT(source_id) DO UPDATE SET cursor \
                = excluded.cursor",
            params![source_id, cursor],
        )?;
        Ok(())
    }

    /// Records rejected items, keeping the newest [`KEPT_REJECTIONS`].
    pub fn reject(&mut self, source_id: &str, items: &[(String, String)]) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let t = now();
        let cut = |s: &str, n: usize| match s.char_indices().nth(n) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s.to_owned(),
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (item, reason) in items {
            tx.execute(
                "INSERT INTO rejections (source_id, at, item, reason) VALUES (?1, ?2, ?3, ?4)",
                params![source_id, t, cut(item, 300), cut(reason, 500)],
            )?;
        }
        tx.execute(
            "DELETE FROM rejections WHERE source_id = ?1 AND id NOT IN
                (SELECT id FROM rejections WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2)",
            params![source_id, KEPT_REJECTIONS],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest rejected items of a source, newest first.
    pub fn rejections(&self, source_id: &str, limit: usize) -> Result<Vec<Rejection>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source_id, at, item, reason FROM rejections WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![source_id, limit as i64], |r| {
            Ok(Rejection { source_id: r.get(0)?, at: r.get(1)?, item: r.get(2)?, reason: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Those of `urls` whose document's file size was asked (known, or 0
    /// when its server said nothing).
    pub fn sized(&self, urls: &[String]) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM documents WHERE url = ?1 AND size IS NOT NULL")?;
        let mut out = std::collections::HashSet::new();
        for u in urls {
            if stmt.exists(params![u])? {
                out.insert(u.clone());
            }
        }
        Ok(out)
    }

    /// The validators (ETag, Last-Modified) last seen for a URL.
    pub fn validators(&self, url: &str) -> Result<(Option<String>, Option<String>), StoreError> {
        Ok(self
            .conn
            .query_row("SELECT etag, last_modified FROM http_cache WHERE url = ?1", params![url], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .unwrap_or((None, None)))
    }

    /// Remembers a URL's validators, once its content is safely stored.
    pub fn set_validators(
        &mut self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<(), StoreError> {
        if etag.is_none() && last_modified.is_none() {
            self.conn.execute("DELETE FROM http_cache WHERE url = ?1", params![url])?;
        } else {
            self.conn.execute(
                "INSERT INTO http_cache (url, etag, last_modified) VALUES (?1, ?2, ?3)
                 ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified",
                params![url, etag, last_modified],
            )?;
        }
        Ok(())
    }

    /// Forgets every validator of the URLs starting with `prefix` (a run
    /// with `--since` must see the whole response again).
    pub fn forget_validators(&mut self, prefix: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM http_cache WHERE substr(url, 1, length(?1)) = ?1", params![prefix])?;
        Ok(())
    }

    /// Consistency checks (tests, `sources`): every document has a source,
    /// revisions are unique and not beyond the counter.
    pub fn check(&self) -> Result<(), StoreError> {
        let ok: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(StoreError::Invalid(format!("integrity check: {ok}")));
        }
        let orphans: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM document_sources s \
                WHERE s.document_id = d.id)",
            [],
            |r| r.get(0),
        )?;
        let beyond: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM documents WHERE rev > (SELECT value FROM counters WHERE name = 'rev')",
            [],
            |r| r.get(0),
        )?;
        let dup: i64 = self.conn.query_row("SELECT COUNT(*) - COUNT(DISTINCT rev) FROM documents", [], |r| r.get(0))?;
        if orphans + beyond + dup > 0 {
            return Err(StoreError::Invalid(format!(
                "{orphans} documents without source, {beyond} beyond the revision counter, {dup} shared revisions"
            )));
        }
        Ok(())
    }
}

/// Writes a document's overrides (and the document it was merged into),
/// giving it a new revision; inside the caller's transaction.
pub(crate) fn write_override(
    tx: &Connection,
    id: i64,
    o: &Override,
    merged_into: Option<i64>,
) -> Result<(), StoreError> {
    let status = o.status.unwrap_or_default().as_str();
    let rev = next_rev(tx)?;
    let n = tx.execute("UPDATE documents SET rev = ?2 WHERE id = ?1", params![id, rev])?;
    if n == 0 {
        return Err(StoreError::Invalid(format!("no document {id}")));
    }
    tx.execute(
        "INSERT INTO overrides (document_id, title, summary, publisher, published, resource_type, themes, scope, territories,
                                status, featured, weight, updated_at, merged_into)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(document_id) DO UPDATE SET title = excluded.title, summary = excluded.summary,
            publisher = excluded.publisher, published = excluded.published, resource_type = excluded.resource_type,
            themes = excluded.themes, scope = excluded.scope, territories = excluded.territories, status = excluded.status,
            featured = excluded.featured, weight = excluded.weight, updated_at = excluded.updated_at, merged_into = excluded.merged_into",
        params![
            id,
            o.title,
            o.summary,
            o.publisher,
            o.published,
            o.resource_type,
            o.themes.as_deref().map(json),
            o.scope.as_deref().map(json),
            o.territories.as_deref().map(json),
            status,
            o.featured,
            o.weight,
            now(),
            merged_into
        ],
    )?;
    Ok(())
}

pub(crate) const SELECT_EFFECTIVE: &str = "SELECT d.id, d.url, COALESCE(o.title, d.title), COALESCE(o.summary, d.summary_text),
        CASE WHEN o.summary IS NULL THEN d.summary_html ELSE '' END,
        COALESCE(o.publisher, d.publisher), COALESCE(o.published, d.published),
        CASE WHEN o.published IS NULL THEN d.precision ELSE NULL END, COALESCE(o.resource_type, d.resource_type),
        COALESCE(o.themes, d.themes), COALESCE(o.scope, d.scope), COALESCE(o.territories, d.territories), d.subjects, d.image,
        COALESCE(o.status, 'published'), COALESCE(o.featured, 0), COALESCE(o.weight, 0), d.first_seen, d.last_updated, d.rev,
        d.licence, d.size
    FROM documents d LEFT JOIN overrides o ON o.document_id = d.id";

pub(crate) fn row_to_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<Document> {
    // An empty librarian's date clears the harvested one.
    let published: Option<String> = r.get::<_, Option<String>>(6)?.filter(|p| !p.is_empty());
    // A librarian's date carries its own precision.
    let precision: Option<String> = r
        .get::<_, Option<String>>(7)?
        .or_else(|| published.as_deref().and_then(crate::parse_date).map(|p| p.1.as_str().to_owned()));
    Ok(Document {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        summary: r.get(3)?,
        summary_html: r.get(4)?,
        publisher: r.get(5)?,
        published,
        precision,
        resource_type: r.get(8)?,
        themes: parse_list(&r.get::<_, String>(9)?),
        scope: parse_list(&r.get::<_, String>(10)?),
        territories: parse_list(&r.get::<_, String>(11)?),
        subjects: parse_list(&r.get::<_, String>(12)?),
        image: r.get(13)?,
        status: {
            let s: String = r.get(14)?;
            Status::parse(&s).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    14,
                    rusqlite::types::Type::Text,
                    format!("status {s:?}").into(),
                )
            })?
        },
        featured: r.get(15)?,
        weight: r.get(16)?,
        first_seen: r.get(17)?,
        last_updated: r.get(18)?,
        rev: r.get(19)?,
        licence: r.get(20)?,
        // 0: asked, unknown.
        size: r.get::<_, Option<i64>>(21)?.and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0),
    })
}

/// A harvested document for the tests of this crate.
#[cfg(test)]
pub(crate) fn test_doc(url: &str, title: &str, theme: &str) -> Harvested {
    Harvested {
        url: url.into(),
        title: title.into(),
        publisher: "Insee".into(),
        themes: vec![theme.into()],
        resource_type: "Publication statistique".into(),
        ..Harvested::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, title: &str) -> Harvested {
        test_doc(url, title, "Finances & Fiscalité")
    }

    #[test]
    fn migrations_are_versioned_and_idempotent() {
        let dir = std::env::temp_dir().join(format!("oc-library-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("library.sqlite");
        let mut lib = Library::open(&path).unwrap();
        assert_eq!(lib.version().unwrap(), MIGRATIONS.len() as i64);
        lib.upsert(&doc("https://a.fr/1", "Un"), "seed").unwrap();
        drop(lib);
        let lib = Library::open(&path).unwrap();
        assert_eq!(lib.version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(lib.published().unwrap().len(), 1, "data survives a reopen");
        drop(lib);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn curation_survives_ingestion() {
        let mut lib = Library::in_memory().unwrap();
        let a = lib.upsert(&doc("https://a.fr/1", "Titre moissonné"), "insee").unwrap().0;
        let b = lib.upsert(&doc("https://a.fr/2", "Deuxième"), "insee").unwrap().0;
        let c = lib.upsert(&doc("https://a.fr/3", "Troisième"), "insee").unwrap().0;
        // Re-classified, unpublished, deleted.
        lib.set_override(
            a,
            &Override {
                themes: Some(vec!["Parité".into()]),
                title: Some("Titre corrigé".into()),
                ..Override::default()
            },
        )
        .unwrap();
        lib.set_override(b, &Override { status: Some(Status::Unpublished), ..Override::default() }).unwrap();
        lib.set_override(c, &Override { status: Some(Status::Deleted), ..Override::default() }).unwrap();
        // The source is fetched again, with new harvested values.
        let mut again = doc("https://a.fr/1", "Titre moissonné v2");
        again.summary_text = "Nouveau résumé".into();
        assert_eq!(lib.upsert(&again, "insee").unwrap(), (a, Change::Updated), "same canonical URL, same document");
        lib.upsert(&doc("https://a.fr/2", "Deuxième v2"), "insee").unwrap();
        lib.upsert(&doc("https://a.fr/3", "Troisième v2"), "insee").unwrap();
        let d = lib.document(a).unwrap().unwrap();
        assert_eq!(d.title, "Titre corrigé");
        assert_eq!(d.themes, vec!["Parité"]);
        assert_eq!(d.summary, "Nouveau résumé", "harvested values not overridden still update");
        let published: Vec<i64> = lib.published().unwrap().iter().map(|d| d.id).collect();
        assert_eq!(published, vec![a], "unpublished and deleted stay so");
        assert!(lib.document(c).unwrap().is_none(), "a tombstone never comes back");
        assert_eq!(Status::parse("gone"), None, "an unknown status cannot even be written");
    }

    #[test]
    fn sources_add_up_instead_of_overwriting() {
        let mut lib = Library::in_memory().unwrap();
        let mut seed = doc("https://a.fr/1", "Titre");
        seed.themes = vec!["Parité".into(), "Santé & Social".into()];
        seed.resource_type = "Jeu de données".into();
        seed.summary_text = "Résumé du catalogue".into();
        let id = lib.upsert(&seed, "catalogue").unwrap().0;
        let mut feed = doc("https://a.fr/1", "Titre");
        feed.themes = vec!["Finances & Fiscalité".into()];
        feed.resource_type = "Publication statistique".into();
        assert_eq!(lib.upsert(&feed, "flux").unwrap(), (id, Change::Updated));
        let d = lib.document(id).unwrap().unwrap();
        assert_eq!(d.themes, vec!["Parité", "Santé & Social", "Finances & Fiscalité"]);
        assert_eq!(d.resource_type, "Jeu de données");
        assert_eq!(d.summary, "Résumé du catalogue", "an empty summary does not erase one");
        // Both sources again: nothing changes any more.
        assert_eq!(lib.upsert(&seed, "catalogue").unwrap().1, Change::Unchanged);
        assert_eq!(lib.upsert(&feed, "flux").unwrap().1, Change::Unchanged);
    }

    #[test]
    fn lists_round_trip() {
        let v = vec!["a\"b".to_owned(), "c\\d".into(), "é;ç".into(), "x\ny".into()];
        assert_eq!(parse_list(&json(&v)), v);
        assert!(parse_list("[]").is_empty());
    }
}
