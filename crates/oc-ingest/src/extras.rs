//! The datasets added to the reference geography after it is built:
//! income (Filosofi), zonages and programmes (ANCT), syndicats (BANATIC),
//! the DGCL's list of EPCI (checked against the COG), the open-data
//! publishers (OpenDataFrance).
//! Each is read from the files as published, then attached to the
//! [`RefData`] with its credit; codes the current COG does not know are
//! reported, not kept.

use std::collections::BTreeMap;

use oc_model::groupement::{Groupement, SyndicatData};
use oc_model::{Kind, RefData, SourceInfo};

use crate::zonage::{ProgrammeFiles, ZonageFiles};
use crate::IngestError;

/// One file read: its name (for messages) and bytes.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The extra files read, each with its vintage and origin (for the credit).
#[derive(Debug, Clone, Default)]
pub struct ExtraFiles {
    pub filosofi: Option<(File, String)>,
    /// Files, folder prefix (for messages), vintage, origin.
    pub zonages: Option<(ZonageFiles, String, String)>,
    pub programmes: Option<(ProgrammeFiles, String, String)>,
    /// Composition file, groupement exports, vintage.
    pub syndicats: Option<(File, Vec<File>, String)>,
    /// The DGCL's `epcicomYYYY.xlsx` (its vintage is its year).
    pub epcicom: Option<File>,
    /// The editions of OpenDataFrance's observatory, newest first, each
    /// with its vintage.
    pub opendata: Vec<(File, String)>,
}

/// Attaches what was read to `data`; returns the warnings.
pub fn attach(data: &mut RefData, files: &ExtraFiles) -> Result<Vec<String>, IngestError> {
    let mut warnings = Vec::new();
    let communes: std::collections::HashSet<&str> = data
        .communes
        .iter()
        .filter(|c| matches!(c.kind, Kind::Commune | Kind::ArrondissementMunicipal))
        .map(|c| c.code.as_str())
        .collect();
    if let Some((f, vintage)) = &files.filosofi {
        let (mut income, mut w) = crate::filosofi::parse_filosofi(&f.name, &f.bytes)?;
        warnings.append(&mut w);
        let before = income.communes.len();
        income.communes.retain(|code, _| communes.contains(code.as_str()));
        if income.communes.len() < before {
            warnings.push(format!(
                "{}: {} communes absent from the current COG (merged since), left out",
                f.name,
                before - income.communes.len()
            ));
        }
        income.source = Some(SourceInfo::registered("filosofi", vintage.clone(), f.name.clone()));
        data.income = Some(income);
    }
    let mut zonages = oc_model::zonage::ZonageData::default();
    if let Some((z, prefix, vintage)) = &files.zonages {
        let (mut c, mut w) = crate::zonage::parse_zonages(z, prefix)?;
        warnings.append(&mut w);
        let before = c.len();
        c.retain(|code, _| communes.contains(code.as_str()));
        if c.len() < before {
            warnings.push(format!(
                "{prefix}: zonages of {} communes absent from the current COG, left out",
                before - c.len()
            ));
        }
        zonages.communes = c;
        zonages.zonages_source = Some(SourceInfo::registered("anct-zonages", vintage.clone(), prefix.clone()));
    }
    if let Some((p, prefix, vintage)) = &files.programmes {
        let (mut m, mut w) = crate::zonage::parse_programmes(p, prefix)?;
        warnings.append(&mut w);
        let epci: std::collections::HashSet<&str> = data.epci.iter().map(|e| e.code.as_str()).collect();
        let before = m.len();
        m.retain(|code, _| communes.contains(code.as_str()) || epci.contains(code.as_str()));
        if m.len() < before {
            warnings.push(format!(
                "{prefix}: programme members unknown to the current COG (merged communes, dissolved EPCI): {}, left out",
                before - m.len()
            ));
        }
        zonages.memberships = m;
        zonages.programmes_source = Some(SourceInfo::registered("anct-programmes", vintage.clone(), prefix.clone()));
    }
    if zonages.zonages_source.is_some() || zonages.programmes_source.is_some() {
        data.zonages = Some(zonages);
    }
    if let Some((composition, exports, vintage)) = &files.syndicats {
        let crate::groupement::Composition { by_commune, syndicats: sirens, warnings: mut w } =
            crate::groupement::parse_composition(&composition.name, &composition.bytes, data)?;
        warnings.append(&mut w);
        let mut groupements: BTreeMap<String, Groupement> =
            sirens.iter().map(|s| (s.clone(), Groupement { siren: s.clone(), ..Groupement::default() })).collect();
        for e in exports {
            let (g, mut w) = crate::groupement::parse_groupements(&e.name, &e.bytes)?;
            warnings.append(&mut w);
            for (siren, g) in g {
                if let Some(slot) = groupements.get_mut(&siren) {
                    *slot = g;
                }
            }
        }
        let origin = std::iter::once(&composition.name).chain(exports.iter().map(|e| &e.name));
        data.syndicats = Some(SyndicatData {
            source: Some(SourceInfo::registered(
                "banatic",
                vintage.clone(),
                origin.cloned().collect::<Vec<_>>().join(", "),
            )),
            communes: by_commune,
            groupements,
        });
    }
    if let Some(f) = &files.epcicom {
        let file = crate::epcicom::parse_epcicom(&f.name, &f.bytes)?;
        warnings.extend(file.warnings.iter().cloned());
        let (dgcl, mut report) = crate::epcicom::check(&f.name, &file, data);
        warnings.append(&mut report);
        data.epcicom = Some(dgcl);
    }
    if !files.opendata.is_empty() {
        let (o, mut w) = crate::opendata::parse_opendata(&files.opendata, data)?;
        warnings.append(&mut w);
        data.opendata = Some(o);
    }
    name_syndicats_from_grants(data);
    Ok(warnings)
}

/// Names the syndicats no BANATIC export named from the beneficiaries of
/// the DETR/DSIL files, which name syndicats by SIREN.
pub fn name_syndicats_from_grants(data: &mut RefData) {
    let (Some(s), Some(f)) = (data.syndicats.as_mut(), data.finances.as_ref()) else { return };
    for g in s.groupements.values_mut().filter(|g| g.name.is_none()) {
        if let Some(n) = f.beneficiary_names.get(&g.siren) {
            g.name = Some(n.clone());
            g.name_source = Some("detr-dsil".to_owned());
        }
    }
}
