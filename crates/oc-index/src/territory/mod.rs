//! The territory index: schema, build and search.
//!
//! Candidate retrieval is tantivy's (terms, prefixes as term ranges, fuzzy
//! automata); ranking is ours, computed by a collector from an in-memory
//! table of [`Entry`]s built from the same reference data as the index (the
//! index payload holds the reference data's fingerprint, so a stale index is
//! detected and rebuilt):
//! 1. an exact name (as written, without its article, with the
//!    designator the query names, or an acronym) comes first,
//! 2. then an intercommunality named without its designator,
//! 3. then names starting with the query,
//! 4. then names containing all the words,
//!
//! each tier plus the place's weight (population, level, current or former
//! commune), so that a much larger place outranks a hamlet one tier up.
//! Fuzzy matching runs only when nothing matches exactly. A query naming a
//! large city also suggests its intercommunality.
//!
//! By stage: [`names`] (designators, articles, acronyms), [`entries`] (the
//! table), [`schema`] (fields and documents), [`plan`] (the analysed query
//! and its tantivy queries), [`scoring`] (our rank), [`collector`] (the
//! scan, which stops early); this module opens, builds, caches and
//! searches.

mod collector;
pub mod entries;
pub mod names;
mod plan;
mod schema;
pub mod scoring;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

use oc_model::text::fold;
use oc_model::KindGroup;
use oc_store::Geo;

use crate::IndexError;
pub use collector::Hit;
use collector::{Best, Bounds, Scan, Scored};
pub use entries::{counts, entries, Entry};
use oc_model::Kind;
use plan::{last_word_complete, prefix_query, starts_with, term_query, typo_budget, Mode, Plan};
use schema::{doc_for, payload, schema, Fields};
pub use scoring::levenshtein;
use scoring::{score, tier, EXACT};

pub use oc_model::fiche_url;

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    /// Number of matching territories.
    pub total: usize,
    /// The best ones, best first.
    pub hits: Vec<Hit>,
    /// Whether the hits come from typo-tolerant matching.
    pub fuzzy: bool,
    /// The intercommunality placed right after the large city the query
    /// names (a suggestion, whether or not it matches): its entry.
    pub city_epci: Option<usize>,
}

/// Why a query could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("la recherche est vide")]
    Empty,
    #[error("la recherche ne contient ni lettre ni chiffre")]
    Unusable,
    #[error("la recherche dépasse {max} caractères")]
    TooLong { max: usize },
    #[error("la recherche contient plus de {max} mots")]
    TooManyWords { max: usize },
}

/// Maximum number of words in a query.
pub const MAX_QUERY_WORDS: usize = 16;

/// Longest compact query tried with typo tolerance (the longest commune
/// name has 45 letters).
const MAX_FUZZY_CHARS: usize = 48;

/// Maximum accepted query length, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most results a search returns (pages of results go this far).
pub const MAX_RESULTS: usize = 10_000;

/// Searches with more results than this are not kept in the cache.
const MAX_CACHED_LIMIT: usize = 100;

/// A commune at least this populous is a large city: a query naming it
/// also suggests its intercommunality.
pub const LARGE_CITY: u64 = 50_000;

/// The territory index with its entry table and reader.
pub struct TerritoryIndex {
    reader: IndexReader,
    fields: Fields,
    entries: Arc<[Entry]>,
    /// Entries by compact name (as written, bare, core) and acronym: the
    /// exact and core tiers, found before the scan.
    by_name: HashMap<String, Vec<u32>>,
    bounds: Bounds,
    fingerprint: u64,
    cache: SearchCache,
}

/// Results of recent searches. The index never changes while it is open
/// (a new load opens a new `TerritoryIndex`), so entries never go stale;
/// autocomplete traffic repeats the same short prefixes all the time.
/// (folded query, last word complete, type filter, limit).
type CacheKey = (String, bool, Option<KindGroup>, usize);

