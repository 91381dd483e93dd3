//! Zonages and programmes of the State per commune (ANCT, Observatoire des
//! territoires): Insee's grille communale de densité, massif, rurality and
//! centrality typologies, quartiers prioritaires, and the memberships of
//! the ANCT programmes (Action cœur de ville, Petites villes de demain,
//! Villages d'avenir for communes; Territoires d'industrie for EPCI).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SourceInfo;

/// An ANCT programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Programme {
    /// Action cœur de ville (2018–2022 conventions).
    ActionCoeurDeVille,
    /// Action cœur de ville, second phase (2023–2026).
    ActionCoeurDeVille2,
    PetitesVillesDeDemain,
    VillagesDAvenir,
    /// Territoires d'industrie: members are EPCI.
    TerritoiresDIndustrie,
}

impl Programme {
    pub const ALL: [Programme; 5] = [
        Programme::ActionCoeurDeVille,
        Programme::ActionCoeurDeVille2,
        Programme::PetitesVillesDeDemain,
        Programme::VillagesDAvenir,
        Programme::TerritoiresDIndustrie,
    ];

    /// The JSON / export id.
    pub fn id(self) -> &'static str {
        match self {
            Programme::ActionCoeurDeVille => "action_coeur_de_ville",
            Programme::ActionCoeurDeVille2 => "action_coeur_de_ville_2",
            Programme::PetitesVillesDeDemain => "petites_villes_de_demain",
            Programme::VillagesDAvenir => "villages_d_avenir",
            Programme::TerritoiresDIndustrie => "territoires_d_industrie",
        }
    }

    /// The French name.
    pub fn label(self) -> &'static str {
        match self {
            Programme::ActionCoeurDeVille => "Action cœur de ville",
            Programme::ActionCoeurDeVille2 => "Action cœur de ville (2e phase)",
            Programme::PetitesVillesDeDemain => "Petites villes de demain",
            Programme::VillagesDAvenir => "Villages d'avenir",
            Programme::TerritoiresDIndustrie => "Territoires d'industrie",
        }
    }

    /// Whether its members are EPCI (SIREN) rather than communes.
    pub fn for_epci(self) -> bool {
        self == Programme::TerritoiresDIndustrie
    }
}

/// One membership of a programme: the programme territory a commune or
/// EPCI belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub programme: Programme,
    /// The ANCT id of the programme territory (`pvd-01-971-1`, `ti-0101`).
    pub territoire: String,
    /// Its name (`Basse-Terre` for a Territoire d'industrie).
    #[serde(rename = "nom")]
    pub name: String,
    /// Date the convention was signed (ISO), when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
}

/// A quartier prioritaire de la politique de la ville.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qpv {
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
}

/// The zonages of one commune, as published (labels kept verbatim, their
/// `NN - ` prefix and stray spaces removed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneZonages {
    /// Insee grille communale de densité (7 levels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub densite: Option<String>,
    /// The mountain massif the commune lies in (not the "commune de
    /// montagne" classification of the loi Montagne).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub massif: Option<String>,
    /// ANCT typology of rural areas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruralite: Option<String>,
    /// Level of centrality of equipment and services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centralite: Option<String>,
    /// Quartiers prioritaires (2024) on the commune.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qpv: Vec<Qpv>,
}

/// Zonages and programmes, by INSEE code (communes) or SIREN (EPCI).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZonageData {
    /// Credits of the zonages (`anct-zonages`) and programmes
    /// (`anct-programmes`), when loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zonages_source: Option<SourceInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programmes_source: Option<SourceInfo>,
    pub communes: BTreeMap<String, CommuneZonages>,
    /// Programme memberships by INSEE code (communes) or SIREN (EPCI).
    pub memberships: BTreeMap<String, Vec<Membership>>,
}

impl ZonageData {
    /// The memberships of a commune or EPCI.
    pub fn memberships_of(&self, code: &str) -> &[Membership] {
        self.memberships.get(code).map_or(&[], Vec::as_slice)
    }
}
