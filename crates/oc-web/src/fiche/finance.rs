//! "Ressources et finances" of a fiche: the OFGL agrégats (each at the
//! latest exercice loaded *for that agrégat*, in euros and per inhabitant,
//! next to the average of the same population stratum, with the series of
//! every exercice), the DETR/DSIL projects, and which sources are missing.
//! The same values become figures, so compare and every export carry them
//! with their exercice.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use maud::{html, Markup};
use serde::Serialize;

use oc_model::finance::{stratum_text, FinanceData, Project, DGF_PARTS, INDICATORS};
use oc_model::fr::count;
use oc_model::KindGroup;
use oc_store::Geo;

use crate::fiche::figure::Figure;
use crate::format::fmt_num;

/// One agrégat on a fiche.
#[derive(Debug, Clone, Serialize)]
pub struct FinanceRow {
    pub id: &'static str,
    pub label: &'static str,
    /// The latest exercice with a value.
    pub year: u16,
    pub amount: f64,
    pub per_inhabitant: Option<f64>,
    /// The stratum's euros per inhabitant and how many collectivités it
    /// counts (same level, stratum, agrégat and exercice).
    pub stratum_average: Option<f64>,
    pub stratum_count: Option<u32>,
    pub strate: Option<String>,
    /// The stratum in French: its population band ("communes de 3 500 à
    /// 4 999 habitants") where known, else "strate de population n
    /// (classement OFGL)".
    pub strate_label: Option<String>,
    /// Every exercice loaded: (year, value in `series_unit`).
    pub series: Vec<(u16, f64)>,
    /// `€/hab.` when every exercice has a population, else `€`.
    pub series_unit: &'static str,
    /// Older than the newest exercice of the section.
    pub older: bool,
}

/// One part or criterion of the DGF of a commune.
#[derive(Debug, Clone, Serialize)]
pub struct DgfRow {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    /// The latest year with a value for this part.
    pub year: u16,
    pub value: f64,
    /// Euros per inhabitant of the population DGF of the same year.
    pub per_inhabitant: Option<f64>,
}

/// The finance section of a fiche.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FinanceSection {
    pub rows: Vec<FinanceRow>,
    /// DGF parts and criteria (communes).
    pub dgf: Vec<DgfRow>,
    pub projects: Vec<Project>,
    /// Sources not loaded on this server, named for the reader.
    pub missing: Vec<String>,
    /// Agrégats the loaded files do not give for this collectivité.
    pub absent: Vec<&'static str>,
    /// The exercices of the values shown (rows and series), oldest first.
    pub exercices: Vec<u16>,
}

/// Figure ids and labels of each agrégat: amount, per inhabitant, year.
struct Names {
    id: &'static str,
    id_hab: &'static str,
    id_year: &'static str,
    label: &'static str,
    label_hab: &'static str,
    label_year: &'static str,
}

static NAMES: LazyLock<Vec<Names>> = LazyLock::new(|| {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    INDICATORS
        .iter()
        .map(|(id, _, label)| Names {
            id,
            id_hab: leak(format!("{id}_par_habitant")),
            id_year: leak(format!("{id}_exercice")),
            label,
            label_hab: leak(format!("{label} par habitant")),
            label_year: leak(format!("{label} : exercice")),
        })
        .collect()
});

use crate::fiche::territory_key as key;

/// The level of the finance keys and strata (`COM`, `EPCI`, `DEP`, `REG`:
/// the prefix of [`key`]).
fn level_of(group: KindGroup) -> &'static str {
    match group {
        KindGroup::Commune => "COM",
        KindGroup::Epci => "EPCI",
        KindGroup::Departement => "DEP",
        KindGroup::Region => "REG",
    }
}

