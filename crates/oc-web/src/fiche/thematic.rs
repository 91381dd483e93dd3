//! Thematic maps: communes (of a département or an EPCI) or départements
//! (of a région, of France) coloured by one figure of the ranking tables,
//! in quantile classes whose bounds the legend states, chosen with a plain
//! GET form, each with its table twin (every value, its class).

use maud::{html, Markup};

use oc_model::Shape;
use oc_store::Geo;

use crate::fiche::context::{Indicator, Table};
use crate::format::fmt_num;
use crate::map::{self, Layer, MapCache, Raster};

/// The figures a map offers, first the default, where the table has them.
const MAP_IDS: [&str; 7] = [
    "densite",
    "evolution_2015_2021",
    "revenu_median",
    "taux_pauvrete",
    "taux_chomage_15_64",
    "dgf_par_habitant",
    "population",
];

/// CSS classes of the quantile classes, lightest first.
const CLASSES: [&str; 5] = ["oc-q0", "oc-q1", "oc-q2", "oc-q3", "oc-q4"];
const NO_DATA: &str = "oc-qnd";

/// The figures a map of this table offers.
pub fn choices(t: &Table) -> Vec<&Indicator> {
    MAP_IDS.iter().filter_map(|id| t.indicator(id)).collect()
}

/// The figure asked with `?carte=`, or the default; a French message for
/// one the map does not offer.
pub fn choice<'a>(t: &'a Table, asked: Option<&str>) -> Result<&'a Indicator, String> {
    let offered = choices(t);
    match asked.filter(|s| !s.is_empty()) {
        None => offered.first().copied().ok_or_else(|| "aucun indicateur à cartographier".to_owned()),
        Some(a) => offered.iter().copied().find(|i| i.id == a).ok_or_else(|| {
            format!(
                "carte « {a} » inconnue : valeurs possibles {}",
                offered.iter().map(|i| i.id).collect::<Vec<_>>().join(", ")
            )
        }),
    }
}

/// Quantile classes of `values`: (low, high, count) each, at most five,
/// fewer when the values are few or tied.
pub fn classes(values: &[f64]) -> Vec<(f64, f64, usize)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return Vec::new();
    }
    let k = CLASSES.len().min(n);
    let mut out: Vec<(f64, f64, usize)> = Vec::new();
    let mut start = 0;
    for j in 1..=k {
        let mut end = j * n / k;
        // A class never splits a value: ties stay together.
        while end < n && end > 0 && v[end] == v[end - 1] {
            end += 1;
        }
        if end <= start {
            continue;
        }
        out.push((v[start], v[end - 1], end - start));
        start = end;
    }
    out
}

/// The class index of `x`.
fn class_of(classes: &[(f64, f64, usize)], x: f64) -> usize {
    classes.iter().position(|(_, hi, _)| x <= *hi).unwrap_or(classes.len().saturating_sub(1))
}

/// The form choosing the figure (`carte`), sent to `action#carte`.
pub fn form(action: &str, t: &Table, current: &Indicator, keep: &[(&str, &str)]) -> Markup {
    html! {
        form class="fr-mb-2w oc-map-form" method="get" action=(format!("{action}#carte-thematique")) {
            @for (k, v) in keep { input type="hidden" name=(k) value=(v); }
            div class="fr-select-group" {
                label class="fr-label" for="carte" { "Figure cartographiée" }
                select class="fr-select" id="carte" name="carte" {
                    @for i in choices(t) { option value=(i.id) selected[i.id == current.id] { (i.label) } }
                }
            }
            button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" { "Afficher la carte" }
        }
    }
}

fn value_text(ind: &Indicator, v: f64) -> String {
    format!("{} {}", fmt_num(v, ind.decimals), oc_model::fr::unit(v, ind.unit))
}

/// Legend and table twin under a map.
fn legend(
    ind: &Indicator,
    cls: &[(f64, f64, usize)],
    rows: &[(String, String, Option<f64>)],
    none: usize,
    place: &str,
) -> Markup {
    let what = format!("{} — {place}", ind.label);
    html! {
        div class="oc-legend" {
            p class="fr-text--sm fr-mb-1v" { "Classes par quantiles (effectifs proches) :" }
            ul class="oc-legend__list fr-text--sm" {
                @for (j, (lo, hi, n)) in cls.iter().enumerate() {
                    li { span class=(format!("oc-swatch {}", CLASSES[j])) aria-hidden="true" {} (value_text(ind, *lo)) " à " (value_text(ind, *hi)) " (" (n) ")" }
                }
                @if none > 0 { li { span class=(format!("oc-swatch {NO_DATA}")) aria-hidden="true" {} "sans valeur publiée (" (none) ")" } }
            }
        }
        details class="oc-series" {
            summary class="fr-text--sm" { "Voir les valeurs de la carte" }
            div class="fr-table fr-table--no-caption" {
                table tabindex="0" {
                    caption { (what) }
                    thead { tr { th scope="col" { "Territoire" } th scope="col" class="oc-num" { (ind.label) } th scope="col" { "Classe" } } }
                    tbody {
                        @for (name, url, v) in rows {
                            tr {
                                th scope="row" { a href=(url) { (name) } }
                                td class="oc-num" { @match v { Some(v) => (value_text(ind, *v)), None => "—" } }
                                td { @match v { Some(v) => { (class_of(cls, *v) + 1) " sur " (cls.len()) }, None => "—" } }
                            }
                        }
                    }
                }
            }
        }
        p class="fr-text--xs oc-source" { "Source : " (ind.source_label()) ", millésime " (ind.vintage) "." }
    }
}

