//! Local finances: the OFGL consolidated accounts (communes, EPCI,
//! départements, régions; one value per exercice, collectivité and
//! agrégat) and the State's investment grants (DETR/DSIL projects per
//! beneficiary). Every value keeps its year.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SourceInfo;

/// The OFGL agrégats shown on fiches: id, the agrégat as OFGL names it,
/// the French label.
pub const INDICATORS: [(&str, &str, &str); 10] = [
    ("dgf", "Dotation globale de fonctionnement", "Dotation globale de fonctionnement (DGF)"),
    ("recettes_fonctionnement", "Recettes de fonctionnement", "Recettes de fonctionnement"),
    ("depenses_fonctionnement", "Dépenses de fonctionnement", "Dépenses de fonctionnement"),
    ("frais_personnel", "Frais de personnel", "Frais de personnel"),
    ("achats_charges_externes", "Achats et charges externes", "Achats et charges externes"),
    ("epargne_brute", "Epargne brute", "Épargne brute"),
    ("epargne_nette", "Epargne nette", "Épargne nette"),
    ("depenses_equipement", "Dépenses d'équipement", "Dépenses d'équipement"),
    ("encours_dette", "Encours de dette", "Encours de la dette"),
    ("annuite_dette", "Annuité de la dette", "Annuité de la dette"),
];

/// One agrégat of one collectivité for one exercice (budgets consolidated;
/// several former collectivités of a current one added up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountValue {
    /// An id of [`INDICATORS`].
    pub indicator: String,
    pub year: u16,
    /// Euros.
    pub amount: f64,
    /// Population totale of the exercice (DGF population for OFGL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Strate de population (OFGL's code), none for régions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strate: Option<String>,
}

impl AccountValue {
    /// Euros per inhabitant.
    pub fn per_inhabitant(&self) -> Option<f64> {
        self.population.filter(|p| *p > 0).map(|p| self.amount / p as f64)
    }
}

/// Sums over the collectivités of one level, stratum, agrégat and year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StratumSum {
    pub amount: f64,
    pub population: u64,
    pub count: u32,
}

impl StratumSum {
    /// The stratum's euros per inhabitant (total amount over total
    /// population, as OFGL computes averages).
    pub fn per_inhabitant(&self) -> Option<f64> {
        (self.population > 0).then(|| self.amount / self.population as f64)
    }
}

/// The parts of the DGF of communes, from the DGCL "critères de
/// répartition" files: id, French label, unit.
pub const DGF_PARTS: [(&str, &str, &str); 8] = [
    ("dotation_forfaitaire", "Dotation forfaitaire", "€"),
    ("dsu", "Dotation de solidarité urbaine et de cohésion sociale (DSU)", "€"),
    ("dsr_bourg_centre", "DSR : fraction bourg-centre", "€"),
    ("dsr_perequation", "DSR : fraction péréquation", "€"),
    ("dsr_cible", "DSR : fraction cible", "€"),
    ("dnp", "Dotation nationale de péréquation (DNP)", "€"),
    ("population_dgf", "Population DGF", "hab."),
    ("potentiel_financier_hab", "Potentiel financier par habitant", "€/hab."),
];

/// One value of the DGF criteria of a commune for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DgfValue {
    /// An id of [`DGF_PARTS`].
    pub part: String,
    pub year: u16,
    pub value: f64,
}

/// One DETR or DSIL project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub year: u16,
    /// `DETR` or `DSIL`.
    pub dotation: String,
    pub category: String,
    pub description: String,
    pub cost: Option<f64>,
    pub subsidy: Option<f64>,
}

/// Everything loaded about local finances.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FinanceData {
    /// The OFGL accounts' source, when loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofgl: Option<SourceInfo>,
    /// The DETR/DSIL source, when loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<SourceInfo>,
    /// `COM-31135`, `EPCI-243100518`, `DEP-31`, `REG-76` → values, by
    /// indicator then year.
    #[serde(default)]
    pub accounts: BTreeMap<String, Vec<AccountValue>>,
    /// `level|strate|indicator|year` (level `COM`, `EPCI`, `DEP`) → sums.
    #[serde(default)]
    pub strata: BTreeMap<String, StratumSum>,
    /// `COM-…` or `EPCI-…` → projects, newest first.
    #[serde(default)]
    pub projects: BTreeMap<String, Vec<Project>>,
    /// The DGF criteria's source, when loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dgf: Option<SourceInfo>,
    /// `COM-…` → the DGF parts and criteria, by part then year.
    #[serde(default)]
    pub dgf_parts: BTreeMap<String, Vec<DgfValue>>,
}

/// The key of a stratum.
pub fn stratum_key(level: &str, strate: &str, indicator: &str, year: u16) -> String {
    format!("{level}|{strate}|{indicator}|{year}")
}

impl FinanceData {
    /// Recomputes the stratum sums from the accounts.
    pub fn compute_strata(&mut self) {
        let mut strata: BTreeMap<String, StratumSum> = BTreeMap::new();
        for (key, values) in &self.accounts {
            let Some((level, _)) = key.split_once('-') else { continue };
            for v in values {
                let (Some(strate), Some(pop)) = (&v.strate, v.population) else { continue };
                let s = strata.entry(stratum_key(level, strate, &v.indicator, v.year)).or_default();
                s.amount += v.amount;
                s.population += pop;
                s.count += 1;
            }
        }
        self.strata = strata;
    }

    /// The latest value of an indicator for a collectivité, and the series
    /// of every year, oldest first.
    pub fn series(&self, key: &str, indicator: &str) -> Vec<&AccountValue> {
        let mut v: Vec<&AccountValue> = self.accounts.get(key).map(|vs| vs.iter().filter(|x| x.indicator == indicator).collect()).unwrap_or_default();
        v.sort_by_key(|x| x.year);
        v
    }

    /// The average of the value's stratum, same level, agrégat and year.
    pub fn stratum(&self, key: &str, v: &AccountValue) -> Option<&StratumSum> {
        let (level, _) = key.split_once('-')?;
        self.strata.get(&stratum_key(level, v.strate.as_deref()?, &v.indicator, v.year))
    }
}
