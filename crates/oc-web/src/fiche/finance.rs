//! "Ressources et finances" of a fiche: the OFGL agrégats (each at the
//! latest exercice loaded *for that agrégat*, in euros and per inhabitant,
//! next to the average of the same population stratum, with the series of
//! every exercice), the DETR/DSIL projects, and which sources are missing.
//! The same values become figures, so compare and every export carry them
//! with their exercice.

use std::sync::LazyLock;

use maud::{html, Markup};
use serde::Serialize;

use oc_model::finance::{FinanceData, Project, DGF_PARTS, INDICATORS};
use oc_model::KindGroup;
use oc_store::Geo;

use crate::fiche::data::Figure;
use crate::fiche::html::fmt_num;

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
    /// Every exercice loaded: (year, euros per inhabitant or euros).
    pub series: Vec<(u16, f64)>,
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

/// The section, from the loaded data (`None`: nothing loaded at all).
pub fn section(geo: &Geo, group: KindGroup, code: &str) -> FinanceSection {
    let Some(fd) = geo.data.finances.as_ref() else {
        return FinanceSection { missing: missing_all(group), ..FinanceSection::default() };
    };
    let k = key(group, code);
    let mut out = FinanceSection::default();
    if fd.ofgl.is_none() {
        out.missing.push(OFGL_MISSING.into());
    }
    if fd.grants.is_none() && matches!(group, KindGroup::Commune | KindGroup::Epci) {
        out.missing.push(GRANTS_MISSING.into());
    }
    if fd.dgf.is_none() && group == KindGroup::Commune {
        out.missing.push(DGF_PARTS_MISSING.into());
    }
    out.dgf = dgf_rows(fd, &k);
    for (id, _, label) in INDICATORS.iter() {
        let series = fd.series(&k, id);
        let Some(last) = series.last() else { continue };
        let stratum = fd.stratum(&k, last);
        // An average over the collectivité alone says nothing.
        let stratum = stratum.filter(|s| s.count >= 2);
        out.rows.push(FinanceRow {
            id,
            label,
            year: last.year,
            amount: last.amount,
            per_inhabitant: last.per_inhabitant(),
            stratum_average: stratum.and_then(|s| s.per_inhabitant()),
            stratum_count: stratum.map(|s| s.count),
            strate: last.strate.map(|s| s.to_string()),
            series: series.iter().map(|v| (v.year, v.per_inhabitant().unwrap_or(v.amount))).collect(),
            older: false,
        });
    }
    let newest = out.rows.iter().map(|r| r.year).max().unwrap_or(0);
    for r in &mut out.rows {
        r.older = r.year < newest;
    }
    if !out.rows.is_empty() {
        out.absent = INDICATORS.iter().filter(|(id, _, _)| !out.rows.iter().any(|r| r.id == *id)).map(|(_, _, l)| *l).collect();
    }
    out.projects = fd.projects.get(&k).cloned().unwrap_or_default();
    out
}

const OFGL_MISSING: &str = "comptes consolidés des collectivités (OFGL) : non chargés sur ce serveur ([sources.finances] ofgl)";
const GRANTS_MISSING: &str = "projets subventionnés par la DETR et la DSIL (DGCL) : non chargés sur ce serveur ([sources.finances] grants)";
const DGF_PARTS_MISSING: &str =
    "critères de répartition de la DGF (DGCL : dotation forfaitaire, DSU, DSR, DNP) : non chargés sur ce serveur ; la DGF totale vient des comptes de l'OFGL";

fn missing_all(group: KindGroup) -> Vec<String> {
    let mut m = vec![OFGL_MISSING.to_owned()];
    if matches!(group, KindGroup::Commune | KindGroup::Epci) {
        m.push(GRANTS_MISSING.to_owned());
    }
    if group == KindGroup::Commune {
        m.push(DGF_PARTS_MISSING.to_owned());
    }
    m
}

/// Each DGF part at its own latest year.
fn dgf_rows(fd: &FinanceData, key: &str) -> Vec<DgfRow> {
    let Some(values) = fd.dgf_parts.get(key) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, label, unit) in DGF_PARTS.iter() {
        let Some(last) = values.iter().filter(|v| v.part == *id).max_by_key(|v| v.year) else { continue };
        let pop = values.iter().find(|v| v.part == "population_dgf" && v.year == last.year).map(|v| v.value).filter(|p| *p > 0.0);
        let per_inhabitant = if *unit == "€" { pop.map(|p| last.value / p) } else { None };
        out.push(DgfRow { id, label, unit, year: last.year, value: last.value, per_inhabitant });
    }
    out
}

