//! Syndicats and other groupements (BANATIC): which syndicats each commune
//! belongs to, and what is known of each syndicat.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SourceInfo;

/// What a loaded source says of a groupement; every field but the SIREN
/// may be unknown (the composition file gives SIRENs only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groupement {
    pub siren: String,
    #[serde(default, rename = "nom", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nature juridique as published (`SIVU`, `SIVOM`, `SMF`, `SMO`…).
    #[serde(default, rename = "nature", skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<String>,
    /// The commune of its siège, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siege: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub competences: Vec<String>,
    /// Which source named it (`banatic` or `detr-dsil`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_source: Option<String>,
}

/// The public record of a SIREN (Annuaire des entreprises): the one
/// builder of that link.
pub fn record_url(siren: &str) -> String {
    format!("https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}")
}

/// The syndicats of every commune, by INSEE code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyndicatData {
    pub source: Option<SourceInfo>,
    /// Syndicat SIRENs by member commune INSEE code (direct or through a
    /// member groupement), sorted.
    pub communes: BTreeMap<String, Vec<String>>,
    /// What is known of each syndicat, by SIREN.
    pub groupements: BTreeMap<String, Groupement>,
}

impl SyndicatData {
    pub fn of_commune(&self, code: &str) -> &[String] {
        self.communes.get(code).map_or(&[], Vec::as_slice)
    }
}
