//! Local finances as published:
//! - the OFGL consolidated accounts (`ofgl-base-communes-consolidee`,
//!   `-epci`, `-departements`, `-regions`: `;`-separated, one row per
//!   exercice × collectivité × agrégat; the national exports have the same
//!   columns), keyed by the collectivité's 2024 code;
//! - the DETR/DSIL projects of the State (`Projets_DI_YYYY.csv`:
//!   `;`-separated, decimal comma, multi-line quoted descriptions).

use std::collections::{BTreeMap, HashMap, HashSet};

use oc_model::finance::{AccountValue, DgfValue, FinanceData, Project, DGF_PARTS, INDICATORS};
use oc_model::{KindGroup, SourceInfo, TerritoryKey};

use crate::table::{xlsx_text, Table};
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

const OFGL_REQUIRED: [&str; 6] =
    ["Exercice", "Catégorie", "Code Siren Collectivité", "Agrégat", "Montant", "Population totale"];

/// The columns [`OfglLoader`] reads, by position in the file's header.
struct OfglColumns {
    exercice: usize,
    categorie: usize,
    siren: usize,
    agregat: usize,
    montant: usize,
    population: usize,
    strate: Option<usize>,
    commune: Option<usize>,
    epci: Option<usize>,
    departement: Option<usize>,
    region: Option<usize>,
}

/// The most strata codes kept, and their longest length.
const MAX_STRATES: usize = 64;
const MAX_STRATE_LEN: usize = 16;

/// One (collectivité, agrégat, exercice) being summed.
struct OfglSum {
    amount: f64,
    population: u64,
    /// Index + 1 in [`OfglLoader::strates`]; 0 for none.
    strate: u16,
    /// The first collectivité (SIREN) added; others go to `OfglLoader::more`.
    siren: u64,
}

/// Reads OFGL files row by row (a national export, plain CSV as the
/// OpenDataSoft exports are, is never held in memory,
/// only the values kept: the rows of the [`INDICATORS`] agrégats), then
/// writes them into a [`FinanceData`]. Several former collectivités of a
/// current one are added up.
#[derive(Default)]
pub struct OfglLoader {
    /// Collectivité keys (`COM-31135`…), interned.
    keys: Vec<String>,
    key_ids: HashMap<String, u32>,
    strates: Vec<oc_model::finance::Interned>,
    strate_ids: HashMap<String, u16>,
    /// (key, indicator index, exercice) → sum.
    sums: HashMap<(u32, u8, u16), OfglSum>,
    /// Further SIRENs seen for a sum, so that each population counts once.
    more: HashSet<(u32, u8, u16, u64)>,
    warnings: Vec<String>,
    /// Rows read, over all files.
    pub rows: u64,
}

