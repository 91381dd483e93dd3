//! Local finances as published:
//! - the OFGL consolidated accounts (`ofgl-base-communes-consolidee`,
//!   `-epci`, `-departements`, `-regions`: `;`-separated, one row per
//!   exercice × collectivité × agrégat; the national exports have the same
//!   columns), keyed by the collectivité's 2024 code;
//! - the DETR/DSIL projects of the State (`Projets_DI_YYYY.csv`:
//!   `;`-separated, decimal comma, multi-line quoted descriptions).

use std::collections::{BTreeMap, HashMap, HashSet};

use oc_model::finance::{AccountValue, DgfValue, FinanceData, Project, DGF_PARTS, INDICATORS};
use oc_model::SourceInfo;

use crate::table::{Row, Table};
use crate::IngestError;

/// A French or plain number: `1 234,5`, `1234.5`; empty is none.
pub fn number(v: &str) -> Result<Option<f64>, String> {
    let t: String = v.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    if t.is_empty() {
        return Ok(None);
    }
    let t = if t.contains(',') && t.contains('.') { t.replace('.', "").replace(',', ".") } else { t.replace(',', ".") };
    t.parse::<f64>().ok().filter(|n| n.is_finite()).map(Some).ok_or_else(|| format!("{v:?} is not a number"))
}

const OFGL_REQUIRED: [&str; 6] = ["Exercice", "Catégorie", "Code Siren Collectivité", "Agrégat", "Montant", "Population totale"];

/// The key of a row's collectivité (current codes), from its category.
fn ofgl_key(row: &Row<'_>) -> Result<Option<String>, IngestError> {
    let cat = row.get("Catégorie").unwrap_or("").trim();
    let (prefix, col) = match cat {
        "Commune" => ("COM", "Code Insee 2024 Commune"),
        "GFP" => ("EPCI", "Code Siren 2024 EPCI"),
        "DEPT" => ("DEP", "Code Insee 2024 Département"),
        "REG" => ("REG", "Code Insee 2024 Région"),
        // Collectivités territoriales uniques report at both levels; the
        // région's row is the one kept.
        "CTU" => ("REG", "Code Insee 2024 Région"),
        _ => return Ok(None),
    };
    let code = row.get(col).map(str::trim).unwrap_or("");
    if code.is_empty() {
        return Err(row.error(format!("{col}: missing for a {cat} row")));
    }
    let code = if prefix == "COM" && code.len() == 4 { format!("0{code}") } else { code.to_owned() };
    Ok(Some(format!("{prefix}-{code}")))
}

