//! The back office's list of documents: every status (not only what the
//! public index holds), a text search, crossed facets with their counts,
//! suspected duplicates, one page at a time.
//!
//! The store does the status filter and the order; the text and the facets
//! (lists kept as JSON in the store) are matched row by row as the rows are
//! read, and only the matching documents are kept. A back office of a few
//! librarians over a hundred thousand documents at most.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::params_from_iter;

use crate::curation::{select_admin, title_key, AdminDocument};
use crate::document::Status;
use crate::store::{row_to_doc, Library, StoreError};

/// Which documents by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every status but deleted.
    #[default]
    Current,
    Published,
    Unpublished,
    /// Not deleted, first seen after the given time (the librarian's last
    /// visit; every current document without one).
    New,
    /// Not deleted, with a title close to another's ([`title_key`]).
    Duplicates,
    Deleted,
}

/// A facet of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Theme,
    Scope,
    ResourceType,
    Publisher,
    Year,
}

impl Facet {
    pub const ALL: [Facet; 5] = [Facet::Theme, Facet::Scope, Facet::ResourceType, Facet::Publisher, Facet::Year];

    /// The values of a document for this facet.
    pub fn values_of(self, d: &AdminDocument) -> Vec<String> {
        match self {
            Facet::Theme => d.doc.themes.clone(),
            Facet::Scope => d.doc.scope.clone(),
            Facet::ResourceType => vec![d.doc.resource_type.clone()],
            Facet::Publisher => vec![d.doc.publisher.clone()],
            Facet::Year => {
                d.doc.published.as_deref().and_then(|p| p.get(..4)).map(|y| vec![y.to_owned()]).unwrap_or_default()
            }
        }
    }
}

/// What the librarian asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentQuery {
    /// Words of the title, summary, publisher or address (all of them), or
    /// a document number (`123`, `n° 123`).
    pub text: String,
    pub status: StatusFilter,
    /// For each facet, values a document must all have.
    pub facets: BTreeMap<Facet, Vec<String>>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
    /// The librarian's previous visit (RFC 3339), for [`StatusFilter::New`].
    pub since: Option<String>,
    /// Only the documents marked useful to all collectivités of a type (a
    /// type de territoire ticked) yet tied to one territory only: an
    /// example to check, or a classification to correct.
    pub one_territory_for_all: bool,
}

/// One page of the list, the facet counts over every match, the total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub rows: Vec<AdminDocument>,
    pub total: usize,
    /// For each facet, its values among the matches with their counts:
    /// the most frequent first (years: the newest first).
    pub facets: BTreeMap<Facet, Vec<(String, usize)>>,
    /// Every suspected duplicate (not only on this page).
    pub duplicates: HashSet<i64>,
}

/// The ids whose title key (at least 8 characters) another of them shares.
fn duplicate_ids<'a>(titles: impl Iterator<Item = (i64, &'a str)>) -> HashSet<i64> {
    let mut groups: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, title) in titles {
        let k = title_key(title);
        if k.len() >= 8 {
            groups.entry(k).or_default().push(id);
        }
    }
    groups.into_values().filter(|v| v.len() > 1).flatten().collect()
}

