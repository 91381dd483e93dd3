//! Full-text faceted search over the publications index.
//!
//! The text query is French-aware (the index's analyser: case and accents
//! folded, stop words dropped, Snowball stems), every word is required
//! (falling back to any word when that finds nothing), `"phrases in
//! quotes"` match in order, and words of 7 letters or more tolerate one
//! typo. Filters: several values of one facet combine with OR, facets with
//! AND, and the counts of each facet are computed with every *other*
//! active filter applied ("multi-select" facets), in one pass over the
//! documents that match the text, by [`FacetCollector`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, Term};

use oc_library::store::Document;

use crate::publication_cache::{
    bump, year_slot, SegTable, TableCache, FIRST_YEAR, PUBLISHER_COLUMN, TABLE_FACETS, YEARS,
};
use crate::publication_query::{clauses, Clause, FUZZY_MIN_CHARS, MAX_CLAUSES, RANGE_BIT};
use crate::publications::PublicationsIndex;

pub use crate::publication_cache::{ResultCache, RESULT_CACHE_CAPACITY};
pub use crate::publication_query::{
    Facet, PubHit, PubQuery, PubResults, SearchError, Sort, MAX_PAGE, MAX_QUERY_CHARS, PER_PAGE,
};

impl PublicationsIndex {
    fn tokens(&self, text: &str) -> Vec<(usize, String)> {
        crate::publication_synonyms::analyse(&mut self.analyzer(), text)
    }

