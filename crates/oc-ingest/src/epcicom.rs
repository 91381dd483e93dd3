//! The DGCL's "Liste et composition des EPCI à fiscalité propre"
//! (`epcicomYYYY.xlsx`, collectivites-locales.gouv.fr), read as published:
//! one sheet (`EpcicomYYYY`), one row per member commune, with the EPCI's
//! columns repeated on each of its rows — `dept, siren, raison_sociale,
//! nature_juridique, mode_financ, nb_membres, total_pop_tot,
//! total_pop_mun, dep_com, insee, siren_membre, nom_membre, ptot_YYYY,
//! pmun_YYYY`. [`check`] sets it beside the COG and reports every
//! difference (nature, mode de financement, populations, members).

use std::collections::{BTreeMap, BTreeSet};

use oc_model::epcicom::{DgclEpci, EpcicomData};
use oc_model::{Kind, RefData, SourceInfo};

use crate::table::xlsx_text as text;
use crate::IngestError;

/// Columns the loader needs (names compared without case).
const REQUIRED: [&str; 8] = [
    "siren",
    "raison_sociale",
    "nature_juridique",
    "mode_financ",
    "nb_membres",
    "total_pop_tot",
    "total_pop_mun",
    "insee",
];

/// The file read: its year, its EPCI by SIREN and their members.
#[derive(Debug, Clone, Default)]
pub struct Epcicom {
    pub year: u16,
    pub epci: BTreeMap<String, DgclEpci>,
    /// INSEE codes of the member communes, by SIREN.
    pub members: BTreeMap<String, BTreeSet<String>>,
    pub warnings: Vec<String>,
}

/// A cell as a whole number (a number cell, or digits as text).
fn whole(c: &calamine::Data) -> Option<u64> {
    match c {
        calamine::Data::Float(f) if *f >= 0.0 && f.fract() == 0.0 => Some(*f as u64),
        calamine::Data::Int(i) => u64::try_from(*i).ok(),
        other => text(other).replace([' ', '\u{a0}', '\u{202f}'], "").parse().ok(),
    }
}

/// The year of the list: from the sheet name (`Epcicom2023`) or from a
/// `ptot_YYYY` column.
fn year_of(sheet: &str, header: &[String]) -> Option<u16> {
    let digits: String = sheet.chars().filter(char::is_ascii_digit).collect();
    let plausible = |y: &u16| (2000..2100).contains(y);
    digits
        .get(..4)
        .and_then(|y| y.parse().ok())
        .filter(plausible)
        .or_else(|| header.iter().find_map(|h| h.strip_prefix("ptot_").and_then(|y| y.parse().ok()).filter(plausible)))
}