impl Library {
    /// Suspected duplicates among the documents not deleted.
    pub fn suspected_duplicate_ids(&self) -> Result<HashSet<i64>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT d.id, COALESCE(o.title, d.title) FROM documents d LEFT JOIN overrides o ON o.document_id = d.id \
             WHERE COALESCE(o.status, 'published') != 'deleted'",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let titles: Vec<(i64, String)> = rows.collect::<Result<_, _>>()?;
        Ok(duplicate_ids(titles.iter().map(|(id, t)| (*id, t.as_str()))))
    }

    /// The page of documents `q` asks for (see the module's doc).
    pub fn list_documents(&self, q: &DocumentQuery) -> Result<Listing, StoreError> {
        let duplicates = self.suspected_duplicate_ids()?;
        let status = "COALESCE(o.status, 'published')";
        let mut args: Vec<String> = Vec::new();
        let filter = match q.status {
            StatusFilter::Current | StatusFilter::Duplicates => format!("{status} != 'deleted'"),
            StatusFilter::Published => format!("{status} = '{}'", Status::Published.as_str()),
            StatusFilter::Unpublished => format!("{status} = '{}'", Status::Unpublished.as_str()),
            StatusFilter::Deleted => format!("{status} = 'deleted'"),
            StatusFilter::New => match &q.since {
                Some(t) => {
                    args.push(t.clone());
                    format!("{status} != 'deleted' AND d.first_seen > ?1")
                }
                None => format!("{status} != 'deleted'"),
            },
        };
        let sql = format!("{} WHERE {filter} ORDER BY d.first_seen DESC, d.id DESC", select_admin());
        let words: Vec<String> = oc_model::text::fold(&q.text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let number = q.text.trim_start_matches("n°").trim().parse::<i64>().ok();
        let matches = |d: &AdminDocument| -> bool {
            if q.status == StatusFilter::Duplicates && !duplicates.contains(&d.doc.id) {
                return false;
            }
            if q.one_territory_for_all && (d.doc.scope.is_empty() || d.doc.territories.len() != 1) {
                return false;
            }
            if number == Some(d.doc.id) {
                return true;
            }
            if !words.is_empty() {
                let hay = oc_model::text::fold(&format!(
                    "{} {} {} {}",
                    d.doc.title, d.doc.summary, d.doc.publisher, d.doc.url
                ));
                if !words.iter().all(|w| hay.contains(w.as_str())) {
                    return false;
                }
            }
            q.facets.iter().all(|(f, wanted)| {
                let have = f.values_of(d);
                wanted.iter().all(|w| have.contains(w))
            })
        };
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut kept = Vec::new();
        while let Some(r) = rows.next()? {
            let d = AdminDocument { doc: row_to_doc(r)?, merged_into: r.get(22)? };
            if matches(&d) {
                kept.push(d);
            }
        }
        let mut facets = BTreeMap::new();
        for f in Facet::ALL {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for d in &kept {
                for v in f.values_of(d) {
                    if !v.is_empty() {
                        *counts.entry(v).or_default() += 1;
                    }
                }
            }
            let mut v: Vec<(String, usize)> = counts.into_iter().collect();
            if f == Facet::Year {
                v.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            }
            facets.insert(f, v);
        }
        // Suspected duplicates side by side; otherwise the newest first.
        if q.status == StatusFilter::Duplicates {
            kept.sort_by_cached_key(|d| (title_key(&d.doc.title), d.doc.id));
        }
        let total = kept.len();
        let per_page = q.per_page.max(1);
        let rows = kept.into_iter().skip(q.page.saturating_sub(1) * per_page).take(per_page).collect();
        Ok(Listing { rows, total, facets, duplicates })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_doc, Override};

    fn ids(l: &Listing) -> Vec<i64> {
        l.rows.iter().map(|d| d.doc.id).collect()
    }

    #[test]
    fn statuses_facets_duplicates_and_pages() {
        let mut lib = Library::in_memory().unwrap();
        let a =
            lib.upsert(&test_doc("https://a.fr/1", "Les finances des communes en 2023", "Finances"), "s").unwrap().0;
        let b =
            lib.upsert(&test_doc("https://a.fr/2", "Les finances des communes en 2023 !", "Finances"), "s").unwrap().0;
        let c = lib.upsert(&test_doc("https://a.fr/3", "La parité dans les conseils", "Parité"), "s").unwrap().0;
        let d = lib.upsert(&test_doc("https://a.fr/4", "Dotations de l'État", "Finances"), "s").unwrap().0;
        lib.set_override(c, &Override { status: Some(Status::Unpublished), ..Override::default() }).unwrap();
        lib.delete_document(d, "test").unwrap();
        let list = |q: DocumentQuery| lib.list_documents(&DocumentQuery { per_page: 10, page: 1, ..q }).unwrap();

        let all = list(DocumentQuery::default());
        assert_eq!((all.total, ids(&all)), (3, vec![c, b, a]), "not deleted, the newest first");
        assert_eq!(all.facets[&Facet::Theme], vec![("Finances".to_owned(), 2), ("Parité".to_owned(), 1)]);
        assert_eq!(all.duplicates, HashSet::from([a, b]));
        let only = |status| ids(&list(DocumentQuery { status, ..DocumentQuery::default() }));
        assert_eq!(only(StatusFilter::Published), vec![b, a]);
        assert_eq!(only(StatusFilter::Unpublished), vec![c]);
        assert_eq!(only(StatusFilter::Deleted), vec![d]);
        assert_eq!(only(StatusFilter::Duplicates), vec![a, b], "side by side, by title then number");
        let since_all =
            list(DocumentQuery { status: StatusFilter::New, since: Some("9999".into()), ..Default::default() });
        assert_eq!(since_all.total, 0, "nothing is newer than the future");
        assert_eq!(only(StatusFilter::New).len(), 3, "without a last visit, every current document is new");

        let parite = list(DocumentQuery {
            facets: BTreeMap::from([(Facet::Theme, vec!["Parité".to_owned()])]),
            ..DocumentQuery::default()
        });
        assert_eq!(ids(&parite), vec![c]);
        assert_eq!(ids(&list(DocumentQuery { text: "conseils parite".into(), ..Default::default() })), vec![c]);
        assert_eq!(ids(&list(DocumentQuery { text: format!("n° {a}"), ..Default::default() })), vec![a]);
        let second = lib.list_documents(&DocumentQuery { per_page: 2, page: 2, ..DocumentQuery::default() }).unwrap();
        assert_eq!((second.total, ids(&second)), (3, vec![a]), "the total counts every page");
    }
}
