//! Hostile input never breaks the XML the server writes (issue 15, items
//! 9 and 10): code points XML 1.0 forbids, in the query or a stored title,
//! leave the Atom feed and the sitemap well formed; the values of
//! `/comparer/ajouter` are percent-encoded in its `Location` header.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use quick_xml::events::Event;

use oc_library::store::{Harvested, Library};
use oc_web::{App, LibraryView};

use crate::common::{app, get};

/// The `Char` production of XML 1.0 (fifth edition).
fn is_xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn chars_ok(what: &str, s: &str) -> Result<(), String> {
    match s.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(format!("{what}: U+{:04X} is not an XML 1.0 Char in {s:?}", u32::from(c))),
        None => Ok(()),
    }
}

/// Checks that `doc` is a well-formed XML 1.0 document: quick-xml reads
/// every event to the end without error (tags nested and closed, names
/// matched, attributes well formed, only the predefined entities), with
/// one root element. quick-xml does not check the `Char` production, so
/// the document and every decoded text, attribute value and character
/// reference are checked against it here.
fn well_formed(doc: &str) -> Result<(), String> {
    chars_ok("document", doc)?;
    let mut reader = quick_xml::Reader::from_str(doc);
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| format!("at byte {pos}: {e}"))?;
        let start = |e: &quick_xml::events::BytesStart<'_>| -> Result<(), String> {
            chars_ok("element name", &String::from_utf8_lossy(e.name().as_ref()))?;
            for a in e.attributes().with_checks(true) {
                let a = a.map_err(|e| format!("at byte {pos}: attribute: {e}"))?;
                let v = a.unescape_value().map_err(|e| format!("at byte {pos}: attribute value: {e}"))?;
                chars_ok("attribute value", &v)?;
            }
            Ok(())
        };
        match event {
            Event::Decl(_) if pos == 0 => {}
            Event::Decl(_) => return Err(format!("an XML declaration at byte {pos}")),
            Event::Start(e) => {
                start(&e)?;
                roots += usize::from(depth == 0);
                depth += 1;
            }
            Event::Empty(e) => {
                start(&e)?;
                roots += usize::from(depth == 0);
            }
            Event::End(_) => {
                depth = depth.checked_sub(1).ok_or_else(|| format!("a closing tag without opening at byte {pos}"))?
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| format!("at byte {pos}: {e}"))?;
                if depth == 0 && !s.trim().is_empty() {
                    return Err(format!("text outside the root element at byte {pos}: {s:?}"));
                }
                chars_ok("text", &s)?;
            }
            Event::GeneralRef(r) => {
                if depth == 0 {
                    return Err(format!("a reference outside the root element at byte {pos}"));
                }
                if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .map_err(|e| format!("at byte {pos}: {e}"))?
                        .ok_or_else(|| format!("at byte {pos}: not a character reference"))?;
                    chars_ok("character reference", &c.to_string())?;
                } else {
                    let name = r.decode().map_err(|e| format!("at byte {pos}: {e}"))?;
                    if !matches!(name.as_ref(), "amp" | "lt" | "gt" | "quot" | "apos") {
                        return Err(format!("undeclared entity &{name}; at byte {pos}"));
                    }
                }
            }
            Event::CData(t) => chars_ok("CDATA", &String::from_utf8_lossy(&t))?,
            Event::Comment(t) => chars_ok("comment", &String::from_utf8_lossy(&t))?,
            Event::PI(t) => chars_ok("processing instruction", &String::from_utf8_lossy(&t))?,
            Event::DocType(_) => return Err("no DOCTYPE expected".into()),
            Event::Eof => break,
        }
    }
    if depth != 0 {
        return Err(format!("{depth} element(s) left open"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// One request to `app`, in-process.
async fn get_from(app: App, uri: &str) -> (StatusCode, HeaderMap, String) {
    let a = crate::common::request(&app, crate::common::get_request(uri, &[])).await;
    (a.status, a.headers, String::from_utf8(a.body).expect("UTF-8"))
}

#[test]
fn the_checker_refuses_what_it_must() {
    assert_eq!(well_formed("<?xml version=\"1.0\"?>\n<a b=\"1\">x &amp; &#233;<c/></a>\n"), Ok(()));
    for bad in [
        "<a>\u{FFFE}</a>",
        "<a>\u{FFFF}</a>",
        "<a>\u{1}</a>",
        "<a b=\"\u{B}\"/>",
        "<a>&#1;</a>",
        "<a>&nbsp;</a>",
        "<a><b></a>",
        "<a>",
        "<a/><b/>",
        "<a>&</a>",
    ] {
        assert!(well_formed(bad).is_err(), "{bad:?} is not well formed");
    }
}

#[tokio::test]
async fn the_atom_feed_stays_well_formed_whatever_the_query() {
    // U+FFFE, U+FFFF, two C0 controls, DEL, a C1 control (NEL), all of them.
    for bad in ["%EF%BF%BE", "%EF%BF%BF", "%01", "%0B", "%7F", "%C2%85", "%EF%BF%BE%01%0B%EF%BF%BF"] {
        let uri = format!("/publications.atom?q=finances{bad}+locales{bad}");
        let (status, ctype, atom) = get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(ctype.starts_with("application/atom+xml"), "{uri}: {ctype}");
        if let Err(e) = well_formed(&atom) {
            panic!("{uri}: the feed is not well-formed XML: {e}\n{}", &atom[..atom.len().min(2000)]);
        }
        assert!(
            atom.contains("« finances locales »"),
            "{uri}: the query is still in the title, without the code point"
        );
    }
    // Astral characters are text like any other.
    let (_, _, atom) = get("/publications.atom?q=finances+%F0%9F%98%80").await;
    assert_eq!(well_formed(&atom), Ok(()));
    assert!(atom.contains("« finances \u{1F600} »"));
}

#[tokio::test]
async fn the_atom_feed_stays_well_formed_whatever_the_stored_titles() {
    // A library of one document, as a careless source could give it.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Library::in_memory().expect("store");
    let doc = Harvested {
        url: "https://exemple.fr/rapport?a=1&b=\u{FFFF}".into(),
        title: "Finances\u{FFFE} locales\u{FFFF} \u{1}2026\u{B} \u{1F600}".into(),
        summary_text: "Résumé\u{FFFE} \u{7}".into(),
        publisher: "DGCL\u{FFFF}\u{C}".into(),
        published: Some("2026-03".into()),
        ..Harvested::default()
    };
    store.upsert(&doc, "test").expect("upsert");
    let index = oc_index::PublicationsIndex::open(dir.path()).expect("index");
    assert_eq!(index.rebuild(&store).expect("indexed"), 1);
    let a = app();
    let with_doc = App::new(a.geo(), a.territories()).with_library(LibraryView::new(store, Arc::new(index)));
    // The title is stored and served as given (JSON can say U+FFFE).
    let (status, _, json) = get_from(with_doc.clone(), "/api/v1/publications").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["results"][0]["title"], doc.title.as_str(), "{json}");
    let (status, _, atom) = get_from(with_doc, "/publications.atom").await;
    assert_eq!(status, StatusCode::OK);
    if let Err(e) = well_formed(&atom) {
        panic!("the feed is not well-formed XML: {e}\n{atom}");
    }
    assert!(atom.contains("<title>Finances locales 2026 \u{1F600}</title>"), "{atom}");
    assert!(atom.contains("<name>DGCL</name>"), "{atom}");
}

#[tokio::test]
async fn the_sitemap_stays_well_formed() {
    let (status, _, sitemap) = get("/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(well_formed(&sitemap), Ok(()));
    // Even with a public address configured carelessly (each its own
    // reference data: the sitemap is built once per version).
    let a = app();
    for bad in ['\u{FFFE}', '\u{FFFF}', '\u{1}', '\u{B}'] {
        let odd = App::new(a.geo(), a.territories()).with_public_url(&format!("https://exemple.fr/oc{bad}"));
        let (status, _, sitemap) = get_from(odd, "/sitemap.xml").await;
        assert_eq!(status, StatusCode::OK);
        if let Err(e) = well_formed(&sitemap) {
            panic!("U+{:04X} in the public address: the sitemap is not well-formed XML: {e}", u32::from(bad));
        }
        assert!(
            sitemap.contains("<loc>https://exemple.fr/oc/commune/montpellier-34172</loc>"),
            "U+{:04X}",
            u32::from(bad)
        );
    }
}

/// Percent-encodes a query value byte by byte (everything but ASCII
/// letters and digits).
fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn adding_to_a_comparison_percent_encodes_the_redirect() {
    let cases = [
        // Header injection.
        ("commune:34172", "commune:31135\r\nSet-Cookie:x"),
        ("commune:34172\r\nSet-Cookie: a=b", "commune:31555"),
        // A second parameter, a fragment, a plus read as a space.
        ("commune:34172", "commune:31555&ids=commune:13055"),
        ("commune:34172", "commune:31555#x"),
        ("commune:34172", "commune:31+555"),
        // Spaces, a percent sign, non-ASCII, a NUL.
        ("commune:34172", "commune:31 555"),
        ("commune:34172%41", "commune:31555"),
        ("commune:Béziers", "commune:34172 \u{1F600}"),
        ("commune:34172", "commune:\u{0}31555"),
    ];
    for (ids, pick) in cases {
        let uri = format!("/comparer/ajouter?ids={}&pick={}", enc(ids), enc(pick));
        let (status, headers, _) = get_from(app(), &uri).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{uri}");
        assert!(headers.get("set-cookie").is_none(), "{uri}: no header injected");
        let location = headers["location"]
            .to_str()
            .unwrap_or_else(|_| panic!("{uri}: the Location is not ASCII: {:?}", headers["location"]));
        // A URI reference: only unreserved, reserved and escape characters.
        assert!(
            location.chars().all(|c| c.is_ascii_alphanumeric() || "-._~:/?[]@!$&'()*+,;=%".contains(c)),
            "{uri}: {location:?}"
        );
        let query = location.strip_prefix("/comparer?").unwrap_or_else(|| panic!("{uri}: {location}"));
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("form-encoded query");
        assert_eq!(
            pairs,
            [("ids".to_owned(), format!("{ids},{pick}"))],
            "{uri}: the Location round-trips the ids ({location})"
        );
        // The comparison page says what is wrong, never fails.
        let (status, _, _) = get(location).await;
        assert_eq!(status, StatusCode::OK, "{location}");
    }
}
