//! The seed catalogue: real publications, datasets and tools about
//! collectivités locales, compiled by the project (titles, URLs, publishers
//! and dates as published; summaries in our own words). Shipped inside the
//! binary as the library's default content.

use serde::Serialize;

use crate::canonical::canonical_url;
use crate::taxonomy::{RESOURCE_TYPES, SCOPES, THEMES};

/// The embedded catalogue (`data/publications-seed.csv`).
pub static EMBEDDED: &str = include_str!("../data/publications-seed.csv");

/// Precision of a publication date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Month,
    Year,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedDoc {
    pub id: u32,
    pub title: String,
    /// Canonical URL (the de-duplication key).
    pub url: String,
    pub publisher: String,
    pub series: Option<String>,
    /// ISO date at its precision (`2023`, `2023-05`, `2023-05-17`).
    pub published: Option<(String, Precision)>,
    pub resource_type: String,
    pub themes: Vec<String>,
    pub scope: Vec<String>,
    /// `REG-76`, `DEP-34`, `COM-34172`.
    pub territories: Vec<String>,
    pub summary: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct SeedError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// Parses a date `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<(String, Precision)> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let num = |p: &str, len: usize, max: u32| p.len() == len && p.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).is_some();
    match parts.as_slice() {
        [y] if num(y, 4, 9999) => Some((s.trim().to_owned(), Precision::Year)),
        [y, m] if num(y, 4, 9999) && num(m, 2, 12) => Some((s.trim().to_owned(), Precision::Month)),
        [y, m, d] if num(y, 4, 9999) && num(m, 2, 12) && num(d, 2, 31) => Some((s.trim().to_owned(), Precision::Day)),
        _ => None,
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

/// Parses and validates a catalogue in the seed format.
pub fn parse(file: &str, text: &str) -> Result<Vec<SeedDoc>, SeedError> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let err = |line: u64, message: String| SeedError { file: file.to_owned(), line, message };
    let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| err(1, format!("missing column {name:?}")));
    let c = [
        col("id")?, col("title")?, col("url")?, col("publisher")?, col("series")?, col("published")?, col("resource_type")?, col("themes")?,
        col("scope")?, col("territories")?, col("summary")?,
    ];
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(c[i]).unwrap_or("").trim();
        let id = get(0).parse::<u32>().map_err(|_| err(line, format!("id {:?} is not a number", get(0))))?;
        let url = canonical_url(get(2)).map_err(|m| err(line, m))?;
        let published = match get(5) {
            "" => None,
            d => Some(parse_date(d).ok_or_else(|| err(line, format!("date {d:?}: expected YYYY, YYYY-MM or YYYY-MM-DD")))?),
        };
        let resource_type = get(6).to_owned();
        if !RESOURCE_TYPES.contains(&resource_type.as_str()) {
            return Err(err(line, format!("unknown resource type {resource_type:?}")));
        }
        let themes = list(get(7));
        if let Some(t) = themes.iter().find(|t| !THEMES.contains(&t.as_str())) {
            return Err(err(line, format!("unknown thématique {t:?}")));
        }
        let scope = list(get(8));
        if let Some(t) = scope.iter().find(|t| !SCOPES.contains(&t.as_str())) {
            return Err(err(line, format!("unknown type de territoire {t:?}")));
        }
        let territories = list(get(9));
        if let Some(t) = territories.iter().find(|t| !(t.starts_with("REG-") || t.starts_with("DEP-") || t.starts_with("COM-"))) {
            return Err(err(line, format!("territory {t:?}: expected REG-, DEP- or COM- followed by a code")));
        }
        let title = get(1).to_owned();
        if title.is_empty() {
            return Err(err(line, "empty title".into()));
        }
        out.push(SeedDoc {
            id,
            title,
            url,
            publisher: get(3).to_owned(),
            series: Some(get(4).to_owned()).filter(|s| !s.is_empty()),
            published,
            resource_type,
            themes,
            scope,
            territories,
            summary: get(10).to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_is_valid() {
        let docs = parse("publications-seed.csv", EMBEDDED).unwrap();
        assert_eq!(docs.len(), 251);
        assert_eq!(docs[0].publisher, "DGCL");
        assert_eq!(docs[0].published, Some(("2023".into(), Precision::Year)));
        let geo = oc_store::Geo::embedded();
        for d in &docs {
            for t in &d.territories {
                let (kind, code) = t.split_once('-').unwrap();
                let known = match kind {
                    "REG" => geo.region(code).is_some(),
                    "DEP" => geo.departement(code).is_some(),
                    _ => geo.commune(code).is_some(),
                };
                assert!(known, "doc {}: unknown territory {t}", d.id);
            }
        }
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let head = "id,title,url,publisher,series,published,resource_type,themes,scope,territories,summary\n";
        let bad = [
            ("1,T,ftp://x,P,,2023,Outil,,,,S\n", "http"),
            ("1,T,https://a.fr,P,,2023-13,Outil,,,,S\n", "date"),
            ("1,T,https://a.fr,P,,,Livre,,,,S\n", "resource type"),
            ("1,T,https://a.fr,P,,,Outil,Cuisine,,,S\n", "thématique"),
            ("1,T,https://a.fr,P,,,Outil,,,XX-1,S\n", "territory"),
        ];
        for (row, needle) in bad {
            let e = parse("t.csv", &format!("{head}{row}")).unwrap_err().to_string();
            assert!(e.contains("t.csv, line 2") && e.contains(needle), "{e}");
        }
        assert_eq!(parse_date("2023-05-17"), Some(("2023-05-17".into(), Precision::Day)));
        assert_eq!(parse_date("2023-5"), None);
    }
}

/// Loads catalogue entries into the store as harvested documents of the
/// source `source_id`; returns how many were written.
pub fn ingest(lib: &mut crate::store::Library, docs: &[SeedDoc], source_id: &str) -> Result<usize, crate::store::StoreError> {
    for d in docs {
        let h = crate::store::Harvested {
            url: d.url.clone(),
            title: d.title.clone(),
            summary_html: String::new(),
            summary_text: d.summary.clone(),
            publisher: d.publisher.clone(),
            published: d.published.as_ref().map(|p| p.0.clone()),
            precision: d.published.as_ref().map(|p| format!("{:?}", p.1).to_lowercase()),
            resource_type: d.resource_type.clone(),
            themes: d.themes.clone(),
            scope: d.scope.clone(),
            territories: d.territories.clone(),
            subjects: d.series.iter().cloned().collect(),
            image: None,
        };
        lib.upsert(&h, source_id)?;
    }
    Ok(docs.len())
}

#[cfg(test)]
mod ingest_tests {
    use super::*;

    #[test]
    fn the_seed_fills_an_empty_library_and_reloading_it_keeps_curation() {
        let docs = parse("publications-seed.csv", EMBEDDED).unwrap();
        let mut lib = crate::store::Library::in_memory().unwrap();
        ingest(&mut lib, &docs, "seed").unwrap();
        let published = lib.published().unwrap();
        let distinct: std::collections::HashSet<&str> = docs.iter().map(|d| d.url.as_str()).collect();
        assert_eq!(published.len(), distinct.len(), "one document per canonical URL");
        let first = published[0].id;
        lib.set_override(first, &crate::store::Override { status: Some("unpublished".into()), ..Default::default() }).unwrap();
        ingest(&mut lib, &docs, "seed").unwrap();
        assert_eq!(lib.published().unwrap().len(), distinct.len() - 1);
    }
}