/// Parses OFGL files (any level, any number of exercices) into `out`;
/// returns warnings. Rows of other agrégats than [`INDICATORS`] are left
/// out; several former collectivités of a current one are added up.
pub fn parse_ofgl(files: &[(String, Vec<u8>)], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    let mut warnings = Vec::new();
    // (key, indicator, year) → amount, population, strate, sirens seen.
    type Acc = (f64, u64, Option<String>, HashSet<String>);
    let mut acc: BTreeMap<(String, &'static str, u16), Acc> = BTreeMap::new();
    let wanted: HashMap<&str, &'static str> = INDICATORS.iter().map(|(id, agregat, _)| (*agregat, *id)).collect();
    for (name, bytes) in files {
        let t = Table::parse_with(name, bytes, b';', &OFGL_REQUIRED)?;
        let mut skipped_categories: BTreeMap<String, usize> = BTreeMap::new();
        for row in t.rows() {
            let Some(&indicator) = wanted.get(row.req("Agrégat")?.trim()) else { continue };
            let Some(key) = ofgl_key(&row)? else {
                *skipped_categories.entry(row.get("Catégorie").unwrap_or("").trim().to_owned()).or_default() += 1;
                continue;
            };
            let year: u16 = row.req("Exercice")?.trim().parse().ok().filter(|y| (1990..=2100).contains(y)).ok_or_else(|| row.error(format!("Exercice: {:?} is not a year", row.get("Exercice").unwrap_or(""))))?;
            let amount = match number(row.get("Montant").unwrap_or("")) {
                Ok(Some(a)) => a,
                Ok(None) => continue, // not published for this collectivité
                Err(m) => {
                    warnings.push(row.warning(&format!("Montant: {m}, row ignored")));
                    continue;
                }
            };
            let population = match number(row.get("Population totale").unwrap_or("")) {
                Ok(p) => p.filter(|p| *p >= 0.0).map(|p| p.round() as u64),
                Err(m) => {
                    warnings.push(row.warning(&format!("Population totale: {m}, ignored")));
                    None
                }
            };
            let strate = row.get("Strate population 2024").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
            let siren = row.get("Code Siren Collectivité").unwrap_or("").trim().to_owned();
            let e = acc.entry((key, indicator, year)).or_insert_with(|| (0.0, 0, None, HashSet::new()));
            e.0 += amount;
            if e.3.insert(siren) {
                e.1 += population.unwrap_or(0);
            }
            if e.2.is_none() {
                e.2 = strate;
            }
        }
        for (cat, n) in skipped_categories {
            warnings.push(format!("{name}: {n} rows of category {cat:?} left out (not a commune, EPCI, département or région)"));
        }
    }
    for ((key, indicator, year), (amount, population, strate, _)) in acc {
        let values = out.accounts.entry(key).or_default();
        values.retain(|v| !(v.indicator == indicator && v.year == year));
        // To the cent: sums of published amounts, without float noise.
        let amount = (amount * 100.0).round() / 100.0;
        values.push(AccountValue { indicator: indicator.to_owned(), year, amount, population: (population > 0).then_some(population), strate });
    }
    for values in out.accounts.values_mut() {
        values.sort_by(|a, b| a.indicator.cmp(&b.indicator).then(a.year.cmp(&b.year)));
    }
    out.compute_strata();
    Ok(warnings)
}

const GRANTS_REQUIRED: [&str; 9] = ["IDENTIFIANT", "DOT", "ECHELON", "INSEECOM", "INSEEEPCI", "CATGEORIE", "DESCRIPTION", "COUT", "SUBVENTION"];

/// Parses DETR/DSIL project files into `out` (communes and EPCI; other
/// beneficiaries are counted in a warning); returns warnings.
pub fn parse_grants(files: &[(String, Vec<u8>)], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    let mut warnings = Vec::new();
    for (name, bytes) in files {
        let t = Table::parse_with(name, bytes, b';', &GRANTS_REQUIRED)?;
        let mut others: BTreeMap<String, usize> = BTreeMap::new();
        for row in t.rows() {
            let id = row.req("IDENTIFIANT")?.trim().to_owned();
            let Some(year) = id.get(..4).and_then(|y| y.parse::<u16>().ok()).filter(|y| (2000..=2100).contains(y)) else {
                warnings.push(row.warning(&format!("IDENTIFIANT {id:?} does not start with a year, row ignored")));
                continue;
            };
            let echelon = row.get("ECHELON").unwrap_or("").trim();
            let key = match echelon {
                "Commune" => {
                    let c = row.get("INSEECOM").unwrap_or("").trim();
                    if c.is_empty() || c == "0" {
                        warnings.push(row.warning("INSEECOM missing for a commune, row ignored"));
                        continue;
                    }
                    format!("COM-{c:0>5}")
                }
                "EPCI" => {
                    let e = row.get("INSEEEPCI").unwrap_or("").trim();
                    if e.len() != 9 {
                        warnings.push(row.warning(&format!("INSEEEPCI {e:?} is not a SIREN, row ignored")));
                        continue;
                    }
                    format!("EPCI-{e}")
                }
                other => {
                    *others.entry(if other.is_empty() { "(vide)".to_owned() } else { other.to_owned() }).or_default() += 1;
                    continue;
                }
            };
            let mut num = |col: &str| match number(row.get(col).unwrap_or("")) {
                Ok(v) => v,
                Err(m) => {
                    warnings.push(row.warning(&format!("{col}: {m}, left empty")));
                    None
                }
            };
            let (cost, subsidy) = (num("COUT"), num("SUBVENTION"));
            let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            out.projects.entry(key).or_default().push(Project {
                id,
                year,
                dotation: row.get("DOT").unwrap_or("").trim().to_owned(),
                category: clean(row.get("CATGEORIE").unwrap_or("")),
                description: clean(row.get("DESCRIPTION").unwrap_or("")),
                cost,
                subsidy,
            });
        }
        for (e, n) in others {
            warnings.push(format!("{name}: {n} projects of {e} beneficiaries left out (only communes and EPCI have fiches)"));
        }
    }
    for p in out.projects.values_mut() {
        p.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| b.subsidy.unwrap_or(0.0).total_cmp(&a.subsidy.unwrap_or(0.0))));
        p.dedup_by(|a, b| a.id == b.id);
    }
    Ok(warnings)
}

