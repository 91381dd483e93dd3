//! What a document is: as a source gives it ([`Harvested`]) and as the
//! portal shows it, librarians' overrides applied ([`Document`]).

use serde::{Deserialize, Serialize};

/// Whether the public sees a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In the public search and notices (the default).
    #[default]
    Published,
    /// Kept in the back office only.
    Unpublished,
    /// A tombstone: gone from everywhere, and never brought back by a
    /// later harvest.
    Deleted,
}

impl Status {
    /// The stored and serialised name: `published`, `unpublished`, `deleted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Unpublished => "unpublished",
            Status::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Published, Status::Unpublished, Status::Deleted].into_iter().find(|x| x.as_str() == s)
    }
}

/// A document as a source gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Harvested {
    /// Canonical URL.
    pub url: String,
    pub title: String,
    /// Sanitised HTML.
    pub summary_html: String,
    pub summary_text: String,
    pub publisher: String,
    pub published: Option<String>,
    /// `day`, `month` or `year`.
    pub precision: Option<String>,
    pub resource_type: String,
    pub themes: Vec<String>,
    pub scope: Vec<String>,
    pub territories: Vec<String>,
    pub subjects: Vec<String>,
    pub image: Option<String>,
    /// The licence, as the source states it.
    pub licence: Option<String>,
    /// The size of the file the link leads to, in bytes (0: its server
    /// was asked and said nothing; it is not asked again).
    pub size: Option<u64>,
}

impl Harvested {
    /// A hash of every harvested value: equal hashes, nothing changed.
    pub(crate) fn content_hash(&self) -> String {
        let mut h = oc_model::hash::Fnv1a::new();
        let mut eat = |s: &str| {
            h.write(s.as_bytes());
            h.write(&[0x1f]);
        };
        for s in [&self.title, &self.summary_html, &self.summary_text, &self.publisher, &self.resource_type] {
            eat(s);
        }
        for s in [&self.published, &self.precision, &self.image] {
            eat(s.as_deref().unwrap_or("\u{0}"));
        }
        for l in [&self.themes, &self.scope, &self.territories, &self.subjects] {
            eat(&json(l));
        }
        // Added later: only hashed when known, so that the documents
        // harvested before keep their hash.
        if let Some(l) = &self.licence {
            eat("licence");
            eat(l);
        }
        if let Some(n) = self.size {
            eat("size");
            eat(&n.to_string());
        }
        format!("{:016x}", h.finish())
    }
}

/// What the public sees: harvested values under the librarian's.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Document {
    pub id: i64,
    pub url: String,
    pub title: String,
    /// Plain text.
    pub summary: String,
    /// Sanitised HTML (empty when a librarian rewrote the summary).
    pub summary_html: String,
    pub publisher: String,
    pub published: Option<String>,
    pub precision: Option<String>,
    pub resource_type: String,
    pub themes: Vec<String>,
    pub scope: Vec<String>,
    pub territories: Vec<String>,
    pub subjects: Vec<String>,
    pub image: Option<String>,
    pub status: Status,
    pub featured: bool,
    pub weight: f64,
    pub first_seen: String,
    pub last_updated: String,
    pub rev: i64,
    /// The licence, as the source states it.
    #[serde(default)]
    pub licence: Option<String>,
    /// The size of the file the link leads to, in bytes.
    #[serde(default)]
    pub size: Option<u64>,
}

/// The subject that marks a document tied to territories as an example
/// useful to all collectivités of its type (an Insee « dossier complet »
/// of one EPCI stands for every EPCI's).
pub const EXAMPLE_SUBJECT: &str = "Exemple utile à tous";

impl Document {
    /// Useful to every collectivité of its types de territoire: filed for
    /// a type, and about no territory in particular (or marked as an
    /// example). A document about given territories is « about » them.
    pub fn useful_to_all(&self) -> bool {
        !self.scope.is_empty() && (self.territories.is_empty() || self.subjects.iter().any(|s| s == EXAMPLE_SUBJECT))
    }
}

pub(crate) fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}
