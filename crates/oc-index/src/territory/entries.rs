//! The entry table: one [`Entry`] per searchable territory, built from
//! the reference data in a deterministic order (the index stores only its
//! position): the heaviest first, so that a search can stop early once no
//! later entry can enter its results.

use std::collections::HashMap;

use oc_model::text::words;
use oc_model::{fiche_url, Kind, KindGroup};
use oc_store::Geo;

use super::names::{acronyms, epci_core, epci_named, without_article};

/// One searchable territory, as returned to callers.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    /// INSEE code (SIREN for an EPCI/EPT).
    pub code: String,
    pub siren: Option<String>,
    pub name: String,
    /// Human label with context (`Montpellier — commune, Hérault (34)`).
    pub label: String,
    /// Canonical page URL (a déléguée points to its current commune).
    pub url: String,
    pub population: Option<u64>,
    pub departement: Option<(String, String)>,
    pub region: Option<(String, String)>,
    /// Postal codes served (communes).
    pub postal_codes: Vec<String>,
    pub(super) names: Names,
    /// Acronyms of the territory ([`super::names::acronyms`]), folded.
    pub(super) acronyms: Vec<String>,
    /// A commune's EPCI à fiscalité propre, as a position in the table.
    pub(super) epci: Option<u32>,
    /// The place's weight in ranking: its population (log10) and its kind.
    pub(super) weight: f32,
}

/// The compact forms of a name ([`super::names`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Names {
    /// Every word of the name, without separators.
    pub(super) full: String,
    /// Without its leading article (an intercommunality: without its
    /// leading designator, the article kept).
    pub(super) bare: String,
    /// Without its designator (intercommunalities) nor leading article.
    pub(super) core: String,
}

impl Names {
    pub(super) fn of(kind: Kind, name: &str) -> Names {
        let w = words(name);
        let (bare, core) = if kind.group() == KindGroup::Epci {
            // Without the designator, the article kept: `les sables …`.
            (epci_named(&w).concat(), epci_core(&w).concat())
        } else {
            let bare = without_article(&w).concat();
            (bare.clone(), bare)
        };
        Names { full: w.concat(), bare, core }
    }

    /// The distinct forms, as written first.
    pub(super) fn forms(&self) -> Vec<&str> {
        let mut forms: Vec<&str> = vec![&self.full];
        for form in [&self.bare, &self.core] {
            if !forms.contains(&form.as_str()) {
                forms.push(form);
            }
        }
        forms
    }
}

pub(super) fn dep_label(geo: &Geo, code: &str) -> Option<(String, String)> {
    geo.departement(code).map(|d| (d.code.clone(), d.name.clone()))
}

pub(super) fn reg_label(geo: &Geo, code: &str) -> Option<(String, String)> {
    geo.region(code).map(|r| (r.code.clone(), r.name.clone()))
}

/// The level's part of an entry's weight (in powers of ten of population):
/// a commune before a département or région of the same size, an
/// intercommunality (whose population counts its main city again) after
/// them, and a commune déléguée or associée (a former commune) after every
/// current one.
pub(super) fn kind_bonus(kind: Kind) -> f32 {
    match kind {
        Kind::Commune => 0.3,
        Kind::Departement => 0.2,
        Kind::Region => 0.1,
        Kind::ArrondissementMunicipal => 0.0,
        Kind::Epci | Kind::Ept => -1.0,
        Kind::CommuneDeleguee | Kind::CommuneAssociee => -4.0,
    }
}

