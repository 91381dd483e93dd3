//! The HTTP server of `serve`: hyper's HTTP/1 connections under limits no
//! client can stretch.
//!
//! - At most `max_connections` connections are served at once; further
//!   ones wait in the listen backlog (they are accepted as soon as one
//!   closes), so the process keeps descriptors for its indexes and store.
//! - Request headers must arrive within `header_read_timeout`.
//! - A connection that makes no progress — no byte read nor written —
//!   while it waits for the client for `idle_timeout` is closed: idle
//!   keep-alive sockets, half-sent bodies and clients that stop reading a
//!   response alike. A download that keeps moving is never cut.
//! - A request body (the back-office forms) must arrive whole within
//!   `body_timeout`, however it trickles (`oc_web::App::body_timeout`,
//!   answered 408).
//! - At start the open-file limit is raised to its hard limit where the
//!   system allows.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// The limits of [`serve`] (`[server]` in the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
}

/// The kernel send buffer of each connection (bytes).
pub const SEND_BUFFER: usize = 256 * 1024;

/// Descriptors kept for the indexes, the store, downloads and the log when
/// the connection cap is derived from the open-file limit.
pub const DESCRIPTOR_RESERVE: u64 = 512;

/// Raises the soft open-file limit to the hard one (where the system
/// allows) and returns the soft limit in force.
pub fn raise_open_files() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("cannot raise the open-file limit: {e}");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}

/// The connection cap: the configured one, never more than the open-file
/// limit less [`DESCRIPTOR_RESERVE`].
pub fn connection_cap(configured: usize, open_files: u64) -> usize {
    let room = open_files.saturating_sub(DESCRIPTOR_RESERVE).max(16);
    configured.min(usize::try_from(room).unwrap_or(usize::MAX)).max(1)
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the
/// connections in flight finish (10 s at most).
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Descriptors exhausted, a reset before accept…: keep serving.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        // A client that stops reading absorbs at most this much of a
        // response in the kernel, so it cannot make the server produce
        // megabytes of an export it will never read.
        let _ = socket2::SockRef::from(&tcp).set_send_buffer_size(SEND_BUFFER);
        let router = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(req.map(axum::body::Body::new))
            });
            let io = TokioIo::new(Watched::new(tcp, limits.idle_timeout));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(io, service);
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer}: {e}");
            }
            drop(permit);
        });
    }
    // Connections in flight end on their own; waited for a while.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(all)).await;
    Ok(())
}

/// A TCP stream closed (`TimedOut`) when a read or write waits for
/// `idle` without any byte moving either way.
struct Watched {
    inner: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    armed: bool,
}

impl Watched {
    fn new(inner: TcpStream, idle: Duration) -> Watched {
        Watched { inner, idle, deadline: Box::pin(tokio::time::sleep(idle)), armed: false }
    }

    /// Progress: the wait starts again.
    fn moved(&mut self) {
        self.armed = false;
    }

    /// Waiting: arms the deadline (once per wait) and says if it passed.
    fn waiting(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        if !self.armed {
            self.deadline.as_mut().reset(Instant::now() + self.idle);
            self.armed = true;
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(std::io::Error::new(std::io::ErrorKind::TimedOut, "no progress on the connection"))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Watched {
    /// The outcome of a read or write: progress resets the wait, a wait
    /// past the deadline becomes `TimedOut`.
    fn track<T>(&mut self, cx: &mut Context<'_>, r: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        match r {
            Poll::Ready(r) => {
                self.moved();
                Poll::Ready(r)
            }
            Poll::Pending => self.waiting(cx).map(Err),
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        self.track(cx, r)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.track(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.track(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.track(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