impl OfglLoader {
    /// Reads one file (`;`-separated, UTF-8 with or without BOM).
    pub fn read(&mut self, name: &str, reader: impl std::io::Read) -> Result<(), IngestError> {
        let csv_err = |e: csv::Error| IngestError::Parse {
            file: name.to_owned(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(false)
            .from_reader(std::io::BufReader::with_capacity(1 << 20, reader));
        let headers: Vec<String> = rdr
            .byte_headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let find = |c: &str| headers.iter().position(|h| h == c);
        for r in OFGL_REQUIRED {
            if find(r).is_none() {
                return Err(IngestError::Parse {
                    file: name.to_owned(),
                    line: 1,
                    message: format!("missing column {r:?} (header has {headers:?})"),
                });
            }
        }
        let req = |c: &str| find(c).unwrap_or_default();
        let cols = OfglColumns {
            exercice: req("Exercice"),
            categorie: req("Catégorie"),
            siren: req("Code Siren Collectivité"),
            agregat: req("Agrégat"),
            montant: req("Montant"),
            population: req("Population totale"),
            strate: find("Strate population 2024"),
            commune: find("Code Insee 2024 Commune"),
            epci: find("Code Siren 2024 EPCI"),
            departement: find("Code Insee 2024 Département"),
            region: find("Code Insee 2024 Région"),
        };
        let wanted: HashMap<&[u8], u8> =
            INDICATORS.iter().enumerate().map(|(i, (_, agregat, _))| (agregat.as_bytes(), i as u8)).collect();
        let mut skipped_categories: BTreeMap<String, usize> = BTreeMap::new();
        let mut rec = csv::ByteRecord::new();
        let mut rows = 0u64;
        let mut odd_strates = 0u64;
        while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            rows += 1;
            let line = rec.position().map_or(0, |p| p.line());
            // `\N` (a database's null) is an empty value.
            let field = |i: usize| {
                std::str::from_utf8(rec.get(i).unwrap_or_default())
                    .map(|v| if v.trim() == "\\N" { "" } else { v.trim() })
            };
            let error = |message: String| IngestError::Parse { file: name.to_owned(), line, message };
            let warning = |message: &str| format!("{name}, line {line}: {message}");
            // The agrégat first: most rows of a national file are others.
            let Some(&indicator) = wanted.get(rec.get(cols.agregat).unwrap_or_default().trim_ascii()) else { continue };
            let text = |i: usize, col: &str| field(i).map_err(|_| error(format!("{col}: not UTF-8 text")));
            let category = text(cols.categorie, "Catégorie")?;
            let (group, col, idx) = match category {
                "Commune" => (KindGroup::Commune, "Code Insee 2024 Commune", cols.commune),
                "GFP" => (KindGroup::Epci, "Code Siren 2024 EPCI", cols.epci),
                "DEPT" => (KindGroup::Departement, "Code Insee 2024 Département", cols.departement),
                // Collectivités territoriales uniques report at both
                // levels; the région's row is the one kept.
                "REG" | "CTU" => (KindGroup::Region, "Code Insee 2024 Région", cols.region),
                other => {
                    *skipped_categories.entry(other.to_owned()).or_default() += 1;
                    continue;
                }
            };
            let code = match idx {
                Some(i) => text(i, col)?,
                None => "",
            };
            if code.is_empty() {
                return Err(error(format!("{col}: missing for a {category} row")));
            }
            let year: u16 =
                text(cols.exercice, "Exercice")?.parse().ok().filter(|y| (1990..=2100).contains(y)).ok_or_else(
                    || error(format!("Exercice: {:?} is not a year", field(cols.exercice).unwrap_or(""))),
                )?;
            let amount = match number(text(cols.montant, "Montant")?) {
                Ok(Some(a)) => a,
                Ok(None) => continue, // not published for this collectivité
                Err(m) => {
                    self.warnings.push(warning(&format!("Montant: {m}, row ignored")));
                    continue;
                }
            };
            let population = match number(text(cols.population, "Population totale")?) {
                Ok(p) => p.filter(|p| *p >= 0.0).map(|p| p.round() as u64),
                Err(m) => {
                    self.warnings.push(warning(&format!("Population totale: {m}, ignored")));
                    None
                }
            };
            // A commune code that lost its leading zero in a spreadsheet.
            let code =
                if group == KindGroup::Commune && code.len() == 4 { format!("0{code}") } else { code.to_owned() };
            let key = TerritoryKey::new(group, code).to_string();
            let key = match self.key_ids.get(&key) {
                Some(k) => *k,
                None => {
                    let k = self.keys.len() as u32;
                    self.keys.push(key.clone());
                    self.key_ids.insert(key, k);
                    k
                }
            };
            let siren = siren_number(text(cols.siren, "Code Siren Collectivité")?);
            // OFGL strata are short codes, a dozen or so: anything else is
            // counted and left without a stratum (each code is kept for the
            // life of the process).
            let strate = match cols.strate.map(field) {
                Some(Ok(s)) if !s.is_empty() => match self.strate_ids.get(s) {
                    Some(i) => *i,
                    None if s.chars().count() <= MAX_STRATE_LEN && self.strates.len() < MAX_STRATES => {
                        self.strates.push(oc_model::finance::Interned::new(s));
                        let i = self.strates.len() as u16;
                        self.strate_ids.insert(s.to_owned(), i);
                        i
                    }
                    None => {
                        odd_strates += 1;
                        0
                    }
                },
                _ => 0,
            };
            let entry = (key, indicator, year);
            match self.sums.get_mut(&entry) {
                None => {
                    self.sums.insert(entry, OfglSum { amount, population: population.unwrap_or(0), strate, siren });
                }
                Some(e) => {
                    e.amount += amount;
                    if e.siren != siren && self.more.insert((key, indicator, year, siren)) {
                        e.population += population.unwrap_or(0);
                    }
                    if e.strate == 0 {
                        e.strate = strate;
                    }
                }
            }
        }
        if rows == 0 {
            return Err(IngestError::Invalid { file: name.to_owned(), message: "no data rows".into() });
        }
        self.rows += rows;
        if odd_strates > 0 {
            self.warnings.push(format!(
                "{name}: {odd_strates} rows with a \"Strate population 2024\" that is not a \
                stratum code (more than {MAX_STRATE_LEN} characters, or more than {MAX_STRATES} codes): left without \
                a stratum average"
            ));
        }
        for (cat, n) in skipped_categories {
            self.warnings.push(format!(
                "{name}: {n} rows of category {cat:?} left out (not a commune, EPCI, département or région)"
            ));
        }
        Ok(())
    }

    /// Reads one file from disk, streaming (XZ-compressed files are
    /// decompressed in memory first).
    pub fn read_path(&mut self, name: &str, path: &std::path::Path) -> Result<(), IngestError> {
        use std::io::Read;
        let io = |e: std::io::Error| IngestError::Fetch { file: name.to_owned(), message: e.to_string() };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut magic = [0u8; 6];
        let n = file.read(&mut magic).map_err(io)?;
        if magic[..n] == *crate::table::XZ_MAGIC {
            let bytes = std::fs::read(path).map_err(io)?;
            let data = crate::table::decompress(name, &bytes)?;
            return self.read(name, &data[..]);
        }
        self.read(name, std::io::Cursor::new(&magic[..n]).chain(file))
    }

    /// Writes the values read into `out` (replacing the same agrégat and
    /// exercice of a collectivité), computes stratum sums; returns warnings.
    pub fn finish(self, out: &mut FinanceData) -> Vec<String> {
        // Each collectivité's values are sorted below.
        for ((key, indicator, year), s) in self.sums {
            let indicator = INDICATORS[indicator as usize].0;
            let values = out.accounts.entry(self.keys[key as usize].clone()).or_default();
            values.retain(|v| !(v.indicator == indicator && v.year == year));
            // To the cent: sums of published amounts, without float noise.
            let amount = (s.amount * 100.0).round() / 100.0;
            let strate = (s.strate > 0).then(|| self.strates[s.strate as usize - 1]);
            values.push(AccountValue {
                indicator: oc_model::finance::Interned::new(indicator),
                year,
                amount,
                population: (s.population > 0).then_some(s.population),
                strate,
            });
        }
        for values in out.accounts.values_mut() {
            values.sort_by(|a, b| a.indicator.cmp(&b.indicator).then(a.year.cmp(&b.year)));
        }
        out.compute_strata();
        self.warnings
    }
}

/// A SIREN as a number (other identifiers hashed), to tell collectivités apart.
fn siren_number(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        s.hash(&mut h);
        h.finish() | (1 << 63)
    })
}

