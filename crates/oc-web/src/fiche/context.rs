//! Every figure in context: the same figure for the territories above
//! (reference values), its ranks in its département (or région), its
//! population stratum and France, and its national centile.
//!
//! The tables are made once per version of the reference data
//! ([`tables`], kept in the [`oc_store::Memo`]): every commune, EPCI,
//! département and région fiche is built once and its numeric figures
//! gathered by id; each figure's values are sorted once per group. A fiche
//! then reads its context by binary search ([`apply`]). Ranks go by
//! decreasing value (1 is the highest); territories sharing a value share
//! its rank (the next rank skips them, as in a sports table); secret and
//! missing values are left out of the ranking and counted apart.

use std::collections::HashMap;
use std::sync::Arc;

use oc_model::{fr, Kind, KindGroup};
use oc_store::Geo;

use crate::fiche::data::{self, Fiche, LinkRole};
use crate::fiche::figure::{Figure, FigureContext, Rank, RefLevel, RefValue, Scope, Section};

/// A level that is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Commune,
    Epci,
    Departement,
    Region,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Commune, Level::Epci, Level::Departement, Level::Region];

    /// From `?niveau=`.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "commune" | "communes" => Level::Commune,
            "epci" => Level::Epci,
            "departement" | "departements" => Level::Departement,
            "region" | "regions" => Level::Region,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Commune => "commune",
            Level::Epci => "epci",
            Level::Departement => "departement",
            Level::Region => "region",
        }
    }

    /// The plural noun: `communes`.
    pub fn plural(self) -> &'static str {
        match self {
            Level::Commune => "communes",
            Level::Epci => "intercommunalités",
            Level::Departement => "départements",
            Level::Region => "régions",
        }
    }

    pub fn group(self) -> KindGroup {
        match self {
            Level::Commune => KindGroup::Commune,
            Level::Epci => KindGroup::Epci,
            Level::Departement => KindGroup::Departement,
            Level::Region => KindGroup::Region,
        }
    }

    fn of(group: KindGroup) -> Level {
        match group {
            KindGroup::Commune => Level::Commune,
            KindGroup::Epci => Level::Epci,
            KindGroup::Departement => Level::Departement,
            KindGroup::Region => Level::Region,
        }
    }
}

/// Population strata of EPCI (population municipale), our bands.
const EPCI_STRATA: [(u64, Option<u64>); 7] = [
    (0, Some(14_999)),
    (15_000, Some(29_999)),
    (30_000, Some(49_999)),
    (50_000, Some(99_999)),
    (100_000, Some(199_999)),
    (200_000, Some(299_999)),
    (300_000, None),
];

/// Population strata of départements, our bands.
const DEP_STRATA: [(u64, Option<u64>); 4] =
    [(0, Some(249_999)), (250_000, Some(499_999)), (500_000, Some(999_999)), (1_000_000, None)];

fn band_of(bands: &[(u64, Option<u64>)], pop: u64) -> usize {
    bands.iter().rposition(|(lo, _)| pop >= *lo).unwrap_or(0)
}

/// The stratum of a level in words: `communes de 2 000 à 3 499 habitants`.
pub fn stratum_label(level: Level, stratum: usize) -> String {
    if level == Level::Commune {
        if let Some(l) = oc_model::finance::stratum_label("COM", &stratum.to_string()) {
            return l;
        }
    }
    let bands: &[(u64, Option<u64>)] = match level {
        Level::Epci => &EPCI_STRATA,
        _ => &DEP_STRATA,
    };
    let noun = level.plural();
    let f = fr::fmt_int;
    match bands.get(stratum) {
        Some((0, Some(hi))) => format!("{noun} de moins de {} habitants", f(hi + 1)),
        Some((lo, Some(hi))) => format!("{noun} de {} à {} habitants", f(*lo), f(*hi)),
        Some((lo, None)) => format!("{noun} de {} habitants et plus", f(*lo)),
        None => noun.to_owned(),
    }
}

/// The number of strata of a level (none for régions).
pub fn strata_count(level: Level) -> usize {
    match level {
        Level::Commune => oc_model::finance::COMMUNE_STRATA_COUNT,
        Level::Epci => EPCI_STRATA.len(),
        Level::Departement => DEP_STRATA.len(),
        Level::Region => 0,
    }
}

