//! Compare and exports (issue 4): validation, permalinks, add/remove, and
//! CSV parsed back in both dialects equal to what the page shows.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::{app, get};

async fn raw(uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let a = crate::common::request(&app(), crate::common::get_request(uri, &[])).await;
    (a.status, a.headers, a.body)
}

/// Parses CSV text of a dialect into rows of cells (quotes handled).
fn parse_csv(text: &str, sep: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (c, false) if c == sep => row.push(std::mem::take(&mut cell)),
            ('\r', false) if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    assert!(cell.is_empty() && row.is_empty(), "the last line ends with CRLF");
    rows
}

const FOUR: &str = "commune:34172,commune:31555,commune:13055,commune:69123";

#[tokio::test]
async fn compare_page_shows_one_column_per_collectivite() {
    let (status, _, body) = get(&format!("/comparer?ids={FOUR}")).await;
    assert_eq!(status, StatusCode::OK);
    for u in
        ["/commune/montpellier-34172", "/commune/toulouse-31555", "/commune/marseille-13055", "/commune/lyon-69123"]
    {
        assert!(body.contains(&format!("href=\"{u}\"")), "{u}");
    }
    assert_eq!(body.matches(">Retirer<").count(), 4);
    assert!(body.contains("/comparer?ids=commune:31555,commune:13055,commune:69123"), "remove link is a permalink");
    assert!(!body.contains("/comparer/ajouter"), "no add form at 4");
    assert!(body.contains("class=\"oc-bar\""), "inline bars");
    assert!(body.contains("millésime"));
}

