//! SRU 1.2 `searchRetrieve` responses of Gallica, the engine behind the
//! Bibliothèque numérique de la statistique publique (BNSP): records in
//! Dublin Core (`oai_dc`), paging through `nextRecordPosition`.
//!
//! Quirks handled: a response with a single record, repeated (multi-valued)
//! `dc:creator` / `dc:subject`, dates such as `[S.d.]`, `197?`, `20...`,
//! `1600-1650` or "… à nos jours", and a `nextRecordPosition` beyond the
//! number of records on the last page.

use quick_xml::events::Event;
use quick_xml::Reader;

use oc_library::Precision;

/// One Dublin Core record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub title: String,
    pub creators: Vec<String>,
    pub subjects: Vec<String>,
    pub descriptions: Vec<String>,
    pub publisher: Option<String>,
    /// The raw `dc:date`.
    pub date: Option<String>,
    /// Identifiers (the first `http(s)` one is the document URL).
    pub identifiers: Vec<String>,
    pub types: Vec<String>,
    /// The first `dc:rights` (Gallica gives French, then English).
    pub rights: Option<String>,
}

impl Record {
    /// The document URL: the first identifier that is an http(s) URL.
    pub fn url(&self) -> Option<&str> {
        self.identifiers.iter().map(String::as_str).find(|i| i.starts_with("http://") || i.starts_with("https://"))
    }

    /// The publication date at its precision, when one can be read.
    pub fn published(&self) -> Option<(String, Precision)> {
        self.date.as_deref().and_then(parse_dc_date)
    }
}

/// A parsed page of results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub number_of_records: u64,
    /// Where the next page starts, if there is one.
    pub next_record_position: Option<u64>,
    pub records: Vec<Record>,
}

/// Reads a `dc:date`: the first year of a range, `YYYY-MM-DD` as a day; no
/// date for `[S.d.]` or an uncertain decade (`197?`, `20...`).
pub fn parse_dc_date(raw: &str) -> Option<(String, Precision)> {
    let s = raw.trim();
    if let Some(d) = oc_library::parse_date(s) {
        return Some(d);
    }
    // A range "1985-1990" or "1985 - …", "1990-… à nos jours": its start.
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() == 4 && s[4..].trim_start().starts_with(['-', '/', ' ']) {
        return Some((digits, Precision::Year));
    }
    None
}

/// Parses one SRU response; `what` names it in errors.
pub fn parse(xml: &str, what: &str) -> crate::Result<Page> {
    read(xml, what).map_err(crate::HarvestError::Format)
}

fn read(xml: &str, what: &str) -> Result<Page, String> {
    let mut reader = Reader::from_str(xml);
    // Text is trimmed once per element: trimming each chunk would eat the
    // spaces around entity references.
    reader.config_mut().trim_text(false);
    let mut page = Page::default();
    let mut record: Option<Record> = None;
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        let pos = reader.buffer_position();
        match reader.read_event() {
            Err(e) => return Err(format!("{what}: XML invalide à l'octet {pos} : {e}")),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if name == "srw:record" {
                    record = Some(Record::default());
                }
                path.push(name);
                text.clear();
            }
            Ok(Event::Text(t)) => {
                let s = t.decode().map_err(|e| format!("{what}: {e}"))?;
                text.push_str(&quick_xml::escape::unescape(&s).map_err(|e| format!("{what}: {e}"))?);
            }
            Ok(Event::CData(t)) => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::GeneralRef(r)) => {
                // Entity references between text chunks (`&amp;`, `&#233;`).
                let name = String::from_utf8_lossy(&r).into_owned();
                let decoded =
                    quick_xml::escape::unescape(&format!("&{name};")).map(|c| c.into_owned()).unwrap_or_default();
                text.push_str(&decoded);
            }
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text).trim().to_owned();
                match name.as_str() {
                    "srw:numberOfRecords" => {
                        page.number_of_records =
                            value.parse().map_err(|_| format!("{what}: numberOfRecords {value:?}"))?
                    }
                    "srw:nextRecordPosition" => page.next_record_position = value.parse().ok(),
                    "srw:record" => {
                        if let Some(r) = record.take() {
                            page.records.push(r);
                        }
                    }
                    _ => {
                        if let Some(r) = record.as_mut().filter(|_| !value.is_empty()) {
                            match name.as_str() {
                                "dc:title" if r.title.is_empty() => r.title = value,
                                "dc:creator" => r.creators.push(value),
                                "dc:subject" => r.subjects.push(value),
                                "dc:description" => r.descriptions.push(value),
                                "dc:publisher" if r.publisher.is_none() => r.publisher = Some(value),
                                "dc:date" if r.date.is_none() => r.date = Some(value),
                                "dc:identifier" => r.identifiers.push(value),
                                "dc:type" => r.types.push(value),
                                "dc:rights" if r.rights.is_none() => r.rights = Some(value),
                                _ => {}
                            }
                        }
                    }
                }
            }
            Ok(_) => {}
        }
    }
    // The last page may announce a position beyond the results.
    if page.next_record_position.is_some_and(|n| n > page.number_of_records) {
        page.next_record_position = None;
    }
    Ok(page)
}