/// The stratum of a territory without a population.
pub const NO_STRATUM: usize = usize::MAX;

/// A ranked territory.
#[derive(Debug, Clone)]
pub struct Member {
    pub code: String,
    pub name: String,
    pub url: String,
    /// Its département (communes; an EPCI's: the one holding most of its
    /// population).
    pub dep: String,
    pub reg: String,
    /// A commune's EPCI.
    pub epci: Option<String>,
    pub stratum: usize,
    pub population: Option<u64>,
}

/// One figure over every territory of a level.
#[derive(Debug)]
pub struct Indicator {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub decimals: usize,
    pub source: &'static str,
    pub section: Section,
    /// The vintage of the first territory that has it.
    pub vintage: String,
    /// By member (NaN: none; 8 bytes a value, for 35,000 communes × some
    /// 70 figures).
    values: Vec<f64>,
    /// Members whose value is withheld (sorted).
    pub secret: Vec<u32>,
    /// Members with a value, by decreasing value then name.
    pub order: Vec<u32>,
    national: Vec<f64>,
    by_dep: HashMap<String, Vec<f64>>,
    by_reg: HashMap<String, Vec<f64>>,
    by_stratum: Vec<Vec<f64>>,
    /// While building: members whose value is of another vintage
    /// (accounts of another exercice).
    other_vintages: Vec<(u32, String)>,
}

impl Indicator {
    /// The value of member `i`.
    pub fn value(&self, i: u32) -> Option<f64> {
        self.values.get(i as usize).copied().filter(|v| !v.is_nan())
    }

    /// The producer's short name.
    pub fn source_label(&self) -> &'static str {
        oc_model::sources::dataset(self.source).map_or(self.source, |d| d.short)
    }

    pub fn is_secret(&self, i: u32) -> bool {
        self.secret.binary_search(&i).is_ok()
    }
}

/// Every figure of one level.
#[derive(Debug)]
pub struct Table {
    pub level: Level,
    pub members: Vec<Member>,
    index: HashMap<String, u32>,
    pub indicators: Vec<Indicator>,
}

impl Table {
    pub fn member(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        let id = canonical(id);
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The value of figure `id` for `code`: `Some((value, secret))` where
    /// the figure is defined for it.
    pub fn value(&self, code: &str, id: &str) -> Option<(Option<f64>, bool)> {
        let (i, ind) = (self.member(code)?, self.indicator(id)?);
        let v = ind.value(i);
        let s = ind.is_secret(i);
        (v.is_some() || s).then_some((v, s))
    }
}

/// The tables of every level, and the France fiche's figures.
#[derive(Debug)]
pub struct Tables {
    pub communes: Table,
    pub epci: Table,
    pub departements: Table,
    pub regions: Table,
    france: HashMap<&'static str, (Option<f64>, bool)>,
}

impl Tables {
    pub fn table(&self, level: Level) -> &Table {
        match level {
            Level::Commune => &self.communes,
            Level::Epci => &self.epci,
            Level::Departement => &self.departements,
            Level::Region => &self.regions,
        }
    }
}

/// The tables of this version of the data, made on first use (the server
/// asks for them at start, off the request path: [`crate::prepare`]).
pub fn tables(geo: &Geo) -> Arc<Tables> {
    geo.memo().get_or_make("context tables", || build(geo))
}

/// Whether a figure is ranked and given references: numbers only (not
/// years, not classes in words).
fn comparable(f: &Figure) -> bool {
    f.text.is_none() && f.unit != "année" && (f.value.is_some() || f.secret)
}

/// The indicator a figure id belongs to: a density or an area computed
/// on the contour (where the official area is missing) is the same
/// figure as the official one, ranked and mapped with it.
pub fn canonical(id: &str) -> &str {
    match id {
        "densite_contour" => "densite",
        "superficie_contour" => "superficie",
        other => other,
    }
}

/// A value rounded as it is shown: values that read the same tie.
fn shown(v: f64, decimals: usize) -> f64 {
    let r = 10f64.powi(decimals.min(6) as i32);
    let x = (v * r).round() / r;
    if x == 0.0 {
        0.0
    } else {
        x
    }
}

struct Builder {
    level: Level,
    members: Vec<Member>,
    indicators: Vec<Indicator>,
}

impl Builder {
    fn new(level: Level) -> Builder {
        Builder { level, members: Vec::new(), indicators: Vec::new() }
    }

