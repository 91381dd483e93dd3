//! The XLSX twin of every CSV export (issue 17): read back with calamine,
//! each workbook has the CSV's rows, with codes as text (`01053`, `2A004`),
//! numbers as numbers, withheld values as "secret statistique", and a
//! « Sources » sheet naming the producer and vintage of every column.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};

use crate::common::{app, get_request, request};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn fetch(uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let a = request(&app(), get_request(uri, &[])).await;
    (a.status, a.headers, a.body)
}

/// The sheets of a workbook: name → rows of cells.
fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a valid XLSX file");
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).expect("a readable sheet");
            // Rows from A1, whatever the first used cell.
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut rows: Vec<Vec<Data>> = vec![Vec::new(); r0 as usize];
            for r in range.rows() {
                let mut row = vec![Data::Empty; c0 as usize];
                row.extend(r.iter().cloned());
                rows.push(row);
            }
            (n, rows)
        })
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("a text cell, not {other:?}"),
    }
}

/// The French CSV of the same export, parsed (BOM dropped).
async fn csv_rows(uri: &str) -> Vec<Vec<String>> {
    let (status, _, body) = fetch(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    let text = String::from_utf8(body).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// Checks that `data` (the XLSX sheet) holds the cells of `csv`: headers
/// equal, text equal (up to the CSV's formula guard), numbers equal once
/// the CSV's decimal comma is read.
fn same_as_csv(data: &[Vec<Data>], csv: &[Vec<String>], what: &str) {
    assert_eq!(data.len(), csv.len(), "{what}: rows");
    for (r, (x, c)) in data.iter().zip(csv).enumerate() {
        for (i, want) in c.iter().enumerate() {
            let got = x.get(i).unwrap_or(&Data::Empty);
            match got {
                Data::Float(v) => {
                    let w: f64 =
                        want.replace(',', ".").parse().unwrap_or_else(|_| panic!("{what} r{r} c{i}: {want:?}"));
                    let tol = 0.5 * 10f64.powi(-(want.split(',').nth(1).map_or(0, str::len) as i32));
                    assert!((v - w).abs() <= tol + 1e-9, "{what} r{r} c{i}: {v} vs {want}");
                }
                Data::Int(v) => assert_eq!(v.to_string(), *want, "{what} r{r} c{i}"),
                Data::String(s) => {
                    assert_eq!(s.as_str(), want.strip_prefix('\'').unwrap_or(want), "{what} r{r} c{i}")
                }
                Data::Empty => assert!(want.is_empty(), "{what} r{r} c{i}: empty, CSV has {want:?}"),
                other => panic!("{what} r{r} c{i}: {other:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fiche_workbook_keeps_codes_as_text_and_numbers_as_numbers() {
    // Bourg-en-Bresse: INSEE code 01053, the zero Excel drops from a CSV.
    let (status, h, body) = fetch("/commune/bourg-en-bresse-01053.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], XLSX);
    assert!(h["content-disposition"].to_str().unwrap().contains(".xlsx"), "{:?}", h["content-disposition"]);
    let book = sheets(&body);
    assert_eq!(book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["Données", "Sources"]);
    let data = &book[0].1;
    let header: Vec<String> = data[0].iter().map(text).collect();
    let at = |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("no column {h}: {header:?}"));
    assert_eq!(data[1][at("Code INSEE")], Data::String("01053".into()));
    assert_eq!(data[1][at("Code département")], Data::String("01".into()));
    let pop = header.iter().position(|x| x.starts_with("Population")).unwrap();
    assert!(matches!(data[1][pop], Data::Float(v) if v > 40_000.0), "{:?}", data[1][pop]);
    same_as_csv(data, &csv_rows("/commune/bourg-en-bresse-01053.csv").await, "01053");
    // The sources sheet names every indicator column with its producer.
    let sources = &book[1].1;
    let listed: Vec<String> = sources.iter().filter_map(|r| r.first().map(text)).collect();
    // Context columns (references, ranks) are not listed apart.
    let indicators = header.iter().filter(|h| !h.contains(" — ")).count() - 1 - oc_web_code_columns();
    assert!(listed.len() >= indicators + 5, "{listed:?}");
    assert!(listed.iter().any(|l| l.starts_with("Médiane du revenu disponible")), "{listed:?}");
    let filosofi = sources.iter().find(|r| text(&r[0]).starts_with("Médiane du revenu")).unwrap();
    assert_eq!(text(&filosofi[1]), "Insee");
    assert!(text(&filosofi[3]).contains("2021"), "{filosofi:?}");
}

/// Code columns of a commune export (Type, Code INSEE, SIREN, Codes
/// postaux, Code département, Code région, SIREN EPCI).
fn oc_web_code_columns() -> usize {
    7
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_workbook_equals_its_csv_with_corsican_codes_as_text() {
    let (status, h, body) = fetch("/departement/corse-du-sud-2A/communes.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], XLSX);
    let book = sheets(&body);
    let data = &book[0].1;
    same_as_csv(data, &csv_rows("/departement/corse-du-sud-2A/communes.csv").await, "2A");
    let header: Vec<String> = data[0].iter().map(text).collect();
    let code = header.iter().position(|x| x == "Code INSEE").unwrap();
    assert!(data[1..].iter().all(|r| matches!(&r[code], Data::String(s) if s.starts_with("2A"))));
    // The EPCI list of a région, too.
    let (status, _, body) = fetch("/region/occitanie-76/epci.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    same_as_csv(&sheets(&body)[0].1, &csv_rows("/region/occitanie-76/epci.csv").await, "EPCI 76");
    // A list that does not exist is a French 404.
    let (status, _, body) = fetch("/epci/200054781/epci.xlsx").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("aucune liste"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withheld_values_read_secret_statistique_in_the_workbook() {
    let geo = app().geo();
    let income = geo.data.income.as_ref().expect("Filosofi is embedded");
    let code = income
        .communes
        .iter()
        .find(|(code, i)| {
            matches!(i.median, Some(oc_model::income::Published::Secret))
                && geo.commune(code).is_some_and(|c| c.kind == oc_model::Kind::Commune)
        })
        .map(|(c, _)| c.clone())
        .expect("a commune whose median is withheld");
    let c = geo.commune(&code).unwrap();
    let (status, _, body) = fetch(&format!("{}.xlsx", oc_web::fiche::url_commune(c))).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    let data = &sheets(&body)[0].1;
    let header: Vec<String> = data[0].iter().map(text).collect();
    let med = header.iter().position(|x| x.starts_with("Médiane du revenu")).unwrap();
    assert_eq!(data[1][med], Data::String("secret statistique".into()), "{code}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_has_an_xlsx_twin() {
    let uri = "/comparer.xlsx?ids=commune:34172,commune:31555";
    let (status, h, body) = fetch(uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], XLSX);
    same_as_csv(&sheets(&body)[0].1, &csv_rows("/comparer.csv?ids=commune:34172,commune:31555").await, "compare");
    let (status, _, _) = fetch("/comparer.xlsx?ids=commune:99999").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_commune_of_france_as_one_workbook_made_once() {
    let (status, h, body) = fetch("/communes.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], XLSX);
    let book = sheets(&body);
    let data = &book[0].1;
    // The same rows as /communes.csv: every commune, no COM.
    assert_eq!(data.len(), 1 + 34_969 - 3);
    let header: Vec<String> = data[0].iter().map(text).collect();
    let code = header.iter().position(|x| x == "Code INSEE").unwrap();
    assert!(data[1..].iter().all(|r| matches!(&r[code], Data::String(s) if s.len() == 5)));
    assert!(data[1..].iter().any(|r| r[code] == Data::String("01001".into())));
    // Kept for the reference version: the second answer is the same file.
    let (_, _, again) = fetch("/communes.xlsx").await;
    assert_eq!(again, body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_search_has_an_xlsx_twin() {
    for q in ["", "?q=finances+locales", "?type=Jeu+de+donn%C3%A9es"] {
        let (status, h, body) = fetch(&format!("/publications.xlsx{q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert_eq!(h["content-type"], XLSX);
        let book = sheets(&body);
        assert_eq!(book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["Données", "Sources"]);
        let csv = csv_rows(&format!("/publications.csv{q}")).await;
        assert!(csv.len() > 1, "{q}: some documents");
        same_as_csv(&book[0].1, &csv, &format!("publications{q}"));
    }
    // A bad filter is refused in words, as for the CSV.
    let (status, _, body) = fetch("/publications.xlsx?from=2024-13-45").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!String::from_utf8_lossy(&body).is_empty());
}
