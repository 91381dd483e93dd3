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
    pub indicator: Interned,
    pub year: u16,
    /// Euros.
    pub amount: f64,
    /// Population totale of the exercice (DGF population for OFGL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Strate de population (OFGL's code), none for régions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strate: Option<Interned>,
}

impl AccountValue {
    /// Euros per inhabitant.
    pub fn per_inhabitant(&self) -> Option<f64> {
        self.population.filter(|p| *p > 0).map(|p| self.amount / p as f64)
    }
}

/// A short string of a small set (agrégat ids, strata codes), stored once
/// per process: millions of values at national size share them instead of
/// each holding its own copies. Serialised as a plain string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interned(&'static str);

impl Interned {
    /// The one copy of `s` (made on first use; the set is small and bounded
    /// by the data: ids and codes, never free text).
    pub fn new(s: &str) -> Interned {
        static SET: std::sync::Mutex<Option<std::collections::HashSet<&'static str>>> = std::sync::Mutex::new(None);
        let mut set = SET.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let set = set.get_or_insert_with(Default::default);
        match set.get(s) {
            Some(x) => Interned(x),
            None => {
                let x: &'static str = Box::leak(s.to_owned().into_boxed_str());
                set.insert(x);
                Interned(x)
            }
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Interned {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Interned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Interned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<str> for Interned {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Interned {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for Interned {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Interned {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Interned, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Interned;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Interned, E> {
                Ok(Interned::new(v))
            }
        }
        d.deserialize_str(V)
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
    /// Names of the beneficiaries that have no fiche (syndicats), by
    /// SIREN, as the grant files write them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub beneficiary_names: BTreeMap<String, String>,
}

/// The key of a stratum.
pub fn stratum_key(level: &str, strate: &str, indicator: &str, year: u16) -> String {
    format!("{level}|{strate}|{indicator}|{year}")
}

impl FinanceData {
    /// Gives back the spare capacity of every vector (decoding grows them
    /// by doubling; at national size that is a third of their memory).
    pub fn shrink_to_fit(&mut self) {
        for v in self.accounts.values_mut() {
            v.shrink_to_fit();
        }
        for v in self.projects.values_mut() {
            v.shrink_to_fit();
        }
        for v in self.dgf_parts.values_mut() {
            v.shrink_to_fit();
        }
    }

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
        let mut v: Vec<&AccountValue> = self
            .accounts
            .get(key)
            .map(|vs| vs.iter().filter(|x| *x.indicator == *indicator).collect())
            .unwrap_or_default();
        v.sort_by_key(|x| x.year);
        v
    }

    /// The average of the value's stratum, same level, agrégat and year.
    pub fn stratum(&self, key: &str, v: &AccountValue) -> Option<&StratumSum> {
        let (level, _) = key.split_once('-')?;
        self.strata.get(&stratum_key(level, v.strate.as_deref()?, &v.indicator, v.year))
    }
}

/// The population bands of the OFGL's `Strate population 2024` for
/// communes: the DGFiP strata, numbered from 0 (inclusive bounds, `None`:
/// no upper bound). Checked against the real rows of the OFGL extracts
/// (Cazères, 4 871 then 4 824 inhabitants, is in stratum 5: 3 500 to
/// 4 999), which also rules out a numbering from 1.
const COMMUNE_STRATA: [(u64, Option<u64>); 11] = [
    (0, Some(99)),
    (100, Some(199)),
    (200, Some(499)),
    (500, Some(1_999)),
    (2_000, Some(3_499)),
    (3_500, Some(4_999)),
    (5_000, Some(9_999)),
    (10_000, Some(19_999)),
    (20_000, Some(49_999)),
    (50_000, Some(99_999)),
    (100_000, None),
];

/// The DGFiP stratum (its OFGL code, from 0) of a commune of `population`
/// inhabitants.
pub fn commune_stratum(population: u64) -> usize {
    COMMUNE_STRATA.iter().rposition(|(lo, _)| population >= *lo).unwrap_or(0)
}

/// The number of commune strata.
pub const COMMUNE_STRATA_COUNT: usize = COMMUNE_STRATA.len();

/// The population band of an OFGL stratum code, inclusive bounds (`None`
/// upper bound: "et plus"), at a level (`COM`, `EPCI`, `DEP`, `REG`).
/// Only the levels whose bands could be checked against the published
/// rows are known: communes. The EPCI and département codes of the OFGL
/// files are left unnamed rather than guessed.
pub fn stratum_band(level: &str, code: &str) -> Option<(u64, Option<u64>)> {
    match level {
        "COM" => COMMUNE_STRATA.get(code.trim().parse::<usize>().ok()?).copied(),
        _ => None,
    }
}

/// The population band of an OFGL stratum code in French: "communes de
/// 3 500 à 4 999 habitants", "communes de moins de 100 habitants",
/// "communes de 100 000 habitants et plus". `None` for a level or code
/// whose band is not known (see [`stratum_band`]): say
/// [`stratum_unnamed`] instead.
pub fn stratum_label(level: &str, code: &str) -> Option<String> {
    let (lo, hi) = stratum_band(level, code)?;
    let noun = match level {
        "COM" => "communes",
        _ => return None,
    };
    let f = crate::fr::fmt_int;
    Some(match hi {
        Some(hi) if lo == 0 => format!("{noun} de moins de {} habitants", f(hi + 1)),
        Some(hi) => format!("{noun} de {} à {} habitants", f(lo), f(hi)),
        None => format!("{noun} de {} habitants et plus", f(lo)),
    })
}

/// A stratum whose band is not known, named as the OFGL classes it:
/// "strate de population 2 (classement OFGL)".
pub fn stratum_unnamed(code: &str) -> String {
    format!("strate de population {} (classement OFGL)", code.trim())
}

/// The band of a stratum if known, else its unnamed form.
pub fn stratum_text(level: &str, code: &str) -> String {
    stratum_label(level, code).unwrap_or_else(|| stratum_unnamed(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_strings_are_shared_and_serialised_as_strings() {
        let json = r#"[{"indicator":"dgf","year":2023,"amount":1.5,"strate":"5"},{"indicator":"dgf","year":2022,"amount":2.0,"strate":"5"}]"#;
        let v: Vec<AccountValue> = serde_json::from_str(json).unwrap();
        assert!(std::ptr::eq(v[0].indicator.as_str(), v[1].indicator.as_str()), "one copy of each id");
        assert_eq!(v[0].indicator, "dgf");
        assert_eq!(serde_json::to_string(&v).unwrap(), json);
    }

    #[test]
    fn commune_strata_are_named_by_their_band() {
        assert_eq!(stratum_label("COM", "0").as_deref(), Some("communes de moins de 100 habitants"));
        assert_eq!(stratum_label("COM", "3").as_deref(), Some("communes de 500 à 1\u{202f}999 habitants"));
        assert_eq!(stratum_label("COM", "5").as_deref(), Some("communes de 3\u{202f}500 à 4\u{202f}999 habitants"));
        assert_eq!(stratum_label("COM", "10").as_deref(), Some("communes de 100\u{202f}000 habitants et plus"));
        assert_eq!(stratum_band("COM", "5"), Some((3_500, Some(4_999))));
        // Contiguous bands from 0, no gap, no overlap.
        for w in COMMUNE_STRATA.windows(2) {
            assert_eq!(w[0].1.map(|h| h + 1), Some(w[1].0));
        }
        // Unknown codes and unchecked levels are not guessed.
        assert_eq!(stratum_label("COM", "11"), None);
        assert_eq!(stratum_label("COM", "x"), None);
        assert_eq!(stratum_label("EPCI", "2"), None);
        assert_eq!(stratum_label("DEP", "4"), None);
        assert_eq!(stratum_label("REG", "1"), None);
        assert_eq!(stratum_text("EPCI", "2"), "strate de population 2 (classement OFGL)");
        assert_eq!(stratum_text("COM", "1"), "communes de 100 à 199 habitants");
        assert_eq!(commune_stratum(4_871), 5);
        assert_eq!(commune_stratum(0), 0);
        assert_eq!(commune_stratum(99), 0);
        assert_eq!(commune_stratum(100), 1);
        assert_eq!(commune_stratum(2_000_000), 10);
    }
}