/// The section, from the loaded data (`None`: nothing loaded at all).
pub fn section(geo: &Geo, group: KindGroup, code: &str) -> FinanceSection {
    let Some(fd) = geo.data.finances.as_ref() else {
        return FinanceSection { missing: missing_all(group), ..FinanceSection::default() };
    };
    let k = key(group, code);
    let level = level_of(group);
    let mut out = FinanceSection::default();
    if fd.ofgl.is_none() {
        out.missing.push(OFGL_MISSING.into());
    }
    if fd.grants.is_none() && has_grants(group) {
        out.missing.push(GRANTS_MISSING.into());
    }
    if fd.dgf.is_none() && group == KindGroup::Commune {
        out.missing.push(dgf_parts_missing(fd.ofgl.is_some()));
    }
    out.dgf = dgf_rows(fd, &k);
    for (id, _, label) in INDICATORS.iter() {
        let series = fd.series(&k, id);
        let Some(last) = series.last() else { continue };
        let stratum = fd.stratum(&k, last);
        // An average over the collectivité alone says nothing.
        let stratum = stratum.filter(|s| s.count >= 2);
        // Per inhabitant only if every exercice has it: one unit per line.
        let per_hab = series.iter().all(|v| v.per_inhabitant().is_some());
        out.rows.push(FinanceRow {
            id,
            label,
            year: last.year,
            amount: last.amount,
            per_inhabitant: last.per_inhabitant(),
            stratum_average: stratum.and_then(|s| s.per_inhabitant()),
            stratum_count: stratum.map(|s| s.count),
            strate: last.strate.map(|s| s.to_string()),
            strate_label: last.strate.map(|s| stratum_text(level, &s)),
            series: series
                .iter()
                .map(|v| (v.year, if per_hab { v.per_inhabitant().unwrap_or(v.amount) } else { v.amount }))
                .collect(),
            series_unit: if per_hab { "€/hab." } else { "€" },
            older: false,
        });
    }
    let newest = out.rows.iter().map(|r| r.year).max().unwrap_or(0);
    for r in &mut out.rows {
        r.older = r.year < newest;
    }
    let mut exercices: Vec<u16> = out.rows.iter().flat_map(|r| r.series.iter().map(|p| p.0).chain([r.year])).collect();
    exercices.sort_unstable();
    exercices.dedup();
    out.exercices = exercices;
    if !out.rows.is_empty() {
        out.absent =
            INDICATORS.iter().filter(|(id, _, _)| !out.rows.iter().any(|r| r.id == *id)).map(|(_, _, l)| *l).collect();
    }
    out.projects = fd.projects.get(&k).cloned().unwrap_or_default();
    out
}

// What the reader is told about a source this portal does not have: plain
// French, never a configuration key or a file name (those are for the
// operator, in `load`'s report).
const OFGL_MISSING: &str = "Les comptes de cette collectivité (OFGL) ne sont pas disponibles sur ce portail.";
const GRANTS_MISSING: &str =
    "Les projets subventionnés par la DETR et la DSIL (DGCL) ne sont pas disponibles sur ce portail.";

/// The DGF criteria missing; with the OFGL accounts loaded, where the total
/// DGF is found instead.
fn dgf_parts_missing(ofgl_loaded: bool) -> String {
    let base = "Les critères de répartition de la DGF (DGCL : dotation forfaitaire, DSU, DSR, DNP) ne sont pas \
        disponibles sur ce portail";
    if ofgl_loaded {
        format!("{base} ; la DGF totale est donnée par les comptes de l'OFGL.")
    } else {
        format!("{base}.")
    }
}

/// The levels the State's investment grants go to: communes and EPCI
/// (DETR, DSIL), départements (DSID).
fn has_grants(group: KindGroup) -> bool {
    matches!(group, KindGroup::Commune | KindGroup::Epci | KindGroup::Departement)
}

fn missing_all(group: KindGroup) -> Vec<String> {
    let mut m = vec![OFGL_MISSING.to_owned()];
    if has_grants(group) {
        m.push(GRANTS_MISSING.to_owned());
    }
    if group == KindGroup::Commune {
        m.push(dgf_parts_missing(false));
    }
    m
}

/// The exercices shown, for the source sentence: "exercice 2023",
/// "exercices 2022 et 2023", "exercices 2021 à 2023" (three or more in a
/// row), "exercices 2016, 2019 et 2023" (with gaps). Empty for none.
pub(crate) fn exercices_label(years: &[u16]) -> String {
    let mut y = years.to_vec();
    y.sort_unstable();
    y.dedup();
    match y.as_slice() {
        [] => String::new(),
        [a] => format!("exercice {a}"),
        [a, b] => format!("exercices {a} et {b}"),
        [a, .., b] if usize::from(b - a) + 1 == y.len() => format!("exercices {a} à {b}"),
        [init @ .., last] => {
            format!("exercices {} et {last}", init.iter().map(u16::to_string).collect::<Vec<_>>().join(", "))
        }
    }
}

