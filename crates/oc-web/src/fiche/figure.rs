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
