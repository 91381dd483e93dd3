//! OpenDataFrance's Observatoire open data des territoires (ODATER): the
//! organisations that publish open data, by SIREN. Read by column name,
//! so the official edition (`indicateurs-odater-organisations-….csv` on
//! data.gouv.fr), its five-column extracts and the observatory's own
//! exports (2021: types, département and région codes, dataset counts)
//! all load. Editions are given newest first: the newest lists the
//! publishers and their platforms; older ones add what it lacks (type,
//! counts of the same platform), each count with its edition.

use std::collections::{BTreeMap, HashMap};

use oc_model::opendata::{OpenDataData, Publisher};
use oc_model::{KindGroup, RefData, SourceInfo, TerritoryKey};

use crate::extras::File;
use crate::table::Table;
use crate::IngestError;

/// The first column of `names` the table has.
fn first<'a>(row: &crate::table::Row<'a>, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| row.get(n)).map(str::trim).filter(|v| !v.is_empty())
}

/// One organisation as an edition lists it.
#[derive(Debug, Clone, Default)]
struct Listed {
    publisher: Publisher,
    departement: Option<String>,
    region: Option<String>,
}

/// A web address as given, or none when it is not one.
fn address(v: Option<&str>) -> Option<String> {
    let v = v?.trim();
    (v.starts_with("https://") || v.starts_with("http://")).then(|| v.to_owned())
}

/// The organisation of a data.gouv.fr address (`…/organizations/<slug>/…`).
fn datagouv_slug(url: &str) -> Option<String> {
    let rest = url.split("/organizations/").nth(1)?;
    let slug: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    (!slug.is_empty()).then_some(slug)
}

fn is_datagouv(url: &str) -> bool {
    url.split('/').nth(2).is_some_and(|h| h == "www.data.gouv.fr" || h == "data.gouv.fr")
}

/// Reads one edition.
fn parse_edition(file: &File, vintage: &str) -> Result<(Vec<Listed>, Vec<String>), IngestError> {
    // The official edition may come `;`-separated, as French files often do.
    let head = file.bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if head.contains(&b';') && !head.contains(&b',') { b';' } else { b',' };
    let t = Table::parse_with(&file.name, &file.bytes, delimiter, &["siren", "nom"])?;
    let mut warnings = Vec::new();
    let mut out: Vec<Listed> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut bad_siren = 0usize;
    for row in t.rows() {
        // The 2022 file writes one SIREN after a left-to-right mark.
        let siren = row.req("siren")?.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{feff}')
        });
        if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
            bad_siren += 1;
            continue;
        }
        if let Some(i) = seen.get(siren) {
            warnings.push(row.warning(&format!(
                "SIREN {siren} listed again (« {} », already « {} »), first row kept",
                row.get("nom").unwrap_or_default(),
                out[*i].publisher.name
            )));
            continue;
        }
        let mut techno: Vec<String> = first(&row, &["techno_platform", "platform_clean"])
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let datagouv_techno = techno.iter().any(|s| s.eq_ignore_ascii_case("datagouv"));
        techno.retain(|s| !s.eq_ignore_ascii_case("datagouv"));
        let mut platform = address(first(&row, &["url_platform", "url_ptf", "url-website"]));
        let datagouv_url = address(first(&row, &["url_datagouv", "url-datagouv"]));
        let mut datagouv = first(&row, &["id_datagouv", "id-datagouv"]).map(str::to_owned);
        if let Some(p) = platform.as_deref().filter(|p| is_datagouv(p)) {
            datagouv = datagouv.or_else(|| datagouv_slug(p));
            platform = None;
        }
        if datagouv.is_none() {
            datagouv = datagouv_url.as_deref().and_then(datagouv_slug);
        }
        let count = |col: &str| first(&row, &[col]).and_then(|v| v.parse::<u32>().ok());
        let region = first(&row, &["regcode", "reg-code"])
            .map(|v| v.rsplit('-').next().unwrap_or(v).to_owned())
            .map(|v| if v.len() == 1 { format!("0{v}") } else { v });
        let p = Publisher {
            siren: siren.to_owned(),
            name: row.req("nom")?.trim().to_owned(),
            territory: None,
            kind: first(&row, &["type"]).filter(|k| k.bytes().all(|b| b.is_ascii_uppercase())).map(str::to_owned),
            platform,
            techno,
            platform_datasets: count("nb_ptf"),
            on_datagouv: datagouv.is_some() || datagouv_techno || datagouv_url.is_some(),
            datagouv,
            datagouv_datasets: count("nb_datagouv"),
            vintage: vintage.to_owned(),
            counts_vintage: None,
        };
        seen.insert(p.siren.clone(), out.len());
        out.push(Listed {
            publisher: p,
            departement: first(&row, &["depcode", "dep-code"]).map(str::to_owned),
            region,
        });
    }
    if bad_siren > 0 {
        warnings.push(format!("{}: {bad_siren} rows without a 9-digit SIREN, left out", file.name));
    }
    Ok((out, warnings))
}