/// Parses OFGL files (any level, any number of exercices) into `out`;
/// returns warnings. See [`OfglLoader`], which reads files from disk.
pub fn parse_ofgl(files: &[(String, Vec<u8>)], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    let mut loader = OfglLoader::default();
    for (name, bytes) in files {
        let data = crate::table::decompress(name, bytes)?;
        loader.read(name, &data[..])?;
    }
    Ok(loader.finish(out))
}

const GRANTS_REQUIRED: [&str; 9] =
    ["IDENTIFIANT", "DOT", "ECHELON", "INSEECOM", "INSEEEPCI", "CATGEORIE", "DESCRIPTION", "COUT", "SUBVENTION"];

/// Parses DETR/DSIL project files into `out` (communes and EPCI; other
/// beneficiaries are counted in a warning); returns warnings.
pub fn parse_grants(files: &[(String, Vec<u8>)], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    let mut warnings = Vec::new();
    for (name, bytes) in files {
        if bytes.starts_with(b"PK\x03\x04") {
            warnings.append(&mut parse_grants_xlsx(name, bytes, out)?);
            continue;
        }
        let t = Table::parse_with(name, bytes, b';', &GRANTS_REQUIRED)?;
        let mut others: BTreeMap<String, usize> = BTreeMap::new();
        for row in t.rows() {
            let id = row.req("IDENTIFIANT")?.trim().to_owned();
            let Some(year) = id.get(..4).and_then(|y| y.parse::<u16>().ok()).filter(|y| (2000..=2100).contains(y))
            else {
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
                    TerritoryKey::new(KindGroup::Commune, format!("{c:0>5}")).to_string()
                }
                "EPCI" => {
                    let e = row.get("INSEEEPCI").unwrap_or("").trim();
                    if e.len() != 9 {
                        warnings.push(row.warning(&format!("INSEEEPCI {e:?} is not a SIREN, row ignored")));
                        continue;
                    }
                    TerritoryKey::new(KindGroup::Epci, e).to_string()
                }
                "Syndicat" => {
                    let siren = row.get("CODGEO").unwrap_or("").trim();
                    let siren = format!("{siren:0>9}");
                    if let Some(name) = row.get("BENEFICIAIRE").map(str::trim).filter(|n| !n.is_empty()) {
                        if crate::zonage::is_siren(&siren) {
                            out.beneficiary_names.entry(siren).or_insert_with(|| name.to_owned());
                        }
                    }
                    *others.entry("Syndicat".to_owned()).or_default() += 1;
                    continue;
                }
                other => {
                    *others
                        .entry(if other.is_empty() { "(vide)".to_owned() } else { other.to_owned() })
                        .or_default() += 1;
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
            warnings.push(format!(
                "{name}: {n} projects of {e} beneficiaries left out (only communes and EPCI have fiches)"
            ));
        }
    }
    for p in out.projects.values_mut() {
        p.sort_by(|a, b| {
            b.year.cmp(&a.year).then_with(|| b.subsidy.unwrap_or(0.0).total_cmp(&a.subsidy.unwrap_or(0.0)))
        });
        p.dedup_by(|a, b| a.id == b.id);
    }
    Ok(warnings)
}

/// The columns of the 2019 layout (ANCT's XLSX of the DGCL data, sheet
/// `Projets_dotations_investissement_YYYY`).
const GRANTS_XLSX_REQUIRED: [&str; 9] = [
    "id_projet",
    "id_terr",
    "dotation",
    "echelon",
    "categorie",
    "description",
    "cout_total",
    "montant_sub",
    "nom_terr",
];

/// A cell as a number: a number cell, or text read as a French number.
fn xlsx_number(c: &calamine::Data) -> Result<Option<f64>, String> {
    match c {
        calamine::Data::Float(f) => Ok(Some(*f)),
        calamine::Data::Int(i) => Ok(Some(*i as f64)),
        calamine::Data::Empty => Ok(None),
        other => number(&other.to_string()),
    }
}

/// Parses a DETR/DSIL/DSID project workbook of the 2019 layout: one row per
/// project, beneficiaries `commune` (INSEE code), `epci` (SIREN) and
/// `conseil_departemental` (département code); the year is read from the
/// project ids (`di19_…`).
pub fn parse_grants_xlsx(name: &str, bytes: &[u8], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    use calamine::Reader;
    let invalid = |message: String| IngestError::Invalid { file: name.to_owned(), message };
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(format!("not a readable XLSX workbook: {e}")))?;
    let mut warnings = Vec::new();
    let sheets = wb.sheet_names();
    let mut found = false;
    for sheet in sheets {
        let range = wb.worksheet_range(&sheet).map_err(|e| invalid(format!("sheet {sheet:?}: {e}")))?;
        let mut rows = range.rows();
        let Some(header) = rows.next() else { continue };
        let header: Vec<String> = header.iter().map(xlsx_text).collect();
        let col = |n: &str| header.iter().position(|h| h == n);
        if col("id_projet").is_none() {
            continue;
        }
        if let Some(missing) = GRANTS_XLSX_REQUIRED.iter().find(|c| col(c).is_none()) {
            return Err(IngestError::Parse {
                file: format!("{name} [{sheet}]"),
                line: 1,
                message: format!("missing column {missing:?} (header has {header:?})"),
            });
        }
        found = true;
        let at = |n: &str| col(n).unwrap_or(0);
        let (id_c, terr_c, dot_c, ech_c, cat_c, desc_c, cost_c, sub_c) = (
            at("id_projet"),
            at("id_terr"),
            at("dotation"),
            at("echelon"),
            at("categorie"),
            at("description"),
            at("cout_total"),
            at("montant_sub"),
        );
        let mut others: BTreeMap<String, usize> = BTreeMap::new();
        for (i, row) in rows.enumerate() {
            let line = i + 2;
            let get = |c: usize| row.get(c).map(xlsx_text).unwrap_or_default();
            let id = get(id_c);
            if id.is_empty() {
                continue; // trailing empty rows of the sheet
            }
            let year = id
                .strip_prefix("di")
                .and_then(|r| r.get(..2))
                .and_then(|y| y.parse::<u16>().ok())
                .map(|y| 2000 + y)
                .or_else(|| sheet.rsplit('_').next().and_then(|y| y.parse().ok()));
            let Some(year) = year else {
                warnings.push(format!("{name} [{sheet}], line {line}: no year in id_projet {id:?}, row ignored"));
                continue;
            };
            let terr = get(terr_c);
            let key = match get(ech_c).as_str() {
                "commune" => TerritoryKey::new(KindGroup::Commune, format!("{terr:0>5}")).to_string(),
                "epci" if terr.len() == 9 => TerritoryKey::new(KindGroup::Epci, terr).to_string(),
                "conseil_departemental" => TerritoryKey::new(KindGroup::Departement, format!("{terr:0>2}")).to_string(),
                other => {
                    let what = if other.is_empty() { "(vide)" } else { other };
                    *others.entry(format!("{what} {terr}")).or_default() += 1;
                    continue;
                }
            };
            let mut num = |c: usize, what: &str| match row.get(c).map(xlsx_number).unwrap_or(Ok(None)) {
                Ok(v) => v,
                Err(m) => {
                    warnings.push(format!("{name} [{sheet}], line {line}: {what}: {m}, left empty"));
                    None
                }
            };
            let (cost, subsidy) = (num(cost_c, "cout_total"), num(sub_c, "montant_sub"));
            let clean = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let category = clean(get(cat_c));
            // `1 - Santé, sanitaire et social`: the number is the file's own order.
            let category = match category.split_once(" - ") {
                Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => rest.to_owned(),
                _ => category,
            };
            out.projects.entry(key).or_default().push(Project {
                id,
                year,
                dotation: get(dot_c),
                category,
                description: clean(get(desc_c)),
                cost,
                subsidy,
            });
        }
        for (e, n) in others {
            warnings.push(format!("{name} [{sheet}]: {n} projects of beneficiary {e} left out (no fiche)"));
        }
    }
    if !found {
        return Err(invalid("no sheet with an id_projet column: not a projects workbook of the 2019 layout".into()));
    }
    Ok(warnings)
}

