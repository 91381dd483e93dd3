//! CSV catalogues, and the seed catalogue: real publications, datasets and
//! tools about collectivités locales, compiled by the project (titles, URLs,
//! publishers and dates as published; summaries in our own words). Shipped
//! inside the binary as the library's default content.
//!
//! A bad row is rejected with its line and reason; the others are kept. A
//! catalogue without the expected columns is refused as a whole.

use serde::Serialize;

use oc_library::canonical::canonical_url;
use oc_library::taxonomy::{RESOURCE_TYPES, SCOPES, THEMES};
pub use oc_library::{parse_date, Precision};

/// The embedded catalogue (`data/publications-seed.csv`).
pub static EMBEDDED: &str = include_str!("../data/publications-seed.csv");

/// The location that names the embedded catalogue in the source registry.
pub const EMBEDDED_LOCATION: &str = "embedded:publications-seed.csv";

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
    /// `REG-76`, `DEP-34`, `COM-34172`, `EPCI-200046977`.
    pub territories: Vec<String>,
    pub summary: String,
    /// Tied to territories, but an example useful to every collectivité
    /// of its types (column `example`: `oui`; optional).
    pub example: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct SeedError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

fn list(s: &str) -> Vec<String> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

/// A parsed catalogue: the valid rows, and each rejected row with its reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub docs: Vec<SeedDoc>,
    pub rejected: Vec<(String, String)>,
}

/// Parses and validates a catalogue in the seed format.
pub fn parse(file: &str, text: &str) -> Result<Parsed, SeedError> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let err = |line: u64, message: String| SeedError { file: file.to_owned(), line, message };
    let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col =
        |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| err(1, format!("missing column {name:?}")));
    let c = [
        col("id")?,
        col("title")?,
        col("url")?,
        col("publisher")?,
        col("series")?,
        col("published")?,
        col("resource_type")?,
        col("themes")?,
        col("scope")?,
        col("territories")?,
        col("summary")?,
        // Optional: catalogues written before it have no such column.
        headers.iter().position(|h| h == "example").unwrap_or(usize::MAX),
    ];
    let mut out = Parsed::default();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.rejected.push((format!("{file}, ligne {line}"), e.to_string()));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        match row(&rec, &c, line, &err) {
            Ok(d) => out.docs.push(d),
            Err(e) => out.rejected.push((format!("{file}, ligne {line}"), e.message)),
        }
    }
    Ok(out)
}

fn row(
    rec: &csv::StringRecord,
    c: &[usize; 12],
    line: u64,
    err: &dyn Fn(u64, String) -> SeedError,
) -> Result<SeedDoc, SeedError> {
    {
        let get = |i: usize| rec.get(c[i]).unwrap_or("").trim();
        let id = get(0).parse::<u32>().map_err(|_| err(line, format!("id {:?} is not a number", get(0))))?;
        let url = canonical_url(get(2)).map_err(|m| err(line, m))?;
        let published = match get(5) {
            "" => None,
            d => Some(
                parse_date(d).ok_or_else(|| err(line, format!("date {d:?}: expected YYYY, YYYY-MM or YYYY-MM-DD")))?,
            ),
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
        if let Some(t) = territories.iter().find(|t| !oc_library::curation::valid_territory_code(t)) {
            return Err(err(line, format!("territory {t:?}: expected REG-, DEP-, EPCI- or COM- followed by a code")));
        }
        let example = match get(11) {
            "" | "non" => false,
            "oui" => true,
            other => return Err(err(line, format!("example {other:?}: expected oui or nothing"))),
        };
        // A document about given territories is about them, not useful to
        // all of a type, unless it is marked as an example.
        if !territories.is_empty() && !scope.is_empty() && !example {
            return Err(err(
                line,
                format!(
                    "tied to {} but filed as useful to all ({}): clear the scope, or mark it as an example (example = oui)",
                    territories.join(";"),
                    scope.join(";")
                ),
            ));
        }
        if example && (territories.is_empty() || scope.is_empty()) {
            return Err(err(line, "example = oui needs the territories it is an example of and a scope".into()));
        }
        let title = get(1).to_owned();
        if title.is_empty() {
            return Err(err(line, "empty title".into()));
        }
        Ok(SeedDoc {
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
            example,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_is_valid() {
        let parsed = parse("publications-seed.csv", EMBEDDED).unwrap();
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let docs = parsed.docs;
        assert_eq!(docs.len(), 251);
        assert_eq!(docs[0].publisher, "DGCL");
        assert_eq!(docs[0].published, Some(("2023".into(), Precision::Year)));
        // The documents about one collectivité are about it (issue 19).
        let by_title = |t: &str| docs.iter().find(|d| d.title.starts_with(t)).unwrap_or_else(|| panic!("{t}"));
        for t in [
            "Ville de Paris – Compte administratif 2025",
            "Budget de la Ville de Bobigny",
            "Communauté d'agglomération Vichy",
        ] {
            assert!(by_title(t).scope.is_empty() && !by_title(t).territories.is_empty(), "{t}");
        }
        let lyon = by_title("Élections métropolitaines de Lyon 2026");
        assert_eq!(lyon.territories, ["EPCI-200046977"], "the Métropole de Lyon, not the Rhône");
        assert_eq!(by_title("Open data de Toulouse Métropole").territories, ["EPCI-243100518"]);
        assert!(docs.iter().filter(|d| d.example).all(|d| !d.scope.is_empty() && !d.territories.is_empty()));
        let geo = oc_store::Geo::embedded();
        for d in &docs {
            for t in &d.territories {
                let (kind, code) = t.split_once('-').unwrap();
                let known = match kind {
                    "REG" => geo.region(code).is_some(),
                    "DEP" => geo.departement(code).is_some(),
                    "EPCI" => geo.epci(code).is_some(),
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
            // About one territory, yet filed as useful to every commune.
            ("1,Ville de Paris CA,https://a.fr,P,,,Outil,,Communes & EPCI (toutes),COM-75056,S\n", "useful to all"),
        ];
        for (row, needle) in bad {
            let good = "2,Bon,https://b.fr,P,,2024,Outil,,,,S\n";
            let p = parse("t.csv", &format!("{head}{row}{good}")).unwrap();
            assert_eq!(p.docs.len(), 1, "the good row is kept");
            assert_eq!(p.rejected.len(), 1);
            let (item, reason) = &p.rejected[0];
            assert!(item == "t.csv, ligne 2" && reason.contains(needle), "{item}: {reason}");
        }
        // Marked as an example, it is accepted.
        let p = parse(
            "t.csv",
            &format!(
                "{}example\n1,T,https://a.fr,P,,,Outil,,Communes & EPCI (toutes),COM-75056,S,oui\n",
                head.trim_end().to_owned() + ","
            ),
        )
        .unwrap();
        assert!(p.rejected.is_empty() && p.docs[0].example, "{:?}", p.rejected);
        let e = parse("t.csv", "id,title\n1,x\n").unwrap_err().to_string();
        assert!(e.contains("t.csv, line 1") && e.contains("url"), "{e}");
    }
}
