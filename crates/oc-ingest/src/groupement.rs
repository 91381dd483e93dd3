//! BANATIC, the DGCL's base of intercommunality:
//! - the composition of the syndicats (`composition-communale-syndicats.csv`:
//!   `siren,ind_adhesion_directe,siren_membre`, the member being a
//!   commune's SIREN), turned into the syndicats of each commune;
//! - the "liste des groupements" export (one row per groupement, French
//!   column labels as documented in BANATIC's `schema.json`: `N° SIREN`,
//!   `Nom du groupement`, `Nature juridique`, `Commune siège`,
//!   `Compétences`…), for names, nature, siège and compétences.

use std::collections::BTreeMap;

use oc_model::groupement::Groupement;
use oc_model::RefData;

use crate::table::Table;
use crate::zonage::is_siren;
use crate::IngestError;

/// What [`parse_composition`] reads: the syndicats of each commune, the
/// SIRENs of every syndicat, the warnings.
pub struct Composition {
    pub by_commune: BTreeMap<String, Vec<String>>,
    pub syndicats: Vec<String>,
    pub warnings: Vec<String>,
}

/// The syndicats of each commune (INSEE code → sorted SIRENs), and the
/// SIRENs of every syndicat of the file.
pub fn parse_composition(file: &str, bytes: &[u8], refdata: &RefData) -> Result<Composition, IngestError> {
    let table = Table::parse(file, bytes, &["siren", "siren_membre"])?;
    let by_siren = refdata.communes_by_siren();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut syndicats: Vec<String> = Vec::new();
    let mut unknown = 0usize;
    let mut warnings = Vec::new();
    for row in table.rows() {
        let s = row.req("siren")?.trim();
        let m = row.req("siren_membre")?.trim();
        if !is_siren(s) || !is_siren(m) {
            warnings.push(row.warning(&format!("{s:?} or {m:?} is not a SIREN, row ignored")));
            continue;
        }
        syndicats.push(s.to_owned());
        match by_siren.get(m) {
            Some(code) => out.entry((*code).to_owned()).or_default().push(s.to_owned()),
            None => unknown += 1,
        }
    }
    if unknown > 0 {
        warnings.push(format!(
            "{file}: {unknown} memberships name a commune SIREN absent from the current COG (communes merged \
            since the file's vintage), left out"
        ));
    }
    for v in out.values_mut() {
        v.sort();
        v.dedup();
    }
    syndicats.sort();
    syndicats.dedup();
    Ok(Composition { by_commune: out, syndicats, warnings })
}

/// The columns of the "liste des groupements" export read here.
pub const GROUPEMENTS_REQUIRED: [&str; 2] = ["N° SIREN", "Nom du groupement"];

/// Text as UTF-8 (BANATIC exports have been published in Windows-1252).
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match std::str::from_utf8(bytes) {
        Ok(_) => std::borrow::Cow::Borrowed(bytes),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| b as char).collect::<String>().into_bytes()),
    }
}

/// The field separator of an export: the one its header line uses most
/// (`;`, tab or `,`).
fn separator(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    [b';', b'\t', b','].into_iter().max_by_key(|s| header.iter().filter(|b| *b == s).count()).unwrap_or(b';')
}

/// Parses a "liste des groupements" export: SIREN → what it says.
pub fn parse_groupements(file: &str, bytes: &[u8]) -> Result<(BTreeMap<String, Groupement>, Vec<String>), IngestError> {
    let bytes = utf8(bytes);
    let table = Table::parse_with(file, &bytes, separator(&bytes), &GROUPEMENTS_REQUIRED)?;
    let mut out = BTreeMap::new();
    let mut warnings = Vec::new();
    for row in table.rows() {
        let siren = row.req("N° SIREN")?.trim();
        let siren = format!("{siren:0>9}");
        if !is_siren(&siren) {
            warnings.push(row.warning(&format!("N° SIREN {siren:?} is not a SIREN, row ignored")));
            continue;
        }
        let text =
            |c: &str| row.get(c).map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|v| !v.is_empty());
        let competences = row
            .get("Compétences")
            .map(|v| {
                v.split(['\n', ';', '|'])
                    .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let g = Groupement {
            name: text("Nom du groupement"),
            legal_form: text("Nature juridique"),
            siege: text("Commune siège"),
            competences,
            name_source: text("Nom du groupement").map(|_| "banatic".to_owned()),
            siren: siren.clone(),
        };
        out.insert(siren, g);
    }
    Ok((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separator_and_charset_of_an_export() {
        assert_eq!(separator(b"N\xb0 SIREN;Nom du groupement\n"), b';');
        assert_eq!(separator(b"a\tb\tc\n"), b'\t');
        let latin1 = b"N\xb0 SIREN;Nom du groupement\n200000677;\n";
        let (g, w) = parse_groupements("g.csv", latin1).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(g["200000677"].name, None, "an empty cell stays unknown");
    }
}