/// The columns of the DGCL "critères de répartition" files of the DGF of
/// communes, as published: each value's names over the years.
const DGF_CODE: [&str; 1] = ["Informations générales - Code INSEE de la commune"];
const DGF_COLUMNS: [(&str, &[&str]); 8] = [
    ("dotation_forfaitaire", &["Dotation forfaitaire - Dotation forfaitaire notifiée N"]),
    ("dsu", &["Dotation de solidarité urbaine et de cohésion sociale - Montant total réparti", "Dotation de solidarité urbaine - Montant total réparti"]),
    ("dsr_bourg_centre", &["Dotation de solidarité rurale - Fraction bourg-centre - Montant global réparti", "Dotation de solidarité rurale Bourg-centre - Montant global réparti"]),
    (
        "dsr_perequation",
        &[
            "Dotation de solidarité rurale - Fraction péréquation - Montant global réparti (après garantie CN)",
            "Dotation de solidarité rurale - Fraction péréquation - Montant global réparti",
            "Dotation de solidarité rurale - Péréquation - Montant global réparti (après garantie CN)",
        ],
    ),
    ("dsr_cible", &["Dotation de solidarité rurale - Fraction cible - Montant global réparti", "Dotation de solidarité rurale - Cible - Montant global réparti"]),
    ("dnp", &["Dotation nationale de péréquation - DNP totale"]),
    (
        "population_dgf",
        &["Informations générales - Population DGF de l'année N", "Informations générales - Population DGF Année N", "Informations générales - Population DGF de l'année N'", "Informations générales - Population DGF Année N'"],
    ),
    ("potentiel_financier_hab", &["Potentiel fiscal et financier des communes - Potentiel financier par habitant"]),
];

