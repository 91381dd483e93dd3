//! Our ranking of a matching entry: the match tier (exact name, the name
//! without its designator, prefix, words), plus the place's weight
//! (population in powers of ten, level, current or former commune), plus
//! how much of the name the query covers; typo distance when fuzzy.
//!
//! The tiers are spaced in powers of ten of population: a prefix match on
//! a place a hundred times larger outranks an exact match on a hamlet
//! (Évry-Courcouronnes before Évry, Yonne), while an exact match wins
//! among comparable places (the two large Saint-Denis, then the rest).

use super::entries::Entry;
use super::plan::{Mode, Plan};

/// The name as written, without its article, or the designator the query
/// names with the rest of the name (`Communauté de communes du Diois`), or
/// an acronym of the table.
pub(super) const EXACT: f32 = 6.0;
/// The name of an intercommunality without its designator, the query not
/// naming one (`lyon` → Métropole de Lyon): just below the city itself.
pub(super) const CORE: f32 = 5.0;
/// A name starting with the query.
pub(super) const PREFIX: f32 = 4.5;
/// A name holding every word of the query.
pub(super) const WORDS: f32 = 2.0;
/// How much the share of the name the query covers counts, at most.
pub(super) const COVERAGE: f32 = 0.4;
/// The kind of territory the query's designator names: above any other
/// (tier and weight together span less), so that « agglo Annecy » lists
/// the intercommunalities before the commune of Annecy.
pub(super) const HINTED: f32 = 12.0;
/// What a typo costs (fuzzy matching).
const PER_EDIT: f32 = 3.0;

/// The match tier of an entry for a name query.
pub(super) fn tier(e: &Entry, plan: &Plan) -> f32 {
    let n = &e.names;
    let hinted = plan.hint == Some(e.kind.group());
    // The core may be compared with names without their article unless the
    // query has an article of its own (`le puy` is not `Puy-de-Dôme`).
    let free = plan.hint.is_some() || plan.core == plan.compact;
    if plan.compact == n.full
        || plan.compact == n.bare
        || (free && plan.core == n.bare)
        || plan.short.as_deref() == Some(n.full.as_str())
        || (hinted && plan.core == n.core)
        || e.acronyms.contains(&plan.compact)
        || (free && e.acronyms.contains(&plan.core))
    {
        EXACT
    } else if (free && plan.core == n.core) || plan.compact == n.core {
        CORE
    } else if n.full.starts_with(&plan.compact)
        || (free && (n.bare.starts_with(&plan.core) || n.core.starts_with(&plan.core)))
        || plan.short.as_deref().is_some_and(|s| n.full.starts_with(s))
    {
        PREFIX
    } else {
        WORDS
    }
}

/// The part of the score that does not depend on the tier.
fn extra(e: &Entry, plan: &Plan) -> f32 {
    let coverage = (plan.core.len() as f32 / e.names.bare.len().max(1) as f32).min(1.0);
    let hinted = if plan.hint == Some(e.kind.group()) { HINTED } else { 0.0 };
    e.weight + COVERAGE * coverage + hinted
}

/// The most an entry of weight `weight` can score below the exact and
/// core tiers, for this query (the bound that lets a scan stop early).
pub(super) fn bound_below_core(plan: &Plan, weight: f32) -> f32 {
    PREFIX + weight + COVERAGE + if plan.hint.is_some() { HINTED } else { 0.0 }
}

/// Scores a matching entry; higher is better.
pub(super) fn score(e: &Entry, plan: &Plan, mode: Mode) -> f32 {
    match mode {
        Mode::Code => {
            let code = plan.code.as_deref().unwrap_or_default();
            let tier = if e.code.eq_ignore_ascii_case(code) || e.siren.as_deref() == Some(code) {
                3.0
            } else if e.postal_codes.iter().any(|p| p == code) {
                2.0
            } else {
                1.0
            };
            let hinted = if plan.hint == Some(e.kind.group()) { 1.0 } else { 0.0 };
            (tier + hinted) * 100.0 + e.weight
        }
        Mode::Exact => tier(e, plan) + extra(e, plan),
        Mode::Fuzzy => {
            let n = &e.names;
            let near = |q: &str, name: &str| {
                let len = name.len().min(q.len() + 2);
                let head = name.get(..len).unwrap_or(name);
                levenshtein(q, head).min(levenshtein(q, name))
            };
            let distance = near(&plan.compact, &n.full).min(near(&plan.core, &n.bare)).min(near(&plan.core, &n.core));
            EXACT - PER_EDIT * distance as f32 + extra(e, plan)
        }
    }
}

/// Levenshtein distance between two short strings (by chars).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
