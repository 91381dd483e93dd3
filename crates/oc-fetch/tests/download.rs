//! Downloads to disk keep the fetcher's manners: retries on a server
//! error, a size cap, and no file left behind when they fail.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use oc_fetch::{FetchConfig, Fetcher};

/// A server whose `/flaky` answers 503 twice, then the body, and whose
/// `/big` answers 4 KiB.
async fn server() -> SocketAddr {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new()
        .route(
            "/flaky",
            get(move || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        (StatusCode::SERVICE_UNAVAILABLE, "plus tard").into_response()
                    } else {
                        "code;nom\n01001;L'Abergement-Clémenciat\n".into_response()
                    }
                }
            }),
        )
        .route("/big", get(|| async { vec![b'x'; 4096] }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn fetcher(max_bytes: u64) -> Fetcher {
    Fetcher::new(FetchConfig { retries: 2, backoff: Duration::from_millis(10), max_bytes, ..FetchConfig::default() })
        .unwrap()
}

#[tokio::test]
async fn a_download_is_retried_after_server_errors() {
    let addr = server().await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("communes.csv");
    let n = fetcher(1 << 20).download(&format!("http://{addr}/flaky"), &dest).await.unwrap();
    let text = std::fs::read_to_string(&dest).unwrap();
    assert_eq!(n as usize, text.len());
    assert!(text.contains("L'Abergement-Clémenciat"), "{text}");
}

#[tokio::test]
async fn a_download_over_the_cap_fails_and_leaves_no_file() {
    let addr = server().await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.csv");
    let e = fetcher(1024).download(&format!("http://{addr}/big"), &dest).await.unwrap_err();
    assert!(e.message.contains("trop volumineuse"), "{e}");
    assert!(!dest.exists(), "a failed download leaves no file");
}

#[tokio::test]
async fn retries_stop_at_the_configured_count() {
    let addr = server().await;
    let f =
        Fetcher::new(FetchConfig { retries: 1, backoff: Duration::from_millis(10), ..FetchConfig::default() }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = f.download(&format!("http://{addr}/flaky"), &dir.path().join("x")).await.unwrap_err();
    assert!(e.message.contains("503") && e.message.contains("après 2 tentatives"), "{e}");
}