/// The same address, trailing slash aside.
fn same_address(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Reads the editions (newest first, each with its vintage) and ties each
/// publisher to the collectivité its SIREN is in `data`.
pub fn parse_opendata(editions: &[(File, String)], data: &RefData) -> Result<(OpenDataData, Vec<String>), IngestError> {
    let mut warnings = Vec::new();
    let mut merged: BTreeMap<String, Listed> = BTreeMap::new();
    for (i, (file, vintage)) in editions.iter().enumerate() {
        let (rows, mut w) = parse_edition(file, vintage)?;
        warnings.append(&mut w);
        for older in rows {
            let Some(cur) = merged.get_mut(&older.publisher.siren) else {
                merged.insert(older.publisher.siren.clone(), older);
                continue;
            };
            debug_assert!(i > 0);
            let (p, o) = (&mut cur.publisher, &older.publisher);
            p.kind = p.kind.take().or_else(|| o.kind.clone());
            cur.departement = cur.departement.take().or(older.departement);
            cur.region = cur.region.take().or(older.region);
            // A count is the older edition's only for the same platform.
            let mut counted = false;
            if p.platform_datasets.is_none() {
                if let (Some(a), Some(b), Some(n)) = (&p.platform, &o.platform, o.platform_datasets) {
                    if same_address(a, b) {
                        p.platform_datasets = Some(n);
                        counted = true;
                    }
                }
            }
            if p.datagouv_datasets.is_none() && p.on_datagouv {
                let same = match (&p.datagouv, &o.datagouv) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                if let (true, Some(n)) = (same, o.datagouv_datasets) {
                    p.datagouv_datasets = Some(n);
                    counted = true;
                }
                if p.datagouv.is_none() {
                    p.datagouv = o.datagouv.clone();
                }
            }
            if counted && p.counts_vintage.is_none() && p.vintage != o.vintage {
                p.counts_vintage = Some(o.vintage.clone());
            }
        }
    }
    let communes = data.communes_by_siren();
    let epci: std::collections::HashSet<&str> = data.epci.iter().map(|e| e.code.as_str()).collect();
    let deps: std::collections::HashSet<&str> = data.departements.iter().map(|d| d.code.as_str()).collect();
    let regs: std::collections::HashSet<&str> = data.regions.iter().map(|r| r.code.as_str()).collect();
    let mut unknown = Vec::new();
    let mut publishers = BTreeMap::new();
    for (siren, l) in merged {
        let mut p = l.publisher;
        p.territory = if let Some(code) = communes.get(siren.as_str()) {
            Some(TerritoryKey::new(KindGroup::Commune, *code))
        } else if epci.contains(siren.as_str()) {
            Some(TerritoryKey::new(KindGroup::Epci, siren.clone()))
        } else {
            match (p.kind.as_deref(), &l.departement, &l.region) {
                (Some("DEP"), Some(d), _) if deps.contains(d.as_str()) => {
                    Some(TerritoryKey::new(KindGroup::Departement, d.clone()))
                }
                (Some("REG"), _, Some(r)) if regs.contains(r.as_str()) => {
                    Some(TerritoryKey::new(KindGroup::Region, r.clone()))
                }
                _ => None,
            }
        };
        let collectivite =
            matches!(p.kind.as_deref(), Some("COM" | "CA" | "CC" | "CU" | "MET" | "EPT" | "DEP" | "REG"));
        if p.territory.is_none() && collectivite {
            unknown.push(format!("{siren} ({})", p.name));
        }
        publishers.insert(siren, p);
    }
    if !unknown.is_empty() {
        unknown.truncate(10);
        warnings.push(format!(
            "open-data publishers typed as collectivités whose SIREN the current COG does not know (merged or \
             dissolved since), listed without a territory: {}…",
            unknown.join(", ")
        ));
    }
    let origin = editions.iter().map(|(f, _)| f.name.as_str()).collect::<Vec<_>>().join(", ");
    let vintage = editions.first().map(|(_, v)| v.clone()).unwrap_or_default();
    Ok((OpenDataData { source: Some(SourceInfo::registered("odater", vintage, origin)), publishers }, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_slugs() {
        assert_eq!(
            datagouv_slug("https://www.data.gouv.fr/fr/organizations/arhansus/#organization-datasets").as_deref(),
            Some("arhansus")
        );
        assert!(is_datagouv("https://www.data.gouv.fr/fr/organizations/x/"));
        assert!(!is_datagouv("https://data.grandlyon.com/"));
        assert_eq!(address(Some("ftp://x")), None);
        assert!(same_address("https://a.fr/", "https://a.fr"));
    }
}
