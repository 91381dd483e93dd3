//! The definition of a harvested source, one type for the registry
//! (`config/sources.toml`, read by the harvester), the store (the JSON of
//! [`SourceRow::spec`]) and the back-office form. Its checks (addresses,
//! schedules, taxonomies) are the harvester's: `oc_harvest::sources`.

use serde::{Deserialize, Serialize};

use crate::store::SourceRow;

/// How a source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// RSS 0.9x/1.0/2.0, Atom, JSON Feed.
    Feed,
    /// SRU 1.2 `searchRetrieve` (BNSP, Gallica).
    Sru,
    /// OpenDataSoft Explore API v2.1 catalogue.
    Ods,
    /// CSV catalogue in the seed format.
    Csv,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Sru => "sru",
            SourceKind::Ods => "ods",
            SourceKind::Csv => "csv",
        }
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;

    /// The kind named `s` (`feed`, `sru`, `ods`, `csv`); the error in French.
    fn from_str(s: &str) -> Result<SourceKind, String> {
        [SourceKind::Feed, SourceKind::Sru, SourceKind::Ods, SourceKind::Csv]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("type de source inconnu ({s:?}) : feed, sru, ods ou csv"))
    }
}

/// The classification a source's documents get unless they say better.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub territories: Vec<String>,
}

/// One source.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub name: String,
    pub publisher: String,
    #[serde(default)]
    pub publisher_short: String,
    pub kind: SourceKind,
    pub url: String,
    /// Cron expression with seconds (UTC); empty: only by hand.
    #[serde(default)]
    pub schedule: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// SRU: the CQL query.
    #[serde(default)]
    pub query: Option<String>,
    /// SRU: at most this many records per run.
    #[serde(default)]
    pub max_records: Option<u64>,
    #[serde(default)]
    pub defaults: Defaults,
}

fn yes() -> bool {
    true
}

impl Source {
    /// The publisher to show: its short name when there is one.
    pub fn publisher_label(&self) -> &str {
        if self.publisher_short.is_empty() {
            &self.publisher
        } else {
            &self.publisher_short
        }
    }

    /// The store row of this source as a registry declares it (not
    /// managed in the back office).
    pub fn row(&self) -> SourceRow {
        SourceRow {
            id: self.id.clone(),
            name: self.name.clone(),
            publisher: self.publisher.clone(),
            publisher_short: self.publisher_short.clone(),
            kind: self.kind.as_str().into(),
            url: self.url.clone(),
            schedule: self.schedule.clone(),
            enabled: self.enabled,
            spec: serde_json::to_string(self).unwrap_or_default(),
            managed: false,
        }
    }
}
