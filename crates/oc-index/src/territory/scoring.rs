//! Our ranking of a matching entry: tiers (exact name, prefix, words,
//! codes), population and coverage; typo distance when fuzzy.

use super::entries::Entry;
use super::plan::{Mode, Plan};

/// Scores a matching entry; higher is better.
pub(super) fn score(e: &Entry, plan: &Plan, mode: Mode) -> f32 {
    let coverage = |q: &str| (q.len() as f32 / e.compact.len().max(1) as f32).min(1.0);
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
            tier * 100.0 + e.rank_base
        }
        Mode::Exact => {
            let tier = if e.compact == plan.compact {
                3.0
            } else if e.compact.starts_with(&plan.compact) {
                2.0
            } else {
                1.0
            };
            tier * 100.0 + e.rank_base + 3.0 * coverage(&plan.compact)
        }
        Mode::Fuzzy => {
            let n = e.compact.len().min(plan.compact.len() + 2);
            let head = e.compact.get(..n).unwrap_or(&e.compact);
            let distance = levenshtein(&plan.compact, head).min(levenshtein(&plan.compact, &e.compact));
            100.0 - 10.0 * distance as f32 + e.rank_base + 3.0 * coverage(&plan.compact)
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