    fn add(&mut self, m: Member, figures: &[Figure]) {
        let i = self.members.len();
        self.members.push(m);
        for f in figures.iter().filter(|f| comparable(f)) {
            let id = canonical(f.id);
            let k = match self.indicators.iter().position(|x| x.id == id) {
                Some(k) => k,
                None => {
                    self.indicators.push(Indicator {
                        id,
                        label: f.label,
                        unit: f.unit,
                        decimals: f.decimals,
                        source: f.source,
                        section: f.section(),
                        vintage: f.vintage.clone(),
                        values: Vec::new(),
                        secret: Vec::new(),
                        order: Vec::new(),
                        national: Vec::new(),
                        by_dep: HashMap::new(),
                        by_reg: HashMap::new(),
                        by_stratum: Vec::new(),
                        other_vintages: Vec::new(),
                    });
                    self.indicators.len() - 1
                }
            };
            let ind = &mut self.indicators[k];
            ind.values.resize(i + 1, f64::NAN);
            ind.values[i] = f.value.filter(|v| v.is_finite()).map_or(f64::NAN, |v| shown(v, f.decimals));
            // A collectivité's accounts are of its latest exercice, which
            // is not every one's: only one exercice is ranked.
            if f.section() == Section::Finances && f.vintage != ind.vintage {
                ind.other_vintages.push((i as u32, f.vintage.clone()));
            }
            if f.secret {
                ind.secret.push(i as u32);
            }
        }
    }

    fn finish(self) -> Table {
        let Builder { level, members, mut indicators } = self;
        let n = members.len();
        let names: Vec<String> = members.iter().map(|m| oc_model::text::fold(&m.name)).collect();
        for ind in &mut indicators {
            ind.values.resize(n, f64::NAN);
            one_vintage(ind);
            let mut order: Vec<u32> = (0..n as u32).filter(|i| !ind.values[*i as usize].is_nan()).collect();
            let v = |i: u32| ind.values[i as usize];
            order.sort_by(|a, b| v(*b).total_cmp(&v(*a)).then_with(|| names[*a as usize].cmp(&names[*b as usize])));
            ind.national = order.iter().map(|i| v(*i)).collect();
            ind.by_stratum = vec![Vec::new(); strata_count(level).max(1)];
            for &i in &order {
                let m = &members[i as usize];
                ind.by_dep.entry(m.dep.clone()).or_default().push(v(i));
                // Only départements are ranked in their région.
                if level == Level::Departement {
                    ind.by_reg.entry(m.reg.clone()).or_default().push(v(i));
                }
                if let Some(s) = ind.by_stratum.get_mut(m.stratum) {
                    s.push(v(i));
                }
            }
            ind.order = order;
        }
        let index = members.iter().enumerate().map(|(i, m)| (m.code.clone(), i as u32)).collect();
        Table { level, members, index, indicators }
    }
}

/// Keeps the values of the most common vintage only (ties: the newest),
/// so that a ranking never mixes exercices; its vintage is that one.
fn one_vintage(ind: &mut Indicator) {
    let odd = std::mem::take(&mut ind.other_vintages);
    if odd.is_empty() {
        return;
    }
    let with_value = |i: u32| !ind.values[i as usize].is_nan() || ind.secret.binary_search(&i).is_ok();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let odd_members: std::collections::HashSet<u32> = odd.iter().map(|(i, _)| *i).collect();
    let first = (0..ind.values.len() as u32).filter(|i| with_value(*i) && !odd_members.contains(i)).count();
    counts.insert(ind.vintage.as_str(), first);
    for (i, v) in &odd {
        if with_value(*i) {
            *counts.entry(v.as_str()).or_default() += 1;
        }
    }
    let Some(best) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0))).map(|(v, _)| (*v).to_owned())
    else {
        return;
    };
    let vintage_of: HashMap<u32, &str> = odd.iter().map(|(i, v)| (*i, v.as_str())).collect();
    let keep = |i: u32| vintage_of.get(&i).copied().unwrap_or(ind.vintage.as_str()) == best;
    let drop: Vec<u32> = (0..ind.values.len() as u32).filter(|i| !keep(*i)).collect();
    for i in &drop {
        ind.values[*i as usize] = f64::NAN;
    }
    ind.secret.retain(|i| drop.binary_search(i).is_err());
    ind.vintage = best;
}

