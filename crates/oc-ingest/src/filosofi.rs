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

/// The Filosofi CSV of the communes from Insee's zip as published
/// (`base-cc-filosofi-2021-geo2024_csv.zip`): the member named `member`,
/// or else the CSV whose name ends in `_COM.csv` (not its `meta_` labels). Bytes that are not a
/// zip are given back as they are (the CSV itself).
pub fn csv_from_zip(file: &str, bytes: Vec<u8>, member: Option<&str>) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(bytes);
    }
    let invalid = |message: String| IngestError::Invalid { file: file.to_owned(), message };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(format!("not a readable zip archive: {e}")))?;
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(format!("not a readable zip archive: {e}")))?;
    let wanted = match member {
        Some(m) => names.iter().find(|n| n.as_str() == m || n.rsplit('/').next() == Some(m)),
        // Insee's zips also hold `meta_…_COM.csv`, the variables' labels.
        None => names.iter().find(|n| {
            let base = n.rsplit('/').next().unwrap_or(n).to_ascii_lowercase();
            base.ends_with("_com.csv") && !base.starts_with("meta")
        }),
    }
    .cloned()
    .ok_or_else(|| invalid(format!("no {} in the archive (it holds {names:?})", member.unwrap_or("…_COM.csv file"))))?;
    let mut entry = zip.by_name(&wanted).map_err(|e| invalid(format!("{wanted}: {e}")))?;
    let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(256 << 20));
    entry.by_ref().take(256 << 20).read_to_end(&mut out).map_err(|e| invalid(format!("{wanted}: {e}")))?;
    Ok(out)
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
