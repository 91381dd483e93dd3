//! Acronyms and their expansions (« DGF » — « dotation globale de
//! fonctionnement »): the library search finds the documents with either
//! form. The list ships with the catalogue (`data/synonyms.csv`, our own
//! compilation) and fills the store once, when its table is created;
//! librarians then edit it in the back office, each change with its audit
//! entry in the same transaction.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::audit;
use crate::error::StoreError;
use crate::store::Library;
use crate::terms::check_synonym as check;
pub use crate::terms::{parse_synonyms as parse, split, Synonym, MAX_EXPANSIONS, SYNONYMS as SHIPPED};

impl Library {
    /// Every acronym, in the list's order.
    pub fn synonyms(&self) -> Result<Vec<Synonym>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT acronym, expansions FROM synonyms ORDER BY position, acronym")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (acronym, e) = r?;
            out.push(Synonym { acronym, expansions: serde_json::from_str(&e).unwrap_or_default() });
        }
        Ok(out)
    }

    /// Adds an acronym or replaces its expansions (audited `synonym.set`).
    pub fn set_synonym(&mut self, acronym: &str, expansions: &[String], by: &str) -> Result<(), StoreError> {
        let acronym = acronym.trim();
        let expansions = split(&expansions.join(";"));
        check(acronym, &expansions)?;
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<(String, String)> = tx
            .query_row(
                "SELECT acronym, expansions FROM synonyms WHERE acronym = ?1 COLLATE NOCASE",
                params![acronym],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let json = crate::document::json(&expansions);
        match &before {
            Some((old, _)) => {
                tx.execute(
                    "UPDATE synonyms SET acronym = ?2, expansions = ?3 WHERE acronym = ?1",
                    params![old, acronym, json],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO synonyms (acronym, expansions, position) \
                     SELECT ?1, ?2, COALESCE(MAX(position), 0) + 1 FROM synonyms",
                    params![acronym, json],
                )?;
            }
        }
        let value = |a: &str, e: &str| serde_json::json!({ "acronym": a, "expansions": serde_json::from_str::<serde_json::Value>(e).unwrap_or_default() });
        audit::record(
            &tx,
            by,
            "synonym.set",
            &format!("synonym:{acronym}"),
            before.as_ref().map(|(a, e)| value(a, e)).as_ref(),
            Some(&value(acronym, &json)),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes an acronym (audited `synonym.delete`).
    pub fn delete_synonym(&mut self, acronym: &str, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before: Option<(String, String)> = tx
            .query_row("SELECT acronym, expansions FROM synonyms WHERE acronym = ?1", params![acronym], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((a, e)) = before else {
            return Err(StoreError::Invalid(format!("le sigle « {acronym} » n'existe pas")));
        };
        tx.execute("DELETE FROM synonyms WHERE acronym = ?1", params![a])?;
        audit::record(
            &tx,
            by,
            "synonym.delete",
            &format!("synonym:{a}"),
            Some(
                &serde_json::json!({ "acronym": a, "expansions": serde_json::from_str::<serde_json::Value>(&e).unwrap_or_default() }),
            ),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_valid_and_fills_a_new_store() {
        let list = parse(SHIPPED).unwrap();
        for a in ["DGF", "DSU", "DSR", "DNP", "FPIC", "DETR", "DSIL", "CFE", "TFPB", "EPCI", "CC", "CA", "CU", "QPV"] {
            assert!(list.iter().any(|s| s.acronym == a), "{a}");
        }
        for a in ["ZRR", "RSA", "APA", "PCH", "OFGL", "DGCL", "DGFiP", "Insee", "DREES", "DARES", "SDES"] {
            assert!(list.iter().any(|s| s.acronym == a), "{a}");
        }
        let ca = list.iter().find(|s| s.acronym == "CA").unwrap();
        assert_eq!(ca.expansions, ["communauté d'agglomération", "compte administratif"]);
        let lib = Library::in_memory().unwrap();
        assert_eq!(lib.synonyms().unwrap().len(), list.len());
    }

    #[test]
    fn librarians_edit_the_list_and_each_change_is_audited() {
        let mut lib = Library::in_memory().unwrap();
        let n = lib.synonyms().unwrap().len();
        lib.set_synonym("CRTE", &["contrat de relance et de transition écologique".into()], "alice").unwrap();
        lib.set_synonym("dgf", &["dotation globale de fonctionnement ; DGF des communes".into()], "alice").unwrap();
        let all = lib.synonyms().unwrap();
        assert_eq!(all.len(), n + 1);
        let dgf = all.iter().find(|s| s.acronym == "dgf").unwrap();
        assert_eq!(dgf.expansions, ["dotation globale de fonctionnement", "DGF des communes"]);
        lib.delete_synonym("CRTE", "bob").unwrap();
        assert_eq!(lib.synonyms().unwrap().len(), n);
        let bad = lib.set_synonym("D G F", &["x".into()], "alice").unwrap_err().to_string();
        assert!(bad.contains("sans espace"), "{bad}");
        assert!(lib.set_synonym("X", &[], "alice").unwrap_err().to_string().contains("au moins une"));
        assert!(lib.delete_synonym("NOPE", "bob").unwrap_err().to_string().contains("n'existe pas"));
        let log = lib.audit(50).unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "synonym.set").count(), 2, "{actions:?}");
        assert!(actions.contains(&"synonym.delete"));
    }
}