struct SearchCache {
    map: std::sync::Mutex<HashMap<CacheKey, Arc<SearchOutcome>>>,
    capacity: std::sync::atomic::AtomicUsize,
}

/// Cached searches kept at most by default; the cache is emptied when full.
pub const DEFAULT_CACHE_CAPACITY: usize = 20_000;

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache { map: Default::default(), capacity: DEFAULT_CACHE_CAPACITY.into() }
    }
}

impl SearchCache {
    fn capacity(&self) -> usize {
        self.capacity.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn get(&self, key: &CacheKey) -> Option<Arc<SearchOutcome>> {
        if self.capacity() == 0 {
            return None;
        }
        self.map.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: CacheKey, value: Arc<SearchOutcome>) {
        let capacity = self.capacity();
        if capacity == 0 {
            return;
        }
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= capacity {
                m.clear();
            }
            m.insert(key, value);
        }
    }
}

impl std::fmt::Debug for TerritoryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerritoryIndex")
            .field("entries", &self.entries.len())
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy { path: path.display().to_string(), source }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io { path: path.display().to_string(), source }
}

impl TerritoryIndex {
    /// Opens the index in `dir` if it was built from `geo`, or (re)builds it.
    pub fn open_or_build(dir: &Path, geo: &Geo) -> Result<TerritoryIndex, IndexError> {
        if let Some(index) = Self::open_if_current(dir, geo)? {
            return Ok(index);
        }
        Self::build(dir, geo)
    }

    fn open_if_current(dir: &Path, geo: &Geo) -> Result<Option<TerritoryIndex>, IndexError> {
        if !dir.join("meta.json").exists() {
            return Ok(None);
        }
        let Ok(index) = Index::open_in_dir(dir) else { return Ok(None) };
        let Ok(metas) = index.load_metas() else { return Ok(None) };
        if metas.payload.as_deref() != Some(&payload(geo.fingerprint)) || index.schema() != schema().0 {
            return Ok(None);
        }
        Ok(Some(Self::from_index(dir, index, geo)?))
    }

    fn from_index(dir: &Path, index: Index, geo: &Geo) -> Result<TerritoryIndex, IndexError> {
        Self::with_table(dir, index, geo, entries(geo))
    }

