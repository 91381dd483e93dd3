//! What a fiche is and how it looks, for every page that shows one: its
//! figures, notices and finances built from the reference data ([`data`],
//! [`finance`], [`notices`]), its HTML ([`html`]), its canonical URL and
//! territory key. The routes are in the `fiche_pages` module.

pub mod context;
pub mod credits;
pub mod data;
pub mod deep;
pub mod figure;
pub mod finance;
pub mod html;
pub mod naming;
pub mod notices;
pub mod opendata;
pub mod peers;
pub mod thematic;

use oc_model::{Commune, KindGroup};
use oc_store::Geo;

pub use data::Fiche;

/// Canonical URL of a fiche (the portal's one builder, in `oc-model`).
pub use oc_model::fiche_url as url;

/// Canonical URL of a commune or arrondissement municipal (a déléguée
/// points to its current commune).
pub fn url_commune(c: &Commune) -> String {
    url(KindGroup::Commune, &c.name, &c.code)
}

/// The comparison of territories of one level (the one builder of
/// `/comparer` addresses): `/comparer?ids=commune:34172,commune:34057`;
/// `ext` `.csv` or `.json` for its exports.
pub fn compare_url<'a>(group: Option<KindGroup>, codes: impl IntoIterator<Item = &'a str>, ext: &str) -> String {
    let g = group.map_or("", |g| g.as_str());
    let ids: Vec<String> = codes.into_iter().map(|c| format!("{g}:{c}")).collect();
    if ids.is_empty() {
        format!("/comparer{ext}")
    } else {
        format!("/comparer{ext}?ids={}", ids.join(","))
    }
}

/// Splits `montpellier-34172` into (`montpellier`, `34172`); a bare code has
/// an empty slug. Codes are upper-cased (`2a004` → `2A004`).
pub(crate) fn split_key(key: &str) -> (&str, String) {
    match key.rsplit_once('-') {
        Some((s, c)) => (s, c.to_ascii_uppercase()),
        None => ("", key.to_ascii_uppercase()),
    }
}

/// The key of a collectivité in the library, the fiche messages and the
/// finances (`COM-34172`, `EPCI-243400017`, `DEP-34`, `REG-76`).
pub(crate) fn territory_key(group: KindGroup, code: &str) -> String {
    oc_model::TerritoryKey::new(group, code).to_string()
}

/// The fiche data for a code, following déléguées and former codes.
pub fn fiche_for_code(geo: &Geo, group: KindGroup, code: &str) -> Option<Fiche> {
    let code = code.to_ascii_uppercase();
    match group {
        KindGroup::Commune => geo.resolve_commune(&code).map(|c| match geo.com_of_commune(c) {
            Some(r) => data::region(geo, r),
            None => data::commune(geo, c),
        }),
        KindGroup::Epci => geo.epci(&code).map(|e| data::epci(geo, e)),
        KindGroup::Departement => {
            geo.departement(&code).map(|d| match geo.region(&d.region).filter(|_| d.zone == "com") {
                Some(r) => data::region(geo, r),
                None => data::departement(geo, d),
            })
        }
        KindGroup::Region => geo.region(&code).map(|r| data::region(geo, r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(split_key("montpellier-34172"), ("montpellier", "34172".to_owned()));
        assert_eq!(split_key("34172"), ("", "34172".to_owned()));
        assert_eq!(split_key("ajaccio-2a004"), ("ajaccio", "2A004".to_owned()));
        assert_eq!(split_key("paris-1er-arrondissement-75101"), ("paris-1er-arrondissement", "75101".to_owned()));
    }
}
