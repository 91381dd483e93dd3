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
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Facet as TFacet, IndexRecordOption};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, Term};

use oc_library::store::Document;

use crate::publications::PublicationsIndex;

/// Results per page.
pub const PER_PAGE: usize = 20;
/// Deepest page served.
pub const MAX_PAGE: usize = 500;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 300;
/// Most words and phrases in a query.
pub const MAX_CLAUSES: usize = 24;
/// Words this long (in characters) tolerate one typo.
pub const FUZZY_MIN_CHARS: usize = 7;

/// The facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    Theme,
    Scope,
    Type,
    Publisher,
    Year,
    Territory,
}

impl Facet {
    pub const ALL: [Facet; 6] =
        [Facet::Theme, Facet::Scope, Facet::Type, Facet::Publisher, Facet::Year, Facet::Territory];

    /// Its URL parameter.
    pub fn param(self) -> &'static str {
        match self {
            Facet::Theme => "theme",
            Facet::Scope => "scope",
            Facet::Type => "type",
            Facet::Publisher => "publisher",
            Facet::Year => "year",
            Facet::Territory => "territory",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

const RANGE_BIT: u8 = 1 << 7;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    Relevance,
    Date,
}

/// A search.
#[derive(Debug, Clone, PartialEq)]
pub struct PubQuery {
    pub q: String,
    /// Selected values per facet (years as text).
    pub filters: BTreeMap<Facet, Vec<String>>,
    /// Publication date bounds, `YYYYMMDD` (inclusive).
    pub from: Option<u64>,
    pub to: Option<u64>,
    /// `None`: relevance with a query, date without.
    pub sort: Option<Sort>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
}

impl Default for PubQuery {
    fn default() -> Self {
        PubQuery {
            q: String::new(),
            filters: BTreeMap::new(),
            from: None,
            to: None,
            sort: None,
            page: 1,
            per_page: PER_PAGE,
        }
    }
}

impl PubQuery {
    /// The order actually used.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(if self.q.trim().is_empty() { Sort::Date } else { Sort::Relevance })
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PubHit {
    pub doc: Document,
    pub score: f32,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PubResults {
    pub total: usize,
    pub hits: Vec<PubHit>,
    /// Per facet, `(value, count)`, most frequent first (years: newest
    /// first).
    pub facets: BTreeMap<Facet, Vec<(String, usize)>>,
    /// Nothing had every word: these results have some of them.
    pub relaxed: bool,
}

/// A query that cannot run, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SearchError(pub String);

enum Clause {
    Word(String),
    Phrase(String),
}

fn clauses(q: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let parts: Vec<&str> = q.split('"').collect();
    let balanced = parts.len() % 2 == 1;
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && (balanced || i + 1 < parts.len()) {
            if !part.trim().is_empty() {
                out.push(Clause::Phrase(part.trim().to_owned()));
            }
        } else {
            out.extend(part.split_whitespace().map(|w| Clause::Word(w.to_owned())));
        }
    }
    out
}

impl PublicationsIndex {
    fn tokens(&self, text: &str) -> Vec<(usize, String)> {
        let mut a = self.analyzer();
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let t = s.token();
            out.push((t.position, t.text.clone()));
        }
        out
    }

