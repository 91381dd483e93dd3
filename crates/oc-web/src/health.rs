//! `/healthz`: whether this server can serve — a saturated blocking pool,
//! a publications index behind the store for longer than allowed, or a
//! store that cannot be read turn it 503.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::blocking;
use crate::AppState;

/// The routes of this feature.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// What `/healthz` checks against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthConfig {
    /// How long the publications index may stay behind the library store
    /// (`[library] max_index_lag_secs`); zero: unhealthy as soon as behind.
    pub max_index_lag: Duration,
    /// This app's saturation threshold of the blocking pool; `None`: the
    /// process-wide [`blocking::limit`].
    pub blocking_limit: Option<usize>,
    /// How long the checks may wait for a blocking thread and run; a check
    /// that gets no thread in that time means the pool is saturated.
    pub check_timeout: Duration,
}

/// `[library] max_index_lag_secs` by default.
pub const DEFAULT_MAX_INDEX_LAG_SECS: u64 = 300;

impl Default for HealthConfig {
    fn default() -> HealthConfig {
        HealthConfig {
            max_index_lag: Duration::from_secs(DEFAULT_MAX_INDEX_LAG_SECS),
            blocking_limit: None,
            check_timeout: Duration::from_secs(2),
        }
    }
}

impl HealthConfig {
    /// The defaults, with the index lag allowed given in seconds.
    pub fn with_max_index_lag_secs(secs: u64) -> HealthConfig {
        HealthConfig { max_index_lag: Duration::from_secs(secs), ..HealthConfig::default() }
    }
}

/// The health settings of an app, and what its checks remember between
/// two probes (shared by the app's clones).
#[derive(Debug, Clone, Default)]
pub struct Health {
    pub config: HealthConfig,
    /// Since when the publications index has been seen behind the store,
    /// with the store's revision at that moment; `None` when caught up.
    lag: Arc<Mutex<Option<(i64, Instant)>>>,
}

impl Health {
    pub fn new(config: HealthConfig) -> Health {
        Health { config, lag: Arc::default() }
    }
}

impl crate::App {
    /// Sets what `/healthz` checks against (a new app starts with
    /// [`HealthConfig::default`]).
    pub fn with_health(mut self, config: HealthConfig) -> crate::App {
        self.health = Health::new(config);
        self
    }
}

/// Records one observation of the index (`indexed`) against the store
/// (`store`); returns for how long the index has been behind, `None` when
/// it is not. The lag runs from the first probe that saw it behind, and
/// starts again once the index has caught up with the revision the store
/// had then (an indexer that keeps following a busy store is not behind).
fn observe_lag(lag: &Mutex<Option<(i64, Instant)>>, indexed: i64, store: i64, now: Instant) -> Option<Duration> {
    let mut seen = lag.lock().unwrap_or_else(PoisonError::into_inner);
    if indexed >= store {
        *seen = None;
        return None;
    }
    match *seen {
        Some((rev, since)) if indexed < rev => Some(now.saturating_duration_since(since)),
        _ => {
            *seen = Some((store, now));
            Some(Duration::ZERO)
        }
    }
}

/// How far the library checks went (what a timeout or a panic stopped).
const STAGE_QUEUED: u8 = 0;
const STAGE_STORE: u8 = 1;
const STAGE_INDEX: u8 = 2;

/// What the checks on the blocking pool found.
struct LibraryChecks {
    store: Result<i64, String>,
    /// The index's revision (`None`: not read, the store failed).
    index: Option<Result<i64, String>>,
    behind: Option<Duration>,
}

/// The store and index checks (blocking): one cheap query on the store,
/// the index's commit metadata.
fn library_checks(lib: &crate::LibraryView, lag: &Mutex<Option<(i64, Instant)>>, stage: &AtomicU8) -> LibraryChecks {
    stage.store(STAGE_STORE, Ordering::SeqCst);
    let store = lib.lock().rev().map_err(|e| e.to_string());
    let Ok(store_rev) = store else { return LibraryChecks { store, index: None, behind: None } };
    stage.store(STAGE_INDEX, Ordering::SeqCst);
    let index = lib.index.indexed_rev().map_err(|e| e.to_string());
    let behind = match &index {
        Ok(i) => observe_lag(lag, *i, store_rev, Instant::now()),
        Err(_) => None,
    };
    LibraryChecks { store, index: Some(index), behind }
}

