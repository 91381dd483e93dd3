//! Insee indicators per commune (`communes.csv`: one row per commune ×
//! postal code, de-duplicated on `insee_com`) and the areas of départements
//! and régions (`departements.csv`, `regions.csv`), as published.

use oc_model::{InseeCommune, InseeData, SourceInfo};

use crate::table::{Row, Table};
use crate::IngestError;

/// The raw bytes of the three files.
#[derive(Debug, Clone)]
pub struct InseeFiles {
    pub communes: Vec<u8>,
    pub departements: Vec<u8>,
    pub regions: Vec<u8>,
}

impl InseeFiles {
    pub const NAMES: [&'static str; 3] = ["communes.csv", "departements.csv", "regions.csv"];
}

fn num<T: std::str::FromStr>(row: &Row<'_>, col: &str, warnings: &mut Vec<String>) -> Option<T> {
    let v = row.get(col)?;
    match v.trim().replace(',', ".").parse::<T>() {
        Ok(n) => Some(n),
        Err(_) => {
            warnings.push(row.warning(&format!("{col}: {v:?} is not a number, ignored")));
            None
        }
    }
}

/// Parses the files; `prefix` names them in messages.
pub fn parse_insee(files: &InseeFiles, prefix: &str, origin: &str) -> Result<(InseeData, Vec<String>), IngestError> {
    let name = |n: &str| format!("{prefix}{n}");
    let mut warnings = Vec::new();
    let mut out = InseeData {
        source: Some(SourceInfo::registered("insee-rp", "RP 2021, état civil 2022, géographie 2024", origin)),
        ..InseeData::default()
    };
    let t = Table::parse(
        &name("communes.csv"),
        &files.communes,
        &[
            "insee_com",
            "superficie_km2",
            "population_2021",
            "population_2015",
            "menages_2021",
            "naissances_2022",
            "deces_2022",
            "pop_15_64_totale_2021",
            "pop_15_64_chomage_2021",
            "pop_15_64_active_2021",
        ],
    )?;
    for row in t.rows() {
        let code = row.req("insee_com")?;
        if out.communes.contains_key(code) {
            continue; // one row per postal code: the values repeat
        }
        let w = &mut warnings;
        let c = InseeCommune {
            superficie_km2: num(&row, "superficie_km2", w),
            population_2015: num(&row, "population_2015", w),
            population_2021: num(&row, "population_2021", w),
            menages_2021: num(&row, "menages_2021", w),
            naissances_2022: num(&row, "naissances_2022", w),
            deces_2022: num(&row, "deces_2022", w),
            pop_15_64_2021: num(&row, "pop_15_64_totale_2021", w),
            actifs_15_64_2021: num(&row, "pop_15_64_active_2021", w),
            chomeurs_15_64_2021: num(&row, "pop_15_64_chomage_2021", w),
        };
        out.communes.insert(code.to_owned(), c);
    }
    let t = Table::parse(&name("departements.csv"), &files.departements, &["insee_dep", "aire"])?;
    for row in t.rows() {
        if let Some(a) = num::<f64>(&row, "aire", &mut warnings) {
            out.departements_km2.insert(row.req("insee_dep")?.to_owned(), a);
        }
    }
    let t = Table::parse(&name("regions.csv"), &files.regions, &["insee_reg", "aire"])?;
    for row in t.rows() {
        if let Some(a) = num::<f64>(&row, "aire", &mut warnings) {
            out.regions_km2.insert(row.req("insee_reg")?.to_owned(), a);
        }
    }
    Ok((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupes_on_insee_com_and_reports_bad_numbers() {
        let communes = b"insee_com,superficie_km2,population_2021,population_2015,menages_2021,naissances_2022,deces_2022,pop_15_64_totale_2021,pop_15_64_chomage_2021,pop_15_64_active_2021\n\
01001,15.95,832,767,341,8,5,508,27,417\n01001,15.95,832,767,341,8,5,508,27,417\n01002,x,267,241,115,4,1,163,2,130\n";
        let files = InseeFiles {
            communes: communes.to_vec(),
            departements: b"insee_dep,aire\n01,5785.0\n".to_vec(),
            regions: b"insee_reg,aire\n84,69711\n".to_vec(),
        };
        let (d, w) = parse_insee(&files, "t/", "test").unwrap();
        assert_eq!(d.communes.len(), 2);
        assert_eq!(d.communes["01001"].population_2021, Some(832));
        assert_eq!(d.communes["01002"].superficie_km2, None);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("t/communes.csv, line 4"), "{w:?}");
        assert_eq!(d.departements_km2["01"], 5785.0);
    }
}