/// Builds the entry table from reference data, in a deterministic order.
pub fn entries(geo: &Geo) -> Vec<Entry> {
    let d = &geo.data;
    let mut out = Vec::with_capacity(d.communes.len() + d.epci.len() + d.departements.len() + d.regions.len());
    let push = |out: &mut Vec<Entry>, mut e: Entry| {
        e.names = Names::of(e.kind, &e.name);
        e.weight = (e.population.unwrap_or(0) as f32 + 1.0).log10() + kind_bonus(e.kind);
        out.push(e);
    };
    for c in &d.communes {
        if geo.com_of_commune(c).is_some() {
            // Saint-Martin, Saint-Barthélemy, Clipperton: one entry, the COM's.
            continue;
        }
        let dep = dep_label(geo, &c.departement);
        let dep_txt = dep.as_ref().map(|(code, name)| format!("{name} ({code})")).unwrap_or_default();
        let (url, label) = match c.kind {
            Kind::Commune => {
                (fiche_url(KindGroup::Commune, &c.name, &c.code), format!("{} — commune, {dep_txt}", c.name))
            }
            _ => {
                let parent = c.parent.as_deref().and_then(|p| geo.commune(p));
                let parent_name = parent.map_or("?", |p| p.name.as_str());
                let url = parent.map_or_else(
                    || fiche_url(KindGroup::Commune, &c.name, &c.code),
                    |p| fiche_url(KindGroup::Commune, &p.name, &p.code),
                );
                let what = match c.kind {
                    Kind::ArrondissementMunicipal => "arrondissement municipal de",
                    Kind::CommuneDeleguee => "commune déléguée de",
                    _ => "commune associée de",
                };
                let url = if c.kind == Kind::ArrondissementMunicipal {
                    fiche_url(KindGroup::Commune, &c.name, &c.code)
                } else {
                    url
                };
                (url, format!("{} — {what} {parent_name}, {dep_txt}", c.name))
            }
        };
        push(
            &mut out,
            Entry {
                kind: c.kind,
                code: c.code.clone(),
                siren: c.siren.clone(),
                name: c.name.clone(),
                label,
                url,
                population: c.population.map(u64::from),
                departement: dep,
                region: reg_label(geo, &c.region),
                postal_codes: c.codes_postaux.clone(),
                names: Names::default(),
                acronyms: Vec::new(),
                epci: None,
                weight: 0.0,
            },
        );
    }
    for e in &d.epci {
        // An EPCI's département and région: those of its most populous member.
        let main = e.membres.iter().filter_map(|m| geo.commune(m)).max_by_key(|c| c.population.unwrap_or(0));
        let dep = main.and_then(|c| dep_label(geo, &c.departement));
        let dep_txt = dep.as_ref().map(|(code, name)| format!(", {name} ({code})")).unwrap_or_default();
        push(
            &mut out,
            Entry {
                kind: e.kind,
                code: e.code.clone(),
                siren: Some(e.code.clone()),
                name: e.name.clone(),
                label: format!("{} — {}{dep_txt}", e.name, e.nature_label().to_lowercase()),
                url: fiche_url(KindGroup::Epci, &e.name, &e.code),
                population: e.population_totale.or(e.population_municipale).map(u64::from),
                departement: dep,
                region: main.and_then(|c| reg_label(geo, &c.region)),
                postal_codes: Vec::new(),
                names: Names::default(),
                acronyms: Vec::new(),
                epci: None,
                weight: 0.0,
            },
        );
    }
    for x in d.departements.iter().filter(|x| x.zone != "com") {
        let reg = reg_label(geo, &x.region);
        push(
            &mut out,
            Entry {
                kind: Kind::Departement,
                code: x.code.clone(),
                siren: None,
                name: x.name.clone(),
                label: format!("{} ({}) — département, {}", x.name, x.code, reg.as_ref().map_or("", |r| r.1.as_str())),
                url: fiche_url(KindGroup::Departement, &x.name, &x.code),
                population: x.population,
                departement: Some((x.code.clone(), x.name.clone())),
                region: reg,
                postal_codes: Vec::new(),
                names: Names::default(),
                acronyms: Vec::new(),
                epci: None,
                weight: 0.0,
            },
        );
    }
    for x in &d.regions {
        let com = x.zone == "com";
        // A single-commune COM answers to that commune's postal codes.
        let single: Vec<&oc_model::Commune> = if com { geo.communes_of_region(&x.code).collect() } else { Vec::new() };
        let postal_codes = if single.len() == 1 { single[0].codes_postaux.clone() } else { Vec::new() };
        push(
            &mut out,
            Entry {
                kind: Kind::Region,
                code: x.code.clone(),
                siren: None,
                name: x.name.clone(),
                label: format!("{} — {}", x.name, if com { "collectivité d'outre-mer" } else { "région" }),
                url: fiche_url(KindGroup::Region, &x.name, &x.code),
                population: x.population,
                departement: None,
                region: Some((x.code.clone(), x.name.clone())),
                postal_codes,
                names: Names::default(),
                acronyms: Vec::new(),
                epci: None,
                weight: 0.0,
            },
        );
    }
    // The heaviest first (ties keep the order above).
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let position: HashMap<(KindGroup, &str), u32> =
        out.iter().enumerate().map(|(i, e)| ((e.kind.group(), e.code.as_str()), i as u32)).collect();
    let epci_of: Vec<Option<u32>> = out
        .iter()
        .map(|e| {
            let c = (e.kind == Kind::Commune).then(|| geo.commune(&e.code)).flatten()?;
            position.get(&(KindGroup::Epci, c.epci.as_deref()?)).copied()
        })
        .collect();
    let mut named: Vec<(u32, String)> = Vec::new();
    for a in acronyms() {
        let Ok(key) = a.key.parse::<oc_model::TerritoryKey>() else { continue };
        if let Some(&i) = position.get(&(key.group(), key.code())) {
            named.push((i, a.acronym));
        }
    }
    for (e, epci) in out.iter_mut().zip(epci_of) {
        e.epci = epci;
    }
    for (i, a) in named {
        out[i as usize].acronyms.push(a);
    }
    out
}

/// Counts of entries per kind, for the home page and health checks.
pub fn counts(entries: &[Entry]) -> HashMap<Kind, usize> {
    let mut m = HashMap::new();
    for e in entries {
        *m.entry(e.kind).or_default() += 1;
    }
    m
}
