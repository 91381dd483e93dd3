//! Curation by librarians (the back office): documents edited, published or
//! unpublished, merged, deleted as tombstones or added by hand; taxonomies
//! (thématiques, types de territoire, types de ressource, publishers) added,
//! renamed everywhere, reordered and retired; fiche messages; sources
//! managed in the back office.
//!
//! Every change is one immediate transaction that also writes its audit
//! entry (who, when, what, before and after) and gives each document it
//! touches a new revision, so the publications index follows.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::audit;
use crate::document::Status;
use crate::now;
use crate::store::{
    json, next_rev, parse_list, row_to_doc, write_override, Document, Harvested, Library, Override, StoreError,
    SELECT_EFFECTIVE,
};

pub use crate::terms::{Term, TermKind};

/// The pseudo-source of documents added by hand.
pub const MANUAL_SOURCE: &str = "saisie-manuelle";

/// A document as the back office sees it: its effective values, status
/// and where it was merged, plus what was harvested and from where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdminDocument {
    pub doc: Document,
    pub merged_into: Option<i64>,
}

/// What a librarian's form gives for a document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Edit {
    pub title: String,
    pub summary: String,
    pub publisher: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty: no date.
    pub published: String,
    pub resource_type: String,
    pub themes: Vec<String>,
    pub scope: Vec<String>,
    pub territories: Vec<String>,
    /// `published` or `unpublished` (deleting has its own call).
    pub status: Status,
    pub featured: bool,
    pub weight: f64,
    /// The revision the form was made from: a save after another change
    /// (a harvest, another librarian) is refused rather than undoing it.
    #[serde(skip)]
    pub expected_rev: Option<i64>,
}

/// A change made to many documents at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bulk {
    Publish,
    Unpublish,
    AddTheme(String),
    RemoveTheme(String),
}

/// A message shown at the top of a fiche between two dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FicheMessage {
    pub id: i64,
    /// `COM-34172`, `EPCI-243400017`, `DEP-34`, `REG-76`.
    pub territory: String,
    pub title: String,
    /// Plain text (paragraphs separated by blank lines).
    pub body: String,
    /// First day shown (`YYYY-MM-DD`), none: from now.
    pub starts: Option<String>,
    /// Last day shown, none: until removed.
    pub ends: Option<String>,
    pub updated_by: String,
    pub updated_at: String,
}

/// Normalised title for duplicate detection: the portal's one French fold
/// ([`oc_model::text::fold`]: lower case, accents and ligatures folded,
/// words of letters and digits).
pub fn title_key(title: &str) -> String {
    oc_model::text::fold(title)
}

fn doc_json(d: &AdminDocument) -> serde_json::Value {
    let mut v = serde_json::to_value(&d.doc).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        for k in ["summary_html", "rev", "last_updated", "first_seen", "image", "subjects", "precision"] {
            o.remove(k);
        }
        if let Some(m) = d.merged_into {
            o.insert("merged_into".into(), m.into());
        }
    }
    v
}

/// The effective columns plus the document a merged one went into.
pub(crate) fn select_admin() -> String {
    SELECT_EFFECTIVE.replacen(" FROM documents d", ", o.merged_into FROM documents d", 1)
}

/// The columns of a fiche message, in [`Library::message_row`]'s order.
const MESSAGE_COLUMNS: &str =
    "SELECT id, territory, title, body, starts, ends, updated_by, updated_at FROM fiche_messages";

const MAX_TITLE: usize = 500;
const MAX_SUMMARY: usize = 20_000;

pub(crate) use crate::error::check_text;

/// `REG-76`, `DEP-2A`, `COM-34172`, `EPCI-243400017`: the shape only.
pub fn valid_territory_code(t: &str) -> bool {
    t.parse::<oc_model::TerritoryKey>().is_ok()
}

impl Library {
    fn admin_row(conn: &Connection, id: i64) -> Result<Option<AdminDocument>, StoreError> {
        Ok(conn
            .query_row(&format!("{} WHERE d.id = ?1", select_admin()), params![id], |r| {
                Ok(AdminDocument { doc: row_to_doc(r)?, merged_into: r.get(22)? })
            })
            .optional()?)
    }

    /// [`Library::admin_row`], or the error naming the missing document.
    fn existing(conn: &Connection, id: i64) -> Result<AdminDocument, StoreError> {
        Self::admin_row(conn, id)?.ok_or_else(|| StoreError::Invalid(format!("aucun document {id}")))
    }

    /// Any document, deleted ones included.
    pub fn admin_document(&self, id: i64) -> Result<Option<AdminDocument>, StoreError> {
        Self::admin_row(self.conn(), id)
    }