/// The agreed noun for `n` collectivités of a level (`COM`, `EPCI`, …).
fn collectivites(level: &str, n: u32) -> String {
    let (one, many) = match level {
        "COM" => ("commune", "communes"),
        "EPCI" => ("intercommunalité", "intercommunalités"),
        "DEP" => ("département", "départements"),
        "REG" => ("région", "régions"),
        _ => ("collectivité", "collectivités"),
    };
    count(u64::from(n), one, many)
}

/// Each DGF part at its own latest year.
fn dgf_rows(fd: &FinanceData, key: &str) -> Vec<DgfRow> {
    let Some(values) = fd.dgf_parts.get(key) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, label, unit) in DGF_PARTS.iter() {
        let Some(last) = values.iter().filter(|v| v.part == *id).max_by_key(|v| v.year) else { continue };
        let pop = values
            .iter()
            .find(|v| v.part == "population_dgf" && v.year == last.year)
            .map(|v| v.value)
            .filter(|p| *p > 0.0);
        let per_inhabitant = if *unit == "€" { pop.map(|p| last.value / p) } else { None };
        out.push(DgfRow { id, label, unit, year: last.year, value: last.value, per_inhabitant });
    }
    out
}

/// Figure id, label, unit, id and label of its year.
type DgfName = (&'static str, &'static str, &'static str, &'static str, &'static str);

static DGF_NAMES: LazyLock<Vec<DgfName>> = LazyLock::new(|| {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    DGF_PARTS
        .iter()
        .map(|(id, label, unit)| {
            (
                leak(format!("dgf_{id}")),
                *label,
                *unit,
                leak(format!("dgf_{id}_annee")),
                leak(format!("{label} : année")),
            )
        })
        .collect()
});

/// The figures of the section (for compare and exports): each agrégat in
/// euros, per inhabitant and its exercice; the DETR/DSIL subsidies of the
/// latest year. None when no finance data is loaded.
pub(crate) fn figures(fd: Option<&FinanceData>, group: KindGroup, code: &str) -> Vec<Figure> {
    let Some(fd) = fd else { return Vec::new() };
    let mut out = Vec::new();
    let k = key(group, code);
    if fd.ofgl.is_some() {
        for n in NAMES.iter() {
            let last = fd.series(&k, n.id).last().copied().cloned();
            let note = "absent des comptes de l'OFGL chargés pour cette collectivité".to_owned();
            let vintage =
                last.as_ref().map_or_else(|| "dernier exercice chargé".to_owned(), |v| format!("exercice {}", v.year));
            let f = |id, label, value: Option<f64>, unit, decimals| Figure {
                id,
                label,
                value,
                unit,
                decimals,
                source: "ofgl",
                vintage: vintage.clone(),
                note: value.is_none().then(|| note.clone()),
                text: None,
                secret: false,
                context: None,
            };
            out.push(f(n.id, n.label, last.as_ref().map(|v| v.amount), "€", 0));
            out.push(f(n.id_hab, n.label_hab, last.as_ref().and_then(|v| v.per_inhabitant()), "€/hab.", 2));
            out.push(f(n.id_year, n.label_year, last.as_ref().map(|v| f64::from(v.year)), "année", 0));
        }
    }
    if fd.dgf.is_some() && group == KindGroup::Commune {
        let rows = dgf_rows(fd, &k);
        for (id, label, unit, id_year, label_year) in DGF_NAMES.iter() {
            let r = rows.iter().find(|r| id.strip_prefix("dgf_") == Some(r.id));
            let vintage = r.map_or_else(|| "dernière année chargée".to_owned(), |r| format!("année {}", r.year));
            let note = r.is_none().then(|| "absent des critères de répartition chargés".to_owned());
            out.push(Figure {
                id,
                label,
                value: r.map(|r| r.value),
                unit,
                decimals: if *unit == "€/hab." { 2 } else { 0 },
                source: "dgf-criteres",
                vintage: vintage.clone(),
                note: note.clone(),
                text: None,
                secret: false,
                context: None,
            });
            out.push(Figure {
                id: id_year,
                label: label_year,
                value: r.map(|r| f64::from(r.year)),
                unit: "année",
                decimals: 0,
                source: "dgf-criteres",
                vintage,
                note,
                text: None,
                secret: false,
                context: None,
            });
        }
    }
    if fd.grants.is_some() && has_grants(group) {
        let dep = group == KindGroup::Departement;
        let projects = fd.projects.get(&k).map(Vec::as_slice).unwrap_or_default();
        let year = projects.iter().map(|p| p.year).max();
        let total: Option<f64> = year.map(|y| projects.iter().filter(|p| p.year == y).filter_map(|p| p.subsidy).sum());
        let vintage = year.map_or_else(|| "dernière année chargée".to_owned(), |y| format!("année {y}"));
        let fig = |id, label, value, unit| Figure {
            id,
            label,
            value,
            unit,
            decimals: 0,
            source: "detr-dsil",
            vintage: vintage.clone(),
            note: None,
            text: None,
            secret: false,
            context: None,
        };
        out.push(fig(
            "detr_dsil_subventions",
            if dep { "Subventions DSID" } else { "Subventions DETR et DSIL" },
            total.or(Some(0.0)).filter(|_| year.is_some()),
            "€",
        ));
        out.push(fig(
            "detr_dsil_projets",
            if dep { "Projets subventionnés DSID" } else { "Projets subventionnés DETR et DSIL" },
            year.map(|y| projects.iter().filter(|p| p.year == y).count() as f64),
            "projets",
        ));
        out.push(fig(
            "detr_dsil_annee",
            if dep { "Subventions DSID : année" } else { "Subventions DETR et DSIL : année" },
            year.map(f64::from),
            "année",
        ));
    }
    out
}

/// Subsidies per year, as a chart when there are several years.
fn grant_series(projects: &[Project]) -> Markup {
    let mut by: BTreeMap<u16, f64> = BTreeMap::new();
    for p in projects {
        *by.entry(p.year).or_default() += p.subsidy.unwrap_or(0.0);
    }
    let series: Vec<(u16, f64)> = by.into_iter().collect();
    if series.len() < 2 {
        return html! {};
    }
    crate::chart::series(&series, "Subventions d'investissement (DETR, DSIL, DSID)", "€", "Année")
}

/// Projects and subsidies per year and per dotation.
fn grant_totals(projects: &[Project], grants: Option<&oc_model::sources::Credit>) -> Markup {
    let mut by: BTreeMap<(std::cmp::Reverse<u16>, &str), (usize, f64)> = BTreeMap::new();
    for p in projects {
        let e = by.entry((std::cmp::Reverse(p.year), p.dotation.as_str())).or_default();
        e.0 += 1;
        e.1 += p.subsidy.unwrap_or(0.0);
    }
    html! {
        div class="fr-table fr-table--no-caption" {
            table tabindex="0" class="oc-grant-totals" {
                caption { "Subventions par année et par dotation" }
                thead { tr {
                    th scope="col" { "Année" } th scope="col" { "Dotation" }
                    th scope="col" class="oc-num" { "Projets" } th scope="col" class="oc-num" { "Subventions" }
                } }
                tbody {
                    @for ((y, d), (n, total)) in &by {
                        tr { td { (y.0) } td { (d) } td class="oc-num" { (n) } td class="oc-num" { (fmt_num(*total, 0)) " €" } }
                    }
                }
            }
        }
        @if let Some(g) = grants {
            p class="fr-text--xs oc-source" { "Source : " a href=(g.url) rel="noopener" { (g.producer) } " — " (g.title) ", millésime " (g.vintage) "." }
        }
    }
}

/// The section's HTML.
pub fn render(geo: &Geo, s: &FinanceSection, group: KindGroup) -> Markup {
    let ofgl = crate::fiche::credits::source_info(geo, "ofgl");
    let dgf = crate::fiche::credits::source_info(geo, "dgf-criteres");
    let grants = crate::fiche::credits::source_info(geo, "detr-dsil");
    let level = level_of(group);
    let mut strata: Vec<&str> = Vec::new();
    for l in s.rows.iter().filter_map(|r| r.strate_label.as_deref()) {
        if !strata.contains(&l) {
            strata.push(l);
        }
    }
    html! {
        section class="fr-mt-4w" id="finances" aria-labelledby="finances-titre" {
            h2 id="finances-titre" { "Ressources et finances" }
            @if !s.missing.is_empty() {
                div class="fr-callout fr-mb-3w oc-missing-sources" {
                    p class="fr-callout__text fr-text--sm" { "Sources manquantes :" }
                    ul class="fr-text--sm" { @for m in &s.missing { li { (m) } } }
                }
            }
            @if !s.rows.is_empty() {
                @if !strata.is_empty() {
                    p class="fr-text--sm oc-strate" { "Strate de la collectivité : " (strata.join(" ; ")) "." }
                }
                div class="fr-table fr-table--no-caption" {
                    table tabindex="0" class="oc-finances" {
                        caption { "Comptes consolidés" }
                        thead { tr {
                            th scope="col" { "Agrégat" } th scope="col" { "Exercice" } th scope="col" class="oc-num" { "Montant" }
                            th scope="col" class="oc-num" { "Par habitant" }
                            th scope="col" class="oc-num" { "Moyenne de la strate" } th scope="col" { "Évolution" }
                        } }
                        tbody {
                            @for r in &s.rows {
                                tr id=(format!("fin-{}", r.id)) {
                                    th scope="row" { (r.label) }
                                    td class="oc-year" { (r.year) @if r.older { br; span class="fr-badge fr-badge--sm \
                                        fr-badge--warning" { "exercice plus ancien" } } }
                                    td class="oc-num" { (fmt_num(r.amount, 0)) " €" }
                                    td class="oc-num" { @if let Some(p) = r.per_inhabitant { (fmt_num(p, 0)) " €" } @else { "—" } }
                                    td class="oc-num" {
                                        @if let Some(a) = r.stratum_average {
                                            (fmt_num(a, 0)) " €"
                                            span class="fr-text--xs" {
                                                br;
                                                @if let Some(l) = &r.strate_label { (l) ", " }
                                                (collectivites(level, r.stratum_count.unwrap_or(0)))
                                            }
                                        } @else { span title="moins de deux collectivités de la même strate dans les \
                                            fichiers chargés" { "—" } }
                                    }
                                    td { (crate::chart::series(&r.series, r.label, r.series_unit, "Exercice")) }
                                }
                            }
                        }
                    }
                }
                @if !s.absent.is_empty() {
                    p class="fr-text--sm oc-absent" { "Non publiés pour cette collectivité dans les fichiers chargés \
                        : " (s.absent.join(", ")) "." }
                }
                @if let Some(o) = &ofgl {
                    p class="fr-text--xs oc-source" {
                        "Source : " a href=(o.url) rel="noopener" { (o.producer) } " — " (o.title) ", millésime : " (exercices_label(&s.exercices))
                        ". Chaque agrégat est donné pour le dernier exercice publié pour cette collectivité ; moyenne \
                            de la strate : total des montants sur total des populations des collectivités de la même \
                            strate de population de l'OFGL, donnée à partir de deux collectivités."
                    }
                }
            } @else if ofgl.is_some() {
                p class="fr-text--sm" { "Aucun compte de cette collectivité dans les fichiers de l'OFGL chargés." }
            }
            @if !s.dgf.is_empty() {
                h3 class="fr-h5" { "Dotation globale de fonctionnement : parts et critères" }
                div class="fr-table fr-table--no-caption" {
                    table tabindex="0" class="oc-dgf" {
                        caption { "DGF" }
                        thead {
                            tr {
                                th scope="col" { "Part ou critère" }
                                th scope="col" { "Année" }
                                th scope="col" class="oc-num" { "Montant" }
                                th scope="col" class="oc-num" { "Par habitant DGF" }
                            }
                        }
                        tbody {
                            @for r in &s.dgf {
                                tr id=(format!("dgf-{}", r.id)) {
                                    th scope="row" { (r.label) }
                                    td { (r.year) }
                                    td class="oc-num" { (fmt_num(r.value, if r.unit == "€/hab." { 2 } else { 0 })) " " (r.unit) }
                                    td class="oc-num" { @if let Some(p) = r.per_inhabitant { (fmt_num(p, 2)) " €" } @else { "—" } }
                                }
                            }
                        }
                    }
                }
                @if let Some(d) = &dgf {
                    p class="fr-text--xs oc-source" { "Source : " a href=(d.url) rel="noopener" { (d.producer) } " — " (d.title) ", millésime " (d.vintage) "." }
                }
            }
            @if has_grants(group) && grants.is_some() {
                h3 class="fr-h5" { @if group == KindGroup::Departement { "Projets subventionnés (DSID)" } @else { "Projets subventionnés (DETR, DSIL)" } }
                @if s.projects.is_empty() {
                    p class="fr-text--sm" { "Aucun projet de cette collectivité dans les fichiers chargés." }
                } @else {
                    (grant_series(&s.projects))
                    @if let Some(g) = &grants {
                        p class="fr-text--xs oc-source" { "Source : " a href=(g.url) rel="noopener" { (g.producer) } " — " (g.title) ", millésime " (g.vintage) "." }
                    }
                    (grant_totals(&s.projects, grants.as_ref()))
                    div class="fr-table fr-table--no-caption" {
                        table tabindex="0" class="oc-projects" {
                            caption { "Projets DETR et DSIL" }
                            thead {
                                tr {
                                    th scope="col" { "Année" }
                                    th scope="col" { "Dotation" }
                                    th scope="col" { "Catégorie" }
                                    th scope="col" { "Projet" }
                                    th scope="col" class="oc-num" { "Coût" }
                                    th scope="col" class="oc-num" { "Subvention" }
                                }
                            }
                            tbody {
                                @for p in &s.projects {
                                    tr {
                                        td { (p.year) } td { (p.dotation) } td { (p.category) } td { (p.description) }
                                        td class="oc-num" { @if let Some(c) = p.cost { (fmt_num(c, 0)) " €" } @else { "—" } }
                                        td class="oc-num" { @if let Some(c) = p.subsidy { (fmt_num(c, 0)) " €" } @else { "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(g) = &grants {
                    p class="fr-text--xs oc-source" { "Source : " a href=(g.url) rel="noopener" { (g.producer) } " — " (g.title) ", millésime " (g.vintage) "." }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exercices_are_listed_the_french_way() {
        assert_eq!(exercices_label(&[]), "");
        assert_eq!(exercices_label(&[2023]), "exercice 2023");
        assert_eq!(exercices_label(&[2023, 2023]), "exercice 2023");
        assert_eq!(exercices_label(&[2023, 2022]), "exercices 2022 et 2023");
        assert_eq!(exercices_label(&[2021, 2022, 2023]), "exercices 2021 à 2023");
        assert_eq!(exercices_label(&[2023, 2016, 2019]), "exercices 2016, 2019 et 2023");
        assert_eq!(exercices_label(&[2016, 2023]), "exercices 2016 et 2023");
        assert_eq!(exercices_label(&[2016, 2017, 2018, 2023]), "exercices 2016, 2017, 2018 et 2023");
    }

    #[test]
    fn missing_sources_name_no_configuration_key() {
        for m in [OFGL_MISSING.to_owned(), GRANTS_MISSING.to_owned(), dgf_parts_missing(true), dgf_parts_missing(false)]
        {
            assert!(m.contains("ne sont pas disponibles sur ce portail"), "{m}");
            assert!(!m.contains('[') && !m.contains(".toml") && !m.contains("sources") && !m.contains('/'), "{m}");
        }
        assert!(dgf_parts_missing(true).contains("la DGF totale est donnée par les comptes de l'OFGL"));
        assert!(!dgf_parts_missing(false).contains("OFGL"));
    }

    #[test]
    fn the_series_chart_has_its_axes_labelled_and_a_table_twin() {
        let html = crate::chart::series(
            &[(2021, 1234.4), (2022, 980.0), (2023, 1100.0)],
            "Recettes de fonctionnement",
            "€/hab.",
            "Exercice",
        )
        .into_string();
        let n = |s: &str| s.replace(' ', "\u{202f}");
        assert!(html.contains(">2021</text>") && html.contains(">2023</text>"), "first and last exercice: {html}");
        assert!(
            html.contains(&format!(">{} €/hab.</text>", n("1 234"))) && html.contains(">980 €/hab.</text>"),
            "max and min: {html}"
        );
        assert!(
            html.contains("role=\"img\"")
                && html.contains(&format!(
                    "aria-label=\"Recettes de fonctionnement, en \
            euros par habitant : 2021 : {} €/hab. ; 2022 : 980 €/hab. ; 2023 : 1{}100 €/hab.\"",
                    n("1 234"),
                    '\u{202f}'
                )),
            "{html}"
        );
        for (yr, v) in [("2021", n("1 234")), ("2022", "980".into()), ("2023", n("1 100"))] {
            assert!(
                html.contains(&format!("<tr><th scope=\"row\">{yr}</th><td class=\"oc-num\">{v} €/hab.</td></tr>")),
                "{yr} in the table: {html}"
            );
        }
        assert!(html.contains("<summary class=\"fr-text--xs\">Voir les valeurs</summary>"));
        assert!(!html.contains("style=") && !html.contains("<script"), "nothing a strict CSP blocks");
        assert!(
            crate::chart::series(&[(2023, 1.0)], "x", "€", "Exercice").into_string().is_empty(),
            "one value is in the row itself"
        );
    }
}