/// A map of départements (`members` of the département table),
/// coloured by `ind`; `key` names the set (`FR`, a région code) for the
/// kept raster; the métropole only for France, overseas départements in
/// the table.
pub fn departements_map(geo: &Geo, deps: &Table, ind: &Indicator, members: &[u32], key: &str, place: &str) -> Markup {
    let values: Vec<f64> = members.iter().filter_map(|i| ind.value(*i)).collect();
    let cls = classes(&values);
    let drawn: Vec<u32> =
        members.iter().copied().filter(|i| key != "FR" || deps.members[*i as usize].code.len() == 2).collect();
    let raster = geo.memo().get_or_make(&format!("raster départements {key}"), || {
        let groups: Vec<Vec<&Shape>> = drawn
            .iter()
            .map(|i| {
                geo.communes_of_departement(&deps.members[*i as usize].code)
                    .filter_map(|c| geo.contour(&c.code))
                    .collect()
            })
            .collect();
        if key == "FR" {
            Raster::new(&groups, 300.0, 300.0, 2.0)
        } else {
            Raster::new(&groups, 280.0, 260.0, 2.0)
        }
    });
    let class_fn = |g: usize| -> &'static str {
        match drawn.get(g).and_then(|i| ind.value(*i)) {
            Some(v) => CLASSES[class_of(&cls, v)],
            None => NO_DATA,
        }
    };
    let rows: Vec<(String, String, Option<f64>)> = members
        .iter()
        .map(|i| {
            let m = &deps.members[*i as usize];
            (format!("{} ({})", m.name, m.code), m.url.clone(), ind.value(*i))
        })
        .collect();
    let none = rows.iter().filter(|r| r.2.is_none()).count();
    let title = format!("Carte : {} par département — {place}", ind.label);
    let desc = format!(
        "{} des départements, en {} classes de couleur du plus clair (valeurs les plus faibles) au plus foncé ; \
         les valeurs sont dans le tableau qui suit.{}",
        ind.label,
        cls.len(),
        if key == "FR" { " Départements d'outre-mer : dans le tableau." } else { "" }
    );
    html! {
        figure class="fr-content-media oc-map-figure" id="carte-thematique" {
            @if let Some(r) = raster.as_ref() { (r.render("oc-tmap", &class_fn, &title, &desc)) }
            figcaption class="fr-content-media__caption" { (title) }
        }
        (legend(ind, &cls, &rows, none, place))
    }
}

/// A map of communes (`codes`), coloured by `ind`, kept under `key`.
pub fn communes_map(
    geo: &Geo,
    maps: &MapCache,
    communes: &Table,
    ind: &Indicator,
    codes: &[&str],
    key: &str,
    place: &str,
) -> Markup {
    let value = |code: &str| communes.member(code).and_then(|i| ind.value(i));
    let values: Vec<f64> = codes.iter().filter_map(|c| value(c)).collect();
    let cls = classes(&values);
    let title = format!("Carte : {} par commune — {place}", ind.label);
    let desc = format!(
        "{} des communes, en {} classes de couleur du plus clair (valeurs les plus faibles) au plus foncé ; les \
         valeurs sont dans le tableau qui suit.",
        ind.label,
        cls.len()
    );
    let base = maps.get_or_make(&format!("thematic:{key}:{}", ind.id), || {
        let mut layers: Vec<Layer<'_>> = CLASSES.iter().map(|c| Layer { class: c, shapes: Vec::new() }).collect();
        layers.push(Layer { class: NO_DATA, shapes: Vec::new() });
        for c in codes {
            let Some(s) = geo.contour(c) else { continue };
            let k = value(c).map_or(CLASSES.len(), |v| class_of(&cls, v));
            layers[k].shapes.push((s, None));
        }
        map::BaseMap::new(&layers, 560.0, 520.0, 1.0)
    });
    let rows: Vec<(String, String, Option<f64>)> = codes
        .iter()
        .filter_map(|c| communes.member(c))
        .map(|i| {
            let m = &communes.members[i as usize];
            (m.name.clone(), m.url.clone(), ind.value(i))
        })
        .collect();
    let none = rows.iter().filter(|r| r.2.is_none()).count();
    html! {
        figure class="fr-content-media oc-map-figure" id="carte-thematique" {
            @if let Some(b) = base { (b.render_as("oc-tmap", &[], &title, &desc)) }
            figcaption class="fr-content-media__caption" { (title) }
        }
        (legend(ind, &cls, &rows, none, place))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_classes_keep_ties_together_and_cover_every_value() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let c = classes(&v);
        assert_eq!(c.len(), 5);
        assert_eq!(c[0], (1.0, 2.0, 2));
        assert_eq!(c[4], (9.0, 10.0, 2));
        let tied = [1.0, 1.0, 1.0, 1.0, 5.0];
        let c = classes(&tied);
        assert_eq!(c.iter().map(|x| x.2).sum::<usize>(), 5);
        assert_eq!(c[0], (1.0, 1.0, 4));
        assert_eq!(class_of(&c, 5.0), c.len() - 1);
    }
}