fn build(geo: &Geo) -> Tables {
    let mut communes = Builder::new(Level::Commune);
    for c in geo.data.communes.iter().filter(|c| c.kind == Kind::Commune && c.zone != "com") {
        if geo.com_of_commune(c).is_some() {
            continue;
        }
        let f = data::commune(geo, c);
        let pop = c.population.map(u64::from);
        communes.add(
            Member {
                code: c.code.clone(),
                name: c.name.clone(),
                url: f.url.clone(),
                dep: c.departement.clone(),
                reg: c.region.clone(),
                epci: c.epci.clone(),
                stratum: pop.map_or(NO_STRATUM, oc_model::finance::commune_stratum),
                population: pop,
            },
            &f.figures,
        );
    }
    let mut epci = Builder::new(Level::Epci);
    for e in geo.data.epci.iter().filter(|e| e.kind == Kind::Epci) {
        // Its département: the one holding most of its population.
        let mut by_dep: Vec<(&str, &str, u64)> = Vec::new();
        for c in e.membres.iter().filter_map(|m| geo.commune(m)) {
            let p = u64::from(c.population.unwrap_or(0));
            match by_dep.iter_mut().find(|(d, _, _)| *d == c.departement) {
                Some(x) => x.2 += p,
                None => by_dep.push((&c.departement, &c.region, p)),
            }
        }
        let Some((dep, reg, _)) = by_dep.iter().max_by_key(|x| x.2).copied() else { continue };
        if geo.departement(dep).is_some_and(|d| d.zone == "com") {
            continue;
        }
        let f = data::epci(geo, e);
        let pop = f.figures.iter().find(|x| x.id == "population").and_then(|x| x.value).map(|v| v as u64);
        epci.add(
            Member {
                code: e.code.clone(),
                name: e.name.clone(),
                url: f.url.clone(),
                dep: dep.to_owned(),
                reg: reg.to_owned(),
                epci: None,
                stratum: pop.map_or(NO_STRATUM, |p| band_of(&EPCI_STRATA, p)),
                population: pop,
            },
            &f.figures,
        );
    }
    let mut deps = Builder::new(Level::Departement);
    for d in geo.data.departements.iter().filter(|d| d.zone != "com") {
        let f = data::departement(geo, d);
        deps.add(
            Member {
                code: d.code.clone(),
                name: d.name.clone(),
                url: f.url.clone(),
                dep: d.code.clone(),
                reg: d.region.clone(),
                epci: None,
                stratum: band_of(&DEP_STRATA, d.population.unwrap_or(0)),
                population: d.population,
            },
            &f.figures,
        );
    }
    let mut regs = Builder::new(Level::Region);
    for r in geo.data.regions.iter().filter(|r| r.zone != "com") {
        let f = data::region(geo, r);
        regs.add(
            Member {
                code: r.code.clone(),
                name: r.name.clone(),
                url: f.url.clone(),
                dep: String::new(),
                reg: r.code.clone(),
                epci: None,
                stratum: 0,
                population: r.population,
            },
            &f.figures,
        );
    }
    let france = data::france(geo)
        .figures
        .iter()
        .filter(|f| comparable(f))
        .map(|f| (canonical(f.id), (f.value.map(|v| shown(v, f.decimals)), f.secret)))
        .collect();
    Tables {
        communes: communes.finish(),
        epci: epci.finish(),
        departements: deps.finish(),
        regions: regs.finish(),
        france,
    }
}

/// 1 + the number of values above `v` in `sorted` (decreasing), and
/// whether another shares `v`.
fn rank_in(sorted: &[f64], v: f64) -> (u32, bool) {
    let above = sorted.partition_point(|x| *x > v);
    let at_or_above = sorted.partition_point(|x| *x >= v);
    ((above + 1) as u32, at_or_above - above > 1)
}