    /// The text part of a search: `None` for "everything".
    fn text_query(&self, q: &str, all_words: bool) -> Option<Box<dyn Query>> {
        let f = self.fields();
        let fields = [(f.title, 3.0), (f.subjects, 2.0), (f.publisher_text, 1.5), (f.summary, 1.0)];
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in clauses(q).into_iter().take(MAX_CLAUSES) {
            if must.len() >= MAX_CLAUSES {
                break;
            }
            match c {
                Clause::Word(w) => {
                    let long_word = w.chars().count() >= FUZZY_MIN_CHARS && !w.chars().any(|c| c.is_ascii_digit());
                    for (_, tok) in self.tokens(&w).into_iter().take(MAX_CLAUSES) {
                        // Typo tolerance for long words only, token by token.
                        let fuzzy = long_word && tok.chars().count() >= FUZZY_MIN_CHARS - 1;
                        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                        for (field, boost) in fields {
                            let term = Term::from_field_text(field, &tok);
                            should.push((
                                Occur::Should,
                                Box::new(BoostQuery::new(
                                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                                    boost,
                                )),
                            ));
                            if fuzzy && (field == f.title || field == f.summary) {
                                should.push((
                                    Occur::Should,
                                    Box::new(BoostQuery::new(
                                        Box::new(FuzzyTermQuery::new(term, 1, true)),
                                        boost * 0.3,
                                    )),
                                ));
                            }
                        }
                        must.push((
                            if all_words { Occur::Must } else { Occur::Should },
                            Box::new(BooleanQuery::new(should)),
                        ));
                    }
                }
                Clause::Phrase(p) => {
                    let toks: Vec<(usize, String)> = self.tokens(&p).into_iter().take(MAX_CLAUSES).collect();
                    if toks.len() < 2 {
                        if let Some((_, t)) = toks.into_iter().next() {
                            let should: Vec<(Occur, Box<dyn Query>)> = fields
                                .iter()
                                .map(|(field, boost)| -> (Occur, Box<dyn Query>) {
                                    (
                                        Occur::Should,
                                        Box::new(BoostQuery::new(
                                            Box::new(TermQuery::new(
                                                Term::from_field_text(*field, &t),
                                                IndexRecordOption::WithFreqs,
                                            )),
                                            *boost,
                                        )),
                                    )
                                })
                                .collect();
                            must.push((
                                if all_words { Occur::Must } else { Occur::Should },
                                Box::new(BooleanQuery::new(should)),
                            ));
                        }
                        continue;
                    }
                    let should: Vec<(Occur, Box<dyn Query>)> = [(f.title, 3.0), (f.summary, 1.0), (f.subjects, 2.0)]
                        .iter()
                        .map(|(field, boost)| -> (Occur, Box<dyn Query>) {
                            let terms: Vec<(usize, Term)> =
                                toks.iter().map(|(pos, t)| (*pos, Term::from_field_text(*field, t))).collect();
                            (
                                Occur::Should,
                                Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset(terms)), *boost)),
                            )
                        })
                        .collect();
                    must.push((
                        if all_words { Occur::Must } else { Occur::Should },
                        Box::new(BooleanQuery::new(should)),
                    ));
                }
            }
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
        let has_text = text.is_some();
        let query: Box<dyn Query> = text.unwrap_or_else(|| Box::new(AllQuery));
        let tables = self.tables();
        tables.retain(searcher);
        let collector =
            FacetCollector { q: q.clone(), k, sort: if has_text { q.effective_sort() } else { Sort::Date }, tables };
        searcher.search(&*query, &collector).map_err(|e| SearchError(format!("erreur de l'index : {e}")))
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

    /// The open-data platforms (type « Plateforme open data ») whose
    /// territories include one of `covering` (all platforms when empty),
    /// by title.
    pub fn platforms(&self, covering: &[String]) -> Result<Vec<Document>, SearchError> {
        let f = self.fields();
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_facet(f.resource_type, &crate::publications::facet("Plateforme open data")),
                IndexRecordOption::Basic,
            )),
        )];
        if !covering.is_empty() {
            let should: Vec<(Occur, Box<dyn Query>)> = covering
                .iter()
                .map(|c| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_facet(f.territory, &crate::publications::facet(c)),
                            IndexRecordOption::Basic,
                        )),
                    )
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        let searcher = self.searcher();
        let hits = searcher
            .search(&BooleanQuery::new(must), &tantivy::collector::DocSetCollector)
            .map_err(|e| SearchError(format!("erreur de l'index : {e}")))?;
        let mut docs: Vec<Document> = hits.into_iter().filter_map(|a| self.stored(&searcher, a)).collect();
        docs.sort_by_key(|d| d.title.to_lowercase());
        Ok(docs)
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

/// Searches kept by the result cache.
pub const RESULT_CACHE_CAPACITY: usize = 512;

/// Recent results, first in first out, for one searcher generation.
#[derive(Debug)]
pub struct ResultCache {
    inner: Mutex<(u64, HashMap<String, PubResults>, std::collections::VecDeque<String>)>,
    capacity: std::sync::atomic::AtomicUsize,
}