#[tokio::test]
async fn compare_validation_is_a_message_on_the_page() {
    let cases = [
        ("commune:34172,epci:243400017", "même niveau"),
        ("commune:34172,commune:31555,commune:13055,commune:69123,commune:33063", "4 collectivités au plus"),
        ("commune:34172,commune:99999", "n'a le code"),
        ("commune:34172,commune:34172", "figure déjà"),
        ("ville:34172", "Niveau inconnu"),
        ("34172", "niveau:code"),
        ("", "Choisissez de 2 à 4"),
        ("commune:34172", "Ajoutez au moins une autre"),
    ];
    let many = vec!["commune:34172"; 2000].join(",");
    let (status, _, body) = get(&format!("/comparer?ids={many}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("seuls les 12 premiers"), "a huge selection is cut, with a message");
    for (ids, needle) in cases {
        let (status, _, body) = get(&format!("/comparer?ids={ids}")).await;
        assert_eq!(status, StatusCode::OK, "{ids}: a page, never an error page");
        assert!(body.contains(needle), "{ids}: missing {needle:?}");
    }
    let (status, _, body) = raw("/comparer.csv?ids=commune:34172,epci:243400017").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("même niveau"));
}

#[tokio::test]
async fn add_without_javascript_redirects_to_the_new_permalink() {
    let (status, h, _) = raw("/comparer/ajouter?ids=commune:34172&q=toulouse&type=commune").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/comparer?ids=commune:34172,commune:31555");
    let (_, h, _) = raw("/comparer/ajouter?ids=commune:34172&pick=commune:13055").await;
    assert_eq!(h["location"], "/comparer?ids=commune:34172,commune:13055");
    let (_, h, _) = raw("/comparer/ajouter?ids=&q=%20").await;
    assert_eq!(h["location"], "/comparer");
}

#[tokio::test]
async fn csv_parsed_back_equals_the_page_in_both_dialects() {
    let (_, _, page) = get(&format!("/comparer?ids={FOUR}")).await;
    let a = app();
    let fiche = oc_web::fiche::fiche_for_code(&a.geo(), oc_model::KindGroup::Commune, "34172").unwrap();
    let pop = fiche.figures.iter().find(|f| f.id == "population").unwrap().value.unwrap();
    assert!(page.contains(&oc_web::format::fmt_num(pop, 0)), "the page shows the population");

    let (status, h, body) = raw(&format!("/comparer.csv?ids={FOUR}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .contains("comparaison-commune-34172-31555-13055-69123-2026.csv"));
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "BOM");
    let text = std::str::from_utf8(&body[3..]).unwrap().to_owned();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF only");
    let rows = parse_csv(&text, ';');
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    assert_eq!(rows[1][0], "Montpellier");
    let col = rows[0].iter().position(|h| h.starts_with("Population municipale")).unwrap();
    assert!(rows[0][col].contains("hab.") && rows[0][col].contains("2023"), "unit and vintage in the header");
    assert_eq!(rows[1][col].parse::<f64>().unwrap(), pop);
    let dens = rows[0].iter().position(|h| h.starts_with("Densité")).unwrap();
    let dens_fr = rows[1][dens].clone();
    assert!(dens_fr.contains(','), "decimal comma: {dens_fr}");
    let code = rows[0].iter().position(|h| h == "Code INSEE").unwrap();
    assert_eq!(rows[4][code], "69123");

    let (_, _, body) = raw(&format!("/comparer.csv?ids={FOUR}&dialect=standard")).await;
    assert_ne!(&body[..3], b"\xEF\xBB\xBF", "no BOM");
    let std_rows = parse_csv(&String::from_utf8(body).unwrap(), ',');
    assert_eq!(std_rows.len(), 5);
    assert_eq!(std_rows[1][dens], dens_fr.replace(',', "."), "same value, decimal point");
    let shown = oc_web::format::fmt_num(std_rows[1][dens].parse::<f64>().unwrap(), 1);
    assert!(page.contains(&shown), "density {shown} shown on the page");

    let (status, _, body) = raw(&format!("/comparer.json?ids={FOUR}")).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 4);
    assert!(v["items"][0]["sources"].as_array().unwrap().iter().any(|s| s["id"] == "cog"));
}

#[tokio::test]
async fn fiche_and_list_exports() {
    let (status, h, body) = raw("/commune/montpellier-34172.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().contains("commune-montpellier-34172-2026.csv"));
    assert_eq!(parse_csv(std::str::from_utf8(&body[3..]).unwrap(), ';').len(), 2);
    let (status, h, _) = raw("/commune/34172.json").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(h["location"], "/commune/montpellier-34172.json");
    let (status, _, body) = raw("/commune/montpellier-34172.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["items"][0]["code"], "34172");

    let (status, h, body) = raw("/departement/herault-34/communes.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-disposition"], "attachment; filename=\"communes-departement-34-herault-2026.csv\"");
    let rows = parse_csv(std::str::from_utf8(&body[3..]).unwrap(), ';');
    assert_eq!(rows.len() - 1, app().geo().communes_of_departement("34").count());
    for (uri, n) in [
        ("/epci/243400017/communes.json", 31usize),
        ("/departement/34/epci.csv?dialect=standard", app().geo().epci_of_departement("34").count()),
        ("/region/76/epci.json", app().geo().epci_of_region("76").count()),
    ] {
        let (status, _, body) = raw(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let count = if uri.contains(".json") {
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["items"].as_array().unwrap().len()
        } else {
            parse_csv(&String::from_utf8(body).unwrap(), ',').len() - 1
        };
        assert_eq!(count, n, "{uri}");
    }
    for bad in [
        "/departement/34/maires.csv",
        "/epci/243400017/epci.csv",
        "/departement/00/communes.csv",
        "/commune/montpellier-34172.csv?dialect=tsv",
    ] {
        let (status, _, _) = raw(bad).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{bad}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_communes_of_france_stream() {
    let (status, h, body) = raw("/communes.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("etag").is_none(), "streamed, not buffered");
    let text = std::str::from_utf8(&body[3..]).unwrap().to_owned();
    // Saint-Martin, Saint-Barthélemy and Clipperton are collectivités
    // d'outre-mer, not communes: not in the communes' export.
    assert_eq!(text.matches("\r\n").count(), 1 + 34_969 - 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_list_exports_are_made_once_per_dialect() {
    let router = oc_web::router(app());
    let fetch = |uri: &'static str| {
        let router = router.clone();
        async move {
            let res = router.oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap()).await.unwrap();
            let (s, h) = (res.status(), res.headers().clone());
            (s, h, res.into_body().collect().await.unwrap().to_bytes().to_vec())
        }
    };
    let (s1, h1, fr1) = fetch("/departement/lozere-48/communes.csv").await;
    let (s2, _, fr2) = fetch("/departement/lozere-48/communes.csv").await;
    let (s3, _, std) = fetch("/departement/lozere-48/communes.csv?dialect=standard").await;
    assert_eq!((s1, s2, s3), (StatusCode::OK, StatusCode::OK, StatusCode::OK));
    assert!(h1.get("etag").is_some(), "a short list is answered whole, so it has an ETag");
    assert_eq!(fr1, fr2, "the kept export is the one made");
    assert!(
        fr1.starts_with("\u{feff}".as_bytes()) && !std.starts_with("\u{feff}".as_bytes()),
        "each dialect kept apart"
    );
    let rows = parse_csv(std::str::from_utf8(&std).unwrap(), ',');
    assert_eq!(rows.len() - 1, app().geo().communes_of_departement("48").count());
}
