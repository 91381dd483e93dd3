//! Acronyms and their expansions, as the search reads them: a query with
//! `DGF` also finds « dotation globale de fonctionnement », and the
//! reverse. The list is the librarians' (kept in the library store, seeded
//! from the one shipped with the catalogue); this module turns it into
//! token sequences of the index's analyser, and finds them in a query.
//! A stage of the search, before `publication_search` builds the query.

use tantivy::tokenizer::TextAnalyzer;

/// One acronym and its expansions, analysed: each a sequence of
/// `(position, token)` (positions keep the gaps of removed stop words, for
/// phrase queries). The acronym stands for every expansion; an expansion
/// only for itself and the acronym (`CA`: « communauté d'agglomération »
/// and « compte administratif » are not synonyms of each other).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// The acronym first, then the expansions.
    pub(crate) forms: Vec<Vec<(usize, String)>>,
}

impl Group {
    /// The forms a query's form `k` may be matched by.
    pub(crate) fn alternatives(&self, k: usize) -> Vec<&[(usize, String)]> {
        if k == 0 {
            self.forms.iter().map(Vec::as_slice).collect()
        } else {
            [0, k].iter().filter_map(|i| self.forms.get(*i)).map(Vec::as_slice).collect()
        }
    }
}

/// Every group, analysed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Synonyms {
    pub(crate) groups: Vec<Group>,
}

/// The `(position, token)` of a text through an analyser (the query's
/// words and the synonyms' forms alike).
pub(crate) fn analyse(a: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut s = a.token_stream(text);
    let mut out = Vec::new();
    while s.advance() {
        let t = s.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

impl Synonyms {
    /// From `(acronym, expansions)` rows; forms that analyse to nothing
    /// (only stop words) are left out.
    pub fn new(analyzer: &mut TextAnalyzer, rows: &[(String, Vec<String>)]) -> Synonyms {
        let mut groups = Vec::new();
        for (acronym, expansions) in rows {
            let mut forms: Vec<Vec<(usize, String)>> = Vec::new();
            for f in std::iter::once(acronym).chain(expansions) {
                let toks = analyse(analyzer, f);
                if !toks.is_empty() && !forms.iter().any(|x| same(x, &toks)) {
                    forms.push(toks);
                }
            }
            if forms.len() > 1 {
                groups.push(Group { forms });
            }
        }
        Synonyms { groups }
    }

    /// The groups met in a sequence of query tokens: `(start, length,
    /// group, form)`, longest match first at each place, never
    /// overlapping.
    pub(crate) fn find(&self, tokens: &[String]) -> Vec<(usize, usize, &Group, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut best: Option<(usize, &Group, usize)> = None;
            for g in &self.groups {
                for (k, f) in g.forms.iter().enumerate() {
                    let n = f.len();
                    if n > best.map_or(0, |b| b.0)
                        && i + n <= tokens.len()
                        && f.iter().zip(&tokens[i..i + n]).all(|((_, a), b)| a == b)
                    {
                        best = Some((n, g, k));
                    }
                }
            }
            match best {
                Some((n, g, k)) => {
                    out.push((i, n, g, k));
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }
}

fn same(a: &[(usize, String)], b: &[(usize, String)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.1 == y.1)
}