impl Default for ResultCache {
    fn default() -> Self {
        ResultCache { inner: Mutex::default(), capacity: std::sync::atomic::AtomicUsize::new(RESULT_CACHE_CAPACITY) }
    }
}

impl ResultCache {
    /// Searches kept (0 disables the cache).
    pub fn set_capacity(&self, n: usize) {
        self.capacity.store(n, std::sync::atomic::Ordering::Relaxed);
        let mut g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1.clear();
        g.2.clear();
    }

    fn get(&self, key: &str) -> Option<PubResults> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1.get(key).cloned()
    }

    fn put(&self, key: String, generation: u64, r: PubResults) {
        let capacity = self.capacity.load(std::sync::atomic::Ordering::Relaxed);
        if capacity == 0 {
            return;
        }
        let mut g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if g.0 != generation {
            // A commit happened: everything cached is stale.
            g.0 = generation;
            g.1.clear();
            g.2.clear();
        }
        if g.1.contains_key(&key) {
            return;
        }
        while g.2.len() >= capacity {
            match g.2.pop_front() {
                Some(old) => {
                    g.1.remove(&old);
                }
                None => break,
            }
        }
        g.2.push_back(key.clone());
        g.1.insert(key, r);
    }
}

/// The facet fields of the collector, in table order.
const TABLE_FACETS: [(Facet, &str); 5] = [
    (Facet::Theme, "theme"),
    (Facet::Scope, "scope"),
    (Facet::Type, "resource_type"),
    (Facet::Publisher, "publisher"),
    (Facet::Territory, "area"),
];

/// One facet of one segment, flattened: the values of document `d` are
/// `ords[offsets[d]..offsets[d + 1]]`, indexes into `values`.
#[derive(Debug)]
struct FacetColumn {
    values: Vec<String>,
    offsets: Vec<u32>,
    ords: Vec<u32>,
}

/// Everything the collector reads of one segment, in plain memory. Built
/// once per segment (segments never change; deletions are applied by the
/// searcher) and kept until the segment leaves the index.
#[derive(Debug)]
pub struct SegTable {
    facets: Vec<FacetColumn>,
    year: Vec<u16>,
    date: Vec<u32>,
    id: Vec<u32>,
    /// Featured ("à la une") documents first.
    featured: Vec<bool>,
    /// Relevance multiplier from the librarians' weight (0 to 2).
    boost: Vec<f32>,
}

impl SegTable {
    fn build(reader: &SegmentReader) -> tantivy::Result<SegTable> {
        let max = reader.max_doc();
        let mut facets = Vec::with_capacity(TABLE_FACETS.len());
        for (_, field) in TABLE_FACETS {
            let fr = reader.facet_reader(field)?;
            let n = fr.num_facets();
            let mut values = Vec::with_capacity(n);
            let mut f = TFacet::root();
            for ord in 0..n as u64 {
                fr.facet_from_ord(ord, &mut f)?;
                values.push(f.to_path().first().map(|s| (*s).to_owned()).unwrap_or_default());
            }
            let mut offsets = Vec::with_capacity(max as usize + 1);
            let mut ords = Vec::new();
            offsets.push(0);
            for doc in 0..max {
                let start = ords.len();
                for o in fr.facet_ords(doc) {
                    let o = o as u32;
                    // A value listed twice counts once.
                    if !ords[start..].contains(&o) {
                        ords.push(o);
                    }
                }
                offsets.push(ords.len() as u32);
            }
            facets.push(FacetColumn { values, offsets, ords });
        }
        let ff = reader.fast_fields();
        let (year, date, id, rank) = (ff.u64("year")?, ff.u64("date")?, ff.u64("id")?, ff.u64("rank")?);
        let n = max as usize;
        let mut t = SegTable {
            facets,
            year: Vec::with_capacity(n),
            date: Vec::with_capacity(n),
            id: Vec::with_capacity(n),
            featured: Vec::with_capacity(n),
            boost: Vec::with_capacity(n),
        };
        for doc in 0..max {
            let (featured, weight) = crate::publications::rank_of(rank.first(doc).unwrap_or(100_000));
            t.featured.push(featured);
            t.boost.push((1.0 + weight / 100.0) as f32);
            t.year.push(u16::try_from(year.first(doc).unwrap_or(0)).unwrap_or(0));
            t.date.push(u32::try_from(date.first(doc).unwrap_or(0)).unwrap_or(0));
            t.id.push(u32::try_from(id.first(doc).unwrap_or(0)).unwrap_or(u32::MAX));
        }
        Ok(t)
    }
}

