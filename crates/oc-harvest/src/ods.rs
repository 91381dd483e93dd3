//! OpenDataSoft Explore API v2.1 catalogues (`…/api/explore/v2.1/catalog/datasets`):
//! each dataset becomes a document whose URL is its page on the portal
//! (`…/explore/dataset/{dataset_id}/`). Paging by `offset` and `limit`;
//! incremental on `modified` (`where=modified>=date'…'`, newest first).
//!
//! Read tolerantly: a dataset without id or title is skipped with a reason,
//! missing metadata is left empty.

use serde_json::Value;

use oc_library::Precision;

/// Datasets asked per page (the API's maximum is 100).
pub const PAGE_SIZE: u64 = 100;
/// The API refuses `offset + limit` beyond this.
pub const MAX_OFFSET: u64 = 10_000;

/// One dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub id: String,
    /// The dataset's page on the portal.
    pub url: String,
    pub title: String,
    /// HTML.
    pub description: String,
    pub publisher: Option<String>,
    /// `modified`, as given (RFC 3339).
    pub modified: Option<String>,
    pub keywords: Vec<String>,
    pub themes: Vec<String>,
    /// `license`, as the portal names it (« Licence Ouverte v2.0 »).
    pub license: Option<String>,
}

impl Dataset {
    /// The day of the last modification.
    pub fn published(&self) -> Option<(String, Precision)> {
        let m = self.modified.as_deref()?;
        oc_library::parse_date(m.get(..10)?).filter(|d| d.1 == Precision::Day)
    }
}

/// One page of the catalogue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub total_count: u64,
    pub datasets: Vec<Dataset>,
    /// Entries skipped, with the reason.
    pub skipped: Vec<String>,
}

/// The URL of a page: `catalog` is the `…/catalog/datasets` endpoint.
pub fn page_url(catalog: &str, offset: u64, since: Option<&str>) -> String {
    let mut u = match url::Url::parse(catalog) {
        Ok(u) => u,
        Err(_) => return catalog.to_owned(),
    };
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("limit", &PAGE_SIZE.to_string());
        q.append_pair("offset", &offset.to_string());
        q.append_pair("order_by", "modified desc");
        if let Some(day) = since {
            q.append_pair("where", &format!("modified>=date'{day}'"));
        }
    }
    u.to_string()
}

/// The portal a catalogue endpoint belongs to (`https://data.ofgl.fr`).
pub fn portal_of(catalog: &str) -> Option<String> {
    let u = url::Url::parse(catalog).ok()?;
    Some(u.origin().ascii_serialization())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_owned()],
        Some(Value::Array(a)) => {
            a.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    }
}

/// Parses one page; `portal` makes the dataset URLs; `what` names the page
/// in errors.
pub fn parse(json: &str, portal: &str, what: &str) -> crate::Result<Page> {
    read(json, portal, what).map_err(crate::HarvestError::Format)
}

fn read(json: &str, portal: &str, what: &str) -> Result<Page, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("{what} : JSON invalide ({e})"))?;
    let results = v
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{what} : pas de tableau \"results\" (catalogue OpenDataSoft v2.1 attendu)"))?;
    let mut page = Page {
        total_count: v.get("total_count").and_then(Value::as_u64).unwrap_or(results.len() as u64),
        ..Page::default()
    };
    for (i, r) in results.iter().enumerate() {
        let id = r.get("dataset_id").and_then(Value::as_str).unwrap_or("").trim();
        let meta = r.pointer("/metas/default");
        let get = |k: &str| meta.and_then(|m| m.get(k));
        let title = get("title").and_then(Value::as_str).unwrap_or("").trim();
        if id.is_empty() || id.contains(['/', '?', '#']) {
            page.skipped.push(format!("{what}, jeu {} : identifiant absent ou invalide", i + 1));
            continue;
        }
        if title.is_empty() {
            page.skipped.push(format!("{what}, jeu {id} : sans titre"));
            continue;
        }
        page.datasets.push(Dataset {
            id: id.to_owned(),
            url: format!("{}/explore/dataset/{id}/", portal.trim_end_matches('/')),
            title: title.to_owned(),
            description: get("description").and_then(Value::as_str).unwrap_or("").to_owned(),
            publisher: get("publisher")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            modified: get("modified").and_then(Value::as_str).map(str::to_owned),
            keywords: strings(get("keyword")),
            themes: strings(get("theme")),
            license: get("license").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
        });
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalogue_page() {
        let json = r#"{"total_count": 3, "links": [], "results": [
          {"dataset_id": "ofgl-base-communes", "metas": {"default": {"title": "Comptes consolidés des communes",
            "description": "<p>Agrégats comptables</p>", "publisher": "OFGL", "modified": "2025-06-12T09:15:00+00:00",
            "keyword": ["finances locales", "communes"], "theme": "Finances", "license": "Licence Ouverte v2.0 (Etalab)"}}},
          {"dataset_id": "", "metas": {"default": {"title": "x"}}},
          {"dataset_id": "sans-titre", "metas": {"default": {}}}]}"#;
        let p = parse(json, "https://data.ofgl.fr", "ofgl").unwrap();
        assert_eq!(p.total_count, 3);
        assert_eq!(p.datasets.len(), 1);
        let d = &p.datasets[0];
        assert_eq!(d.url, "https://data.ofgl.fr/explore/dataset/ofgl-base-communes/");
        assert_eq!(d.license.as_deref(), Some("Licence Ouverte v2.0 (Etalab)"));
        assert_eq!(d.published(), Some(("2025-06-12".into(), Precision::Day)));
        assert_eq!(d.keywords, vec!["finances locales", "communes"]);
        assert_eq!(d.themes, vec!["Finances"]);
        assert_eq!(p.skipped.len(), 2);
        assert!(parse("{}", "https://x.fr", "x").unwrap_err().to_string().contains("results"));
        assert!(parse("<html>", "https://x.fr", "x").unwrap_err().to_string().contains("JSON invalide"));
    }

    #[test]
    fn page_urls() {
        let u = page_url("https://data.ofgl.fr/api/explore/v2.1/catalog/datasets", 200, Some("2025-01-31"));
        assert_eq!(
            u,
            "https://data.ofgl.fr/api/explore/v2.1/catalog/datasets?limit=100&offset=200&order_by=modified+desc&where=modified%3E%3Ddate%272025-01-31%27"
        );
        assert_eq!(
            portal_of("https://data.ofgl.fr/api/explore/v2.1/catalog/datasets").as_deref(),
            Some("https://data.ofgl.fr")
        );
    }
}