/// `GET /healthz`: the data served, and whether the server can serve it.
/// 503 (`"status": "degraded"`) when the blocking pool is saturated, the
/// publications index has stayed behind the store for longer than
/// allowed, or the store cannot be read; each check in `checks`, the ones
/// failed in `failed`, what is wrong in `message` (French).
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let r = state.reference();
    let d = &r.geo.data;
    let config = state.health.config.clone();
    let limit = config.blocking_limit.unwrap_or_else(blocking::limit);
    // Read before the check's own task is counted.
    let in_flight = blocking::in_flight();
    let mut messages: Vec<String> = Vec::new();
    let mut failed: Vec<&str> = Vec::new();

    let mut blocking_ok = !blocking::saturated_at(in_flight, limit);
    if !blocking_ok {
        messages.push(format!(
            "le pool de tâches bloquantes est saturé : {in_flight} tâches en cours pour une limite de {limit}"
        ));
    }

    // The store and index checks run on the blocking pool, like the work
    // they vouch for; without a library only the pool is tried.
    let stage = Arc::new(AtomicU8::new(STAGE_QUEUED));
    let (library, lag, st) = (state.library.clone(), state.health.lag.clone(), stage.clone());
    let mut handle = blocking::spawn(move || library.map(|lib| library_checks(&lib, &lag, &st)));
    let secs = config.check_timeout.as_secs_f64();
    let outcome = match tokio::time::timeout(config.check_timeout, &mut handle).await {
        Ok(Ok(checks)) => Ok(checks),
        Ok(Err(e)) => Err(format!("la vérification a échoué ({e})")),
        Err(_) => {
            // Never started: it will not (a started one cannot be stopped).
            handle.abort();
            Err(format!("la vérification n'a pas répondu en {secs} s"))
        }
    };
    let stopped_at = stage.load(Ordering::SeqCst);
    if outcome.is_err() && stopped_at == STAGE_QUEUED && blocking_ok {
        blocking_ok = false;
        messages.push(format!(
            "aucun fil d'exécution bloquant libre en {secs} s : le pool de tâches bloquantes est saturé"
        ));
    }
    if !blocking_ok {
        failed.push("blocking");
    }
    let checks_blocking = serde_json::json!({ "ok": blocking_ok, "in_flight": in_flight, "limit": limit });

    let max_lag_secs = config.max_index_lag.as_secs();
    let (checks_index, checks_store) = match outcome {
        Ok(None) => (
            serde_json::json!({ "ok": true, "applicable": false, "lag_revisions": null, "behind_secs": null }),
            serde_json::json!({ "ok": true, "applicable": false }),
        ),
        Ok(Some(c)) => {
            let store = match &c.store {
                Ok(_) => serde_json::json!({ "ok": true }),
                Err(e) => {
                    failed.push("store");
                    let m = format!("la base de la bibliothèque ne peut pas être lue : {e}");
                    messages.push(m.clone());
                    serde_json::json!({ "ok": false, "message": m })
                }
            };
            let index = match (&c.store, &c.index) {
                (Ok(s), Some(Ok(i))) => {
                    let lag = s.saturating_sub(*i).max(0);
                    let behind = c.behind.unwrap_or_default();
                    let ok = c.behind.is_none_or(|b| b < config.max_index_lag);
                    let mut v = serde_json::json!({
                        "ok": ok,
                        "lag_revisions": lag,
                        "behind_secs": behind.as_secs(),
                        "max_lag_secs": max_lag_secs,
                        "indexed_rev": i,
                        "store_rev": s,
                    });
                    if !ok {
                        failed.push("index");
                        let m = format!(
                            "l'index des publications a {lag} révision(s) de retard sur la bibliothèque depuis {} s \
                                (au plus {max_lag_secs} s admises) : la recherche publique ne montre pas les derniers \
                                changements",
                            behind.as_secs()
                        );
                        messages.push(m.clone());
                        v["message"] = m.into();
                    }
                    v
                }
                (_, Some(Err(e))) => {
                    failed.push("index");
                    let m = format!("la révision de l'index des publications ne peut pas être lue : {e}");
                    messages.push(m.clone());
                    serde_json::json!({ "ok": false, "lag_revisions": null, "behind_secs": null, "message": m })
                }
                _ => {
                    serde_json::json!({ "ok": null, "lag_revisions": null, "behind_secs": null, "message": "non \
                        vérifié : la base de la bibliothèque ne peut pas être lue" })
                }
            };
            (index, store)
        }
        Err(why) => {
            // What the check was doing when it stopped is what failed.
            let unchecked = |m: &str| serde_json::json!({ "ok": null, "lag_revisions": null, "behind_secs": null, "message": format!("non vérifié : {m}") });
            match stopped_at {
                STAGE_STORE => {
                    failed.push("store");
                    let m = format!("la base de la bibliothèque ne répond pas : {why}");
                    messages.push(m.clone());
                    (unchecked(&m), serde_json::json!({ "ok": false, "message": m }))
                }
                STAGE_INDEX => {
                    failed.push("index");
                    let m = format!("l'index des publications ne répond pas : {why}");
                    messages.push(m.clone());
                    (
                        serde_json::json!({ "ok": false, "lag_revisions": null, "behind_secs": null, "message": m }),
                        serde_json::json!({ "ok": true }),
                    )
                }
                _ => {
                    let m = "pas de fil d'exécution bloquant pour la vérification";
                    (unchecked(m), serde_json::json!({ "ok": null, "message": format!("non vérifié : {m}") }))
                }
            }
        }
    };

    let healthy = failed.is_empty();
    let mut body = serde_json::json!({
        "status": if healthy { "ok" } else { "degraded" },
        "cog": d.meta.cog_year,
        "communes": d.communes.len(),
        "epci": d.epci.len(),
        "departements": d.departements.len(),
        "regions": d.regions.len(),
        "indexed": r.territories.entries().len(),
        "data_fingerprint": format!("{:016x}", r.geo.fingerprint),
        "checks": { "blocking": checks_blocking, "index": checks_index, "store": checks_store },
    });
    if !healthy {
        body["failed"] = serde_json::json!(failed);
        body["message"] = messages.join(" ; ").into();
    }
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(axum::http::header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lag_runs_from_the_first_probe_that_saw_it_and_ends_when_caught_up() {
        let lag = Mutex::new(None);
        let t0 = Instant::now();
        let s = |n| t0 + Duration::from_secs(n);
        assert_eq!(observe_lag(&lag, 5, 5, s(0)), None, "caught up");
        assert_eq!(observe_lag(&lag, 5, 8, s(10)), Some(Duration::ZERO), "first seen behind");
        assert_eq!(observe_lag(&lag, 6, 9, s(70)), Some(Duration::from_secs(60)), "still behind what was seen");
        // Past the revision seen then, behind newer changes: a new lag.
        assert_eq!(observe_lag(&lag, 8, 12, s(100)), Some(Duration::ZERO));
        assert_eq!(observe_lag(&lag, 9, 12, s(130)), Some(Duration::from_secs(30)));
        assert_eq!(observe_lag(&lag, 12, 12, s(140)), None);
        assert_eq!(*lag.lock().unwrap(), None, "forgotten once caught up");
        assert_eq!(observe_lag(&lag, 12, 13, s(150)), Some(Duration::ZERO));
        assert_eq!(observe_lag(&lag, 14, 13, s(160)), None, "an index ahead is not behind");
    }

    #[test]
    fn health_defaults() {
        let c = HealthConfig::default();
        assert_eq!(
            (c.max_index_lag, c.blocking_limit, c.check_timeout),
            (Duration::from_secs(300), None, Duration::from_secs(2))
        );
        assert_eq!(HealthConfig::with_max_index_lag_secs(0).max_index_lag, Duration::ZERO);
    }
}