/// The tables of the current segments.
#[derive(Debug, Default)]
pub struct TableCache {
    tables: Mutex<HashMap<SegmentId, Arc<SegTable>>>,
}

impl TableCache {
    fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegTable>> {
        let id = reader.segment_id();
        if let Some(t) = self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id) {
            return Ok(t.clone());
        }
        let t = Arc::new(SegTable::build(reader)?);
        self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, t.clone());
        Ok(t)
    }

    /// Forgets the tables of segments no longer searched.
    fn retain(&self, searcher: &tantivy::Searcher) {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|id, _| live.contains(id));
    }
}

/// Collects the top `k` documents passing every filter, and the counts of
/// each facet under the other filters.
struct FacetCollector {
    q: PubQuery,
    k: usize,
    sort: Sort,
    tables: Arc<TableCache>,
}

struct Fruit {
    total: usize,
    top: Vec<(Key, DocAddress)>,
    counts: BTreeMap<Facet, HashMap<String, usize>>,
}

struct FacetSegment {
    seg: SegmentOrdinal,
    table: Arc<SegTable>,
    /// Per table facet: ordinal → selected by the filter.
    selected: Vec<Vec<bool>>,
    /// Per table facet: ordinal → count.
    counts: Vec<Vec<usize>>,
    year_filter: Option<Vec<u16>>,
    year_counts: HashMap<u16, usize>,
    from: Option<u64>,
    to: Option<u64>,
    active: u8,
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
        let mut selected = Vec::with_capacity(TABLE_FACETS.len());
        let mut counts = Vec::with_capacity(TABLE_FACETS.len());
        for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
            let col = &table.facets[i];
            let wanted = self.q.filters.get(facet).filter(|v| !v.is_empty());
            if wanted.is_some() {
                active |= facet.bit();
            }
            selected.push(col.values.iter().map(|v| wanted.is_some_and(|w| w.contains(v))).collect());
            counts.push(vec![0; col.values.len()]);
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
        Ok(FacetSegment {
            seg,
            table,
            selected,
            counts,
            year_filter,
            year_counts: HashMap::new(),
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

impl SegmentCollector for FacetSegment {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let d = doc as usize;
        let t = &*self.table;
        // Which filters this document fails.
        let mut fail = 0u8;
        for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
            if self.active & facet.bit() != 0 {
                let col = &t.facets[i];
                let vals = &col.ords[col.offsets[d] as usize..col.offsets[d + 1] as usize];
                let sel = &self.selected[i];
                if !vals.iter().any(|&o| sel[o as usize]) {
                    fail |= facet.bit();
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
        // Counts: a facet counts the documents failing no other filter.
        for (i, (facet, _)) in TABLE_FACETS.iter().enumerate() {
            if fail & !facet.bit() == 0 {
                let col = &t.facets[i];
                let counts = &mut self.counts[i];
                for &o in &col.ords[col.offsets[d] as usize..col.offsets[d + 1] as usize] {
                    counts[o as usize] += 1;
                }
            }
        }
        if fail & !Facet::Year.bit() == 0 && year > 0 {
            *self.year_counts.entry(year).or_default() += 1;
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
            Sort::Relevance => Key { tier, primary: f64::from(score * t.boost[d]), secondary: date as f64, id, score },
            Sort::Date => Key { tier, primary: date as f64, secondary: f64::from(score), id, score },
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
            for (o, n) in self.counts[i].iter().enumerate() {
                if *n > 0 {
                    *e.entry(self.table.facets[i].values[o].clone()).or_default() += n;
                }
            }
        }
        counts.insert(Facet::Year, self.year_counts.into_iter().map(|(y, n)| (y.to_string(), n)).collect());
        Fruit { total: self.total, top: self.heap.into_iter().map(|Worst(k, a)| (k, a)).collect(), counts }
    }
}
