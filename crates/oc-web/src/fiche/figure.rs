//! A figure of a fiche (value or words, unit, source, vintage, secrecy)
//! and the section it is shown under: the leaf every fiche module reads.

use serde::Serialize;

/// A figure with its unit, source and vintage. `value` is `None` when the
/// figure is not available, with the reason in `note`.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: &'static str,
    pub label: &'static str,
    pub value: Option<f64>,
    pub unit: &'static str,
    /// Decimals to show.
    #[serde(skip)]
    pub decimals: usize,
    /// Source id (see [`Fiche::sources`]).
    pub source: &'static str,
    #[serde(rename = "millesime")]
    pub vintage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A value in words (a zonage class, a programme membership).
    #[serde(rename = "texte", skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Withheld by the producer for statistical secrecy (`value` is none).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    /// The same figure for the levels above, its ranks and centile (set by
    /// `fiche::context::apply` on the fiches that show them).
    #[serde(rename = "contexte", skip_serializing_if = "Option::is_none")]
    pub context: Option<Box<FigureContext>>,
}

/// A figure beside its references and among its peers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FigureContext {
    /// The same figure for the territories above (EPCI, département,
    /// région, France), where it is defined there.
    #[serde(rename = "references", skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<RefValue>,
    /// Its ranks (by decreasing value) in its département (or région),
    /// its population stratum and France.
    #[serde(rename = "rangs", skip_serializing_if = "Vec::is_empty")]
    pub ranks: Vec<Rank>,
    /// National centile: the share of the level's territories with a lower
    /// value, ties counting half (1 to 100).
    #[serde(rename = "centile_national", skip_serializing_if = "Option::is_none")]
    pub centile: Option<u8>,
}

/// The level of a reference value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefLevel {
    Epci,
    Departement,
    Region,
    France,
}

impl RefLevel {
    pub fn label(self) -> &'static str {
        match self {
            RefLevel::Epci => "Intercommunalité",
            RefLevel::Departement => "Département",
            RefLevel::Region => "Région",
            RefLevel::France => "France",
        }
    }
}

/// The same figure for a territory above.
#[derive(Debug, Clone, Serialize)]
pub struct RefValue {
    #[serde(rename = "niveau")]
    pub level: RefLevel,
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    pub url: String,
    #[serde(rename = "valeur")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// Where a rank is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Departement,
    Region,
    Strate,
    France,
}

/// A rank among peers: `rang` of `sur`, 1 being the highest value.
#[derive(Debug, Clone, Serialize)]
pub struct Rank {
    #[serde(rename = "portee")]
    pub scope: Scope,
    #[serde(rename = "rang")]
    pub rank: u32,
    /// Territories ranked (those with a value; secrets and gaps left out).
    #[serde(rename = "sur")]
    pub of: u32,
    /// Others share this value (they share the rank).
    #[serde(rename = "ex_aequo", skip_serializing_if = "std::ops::Not::not")]
    pub tied: bool,
    /// e.g. `communes de la Haute-Garonne`.
    #[serde(rename = "groupe")]
    pub group: String,
    /// The ranking of that group.
    #[serde(rename = "classement")]
    pub url: String,
}

impl Figure {
    /// The section of the fiche it belongs to.
    pub fn section(&self) -> Section {
        Section::of(self.source)
    }
}

/// What the fiche groups its figures under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// Chiffres clés: population, area, census.
    ChiffresCles,
    /// Revenus et pauvreté.
    Revenus,
    /// Zonages et programmes.
    Zonages,
    /// Syndicats et groupements.
    Groupements,
    /// Ressources et finances.
    Finances,
}

impl Section {
    /// The section of a figure, from its source.
    pub fn of(source: &str) -> Section {
        match source {
            "filosofi" => Section::Revenus,
            "anct-zonages" | "anct-programmes" => Section::Zonages,
            "banatic" | "dgcl-epcicom" => Section::Groupements,
            "ofgl" | "detr-dsil" | "dgf-criteres" => Section::Finances,
            _ => Section::ChiffresCles,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::ChiffresCles => "Chiffres clés",
            Section::Revenus => "Revenus et pauvreté",
            Section::Zonages => "Zonages et programmes",
            Section::Groupements => "Syndicats et groupements",
            Section::Finances => "Ressources et finances",
        }
    }
}