/// The national centile of `v` among `sorted` (decreasing): the share of
/// values below it, ties counting half, from 1 to 100.
pub fn centile(sorted: &[f64], v: f64) -> u8 {
    let n = sorted.len();
    if n == 0 {
        return 0;
    }
    let above = sorted.partition_point(|x| *x > v);
    let at_or_above = sorted.partition_point(|x| *x >= v);
    let below = n - at_or_above;
    let equal = at_or_above - above;
    let c = (100.0 * (below as f64 + equal as f64 / 2.0) / n as f64).round();
    c.clamp(1.0, 100.0) as u8
}

/// The address of a ranking: `/classements/{id}?niveau=commune&dans=DEP-31`.
pub fn ranking_url(level: Level, id: &str, within: Option<&str>, stratum: Option<usize>) -> String {
    let mut u = format!("/classements/{id}?niveau={}", level.as_str());
    if let Some(w) = within {
        u.push_str("&dans=");
        u.push_str(w);
    }
    if let Some(s) = stratum {
        u.push_str(&format!("&strate={s}"));
    }
    u
}

/// `communes de la Haute-Garonne`, `départements d'Occitanie`.
pub fn group_label(geo: &Geo, level: Level, within: &str) -> Option<String> {
    let noun = level.plural();
    if within == "FR" {
        return Some(format!("{noun} de France"));
    }
    let (kind, code) = within.split_once('-')?;
    Some(match kind {
        "DEP" => {
            let d = geo.departement(code)?;
            format!("{noun} {}", fr::de(&d.name, d.type_liaison))
        }
        "REG" => {
            let r = geo.region(code)?;
            format!("{noun} {}", fr::de(&r.name, r.type_liaison))
        }
        "EPCI" if level == Level::Commune => {
            let e = geo.epci(code)?;
            format!("communes membres de {}", e.name)
        }
        _ => return None,
    })
}

/// The ranks of member `i` for one indicator.
fn ranks_of(geo: &Geo, t: &Table, ind: &Indicator, i: u32) -> (Vec<Rank>, Option<u8>) {
    let Some(v) = ind.value(i) else { return (Vec::new(), None) };
    let m = &t.members[i as usize];
    let mut out = Vec::new();
    let mut push = |scope, sorted: Option<&Vec<f64>>, group: Option<String>, url: String| {
        if let (Some(sorted), Some(group)) = (sorted, group) {
            let (rank, tied) = rank_in(sorted, v);
            out.push(Rank { scope, rank, of: sorted.len() as u32, tied, group, url });
        }
    };
    match t.level {
        Level::Commune | Level::Epci => {
            let within = format!("DEP-{}", m.dep);
            push(
                Scope::Departement,
                ind.by_dep.get(&m.dep),
                group_label(geo, t.level, &within),
                ranking_url(t.level, ind.id, Some(&within), None),
            );
        }
        Level::Departement => {
            let within = format!("REG-{}", m.reg);
            push(
                Scope::Region,
                ind.by_reg.get(&m.reg),
                group_label(geo, t.level, &within),
                ranking_url(t.level, ind.id, Some(&within), None),
            );
        }
        Level::Region => {}
    }
    if t.level != Level::Region {
        push(
            Scope::Strate,
            ind.by_stratum.get(m.stratum),
            Some(stratum_label(t.level, m.stratum)),
            ranking_url(t.level, ind.id, None, Some(m.stratum)),
        );
    }
    push(Scope::France, Some(&ind.national), group_label(geo, t.level, "FR"), ranking_url(t.level, ind.id, None, None));
    (out, Some(centile(&ind.national, v)))
}

/// The territories above a fiche whose figures are its references.
fn above(f: &Fiche) -> Vec<(RefLevel, Level, String, String, String)> {
    let mut out = Vec::new();
    for l in &f.parents {
        let level = match l.role {
            LinkRole::Epci => (RefLevel::Epci, Level::Epci),
            LinkRole::Departement | LinkRole::Circonscription => (RefLevel::Departement, Level::Departement),
            LinkRole::Region => (RefLevel::Region, Level::Region),
            _ => continue,
        };
        out.push((level.0, level.1, l.code.clone(), l.name.clone(), l.url.clone()));
    }
    out
}