/// Reads `epcicomYYYY.xlsx`.
pub fn parse_epcicom(name: &str, bytes: &[u8]) -> Result<Epcicom, IngestError> {
    use calamine::Reader;
    let invalid = |message: String| IngestError::Invalid { file: name.to_owned(), message };
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(format!("not a readable XLSX workbook: {e}")))?;
    let sheets = wb.sheet_names();
    let mut out = Epcicom::default();
    for sheet in sheets {
        let range = wb.worksheet_range(&sheet).map_err(|e| invalid(format!("sheet {sheet:?}: {e}")))?;
        let mut rows = range.rows();
        let Some(header) = rows.next() else { continue };
        let header: Vec<String> = header.iter().map(|c| text(c).to_lowercase()).collect();
        let col = |n: &str| header.iter().position(|h| h == n);
        if col("siren").is_none() || col("insee").is_none() {
            continue;
        }
        if let Some(missing) = REQUIRED.iter().find(|c| col(c).is_none()) {
            return Err(IngestError::Parse {
                file: format!("{name} [{sheet}]"),
                line: 1,
                message: format!("missing column {missing:?} (header has {header:?})"),
            });
        }
        out.year = year_of(&sheet, &header)
            .ok_or_else(|| invalid(format!("no year in the sheet name {sheet:?} nor in a ptot_YYYY column")))?;
        let at = |n: &str| col(n).unwrap_or(0);
        let (siren_c, name_c, nature_c, fin_c, nb_c, ptot_c, pmun_c, insee_c) = (
            at("siren"),
            at("raison_sociale"),
            at("nature_juridique"),
            at("mode_financ"),
            at("nb_membres"),
            at("total_pop_tot"),
            at("total_pop_mun"),
            at("insee"),
        );
        let mut inconsistent: BTreeSet<String> = BTreeSet::new();
        for (i, row) in rows.enumerate() {
            let line = i + 2;
            let cell = |c: usize| row.get(c).unwrap_or(&calamine::Data::Empty);
            let siren = text(cell(siren_c));
            if siren.is_empty() {
                continue; // trailing empty rows
            }
            let siren = format!("{siren:0>9}");
            if !crate::zonage::is_siren(&siren) {
                out.warnings.push(format!("{name}, line {line}: SIREN {siren:?} is not 9 digits, row ignored"));
                continue;
            }
            let insee = format!("{:0>5}", text(cell(insee_c)));
            if !crate::zonage::is_insee_code(&insee) {
                out.warnings
                    .push(format!("{name}, line {line}: commune code {insee:?} is not an INSEE code, row ignored"));
                continue;
            }
            let e = DgclEpci {
                name: text(cell(name_c)),
                nature: text(cell(nature_c)),
                financing: text(cell(fin_c)),
                members: whole(cell(nb_c)).and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                population_totale: whole(cell(ptot_c)),
                population_municipale: whole(cell(pmun_c)),
                ..DgclEpci::default()
            };
            match out.epci.get(&siren) {
                None => {
                    out.epci.insert(siren.clone(), e);
                }
                Some(first) if *first != e => {
                    inconsistent.insert(siren.clone());
                }
                Some(_) => {}
            }
            out.members.entry(siren).or_default().insert(insee);
        }
        if !inconsistent.is_empty() {
            out.warnings.push(format!(
                "{name}: {} EPCI whose rows disagree on their own columns (the first row is kept): {}",
                inconsistent.len(),
                sample(inconsistent.iter().cloned())
            ));
        }
        let miscounted: Vec<String> = out
            .epci
            .iter()
            .filter(|(s, e)| out.members.get(*s).map_or(0, BTreeSet::len) != e.members as usize)
            .map(|(s, e)| format!("{s} ({}: nb_membres {}, {} rows)", e.name, e.members, out.members[s].len()))
            .collect();
        if !miscounted.is_empty() {
            out.warnings.push(format!(
                "{name}: {} EPCI whose nb_membres is not their number of rows: {}",
                miscounted.len(),
                sample(miscounted.into_iter())
            ));
        }
        return Ok(out);
    }
    Err(invalid("no sheet with the columns siren and insee (not a DGCL epcicom file?)".to_owned()))
}

/// The first items of a list, and how many more.
fn sample(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    let shown = all.iter().take(SAMPLE).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > SAMPLE {
        format!("{shown}… and {} more", all.len() - SAMPLE)
    } else {
        shown
    }
}

/// Items named in each line of the report.
const SAMPLE: usize = 8;