/// A column name compared loosely: case, spaces, apostrophes.
fn loose(s: &str) -> String {
    s.trim_start_matches('\u{feff}').trim().to_lowercase().replace(['’', '`'], "'").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses DGCL criteria files of the DGF of communes (one per year: the
/// files do not say their year, the configuration does) into `out`;
/// returns warnings. `;` or `,` separated, decimal commas.
pub fn parse_dgf(files: &[(u16, String, Vec<u8>)], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    let mut warnings = Vec::new();
    for (year, name, bytes) in files {
        let text = crate::table::decompress(name, bytes)?;
        let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
        let delimiter = if first.iter().filter(|b| **b == b';').count() >= first.iter().filter(|b| **b == b',').count() { b';' } else { b',' };
        let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(&text[..]);
        let headers: Vec<String> = rdr.headers().map_err(|e| IngestError::Parse { file: name.clone(), line: 1, message: e.to_string() })?.iter().map(loose).collect();
        let find = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| *h == loose(n)));
        let Some(code_col) = find(&DGF_CODE) else {
            return Err(IngestError::Parse { file: name.clone(), line: 1, message: format!("missing column {:?}: is this a DGCL criteria file of communes?", DGF_CODE[0]) });
        };
        let cols: Vec<(&str, Option<usize>)> = DGF_COLUMNS.iter().map(|(id, names)| (*id, find(names))).collect();
        for (id, c) in &cols {
            if c.is_none() {
                let label = DGF_PARTS.iter().find(|p| p.0 == *id).map_or(*id, |p| p.1);
                warnings.push(format!("{name}: no column for {label:?} ({year}): left empty"));
            }
        }
        let mut rows = 0;
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| IngestError::Parse { file: name.clone(), line: e.position().map_or(0, |p| p.line()), message: e.to_string() })?;
            // The header is line 1 (criteria files hold no multi-line cells).
            let line = i + 2;
            let code = rec.get(code_col).unwrap_or("").trim();
            if code.is_empty() {
                continue;
            }
            if !(code.len() <= 5 && code.chars().all(|c| c.is_ascii_alphanumeric())) {
                warnings.push(format!("{name}, line {line}: code INSEE {code:?} is not one, row ignored"));
                continue;
            }
            rows += 1;
            let key = format!("COM-{code:0>5}");
            for (id, c) in &cols {
                let Some(c) = c else { continue };
                match number(rec.get(*c).unwrap_or("")) {
                    Ok(Some(v)) => {
                        let values = out.dgf_parts.entry(key.clone()).or_default();
                        values.retain(|x| !(x.part == *id && x.year == *year));
                        values.push(DgfValue { part: (*id).to_owned(), year: *year, value: v });
                    }
                    Ok(None) => {}
                    Err(m) => warnings.push(format!("{name}, line {line}: {m}, left empty")),
                }
            }
        }
        if rows == 0 {
            return Err(IngestError::Invalid { file: name.clone(), message: "no data rows".into() });
        }
    }
    for v in out.dgf_parts.values_mut() {
        v.sort_by(|a, b| a.part.cmp(&b.part).then(a.year.cmp(&b.year)));
    }
    Ok(warnings)
}

/// The DGCL criteria source, for the credits.
pub fn dgf_source(origin: &str, years: &str) -> SourceInfo {
    SourceInfo {
        id: "dgf-criteres".into(),
        producer: "Direction générale des collectivités locales (DGCL)".into(),
        title: "Critères de répartition des dotations (DGF des communes)".into(),
        url: "http://www.dotations-dgcl.interieur.gouv.fr/consultation/criteres_repartition.php".into(),
        licence: "Licence Ouverte 2.0".into(),
        millesime: years.to_owned(),
        origin: origin.to_owned(),
    }
}

/// The OFGL and DETR/DSIL sources, for the credits.
pub fn sources(ofgl: Option<&str>, grants: Option<&str>, years: &str) -> (Option<SourceInfo>, Option<SourceInfo>) {
    (
        ofgl.map(|o| SourceInfo {
            id: "ofgl".into(),
            producer: "Observatoire des finances et de la gestion publique locales (OFGL)".into(),
            title: "Comptes consolidés des collectivités (budgets principaux et annexes)".into(),
            url: "https://data.ofgl.fr/".into(),
            licence: "Licence Ouverte 2.0".into(),
            millesime: years.to_owned(),
            origin: o.to_owned(),
        }),
        grants.map(|g| SourceInfo {
            id: "detr-dsil".into(),
            producer: "Direction générale des collectivités locales (DGCL)".into(),
            title: "Projets subventionnés par la DETR et la DSIL".into(),
            url: "https://www.data.gouv.fr/".into(),
            licence: "Licence Ouverte 2.0".into(),
            millesime: String::new(),
            origin: g.to_owned(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        assert_eq!(number("0,33"), Ok(Some(0.33)));
        assert_eq!(number("1 234,5"), Ok(Some(1234.5)));
        assert_eq!(number("1.234,5"), Ok(Some(1234.5)));
        assert_eq!(number("438926.83"), Ok(Some(438926.83)));
        assert_eq!(number(" "), Ok(None));
        assert!(number("n/a").is_err());
    }
}
