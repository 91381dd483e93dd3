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

use crate::audit;
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
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| StoreError::Invalid(e.to_string()))?
        .to_string())
}

/// Does `password` match `hash`? (Constant-time comparison inside argon2.)
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checks a username and password before an account is made.
pub fn check_credentials(username: &str, password: &str) -> Result<(), StoreError> {
    let ok_name = (3..=64).contains(&username.chars().count())
        && username.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if !ok_name {
        return Err(StoreError::Invalid(
            "identifiant : 3 à 64 caractères, lettres, chiffres, « . », « - », « _ » ou « @ »".into(),
        ));
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
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM users WHERE lower(username) = lower(?1)", params![username], |r| r.get(0))
            .optional()?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!("l'identifiant {username:?} existe déjà")));
        }
        let id: i64 = tx.query_row(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            params![username, hash, role.as_str(), t],
            |r| r.get(0),
        )?;
        audit::record(
            &tx,
            by,
            "user.add",
            &format!("user:{username}"),
            None,
            Some(&serde_json::json!({ "username": username, "role": role.as_str() })),
        )?;
        tx.commit()?;
        Ok(User { id, username: username.to_owned(), role, disabled: false, created_at: t })
    }

    /// The account whose password matches, if any (disabled accounts never).
    pub fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(User, String)> = self
            .conn()
            .query_row(
                "SELECT id, username, role, disabled, created_at, password_hash FROM users WHERE username = ?1",
                params![username],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?;
        Ok(row.filter(|(u, hash)| !u.disabled && verify_password(password, hash)).map(|(u, _)| u))
    }

    /// An active account and its password hash, to check a password
    /// without holding the store (argon2 takes a moment).
    pub fn password_hash(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, username, role, disabled, created_at, password_hash FROM users WHERE username = ?1 \
                AND disabled = 0",
                params![username],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?)
    }

    /// Every account, by username.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt =
            self.conn().prepare("SELECT id, username, role, disabled, created_at FROM users ORDER BY username")?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// How long a session lasts at most, and without activity.
pub const SESSION_HOURS: i64 = 8;
pub const SESSION_IDLE_MINUTES: i64 = 60;

// Login throttling. Nothing locks an account for everyone: failures are
// counted per (account, address) pair, and what an attacker does from
// one address never holds back the account's owner at another. Three
// limits, each computed from the failures stored in `login_failures`
// (scopes `pair`, `account`, `ip`); an attempt waits for the longest:
//
// | limit | counted over | free | then |
// |---|---|---|---|
// | one account from one address | [`PAIR_WINDOW_HOURS`] | [`PAIR_FREE_FAILURES`] | 1 s, 2 s, 4 s … after the pair's last failure, at most [`PAIR_MAX_DELAY_SECS`] |
// | one address, all accounts | [`THROTTLE_MINUTES`] | [`MAX_FAILURES_IP`] − 1 | refused until the oldest of the last [`MAX_FAILURES_IP`] is [`THROTTLE_MINUTES`] old |
// | one account, all addresses | [`THROTTLE_MINUTES`] | [`MAX_FAILURES_ACCOUNT`] − 1 | 1 s, 2 s, 4 s … after the account's last failure, at most [`ACCOUNT_MAX_DELAY_SECS`] |
//
// An attempt is counted as a failure when it starts (before the password
// is hashed) and forgotten when it succeeds; a refused attempt is not
// counted and costs no hashing.