/// Sets the DGCL list beside the COG of `data`: returns what the portal
/// keeps (each EPCI with its differences of composition) and the report,
/// one line per kind of difference (none when they agree).
pub fn check(name: &str, file: &Epcicom, data: &RefData) -> (EpcicomData, Vec<String>) {
    let cog: BTreeMap<&str, &oc_model::Epci> = data
        .epci
        .iter()
        .filter(|e| e.kind == Kind::Epci && e.legal_form != "EPT")
        .map(|e| (e.code.as_str(), e))
        .collect();
    let what = format!("{name} (DGCL, 1er janvier {}) against the COG {}", file.year, data.meta.cog_year);
    let mut report = Vec::new();
    let mut kept = file.epci.clone();
    let only_file: Vec<String> = file
        .epci
        .iter()
        .filter(|(s, _)| !cog.contains_key(s.as_str()))
        .map(|(s, e)| format!("{s} {}", e.name))
        .collect();
    if !only_file.is_empty() {
        report.push(format!(
            "{what}: {} EPCI not in the COG (dissolved or merged since): {}",
            only_file.len(),
            sample(only_file.into_iter())
        ));
    }
    let only_cog: Vec<String> =
        cog.iter().filter(|(s, _)| !file.epci.contains_key(**s)).map(|(s, e)| format!("{s} {}", e.name)).collect();
    if !only_cog.is_empty() {
        report.push(format!(
            "{what}: {} EPCI of the COG not in the file (created since): {}",
            only_cog.len(),
            sample(only_cog.into_iter())
        ));
    }
    let (mut nature, mut financing, mut composition, mut population) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut changed_members = 0usize;
    for (siren, e) in kept.iter_mut() {
        let Some(c) = cog.get(siren.as_str()) else { continue };
        if e.nature != c.legal_form {
            nature.push(format!("{siren} {} ({} / COG {})", c.name, e.nature, c.legal_form));
        }
        if !c.tax_regime.is_empty() && e.financing != c.tax_regime {
            financing.push(format!("{siren} {} ({} / COG {})", c.name, e.financing, c.tax_regime));
        }
        let dgcl = file.members.get(siren).cloned().unwrap_or_default();
        let theirs: BTreeSet<String> = c.membres.iter().cloned().collect();
        e.only_dgcl = dgcl.difference(&theirs).cloned().collect();
        e.only_cog = theirs.difference(&dgcl).cloned().collect();
        if !e.only_dgcl.is_empty() || !e.only_cog.is_empty() {
            changed_members += e.only_dgcl.len() + e.only_cog.len();
            let mut d = Vec::new();
            if !e.only_dgcl.is_empty() {
                d.push(format!("DGCL only {}", e.only_dgcl.join(" ")));
            }
            if !e.only_cog.is_empty() {
                d.push(format!("COG only {}", e.only_cog.join(" ")));
            }
            composition.push(format!("{siren} {} ({})", c.name, d.join("; ")));
        }
        if let (Some(a), Some(b)) = (e.population_totale, c.population_totale) {
            if a != u64::from(b) {
                population.push((a.abs_diff(u64::from(b)), format!("{siren} {} ({a} / COG {b})", c.name)));
            }
        }
    }
    if !nature.is_empty() {
        report.push(format!(
            "{what}: nature juridique differs for {} EPCI: {}",
            nature.len(),
            sample(nature.into_iter())
        ));
    }
    if !financing.is_empty() {
        report.push(format!(
            "{what}: mode de financement differs for {} EPCI: {}",
            financing.len(),
            sample(financing.into_iter())
        ));
    }
    if !composition.is_empty() {
        report.push(format!(
            "{what}: members differ for {} EPCI ({changed_members} communes, merged or moved since): {}",
            composition.len(),
            sample(composition.into_iter())
        ));
    }
    if !population.is_empty() {
        population.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        report.push(format!(
            "{what}: population totale differs for {} EPCI (the vintages of the populations differ), largest: {}",
            population.len(),
            sample(population.into_iter().map(|(_, l)| l))
        ));
    }
    let out = EpcicomData {
        source: Some(SourceInfo::registered("dgcl-epcicom", format!("au 1er janvier {}", file.year), name)),
        year: file.year,
        epci: kept,
    };
    (out, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_comes_from_the_sheet_or_the_columns() {
        assert_eq!(year_of("Epcicom2023", &[]), Some(2023));
        assert_eq!(year_of("Feuil1", &["ptot_2025".to_owned()]), Some(2025));
        assert_eq!(year_of("Feuil1", &["siren".to_owned()]), None);
        assert_eq!(year_of("Feuil1 2025", &["ptot_2025".to_owned()]), Some(2025));
    }

    #[test]
    fn a_workbook_without_the_columns_is_refused() {
        let e = parse_epcicom("x.xlsx", b"not a zip").unwrap_err();
        assert!(e.to_string().contains("not a readable XLSX"), "{e}");
    }
}
