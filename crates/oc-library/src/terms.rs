//! Taxonomy terms: their kinds, the renames librarians made (applied to
//! every harvested document) and the first filling of the taxonomies and
//! of the search's acronyms (the shipped list, `data/synonyms.csv`).

use std::collections::HashMap;

use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;

use crate::document::Harvested;
use crate::error::StoreError;
use crate::taxonomy::{RESOURCE_TYPES, SCOPES, THEMES};

/// Kinds of taxonomy terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    Theme,
    Scope,
    ResourceType,
    Publisher,
}

impl TermKind {
    pub const ALL: [TermKind; 4] = [TermKind::Theme, TermKind::Scope, TermKind::ResourceType, TermKind::Publisher];

    pub fn as_str(self) -> &'static str {
        match self {
            TermKind::Theme => "theme",
            TermKind::Scope => "scope",
            TermKind::ResourceType => "resource_type",
            TermKind::Publisher => "publisher",
        }
    }

    pub fn parse(s: &str) -> Option<TermKind> {
        TermKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The French name of the taxonomy.
    pub fn label(self) -> &'static str {
        match self {
            TermKind::Theme => "Thématiques",
            TermKind::Scope => "Types de territoire",
            TermKind::ResourceType => "Types de ressource",
            TermKind::Publisher => "Organismes auteurs",
        }
    }

    /// The documents' column holding this kind, and whether it is a list.
    pub(crate) fn column(self) -> (&'static str, bool) {
        match self {
            TermKind::Theme => ("themes", true),
            TermKind::Scope => ("scope", true),
            TermKind::ResourceType => ("resource_type", false),
            TermKind::Publisher => ("publisher", false),
        }
    }
}

/// One term of a taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub kind: TermKind,
    pub name: String,
    pub position: i64,
    pub retired: bool,
    /// Publishers: short name (Insee, DGCL…).
    pub acronym: String,
    /// Publishers: the parent organisation.
    pub parent: String,
    /// Documents (not deleted) carrying it.
    pub documents: i64,
}

/// Names renamed by librarians: old name → new name, per kind.
#[derive(Debug, Default)]
pub(crate) struct Aliases(HashMap<(String, String), String>);

impl Aliases {
    pub(crate) fn load(conn: &Connection) -> Result<Aliases, StoreError> {
        let mut stmt = conn.prepare_cached("SELECT kind, alias, name FROM term_aliases")?;
        let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
        Ok(Aliases(rows.collect::<Result<_, _>>()?))
    }

    fn get(&self, kind: TermKind, v: &str) -> Option<&String> {
        self.0.get(&(kind.as_str().to_owned(), v.to_owned()))
    }

    /// The document with renamed names replaced (`None`: nothing to do).
    pub(crate) fn apply(&self, d: &Harvested) -> Option<Harvested> {
        if self.0.is_empty() {
            return None;
        }
        let list = |kind: TermKind, l: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for v in l {
                let v = self.get(kind, v).unwrap_or(v);
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            out
        };
        let mut r = d.clone();
        r.themes = list(TermKind::Theme, &d.themes);
        r.scope = list(TermKind::Scope, &d.scope);
        if let Some(v) = self.get(TermKind::ResourceType, &d.resource_type) {
            r.resource_type = v.clone();
        }
        if let Some(v) = self.get(TermKind::Publisher, &d.publisher) {
            r.publisher = v.clone();
        }
        (r != *d).then_some(r)
    }
}

/// Fills the taxonomies on first use: the original portal's terms, and the
/// publishers the documents already name.
pub(crate) fn seed_terms(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let n: i64 = tx.query_row("SELECT COUNT(*) FROM terms", [], |r| r.get(0))?;
    if n == 0 {
        for (kind, names) in [
            (TermKind::Theme, &THEMES[..]),
            (TermKind::Scope, &SCOPES[..]),
            (TermKind::ResourceType, &RESOURCE_TYPES[..]),
        ] {
            for (i, name) in names.iter().enumerate() {
                tx.execute(
                    "INSERT INTO terms (kind, name, position) VALUES (?1, ?2, ?3)",
                    params![kind.as_str(), name, i as i64 + 1],
                )?;
            }
        }
        tx.execute(
            "INSERT OR IGNORE INTO terms (kind, name, position)
             SELECT 'publisher', publisher, ROW_NUMBER() OVER (ORDER BY publisher) FROM (SELECT DISTINCT publisher FROM documents WHERE publisher != '')",
            [],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The shipped list: `sigle,expressions` (expansions separated by `;`).
pub static SYNONYMS: &str = include_str!("../data/synonyms.csv");

/// Most expansions of one acronym.
pub const MAX_EXPANSIONS: usize = 8;

/// One acronym and its expansions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Synonym {
    pub acronym: String,
    pub expansions: Vec<String>,
}

/// Reads a list in the shipped format; a bad line is an error with its
/// number.
pub fn parse_synonyms(text: &str) -> Result<Vec<Synonym>, String> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut out: Vec<Synonym> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("ligne {line} : {e}"))?;
        let acronym = rec.get(0).unwrap_or("").trim().to_owned();
        let expansions = split(rec.get(1).unwrap_or(""));
        check_synonym(&acronym, &expansions).map_err(|e| format!("ligne {line} : {e}"))?;
        match out.iter_mut().find(|s| s.acronym.eq_ignore_ascii_case(&acronym)) {
            Some(s) => {
                for e in expansions {
                    if !s.expansions.contains(&e) {
                        s.expansions.push(e);
                    }
                }
            }
            None => out.push(Synonym { acronym, expansions }),
        }
    }
    Ok(out)
}

/// `a; b ;c` → `[a, b, c]`.
pub fn split(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in s.split(';').map(str::trim).filter(|x| !x.is_empty()) {
        if !out.iter().any(|y| y == x) {
            out.push(x.to_owned());
        }
    }
    out
}

pub(crate) fn check_synonym(acronym: &str, expansions: &[String]) -> Result<(), StoreError> {
    crate::error::check_text("sigle", acronym, 20, true)?;
    if acronym.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid("sigle : un seul mot, sans espace".into()));
    }
    if expansions.is_empty() {
        return Err(StoreError::Invalid("expressions : au moins une".into()));
    }
    if expansions.len() > MAX_EXPANSIONS {
        return Err(StoreError::Invalid(format!("expressions : au plus {MAX_EXPANSIONS}")));
    }
    for e in expansions {
        crate::error::check_text("expression", e, 160, true)?;
    }
    Ok(())
}

/// Fills the table from the shipped list (when migration 5 creates it).
pub(crate) fn seed_synonyms(tx: &Connection) -> Result<(), StoreError> {
    let list = parse_synonyms(SYNONYMS).map_err(StoreError::Invalid)?;
    for (i, s) in list.iter().enumerate() {
        tx.execute(
            "INSERT OR IGNORE INTO synonyms (acronym, expansions, position) VALUES (?1, ?2, ?3)",
            params![s.acronym, crate::document::json(&s.expansions), i as i64 + 1],
        )?;
    }
    Ok(())
}
