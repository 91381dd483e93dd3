//! Streamed exports (`/communes.csv`, list exports, `/publications.csv|json`)
//! that no slow client can turn into a held thread.
//!
//! The body is *pulled*: each time hyper can write, it polls the stream,
//! which produces the next chunk (about 48 KB) in one short blocking task
//! and returns. A client that stops reading stops the polling, so it holds
//! no blocking thread — only its producer's state and an export permit.
//! Exports are bounded by [`ExportLimit`]: past the bound the answer is 503
//! with `Retry-After` and a French message. Writes that make no progress
//! are cut by the connection's write timeout (see the binary's server).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bytes gathered before a chunk is handed to the connection.
pub(crate) const CHUNK_BYTES: usize = 48 * 1024;

/// What produces a streamed body, one chunk per call, on a blocking
/// thread. `None` ends the body.
pub(crate) trait Producer: Send + 'static {
    fn next_chunk(&mut self) -> Option<Result<String, std::io::Error>>;
}

/// How many exports may stream at once (`[server] max_exports`).
#[derive(Debug, Clone)]
pub struct ExportLimit(Arc<Semaphore>, usize);

impl ExportLimit {
    pub fn new(max: usize) -> ExportLimit {
        ExportLimit(Arc::new(Semaphore::new(max.max(1))), max.max(1))
    }

    /// A permit for one export, or the 503 to answer.
    pub fn try_acquire(&self) -> Result<OwnedSemaphorePermit, Busy> {
        self.0.clone().try_acquire_owned().map_err(|_| Busy)
    }

    /// Exports streaming now.
    pub fn in_use(&self) -> usize {
        self.1 - self.0.available_permits()
    }

    pub fn max(&self) -> usize {
        self.1
    }
}

impl Default for ExportLimit {
    fn default() -> Self {
        ExportLimit::new(DEFAULT_MAX_EXPORTS)
    }
}

/// Default bound of concurrent exports.
/// A stalled export holds no thread and, its codes shared, little memory
/// (a chunk and the position): the bound is there against floods, high
/// enough that hundreds of stalled readers leave room for everyone else.
pub const DEFAULT_MAX_EXPORTS: usize = 1024;

/// Every export permit is taken: answered 503 with `Retry-After`.
#[derive(Debug)]
pub struct Busy;

impl IntoResponse for Busy {
    fn into_response(self) -> Response {
        let mut res = (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Trop de téléchargements sont en cours sur ce portail : réessayez dans une trentaine de secondes.\n",
        )
            .into_response();
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        res
    }
}

/// Chunks produced at once, by every export together: exports use at most
/// this many cores, the others stay for searches and fiches.
pub(crate) const PRODUCERS: usize = 1;

fn producers() -> &'static Semaphore {
    static P: std::sync::OnceLock<Semaphore> = std::sync::OnceLock::new();
    P.get_or_init(|| Semaphore::new(PRODUCERS))
}

/// A body pulled from `producer` chunk by chunk; `permit` is released when
/// the body ends or is dropped (client gone).
pub(crate) fn body(producer: impl Producer, permit: OwnedSemaphorePermit) -> Body {
    let stream = futures_util::stream::unfold(Some((producer, permit)), |state| async move {
        let (mut producer, permit) = state?;
        // Waiting here holds no thread.
        let _turn = producers().acquire().await.ok()?;
        let produced = crate::blocking::spawn(move || {
            let chunk = producer.next_chunk();
            (producer, chunk)
        })
        .await;
        match produced {
            Ok((producer, Some(chunk))) => Some((chunk, Some((producer, permit)))),
            Ok((_, None)) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    });
    Body::from_stream(stream)
}

/// The whole body of `producer`, made in one blocking task when the
/// producers' turn comes (for short exports, kept whole).
pub(crate) async fn whole(mut producer: impl Producer) -> Result<axum::body::Bytes, std::io::Error> {
    let _turn = producers().acquire().await.map_err(std::io::Error::other)?;
    crate::blocking::spawn(move || {
        let mut out = String::new();
        while let Some(chunk) = producer.next_chunk() {
            out.push_str(&chunk?);
        }
        Ok(axum::body::Bytes::from(out))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The result of `f`, made in one blocking task when the producers' turn
/// comes (a workbook made whole): at most [`PRODUCERS`] such tasks and
/// chunks at once; waiting for the turn holds no thread. The turn is held
/// by the task itself: a client gone while it runs frees no turn for a
/// second build until the first ends.
pub(crate) async fn build<T, F>(f: F) -> Result<T, std::io::Error>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let turn = producers().acquire().await.map_err(std::io::Error::other)?;
    crate::blocking::spawn(move || {
        let _turn = turn;
        f()
    })
    .await
    .map_err(std::io::Error::other)
}

/// A producer from a closure that appends to the chunk being built and
/// says whether more follows.
pub(crate) struct FnProducer<F>(pub F, pub bool);

impl<F> Producer for FnProducer<F>
where
    F: FnMut(&mut String) -> Result<bool, std::io::Error> + Send + 'static,
{
    fn next_chunk(&mut self) -> Option<Result<String, std::io::Error>> {
        if self.1 {
            return None;
        }
        let mut buf = String::with_capacity(CHUNK_BYTES + 4096);
        loop {
            match (self.0)(&mut buf) {
                Err(e) => {
                    self.1 = true;
                    return Some(Err(e));
                }
                Ok(false) => {
                    self.1 = true;
                    return Some(Ok(buf));
                }
                Ok(true) if buf.len() >= CHUNK_BYTES => return Some(Ok(buf)),
                Ok(true) => {}
            }
        }
    }
}