/// Figure id, label, unit, id and label of its year.
type DgfName = (&'static str, &'static str, &'static str, &'static str, &'static str);

static DGF_NAMES: LazyLock<Vec<DgfName>> = LazyLock::new(|| {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    DGF_PARTS.iter().map(|(id, label, unit)| (leak(format!("dgf_{id}")), *label, *unit, leak(format!("dgf_{id}_annee")), leak(format!("{label} : année")))).collect()
});

/// The figures of the section (for compare and exports): each agrégat in
/// euros, per inhabitant and its exercice; the DETR/DSIL subsidies of the
/// latest year. None when no finance data is loaded.
pub fn figures(fd: Option<&FinanceData>, group: KindGroup, code: &str) -> Vec<Figure> {
    let Some(fd) = fd else { return Vec::new() };
    let mut out = Vec::new();
    let k = key(group, code);
    if fd.ofgl.is_some() {
        for n in NAMES.iter() {
            let last = fd.series(&k, n.id).last().copied().cloned();
            let note = "absent des comptes de l'OFGL chargés pour cette collectivité".to_owned();
            let millesime = last.as_ref().map_or_else(|| "dernier exercice chargé".to_owned(), |v| format!("exercice {}", v.year));
            let f = |id, label, value: Option<f64>, unit, decimals| Figure {
                id,
                label,
                value,
                unit,
                decimals,
                source: "ofgl",
                millesime: millesime.clone(),
                note: value.is_none().then(|| note.clone()),
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
            let millesime = r.map_or_else(|| "dernière année chargée".to_owned(), |r| format!("année {}", r.year));
            let note = r.is_none().then(|| "absent des critères de répartition chargés".to_owned());
            out.push(Figure { id, label, value: r.map(|r| r.value), unit, decimals: if *unit == "€/hab." { 2 } else { 0 }, source: "dgf-criteres", millesime: millesime.clone(), note: note.clone() });
            out.push(Figure { id: id_year, label: label_year, value: r.map(|r| f64::from(r.year)), unit: "année", decimals: 0, source: "dgf-criteres", millesime, note });
        }
    }
    if fd.grants.is_some() && matches!(group, KindGroup::Commune | KindGroup::Epci) {
        let projects = fd.projects.get(&k).map(Vec::as_slice).unwrap_or_default();
        let year = projects.iter().map(|p| p.year).max();
        let total: Option<f64> = year.map(|y| projects.iter().filter(|p| p.year == y).filter_map(|p| p.subsidy).sum());
        let millesime = year.map_or_else(|| "dernière année chargée".to_owned(), |y| format!("année {y}"));
        let fig = |id, label, value, unit| Figure { id, label, value, unit, decimals: 0, source: "detr-dsil", millesime: millesime.clone(), note: None };
        out.push(fig("detr_dsil_subventions", "Subventions DETR et DSIL", total.or(Some(0.0)).filter(|_| year.is_some()), "€"));
        out.push(fig("detr_dsil_projets", "Projets subventionnés DETR et DSIL", year.map(|y| projects.iter().filter(|p| p.year == y).count() as f64), "projets"));
        out.push(fig("detr_dsil_annee", "Subventions DETR et DSIL : année", year.map(f64::from), "année"));
    }
    out
}

/// A small line of the values over the exercices (SVG, no script).
fn sparkline(series: &[(u16, f64)], label: &str) -> Markup {
    if series.len() < 2 {
        return html! {};
    }
    let (w, h, pad) = (120.0, 32.0, 3.0);
    let min = series.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max = series.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = (f64::from(series[0].0), f64::from(series[series.len() - 1].0));
    let x = |y: u16| pad + (f64::from(y) - y0) / (y1 - y0).max(1.0) * (w - 2.0 * pad);
    let y = |v: f64| if max > min { h - pad - (v - min) / (max - min) * (h - 2.0 * pad) } else { h / 2.0 };
    let points: Vec<String> = series.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect();
    let title = format!(
        "{label}, par habitant : {}",
        series.iter().map(|(yr, v)| format!("{yr} : {} €", fmt_num(*v, 0))).collect::<Vec<_>>().join(" ; ")
    );
    html! {
        svg class="oc-sparkline" width="120" height="32" viewBox="0 0 120 32" role="img" aria-label=(title) {
            title { (title) }
            polyline fill="none" stroke="currentColor" stroke-width="1.5" points=(points.join(" ")) {}
            @for (yr, v) in series { circle cx=(format!("{:.1}", x(*yr))) cy=(format!("{:.1}", y(*v))) r="2" fill="currentColor" {} }
        }
    }
}

/// The section's HTML.
pub fn render(geo: &Geo, s: &FinanceSection, group: KindGroup) -> Markup {
    let ofgl = crate::fiche::data::source_info(geo, "ofgl");
    let dgf = crate::fiche::data::source_info(geo, "dgf-criteres");
    let grants = crate::fiche::data::source_info(geo, "detr-dsil");
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
                div class="fr-table fr-table--no-caption" {
                    table tabindex="0" class="oc-finances" {
                        caption { "Comptes consolidés" }
                        thead { tr {
                            th scope="col" { "Agrégat" } th scope="col" { "Exercice" } th scope="col" class="oc-num" { "Montant" }
                            th scope="col" class="oc-num" { "Par habitant" } th scope="col" class="oc-num" { "Moyenne de la strate" } th scope="col" { "Évolution (€/hab.)" }
                        } }
                        tbody {
                            @for r in &s.rows {
                                tr id=(format!("fin-{}", r.id)) {
                                    th scope="row" { (r.label) }
                                    td class="oc-year" { (r.year) @if r.older { br; span class="fr-badge fr-badge--sm fr-badge--warning" { "exercice plus ancien" } } }
                                    td class="oc-num" { (fmt_num(r.amount, 0)) " €" }
                                    td class="oc-num" { @if let Some(p) = r.per_inhabitant { (fmt_num(p, 0)) " €" } @else { "—" } }
                                    td class="oc-num" {
                                        @if let Some(a) = r.stratum_average {
                                            (fmt_num(a, 0)) " €"
                                            span class="fr-text--xs" { br; "strate " (r.strate.as_deref().unwrap_or("")) ", " (r.stratum_count.unwrap_or(0)) " collectivité(s)" }
                                        } @else { span title="moins de deux collectivités de la même strate dans les fichiers chargés" { "—" } }
                                    }
                                    td { (sparkline(&r.series, r.label)) }
                                }
                            }
                        }
                    }
                }
                @if !s.absent.is_empty() {
                    p class="fr-text--sm oc-absent" { "Non publiés pour cette collectivité dans les fichiers chargés : " (s.absent.join(", ")) "." }
                }
                @if let Some(o) = &ofgl {
                    p class="fr-text--xs oc-source" {
                        "Source : " a href=(o.url) rel="noopener" { (o.producer) } " — " (o.title) ", " (o.millesime)
                        ". Chaque agrégat est donné pour le dernier exercice chargé pour lui ; moyenne de la strate : total des montants sur total des populations des collectivités chargées de la même strate de population (code de strate de l'OFGL), donnée à partir de deux collectivités."
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
                        thead { tr { th scope="col" { "Part ou critère" } th scope="col" { "Année" } th scope="col" class="oc-num" { "Montant" } th scope="col" class="oc-num" { "Par habitant DGF" } } }
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
                    p class="fr-text--xs oc-source" { "Source : " a href=(d.url) rel="noopener" { (d.producer) } " — " (d.title) ", " (d.millesime) "." }
                }
            }
            @if matches!(group, KindGroup::Commune | KindGroup::Epci) && grants.is_some() {
                h3 class="fr-h5" { "Projets subventionnés (DETR, DSIL)" }
                @if s.projects.is_empty() {
                    p class="fr-text--sm" { "Aucun projet de cette collectivité dans les fichiers chargés." }
                } @else {
                    div class="fr-table fr-table--no-caption" {
                        table tabindex="0" class="oc-projects" {
                            caption { "Projets DETR et DSIL" }
                            thead { tr { th scope="col" { "Année" } th scope="col" { "Dotation" } th scope="col" { "Catégorie" } th scope="col" { "Projet" } th scope="col" class="oc-num" { "Coût" } th scope="col" class="oc-num" { "Subvention" } } }
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
                    p class="fr-text--xs oc-source" { "Source : " a href=(g.url) rel="noopener" { (g.producer) } " — " (g.title) ", " (g.millesime) "." }
                }
            }
        }
    }
}
