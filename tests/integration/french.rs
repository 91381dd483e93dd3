//! Every sentence in correct French (issue "every sentence correct
//! French"): counts agree with their number ("1 document", "3 documents",
//! "aucun document"), determiners with the gender of the level of
//! collectivité ("tous les départements", "toutes les régions"), and no
//! page writes "(s)".

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};

use crate::admin::{send, Client};
use crate::common::{get, get_json};

/// The text of a page, without its tags (attributes and scripts may hold
/// anything; sentences are what a reader sees).
fn text_of(html: &str) -> String {
    crate::common::html_text(html.split_once("<body").map_or(html, |(_, b)| b))
}

/// No "(s)", "(e)", "(es)" left to the reader to agree.
fn assert_agreed(uri: &str, html: &str) {
    let text = text_of(html);
    for mark in ["(s)", "(e)", "(es)"] {
        assert!(!text.contains(mark), "{uri}: {mark:?} in {text}");
    }
}

/// A public page, checked for "(s)".
async fn page(uri: &str) -> String {
    let (status, _, body) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    assert_agreed(uri, &body);
    body
}

#[tokio::test]
async fn the_fiche_sections_agree_with_the_level_and_the_number() {
    // Hérault: nothing about it yet, the documents useful to every département.
    let dep = page("/departement/herault-34").await;
    assert!(dep.contains("Utiles à tous les départements"), "{dep}");
    assert!(!dep.contains("toutes les départements"));
    assert!(!dep.contains("Voir tout ("), "the link names what it shows");
    let (_, v) = get_json("/api/v1/publications?scope=D%C3%A9partements+%28tous%29").await;
    let useful = v["total"].as_u64().expect("a total");
    assert!(useful > 1, "{v}");
    let expected = format!("Voir les {} publications", oc_model::fr::fmt_int(useful));
    assert!(text_of(&dep).contains(&expected), "several publications, {expected:?}: {}", text_of(&dep));
    // Allier: its groups are labelled, each with its link.
    let allier = page("/departement/allier-03").await;
    let text = text_of(&allier);
    assert!(text.contains("Concernant ce territoire Ce territoire"), "{text}");
    assert!(text.contains("Sa région : Auvergne-Rhône-Alpes"), "{text}");
    // Auvergne-Rhône-Alpes: the régions are feminine (the one wording the
    // old code already had right: kept as a guard), and the count is the
    // library's for the type.
    let reg = page("/region/auvergne-rhone-alpes-84").await;
    let text = text_of(&reg);
    assert!(text.contains("Utiles à toutes les régions"), "{text}");
    let (_, v) = get_json("/api/v1/publications?scope=R%C3%A9gions+%28toutes%29").await;
    let n = v["total"].as_u64().expect("a total");
    let expected = if n == 1 {
        "Voir la publication".to_owned()
    } else {
        format!("Voir les {} publications", oc_model::fr::fmt_int(n))
    };
    assert!(text.contains(&expected), "{expected:?}: {text}");
}

#[tokio::test]
async fn library_counts_agree_with_the_number_of_results() {
    // One result (the Sicoval's platform).
    let text = text_of(&page("/publications?q=Sicoval").await);
    assert!(text.contains("Télécharger ce résultat :"), "one result, in the singular: {text}");
    // None: "aucun document" reads better than "0 document".
    let none = page("/publications?q=zzzzqqqq").await;
    assert!(none.contains("id=\"oc-pub-count\"><strong>Aucun document</strong>"), "{none}");
    assert!(!text_of(&none).contains("0 document"), "{none}");
}