/// The columns of the DGCL "critères de répartition" files of the DGF of
/// communes, as published: each value's names over the years (the 2023–2026
/// names checked against the column mappings of LexImpact's
/// `leximpact-dotations-back` 8.0.0, which reads the same files).
const DGF_CODE: [&str; 1] = ["Informations générales - Code INSEE de la commune"];
const DGF_COLUMNS: [(&str, &[&str]); 8] = [
    ("dotation_forfaitaire", &["Dotation forfaitaire - Dotation forfaitaire notifiée N"]),
    (
        "dsu",
        &[
            "Dotation de solidarité urbaine et de cohésion sociale - Montant total réparti",
            "Dotation de solidarité urbaine - Montant total réparti",
        ],
    ),
    (
        "dsr_bourg_centre",
        &[
            "Dotation de solidarité rurale - Fraction bourg-centre - Montant global réparti",
            "Dotation de solidarité rurale Bourg-centre - Montant global réparti",
        ],
    ),
    (
        "dsr_perequation",
        &[
            "Dotation de solidarité rurale - Fraction péréquation - Montant global réparti (après garantie CN)",
            "Dotation de solidarité rurale - Fraction péréquation - Montant global réparti",
            "Dotation de solidarité rurale - Péréquation - Montant global réparti (après garantie CN)",
        ],
    ),
    (
        "dsr_cible",
        &[
            "Dotation de solidarité rurale - Fraction cible - Montant global réparti",
            "Dotation de solidarité rurale - Cible - Montant global réparti",
        ],
    ),
    ("dnp", &["Dotation nationale de péréquation - DNP totale"]),
    (
        "population_dgf",
        &[
            "Informations générales - Population DGF de l'année N",
            "Informations générales - Population DGF Année N",
            "Informations générales - Population DGF de l'année N'",
            "Informations générales - Population DGF Année N'",
        ],
    ),
    (
        "potentiel_financier_hab",
        &[
            "Potentiel fiscal et financier des communes - Potentiel financier par habitant final",
            "Potentiel fiscal et financier des communes - Potentiel financier par habitant",
        ],
    ),
];

