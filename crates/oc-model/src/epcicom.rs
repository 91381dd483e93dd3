//! The DGCL's yearly "Liste et composition des EPCI à fiscalité propre"
//! (`epcicomYYYY.xlsx`): each EPCI as the DGCL lists it on 1 January of
//! the year, beside the COG's own list.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One EPCI of the DGCL list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DgclEpci {
    /// `raison_sociale`.
    #[serde(rename = "nom")]
    pub name: String,
    /// `nature_juridique`: `CC`, `CA`, `CU`, `METRO`, `MET69`.
    pub nature: String,
    /// `mode_financ`: `FPU` or `FA`.
    #[serde(rename = "financement")]
    pub financing: String,
    /// `nb_membres`.
    #[serde(rename = "membres")]
    pub members: u32,
    /// `total_pop_tot`.
    pub population_totale: Option<u64>,
    /// `total_pop_mun`.
    pub population_municipale: Option<u64>,
    /// Member communes (INSEE codes) the COG does not put in this EPCI,
    /// and those the COG puts in it and the DGCL does not: the
    /// composition's differences, kept to say so on the fiche.
    #[serde(default, rename = "en_plus", skip_serializing_if = "Vec::is_empty")]
    pub only_dgcl: Vec<String>,
    #[serde(default, rename = "en_moins", skip_serializing_if = "Vec::is_empty")]
    pub only_cog: Vec<String>,
}

/// The DGCL list as loaded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EpcicomData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::SourceInfo>,
    /// The year of the list (1 January).
    pub year: u16,
    /// By SIREN.
    pub epci: BTreeMap<String, DgclEpci>,
}
