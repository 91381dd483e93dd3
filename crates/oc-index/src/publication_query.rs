//! What a publications search asks and gets: the query (text, facet
//! filters, dates, sort, page), its limits, and the results. The first
//! stage of the search; `publication_search` runs it.

use std::collections::BTreeMap;

use serde::Serialize;

use oc_library::store::Document;

/// Results per page.
pub const PER_PAGE: usize = 20;

/// Deepest page served.
pub const MAX_PAGE: usize = 500;

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 300;

/// Most words and phrases in a query.
pub const MAX_CLAUSES: usize = 24;

/// Words this long (in characters) tolerate one typo.
pub const FUZZY_MIN_CHARS: usize = 7;

/// The facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    Theme,
    Scope,
    Type,
    Publisher,
    Year,
    Territory,
}

impl Facet {
    pub const ALL: [Facet; 6] =
        [Facet::Theme, Facet::Scope, Facet::Type, Facet::Publisher, Facet::Year, Facet::Territory];

    /// Its URL parameter.
    pub fn param(self) -> &'static str {
        match self {
            Facet::Theme => "theme",
            Facet::Scope => "scope",
            Facet::Type => "type",
            Facet::Publisher => "publisher",
            Facet::Year => "year",
            Facet::Territory => "territory",
        }
    }

    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

pub(crate) const RANGE_BIT: u8 = 1 << 7;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    Relevance,
    Date,
}

/// A search.
#[derive(Debug, Clone, PartialEq)]
pub struct PubQuery {
    pub q: String,
    /// Selected values per facet (years as text).
    pub filters: BTreeMap<Facet, Vec<String>>,
    /// Publication date bounds, `YYYYMMDD` (inclusive).
    pub from: Option<u64>,
    pub to: Option<u64>,
    /// `None`: relevance with a query, date without.
    pub sort: Option<Sort>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
    /// Only the documents useful to every collectivité of their types
    /// (not those about given territories): the fiches' « Utiles à… ».
    pub general_only: bool,
    /// Only the documents about one of these territories themselves (not
    /// about a territory inside them): the fiches' « Concernant… ».
    pub about: Vec<String>,
}

impl Default for PubQuery {
    fn default() -> Self {
        PubQuery {
            q: String::new(),
            filters: BTreeMap::new(),
            from: None,
            to: None,
            sort: None,
            page: 1,
            per_page: PER_PAGE,
            general_only: false,
            about: Vec::new(),
        }
    }
}

impl PubQuery {
    /// The order actually used.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(if self.q.trim().is_empty() { Sort::Date } else { Sort::Relevance })
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PubHit {
    pub doc: Document,
    pub score: f32,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PubResults {
    pub total: usize,
    pub hits: Vec<PubHit>,
    /// Per facet, `(value, count)`, most frequent first (years: newest
    /// first).
    pub facets: BTreeMap<Facet, Vec<(String, usize)>>,
    /// Nothing had every word: these results have some of them.
    pub relaxed: bool,
}

/// A query that cannot run, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SearchError(pub String);

pub(crate) enum Clause {
    Word(String),
    Phrase(String),
}

pub(crate) fn clauses(q: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let parts: Vec<&str> = q.split('"').collect();
    let balanced = parts.len() % 2 == 1;
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && (balanced || i + 1 < parts.len()) {
            if !part.trim().is_empty() {
                out.push(Clause::Phrase(part.trim().to_owned()));
            }
        } else {
            out.extend(part.split_whitespace().map(|w| Clause::Word(w.to_owned())));
        }
    }
    out
}

/// The librarians' ranking of a document in one number: "à la une" in
/// bit 32, the weight (-100 to 100) as thousandths above -100 below it.
pub fn rank_key(featured: bool, weight: f64) -> u64 {
    let w = if weight.is_finite() { weight.clamp(-100.0, 100.0) } else { 0.0 };
    (u64::from(featured) << 32) | ((w + 100.0) * 1000.0).round() as u64
}

/// The featured flag and weight of a [`rank_key`].
pub fn rank_of(key: u64) -> (bool, f64) {
    (key >> 32 == 1, (key & 0xFFFF_FFFF) as f64 / 1000.0 - 100.0)
}
