//! The HTTP API and pages, in-process (`oneshot`) and on a real server.

use axum::http::StatusCode;

use crate::common::{get, get_json, spawn_server};

#[tokio::test]
async fn search_api_shape() {
    let (status, v) = get_json("/api/v1/search?q=montpel").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["query"], "montpel");
    assert!(v["total"].as_u64().unwrap() >= 1);
    let r = &v["results"][0];
    assert_eq!(r["type"], "commune");
    assert_eq!(r["code"], "34172");
    assert_eq!(r["siren"], "213401722");
    assert_eq!(r["name"], "Montpellier");
    assert_eq!(r["url"], "/commune/montpellier-34172");
    assert!(r["label"].as_str().unwrap().contains("Hérault"));
    assert!(r["population"].as_u64().unwrap() > 250_000);
    assert_eq!(r["departement"]["code"], "34");
    assert_eq!(r["region"]["name"], "Occitanie");
}

#[tokio::test]
async fn search_api_epci_code_is_the_siren_and_type_filter_works() {
    let (status, v) = get_json("/api/v1/search?q=lyon&type=epci&limit=3").await;
    assert_eq!(status, StatusCode::OK);
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 3);
    assert!(results.iter().all(|r| r["type"] == "epci" || r["type"] == "ept"));
    assert_eq!(results[0]["code"], results[0]["siren"]);
}

#[tokio::test]
async fn limit_defaults_to_10_and_caps_at_50() {
    let (_, v) = get_json("/api/v1/search?q=saint").await;
    assert_eq!(v["results"].as_array().unwrap().len(), 10);
    let (_, v) = get_json("/api/v1/search?q=saint&limit=50").await;
    assert_eq!(v["results"].as_array().unwrap().len(), 50);
    let (status, v) = get_json("/api/v1/search?q=saint&limit=51").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("limit"));
}

#[tokio::test]
async fn bad_inputs_get_a_400_with_a_json_message() {
    let long = "a".repeat(201);
    let cases = [
        "/api/v1/search".to_owned(),
        "/api/v1/search?q=".to_owned(),
        "/api/v1/search?q=%20%20".to_owned(),
        format!("/api/v1/search?q={long}"),
        "/api/v1/search?q=%27-%27".to_owned(),
        "/api/v1/search?q=paris&type=ville".to_owned(),
        "/api/v1/search?q=paris&limit=0".to_owned(),
        "/api/v1/search?q=paris&limit=abc".to_owned(),
        "/api/v1/search?q=paris&limit=-1".to_owned(),
        format!("/api/v1/search?q={}", "a+".repeat(40)),
        format!("/api/v1/search?q={}", "%EF%B7%BA".repeat(150)),
    ];
    for uri in &cases {
        let (status, v) = get_json(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(v["error"]["status"], 400, "{uri}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{uri}");
    }
    // 200 characters exactly is accepted.
    let (status, _) = get_json(&format!("/api/v1/search?q={}", "a".repeat(200))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn no_input_yields_a_500() {
    let nasty = [
        "/api/v1/search?q=%00",
        "/api/v1/search?q=%FF%FE",
        "/api/v1/search?q=%E2%80%AE%F0%9F%98%80",
        "/api/v1/search?q=*",
        "/api/v1/search?q=a%22b",
        "/api/v1/search?q=%5C%5C",
        "/api/v1/search?q=0",
        "/api/v1/search?q=00000000000000000000000",
        "/api/v1/search?q=%25",
        "/api/v1/search?q=%",
        "/api/v1/search?q=x&q=y",
        "/api/v1/search?q=%F4%8F%BF%BF",
        "/recherche?q=%00",
        "/recherche?q=%FF",
        "/recherche?q=paris&type=nope",
        "/recherche?q=paris&limit=9999",
        "/recherche?q=",
        "/assets/../../etc/passwd",
        "/nope",
        "/api/v2/nothing",
    ];
    for uri in nasty {
        let (status, _, _) = get(uri).await;
        assert!(!status.is_server_error(), "{uri}: {status}");
    }
}

#[tokio::test]
async fn healthz() {
    let (status, v) = get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["cog"], 2026);
}

#[tokio::test]
async fn home_page_has_an_accessible_search_form() {
    let (status, ctype, body) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html"));
    assert!(body.contains(r#"<html lang="fr""#));
    assert!(body.contains(r#"action="/recherche""#));
    assert!(body.contains(r#"role="combobox""#) && body.contains(r#"aria-controls="q-listbox""#));
    assert!(body.contains("/assets/dsfr/dsfr.min.css"));
}

#[tokio::test]
async fn results_page_works_without_javascript() {
    let (status, _, body) = get("/recherche?q=st+etienne").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"href="/commune/saint-etienne-42218""#), "{body}");
    let (status, _, body) = get("/recherche?q=zzzzzzzzzzqqq").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Aucune collectivité"));
    let (status, _, body) = get(&format!("/recherche?q={}", "x".repeat(300))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("200 caractères"), "clear message on the page");
    let (_, _, body) = get("/recherche?q=paris&type=region").await;
    assert!(body.contains("Île-de-France") || body.contains("Aucune"), "type filter kept");
}

#[tokio::test]
async fn unknown_pages_are_helpful_404s() {
    let (status, ctype, body) = get("/commune/inconnue-99999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ctype.starts_with("text/html"));
    assert!(body.contains(r#"action="/recherche""#), "the 404 page has the search box");
    let (status, v) = get_json("/api/v1/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["status"], 404);
}

#[tokio::test]
async fn dsfr_assets_are_served_from_the_binary() {
    for (path, ctype) in [
        ("/assets/dsfr/dsfr.min.css", "text/css"),
        ("/assets/dsfr/dsfr.module.min.js", "text/javascript"),
        ("/assets/dsfr/fonts/Marianne-Regular.woff2", "font/woff2"),
        ("/assets/dsfr/icons/system/search-line.svg", "image/svg+xml"),
        ("/assets/app/search.js", "text/javascript"),
    ] {
        let (status, ct, _) = get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(ct.starts_with(ctype), "{path}: {ct}");
    }
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let res = tower::ServiceExt::oneshot(
        oc_web::router(crate::common::app()),
        axum::http::Request::builder().uri("/").body(axum::body::Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_on_loopback() {
    let addr = spawn_server().await;
    let body = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(s, "GET /api/v1/search?q=2A004 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("\"name\":\"Ajaccio\""), "{body}");
}
