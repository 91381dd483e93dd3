//! Librarian accounts and the audit log (groundwork of the back office).
//!
//! Passwords are hashed with argon2id (PHC string format, random salt from
//! the operating system); roles are `admin` (everything) and `librarian`
//! (documents and taxonomies). Every change made through the back office is
//! recorded in the audit log: who, when, what, before and after.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::now;
use crate::store::{Library, StoreError};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Librarian,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Librarian => "librarian",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "librarian" => Some(Role::Librarian),
            _ => None,
        }
    }
}

/// An account, without its password hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
}

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

/// An account from `SELECT id, username, role, disabled, created_at …`.
fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Librarian),
        disabled: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, StoreError> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| StoreError::Invalid(format!("no randomness from the system: {e}")))?;
    Ok(buf)
}

/// The argon2id hash of a password.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::encode_b64(&random_bytes(16)?).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| StoreError::Invalid(e.to_string()))?.to_string())
}

/// Does `password` match `hash`? (Constant-time comparison inside argon2.)
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checks a username and password before an account is made.
pub fn check_credentials(username: &str, password: &str) -> Result<(), StoreError> {
    let ok_name = (3..=64).contains(&username.chars().count()) && username.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if !ok_name {
        return Err(StoreError::Invalid("identifiant : 3 à 64 caractères, lettres, chiffres, « . », « - », « _ » ou « @ »".into()));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!("mot de passe trop court : au moins {MIN_PASSWORD_CHARS} caractères")));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(StoreError::Invalid("le mot de passe ne doit pas contenir l'identifiant".into()));
    }
    Ok(())
}

impl Library {
    /// Makes an account; `by` is who makes it (for the audit log).
    pub fn add_user(&mut self, username: &str, password: &str, role: Role, by: &str) -> Result<User, StoreError> {
        check_credentials(username, password)?;
        let hash = hash_password(password)?;
        let t = now();
        let tx = self.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx.query_row("SELECT id FROM users WHERE username = ?1", params![username], |r| r.get(0)).optional()?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!("l'identifiant {username:?} existe déjà")));
        }
        let id: i64 = tx.query_row(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            params![username, hash, role.as_str(), t],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO audit_log (at, user, action, target, before, after) VALUES (?1, ?2, 'user.add', ?3, NULL, ?4)",
            params![t, by, format!("user:{username}"), serde_json::json!({ "username": username, "role": role.as_str() }).to_string()],
        )?;
        tx.commit()?;
        Ok(User { id, username: username.to_owned(), role, disabled: false, created_at: t })
    }

    /// The account whose password matches, if any (disabled accounts never).
    pub fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(User, String)> = self
            .conn()
            .query_row("SELECT id, username, role, disabled, created_at, password_hash FROM users WHERE username = ?1", params![username], |r| {
                Ok((user_row(r)?, r.get(5)?))
            })
            .optional()?;
        Ok(row.filter(|(u, hash)| !u.disabled && verify_password(password, hash)).map(|(u, _)| u))
    }

    /// Every account, by username.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT id, username, role, disabled, created_at FROM users ORDER BY username")?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The audit log, newest first.
    pub fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT id, at, user, action, target, before, after FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map(params![limit as i64], |r| {
            Ok(AuditEntry { id: r.get(0)?, at: r.get(1)?, user: r.get(2)?, action: r.get(3)?, target: r.get(4)?, before: r.get(5)?, after: r.get(6)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_hash_verify_and_audit() {
        let mut lib = Library::in_memory().unwrap();
        let u = lib.add_user("marie.curie", "correct horse battery staple", Role::Admin, "cli").unwrap();
        assert_eq!(u.role, Role::Admin);
        assert!(lib.authenticate("marie.curie", "correct horse battery staple").unwrap().is_some());
        assert!(lib.authenticate("marie.curie", "wrong password, long enough").unwrap().is_none());
        assert!(lib.authenticate("nobody", "correct horse battery staple").unwrap().is_none());
        let hash: String = lib.conn().query_row("SELECT password_hash FROM users", [], |r| r.get(0)).unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains("battery"), "{hash}");
        for (name, pw, needle) in [("marie.curie", "another long password", "existe déjà"), ("x", "a long enough password", "identifiant"), ("jean", "court", "trop court"), ("jean", "jean-password-123", "identifiant")] {
            let e = lib.add_user(name, pw, Role::Librarian, "cli").unwrap_err().to_string();
            assert!(e.contains(needle), "{name}: {e}");
        }
        let log = lib.audit(10).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].action.as_str(), log[0].user.as_str()), ("user.add", "cli"));
        assert!(!log[0].after.as_deref().unwrap_or("").contains("password"));
        assert_eq!(lib.users().unwrap().len(), 1);
    }
}