/// Failed logins an (account, address) pair makes freely; each further
/// attempt of the pair waits [`pair_delay`] after the pair's last failure.
pub const PAIR_FREE_FAILURES: i64 = 3;
/// The first delay, doubled with each further failure (pair and account).
pub const FIRST_DELAY_SECS: u64 = 1;
/// The longest wait of a pair: 15 minutes.
pub const PAIR_MAX_DELAY_SECS: u64 = 15 * 60;
/// How long a pair's failures count (a success forgets them at once; the
/// store drops every failure after a day).
pub const PAIR_WINDOW_HOURS: i64 = 24;
/// The window of the two ceilings below.
pub const THROTTLE_MINUTES: i64 = 15;
/// Per-address ceiling: failures from one address, all accounts together,
/// within [`THROTTLE_MINUTES`]. Reached, the address waits until the oldest
/// of them is [`THROTTLE_MINUTES`] old (at most 15 minutes). High enough
/// for the users behind one proxy or network address translation.
pub const MAX_FAILURES_IP: i64 = 100;
/// Per-account ceiling: failures on one account, all addresses together,
/// within [`THROTTLE_MINUTES`]. Beyond, every attempt on the account waits
/// [`account_delay`] after the account's last failure: it only slows
/// (never more than [`ACCOUNT_MAX_DELAY_SECS`]), never locks out. One
/// address alone never gets there: its pair delays allow it 12 failures in
/// [`THROTTLE_MINUTES`] (3 free, then 1 + 2 + … + 256 s).
pub const MAX_FAILURES_ACCOUNT: i64 = 30;
/// The longest wait the per-account ceiling imposes.
pub const ACCOUNT_MAX_DELAY_SECS: u64 = 30;

/// `FIRST_DELAY_SECS` doubled with each failure past the `free` ones,
/// at most `cap_secs`; nothing under `free` failures.
fn growing_delay(failures: i64, free: i64, cap_secs: u64) -> std::time::Duration {
    if failures < free {
        return std::time::Duration::ZERO;
    }
    // 2^31 s is beyond any cap: no overflow however many failures.
    let doublings = u32::try_from((failures - free).min(31)).unwrap_or(31);
    std::time::Duration::from_secs(FIRST_DELAY_SECS.saturating_mul(1u64 << doublings).min(cap_secs))
}

/// The wait of an (account, address) pair after its last failure, given
/// its failures within [`PAIR_WINDOW_HOURS`]: none for the first
/// [`PAIR_FREE_FAILURES`], then 1 s, 2 s, 4 s … up to 15 minutes.
pub fn pair_delay(failures: i64) -> std::time::Duration {
    growing_delay(failures, PAIR_FREE_FAILURES, PAIR_MAX_DELAY_SECS)
}

