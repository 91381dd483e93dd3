//! The index schema and the document of each entry: folded words, the
//! compact name, codes, kind group and every short prefix as a term.

use std::collections::HashSet;

use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STRING};
use tantivy::TantivyDocument;

use oc_model::text::fold;
use oc_model::KindGroup;

use super::entries::Entry;
use super::names::long_words;

/// The fields of the territory index schema.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    /// Folded words of the name (whitespace-tokenised, already folded).
    pub(super) words: Field,
    /// The compact forms of the name (no separators: as written, without
    /// its article, without its designator), each one term.
    pub(super) compact: Field,
    /// Prefixed codes: `i:` INSEE, `s:` SIREN, `p:` postal, `d:` département,
    /// `r:` région, `a:` acronym.
    pub(super) codes: Field,
    /// `g:` + kind group, for filtering.
    pub(super) group: Field,
    /// Every prefix (up to [`MAX_PREFIX`] chars) of every word: a prefix
    /// query is then one term, not a range over thousands of terms.
    pub(super) word_prefixes: Field,
    /// Every prefix of the compact forms.
    pub(super) compact_prefixes: Field,
    /// Position of the entry in the in-memory table.
    pub(super) idx: Field,
}

/// Longest prefix indexed as a term; longer prefixes use a term range.
pub(super) const MAX_PREFIX: usize = 20;

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("whitespace").set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        words: b.add_text_field("words", words_opts),
        compact: b.add_text_field("compact", STRING),
        codes: b.add_text_field("codes", STRING),
        group: b.add_text_field("group", STRING),
        word_prefixes: b.add_text_field("word_prefixes", STRING),
        compact_prefixes: b.add_text_field("compact_prefixes", STRING),
        idx: b.add_u64_field("idx", FAST),
    };
    (b.build(), fields)
}

pub(super) fn doc_for(f: &Fields, i: usize, e: &Entry) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let folded = fold(&e.name);
    let mut text = folded.clone();
    if e.kind.group() == KindGroup::Epci {
        // `CC …` also answers to the words of `communauté de communes`.
        for w in long_words(folded.split(' ').next().unwrap_or_default()) {
            text.push(' ');
            text.push_str(w);
        }
    }
    doc.add_text(f.words, &text);
    doc.add_text(f.group, format!("g:{}", e.kind.group().as_str()));
    let mut seen = HashSet::new();
    for w in text.split(' ') {
        for p in prefixes(w) {
            if seen.insert(p) {
                doc.add_text(f.word_prefixes, p);
            }
        }
    }
    // The name as written, without its article, without its designator.
    let mut seen = HashSet::new();
    for form in e.names.forms() {
        doc.add_text(f.compact, form);
        for p in prefixes(form) {
            if seen.insert(p) {
                doc.add_text(f.compact_prefixes, p);
            }
        }
    }
    for a in &e.acronyms {
        doc.add_text(f.codes, format!("a:{a}"));
    }
    let code = e.code.to_ascii_lowercase();
    match e.kind.group() {
        KindGroup::Commune => {
            doc.add_text(f.codes, format!("i:{code}"));
            for p in &e.postal_codes {
                doc.add_text(f.codes, format!("p:{p}"));
            }
        }
        KindGroup::Epci => {}
        KindGroup::Departement => doc.add_text(f.codes, format!("d:{code}")),
        KindGroup::Region => doc.add_text(f.codes, format!("r:{code}")),
    }
    if let Some(s) = &e.siren {
        doc.add_text(f.codes, format!("s:{s}"));
    }
    doc.add_u64(f.idx, i as u64);
    doc
}

/// Version of [`schema`] and [`doc_for`]: bump it whenever either changes,
/// so that an index built by an older binary is rebuilt, never misread.
pub(super) const SCHEMA_VERSION: u32 = 3;

pub(super) fn payload(fingerprint: u64) -> String {
    format!("refdata:{fingerprint:016x};schema:{SCHEMA_VERSION}")
}

/// The prefixes of `s` of 1 to [`MAX_PREFIX`] chars.
pub(super) fn prefixes(s: &str) -> impl Iterator<Item = &str> {
    s.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .take(MAX_PREFIX)
        .map(move |i| &s[..i])
        .filter(|p| !p.is_empty())
}
