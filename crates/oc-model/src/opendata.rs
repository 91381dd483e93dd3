//! The open-data platforms of collectivités, from OpenDataFrance's
//! Observatoire open data des territoires (ODATER): each publishing
//! organisation by SIREN, its platform and its data.gouv.fr organisation,
//! with the territory it is the collectivité of when the SIREN is one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::TerritoryKey;

/// The national platform, listed on every fiche and on `/plateformes`.
pub const NATIONAL_NAME: &str = "data.gouv.fr";
pub const NATIONAL_URL: &str = "https://www.data.gouv.fr/";

/// One organisation that publishes open data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    pub siren: String,
    /// As the observatory writes it (often upper case).
    #[serde(rename = "nom")]
    pub name: String,
    /// The collectivité this SIREN is (commune, EPCI, département,
    /// région); none for other organisations (agencies, syndicats…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<TerritoryKey>,
    /// The observatory's type (`COM`, `CA`, `DEP`, `OACT`…), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Address of its own or shared platform.
    #[serde(default, rename = "plateforme", skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Platform technologies (`OpenDataSoft`, `CKAN`…), `DataGouv` aside.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techno: Vec<String>,
    /// Datasets on the platform, when the observatory counted them.
    #[serde(default, rename = "jeux_plateforme", skip_serializing_if = "Option::is_none")]
    pub platform_datasets: Option<u32>,
    /// Whether it publishes on data.gouv.fr (its organisation may be
    /// unnamed).
    #[serde(default, rename = "sur_datagouv", skip_serializing_if = "std::ops::Not::not")]
    pub on_datagouv: bool,
    /// Its organisation on data.gouv.fr (id or slug).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datagouv: Option<String>,
    /// Datasets on data.gouv.fr, when counted.
    #[serde(default, rename = "jeux_datagouv", skip_serializing_if = "Option::is_none")]
    pub datagouv_datasets: Option<u32>,
    /// The edition listing it (`31 décembre 2022`).
    #[serde(rename = "millesime")]
    pub vintage: String,
    /// The edition the dataset counts come from, when older.
    #[serde(default, rename = "millesime_comptes", skip_serializing_if = "Option::is_none")]
    pub counts_vintage: Option<String>,
}

impl Publisher {
    /// Its page on data.gouv.fr.
    pub fn datagouv_url(&self) -> Option<String> {
        self.datagouv.as_ref().map(|id| format!("https://www.data.gouv.fr/fr/organizations/{id}/"))
    }
}

/// The observatory as loaded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenDataData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::SourceInfo>,
    /// By SIREN.
    pub publishers: BTreeMap<String, Publisher>,
}

impl OpenDataData {
    /// The publisher that is this collectivité, if it publishes.
    pub fn of_territory(&self, key: &TerritoryKey) -> Option<&Publisher> {
        // Few publishers (about a thousand): a scan is cheaper than a
        // second map kept in step.
        self.publishers.values().find(|p| p.territory.as_ref() == Some(key))
    }
}

/// The French name of an observatory type (`CA` → « Communauté
/// d'agglomération »); « Organisme » for a type it does not document.
pub fn kind_label(kind: Option<&str>) -> &'static str {
    match kind {
        Some("COM") => "Commune",
        Some("CC") => "Communauté de communes",
        Some("CA") => "Communauté d'agglomération",
        Some("CU") => "Communauté urbaine",
        Some("MET") => "Métropole",
        Some("EPT") => "Établissement public territorial",
        Some("DEP") => "Département",
        Some("REG") => "Région",
        Some("AGCT") => "Syndicat ou agence de collectivités",
        Some("OACT") => "Autre organisme public local",
        Some("DSPT") => "Délégataire de service public",
        Some("SDE") => "Service de l'État",
        _ => "Organisme",
    }
}

/// The observatory types `/plateformes` filters on, in display order.
pub const KINDS: &[&str] = &["COM", "CC", "CA", "CU", "MET", "EPT", "DEP", "REG", "AGCT", "OACT", "DSPT", "SDE"];
