//! A query analysed once ([`Plan`]) and the tantivy queries built from it
//! (terms, prefixes as terms or term ranges, typo budgets).

use std::ops::Bound;

use tantivy::query::{Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use oc_model::text::expand_abbreviation;
use oc_model::KindGroup;

use super::names::read_query;
use super::schema::MAX_PREFIX;

/// Edits tolerated in a word: none below 4 chars, one up to 9, then two.
pub(super) fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    }
}

/// Terms of `full` starting with `prefix`: one term of `prefixes` when
/// short enough, a term range of `full` otherwise.
pub(super) fn starts_with(prefixes: Field, full: Field, prefix: &str) -> Box<dyn Query> {
    if prefix.chars().count() <= MAX_PREFIX {
        term_query(prefixes, prefix)
    } else {
        prefix_query(full, prefix)
    }
}

pub(super) fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// All terms of `field` starting with `prefix`, as a term range.
pub(super) fn prefix_query(field: Field, prefix: &str) -> Box<dyn Query> {
    let lower = Term::from_field_text(field, prefix);
    // The smallest string greater than every string with this prefix: the
    // last char incremented (UTF-8 byte order is code point order).
    let mut chars: Vec<char> = prefix.chars().collect();
    let upper = loop {
        match chars.pop() {
            None => break Bound::Unbounded,
            Some(c) => {
                let next = if c == '\u{D7FF}' { Some('\u{E000}') } else { char::from_u32(c as u32 + 1) };
                if let Some(next) = next {
                    chars.push(next);
                    break Bound::Excluded(Term::from_field_text(field, &chars.iter().collect::<String>()));
                }
            }
        }
    };
    Box::new(RangeQuery::new(Bound::Included(lower), upper))
}

/// The query ends with a separator: its last word is not to be completed.
pub(super) fn last_word_complete(raw: &str) -> bool {
    raw.chars().last().is_some_and(|c| !c.is_alphanumeric())
}

/// A user query, analysed once.
#[derive(Debug)]
pub(super) struct Plan {
    /// (word with abbreviations expanded, word as typed), folded.
    pub(super) words: Vec<(String, String)>,
    /// The words left once the designator and the leading article are
    /// removed ([`super::names::read_query`]), when some were.
    pub(super) core_words: Option<Vec<(String, String)>>,
    /// The query as written, compact.
    pub(super) compact: String,
    /// The query without designator nor leading article, compact.
    pub(super) core: String,
    /// The query with its long designator in the COG's short form, compact.
    pub(super) short: Option<String>,
    /// The kind of territory the designator names.
    pub(super) hint: Option<KindGroup>,
    /// The query ends with a separator: its last word is complete.
    pub(super) last_complete: bool,
    /// A code query (digits, or 2A/2B…), lower case, without spaces.
    pub(super) code: Option<String>,
}

fn is_code(squeezed: &str) -> bool {
    !squeezed.is_empty()
        && (squeezed.bytes().all(|b| b.is_ascii_digit())
            || (squeezed.starts_with("2a") || squeezed.starts_with("2b"))
                && squeezed[2..].bytes().all(|b| b.is_ascii_digit()))
}

impl Plan {
    pub(super) fn new(raw: &str, folded: &str) -> Plan {
        let words: Vec<(String, String)> = folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| (expand_abbreviation(w).unwrap_or(w).to_owned(), w.to_owned()))
            .collect();
        let compact: String = words.iter().map(|(w, _)| w.as_str()).collect();
        let expanded: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        let reading = read_query(&expanded);
        let core_words = (reading.core.len() < words.len()).then(|| words[reading.core.clone()].to_vec());
        let core: String = expanded[reading.core.clone()].concat();
        let squeezed = folded.replace(' ', "");
        // `département 34`: the code after a designator.
        let code = if is_code(&squeezed) {
            Some(squeezed)
        } else if reading.hint.is_some() && is_code(&core) {
            Some(core.clone())
        } else {
            None
        };
        Plan {
            words,
            core_words,
            compact,
            core,
            short: reading.short,
            hint: reading.hint,
            last_complete: last_word_complete(raw),
            code,
        }
    }

    /// The words tantivy must match: the core when the query has one.
    pub(super) fn word_sets(&self) -> impl Iterator<Item = &[(String, String)]> {
        std::iter::once(self.words.as_slice()).chain(self.core_words.as_deref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Exact,
    Fuzzy,
    Code,
}