#[tokio::test]
async fn a_notice_labels_agree_with_how_many_values_they_list() {
    // An Insee dossier complet: two themes, one type of territory, one
    // territory and the région its title names.
    let (_, v) = get_json("/api/v1/publications?q=Dossier+complet+Portes").await;
    let d = &v["results"][0];
    assert_eq!(
        (
            d["themes"].as_array().map(Vec::len),
            d["scope"].as_array().map(Vec::len),
            d["territories"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1), Some(2)),
        "{d}"
    );
    let text = text_of(&page(&format!("/publications/{}", d["id"])).await);
    assert!(text.contains("Thématiques Géographie"), "{text}");
    assert!(text.contains("Type de territoire Communes"), "{text}");
    assert!(text.contains("Territoires CC Les Portes"), "{text}");
}

#[tokio::test]
async fn back_office_counts_agree_with_the_number() {
    let c = Client::login("admin-test").await;
    // One document.
    let r = c.get("/admin/documents?q=Sicoval").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_agreed("/admin/documents?q=Sicoval", &r.body);
    assert!(r.body.contains("id=\"admin-total\"><strong>1</strong> document</p>"), "{}", r.body);
    // Several.
    let r = c.get("/admin/documents").await;
    assert_agreed("/admin/documents", &r.body);
    assert!(r.body.contains("</strong> documents</p>"), "{}", r.body);
    // The audit log, filtered down to nothing.
    let r = c.get("/admin/journal?cible=aucune-cible-de-ce-nom").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_agreed("/admin/journal", &r.body);
    assert!(r.body.contains("id=\"journal-total\"><strong>0</strong> entrée</p>"), "{}", r.body);
    // The sources' last runs: the seed catalogue's, in the list and on its page.
    let lib = crate::admin::fixture().app.library.clone().expect("library");
    let seed = tokio::task::spawn_blocking(move || lib.lock().sources().expect("sources"))
        .await
        .expect("join")
        .into_iter()
        .find(|s| s.source.id == "catalogue-initial")
        .expect("the seed source");
    let n = |v: i64| oc_model::fr::fmt_int(u64::try_from(v).expect("a count"));
    let run = format!(
        "vus : {}, nouveaux : {}, mis à jour : {}, rejetés : {}",
        n(seed.items_seen),
        n(seed.items_new),
        n(seed.items_updated),
        n(seed.items_rejected)
    );
    let r = c.get("/admin/sources").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = text_of(&r.body);
    assert!(text.contains(&format!(" — {run}")), "{run:?} in {text}");
    assert!(!text.contains(" : 0 vus"), "{text}");
    let r = c.get("/admin/sources/catalogue-initial").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = text_of(&r.body);
    assert!(text.contains(&format!("({run}, ")), "{run:?} in {text}");
}

/// A login attempt from `ip` (the login form's cookie and CSRF token first).
async fn try_login(user: &str, password: &str, ip: [u8; 4]) -> crate::admin::Res {
    let form = send(Request::get("/admin/connexion").body(Body::empty()).expect("request")).await;
    let cookie = form
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("oc_login="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .expect("login cookie");
    let i = form.body.find("name=\"csrf\" value=\"").expect("a CSRF token") + 19;
    let token = &form.body[i..i + 64];
    let body =
        serde_urlencoded::to_string([("csrf", token), ("username", user), ("password", password), ("suite", "/admin")])
            .expect("form");
    let mut req = Request::post("/admin/connexion")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request");
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    send(req).await
}

#[tokio::test]
async fn the_lockout_says_how_long_to_wait() {
    // An account nobody has, from an address of its own: held back once the
    // free failures of that pair are spent.
    let mut refused = None;
    for _ in 0..20 {
        let r = try_login("accord-francais", "wrong password, long enough", [198, 51, 100, 77]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("an attempt refused");
    let text = text_of(&r.body);
    let said = text
        .split_once("Trop de tentatives : réessayez dans ")
        .map(|(_, w)| w.split('.').next().unwrap_or("").to_owned())
        .unwrap_or_else(|| panic!("{text}"));
    let n: u64 = said.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{said}"));
    assert_eq!(said, oc_model::fr::count(n, "seconde", "secondes"), "{text}");
    assert_agreed("/admin/connexion", &r.body);
}