/// A column name compared loosely: case, spaces, apostrophes.
fn loose(s: &str) -> String {
    s.trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .replace(['’', '`'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses DGCL criteria files of the DGF of communes (one per year: the
/// files do not say their year, the configuration does) into `out`;
/// returns warnings. `;` or `,` separated, decimal commas.
pub fn parse_dgf(files: &[(u16, String, Vec<u8>)], out: &mut FinanceData) -> Result<Vec<String>, IngestError> {
    let mut warnings = Vec::new();
    for (year, name, bytes) in files {
        let text = crate::table::decompress(name, bytes)?;
        let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
        let delimiter = if first.iter().filter(|b| **b == b';').count() >= first.iter().filter(|b| **b == b',').count()
        {
            b';'
        } else {
            b','
        };
        let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(&text[..]);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| IngestError::Parse { file: name.clone(), line: 1, message: e.to_string() })?
            .iter()
            .map(loose)
            .collect();
        let find = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| *h == loose(n)));
        let Some(code_col) = find(&DGF_CODE) else {
            return Err(IngestError::Parse {
                file: name.clone(),
                line: 1,
                message: format!("missing column {:?}: is this a DGCL criteria file of communes?", DGF_CODE[0]),
            });
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
            let rec = rec.map_err(|e| IngestError::Parse {
                file: name.clone(),
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            })?;
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
            let key = TerritoryKey::new(KindGroup::Commune, format!("{code:0>5}")).to_string();
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
    SourceInfo::registered("dgf-criteres", years, origin)
}

/// The sorted distinct years of `years`.
fn distinct_years(years: impl Iterator<Item = u16>) -> Vec<u16> {
    let mut y: Vec<u16> = years.collect();
    y.sort_unstable();
    y.dedup();
    y
}

/// The OFGL source, for the credits: `origin` (the files read) and the
/// exercices of the accounts in `data` ("exercices 2016 à 2023").
pub fn ofgl_source(origin: &str, data: &FinanceData) -> SourceInfo {
    let years = distinct_years(data.accounts.values().flatten().map(|v| v.year));
    let vintage = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("exercices {a} à {b}"),
        (Some(a), _) => format!("exercice {a}"),
        _ => String::new(),
    };
    SourceInfo::registered("ofgl", vintage, origin)
}

/// The DETR/DSIL source, for the credits: `origin` and the years of the
/// projects in `data` ("2018, 2019").
pub fn grants_source(origin: &str, data: &FinanceData) -> SourceInfo {
    let years = distinct_years(data.projects.values().flatten().map(|p| p.year));
    SourceInfo::registered("detr-dsil", years.iter().map(u16::to_string).collect::<Vec<_>>().join(", "), origin)
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
