//! Blocking work of the handlers (index searches, store queries, page
//! rendering at national size), counted: [`spawn`] is
//! `tokio::task::spawn_blocking` plus a process-wide count of the tasks in
//! flight ([`in_flight`]), which `/healthz` compares with a [`limit`].
//!
//! Tokio's own blocking-pool metrics need `--cfg tokio_unstable`; counting
//! ourselves works on a stable build. A task counts from the moment it is
//! spawned (queued for a thread or running) until its closure returns,
//! panics, or is dropped without running (aborted before it started, or
//! the runtime shut down).

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::task::JoinHandle;

/// Tokio's default `max_blocking_threads` (the binary's runtime keeps it).
pub(crate) const TOKIO_MAX_BLOCKING_THREADS: usize = 512;

/// The default [`limit`]: 90 % of [`TOKIO_MAX_BLOCKING_THREADS`] (460).
pub(crate) const DEFAULT_LIMIT: usize = TOKIO_MAX_BLOCKING_THREADS * 9 / 10;

/// Tasks spawned through [`spawn`] and not finished yet.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Counts one task in flight on `counter` until dropped.
struct InFlight(&'static AtomicUsize);

impl InFlight {
    fn enter(counter: &'static AtomicUsize) -> InFlight {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `tokio::task::spawn_blocking`, counted in [`in_flight`] from now until
/// `f` returns or panics (or is dropped unrun). Same signature, same
/// handle, same panics (outside a runtime).
pub fn spawn<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    spawn_counted(&IN_FLIGHT, f)
}

/// [`spawn`] on a given counter (tests use their own).
fn spawn_counted<F, R>(counter: &'static AtomicUsize, f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    // Taken before spawning and moved into the closure: it is dropped when
    // the closure ends (returns, unwinds) or is dropped without running.
    let guard = InFlight::enter(counter);
    tokio::task::spawn_blocking(move || {
        let _guard = guard;
        f()
    })
}

/// Tasks spawned through [`spawn`] (in this process) not finished yet.
pub fn in_flight() -> usize {
    IN_FLIGHT.load(Ordering::SeqCst)
}

/// In-flight tasks from which the blocking pool counts as saturated
/// for the whole process ([`DEFAULT_LIMIT`]; an app can set its own,
/// `health::HealthConfig::blocking_limit`).
pub fn limit() -> usize {
    DEFAULT_LIMIT
}

/// Whether `in_flight` tasks reach `limit`.
pub(crate) fn saturated_at(in_flight: usize, limit: usize) -> bool {
    in_flight >= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Waits (a few seconds at most) until `counter` reads `n`.
    async fn settles(counter: &AtomicUsize, n: usize) {
        for _ in 0..500 {
            if counter.load(Ordering::SeqCst) == n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(counter.load(Ordering::SeqCst), n);
    }

    #[tokio::test]
    async fn tasks_count_until_they_return() {
        static C: AtomicUsize = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<()>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let rx = rx.clone();
                spawn_counted(&C, move || {
                    let _ = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    i
                })
            })
            .collect();
        assert_eq!(C.load(Ordering::SeqCst), 3, "counted from the spawn on");
        drop(tx);
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out.sort_unstable();
        assert_eq!(out, [0, 1, 2], "the handle gives the closure's value");
        settles(&C, 0).await;
    }

    #[tokio::test]
    async fn a_panic_counts_down_too() {
        static C: AtomicUsize = AtomicUsize::new(0);
        let h = spawn_counted::<_, ()>(&C, || panic!("boom (expected by the test)"));
        assert!(h.await.unwrap_err().is_panic());
        settles(&C, 0).await;
    }

    #[test]
    fn a_task_that_never_runs_counts_down() {
        static C: AtomicUsize = AtomicUsize::new(0);
        let rt = tokio::runtime::Builder::new_current_thread().max_blocking_threads(1).build().unwrap();
        let (tx, rx) = mpsc::channel::<()>();
        let _enter = rt.enter();
        // One thread: the first task holds it, the second waits in the queue.
        let first = spawn_counted(&C, move || rx.recv().is_ok());
        let second = spawn_counted(&C, || ());
        assert_eq!(C.load(Ordering::SeqCst), 2);
        second.abort();
        drop(tx);
        drop(first);
        drop(_enter);
        // Shutting the runtime down drops what never ran.
        drop(rt);
        assert_eq!(C.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn the_default_limit_is_90_percent_of_tokio_s_pool() {
        assert_eq!(DEFAULT_LIMIT, 460);
        assert!(saturated_at(460, 460) && !saturated_at(459, 460));
    }
}
