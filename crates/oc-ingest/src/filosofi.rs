//! Insee Filosofi, chiffres clés per commune (`cc_filosofi_{YYYY}_COM.csv`,
//! as published: `;`, decimal commas, `s` for statistical secrecy, `nd`
//! where nothing was computed). The
//! year is read from the header (`MED21` → 2021), so a later vintage loads
//! with the same code.

use std::collections::BTreeMap;

use oc_model::income::{Income, IncomeData, Published};

use crate::table::{Row, Table};
use crate::IngestError;

/// The columns of the income composition, without their year suffix.
const COMPOSITION: [&str; 11] =
    ["PACT", "PTSA", "PCHO", "PBEN", "PPEN", "PPAT", "PPSOC", "PPFAM", "PPMINI", "PPLOGT", "PIMPOT"];

/// The two-digit year of the file, from its `MED..` column.
fn year_suffix(bytes: &[u8]) -> Option<String> {
    let header = bytes.split(|b| *b == b'\n').next()?;
    let header = std::str::from_utf8(header).ok()?;
    header.trim_end_matches('\r').split(';').find_map(|c| {
        let y = c.strip_prefix("MED")?;
        (y.len() == 2 && y.bytes().all(|b| b.is_ascii_digit())).then(|| y.to_owned())
    })
}

/// A cell: `s` is secret, a number (decimal comma) its value; empty and
/// `nd` (not available: Insee computed nothing for the commune) none.
fn cell(row: &Row<'_>, col: &str, warnings: &mut Vec<String>) -> Option<Published> {
    let v = row.get(col)?.trim();
    match v {
        "s" => return Some(Published::Secret),
        "nd" => return None,
        _ => {}
    }
    match v.replace(',', ".").parse::<f64>() {
        Ok(n) if n.is_finite() => Some(Published::Value(n)),
        _ => {
            warnings.push(row.warning(&format!("{col}: {v:?} is neither a number nor \"s\", ignored")));
            None
        }
    }
}

/// Parses the file; `file` names it in messages.
pub fn parse_filosofi(file: &str, bytes: &[u8]) -> Result<(IncomeData, Vec<String>), IngestError> {
    let yy = year_suffix(bytes).ok_or_else(|| IngestError::Invalid {
        file: file.to_owned(),
        message: "no MEDyy column: not a Filosofi chiffres-clés file".into(),
    })?;
    let col = |c: &str| format!("{c}{yy}");
    let table = Table::parse_with(file, bytes, b';', &["CODGEO", &col("MED")])?;
    let mut warnings = Vec::new();
    let mut communes = BTreeMap::new();
    for row in table.rows() {
        let code = row.req("CODGEO")?.trim().to_owned();
        let mut w = |c: &str| cell(&row, &col(c), &mut warnings);
        let mut income = Income {
            households: w("NBMENFISC"),
            persons: w("NBPERSMENFISC"),
            median: w("MED"),
            taxed_share: w("PIMP"),
            poverty_rate: w("TP60"),
            d1: w("D1"),
            d9: w("D9"),
            decile_ratio: w("RD"),
            composition: BTreeMap::new(),
        };
        for c in COMPOSITION {
            if let Some(v) = cell(&row, &col(c), &mut warnings) {
                income.composition.insert(c.to_owned(), v);
            }
        }
        if communes.insert(code.clone(), income).is_some() {
            return Err(row.error(format!("commune {code} appears twice")));
        }
    }
    let year = 2000 + yy.parse::<u16>().unwrap_or(0);
    Ok((IncomeData { source: None, year, communes }, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;PIMP21;TP6021;TP60AGE121;TP60AGE221;TP60AGE321;\
        TP60AGE421;TP60AGE521;TP60AGE621;TP60TOL121;TP60TOL221;PACT21;PTSA21;PCHO21;PBEN21;PPEN21;PPAT21;PPSOC21;\
        PPFAM21;PPMINI21;PPLOGT21;PIMPOT21;D121;D921;RD21";

    #[test]
    fn secrecy_and_empty_cells_are_kept_apart() {
        // The published header, one commune code of the file, empty and
        // secret cells only: no figure is made up.
        let text = format!("{HEADER}\n01001;;;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;\n");
        let (d, w) = parse_filosofi("f.csv", text.as_bytes()).unwrap();
        assert_eq!(d.year, 2021);
        let c = &d.communes["01001"];
        assert_eq!(c.households, None);
        assert_eq!(c.median, Some(Published::Secret));
        assert_eq!(c.decile_ratio, None);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn a_file_without_its_median_column_is_refused() {
        let e = parse_filosofi("f.csv", b"CODGEO;X\n01001;1\n").unwrap_err().to_string();
        assert!(e.contains("MEDyy"), "{e}");
    }
}
