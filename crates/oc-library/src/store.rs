//! The library store: SQLite (bundled, WAL), the source of truth for
//! documents, sources, fetch state and curation. Harvested values and
//! librarian overrides live in separate tables, so that fetching a source
//! again never undoes a decision: an unpublished, deleted (tombstoned) or
//! re-classified document keeps it. Schema migrations are versioned and run
//! when the store opens.
//!
//! Every call blocks: async callers use `spawn_blocking`.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("library store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("library store: {0}")]
    Invalid(String),
}

/// Versioned migrations: index + 1 is the schema version they lead to.
const MIGRATIONS: &[&str] = &[
    // 1: documents, sources, curation, fetch state.
    "CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        publisher TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        summary_html TEXT NOT NULL DEFAULT '',
        summary_text TEXT NOT NULL DEFAULT '',
        publisher TEXT NOT NULL DEFAULT '',
        published TEXT,
        precision TEXT,
        resource_type TEXT NOT NULL DEFAULT '',
        themes TEXT NOT NULL DEFAULT '[]',
        scope TEXT NOT NULL DEFAULT '[]',
        territories TEXT NOT NULL DEFAULT '[]',
        subjects TEXT NOT NULL DEFAULT '[]',
        image TEXT,
        first_seen TEXT NOT NULL,
        last_updated TEXT NOT NULL
    );
    CREATE TABLE document_sources (
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        source_id TEXT NOT NULL,
        PRIMARY KEY (document_id, source_id)
    );
    CREATE TABLE overrides (
        document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        title TEXT,
        summary TEXT,
        publisher TEXT,
        published TEXT,
        resource_type TEXT,
        themes TEXT,
        scope TEXT,
        territories TEXT,
        status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'unpublished', 'deleted')),
        featured INTEGER NOT NULL DEFAULT 0,
        weight REAL NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE fetch_state (
        source_id TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        cursor TEXT,
        last_fetch TEXT,
        last_ok TEXT,
        last_error TEXT
    );",
];

/// A document as a source gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Harvested {
    /// Canonical URL.
    pub url: String,
    pub title: String,
    pub summary_html: String,
    pub summary_text: String,
    pub publisher: String,
    pub published: Option<String>,
    pub precision: Option<String>,
    pub resource_type: String,
    pub themes: Vec<String>,
    pub scope: Vec<String>,
    pub territories: Vec<String>,
    pub subjects: Vec<String>,
    pub image: Option<String>,
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
    /// `published`, `unpublished` or `deleted` (tombstone).
    pub status: Option<String>,
    pub featured: bool,
    pub weight: f64,
}

/// What the public sees: harvested values under the librarian's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub publisher: String,
    pub published: Option<String>,
    pub resource_type: String,
    pub themes: Vec<String>,
    pub scope: Vec<String>,
    pub territories: Vec<String>,
    pub status: String,
    pub featured: bool,
}

fn now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    secs.to_string()
}

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A JSON array of strings from the store (empty if unreadable).
fn parse_list(s: &str) -> Vec<String> {
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

impl Library {
    /// Opens (creating) the store at `path` and runs pending migrations.
    pub fn open(path: &Path) -> Result<Library, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
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
            return Err(StoreError::Invalid(format!("the store has schema version {version}, newer than this binary ({})", MIGRATIONS.len())));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", params![i as i64 + 1])?;
            tx.commit()?;
        }
        Ok(Library { conn })
    }

    /// The schema version.
    pub fn version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?)
    }

    /// Inserts or updates the harvested values of a document (keyed by its
    /// canonical URL) and records the source. Overrides are never touched.
    pub fn upsert(&mut self, doc: &Harvested, source_id: &str) -> Result<i64, StoreError> {
        if doc.url.is_empty() || doc.title.trim().is_empty() {
            return Err(StoreError::Invalid(format!("document without URL or title: {:?}", doc.url)));
        }
        let t = now();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO documents (url, title, summary_html, summary_text, publisher, published, precision, resource_type,
                                    themes, scope, territories, subjects, image, first_seen, last_updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
             ON CONFLICT(url) DO UPDATE SET title = excluded.title, summary_html = excluded.summary_html,
                summary_text = excluded.summary_text, publisher = excluded.publisher, published = excluded.published,
                precision = excluded.precision, resource_type = excluded.resource_type, themes = excluded.themes,
                scope = excluded.scope, territories = excluded.territories, subjects = excluded.subjects,
                image = excluded.image, last_updated = excluded.last_updated",
            params![
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
                t
            ],
        )?;
        let id: i64 = tx.query_row("SELECT id FROM documents WHERE url = ?1", params![doc.url], |r| r.get(0))?;
        tx.execute("INSERT OR IGNORE INTO document_sources (document_id, source_id) VALUES (?1, ?2)", params![id, source_id])?;
        tx.commit()?;
        Ok(id)
    }

    /// Records a librarian's decisions on a document.
    pub fn set_override(&mut self, id: i64, o: &Override) -> Result<(), StoreError> {
        let status = o.status.clone().unwrap_or_else(|| "published".into());
        if !matches!(status.as_str(), "published" | "unpublished" | "deleted") {
            return Err(StoreError::Invalid(format!("unknown status {status:?}")));
        }
        self.conn.execute(
            "INSERT INTO overrides (document_id, title, summary, publisher, published, resource_type, themes, scope, territories,
                                    status, featured, weight, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(document_id) DO UPDATE SET title = excluded.title, summary = excluded.summary,
                publisher = excluded.publisher, published = excluded.published, resource_type = excluded.resource_type,
                themes = excluded.themes, scope = excluded.scope, territories = excluded.territories, status = excluded.status,
                featured = excluded.featured, weight = excluded.weight, updated_at = excluded.updated_at",
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
                now()
            ],
        )?;
        Ok(())
    }

    /// The effective document (harvested values under overrides); `None`
    /// for an unknown or deleted one.
    pub fn document(&self, id: i64) -> Result<Option<Document>, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("{SELECT_EFFECTIVE} WHERE d.id = ?1 AND COALESCE(o.status, 'published') != 'deleted'"), params![id], row_to_doc)
            .optional()?)
    }

    /// Every published document, in id order.
    pub fn published(&self) -> Result<Vec<Document>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT_EFFECTIVE} WHERE COALESCE(o.status, 'published') = 'published' ORDER BY d.id"))?;
        let rows = stmt.query_map([], row_to_doc)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The id of the document with this canonical URL.
    pub fn id_of(&self, url: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row("SELECT id FROM documents WHERE url = ?1", params![url], |r| r.get(0)).optional()?)
    }
}