    /// The text part of a search: `None` for "everything". Every word is
    /// required (`all_words`; any of them otherwise), except a year, which
    /// only prefers the documents of that year; an acronym or its
    /// expansion found in the words (the [`Synonyms`](crate::publication_synonyms::Synonyms))
    /// is satisfied by any of its forms.
    fn text_query(&self, q: &str, all_words: bool) -> Option<Box<dyn Query>> {
        enum Item {
            Tok { tok: String, fuzzy: bool, year: Option<u64> },
            Phrase(Vec<(usize, String)>),
        }
        let f = self.fields();
        let fields = [(f.title, 3.0), (f.subjects, 2.0), (f.publisher_text, 1.5), (f.summary, 1.0)];
        let occur = if all_words { Occur::Must } else { Occur::Should };
        // A word found as typed needs no typo tolerance (which would visit
        // the documents of every neighbouring word).
        let searcher = self.searcher();
        let known = |tok: &str| {
            [f.title, f.summary]
                .iter()
                .any(|field| searcher.doc_freq(&Term::from_field_text(*field, tok)).unwrap_or(0) > 0)
        };
        let word = |tok: &str, fuzzy: bool| -> Box<dyn Query> {
            let fuzzy = fuzzy && !known(tok);
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in fields {
                let term = Term::from_field_text(field, tok);
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
                // Typo tolerance for long words only, token by token.
                if fuzzy && (field == f.title || field == f.summary) {
                    should.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(FuzzyTermQuery::new(term, 1, true)), boost * 0.3)),
                    ));
                }
            }
            Box::new(BooleanQuery::new(should))
        };
        let phrase = |toks: &[(usize, String)]| -> Box<dyn Query> {
            let should: Vec<(Occur, Box<dyn Query>)> = [(f.title, 3.0), (f.summary, 1.0), (f.subjects, 2.0)]
                .iter()
                .map(|(field, boost)| -> (Occur, Box<dyn Query>) {
                    let terms: Vec<(usize, Term)> =
                        toks.iter().map(|(pos, t)| (*pos, Term::from_field_text(*field, t))).collect();
                    (Occur::Should, Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset(terms)), *boost)))
                })
                .collect();
            Box::new(BooleanQuery::new(should))
        };
        let form = |toks: &[(usize, String)]| -> Box<dyn Query> {
            match toks {
                [(_, t)] => word(t, false),
                _ => phrase(toks),
            }
        };
        let mut items: Vec<Item> = Vec::new();
        for c in clauses(q).into_iter().take(MAX_CLAUSES) {
            match c {
                Clause::Word(w) => {
                    let long_word = w.chars().count() >= FUZZY_MIN_CHARS && !w.chars().any(|c| c.is_ascii_digit());
                    let year = (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
                        .then(|| w.parse::<u64>().ok())
                        .flatten()
                        .filter(|y| (1900..=2100).contains(y));
                    for (_, tok) in self.tokens(&w).into_iter().take(MAX_CLAUSES) {
                        let fuzzy = long_word && tok.chars().count() >= FUZZY_MIN_CHARS - 1;
                        items.push(Item::Tok { tok, fuzzy, year });
                    }
                }
                Clause::Phrase(p) => {
                    let mut toks: Vec<(usize, String)> = self.tokens(&p).into_iter().take(MAX_CLAUSES).collect();
                    match toks.len() {
                        0 => {}
                        1 => items.push(Item::Tok { tok: toks.remove(0).1, fuzzy: false, year: None }),
                        _ => items.push(Item::Phrase(toks)),
                    }
                }
            }
        }
        let synonyms = self.synonyms();
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < items.len() && must.len() < MAX_CLAUSES {
            if let Item::Phrase(toks) = &items[i] {
                must.push((occur, phrase(toks)));
                i += 1;
                continue;
            }
            // A run of words: the acronyms and expansions inside it.
            let end = (i..items.len()).find(|k| matches!(items[*k], Item::Phrase(_))).unwrap_or(items.len());
            let toks: Vec<String> = items[i..end]
                .iter()
                .map(|x| match x {
                    Item::Tok { tok, .. } => tok.clone(),
                    Item::Phrase(_) => String::new(),
                })
                .collect();
            let found = synonyms.find(&toks);
            let mut k = 0;
            while k < toks.len() {
                if must.len() >= MAX_CLAUSES {
                    break;
                }
                if let Some((_, n, g, matched)) = found.iter().find(|(at, _, _, _)| *at == k) {
                    // The best form counts: a document naming both the
                    // acronym and its expansion scores as one naming either.
                    let forms: Vec<Box<dyn Query>> = g.alternatives(*matched).into_iter().map(form).collect();
                    must.push((occur, Box::new(DisjunctionMaxQuery::new(forms))));
                    k += n;
                    continue;
                }
                if let Item::Tok { tok, fuzzy, year } = &items[i + k] {
                    match year {
                        // A year prefers its documents and those naming it.
                        Some(y) => {
                            let in_year: Box<dyn Query> = Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(Term::from_field_u64(f.year, *y), IndexRecordOption::Basic)),
                                2.0,
                            ));
                            must.push((
                                Occur::Should,
                                Box::new(BooleanQuery::new(vec![
                                    (Occur::Should, word(tok, false)),
                                    (Occur::Should, in_year),
                                ])),
                            ));
                        }
                        None => must.push((occur, word(tok, *fuzzy))),
                    }
                }
                k += 1;
            }
            i = end;
        }
        if must.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(must)))
        }
    }

    /// Runs a search, answering repeated ones from a cache that a new
    /// commit empties (the key holds the searcher generation).
    pub fn search(&self, q: &PubQuery) -> Result<PubResults, SearchError> {
        let generation = self.searcher().generation().generation_id();
        let key = format!("{generation}\u{1f}{q:?}");
        if let Some(r) = self.results_cache().get(&key) {
            return Ok(r);
        }
        let r = self.search_uncached(q)?;
        self.results_cache().put(key, generation, r.clone());
        Ok(r)
    }

    /// [`PublicationsIndex::search`] without the cache (benchmarks).
    pub fn search_uncached(&self, q: &PubQuery) -> Result<PubResults, SearchError> {
        if q.q.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError(format!("la recherche est trop longue (au plus {MAX_QUERY_CHARS} caractères)")));
        }
        if q.page == 0 || q.page > MAX_PAGE {
            return Err(SearchError(format!("page {} : choisissez une page entre 1 et {MAX_PAGE}", q.page)));
        }
        let has_text = !q.q.trim().is_empty();
        let text = self.text_query(&q.q, true);
        if has_text && text.is_none() {
            // Only stop words or punctuation: nothing to look for.
            return Ok(PubResults::default());
        }
        let first = self.run(q, text)?;
        if first.total == 0 && has_text && clauses(&q.q).len() > 1 {
            let mut relaxed = self.run(q, self.text_query(&q.q, false))?;
            relaxed.relaxed = relaxed.total > 0;
            if relaxed.total > 0 {
                return Ok(relaxed);
            }
        }
        Ok(first)
    }

    fn collect(
        &self,
        searcher: &tantivy::Searcher,
        q: &PubQuery,
        text: Option<Box<dyn Query>>,
        k: usize,
    ) -> Result<Fruit, SearchError> {
        self.collect_planned(searcher, q, text, k, true)
    }

    /// [`Self::collect`]; without `plan`, a search without text visits
    /// every document (what the plan must agree with, in tests).
    fn collect_planned(
        &self,
        searcher: &tantivy::Searcher,
        q: &PubQuery,
        text: Option<Box<dyn Query>>,
        k: usize,
        plan: bool,
    ) -> Result<Fruit, SearchError> {
        let has_text = text.is_some();
        let tables = self.tables();
        tables.retain(searcher);
        let (query, from_summary): (Box<dyn Query>, Option<Facet>) = match text {
            Some(t) => (t, None),
            None => match self.filter_plan(searcher, q, &tables).filter(|_| plan) {
                Some((driver, from_summary)) => (driver, from_summary),
                None => (Box::new(AllQuery), None),
            },
        };
        let collector = FacetCollector {
            q: q.clone(),
            k,
            sort: if has_text { q.effective_sort() } else { Sort::Date },
            tables,
            everything: !has_text && plan,
            from_summary,
        };
        searcher.search(&*query, &collector).map_err(|e| SearchError(format!("erreur de l'index : {e}")))
    }

    /// Which documents a search without text must visit, when its filters
    /// allow fewer than all. A document failing two filters is counted
    /// nowhere, so with two filters or more only the documents passing one
    /// of the two most selective are visited; with one filter, those
    /// passing it, the filter's own counts (every document) coming from
    /// the segments' summaries. `None`: visit everything (no filter, the
    /// fiches' filters, or filters that are not terms, like dates).
    fn filter_plan(
        &self,
        searcher: &tantivy::Searcher,
        q: &PubQuery,
        tables: &TableCache,
    ) -> Option<(Box<dyn Query>, Option<Facet>)> {
        if q.general_only || !q.about.is_empty() {
            return None;
        }
        let f = self.fields();
        let mut active = usize::from(q.from.is_some() || q.to.is_some());
        // Per filter: its terms and how many documents they hold.
        let mut drivers: Vec<(Facet, Vec<Term>, u64)> = Vec::new();
        for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
            let Some(wanted) = q.filters.get(facet).filter(|v| !v.is_empty()) else { continue };
            active += 1;
            let field = match facet {
                Facet::Theme => f.theme,
                Facet::Scope => f.scope,
                Facet::Type => f.resource_type,
                Facet::Publisher => f.publisher,
                Facet::Territory => f.area,
                Facet::Year => return None,
            };
            // Values typed by hand: the indexed values they fold to.
            let wanted: Vec<String> = wanted.iter().map(|x| oc_model::text::fold(x)).collect();
            let mut values: Vec<String> = Vec::new();
            for reader in searcher.segment_readers() {
                let col = &tables.get(reader).ok()?.facets[i];
                for (v, folded) in col.values.iter().zip(&col.folded) {
                    if wanted.contains(folded) && !values.contains(v) {
                        values.push(v.clone());
                    }
                }
            }
            let terms: Vec<Term> =
                values.iter().map(|v| Term::from_facet(field, &crate::publications::facet(v))).collect();
            let n = terms.iter().map(|t| searcher.doc_freq(t).unwrap_or(u64::MAX)).fold(0u64, u64::saturating_add);
            drivers.push((*facet, terms, n));
        }
        if let Some(years) = q.filters.get(&Facet::Year).filter(|v| !v.is_empty()) {
            active += 1;
            let terms: Vec<Term> =
                years.iter().filter_map(|y| y.parse::<u64>().ok()).map(|y| Term::from_field_u64(f.year, y)).collect();
            let n = terms.iter().map(|t| searcher.doc_freq(t).unwrap_or(u64::MAX)).fold(0u64, u64::saturating_add);
            drivers.push((Facet::Year, terms, n));
        }
        drivers.sort_by_key(|d| d.2);
        let (chosen, from_summary) = match active {
            0 => return None,
            1 => (drivers.get(..1)?, drivers.first().map(|d| d.0)),
            _ => (drivers.get(..2)?, None),
        };
        let should: Vec<(Occur, Box<dyn Query>)> = chosen
            .iter()
            .flat_map(|d| d.1.iter())
            .map(|t| -> (Occur, Box<dyn Query>) {
                (Occur::Should, Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)))
            })
            .collect();
        Some((Box::new(BooleanQuery::new(should)), from_summary))
    }

    /// Every document a search finds, in its order (exports).
    pub fn search_all(&self, q: &PubQuery) -> Result<(tantivy::Searcher, Vec<DocAddress>), SearchError> {
        if q.q.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError(format!("la recherche est trop longue (au plus {MAX_QUERY_CHARS} caractères)")));
        }
        let searcher = self.searcher();
        let k = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX).max(1);
        let mut fruit = self.collect(&searcher, q, self.text_query(&q.q, true), k)?;
        if fruit.total == 0 && !q.q.trim().is_empty() && clauses(&q.q).len() > 1 {
            fruit = self.collect(&searcher, q, self.text_query(&q.q, false), k)?;
        }
        Ok((searcher, fruit.top.into_iter().map(|(_, a)| a).collect()))
    }

    /// Up to `n` documents like `d` (its title's words, its thématiques
    /// and its publisher), best first, `d` left out: a notice's « Documents
    /// proches ».
    pub fn similar(&self, d: &Document, n: usize) -> Result<Vec<Document>, SearchError> {
        let f = self.fields();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (_, tok) in self.tokens(&d.title).into_iter().take(MAX_CLAUSES) {
            if tok.chars().count() < 3 || tok.chars().all(|c| c.is_ascii_digit()) || seen.contains(&tok) {
                continue;
            }
            for (field, boost) in [(f.title, 2.0), (f.summary, 1.0)] {
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(Term::from_field_text(field, &tok), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
            }
            seen.push(tok);
        }
        for t in &d.themes {
            should.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_facet(f.theme, &crate::publications::facet(t)),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if !d.publisher.is_empty() {
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_facet(f.publisher, &crate::publications::facet(&d.publisher)),
                        IndexRecordOption::Basic,
                    )),
                    0.5,
                )),
            ));
        }
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(should)) as Box<dyn Query>),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(Term::from_field_u64(f.id, d.id as u64), IndexRecordOption::Basic)),
            ),
        ]);
        let searcher = self.searcher();
        let top = searcher
            .search(&query, &tantivy::collector::TopDocs::with_limit(n).order_by_score())
            .map_err(|e| SearchError(format!("erreur de l'index : {e}")))?;
        Ok(top.into_iter().filter_map(|(_, a)| self.stored(&searcher, a)).collect())
    }

    fn run(&self, q: &PubQuery, text: Option<Box<dyn Query>>) -> Result<PubResults, SearchError> {
        let searcher = self.searcher();
        let k = q.page.saturating_mul(q.per_page.max(1));
        let fruit = self.collect(&searcher, q, text, k)?;
        let skip = (q.page - 1) * q.per_page;
        let mut hits = Vec::new();
        for (key, addr) in fruit.top.into_iter().skip(skip).take(q.per_page) {
            if let Some(doc) = self.stored(&searcher, addr) {
                hits.push(PubHit { doc, score: key.score });
            }
        }
        let mut facets = BTreeMap::new();
        for (facet, counts) in fruit.counts {
            let mut v: Vec<(String, usize)> = counts.into_iter().collect();
            if facet == Facet::Year {
                v.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            }
            facets.insert(facet, v);
        }
        Ok(PubResults { total: fruit.total, hits, facets, relaxed: false })
    }
}

