//! Zonages and ANCT programmes per commune and EPCI, as the ANCT
//! cartography service publishes them:
//! - `densite.csv`, `montagne.csv`, `ruralite.csv`, `centralite.csv`
//!   (UTF-8 with BOM, `,`, header `insee_com,lib_com,niveau_<name>`; labels
//!   may carry an `NN - ` prefix or a leading space, both removed);
//! - `centroide-4326_qpv.geojson`: one feature per commune with at least one
//!   QPV, `code_qp` and `lib_qp` as `, `-joined lists;
//! - the programme files `acv_geom`, `acv2_geom`, `pvd_geom`, `va_geom`,
//!   `ti_geom` (`.geojson`): one feature per programme territory, members in
//!   `liste_geo` as `Nom (code)` separated by `; ` (INSEE codes, or EPCI
//!   SIRENs for Territoires d'industrie).

use std::collections::BTreeMap;

use serde::Deserialize;

use oc_model::zonage::{CommuneZonages, Membership, Programme, Qpv, ZonageData};

use crate::table::Table;
use crate::IngestError;

/// The zonage files, in [`ZonageFiles::NAMES`] order.
#[derive(Debug, Clone, Default)]
pub struct ZonageFiles {
    pub densite: Vec<u8>,
    pub montagne: Vec<u8>,
    pub ruralite: Vec<u8>,
    pub centralite: Vec<u8>,
    pub qpv: Vec<u8>,
}

impl ZonageFiles {
    pub const NAMES: [&'static str; 5] =
        ["densite.csv", "montagne.csv", "ruralite.csv", "centralite.csv", "centroide-4326_qpv.geojson"];
}

/// The programme files, in [`ProgrammeFiles::NAMES`] order.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeFiles {
    pub files: Vec<Vec<u8>>,
}