/// Whether a figure means the same at the levels above (additive counts
/// and rates from them): not a collectivité's own accounts (compared with
/// its stratum in its section), nor the syndicats a commune belongs to.
pub fn has_references(f: &Figure, group: KindGroup) -> bool {
    f.section() != Section::Finances && !(group == KindGroup::Commune && f.id == "syndicats")
}

/// Sets each figure's context on a fiche: references (the same figure
/// above it, where defined there) and, for communes, EPCI and
/// départements, ranks and centile. Cheap: reads the [`tables`].
pub fn apply(geo: &Geo, f: &mut Fiche) {
    if f.kind == oc_model::FicheKind::France || f.kind == oc_model::FicheKind::CollectiviteOutreMer {
        return;
    }
    let t = tables(geo);
    let level = Level::of(f.group);
    let own = t.table(level);
    let me = own.member(&f.code);
    let above = above(f);
    // France's figures cover the métropole and the DOM only.
    let overseas = match f.group {
        KindGroup::Commune => geo.commune(&f.code).is_some_and(|c| c.zone == "com"),
        KindGroup::Departement => geo.departement(&f.code).is_some_and(|d| d.zone == "com"),
        _ => false,
    };
    let france = !overseas;
    for fig in f.figures.iter_mut().filter(|x| comparable(x)) {
        let mut ctx = FigureContext::default();
        if has_references(fig, f.group) {
            for (rl, l, code, name, url) in &above {
                if let Some((value, secret)) = t.table(*l).value(code, fig.id) {
                    ctx.references.push(RefValue {
                        level: *rl,
                        code: code.clone(),
                        name: name.clone(),
                        url: url.clone(),
                        value,
                        secret,
                    });
                }
            }
            if let Some((value, secret)) = t.france.get(canonical(fig.id)).copied().filter(|_| france) {
                ctx.references.push(RefValue {
                    level: RefLevel::France,
                    code: data::FRANCE.to_owned(),
                    name: "France".to_owned(),
                    url: data::FRANCE_URL.to_owned(),
                    value,
                    secret,
                });
            }
        }
        if let (Some(i), Some(ind)) = (me, own.indicator(fig.id)) {
            if level != Level::Region {
                let (ranks, centile) = ranks_of(geo, own, ind, i);
                ctx.ranks = ranks;
                ctx.centile = centile;
            }
        }
        if !ctx.references.is_empty() || !ctx.ranks.is_empty() {
            fig.context = Some(Box::new(ctx));
        }
    }
}

/// The reference columns of a fiche, in order (the levels its figures'
/// references come from): what the page and the exports show.
pub fn reference_levels(f: &Fiche) -> Vec<(RefLevel, String, String)> {
    let mut out: Vec<(RefLevel, String, String)> = Vec::new();
    for fig in &f.figures {
        for r in fig.context.iter().flat_map(|c| &c.references) {
            if !out.iter().any(|(l, code, _)| *l == r.level && *code == r.code) {
                out.push((r.level, r.code.clone(), r.name.clone()));
            }
        }
    }
    let order = |l: RefLevel| l as u8;
    out.sort_by_key(|(l, _, _)| order(*l));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties_and_skip_after_them() {
        let sorted = [9.0, 7.0, 7.0, 7.0, 3.0];
        assert_eq!(rank_in(&sorted, 9.0), (1, false));
        assert_eq!(rank_in(&sorted, 7.0), (2, true));
        assert_eq!(rank_in(&sorted, 3.0), (5, false));
    }

    #[test]
    fn centiles_count_ties_half() {
        let sorted: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(centile(&sorted, 100.0), 100);
        assert_eq!(centile(&sorted, 1.0), 1);
        assert_eq!(centile(&sorted, 50.0), 50);
        // All equal: the middle.
        assert_eq!(centile(&[2.0, 2.0, 2.0, 2.0], 2.0), 50);
    }

    #[test]
    fn strata_are_named() {
        assert_eq!(stratum_label(Level::Epci, 0), "intercommunalités de moins de 15\u{202f}000 habitants");
        assert_eq!(stratum_label(Level::Departement, 3), "départements de 1\u{202f}000\u{202f}000 habitants et plus");
        assert_eq!(band_of(&EPCI_STRATA, 15_000), 1);
    }
}