/// A sort key: higher first.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key {
    /// Featured documents before the others.
    tier: bool,
    primary: f64,
    secondary: f64,
    /// Lower ids first on ties.
    id: u64,
    score: f32,
}

impl Key {
    /// The key of the date order: featured first, then newest, then the
    /// text score, then lower ids.
    fn by_date(tier: bool, date: u64, id: u64, score: Score) -> Key {
        Key { tier, primary: date as f64, secondary: f64::from(score), id, score }
    }
}

impl Eq for Key {}

impl Ord for Key {
    /// "Greater" is better.
    fn cmp(&self, o: &Self) -> Ordering {
        self.tier
            .cmp(&o.tier)
            .then_with(|| self.primary.total_cmp(&o.primary))
            .then_with(|| self.secondary.total_cmp(&o.secondary))
            .then_with(|| o.id.cmp(&self.id))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// A min-heap entry (the worst on top).
#[derive(Debug, PartialEq, Eq)]
struct Worst(Key, DocAddress);

impl Ord for Worst {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.cmp(&self.0)
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Collects the top `k` documents passing every filter, and the counts of
/// each facet under the other filters.
struct FacetCollector {
    q: PubQuery,
    k: usize,
    sort: Sort,
    tables: Arc<TableCache>,
    /// No text: the query matches every document.
    everything: bool,
    /// The one filter of a search without text, whose counts (every
    /// document) come from the segments' summaries (see `filter_plan`).
    from_summary: Option<Facet>,
}

struct Fruit {
    total: usize,
    top: Vec<(Key, DocAddress)>,
    counts: BTreeMap<Facet, HashMap<String, usize>>,
}

struct FacetSegment {
    seg: SegmentOrdinal,
    table: Arc<SegTable>,
    /// Per flat ordinal (see `SegTable::bases`): selected by a filter.
    selected: Vec<bool>,
    /// Territory ordinal → asked by `about` (`None`: no such filter).
    about: Option<Vec<bool>>,
    general_only: bool,
    /// The years the text names (relevance prefers their documents).
    years: Vec<u16>,
    /// The current year (the recency preference runs from 2000 to it).
    this_year: u16,
    /// Relevance puts documents about given territories after those
    /// useful to all, unless the search is about a territory.
    local_factor: f32,
    /// Publisher ordinal → named in the query (its documents first).
    named_publisher: Vec<bool>,
    /// Per table facet: ordinal → count.
    /// Per flat ordinal: count.
    counts: Vec<u32>,
    year_filter: Option<Vec<u16>>,
    /// Per year from [`FIRST_YEAR`]: count.
    year_counts: Vec<usize>,
    from: Option<u64>,
    to: Option<u64>,
    active: u8,
    /// Facets whose counts came from the segment's summary.
    counted: u8,
    sort: Sort,
    k: usize,
    heap: BinaryHeap<Worst>,
    total: usize,
}

impl Collector for FacetCollector {
    type Fruit = Fruit;
    type Child = FacetSegment;

    fn for_segment(&self, seg: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let table = self.tables.get(reader)?;
        let mut active = 0u8;
        let mut selected = Vec::with_capacity(table.bases[TABLE_FACETS.len()] as usize);
        let mut counts = vec![0u32; table.bases[TABLE_FACETS.len()] as usize];
        for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
            let col = &table.facets[i];
            let wanted = self.q.filters.get(facet).filter(|v| !v.is_empty());
            if wanted.is_some() {
                active |= facet.bit();
            }
            // Values typed by hand match whatever their case and accents.
            let wanted: Option<Vec<String>> = wanted.map(|w| w.iter().map(|x| oc_model::text::fold(x)).collect());
            selected.extend(col.folded.iter().map(|v| wanted.as_ref().is_some_and(|w| w.contains(v))));
        }
        let year_filter = self
            .q
            .filters
            .get(&Facet::Year)
            .filter(|v| !v.is_empty())
            .map(|v| v.iter().filter_map(|y| y.parse().ok()).collect::<Vec<u16>>());
        if year_filter.is_some() {
            active |= Facet::Year.bit();
        }
        if self.q.from.is_some() || self.q.to.is_some() {
            active |= RANGE_BIT;
        }
        let named_publisher: Vec<bool> = {
            let col = &table.facets[PUBLISHER_COLUMN];
            if self.q.q.trim().is_empty() {
                Vec::new()
            } else {
                let words = format!(" {} ", oc_model::text::fold(&self.q.q));
                col.folded.iter().map(|p| !p.is_empty() && words.contains(&format!(" {p} "))).collect()
            }
        };
        let about = (!self.q.about.is_empty())
            .then(|| table.territory.values.iter().map(|v| self.q.about.iter().any(|a| a == v)).collect());
        let mut year_counts = vec![0; YEARS];
        let mut counted = 0u8;
        if let Some(facet) = self.from_summary {
            let summary = table.summary(reader);
            match TABLE_FACETS.iter().position(|(f, _)| *f == facet) {
                Some(i) => {
                    let r = table.bases[i] as usize..table.bases[i + 1] as usize;
                    counts[r.clone()].copy_from_slice(&summary.counts[r]);
                }
                None => year_counts.clone_from(&summary.years),
            }
            counted = facet.bit();
        }
        Ok(FacetSegment {
            seg,
            table,
            selected,
            about,
            general_only: self.q.general_only,
            years: query_years(&self.q.q),
            this_year: this_year(),
            named_publisher,
            local_factor: if self.q.filters.contains_key(&Facet::Territory) || !self.q.about.is_empty() {
                1.0
            } else {
                LOCAL_FACTOR
            },
            counts,
            year_filter,
            year_counts,
            counted,
            from: self.q.from,
            to: self.q.to,
            active,
            sort: self.sort,
            k: self.k,
            heap: BinaryHeap::with_capacity(self.k.min(100_000) + 1),
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    /// As tantivy's own, except that a search with neither text nor filter
    /// reads the segment's summary and date order instead of visiting
    /// every document.
    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Fruit> {
        let mut c = self.for_segment(seg, reader)?;
        if self.everything && c.filters_nothing() {
            return Ok(c.harvest_everything(reader));
        }
        if self.from_summary.is_some() {
            // One filter, no text: the documents passing it, as a bit set.
            let max = reader.max_doc() as usize;
            let mut pass = vec![0u64; max.div_ceil(64)];
            let mut n = 0usize;
            weight.for_each_no_score(reader, &mut |docs| {
                for &d in docs {
                    if let Some(w) = pass.get_mut(d as usize / 64) {
                        *w |= 1 << (d % 64);
                        n += 1;
                    }
                }
            })?;
            if n * 2 > max {
                // Most pass: count those that do not, off the summary.
                return Ok(c.harvest_complement(reader, &pass));
            }
            let alive = reader.alive_bitset();
            for (i, w) in pass.iter().enumerate() {
                let mut w = *w;
                while w != 0 {
                    let d = (i * 64) as u32 + w.trailing_zeros();
                    w &= w - 1;
                    if alive.is_none_or(|a| a.is_alive(d)) {
                        c.collect(d, 0.0);
                    }
                }
            }
            return Ok(c.harvest());
        }
        match (reader.alive_bitset(), self.requires_scoring()) {
            (Some(alive), true) => weight.for_each(reader, &mut |d, s| {
                if alive.is_alive(d) {
                    c.collect(d, s);
                }
            })?,
            (Some(alive), false) => weight.for_each_no_score(reader, &mut |docs| {
                for &d in docs {
                    if alive.is_alive(d) {
                        c.collect(d, 0.0);
                    }
                }
            })?,
            (None, true) => weight.for_each(reader, &mut |d, s| c.collect(d, s))?,
            (None, false) => weight.for_each_no_score(reader, &mut |docs| c.collect_block(docs))?,
        }
        Ok(c.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut out = Fruit { total: 0, top: Vec::new(), counts: BTreeMap::new() };
        for f in fruits {
            out.total += f.total;
            out.top.extend(f.top);
            for (facet, counts) in f.counts {
                let e = out.counts.entry(facet).or_default();
                for (v, n) in counts {
                    *e.entry(v).or_default() += n;
                }
            }
        }
        out.top.sort_by_key(|t| std::cmp::Reverse(t.0));
        out.top.truncate(self.k);
        Ok(out)
    }
}

/// Relevance of a document about given territories, against one useful to
/// all, when the search names no territory.
const LOCAL_FACTOR: f32 = 0.7;

/// Relevance of a document whose publisher the query names (`Insee`,
/// `Cour des comptes`).
const PUBLISHER_FACTOR: f32 = 2.0;

/// The current year, from the system clock (UTC).
fn this_year() -> u16 {
    use chrono::Datelike;
    u16::try_from(chrono::Utc::now().year()).unwrap_or(2026)
}

/// The years a query names (`DGF 2024` → 2024).
fn query_years(q: &str) -> Vec<u16> {
    q.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<u16>().ok())
        .filter(|y| (1900..=2100).contains(y))
        .collect()
}

impl FacetSegment {
    /// What multiplies a document's text score: the year asked (1.5 for
    /// that year, less up to five years away), its being about given
    /// territories, its publisher named in the query, and a slight preference for recent documents (up to
    /// 1.1 for this decade), so that near ties go to the newest.
    fn relevance_factor(&self, t: &SegTable, d: usize, year: u16) -> f32 {
        let mut f = 1.0;
        if !t.general[d] && !t.territory.of(d).is_empty() {
            f *= self.local_factor;
        }
        if !self.named_publisher.is_empty()
            && t.facets[PUBLISHER_COLUMN]
                .of(d)
                .iter()
                .any(|&o| self.named_publisher.get(o as usize).copied().unwrap_or(false))
        {
            f *= PUBLISHER_FACTOR;
        }
        if year > 0 {
            if let Some(gap) = self.years.iter().map(|y| y.abs_diff(year)).min() {
                f *= 1.0 + 0.5 * (1.0 - f32::from(gap) / 5.0).max(0.0);
            }
            let span = f32::from(self.this_year.saturating_sub(2000).max(1));
            f *= 1.0 + 0.1 * (f32::from(year.saturating_sub(2000)) / span).min(1.0);
        }
        f
    }
}

impl FacetSegment {
    /// No filter of any kind: every live document is found.
    fn filters_nothing(&self) -> bool {
        self.active == 0 && !self.general_only && self.about.is_none()
    }

    /// The fruit of a search that finds every live document: the counts
    /// from the segment's summary, the first `k` from its date order.
    fn harvest_everything(mut self, reader: &SegmentReader) -> Fruit {
        let summary = self.table.summary(reader);
        self.total = summary.alive;
        self.counts.clone_from(&summary.counts);
        self.year_counts.clone_from(&summary.years);
        let bits = reader.alive_bitset();
        self.first_by_date(|d| !bits.is_some_and(|b| b.is_deleted(d)));
        self.harvest()
    }

    /// Keeps the first `k` documents of the date order that `keep` takes
    /// (a search without text: its order is the date order).
    fn first_by_date(&mut self, keep: impl Fn(u32) -> bool) {
        let t = self.table.clone();
        for &doc in t.by_date.iter().filter(|&&d| keep(d)).take(self.k) {
            let d = doc as usize;
            let key = Key::by_date(t.featured[d], u64::from(t.date[d]), u64::from(t.id[d]), 0.0);
            self.heap.push(Worst(key, DocAddress::new(self.seg, doc)));
        }
    }
}

impl FacetSegment {
    /// The fruit of a search without text whose one filter most documents
    /// pass (`pass`: a bit per document): the segment's summary, less the
    /// documents failing the filter (the filter's own counts stay those of
    /// every document); the first `k` from the date order.
    fn harvest_complement(mut self, reader: &SegmentReader, pass: &[u64]) -> Fruit {
        let t = self.table.clone();
        let summary = t.summary(reader);
        let passes = |d: u32| pass.get(d as usize / 64).is_some_and(|w| w & (1 << (d % 64)) != 0);
        let own = TABLE_FACETS.iter().position(|(f, _)| f.bit() == self.counted);
        let own_range = own.map_or(0..0, |i| t.bases[i]..t.bases[i + 1]);
        self.counts.clone_from(&summary.counts);
        self.year_counts.clone_from(&summary.years);
        let alive = reader.alive_bitset();
        let mut failing = 0usize;
        for d in 0..reader.max_doc() {
            if passes(d) || alive.is_some_and(|a| a.is_deleted(d)) {
                continue;
            }
            failing += 1;
            let d = d as usize;
            for &o in t.row(d) {
                if !own_range.contains(&o) {
                    if let Some(c) = self.counts.get_mut(o as usize) {
                        *c -= 1;
                    }
                }
            }
            if own.is_some() {
                if let Some(i) = year_slot(t.year[d]) {
                    self.year_counts[i] -= 1;
                }
            }
        }
        self.total = summary.alive - failing;
        self.first_by_date(|d| passes(d) && !alive.is_some_and(|a| a.is_deleted(d)));
        self.harvest()
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let d = doc as usize;
        let t = &*self.table;
        // The fiches' filters: out of every count, as the text is.
        if self.general_only && !t.general[d] {
            return;
        }
        if let Some(about) = &self.about {
            if !t.territory.of(d).iter().any(|&o| about[o as usize]) {
                return;
            }
        }
        // Which filters this document fails.
        let mut fail = 0u8;
        if self.active != 0 {
            for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
                if self.active & facet.bit() != 0 {
                    let base = t.bases[i] as usize;
                    if !t.facets[i]
                        .of(d)
                        .iter()
                        .any(|&o| self.selected.get(base + o as usize).copied().unwrap_or(false))
                    {
                        fail |= facet.bit();
                    }
                }
            }
        }
        let year = t.year[d];
        if let Some(ys) = &self.year_filter {
            if !ys.contains(&year) {
                fail |= Facet::Year.bit();
            }
        }
        let date = u64::from(t.date[d]);
        if self.active & RANGE_BIT != 0 {
            // A date known to the month or year covers that whole period.
            let last = if date % 10_000 == 0 {
                date + 1231
            } else if date % 100 == 0 {
                date + 31
            } else {
                date
            };
            if date == 0 || self.from.is_some_and(|f| last < f) || self.to.is_some_and(|to| date > to) {
                fail |= RANGE_BIT;
            }
        }
        // Failing two filters: counted nowhere.
        if fail & fail.wrapping_sub(1) != 0 {
            return;
        }
        // Counts: a facet counts the documents failing no other filter.
        if fail == 0 && self.counted == 0 {
            bump(&mut self.counts, t.row(d));
        } else {
            for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
                if fail & !facet.bit() == 0 && self.counted & facet.bit() == 0 {
                    let base = t.bases[i];
                    for &o in t.facets[i].of(d) {
                        if let Some(c) = self.counts.get_mut((base + o) as usize) {
                            *c += 1;
                        }
                    }
                }
            }
        }
        if fail & !Facet::Year.bit() == 0 && year > 0 && self.counted & Facet::Year.bit() == 0 {
            if let Some(i) = year_slot(year) {
                self.year_counts[i] += 1;
            }
        }
        if fail != 0 {
            return;
        }
        self.total += 1;
        if self.k == 0 {
            return;
        }
        let id = u64::from(t.id[d]);
        let tier = t.featured[d];
        let key = match self.sort {
            Sort::Relevance => {
                let factor = t.boost[d] * self.relevance_factor(t, d, year);
                Key { tier, primary: f64::from(score * factor), secondary: date as f64, id, score }
            }
            Sort::Date => Key::by_date(tier, date, id, score),
        };
        if self.heap.len() < self.k {
            self.heap.push(Worst(key, DocAddress::new(self.seg, doc)));
        } else if self.heap.peek().is_some_and(|w| key > w.0) {
            self.heap.pop();
            self.heap.push(Worst(key, DocAddress::new(self.seg, doc)));
        }
    }

    fn harvest(self) -> Fruit {
        let mut counts: BTreeMap<Facet, HashMap<String, usize>> = BTreeMap::new();
        for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
            let e = counts.entry(*facet).or_default();
            let base = self.table.bases[i] as usize;
            for (o, v) in self.table.facets[i].values.iter().enumerate() {
                let n = self.counts.get(base + o).copied().unwrap_or(0) as usize;
                if n > 0 {
                    *e.entry(v.clone()).or_default() += n;
                }
            }
        }
        counts.insert(
            Facet::Year,
            self.year_counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| ((FIRST_YEAR + i as u16).to_string(), *n))
                .collect(),
        );
        Fruit { total: self.total, top: self.heap.into_iter().map(|Worst(k, a)| (k, a)).collect(), counts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oc_library::store::{Harvested, Library, Override, Status};

    #[test]
    fn this_year_is_the_clock_s() {
        let y = this_year();
        assert!((2026..2100).contains(&y), "{y}");
    }

    /// A search without text gives the same documents and counts whether it
    /// visits every document or only those its filters need (several
    /// segments, deleted documents, values typed in another case).
    #[test]
    fn filter_plans_agree_with_visiting_every_document() {
        let dir = tempfile::tempdir().unwrap();
        let mut lib = Library::in_memory().unwrap();
        let index = PublicationsIndex::open(dir.path()).unwrap();
        let themes = ["Finances & Fiscalité", "Aide & Dotations", "Population", "Parité"];
        let types = ["Jeu de données", "Publication statistique", "Outil"];
        let publishers = ["DGCL", "Insee", "OFGL", "DREES"];
        let scopes = ["Communes", "Départements", "Régions"];
        let territories = ["REG-76", "DEP-34", "COM-34172"];
        let mut ids = Vec::new();
        for i in 0..300usize {
            let h = Harvested {
                url: format!("https://exemple.fr/{i}"),
                title: format!("Document {i}"),
                publisher: publishers[i % 4].into(),
                // One from the BNSP's old statistics.
                published: if i == 8 {
                    Some("1850".into())
                } else {
                    (i % 7 != 0).then(|| format!("{}-0{}", 2019 + i % 8, 1 + i % 9))
                },
                precision: (i % 7 != 0).then(|| "month".into()),
                resource_type: types[i % 3].into(),
                themes: if i % 5 == 0 {
                    vec![themes[i % 4].into(), themes[(i + 1) % 4].into()]
                } else {
                    vec![themes[i % 4].into()]
                },
                scope: if i % 6 == 0 { Vec::new() } else { vec![scopes[i % 3].into()] },
                territories: if i % 4 == 1 { vec![territories[i % 3].into()] } else { Vec::new() },
                ..Harvested::default()
            };
            ids.push(lib.upsert(&h, "s").unwrap().0);
            if i % 100 == 99 {
                // One commit, one segment.
                crate::publications::catch_up(&lib, &index).unwrap();
            }
        }
        for id in ids.iter().step_by(13) {
            lib.set_override(*id, &Override { status: Some(Status::Unpublished), ..Override::default() }).unwrap();
        }
        crate::publications::catch_up(&lib, &index).unwrap();
        let searcher = index.searcher();
        let years = index.search_uncached(&PubQuery::default()).unwrap().facets[&Facet::Year].clone();
        assert!(years.iter().any(|(y, n)| y == "1850" && *n == 1), "{years:?}");
        assert!(searcher.segment_readers().len() > 1, "several segments");
        assert!(searcher.segment_readers().iter().any(|r| r.num_deleted_docs() > 0), "deleted documents");
        let mut queries: Vec<PubQuery> = Vec::new();
        let filters: [&[(Facet, &[&str])]; 11] = [
            &[],
            &[(Facet::Theme, &["Population"])],
            &[(Facet::Theme, &["finances & fiscalite", "Parité"])],
            &[(Facet::Year, &["2021", "2024"])],
            &[(Facet::Type, &["Outil"]), (Facet::Publisher, &["Insee"])],
            &[(Facet::Territory, &["DEP-34"]), (Facet::Theme, &["Parité"]), (Facet::Year, &["2020"])],
            &[(Facet::Scope, &["Communes"]), (Facet::Type, &["Jeu de données"])],
            &[(Facet::Publisher, &["Personne"])],
            &[(Facet::Publisher, &["Personne"]), (Facet::Theme, &["Population"])],
            // Filters most documents pass: counted off the summary.
            &[(Facet::Scope, &["Communes", "Départements", "Régions"])],
            &[(Facet::Year, &["2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026"])],
        ];
        for f in filters {
            for (page, range) in [(1, false), (2, false), (1, true)] {
                let mut q = PubQuery { page, ..PubQuery::default() };
                for (facet, values) in f {
                    q.filters.insert(*facet, values.iter().map(|v| (*v).to_owned()).collect());
                }
                if range {
                    q.from = Some(20210101);
                }
                queries.push(q);
            }
        }
        for q in queries {
            let k = q.page * q.per_page.max(1);
            let fast = index.collect_planned(&searcher, &q, None, k, true).unwrap();
            let slow = index.collect_planned(&searcher, &q, None, k, false).unwrap();
            assert_eq!(fast.total, slow.total, "{q:?}");
            let top = |f: &Fruit| f.top.iter().map(|t| t.1).collect::<Vec<_>>();
            assert_eq!(top(&fast), top(&slow), "{q:?}");
            let counts = |f: &Fruit| {
                f.counts
                    .iter()
                    .map(|(k, v)| {
                        (
                            *k,
                            v.iter().filter(|(_, n)| **n > 0).map(|(a, n)| (a.clone(), *n)).collect::<BTreeMap<_, _>>(),
                        )
                    })
                    .collect::<BTreeMap<_, _>>()
            };
            assert_eq!(counts(&fast), counts(&slow), "{q:?}");
        }
    }
}
