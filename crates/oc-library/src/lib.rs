//! The Bibliothèque (library) of Open Collectivités: what a document is and
//! where it lives. Read by the web server and written by the harvester
//! (`oc-harvest`), so it knows nothing about fetching.
//!
//! A guided tour:
//! - [`taxonomy`]: thématiques, types de territoire and types de ressource
//!   (from the original portal);
//! - [`canonical`]: the canonical URL of a document (the de-duplication key);
//! - [`Precision`] and [`parse_date`]: publication dates at the day, month
//!   or year;
//! - [`document`]: a document as a source gives it and as the portal shows
//!   it; [`error`]: the store's one error type;
//! - [`terms`]: taxonomy terms, librarians' renames, the first filling;
//! - [`source`]: the definition of a harvested source (registry, store
//!   and back office share it; the harvester checks it);
//! - [`store`]: the SQLite store (bundled, WAL, versioned migrations), the
//!   source of truth for documents, sources, fetch state and curation.
//!   Harvested values and librarian overrides live apart, so that fetching a
//!   source again never undoes a decision. Every change gets a revision
//!   number: the publications index (`oc-index`) follows the store by
//!   revision, so it can always be rebuilt or caught up;
//! - [`listing`]: the back office's list of documents (status, text,
//!   facets, duplicates, pages);
//! - [`accounts`]: back-office accounts (argon2id), sessions, login
//!   throttling;
//! - [`audit`]: the audit log, with its one writer;
//! - [`synonyms`]: acronyms and their expansions for the search (shipped
//!   list, librarians' edits, audited);
//! - [`curation`]: what librarians change: documents, taxonomies (renames
//!   propagate), merges, tombstones, fiche messages, managed sources.

pub mod accounts;
pub mod audit;
pub mod canonical;
pub mod curation;
pub mod document;
pub mod error;
pub mod listing;
pub mod source;
pub mod store;
pub mod synonyms;
pub mod taxonomy;
pub mod terms;

use serde::Serialize;

/// Precision of a publication date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Month,
    Year,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Precision> {
        match s {
            "day" => Some(Precision::Day),
            "month" => Some(Precision::Month),
            "year" => Some(Precision::Year),
            _ => None,
        }
    }
}

/// Parses a date `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a real calendar day).
pub fn parse_date(s: &str) -> Option<(String, Precision)> {
    let s = s.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize, max: u32| {
        p.len() == len && p.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).is_some()
    };
    match parts.as_slice() {
        [y] if num(y, 4, 9999) => Some((s.to_owned(), Precision::Year)),
        [y, m] if num(y, 4, 9999) && num(m, 2, 12) => Some((s.to_owned(), Precision::Month)),
        [y, m, d] if num(y, 4, 9999) && num(m, 2, 12) && num(d, 2, 31) => {
            let (y, m, d) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
            chrono::NaiveDate::from_ymd_opt(y, m, d)?;
            Some((s.to_owned(), Precision::Day))
        }
        _ => None,
    }
}

/// The current time, RFC 3339 in UTC to the second.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2023-05-17"), Some(("2023-05-17".into(), Precision::Day)));
        assert_eq!(parse_date("2023-05"), Some(("2023-05".into(), Precision::Month)));
        assert_eq!(parse_date(" 2023 "), Some(("2023".into(), Precision::Year)));
        for bad in ["2023-5", "2023-02-30", "23", "2023-13", "abcd", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