impl ProgrammeFiles {
    pub const NAMES: [&'static str; 5] =
        ["acv_geom.geojson", "acv2_geom.geojson", "pvd_geom.geojson", "va_geom.geojson", "ti_geom.geojson"];
    /// The programme of each file of [`ProgrammeFiles::NAMES`].
    pub const PROGRAMMES: [Programme; 5] = [
        Programme::ActionCoeurDeVille,
        Programme::ActionCoeurDeVille2,
        Programme::PetitesVillesDeDemain,
        Programme::VillagesDAvenir,
        Programme::TerritoiresDIndustrie,
    ];
}

/// A label as shown: without the Observatoire's `NN - ` prefix and spaces;
/// `None` for the "undefined" placeholder.
pub fn clean_label(raw: &str) -> Option<String> {
    let s = raw.trim();
    let b = s.as_bytes();
    let s = if b.len() > 5 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && s[2..].starts_with(" - ") {
        &s[5..]
    } else {
        s.strip_prefix("- ").unwrap_or(s)
    };
    let s = s.trim();
    (!s.is_empty() && !s.eq_ignore_ascii_case("undefined") && !s.starts_with("null")).then(|| s.to_owned())
}

/// A 5-character INSEE commune code (`01001`, `2A004`, `97411`).
pub fn is_insee_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && (b[1].is_ascii_digit() || b[1] == b'A' || b[1] == b'B')
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// A 9-digit SIREN.
pub fn is_siren(s: &str) -> bool {
    s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The codes of a `liste_geo` text (`Agen (47001); Boé (47031)`): every
/// parenthesised INSEE code or SIREN, in order.
pub fn liste_geo_codes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        match after.find(')') {
            Some(close) => {
                let inner = &after[..close];
                if is_insee_code(inner) || is_siren(inner) {
                    out.push(inner.to_owned());
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

#[derive(Deserialize)]
struct Collection<P> {
    features: Vec<Feature<P>>,
}

#[derive(Deserialize)]
struct Feature<P> {
    properties: P,
    // Geometries are not read (points and polygons of the ANCT map).
    #[serde(default)]
    #[allow(dead_code)]
    geometry: serde::de::IgnoredAny,
}

#[derive(Deserialize)]
struct QpvProps {
    insee_com: Option<String>,
    code_qp: Option<String>,
    lib_qp: Option<String>,
}

#[derive(Deserialize)]
struct ProgrammeProps {
    id_territoire: Option<String>,
    lib_territoire: Option<String>,
    #[serde(default)]
    date_signature: Option<String>,
    liste_geo: Option<String>,
}

fn geojson<P: for<'de> Deserialize<'de>>(file: &str, bytes: &[u8]) -> Result<Vec<Feature<P>>, IngestError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let c: Collection<P> = serde_json::from_slice(bytes).map_err(|e| IngestError::Parse {
        file: file.to_owned(),
        line: e.line() as u64,
        message: format!("not a GeoJSON FeatureCollection of the expected properties: {e}"),
    })?;
    if c.features.is_empty() {
        return Err(IngestError::Invalid { file: file.to_owned(), message: "no feature".into() });
    }
    Ok(c.features)
}

/// Parses the zonage files; `prefix` names them in messages.
pub fn parse_zonages(
    files: &ZonageFiles,
    prefix: &str,
) -> Result<(BTreeMap<String, CommuneZonages>, Vec<String>), IngestError> {
    let mut out: BTreeMap<String, CommuneZonages> = BTreeMap::new();
    let mut warnings = Vec::new();
    type Set = fn(&mut CommuneZonages, Option<String>);
    let grids: [(&str, &[u8], &str, Set); 4] = [
        ("densite.csv", &files.densite, "niveau_densite", |z, v| z.densite = v),
        ("montagne.csv", &files.montagne, "niveau_montagne", |z, v| z.massif = v),
        ("ruralite.csv", &files.ruralite, "niveau_ruralite", |z, v| z.ruralite = v),
        ("centralite.csv", &files.centralite, "niveau_centralite", |z, v| z.centralite = v),
    ];
    for (name, bytes, column, set) in grids {
        let file = format!("{prefix}{name}");
        let table = Table::parse(&file, bytes, &["insee_com", column])?;
        for row in table.rows() {
            let code = row.req("insee_com")?.trim();
            if !is_insee_code(code) {
                warnings.push(row.warning(&format!("{code:?} is not an INSEE commune code, ignored")));
                continue;
            }
            let label = row.get(column).and_then(clean_label);
            set(out.entry(code.to_owned()).or_default(), label);
        }
    }
    let file = format!("{prefix}{}", ZonageFiles::NAMES[4]);
    for (i, f) in geojson::<QpvProps>(&file, &files.qpv)?.into_iter().enumerate() {
        let p = f.properties;
        let Some(code) = p.insee_com.filter(|c| is_insee_code(c)) else {
            warnings.push(format!("{file}: feature {} has no INSEE code, ignored", i + 1));
            continue;
        };
        let codes: Vec<&str> = p.code_qp.as_deref().unwrap_or("").split(", ").filter(|s| !s.is_empty()).collect();
        let names: Vec<&str> = p.lib_qp.as_deref().unwrap_or("").split(", ").collect();
        // Names may hold ", " themselves: pair them only when the counts agree.
        let paired = names.len() == codes.len();
        let z = out.entry(code).or_default();
        for (k, c) in codes.iter().enumerate() {
            let name = if paired { names[k].trim().to_owned() } else { String::new() };
            z.qpv.push(Qpv { code: (*c).trim().to_owned(), name });
        }
        if !paired && !codes.is_empty() {
            warnings.push(format!("{file}: feature {}: QPV names do not pair with their codes, names left out", i + 1));
        }
    }
    Ok((out, warnings))
}

/// Programme memberships by INSEE code or SIREN.
pub type Memberships = BTreeMap<String, Vec<Membership>>;

/// Parses the programme files (in [`ProgrammeFiles::NAMES`] order).
pub fn parse_programmes(files: &ProgrammeFiles, prefix: &str) -> Result<(Memberships, Vec<String>), IngestError> {
    let mut out: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
    let warnings = Vec::new();
    for ((name, programme), bytes) in ProgrammeFiles::NAMES.iter().zip(ProgrammeFiles::PROGRAMMES).zip(&files.files) {
        let file = format!("{prefix}{name}");
        for (i, f) in geojson::<ProgrammeProps>(&file, bytes)?.into_iter().enumerate() {
            let p = f.properties;
            let codes = liste_geo_codes(p.liste_geo.as_deref().unwrap_or(""));
            let wanted = |c: &String| if programme.for_epci() { is_siren(c) } else { is_insee_code(c) };
            if !codes.iter().any(wanted) {
                return Err(IngestError::Invalid {
                    file,
                    message: format!("feature {}: no member code in liste_geo {:?}", i + 1, p.liste_geo),
                });
            }
            let m = Membership {
                programme,
                territoire: p.id_territoire.unwrap_or_default(),
                name: p.lib_territoire.unwrap_or_default().trim().to_owned(),
                signed: p.date_signature.filter(|d| d.len() >= 10 && d.as_bytes()[4] == b'-'),
            };
            for c in codes.into_iter().filter(|c| wanted(c)) {
                let list = out.entry(c).or_default();
                if !list.iter().any(|x| x.programme == m.programme && x.territoire == m.territoire) {
                    list.push(m.clone());
                }
            }
        }
    }
    Ok((out, warnings))
}

/// Builds the zonage data from what was read; the callers set the credits.
pub fn zonage_data(
    communes: BTreeMap<String, CommuneZonages>,
    memberships: BTreeMap<String, Vec<Membership>>,
) -> ZonageData {
    ZonageData { zonages_source: None, programmes_source: None, communes, memberships }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_their_prefix_and_placeholders() {
        assert_eq!(clean_label("02 - Massif du Jura").as_deref(), Some("Massif du Jura"));
        assert_eq!(
            clean_label(" Les ruralités résidentielles aisées").as_deref(),
            Some("Les ruralités résidentielles aisées")
        );
        assert_eq!(clean_label(" - undefined"), None);
        assert_eq!(clean_label("Bourgs ruraux").as_deref(), Some("Bourgs ruraux"));
    }

    #[test]
    fn liste_geo_keeps_codes_only() {
        assert_eq!(
            liste_geo_codes("CA du Nord Basse-Terre (249710062); CA Grand Sud Caraïbe (249710070)"),
            ["249710062", "249710070"]
        );
        assert_eq!(liste_geo_codes("Ajaccio (2A004)"), ["2A004"]);
        assert_eq!(liste_geo_codes("Saint-Denis (La Réunion) (97411)"), ["97411"]);
    }
}