    fn with_table(dir: &Path, index: Index, geo: &Geo, table: Vec<Entry>) -> Result<TerritoryIndex, IndexError> {
        let (_, fields) = schema();
        let reader: IndexReader =
            index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err(dir))?;
        reader.reload().map_err(tantivy_err(dir))?;
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, e) in table.iter().enumerate() {
            let mut keys = e.names.forms();
            for a in &e.acronyms {
                if !keys.contains(&a.as_str()) {
                    keys.push(a);
                }
            }
            for k in keys {
                by_name.entry(k.to_owned()).or_default().push(i as u32);
            }
        }
        let bounds = Bounds::of(&reader.searcher(), &table);
        Ok(TerritoryIndex {
            reader,
            fields,
            entries: table.into(),
            by_name,
            bounds,
            fingerprint: geo.fingerprint,
            cache: SearchCache::default(),
        })
    }

    /// Builds the index of `geo` in a fresh directory next to `dir`, then
    /// swaps it in place of `dir`.
    pub fn build(dir: &Path, geo: &Geo) -> Result<TerritoryIndex, IndexError> {
        let tmp = sibling(dir, "new");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
        }
        std::fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(&tmp, schema).map_err(tantivy_err(&tmp))?;
        let table = entries(geo);
        {
            // The one writer of this index, alive only for the build.
            let mut writer = index.writer_with_num_threads(1, 64_000_000).map_err(tantivy_err(&tmp))?;
            for (i, e) in table.iter().enumerate() {
                writer.add_document(doc_for(&fields, i, e)).map_err(tantivy_err(&tmp))?;
            }
            let mut commit = writer.prepare_commit().map_err(tantivy_err(&tmp))?;
            commit.set_payload(&payload(geo.fingerprint));
            commit.commit().map_err(tantivy_err(&tmp))?;
            writer.wait_merging_threads().map_err(tantivy_err(&tmp))?;
        }
        drop(index);
        let old = sibling(dir, "old");
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        if dir.exists() {
            std::fs::rename(dir, &old).map_err(io_err(dir))?;
        }
        std::fs::rename(&tmp, dir).map_err(io_err(dir))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        let index = Index::open_in_dir(dir).map_err(tantivy_err(dir))?;
        // Every commit is followed by a reader reload (in `with_table`).
        Self::with_table(dir, index, geo, table)
    }

    /// Sets how many searches the result cache keeps (0 disables it).
    pub fn set_cache_capacity(&self, n: usize) {
        self.cache.capacity.store(n, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut m) = self.cache.map.lock() {
            m.clear();
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Checks a raw user query: returns its folded form.
    pub fn check_query(q: &str) -> Result<String, QueryError> {
        if q.trim().is_empty() {
            return Err(QueryError::Empty);
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong { max: MAX_QUERY_CHARS });
        }
        let folded = fold(q);
        if folded.is_empty() {
            return Err(QueryError::Unusable);
        }
        // Compatibility characters can expand a lot under NFKD.
        if folded.len() > 2 * MAX_QUERY_CHARS || folded.split(' ').count() > MAX_QUERY_WORDS {
            return Err(QueryError::TooManyWords { max: MAX_QUERY_WORDS });
        }
        Ok(folded)
    }

    /// Searches territories by name, code, SIREN or postal code (answers
    /// repeated searches from a cache). At most [`MAX_RESULTS`].
    pub fn search(&self, q: &str, group: Option<KindGroup>, limit: usize) -> Result<Arc<SearchOutcome>, QueryError> {
        let folded = Self::check_query(q)?;
        if limit > MAX_CACHED_LIMIT {
            return Ok(Arc::new(self.search_uncached(q, group, limit)?));
        }
        let key = (folded, last_word_complete(q), group, limit);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let out = Arc::new(self.search_uncached(q, group, limit)?);
        self.cache.put(key, out.clone());
        Ok(out)
    }

    /// [`search`](Self::search) without the cache (benchmarks).
    pub fn search_uncached(
        &self,
        q: &str,
        group: Option<KindGroup>,
        limit: usize,
    ) -> Result<SearchOutcome, QueryError> {
        let folded = Self::check_query(q)?;
        let limit = limit.clamp(1, MAX_RESULTS);
        let plan = Plan::new(q, &folded);
        // A déléguée shares its commune's page: only the first hit per URL
        // is kept, so ask for more while duplicates leave the page short.
        let mut keep = limit + 8;
        loop {
            let (ranked, total, mode) = self.ranked(&plan, group, keep);
            let exhausted = ranked.len() < keep;
            let mut seen = HashSet::new();
            let mut hits: Vec<Hit> =
                ranked.into_iter().filter(|h| seen.insert(self.entries[h.entry].url.as_str())).collect();
            if hits.len() >= limit || exhausted || keep > 2 * MAX_RESULTS {
                let city_epci =
                    if mode == Mode::Exact && group.is_none() { self.with_city_epci(&mut hits, &plan) } else { None };
                hits.truncate(limit);
                return Ok(SearchOutcome { total, hits, fuzzy: mode == Mode::Fuzzy, city_epci });
            }
            keep = 2 * keep + (limit - hits.len());
        }
    }

    /// The best `keep` matches of `plan`, the number of matches and how
    /// they were found: codes, names, or names with typos when nothing
    /// else matches.
    fn ranked(&self, plan: &Plan, group: Option<KindGroup>, keep: usize) -> (Vec<Hit>, usize, Mode) {
        let searcher = self.reader.searcher();
        let scan = |query: Box<dyn Query>, mode: Mode, scored: Option<&[u32]>, best: &mut Best| -> usize {
            let query = self.with_group(query, group);
            let scan = Scan { entries: &self.entries, plan, mode, scored, bounds: &self.bounds };
            scan.run(&searcher, &*query, best).unwrap_or_default()
        };
        if plan.code.is_some() {
            let mut best = Best::new(keep);
            let total = scan(self.code_query(plan), Mode::Code, None, &mut best);
            return (best.into_hits(), total, Mode::Code);
        }
        // The exact and core tiers, by name; then the scan for the others.
        let mut named: Vec<u32> = [Some(&plan.compact), Some(&plan.core), plan.short.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|k| self.by_name.get(k.as_str()))
            .flatten()
            .copied()
            .filter(|&i| group.is_none_or(|g| self.entries[i as usize].kind.group() == g))
            .collect();
        named.sort_unstable();
        named.dedup();
        let mut best = Best::new(keep);
        for &i in &named {
            best.offer(Scored(score(&self.entries[i as usize], plan, Mode::Exact), i));
        }
        // Every named entry is also a match of the query (`exact_query`).
        let total = scan(self.exact_query(plan), Mode::Exact, Some(&named), &mut best).max(named.len());
        if total > 0 || plan.compact.chars().count() > MAX_FUZZY_CHARS {
            return (best.into_hits(), total, Mode::Exact);
        }
        let mut best = Best::new(keep);
        let total = scan(self.fuzzy_query(plan), Mode::Fuzzy, None, &mut best);
        (best.into_hits(), total, Mode::Fuzzy)
    }

    /// When the best hit is a large city named exactly, puts its
    /// intercommunality right after the city and its exact homonyms (two
    /// at most): a suggestion beside the matches, not counted among them.
    /// Returns its entry when it was placed (not already that high).
    fn with_city_epci(&self, hits: &mut Vec<Hit>, plan: &Plan) -> Option<usize> {
        let city = &self.entries[hits.first()?.entry];
        if city.kind != Kind::Commune || city.population.unwrap_or(0) < LARGE_CITY || tier(city, plan) != EXACT {
            return None;
        }
        let epci = city.epci? as usize;
        let at = hits.iter().take_while(|h| self.entries[h.entry].names.full == city.names.full).count().min(2);
        match hits.iter().position(|h| h.entry == epci) {
            Some(p) if p <= at => return None,
            Some(p) => {
                let h = hits.remove(p);
                hits.insert(at, h);
            }
            None => {
                let score = hits[at - 1].score;
                hits.insert(at, Hit { entry: epci, score });
            }
        }
        Some(epci)
    }

    fn with_group(&self, query: Box<dyn Query>, group: Option<KindGroup>) -> Box<dyn Query> {
        match group {
            None => query,
            Some(g) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, term_query(self.fields.group, &format!("g:{}", g.as_str()))),
            ])),
        }
    }

    fn code_query(&self, plan: &Plan) -> Box<dyn Query> {
        let f = self.fields.codes;
        let code = plan.code.as_deref().unwrap_or_default();
        let mut should: Vec<(Occur, Box<dyn Query>)> =
            ["i", "s", "p", "d", "r"].iter().map(|p| (Occur::Should, term_query(f, &format!("{p}:{code}")))).collect();
        if code.len() < 5 {
            should.push((Occur::Should, prefix_query(f, &format!("i:{code}"))));
            should.push((Occur::Should, prefix_query(f, &format!("p:{code}"))));
        }
        Box::new(BooleanQuery::new(should))
    }

    /// Every word (the last one as a prefix), for the query as written and
    /// for its core; or the compact forms as prefixes; or an acronym.
    fn exact_query(&self, plan: &Plan) -> Box<dyn Query> {
        let f = self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for words in plan.word_sets() {
            let n = words.len();
            let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(n);
            for (i, (w, original)) in words.iter().enumerate() {
                let last_open = i + 1 == n && !plan.last_complete;
                let q: Box<dyn Query> = if last_open {
                    let mut alts: Vec<(Occur, Box<dyn Query>)> =
                        vec![(Occur::Should, starts_with(f.word_prefixes, f.words, w))];
                    if original != w {
                        alts.push((Occur::Should, starts_with(f.word_prefixes, f.words, original)));
                    }
                    Box::new(BooleanQuery::new(alts))
                } else {
                    term_query(f.words, w)
                };
                all.push((Occur::Must, q));
            }
            should.push((Occur::Should, Box::new(BooleanQuery::new(all))));
        }
        let mut forms: Vec<&str> = vec![&plan.compact];
        for form in [Some(&plan.core), plan.short.as_ref()].into_iter().flatten() {
            if !form.is_empty() && !forms.contains(&form.as_str()) {
                forms.push(form);
            }
        }
        for form in forms {
            should.push((Occur::Should, starts_with(f.compact_prefixes, f.compact, form)));
        }
        should.push((Occur::Should, term_query(f.codes, &format!("a:{}", plan.compact))));
        if plan.core != plan.compact {
            // `région PACA`.
            should.push((Occur::Should, term_query(f.codes, &format!("a:{}", plan.core))));
        }
        Box::new(BooleanQuery::new(should))
    }

    fn fuzzy_query(&self, plan: &Plan) -> Box<dyn Query> {
        let f = self.fields;
        let words = plan.core_words.as_deref().unwrap_or(&plan.words);
        let n = words.len();
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(n);
        for (i, (w, _)) in words.iter().enumerate() {
            let d = typo_budget(w);
            let term = Term::from_field_text(f.words, w);
            let last_open = i + 1 == n && !plan.last_complete;
            let q: Box<dyn Query> = match (last_open, d) {
                (true, _) => Box::new(FuzzyTermQuery::new_prefix(term, d, true)),
                (false, 0) => Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                (false, _) => Box::new(FuzzyTermQuery::new(term, d, true)),
            };
            all.push((Occur::Must, q));
        }
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(BooleanQuery::new(all)))];
        if n > 1 {
            // Words run together or split apart: match the whole name.
            let whole = Term::from_field_text(f.compact, &plan.core);
            let d = typo_budget(&plan.core);
            should.push((Occur::Should, Box::new(FuzzyTermQuery::new(whole.clone(), d, true))));
            should.push((Occur::Should, Box::new(FuzzyTermQuery::new_prefix(whole, d.min(1), true))));
        }
        Box::new(BooleanQuery::new(should))
    }
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "index".into());
    dir.with_file_name(format!("{name}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::schema::{prefixes, MAX_PREFIX};
    use super::*;

    #[test]
    fn prefixes_of_a_word() {
        assert_eq!(prefixes("abc").collect::<Vec<_>>(), vec!["a", "ab", "abc"]);
        assert_eq!(prefixes("éa").collect::<Vec<_>>(), vec!["é", "éa"]);
        assert_eq!(prefixes(&"x".repeat(30)).count(), MAX_PREFIX);
    }

    #[test]
    fn levenshtein_distances() {
        assert_eq!(levenshtein("montpelier", "montpellier"), 1);
        assert_eq!(levenshtein("marseile", "marseille"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }

    #[test]
    fn plans() {
        let p = Plan::new("St Étienne", &fold("St Étienne"));
        assert_eq!(p.compact, "saintetienne");
        assert_eq!(p.words[0], ("saint".into(), "st".into()));
        assert!(!p.last_complete);
        assert!(p.code.is_none());
        assert_eq!(Plan::new("2A004", "2a004").code.as_deref(), Some("2a004"));
        assert_eq!(Plan::new("34 000", "34 000").code.as_deref(), Some("34000"));
        assert!(Plan::new("saint ", "saint").last_complete);
    }
}