const SELECT_EFFECTIVE: &str = "SELECT d.id, d.url, COALESCE(o.title, d.title), COALESCE(o.summary, d.summary_text),
        COALESCE(o.publisher, d.publisher), COALESCE(o.published, d.published), COALESCE(o.resource_type, d.resource_type),
        COALESCE(o.themes, d.themes), COALESCE(o.scope, d.scope), COALESCE(o.territories, d.territories),
        COALESCE(o.status, 'published'), COALESCE(o.featured, 0)
    FROM documents d LEFT JOIN overrides o ON o.document_id = d.id";

fn row_to_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<Document> {
    Ok(Document {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        summary: r.get(3)?,
        publisher: r.get(4)?,
        published: r.get(5)?,
        resource_type: r.get(6)?,
        themes: parse_list(&r.get::<_, String>(7)?),
        scope: parse_list(&r.get::<_, String>(8)?),
        territories: parse_list(&r.get::<_, String>(9)?),
        status: r.get(10)?,
        featured: r.get(11)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, title: &str) -> Harvested {
        Harvested {
            url: url.into(),
            title: title.into(),
            publisher: "Insee".into(),
            themes: vec!["Finances & Fiscalité".into()],
            resource_type: "Publication statistique".into(),
            ..Harvested::default()
        }
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
        let a = lib.upsert(&doc("https://a.fr/1", "Titre moissonné"), "insee").unwrap();
        let b = lib.upsert(&doc("https://a.fr/2", "Deuxième"), "insee").unwrap();
        let c = lib.upsert(&doc("https://a.fr/3", "Troisième"), "insee").unwrap();
        // Re-classified, unpublished, deleted.
        lib.set_override(a, &Override { themes: Some(vec!["Parité".into()]), title: Some("Titre corrigé".into()), ..Override::default() }).unwrap();
        lib.set_override(b, &Override { status: Some("unpublished".into()), ..Override::default() }).unwrap();
        lib.set_override(c, &Override { status: Some("deleted".into()), ..Override::default() }).unwrap();
        // The source is fetched again, with new harvested values.
        let mut again = doc("https://a.fr/1", "Titre moissonné v2");
        again.summary_text = "Nouveau résumé".into();
        assert_eq!(lib.upsert(&again, "insee").unwrap(), a, "same canonical URL, same document");
        lib.upsert(&doc("https://a.fr/2", "Deuxième v2"), "insee").unwrap();
        lib.upsert(&doc("https://a.fr/3", "Troisième v2"), "insee").unwrap();
        let d = lib.document(a).unwrap().unwrap();
        assert_eq!(d.title, "Titre corrigé");
        assert_eq!(d.themes, vec!["Parité"]);
        assert_eq!(d.summary, "Nouveau résumé", "harvested values not overridden still update");
        let published: Vec<i64> = lib.published().unwrap().iter().map(|d| d.id).collect();
        assert_eq!(published, vec![a], "unpublished and deleted stay so");
        assert!(lib.document(c).unwrap().is_none(), "a tombstone never comes back");
        assert!(lib.set_override(a, &Override { status: Some("gone".into()), ..Override::default() }).is_err());
    }

    #[test]
    fn lists_round_trip() {
        let v = vec!["a\"b".to_owned(), "c\\d".into(), "é;ç".into(), "x\ny".into()];
        assert_eq!(parse_list(&json(&v)), v);
        assert!(parse_list("[]").is_empty());
    }
}