/// The wait of every attempt on an account after the account's last
/// failure, given its failures (all addresses) within
/// [`THROTTLE_MINUTES`]: none under [`MAX_FAILURES_ACCOUNT`], then 1 s,
/// 2 s, 4 s … up to [`ACCOUNT_MAX_DELAY_SECS`].
pub fn account_delay(failures: i64) -> std::time::Duration {
    growing_delay(failures, MAX_FAILURES_ACCOUNT, ACCOUNT_MAX_DELAY_SECS)
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: User,
    /// The CSRF token of every form of this session.
    pub csrf: String,
    /// The user's login before this one (for "new since last visit").
    pub previous_login: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random 256-bit secret in hexadecimal (session, CSRF and login tokens).
pub fn random_token() -> Result<String, StoreError> {
    Ok(hex(&random_bytes(32)?))
}

/// The stored form of a session token (a leaked store gives no session).
fn token_hash(token: &str) -> String {
    use blake2::Digest;
    hex(&blake2::Blake2b512::digest(token.as_bytes())[..32])
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A time as stored in `login_failures` (milliseconds: the first delays
/// are a second long; fixed width, so the text sorts as the time).
fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_stamp(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The key of an (account, address) pair: an address has no space.
fn pair_key(ip: &str, account: &str) -> String {
    format!("{ip} {account}")
}

/// How many failures of `scope`/`key` since `since`, and the last one.
fn failures_since(
    conn: &rusqlite::Connection,
    scope: &str,
    key: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<(i64, Option<chrono::DateTime<chrono::Utc>>), StoreError> {
    let (n, last): (i64, Option<String>) = conn.query_row(
        "SELECT COUNT(*), MAX(at) FROM login_failures WHERE scope = ?1 AND key = ?2 AND at >= ?3",
        params![scope, key, stamp(since)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((n, last.as_deref().and_then(parse_stamp)))
}

/// How long a login for `username` from `ip` must wait at `now`, if it
/// must (the longest of the three limits, see [`PAIR_FREE_FAILURES`]).
fn wait_at(
    conn: &rusqlite::Connection,
    username: &str,
    ip: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<std::time::Duration>, StoreError> {
    let account = username.to_lowercase();
    let mut until: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut later = |t: chrono::DateTime<chrono::Utc>| until = Some(until.map_or(t, |u| u.max(t)));
    let window = chrono::Duration::minutes(THROTTLE_MINUTES);
    // One account from one address: a growing delay.
    let (n, last) =
        failures_since(conn, "pair", &pair_key(ip, &account), now - chrono::Duration::hours(PAIR_WINDOW_HOURS))?;
    if let (Some(last), Ok(d)) = (last, chrono::Duration::from_std(pair_delay(n))) {
        later(last + d);
    }
    // One account from every address: a growing delay, short.
    let (n, last) = failures_since(conn, "account", &account, now - window)?;
    if let (Some(last), Ok(d)) = (last, chrono::Duration::from_std(account_delay(n))) {
        later(last + d);
    }
    // One address for every account: the ceiling, until the oldest of the
    // last MAX_FAILURES_IP failures leaves the window.
    let nth: Option<String> = conn
        .query_row(
            "SELECT at FROM login_failures WHERE scope = 'ip' AND key = ?1 AND at >= ?2 ORDER BY at DESC LIMIT 1 \
                OFFSET ?3",
            params![ip, stamp(now - window), MAX_FAILURES_IP - 1],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(t) = nth.as_deref().and_then(parse_stamp) {
        later(t + window);
    }
    Ok(until.filter(|u| *u > now).and_then(|u| (u - now).to_std().ok()))
}

impl Library {
    /// How long a login for `username` from `ip` must wait before it is
    /// tried, if it must (see [`PAIR_FREE_FAILURES`] for the limits).
    pub fn login_wait(&self, username: &str, ip: &str) -> Result<Option<std::time::Duration>, StoreError> {
        self.login_wait_at(username, ip, chrono::Utc::now())
    }

    /// [`Library::login_wait`] at `now` (tests give their own clock).
    pub fn login_wait_at(
        &self,
        username: &str,
        ip: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<std::time::Duration>, StoreError> {
        wait_at(self.conn(), username, ip, now)
    }

    /// Starts a login attempt: refused (with the wait left) while the
    /// pair, the account or the address must wait; otherwise the attempt
    /// is counted as a failure at once, in the same transaction, so that
    /// parallel attempts cannot all pass the check, and before any
    /// password is hashed. [`Library::login_succeeded`] forgets it on
    /// success. Returns the attempt's id.
    pub fn begin_login(&mut self, username: &str, ip: &str) -> Result<Result<i64, std::time::Duration>, StoreError> {
        self.begin_login_at(username, ip, chrono::Utc::now())
    }

    /// [`Library::begin_login`] at `now` (tests give their own clock).
    pub fn begin_login_at(
        &mut self,
        username: &str,
        ip: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<i64, std::time::Duration>, StoreError> {
        // Refused without taking the write lock: a flood of refused
        // attempts never holds up the store's writers.
        if let Some(w) = wait_at(self.conn(), username, ip, now)? {
            return Ok(Err(w));
        }
        let account = username.to_lowercase();
        let t = stamp(now);
        let tx = self.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(w) = wait_at(&tx, username, ip, now)? {
            return Ok(Err(w));
        }
        let id: i64 = tx.query_row(
            "INSERT INTO login_failures (scope, key, at) VALUES ('pair', ?1, ?2) RETURNING rowid",
            params![pair_key(ip, &account), t],
            |r| r.get(0),
        )?;
        tx.execute("INSERT INTO login_failures (scope, key, at) VALUES ('account', ?1, ?2)", params![account, t])?;
        tx.execute("INSERT INTO login_failures (scope, key, at) VALUES ('ip', ?1, ?2)", params![ip, t])?;
        // Failures a day old go, the oldest few at each attempt (more than
        // are added): through the primary key, never a scan of the table.
        tx.execute(
            "DELETE FROM login_failures WHERE rowid IN (SELECT rowid FROM login_failures ORDER BY rowid LIMIT 8) AND \
                at < ?1",
            params![stamp(now - chrono::Duration::days(1))],
        )?;
        tx.commit()?;
        Ok(Ok(id))
    }

    /// Records a failed login in the audit log (the attempt is already
    /// counted by [`Library::begin_login`]).
    pub fn login_failed(&mut self, username: &str, ip: &str) -> Result<(), StoreError> {
        let typed: String = username.chars().take(64).collect();
        audit::record(
            self.conn(),
            "anonyme",
            "login.failed",
            &format!("user:{typed}"),
            None,
            Some(&serde_json::json!({ "ip": ip })),
        )?;
        Ok(())
    }

    /// A successful attempt: it is no failure, and the pair's earlier
    /// failures are forgotten (the account's other addresses keep theirs).
    pub fn login_succeeded(&mut self, attempt: i64) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: Option<(String, String)> = tx
            .query_row(
                "SELECT key, at FROM login_failures WHERE rowid = ?1 AND scope = 'pair'",
                params![attempt],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((key, at)) = found {
            let (ip, account) = key.split_once(' ').unwrap_or((key.as_str(), ""));
            for (scope, k) in [("account", account), ("ip", ip)] {
                tx.execute(
                    "DELETE FROM login_failures WHERE rowid = (SELECT rowid FROM login_failures WHERE scope = ?1 AND \
                        key = ?2 AND at = ?3 LIMIT 1)",
                    params![scope, k, at],
                )?;
            }
            tx.execute("DELETE FROM login_failures WHERE scope = 'pair' AND key = ?1", params![key])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Opens a session for `user` (failures of the account are forgotten);
    /// returns the token for the cookie.
    pub fn open_session(&mut self, user: &User, ip: &str) -> Result<(String, Session), StoreError> {
        let token = random_token()?;
        let csrf = random_token()?;
        let now_t = chrono::Utc::now();
        let t = rfc3339(now_t);
        let tx = self.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM sessions WHERE expires_at < ?1", params![t])?;
        tx.execute(
            "DELETE FROM login_failures WHERE scope = 'account' AND key = ?1",
            params![user.username.to_lowercase()],
        )?;
        let previous: Option<String> =
            tx.query_row("SELECT last_login FROM users WHERE id = ?1", params![user.id], |r| r.get(0))?;
        tx.execute("UPDATE users SET previous_login = last_login, last_login = ?2 WHERE id = ?1", params![user.id, t])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen) VALUES (?1, ?2, ?3, \
                ?4, ?5, ?4)",
            params![token_hash(&token), user.id, csrf, t, rfc3339(now_t + chrono::Duration::hours(SESSION_HOURS))],
        )?;
        audit::record(
            &tx,
            &user.username,
            "login",
            &format!("user:{}", user.username),
            None,
            Some(&serde_json::json!({ "ip": ip })),
        )?;
        tx.commit()?;
        Ok((token, Session { user: user.clone(), csrf, previous_login: previous }))
    }

    /// The live session of a cookie token (expired, idle or of a disabled
    /// account: none). Notes the activity.
    pub fn session(&mut self, token: &str) -> Result<Option<Session>, StoreError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let now_t = chrono::Utc::now();
        let t = rfc3339(now_t);
        let idle = rfc3339(now_t - chrono::Duration::minutes(SESSION_IDLE_MINUTES));
        let h = token_hash(token);
        let found: Option<(User, String, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT u.id, u.username, u.role, u.disabled, u.created_at, s.csrf, u.previous_login FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND COALESCE(s.last_seen, s.created_at) > ?3 AND u.disabled = 0",
                params![h, t, idle],
                |r| Ok((user_row(r)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        if found.is_some() {
            // At most once a minute, and never an error: a busy store must
            // not refuse a page.
            let recent = rfc3339(now_t - chrono::Duration::minutes(1));
            let _ = self.conn().execute(
                "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1 AND COALESCE(last_seen, '') < ?3",
                params![h, t, recent],
            );
        }
        Ok(found.map(|(user, csrf, previous_login)| Session { user, csrf, previous_login }))
    }

    /// Ends a session (logout).
    pub fn close_session(&mut self, token: &str, by: &str) -> Result<(), StoreError> {
        let n = self.conn().execute("DELETE FROM sessions WHERE token_hash = ?1", params![token_hash(token)])?;
        if n > 0 {
            audit::record(self.conn(), by, "logout", &format!("user:{by}"), None, None)?;
        }
        Ok(())
    }

    /// Changes an account's role or disables it (its sessions end).
    pub fn update_user(&mut self, username: &str, role: Role, disabled: bool, by: &str) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before: Option<User> = tx
            .query_row(
                "SELECT id, username, role, disabled, created_at FROM users WHERE username = ?1",
                params![username],
                user_row,
            )
            .optional()?;
        let Some(before) = before else { return Err(StoreError::Invalid(format!("aucun compte {username:?}"))) };
        if before.role == Role::Admin && (role != Role::Admin || disabled) {
            let admins: i64 = tx.query_row(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1",
                params![before.id],
                |r| r.get(0),
            )?;
            if admins == 0 {
                return Err(StoreError::Invalid("il doit rester au moins un compte administrateur actif".into()));
            }
        }
        tx.execute(
            "UPDATE users SET role = ?2, disabled = ?3 WHERE id = ?1",
            params![before.id, role.as_str(), disabled],
        )?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", params![before.id])?;
        }
        audit::record(
            &tx,
            by,
            "user.edit",
            &format!("user:{username}"),
            Some(&serde_json::json!({ "role": before.role.as_str(), "disabled": before.disabled })),
            Some(&serde_json::json!({ "role": role.as_str(), "disabled": disabled })),
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditFilter;

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
        for (name, pw, needle) in [
            ("marie.curie", "another long password", "existe déjà"),
            ("x", "a long enough password", "identifiant"),
            ("jean", "court", "trop court"),
            ("jean", "jean-password-123", "identifiant"),
        ] {
            let e = lib.add_user(name, pw, Role::Librarian, "cli").unwrap_err().to_string();
            assert!(e.contains(needle), "{name}: {e}");
        }
        let log = lib.audit(10).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].action.as_str(), log[0].user.as_str()), ("user.add", "cli"));
        assert!(!log[0].after.as_deref().unwrap_or("").contains("password"));
        assert_eq!(lib.users().unwrap().len(), 1);
    }

    #[test]
    fn sessions_and_lockout() {
        let mut lib = Library::in_memory().unwrap();
        let u = lib.add_user("jean", "a long enough passphrase", Role::Librarian, "cli").unwrap();
        let (token, s) = lib.open_session(&u, "192.0.2.1").unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(lib.session(&token).unwrap().unwrap().csrf, s.csrf);
        assert!(lib.session(&"0".repeat(64)).unwrap().is_none());
        assert!(lib.session("not a token").unwrap().is_none());
        let stored: String = lib.conn().query_row("SELECT token_hash FROM sessions", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, token, "tokens are stored hashed");
        lib.close_session(&token, "jean").unwrap();
        assert!(lib.session(&token).unwrap().is_none());
        // Failures of one pair slow that pair only.
        let at = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3);
        for _ in 0..PAIR_FREE_FAILURES {
            lib.begin_login_at("Jean", "192.0.2.1", at).unwrap().unwrap();
        }
        assert_eq!(lib.login_wait_at("jean", "192.0.2.1", at).unwrap(), Some(pair_delay(PAIR_FREE_FAILURES)));
        assert_eq!(
            lib.begin_login_at("jean", "192.0.2.1", at).unwrap(),
            Err(pair_delay(PAIR_FREE_FAILURES)),
            "refused before the password is checked"
        );
        assert_eq!(
            lib.login_wait_at("jean", "192.0.2.9", at).unwrap(),
            None,
            "the account is not locked for another address"
        );
        assert_eq!(lib.login_wait_at("marie", "192.0.2.1", at).unwrap(), None, "nor the address for another account");
        // A success forgets the attempt and the pair's failures.
        let ok = lib.begin_login("marie", "192.0.2.50").unwrap().unwrap();
        lib.login_succeeded(ok).unwrap();
        assert_eq!(
            lib.conn()
                .query_row("SELECT COUNT(*) FROM login_failures WHERE key LIKE '192.0.2.50%'", [], |r| r
                    .get::<_, i64>(0))
                .unwrap(),
            0
        );
        assert_eq!(
            lib.conn()
                .query_row("SELECT COUNT(*) FROM login_failures WHERE key = 'marie'", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            0
        );
        let (t2, _) = lib.open_session(&u, "192.0.2.1").unwrap();
        lib.update_user("jean", Role::Librarian, true, "admin").unwrap();
        assert!(lib.session(&t2).unwrap().is_none(), "a disabled account loses its sessions");
        lib.login_failed("jean", "192.0.2.1").unwrap();
        let (log, total) =
            lib.audit_filtered(&AuditFilter { action: Some("login".into()), ..AuditFilter::default() }, 10, 0).unwrap();
        assert!(
            total >= 3
                && log.iter().any(|a| a.action == "login")
                && log.iter().any(|a| a.action == "login.failed" && a.user == "anonyme"),
            "{log:?}"
        );
        let (log, _) = lib
            .audit_filtered(&AuditFilter { target: Some("user:jea".into()), ..AuditFilter::default() }, 10, 0)
            .unwrap();
        assert!(log.is_empty(), "a whole target matches exactly");
        let (log, _) =
            lib.audit_filtered(&AuditFilter { target: Some("jea".into()), ..AuditFilter::default() }, 10, 0).unwrap();
        assert!(!log.is_empty(), "a part matches anywhere");
        let (log, _) = lib
            .audit_filtered(
                &AuditFilter { action: Some("user".into()), user: Some("admin".into()), ..AuditFilter::default() },
                10,
                0,
            )
            .unwrap();
        assert_eq!(log.len(), 1);
        assert!(lib.update_user("nobody", Role::Admin, false, "admin").is_err());
    }

    #[test]
    fn the_delays_grow_from_the_free_failures_to_their_caps() {
        let s = std::time::Duration::from_secs;
        for n in 0..PAIR_FREE_FAILURES {
            assert_eq!(pair_delay(n), s(0), "{n} failures are free");
        }
        let pair: Vec<u64> = (PAIR_FREE_FAILURES..PAIR_FREE_FAILURES + 12).map(|n| pair_delay(n).as_secs()).collect();
        assert_eq!(pair, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(pair_delay(i64::MAX), s(PAIR_MAX_DELAY_SECS), "no overflow");
        assert_eq!(pair_delay(-1), s(0));
        for n in 0..MAX_FAILURES_ACCOUNT {
            assert_eq!(account_delay(n), s(0), "{n} failures on an account only count");
        }
        let account: Vec<u64> =
            (MAX_FAILURES_ACCOUNT..MAX_FAILURES_ACCOUNT + 7).map(|n| account_delay(n).as_secs()).collect();
        assert_eq!(account, [1, 2, 4, 8, 16, 30, 30], "the account ceiling only slows");
        assert_eq!(account_delay(i64::MAX), s(ACCOUNT_MAX_DELAY_SECS));
        // One address, as fast as it is let, stays under the account
        // ceiling: its attacks never slow the account for other addresses.
        let mut t = 0;
        let in_window: i64 = (0..)
            .map_while(|n| {
                t += pair_delay(n).as_secs();
                (t < THROTTLE_MINUTES as u64 * 60).then_some(1)
            })
            .sum();
        assert!(in_window < MAX_FAILURES_ACCOUNT, "{in_window}");
    }

    #[test]
    fn waits_are_computed_from_the_stored_failures() {
        let mut lib = Library::in_memory().unwrap();
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let ms = chrono::Duration::milliseconds;
        let mut t = t0;
        let mut waits = Vec::new();
        for _ in 0..PAIR_FREE_FAILURES + 4 {
            let w = lib.login_wait_at("x", "192.0.2.1", t).unwrap().unwrap_or_default();
            waits.push(w.as_secs());
            t += chrono::Duration::from_std(w).unwrap();
            if !w.is_zero() {
                // A millisecond early is refused, with what is left.
                assert_eq!(
                    lib.begin_login_at("x", "192.0.2.1", t - ms(1)).unwrap(),
                    Err(std::time::Duration::from_millis(1))
                );
            }
            lib.begin_login_at("x", "192.0.2.1", t).unwrap().unwrap();
        }
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(lib.login_wait_at("x", "192.0.2.1", t).unwrap(), Some(std::time::Duration::from_secs(16)));
        assert_eq!(lib.login_wait_at("X", "192.0.2.2", t).unwrap(), None, "another address is not held back");
        // The pair's failures count for PAIR_WINDOW_HOURS: a failure a day
        // later starts again from the free ones.
        let late = t + chrono::Duration::hours(PAIR_WINDOW_HOURS) + ms(1);
        lib.begin_login_at("x", "192.0.2.1", late).unwrap().unwrap();
        assert_eq!(lib.login_wait_at("x", "192.0.2.1", late).unwrap(), None);
        // The address ceiling: MAX_FAILURES_IP failures within the window.
        let t1 = t0 + chrono::Duration::days(3);
        for i in 0..MAX_FAILURES_IP - 1 {
            lib.begin_login_at(&format!("u{i}"), "198.51.100.7", t1 + chrono::Duration::seconds(i)).unwrap().unwrap();
        }
        let last = t1 + chrono::Duration::seconds(MAX_FAILURES_IP);
        assert_eq!(lib.login_wait_at("nobody", "198.51.100.7", last).unwrap(), None, "under the ceiling");
        lib.begin_login_at("last", "198.51.100.7", last).unwrap().unwrap();
        let expected = (t1 + chrono::Duration::minutes(THROTTLE_MINUTES) - last).to_std().unwrap();
        assert_eq!(
            lib.login_wait_at("nobody", "198.51.100.7", last).unwrap(),
            Some(expected),
            "until the oldest leaves the window"
        );
        assert_eq!(lib.login_wait_at("nobody", "198.51.100.8", last).unwrap(), None);
        assert_eq!(
            lib.login_wait_at("nobody", "198.51.100.7", t1 + chrono::Duration::minutes(THROTTLE_MINUTES) + ms(1))
                .unwrap(),
            None
        );
        // The account ceiling: failures from many addresses only slow.
        let t2 = t0 + chrono::Duration::days(6);
        for i in 0..MAX_FAILURES_ACCOUNT {
            lib.begin_login_at("cible", &format!("203.0.113.{i}"), t2).unwrap().unwrap();
        }
        assert_eq!(lib.login_wait_at("cible", "192.0.2.200", t2).unwrap(), Some(std::time::Duration::from_secs(1)));
        assert_eq!(lib.login_wait_at("cible", "192.0.2.200", t2 + chrono::Duration::seconds(1)).unwrap(), None);
        // Old failures go as new ones come.
        let before: i64 = lib.conn().query_row("SELECT COUNT(*) FROM login_failures", [], |r| r.get(0)).unwrap();
        lib.begin_login_at("y", "192.0.2.3", t0 + chrono::Duration::days(10)).unwrap().unwrap();
        let after: i64 = lib.conn().query_row("SELECT COUNT(*) FROM login_failures", [], |r| r.get(0)).unwrap();
        assert_eq!(after, before + 3 - 8);
    }
}
