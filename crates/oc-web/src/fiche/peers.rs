//! What a commune is best compared with, each one click from the
//! comparison: the communes sharing a border with it (from the contours),
//! those of its population stratum in its département (the closest in
//! population first) and the other members of its EPCI.

use maud::{html, Markup};

use oc_model::{Kind, KindGroup};
use oc_store::Geo;

use crate::fiche::context::{stratum_label, tables, Level, NO_STRATUM};
use crate::fiche::Fiche;
use crate::format::fmt_int;

/// Names shown per list.
const SHOWN: usize = 12;

/// A list of peers: (code, name, url, population).
type Peers = Vec<(String, String, String, Option<u64>)>;

fn compare_url(me: &str, peers: &Peers) -> String {
    let codes = std::iter::once(me).chain(peers.iter().take(3).map(|p| p.0.as_str()));
    crate::fiche::compare_url(Some(oc_model::KindGroup::Commune), codes, "")
}

/// The three lists of a commune: neighbours, stratum in its département,
/// EPCI members.
pub fn lists(geo: &Geo, f: &Fiche) -> Vec<(String, Peers)> {
    let Some(c) = geo.commune(&f.code).filter(|c| c.kind == Kind::Commune) else { return Vec::new() };
    let t = tables(geo);
    let communes = t.table(Level::Commune);
    let peer = |code: &str| -> Option<(String, String, String, Option<u64>)> {
        let k = geo.commune(code)?;
        Some((k.code.clone(), k.name.clone(), crate::fiche::url_commune(k), k.population.map(u64::from)))
    };
    let by_pop = |v: &mut Peers| v.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| a.1.cmp(&b.1)));
    let mut out = Vec::new();
    let mut neighbours: Peers = geo.neighbours(&c.code).iter().filter_map(|n| peer(n)).collect();
    by_pop(&mut neighbours);
    if !neighbours.is_empty() {
        out.push(("Communes voisines (limitrophes)".to_owned(), neighbours));
    }
    if let Some(me) =
        communes.member(&c.code).map(|i| &communes.members[i as usize]).filter(|m| m.stratum != NO_STRATUM)
    {
        let pop = me.population.unwrap_or(0) as i64;
        let mut same: Peers = communes
            .members
            .iter()
            .filter(|m| m.dep == me.dep && m.stratum == me.stratum && m.code != me.code)
            .map(|m| (m.code.clone(), m.name.clone(), m.url.clone(), m.population))
            .collect();
        same.sort_by_key(|p| ((p.3.unwrap_or(0) as i64 - pop).abs(), p.1.clone()));
        if !same.is_empty() {
            let dep = geo.departement(&me.dep).map(|d| oc_model::fr::de(&d.name, d.type_liaison)).unwrap_or_default();
            out.push((
                format!(
                    "Même strate {dep} ({}), les plus proches en population",
                    stratum_label(Level::Commune, me.stratum)
                ),
                same,
            ));
        }
    }
    if let Some(e) = c.epci.as_deref().and_then(|e| geo.epci(e)) {
        let mut members: Peers = e.membres.iter().filter(|m| **m != c.code).filter_map(|m| peer(m)).collect();
        by_pop(&mut members);
        if !members.is_empty() {
            out.push((format!("Autres communes de {}", e.name), members));
        }
    }
    out
}

/// The section of a commune fiche.
pub fn section(geo: &Geo, f: &Fiche) -> Markup {
    if f.group != KindGroup::Commune {
        return html! {};
    }
    let lists = lists(geo, f);
    if lists.is_empty() {
        return html! {};
    }
    html! {
        section class="fr-mt-4w" aria-labelledby="comparer-titre" {
            h2 id="comparer-titre" { "Comparer avec…" }
            div class="fr-grid-row fr-grid-row--gutters" {
                @for (title, peers) in &lists {
                    div class="fr-col-12 fr-col-md-4" {
                        h3 class="fr-h6" { (title) }
                        p class="fr-text--sm" { (oc_model::fr::count(peers.len() as u64, "commune", "communes")) }
                        ul class="fr-text--sm" {
                            @for (_, name, url, pop) in peers.iter().take(SHOWN) {
                                li { a href=(url) { (name) } @if let Some(p) = pop { " (" (fmt_int(*p)) " hab.)" } }
                            }
                        }
                        a class="fr-btn fr-btn--sm fr-btn--secondary" href=(compare_url(&f.code, peers)) {
                            "Comparer avec " (if peers.len() >= 3 { "les 3 premières" } else if peers.len() == 2 { "ces 2 communes" } else { "cette commune" })
                            span class="fr-sr-only" { " — " (title) }
                        }
                    }
                }
            }
        }
    }
}