/// The `searchRetrieve` URL of a page starting at `start` (1-based).
pub fn page_url(endpoint: &str, query: &str, start: u64, maximum: u64) -> String {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    format!("{endpoint}?operation=searchRetrieve&version=1.2&query={q}&startRecord={start}&maximumRecords={maximum}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bnsp-sru").join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn real_two_page_result_set() {
        let p1 = parse(&shared("gallica-sru-page1.xml"), "page1").unwrap();
        let p2 = parse(&shared("gallica-sru-page2.xml"), "page2").unwrap();
        assert_eq!(p1.number_of_records, 61);
        assert_eq!(p1.next_record_position, Some(51));
        assert_eq!(p2.next_record_position, None, "101 > 61: the last page");
        assert_eq!(p1.records.len() + p2.records.len(), 61);
        let first = &p1.records[0];
        assert_eq!(first.url(), Some("https://gallica.bnf.fr/ark:/12148/btv1b10547034q"));
        assert_eq!(first.published(), Some(("1906".into(), Precision::Year)));
        assert!(!first.title.is_empty());
        assert!(p1.records.iter().chain(&p2.records).all(|r| r.url().is_some()), "every record has a URL");
    }

    #[test]
    fn single_record_response() {
        let p = parse(&shared("gallica-record-oai-dc.xml"), "record").unwrap();
        assert!(p.records.len() <= 1);
        let p1 = parse(&shared("gallica-sru-page1.xml"), "page 1").unwrap();
        assert_eq!(p1.records[0].rights.as_deref(), Some("domaine public"), "the first dc:rights, in French");
    }

    #[test]
    fn dates_as_published() {
        assert_eq!(parse_dc_date("[S.d.]"), None);
        assert_eq!(parse_dc_date("197?"), None);
        assert_eq!(parse_dc_date("20..."), None);
        assert_eq!(parse_dc_date("1600-1650"), Some(("1600".into(), Precision::Year)));
        assert_eq!(parse_dc_date("1990-... à nos jours"), Some(("1990".into(), Precision::Year)));
        assert_eq!(parse_dc_date("1922-12-22"), Some(("1922-12-22".into(), Precision::Day)));
    }

    #[test]
    fn multi_valued_fields_and_errors() {
        let xml = r#"<srw:searchRetrieveResponse xmlns:srw="x" xmlns:dc="y"><srw:numberOfRecords>1</srw:numberOfRecords><srw:records><srw:record><srw:recordData><oai_dc:dc xmlns:oai_dc="z"><dc:title>Les finances &amp; la fiscalité</dc:title><dc:creator>Insee</dc:creator><dc:creator>DGCL</dc:creator><dc:subject>Finances locales</dc:subject><dc:subject>Communes</dc:subject><dc:identifier>ark:/1</dc:identifier><dc:identifier>https://www.bnsp.insee.fr/ark:/12148/x</dc:identifier></oai_dc:dc></srw:recordData></srw:record></srw:records></srw:searchRetrieveResponse>"#;
        let p = parse(xml, "t").unwrap();
        let r = &p.records[0];
        assert_eq!(r.title, "Les finances & la fiscalité");
        assert_eq!(r.creators, vec!["Insee", "DGCL"]);
        assert_eq!(r.subjects.len(), 2);
        assert_eq!(r.url(), Some("https://www.bnsp.insee.fr/ark:/12148/x"));
        assert!(parse("<srw:a><b></srw:a>", "broken").is_err());
        assert!(page_url("https://www.bnsp.insee.fr/SRU", "dc.subject all \"finances locales\"", 51, 50)
            .contains("startRecord=51"));
    }
}
