//! Small server-drawn charts: a value over the years as an SVG line with
//! its axes, first and last year and lowest and highest values written,
//! described by its accessible name, and the same values as a table, so
//! that none is only in the picture. No script; readable in print.

use maud::{html, Markup};

use crate::format::fmt_num;

/// A value of a series with its unit, the French way: `1 234 €/hab.`.
fn fmt_value(v: f64, unit: &str) -> String {
    format!("{} {unit}", fmt_num(v, 0))
}

/// The unit of a series in words, for the chart's description.
fn unit_words(unit: &str) -> String {
    match unit {
        "€/hab." => "en euros par habitant".to_owned(),
        "€" => "en euros".to_owned(),
        "hab." => "en habitants".to_owned(),
        u => format!("en {u}"),
    }
}

/// The values over the exercices: a small line chart (SVG, no script, no
/// style attribute) with the first and last exercice under its axis and
/// its lowest and highest values beside it, described by its `aria-label`,
/// then the same values as a table ("Voir les valeurs"), so that none is
/// only in the picture.
pub fn series(series: &[(u16, f64)], label: &str, unit: &str, x_header: &str) -> Markup {
    if series.len() < 2 {
        return html! {};
    }
    // The plot area: value labels on its left, years under it.
    let (w, h) = (236.0, 76.0);
    let (left, right, top, bottom) = (76.0, 228.0, 8.0, 56.0);
    let min = series.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max = series.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (first, last) = (series[0].0, series[series.len() - 1].0);
    let (y0, y1) = (f64::from(first), f64::from(last));
    // The points a little inside the axes.
    let (px0, px1, py0, py1) = (left + 6.0, right - 3.0, top + 2.0, bottom - 6.0);
    let x = |y: u16| px0 + (f64::from(y) - y0) / (y1 - y0).max(1.0) * (px1 - px0);
    let y = |v: f64| if max > min { py1 - (v - min) / (max - min) * (py1 - py0) } else { (py0 + py1) / 2.0 };
    let c = |v: f64| format!("{v:.1}");
    let points: Vec<String> = series.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect();
    let title = format!(
        "{label}, {} : {}",
        unit_words(unit),
        series.iter().map(|(yr, v)| format!("{yr} : {}", fmt_value(*v, unit))).collect::<Vec<_>>().join(" ; ")
    );
    html! {
        svg class="oc-sparkline" width=(w) height=(h) viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(title) {
            title { (title) }
            g stroke="currentColor" stroke-opacity="0.45" stroke-width="1" {
                line x1=(c(left)) y1=(c(bottom)) x2=(c(right)) y2=(c(bottom)) {}
                line x1=(c(left)) y1=(c(top)) x2=(c(left)) y2=(c(bottom)) {}
                @for (yr, _) in series { line x1=(c(x(*yr))) y1=(c(bottom)) x2=(c(x(*yr))) y2=(c(bottom + 3.0)) {} }
            }
            g fill="currentColor" font-size="9" {
                text class="oc-sparkline__max" x=(c(left - 4.0)) y=(c(y(max) + 3.0)) text-anchor="end" { (fmt_value(max, unit)) }
                @if max > min {
                    text class="oc-sparkline__min" x=(c(left - 4.0)) y=(c(y(min) + 3.0)) text-anchor="end" { (fmt_value(min, unit)) }
                }
                text class="oc-sparkline__first" x=(c(x(first))) y=(c(h - 6.0)) text-anchor="middle" { (first) }
                text class="oc-sparkline__last" x=(c(x(last))) y=(c(h - 6.0)) text-anchor="middle" { (last) }
            }
            polyline fill="none" stroke="currentColor" stroke-width="1.5" points=(points.join(" ")) {}
            @for (yr, v) in series { circle cx=(c(x(*yr))) cy=(c(y(*v))) r="2" fill="currentColor" {} }
        }
        details class="oc-series" {
            summary class="fr-text--xs" { "Voir les valeurs" }
            table class="oc-series-table fr-text--xs" {
                caption class="fr-sr-only" { (label) ", " (unit_words(unit)) }
                thead { tr { th scope="col" { (x_header) } th scope="col" class="oc-num" { (unit) } } }
                tbody {
                    @for (yr, v) in series { tr { th scope="row" { (yr) } td class="oc-num" { (fmt_value(*v, unit)) } } }
                }
            }
        }
    }
}
