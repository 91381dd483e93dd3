//! The audit log: who changed what, when, with the values before and
//! after. [`record`] is its one writer (accounts, curation, sources and
//! runs all go through it); the readers list and filter it for the back
//! office.

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::now;
use crate::store::{Library, StoreError};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub user: Option<String>,
    /// An action or its prefix (`document`, `term.rename`…).
    pub action: Option<String>,
    /// Part of the target (`document:12`, `theme:Parité`…).
    pub target: Option<String>,
    /// Days `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Writes one audit entry, inside the caller's transaction: the one
/// writer of `audit_log`.
pub(crate) fn record(
    tx: &Connection,
    by: &str,
    action: &str,
    target: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO audit_log (at, user, action, target, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now(), by, action, target, before.map(|v| v.to_string()), after.map(|v| v.to_string())],
    )?;
    Ok(())
}

impl Library {
    /// The audit log, newest first.
    pub fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, at, user, action, target, before, after FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map(params![limit as i64], audit_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The audit log filtered, newest first: a page of entries and the
    /// number matching.
    pub fn audit_filtered(
        &self,
        f: &AuditFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<AuditEntry>, i64), StoreError> {
        let like = |s: &Option<String>| {
            s.as_deref().map(|v| format!("%{}%", v.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
        };
        // An action family (`document`) matches its actions and itself.
        let action = f.action.clone();
        let to = f.to.as_deref().map(|d| format!("{d}T23:59:59Z"));
        // A target written whole (`document:12`) matches exactly; a part of
        // one matches anywhere.
        let exact = f
            .target
            .as_deref()
            .filter(|t| t.split_once(':').is_some_and(|(k, v)| !k.is_empty() && !v.is_empty() && !v.contains(' ')))
            .map(str::to_owned);
        let target = if exact.is_some() { None } else { like(&f.target) };
        let filter = "WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR action = ?2 OR substr(action, 1, length(?2) + 1) = ?2 || '.') AND (?3 IS NULL OR target LIKE ?3 ESCAPE '\\') AND (?8 IS NULL OR target = ?8)
                      AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5)";
        let total: i64 = self.conn().query_row(
            &format!("SELECT COUNT(*) FROM audit_log {filter}"),
            params![f.user, action, target, f.from, to, 0, 0, exact],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn().prepare(&format!(
            "SELECT id, at, user, action, target, before, after FROM \
            audit_log {filter} ORDER BY id DESC LIMIT ?6 OFFSET ?7"
        ))?;
        let rows = stmt
            .query_map(params![f.user, action, target, f.from, to, limit as i64, offset as i64, exact], audit_entry)?;
        Ok((rows.collect::<Result<_, _>>()?, total))
    }

    /// The actions found in the audit log (for its filter).
    pub fn audit_actions(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// An audit entry from a row of `SELECT id, at, user, action, target,
/// before, after FROM audit_log`.
fn audit_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        user: r.get(2)?,
        action: r.get(3)?,
        target: r.get(4)?,
        before: r.get(5)?,
        after: r.get(6)?,
    })
}