    /// Every document, deleted ones included, in id order.
    pub fn admin_documents(&self) -> Result<Vec<AdminDocument>, StoreError> {
        let mut stmt = self.conn().prepare(&format!("{} ORDER BY d.id", select_admin()))?;
        let rows = stmt.query_map([], |r| Ok(AdminDocument { doc: row_to_doc(r)?, merged_into: r.get(22)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sources a document came from.
    pub fn document_sources(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt =
            self.conn().prepare("SELECT source_id FROM document_sources WHERE document_id = ?1 ORDER BY source_id")?;
        let rows = stmt.query_map(params![id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The document a merged one now lives in (following chains).
    pub fn merged_target(&self, id: i64) -> Result<Option<i64>, StoreError> {
        let mut cur = id;
        for _ in 0..16 {
            let next: Option<i64> = self
                .conn()
                .query_row("SELECT merged_into FROM overrides WHERE document_id = ?1", params![cur], |r| r.get(0))
                .optional()?
                .flatten();
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        Ok((cur != id).then_some(cur))
    }

    /// Checks a form's values against the taxonomies (retired terms are
    /// accepted only where the document already has them).
    fn check_edit(conn: &Connection, e: &Edit, current: Option<&Document>) -> Result<(), StoreError> {
        check_text("titre", &e.title, MAX_TITLE, true)?;
        check_text("résumé", &e.summary, MAX_SUMMARY, false)?;
        check_text("organisme auteur", &e.publisher, 200, false)?;
        if !e.published.trim().is_empty() && crate::parse_date(&e.published).is_none() {
            return Err(StoreError::Invalid(format!(
                "date de publication invalide ({:?}) : AAAA, AAAA-MM ou AAAA-MM-JJ",
                e.published
            )));
        }
        // Deleting is its own action (a tombstone), never an edit.
        if e.status == Status::Deleted {
            return Err(StoreError::Invalid(format!("statut inconnu {:?}", e.status.as_str())));
        }
        if !e.weight.is_finite() || !(-100.0..=100.0).contains(&e.weight) {
            return Err(StoreError::Invalid("poids : un nombre entre -100 et 100".into()));
        }
        let live = |kind: TermKind| -> Result<Vec<(String, bool)>, StoreError> {
            let mut stmt = conn.prepare_cached("SELECT name, retired FROM terms WHERE kind = ?1")?;
            let rows = stmt.query_map(params![kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let check = |kind: TermKind, values: &[String], had: &[String]| -> Result<(), StoreError> {
            let terms = live(kind)?;
            for v in values {
                match terms.iter().find(|(n, _)| n == v) {
                    Some((_, false)) => {}
                    Some((_, true)) if had.contains(v) => {}
                    Some((_, true)) => {
                        return Err(StoreError::Invalid(format!("{} : « {v} » est retiré", kind.label())))
                    }
                    None => return Err(StoreError::Invalid(format!("{} : « {v} » inconnu", kind.label()))),
                }
            }
            Ok(())
        };
        let empty = Vec::new();
        check(TermKind::Theme, &e.themes, current.map_or(&empty, |d| &d.themes))?;
        check(TermKind::Scope, &e.scope, current.map_or(&empty, |d| &d.scope))?;
        if !e.resource_type.is_empty() {
            check(
                TermKind::ResourceType,
                std::slice::from_ref(&e.resource_type),
                &current.map(|d| vec![d.resource_type.clone()]).unwrap_or_default(),
            )?;
        }
        if let Some(t) = e.territories.iter().find(|t| !valid_territory_code(t)) {
            return Err(StoreError::Invalid(format!(
                "territoire {t:?} : REG-76, DEP-34, COM-34172 ou EPCI-243400017 par exemple"
            )));
        }
        Ok(())
    }

    /// The harvested values of a document.
    fn harvested(conn: &Connection, id: i64) -> Result<Option<Harvested>, StoreError> {
        Ok(conn
            .query_row(
                "SELECT url, title, summary_text, publisher, published, resource_type, themes, scope, territories \
                    FROM documents WHERE id = ?1",
                params![id],
                |r| {
                    Ok(Harvested {
                        url: r.get(0)?,
                        title: r.get(1)?,
                        summary_text: r.get(2)?,
                        publisher: r.get(3)?,
                        published: r.get(4)?,
                        resource_type: r.get(5)?,
                        themes: parse_list(&r.get::<_, String>(6)?),
                        scope: parse_list(&r.get::<_, String>(7)?),
                        territories: parse_list(&r.get::<_, String>(8)?),
                        ..Harvested::default()
                    })
                },
            )
            .optional()?)
    }

    /// The override a form makes: a field equal to the harvested value is
    /// not overridden (later harvests keep updating it).
    fn override_of(h: &Harvested, e: &Edit) -> Override {
        fn diff<T: PartialEq + Clone>(v: &T, harvested: &T) -> Option<T> {
            (v != harvested).then(|| v.clone())
        }
        let published = e.published.trim().to_owned();
        Override {
            title: diff(&e.title.trim().to_owned(), &h.title),
            summary: diff(&e.summary.trim().to_owned(), &h.summary_text),
            publisher: diff(&e.publisher.trim().to_owned(), &h.publisher),
            published: (Some(published.clone()).filter(|p| !p.is_empty()) != h.published).then_some(published),
            resource_type: diff(&e.resource_type, &h.resource_type),
            themes: diff(&e.themes, &h.themes),
            scope: diff(&e.scope, &h.scope),
            territories: diff(&e.territories, &h.territories),
            status: Some(e.status),
            featured: e.featured,
            weight: e.weight,
        }
    }

    /// Saves a librarian's edit of a document.
    pub fn edit_document(&mut self, id: i64, e: &Edit, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = Self::existing(&tx, id)?;
        if before.doc.status == Status::Deleted {
            return Err(StoreError::Invalid(format!("le document {id} est supprimé ; restaurez-le d'abord")));
        }
        if e.expected_rev.is_some_and(|r| r != before.doc.rev) {
            return Err(StoreError::Invalid(
                "le document a changé depuis l'ouverture de ce formulaire (nouvelle moisson ou autre bibliothécaire) \
                    : rechargez la page, vos saisies sont à refaire sur la version à jour"
                    .into(),
            ));
        }
        Self::check_edit(&tx, e, Some(&before.doc))?;
        let h = Self::harvested(&tx, id)?.ok_or_else(|| StoreError::Invalid(format!("aucun document {id}")))?;
        if !e.publisher.trim().is_empty() {
            add_publisher_term(&tx, e.publisher.trim(), by)?;
        }
        write_override(&tx, id, &Self::override_of(&h, e), None)?;
        let after = Self::existing(&tx, id)?;
        audit::record(
            &tx,
            by,
            "document.edit",
            &format!("document:{id}"),
            Some(&doc_json(&before)),
            Some(&doc_json(&after)),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The form values of a document as it is now.
    pub fn edit_of(d: &Document) -> Edit {
        Edit {
            title: d.title.clone(),
            summary: d.summary.clone(),
            publisher: d.publisher.clone(),
            published: d.published.clone().unwrap_or_default(),
            resource_type: d.resource_type.clone(),
            themes: d.themes.clone(),
            scope: d.scope.clone(),
            territories: d.territories.clone(),
            status: if d.status == Status::Unpublished { Status::Unpublished } else { Status::Published },
            featured: d.featured,
            weight: d.weight,
            expected_rev: None,
        }
    }

    /// Applies one change to many documents (one audit entry each); returns
    /// how many changed.
    pub fn bulk(&mut self, ids: &[i64], action: &Bulk, by: &str) -> Result<usize, StoreError> {
        if ids.len() > 1000 {
            return Err(StoreError::Invalid("au plus 1 000 documents à la fois".into()));
        }
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Bulk::AddTheme(t) = action {
            let ok: Option<bool> = tx
                .query_row("SELECT retired FROM terms WHERE kind = 'theme' AND name = ?1", params![t], |r| r.get(0))
                .optional()?;
            if ok != Some(false) {
                return Err(StoreError::Invalid(format!("thématique inconnue ou retirée : « {t} »")));
            }
        }
        let mut n = 0;
        for &id in ids {
            let before = Self::existing(&tx, id)?;
            if before.doc.status == Status::Deleted {
                continue;
            }
            let mut e = Self::edit_of(&before.doc);
            match action {
                Bulk::Publish => e.status = Status::Published,
                Bulk::Unpublish => e.status = Status::Unpublished,
                Bulk::AddTheme(t) => {
                    if !e.themes.contains(t) {
                        e.themes.push(t.clone());
                    }
                }
                Bulk::RemoveTheme(t) => e.themes.retain(|x| x != t),
            }
            if e == Self::edit_of(&before.doc) {
                continue;
            }
            let h = Self::harvested(&tx, id)?.unwrap_or_default();
            write_override(&tx, id, &Self::override_of(&h, &e), None)?;
            let after = Self::existing(&tx, id)?;
            let action_name = match action {
                Bulk::Publish => "document.publish",
                Bulk::Unpublish => "document.unpublish",
                Bulk::AddTheme(_) => "document.theme_add",
                Bulk::RemoveTheme(_) => "document.theme_remove",
            };
            audit::record(
                &tx,
                by,
                action_name,
                &format!("document:{id}"),
                Some(&doc_json(&before)),
                Some(&doc_json(&after)),
            )?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Deletes a document as a tombstone: it leaves the library and no
    /// harvest brings it back; `restore` undoes it.
    pub fn delete_document(&mut self, id: i64, by: &str) -> Result<(), StoreError> {
        self.set_deleted(id, true, by)
    }

    /// Brings back a deleted (not merged) document, unpublished.
    pub fn restore_document(&mut self, id: i64, by: &str) -> Result<(), StoreError> {
        self.set_deleted(id, false, by)
    }

    fn set_deleted(&mut self, id: i64, deleted: bool, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = Self::existing(&tx, id)?;
        if (before.doc.status == Status::Deleted) == deleted {
            return Err(StoreError::Invalid(format!(
                "le document {id} est déjà {}",
                if deleted { "supprimé" } else { "présent" }
            )));
        }
        if let Some(m) = before.merged_into {
            return Err(StoreError::Invalid(format!(
                "le document {id} a été fusionné dans le document n° {m} : il ne se restaure pas"
            )));
        }
        let h = Self::harvested(&tx, id)?.unwrap_or_default();
        let mut e = Self::edit_of(&before.doc);
        e.status = Status::Unpublished;
        let mut o = Self::override_of(&h, &e);
        if deleted {
            o.status = Some(Status::Deleted);
        }
        write_override(&tx, id, &o, None)?;
        let after = Self::existing(&tx, id)?;
        audit::record(
            &tx,
            by,
            if deleted { "document.delete" } else { "document.restore" },
            &format!("document:{id}"),
            Some(&doc_json(&before)),
            Some(&doc_json(&after)),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Merges `from` into `into`: `into` gains `from`'s thématiques, types
    /// de territoire and territories; `from` becomes a tombstone whose
    /// address redirects to `into`.
    pub fn merge_documents(&mut self, from: i64, into: i64, by: &str) -> Result<(), StoreError> {
        if from == into {
            return Err(StoreError::Invalid("un document ne peut pas être fusionné avec lui-même".into()));
        }
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let a = Self::existing(&tx, from)?;
        let b = Self::existing(&tx, into)?;
        if a.doc.status == Status::Deleted || b.doc.status == Status::Deleted {
            return Err(StoreError::Invalid("on ne fusionne pas un document supprimé".into()));
        }
        let hb = Self::harvested(&tx, into)?.unwrap_or_default();
        let mut e = Self::edit_of(&b.doc);
        for (dst, src) in
            [(&mut e.themes, &a.doc.themes), (&mut e.scope, &a.doc.scope), (&mut e.territories, &a.doc.territories)]
        {
            for v in src {
                if !dst.contains(v) {
                    dst.push(v.clone());
                }
            }
        }
        if e.summary.is_empty() {
            e.summary = a.doc.summary.clone();
        }
        write_override(&tx, into, &Self::override_of(&hb, &e), None)?;
        let ha = Self::harvested(&tx, from)?.unwrap_or_default();
        let mut o = Self::override_of(&ha, &Self::edit_of(&a.doc));
        o.status = Some(Status::Deleted);
        write_override(&tx, from, &o, Some(into))?;
        tx.execute(
            "INSERT OR IGNORE INTO document_sources (document_id, source_id) SELECT ?2, source_id FROM \
            document_sources WHERE document_id = ?1",
            params![from, into],
        )?;
        let after_b = Self::existing(&tx, into)?;
        audit::record(
            &tx,
            by,
            "document.merge",
            &format!("document:{from}"),
            Some(&serde_json::json!({ "from": doc_json(&a), "into": doc_json(&b) })),
            Some(&serde_json::json!({ "merged_into": into, "into": doc_json(&after_b) })),
        )?;
        audit::record(
            &tx,
            by,
            "document.merge_target",
            &format!("document:{into}"),
            Some(&doc_json(&b)),
            Some(&serde_json::json!({ "merged_from": from, "doc": doc_json(&after_b) })),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a document by hand (its values are the librarian's: later
    /// harvests of the same address do not overwrite them).
    pub fn add_document(&mut self, url: &str, e: &Edit, by: &str) -> Result<i64, StoreError> {
        if url.trim().is_empty() {
            return Err(StoreError::Invalid("adresse : obligatoire".into()));
        }
        let url = crate::canonical::canonical_url(url).map_err(|_| {
            StoreError::Invalid(format!(
                "adresse invalide ({:?}) : une adresse complète, commençant par https:// ou http://",
                url.trim()
            ))
        })?;
        // One transaction: the document never exists without its values.
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: Option<i64> =
            tx.query_row("SELECT id FROM documents WHERE url = ?1", params![url], |r| r.get(0)).optional()?;
        if let Some(id) = exists {
            return Err(StoreError::Invalid(format!("cette adresse est déjà celle du document n° {id}")));
        }
        Self::check_edit(&tx, e, None)?;
        let published = crate::parse_date(&e.published);
        let h = Harvested {
            url: url.clone(),
            title: e.title.trim().to_owned(),
            summary_text: e.summary.trim().to_owned(),
            publisher: e.publisher.trim().to_owned(),
            published: published.as_ref().map(|p| p.0.clone()),
            precision: published.as_ref().map(|p| p.1.as_str().to_owned()),
            resource_type: e.resource_type.clone(),
            themes: e.themes.clone(),
            scope: e.scope.clone(),
            territories: e.territories.clone(),
            ..Harvested::default()
        };
        if h.title.is_empty() {
            return Err(StoreError::Invalid("titre : obligatoire".into()));
        }
        let (id, _) = crate::store::upsert_in(&tx, std::slice::from_ref(&h), MANUAL_SOURCE)?
            .pop()
            .ok_or_else(|| StoreError::Invalid("document non enregistré".into()))?;
        let o = Override {
            title: Some(h.title.clone()),
            summary: Some(h.summary_text.clone()),
            publisher: Some(h.publisher.clone()),
            published: h.published.clone(),
            resource_type: Some(h.resource_type.clone()),
            themes: Some(h.themes.clone()),
            scope: Some(h.scope.clone()),
            territories: Some(h.territories.clone()),
            status: Some(e.status),
            featured: e.featured,
            weight: e.weight,
        };
        write_override(&tx, id, &o, None)?;
        let after = Self::existing(&tx, id)?;
        audit::record(&tx, by, "document.add", &format!("document:{id}"), None, Some(&doc_json(&after)))?;
        tx.commit()?;
        Ok(id)
    }

    // --- Taxonomies ---

    /// The terms of a taxonomy in their order, with document counts.
    pub fn terms(&self, kind: TermKind) -> Result<Vec<Term>, StoreError> {
        let (col, list) = kind.column();
        let count = if list {
            format!(
                "(SELECT COUNT(*) FROM documents d LEFT JOIN overrides o ON o.document_id = d.id
                  WHERE COALESCE(o.status, 'published') != 'deleted' AND EXISTS (SELECT 1 FROM json_each(COALESCE(o.{col}, d.{col})) j WHERE j.value = t.name))"
            )
        } else {
            format!(
                "(SELECT COUNT(*) FROM documents d LEFT JOIN overrides o ON o.document_id = d.id
                  WHERE COALESCE(o.status, 'published') != 'deleted' AND COALESCE(o.{col}, d.{col}) = t.name)"
            )
        };
        let mut stmt = self.conn().prepare(&format!(
            "SELECT t.name, t.position, t.retired, t.acronym, t.parent, \
            {count} FROM terms t WHERE t.kind = ?1 ORDER BY t.position, t.name"
        ))?;
        let rows = stmt.query_map(params![kind.as_str()], |r| {
            Ok(Term {
                kind,
                name: r.get(0)?,
                position: r.get(1)?,
                retired: r.get(2)?,
                acronym: r.get(3)?,
                parent: r.get(4)?,
                documents: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names of a taxonomy's terms in order (retired ones too when
    /// asked), without counting documents.
    pub fn term_names(&self, kind: TermKind, with_retired: bool) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name FROM terms WHERE kind = ?1 AND (?2 OR retired = 0) ORDER BY position, name")?;
        let rows = stmt.query_map(params![kind.as_str(), with_retired], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names renamed by librarians: (kind, old name, new name).
    pub fn term_aliases(&self) -> Result<Vec<(TermKind, String, String)>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT kind, alias, name FROM term_aliases")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (k, a, n) = r?;
            if let Some(k) = TermKind::parse(&k) {
                out.push((k, a, n));
            }
        }
        Ok(out)
    }

    /// Adds a term at the end of its taxonomy.
    pub fn add_term(
        &mut self,
        kind: TermKind,
        name: &str,
        acronym: &str,
        parent: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let name = name.trim();
        check_text("nom", name, 120, true)?;
        check_text("sigle", acronym, 40, false)?;
        check_text("organisme parent", parent, 200, false)?;
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Names differing only by case or accents are the same term.
        let key = crate::curation::title_key(name);
        let same: Option<(String, bool)> = {
            let mut stmt = tx.prepare("SELECT name, retired FROM terms WHERE kind = ?1")?;
            let rows =
                stmt.query_map(params![kind.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
            let mut found = None;
            for r in rows {
                let (n, retired) = r?;
                if n == name || crate::curation::title_key(&n) == key {
                    found = Some((n, retired));
                }
            }
            found
        };
        if let Some((n, retired)) = same {
            let hint = if retired { " (retiré : utilisez « Rétablir »)" } else { "" };
            return Err(StoreError::Invalid(format!("« {n} » existe déjà dans {}{hint}", kind.label().to_lowercase())));
        }
        tx.execute(
            "INSERT INTO terms (kind, name, position, acronym, parent) SELECT ?1, ?2, COALESCE(MAX(position), 0) + 1, \
                ?3, ?4 FROM terms WHERE kind = ?1",
            params![kind.as_str(), name, acronym.trim(), parent.trim()],
        )?;
        // A name given back is no longer an alias of another.
        tx.execute("DELETE FROM term_aliases WHERE kind = ?1 AND alias = ?2", params![kind.as_str(), name])?;
        audit::record(
            &tx,
            by,
            "term.add",
            &format!("{}:{name}", kind.as_str()),
            None,
            Some(&serde_json::json!({ "name": name, "acronym": acronym.trim(), "parent": parent.trim() })),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Renames a term everywhere: every document (harvested values and
    /// overrides), and later harvests through an alias. Returns how many
    /// documents changed.
    pub fn rename_term(&mut self, kind: TermKind, old: &str, new: &str, by: &str) -> Result<usize, StoreError> {
        let new = new.trim();
        check_text("nouveau nom", new, 120, true)?;
        if old == new {
            return Ok(0);
        }
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<i64> = tx
            .query_row("SELECT position FROM terms WHERE kind = ?1 AND name = ?2", params![kind.as_str(), old], |r| {
                r.get(0)
            })
            .optional()?;
        if found.is_none() {
            return Err(StoreError::Invalid(format!("« {old} » n'existe pas dans {}", kind.label().to_lowercase())));
        }
        let taken: Option<i64> = tx
            .query_row("SELECT position FROM terms WHERE kind = ?1 AND name = ?2", params![kind.as_str(), new], |r| {
                r.get(0)
            })
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::Invalid(format!("« {new} » existe déjà dans {}", kind.label().to_lowercase())));
        }
        tx.execute("UPDATE terms SET name = ?3 WHERE kind = ?1 AND name = ?2", params![kind.as_str(), old, new])?;
        if kind == TermKind::Publisher {
            tx.execute("UPDATE terms SET parent = ?2 WHERE kind = 'publisher' AND parent = ?1", params![old, new])?;
        }
        tx.execute(
            "UPDATE term_aliases SET name = ?3 WHERE kind = ?1 AND name = ?2",
            params![kind.as_str(), old, new],
        )?;
        tx.execute("DELETE FROM term_aliases WHERE kind = ?1 AND alias = ?2", params![kind.as_str(), new])?;
        tx.execute(
            "INSERT OR REPLACE INTO term_aliases (kind, alias, name) VALUES (?1, ?2, ?3)",
            params![kind.as_str(), old, new],
        )?;
        let (col, list) = kind.column();
        let mut changed: std::collections::BTreeSet<i64> = Default::default();
        for table in ["documents", "overrides"] {
            let idcol = if table == "documents" { "id" } else { "document_id" };
            let rows: Vec<(i64, String)> = {
                let sql = if list {
                    format!(
                        "SELECT {idcol}, {col} FROM {table} WHERE {col} IS NOT NULL AND EXISTS (SELECT 1 FROM \
                        json_each({col}) j WHERE j.value = ?1)"
                    )
                } else {
                    format!("SELECT {idcol}, {col} FROM {table} WHERE {col} = ?1")
                };
                let mut stmt = tx.prepare(&sql)?;
                let rows = stmt.query_map(params![old], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            for (id, v) in rows {
                let value = if list {
                    let mut out: Vec<String> = Vec::new();
                    for x in parse_list(&v) {
                        let x = if x == old { new.to_owned() } else { x };
                        if !out.contains(&x) {
                            out.push(x);
                        }
                    }
                    json(&out)
                } else {
                    new.to_owned()
                };
                // The content hash is forgotten: the next harvest (under the
                // alias) rewrites the same values once.
                let extra = if table == "documents" { ", content_hash = ''" } else { "" };
                tx.execute(&format!("UPDATE {table} SET {col} = ?2{extra} WHERE {idcol} = ?1"), params![id, value])?;
                changed.insert(id);
            }
        }
        for id in &changed {
            let rev = next_rev(&tx)?;
            tx.execute("UPDATE documents SET rev = ?2 WHERE id = ?1", params![id, rev])?;
        }
        audit::record(
            &tx,
            by,
            "term.rename",
            &format!("{}:{old}", kind.as_str()),
            Some(&serde_json::json!({ "name": old })),
            Some(&serde_json::json!({ "name": new, "documents": changed.len() })),
        )?;
        tx.commit()?;
        Ok(changed.len())
    }

    /// Moves a term one place up (`-1`) or down (`+1`).
    pub fn move_term(&mut self, kind: TermKind, name: &str, delta: i64, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let names: Vec<String> = {
            let mut stmt = tx.prepare("SELECT name FROM terms WHERE kind = ?1 ORDER BY position, name")?;
            let rows = stmt.query_map(params![kind.as_str()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let i = names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| StoreError::Invalid(format!("« {name} » n'existe pas")))?;
        let j = i as i64 + delta.signum();
        if j < 0 || j >= names.len() as i64 {
            return Ok(());
        }
        let mut order = names.clone();
        order.swap(i, j as usize);
        for (p, n) in order.iter().enumerate() {
            tx.execute(
                "UPDATE terms SET position = ?3 WHERE kind = ?1 AND name = ?2",
                params![kind.as_str(), n, p as i64 + 1],
            )?;
        }
        audit::record(
            &tx,
            by,
            "term.move",
            &format!("{}:{name}", kind.as_str()),
            Some(&serde_json::json!({ "position": i + 1 })),
            Some(&serde_json::json!({ "position": j + 1 })),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Retires a term (no longer offered; documents keep it) or brings it
    /// back.
    pub fn set_term_retired(&mut self, kind: TermKind, name: &str, retired: bool, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE terms SET retired = ?3 WHERE kind = ?1 AND name = ?2",
            params![kind.as_str(), name, retired],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("« {name} » n'existe pas")));
        }
        audit::record(
            &tx,
            by,
            if retired { "term.retire" } else { "term.reinstate" },
            &format!("{}:{name}", kind.as_str()),
            Some(&serde_json::json!({ "retired": !retired })),
            Some(&serde_json::json!({ "retired": retired })),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a publisher's acronym and parent organisation.
    pub fn edit_publisher(&mut self, name: &str, acronym: &str, parent: &str, by: &str) -> Result<(), StoreError> {
        check_text("sigle", acronym, 40, false)?;
        check_text("organisme parent", parent, 200, false)?;
        if parent.trim() == name {
            return Err(StoreError::Invalid("un organisme ne peut pas être son propre parent".into()));
        }
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<(String, String)> = tx
            .query_row("SELECT acronym, parent FROM terms WHERE kind = 'publisher' AND name = ?1", params![name], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((a0, p0)) = before else { return Err(StoreError::Invalid(format!("organisme inconnu « {name} »"))) };
        tx.execute(
            "UPDATE terms SET acronym = ?2, parent = ?3 WHERE kind = 'publisher' AND name = ?1",
            params![name, acronym.trim(), parent.trim()],
        )?;
        audit::record(
            &tx,
            by,
            "term.edit",
            &format!("publisher:{name}"),
            Some(&serde_json::json!({ "acronym": a0, "parent": p0 })),
            Some(&serde_json::json!({ "acronym": acronym.trim(), "parent": parent.trim() })),
        )?;
        tx.commit()?;
        Ok(())
    }

    // --- Fiche messages ---

    fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FicheMessage> {
        Ok(FicheMessage {
            id: r.get(0)?,
            territory: r.get(1)?,
            title: r.get(2)?,
            body: r.get(3)?,
            starts: r.get(4)?,
            ends: r.get(5)?,
            updated_by: r.get(6)?,
            updated_at: r.get(7)?,
        })
    }

    /// Every fiche message, by territory then start.
    pub fn messages(&self) -> Result<Vec<FicheMessage>, StoreError> {
        let mut stmt = self.conn().prepare(&format!("{MESSAGE_COLUMNS} ORDER BY territory, starts, id"))?;
        let rows = stmt.query_map([], Self::message_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One message.
    pub fn message(&self, id: i64) -> Result<Option<FicheMessage>, StoreError> {
        Ok(self
            .conn()
            .query_row(&format!("{MESSAGE_COLUMNS} WHERE id = ?1"), params![id], Self::message_row)
            .optional()?)
    }

    /// The messages shown today (`YYYY-MM-DD`) on a territory's fiche.
    pub fn active_messages(&self, territory: &str, today: &str) -> Result<Vec<FicheMessage>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{MESSAGE_COLUMNS} WHERE territory = ?1 AND (starts IS NULL OR starts <= ?2) AND \
                (ends IS NULL OR ends >= ?2) ORDER BY starts, id"
        ))?;
        let rows = stmt.query_map(params![territory, today], Self::message_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates (`m.id == 0`) or updates a message; returns its id.
    pub fn save_message(&mut self, m: &FicheMessage, by: &str) -> Result<i64, StoreError> {
        if !valid_territory_code(&m.territory) {
            return Err(StoreError::Invalid(format!(
                "territoire {:?} : COM-34172, EPCI-243400017, DEP-34 ou REG-76 par exemple",
                m.territory
            )));
        }
        check_text("titre", &m.title, 200, true)?;
        check_text("message", &m.body, 5000, true)?;
        let day = |name: &str, v: &Option<String>| -> Result<(), StoreError> {
            match v {
                Some(d) if !matches!(crate::parse_date(d), Some((_, crate::Precision::Day))) => {
                    Err(StoreError::Invalid(format!("{name} invalide ({d:?}) : AAAA-MM-JJ")))
                }
                _ => Ok(()),
            }
        };
        day("date de début", &m.starts)?;
        day("date de fin", &m.ends)?;
        if let (Some(s), Some(e)) = (&m.starts, &m.ends) {
            if s > e {
                return Err(StoreError::Invalid("la date de début est après la date de fin".into()));
            }
        }
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let t = now();
        let before = if m.id == 0 {
            None
        } else {
            Some(
                tx.query_row(&format!("{MESSAGE_COLUMNS} WHERE id = ?1"), params![m.id], Self::message_row)
                    .optional()?
                    .ok_or_else(|| StoreError::Invalid(format!("aucun message {}", m.id)))?,
            )
        };
        let id: i64 = if m.id == 0 {
            tx.query_row(
                "INSERT INTO fiche_messages (territory, title, body, starts, ends, updated_by, updated_at) VALUES \
                    (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![m.territory, m.title.trim(), m.body.trim(), m.starts, m.ends, by, t],
                |r| r.get(0),
            )?
        } else {
            tx.execute(
                "UPDATE fiche_messages SET territory = ?2, title = ?3, body = ?4, starts = ?5, ends = ?6, updated_by \
                    = ?7, updated_at = ?8 WHERE id = ?1",
                params![m.id, m.territory, m.title.trim(), m.body.trim(), m.starts, m.ends, by, t],
            )?;
            m.id
        };
        let after = FicheMessage {
            id,
            updated_by: by.to_owned(),
            updated_at: t,
            title: m.title.trim().to_owned(),
            body: m.body.trim().to_owned(),
            ..m.clone()
        };
        audit::record(
            &tx,
            by,
            if before.is_some() { "message.edit" } else { "message.add" },
            &format!("message:{id}"),
            before.as_ref().map(|b| serde_json::to_value(b).unwrap_or_default()).as_ref(),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Removes a message.
    pub fn delete_message(&mut self, id: i64, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = tx
            .query_row(&format!("{MESSAGE_COLUMNS} WHERE id = ?1"), params![id], Self::message_row)
            .optional()?
            .ok_or_else(|| StoreError::Invalid(format!("aucun message {id}")))?;
        tx.execute("DELETE FROM fiche_messages WHERE id = ?1", params![id])?;
        audit::record(
            &tx,
            by,
            "message.delete",
            &format!("message:{id}"),
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    // --- Sources managed in the back office ---

    /// Adds or replaces a source from the back office (it is then
    /// "managed": the registry file no longer overwrites it).
    pub fn save_source(&mut self, row: &crate::store::SourceRow, is_new: bool, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<String> =
            tx.query_row("SELECT spec FROM sources WHERE id = ?1", params![row.id], |r| r.get(0)).optional()?;
        match (&before, is_new) {
            (Some(_), true) => return Err(StoreError::Invalid(format!("la source {:?} existe déjà", row.id))),
            (None, false) => return Err(StoreError::Invalid(format!("aucune source {:?}", row.id))),
            _ => {}
        }
        tx.execute(
            "INSERT INTO sources (id, name, publisher, publisher_short, kind, url, schedule, enabled, spec, managed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, publisher = excluded.publisher, publisher_short = excluded.publisher_short,
                kind = excluded.kind, url = excluded.url, schedule = excluded.schedule, enabled = excluded.enabled, spec = excluded.spec, managed = 1",
            params![row.id, row.name, row.publisher, row.publisher_short, row.kind, row.url, row.schedule, row.enabled, row.spec],
        )?;
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or(serde_json::Value::Null);
        audit::record(
            &tx,
            by,
            if is_new { "source.add" } else { "source.edit" },
            &format!("source:{}", row.id),
            before.as_deref().map(parse).as_ref(),
            Some(&parse(&row.spec)),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A source's definition (JSON) and whether it is managed.
    pub fn source_spec(&self, id: &str) -> Result<Option<(String, bool)>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT spec, managed FROM sources WHERE id = ?1", params![id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Records that someone asked for a run (the audit log).
    pub fn audit_run(&mut self, source: &str, by: &str) -> Result<(), StoreError> {
        audit::record(self.conn(), by, "source.run", &format!("source:{source}"), None, None)
    }
}

/// Registers a publisher in its taxonomy (at the end) if it is new.
fn add_publisher_term(tx: &Connection, name: &str, by: &str) -> Result<(), StoreError> {
    let n = tx.execute(
        "INSERT OR IGNORE INTO terms (kind, name, position) SELECT 'publisher', ?1, COALESCE(MAX(position), 0) + 1 \
            FROM terms WHERE kind = 'publisher'",
        params![name],
    )?;
    if n > 0 {
        audit::record(
            tx,
            by,
            "term.add",
            &format!("publisher:{name}"),
            None,
            Some(&serde_json::json!({ "name": name })),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Harvested;

    fn doc(url: &str, title: &str) -> Harvested {
        crate::store::test_doc(url, title, "Parité")
    }

    fn audit_actions(lib: &Library) -> Vec<String> {
        lib.audit(100).unwrap().into_iter().map(|a| a.action).collect()
    }

    #[test]
    fn edits_are_audited_and_survive_harvests() {
        let mut lib = Library::in_memory().unwrap();
        let a = lib.upsert(&doc("https://a.fr/1", "Femmes élues"), "s").unwrap().0;
        let mut e = Library::edit_of(&lib.document(a).unwrap().unwrap());
        e.themes = vec!["Parité".into(), "Sécurité".into()];
        e.title = "Femmes élues en 2026".into();
        e.published = "2026-03".into();
        lib.edit_document(a, &e, "marie").unwrap();
        lib.upsert(&doc("https://a.fr/1", "Femmes élues (flux)"), "s").unwrap();
        let d = lib.document(a).unwrap().unwrap();
        assert_eq!(
            (d.title.as_str(), d.themes.len(), d.published.as_deref()),
            ("Femmes élues en 2026", 2, Some("2026-03"))
        );
        let log = lib.audit(1).unwrap();
        assert_eq!(
            (log[0].action.as_str(), log[0].user.as_str(), log[0].target.as_str()),
            ("document.edit", "marie", &*format!("document:{a}"))
        );
        assert!(
            log[0].before.as_deref().unwrap().contains("Femmes élues\"")
                && log[0].after.as_deref().unwrap().contains("Sécurité")
        );
        e.themes = vec!["Cuisine".into()];
        assert!(lib.edit_document(a, &e, "marie").unwrap_err().to_string().contains("inconnu"));
        e.themes = vec![];
        e.published = "2026-02-30".into();
        assert!(lib.edit_document(a, &e, "marie").is_err());
    }

    #[test]
    fn rename_propagates_and_aliases_later_harvests() {
        let mut lib = Library::in_memory().unwrap();
        let a = lib.upsert(&doc("https://a.fr/1", "Un"), "s").unwrap().0;
        let b = lib.upsert(&doc("https://a.fr/2", "Deux"), "s").unwrap().0;
        lib.set_override(
            b,
            &Override { themes: Some(vec!["Parité".into(), "Sécurité".into()]), ..Override::default() },
        )
        .unwrap();
        let rev = lib.rev().unwrap();
        assert_eq!(lib.rename_term(TermKind::Theme, "Parité", "Égalité femmes-hommes", "marie").unwrap(), 2);
        assert!(lib.rev().unwrap() > rev);
        assert_eq!(lib.document(a).unwrap().unwrap().themes, vec!["Égalité femmes-hommes"]);
        assert_eq!(lib.document(b).unwrap().unwrap().themes, vec!["Égalité femmes-hommes", "Sécurité"]);
        // The feed still says "Parité".
        lib.upsert(&doc("https://a.fr/1", "Un"), "s").unwrap();
        let c = lib.upsert(&doc("https://a.fr/3", "Trois"), "s").unwrap().0;
        assert_eq!(lib.document(a).unwrap().unwrap().themes, vec!["Égalité femmes-hommes"]);
        assert_eq!(lib.document(c).unwrap().unwrap().themes, vec!["Égalité femmes-hommes"]);
        assert!(lib.rename_term(TermKind::Theme, "Sécurité", "Égalité femmes-hommes", "marie").is_err());
        let names = lib.term_names(TermKind::Theme, false).unwrap();
        assert!(names.contains(&"Égalité femmes-hommes".to_owned()) && !names.contains(&"Parité".to_owned()));
        lib.move_term(TermKind::Theme, "Sécurité", -1, "marie").unwrap();
        let names = lib.term_names(TermKind::Theme, false).unwrap();
        assert_eq!(names[names.len() - 2], "Sécurité");
        lib.set_term_retired(TermKind::Theme, "Sécurité", true, "marie").unwrap();
        assert!(!lib.term_names(TermKind::Theme, false).unwrap().contains(&"Sécurité".to_owned()));
        let mut e = Library::edit_of(&lib.document(a).unwrap().unwrap());
        e.themes.push("Sécurité".into());
        assert!(lib.edit_document(a, &e, "marie").unwrap_err().to_string().contains("retiré"));
        // b had it before it was retired: it may keep it.
        let e = Library::edit_of(&lib.document(b).unwrap().unwrap());
        lib.edit_document(b, &e, "marie").unwrap();
        lib.rename_term(TermKind::Publisher, "Insee", "Institut national de la statistique", "marie").unwrap();
        assert_eq!(lib.document(c).unwrap().unwrap().publisher, "Institut national de la statistique");
        lib.edit_publisher("Institut national de la statistique", "Insee", "Ministère de l'Économie", "marie").unwrap();
        let t = lib.terms(TermKind::Publisher).unwrap();
        assert_eq!((t[0].acronym.as_str(), t[0].documents), ("Insee", 3));
        let actions = audit_actions(&lib);
        for a in ["term.rename", "term.move", "term.retire", "term.edit"] {
            assert!(actions.iter().any(|x| x == a), "{a} not in {actions:?}");
        }
        lib.check().unwrap();
    }

    #[test]
    fn bulk_merge_delete_add() {
        let mut lib = Library::in_memory().unwrap();
        let a = lib.upsert(&doc("https://a.fr/1", "Les finances des communes"), "s").unwrap().0;
        let b = lib.upsert(&doc("https://a.fr/2", "Les Finances des communes !"), "t").unwrap().0;
        let c = lib.upsert(&doc("https://a.fr/3", "Autre"), "s").unwrap().0;
        let dups = lib.suspected_duplicate_ids().unwrap();
        assert!(dups.contains(&a) && dups.contains(&b) && !dups.contains(&c));
        assert_eq!(lib.bulk(&[a, b, c], &Bulk::AddTheme("Sécurité".into()), "jean").unwrap(), 3);
        assert_eq!(lib.bulk(&[a, b], &Bulk::Unpublish, "jean").unwrap(), 2);
        assert_eq!(lib.published().unwrap().len(), 1);
        assert_eq!(lib.bulk(&[a, b], &Bulk::Publish, "jean").unwrap(), 2);
        assert!(lib.bulk(&[a], &Bulk::AddTheme("Cuisine".into()), "jean").is_err());
        lib.merge_documents(b, a, "jean").unwrap();
        assert_eq!(lib.merged_target(b).unwrap(), Some(a));
        assert!(
            lib.restore_document(b, "jean").unwrap_err().to_string().contains("fusionné"),
            "a merge is not undone by a restore"
        );
        assert!(lib.document(b).unwrap().is_none());
        assert_eq!(lib.document_sources(a).unwrap(), vec!["s", "t"]);
        lib.upsert(&doc("https://a.fr/2", "Les Finances des communes (v2)"), "t").unwrap();
        assert!(lib.document(b).unwrap().is_none(), "a merged document never comes back");
        lib.delete_document(c, "jean").unwrap();
        lib.upsert(&doc("https://a.fr/3", "Autre v2"), "s").unwrap();
        assert!(lib.document(c).unwrap().is_none(), "tombstone");
        lib.restore_document(c, "jean").unwrap();
        assert_eq!(lib.document(c).unwrap().unwrap().status, Status::Unpublished);
        let mut e = Edit {
            title: "Guide statistique saisi".into(),
            status: Status::Published,
            themes: vec!["Parité".into()],
            publisher: "DGCL".into(),
            ..Edit::default()
        };
        let n = lib.add_document("https://www.collectivites-locales.gouv.fr/guide", &e, "jean").unwrap();
        assert!(lib
            .add_document("https://www.collectivites-locales.gouv.fr/guide", &e, "jean")
            .unwrap_err()
            .to_string()
            .contains("déjà"));
        e.title = String::new();
        assert!(lib.add_document("https://x.fr/y", &e, "jean").is_err());
        lib.upsert(
            &Harvested { title: "Titre du flux".into(), ..doc("https://www.collectivites-locales.gouv.fr/guide", "x") },
            "flux",
        )
        .unwrap();
        assert_eq!(lib.document(n).unwrap().unwrap().title, "Guide statistique saisi", "hand values win");
        let actions = audit_actions(&lib);
        for a in [
            "document.theme_add",
            "document.unpublish",
            "document.publish",
            "document.merge",
            "document.delete",
            "document.restore",
            "document.add",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} not in {actions:?}");
        }
        lib.check().unwrap();
    }

    #[test]
    fn fiche_messages_have_dates() {
        let mut lib = Library::in_memory().unwrap();
        let m = FicheMessage {
            territory: "COM-75056".into(),
            title: "Statut particulier".into(),
            body: "Paris est à la fois commune et département.".into(),
            starts: Some("2026-01-01".into()),
            ends: Some("2026-12-31".into()),
            ..FicheMessage::default()
        };
        let id = lib.save_message(&m, "marie").unwrap();
        assert_eq!(lib.active_messages("COM-75056", "2026-06-01").unwrap().len(), 1);
        assert!(lib.active_messages("COM-75056", "2027-01-01").unwrap().is_empty());
        assert!(lib.active_messages("COM-75057", "2026-06-01").unwrap().is_empty());
        for bad in [
            FicheMessage { territory: "Paris".into(), ..m.clone() },
            FicheMessage { ends: Some("2025-01-01".into()), ..m.clone() },
            FicheMessage { title: " ".into(), ..m.clone() },
        ] {
            assert!(lib.save_message(&bad, "marie").is_err());
        }
        lib.save_message(&FicheMessage { id, title: "Statut".into(), ..m.clone() }, "marie").unwrap();
        lib.delete_message(id, "marie").unwrap();
        assert!(lib.messages().unwrap().is_empty());
        assert_eq!(audit_actions(&lib), vec!["message.delete", "message.edit", "message.add"]);
    }
}
