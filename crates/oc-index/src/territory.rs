//! The territory index: schema, build and search.
//!
//! Candidate retrieval is tantivy's (terms, prefixes as term ranges, fuzzy
//! automata); ranking is ours, computed by a collector from an in-memory
//! table of [`Entry`]s built from the same reference data as the index (the
//! index payload holds the reference data's fingerprint, so a stale index is
//! detected and rebuilt):
//! 1. an exact full-name match (`compact` form equal) comes first,
//! 2. then names starting with the query,
//! 3. then names containing all the words,
//!
//! and inside each tier, larger populations and names the query covers
//! better come first. Fuzzy matching runs only when nothing matches exactly.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STRING};
use tantivy::{DocId, Index, IndexReader, ReloadPolicy, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use oc_model::text::{compact, expand_abbreviation, fold};
use oc_model::{Kind, KindGroup};
use oc_store::Geo;

use crate::IndexError;

/// One searchable territory, as returned to callers.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    /// INSEE code (SIREN for an EPCI/EPT).
    pub code: String,
    pub siren: Option<String>,
    pub name: String,
    /// Human label with context (`Montpellier — commune, Hérault (34)`).
    pub label: String,
    /// Canonical page URL (a déléguée points to its current commune).
    pub url: String,
    pub population: Option<u64>,
    pub departement: Option<(String, String)>,
    pub region: Option<(String, String)>,
    /// Postal codes served (communes).
    pub postal_codes: Vec<String>,
    compact: String,
    rank_base: f32,
}

/// The fields of the territory index schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    /// Folded words of the name (whitespace-tokenised, already folded).
    words: Field,
    /// The compact form of the name (no separators), as one term.
    compact: Field,
    /// Prefixed codes: `i:` INSEE, `s:` SIREN, `p:` postal, `d:` département, `r:` région.
    codes: Field,
    /// `g:` + kind group, for filtering.
    group: Field,
    /// Every prefix (up to [`MAX_PREFIX`] chars) of every word: a prefix
    /// query is then one term, not a range over thousands of terms.
    word_prefixes: Field,
    /// Every prefix of the compact form.
    compact_prefixes: Field,
    /// Position of the entry in the in-memory table.
    idx: Field,
}

/// Longest prefix indexed as a term; longer prefixes use a term range.
const MAX_PREFIX: usize = 20;

fn schema() -> (Schema, Fields) {
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

fn dep_label(geo: &Geo, code: &str) -> Option<(String, String)> {
    geo.departement(code).map(|d| (d.code.clone(), d.nom.clone()))
}

fn reg_label(geo: &Geo, code: &str) -> Option<(String, String)> {
    geo.region(code).map(|r| (r.code.clone(), r.nom.clone()))
}

fn kind_bonus(kind: Kind) -> f32 {
    match kind {
        Kind::Commune => 0.3,
        Kind::Departement => 0.2,
        Kind::Region => 0.1,
        Kind::Epci | Kind::Ept | Kind::ArrondissementMunicipal => 0.0,
        Kind::CommuneDeleguee | Kind::CommuneAssociee => -1.0,
    }
}

pub use oc_model::fiche_url;

/// Builds the entry table from reference data, in a deterministic order.
pub fn entries(geo: &Geo) -> Vec<Entry> {
    let d = &geo.data;
    let mut out = Vec::with_capacity(d.communes.len() + d.epci.len() + d.departements.len() + d.regions.len());
    let push = |out: &mut Vec<Entry>, mut e: Entry| {
        e.compact = compact(&e.name);
        e.rank_base = (e.population.unwrap_or(0) as f32 + 1.0).log10() + kind_bonus(e.kind);
        out.push(e);
    };
    for c in &d.communes {
        if geo.com_of_commune(c).is_some() {
            // Saint-Martin, Saint-Barthélemy, Clipperton: one entry, the COM's.
            continue;
        }
        let dep = dep_label(geo, &c.departement);
        let dep_txt = dep.as_ref().map(|(code, name)| format!("{name} ({code})")).unwrap_or_default();
        let (url, label) = match c.kind {
            Kind::Commune => {
                (fiche_url(KindGroup::Commune, &c.nom, &c.code), format!("{} — commune, {dep_txt}", c.nom))
            }
            _ => {
                let parent = c.parent.as_deref().and_then(|p| geo.commune(p));
                let parent_name = parent.map_or("?", |p| p.nom.as_str());
                let url = parent.map_or_else(
                    || fiche_url(KindGroup::Commune, &c.nom, &c.code),
                    |p| fiche_url(KindGroup::Commune, &p.nom, &p.code),
                );
                let what = match c.kind {
                    Kind::ArrondissementMunicipal => "arrondissement municipal de",
                    Kind::CommuneDeleguee => "commune déléguée de",
                    _ => "commune associée de",
                };
                let url = if c.kind == Kind::ArrondissementMunicipal {
                    fiche_url(KindGroup::Commune, &c.nom, &c.code)
                } else {
                    url
                };
                (url, format!("{} — {what} {parent_name}, {dep_txt}", c.nom))
            }
        };
        push(
            &mut out,
            Entry {
                kind: c.kind,
                code: c.code.clone(),
                siren: c.siren.clone(),
                name: c.nom.clone(),
                label,
                url,
                population: c.population.map(u64::from),
                departement: dep,
                region: reg_label(geo, &c.region),
                postal_codes: c.codes_postaux.clone(),
                compact: String::new(),
                rank_base: 0.0,
            },
        );
    }
    for e in &d.epci {
        // An EPCI's département and région: those of its most populous member.
        let main = e.membres.iter().filter_map(|m| geo.commune(m)).max_by_key(|c| c.population.unwrap_or(0));
        let dep = main.and_then(|c| dep_label(geo, &c.departement));
        let dep_txt = dep.as_ref().map(|(code, name)| format!(", {name} ({code})")).unwrap_or_default();
        push(
            &mut out,
            Entry {
                kind: e.kind,
                code: e.code.clone(),
                siren: Some(e.code.clone()),
                name: e.nom.clone(),
                label: format!("{} — {}{dep_txt}", e.nom, e.nature_label().to_lowercase()),
                url: fiche_url(KindGroup::Epci, &e.nom, &e.code),
                population: e.population_totale.or(e.population_municipale).map(u64::from),
                departement: dep,
                region: main.and_then(|c| reg_label(geo, &c.region)),
                postal_codes: Vec::new(),
                compact: String::new(),
                rank_base: 0.0,
            },
        );
    }
    for x in d.departements.iter().filter(|x| x.zone != "com") {
        let reg = reg_label(geo, &x.region);
        push(
            &mut out,
            Entry {
                kind: Kind::Departement,
                code: x.code.clone(),
                siren: None,
                name: x.nom.clone(),
                label: format!("{} ({}) — département, {}", x.nom, x.code, reg.as_ref().map_or("", |r| r.1.as_str())),
                url: fiche_url(KindGroup::Departement, &x.nom, &x.code),
                population: x.population,
                departement: Some((x.code.clone(), x.nom.clone())),
                region: reg,
                postal_codes: Vec::new(),
                compact: String::new(),
                rank_base: 0.0,
            },
        );
    }
    for x in &d.regions {
        let com = x.zone == "com";
        // A single-commune COM answers to that commune's postal codes.
        let single: Vec<&oc_model::Commune> = if com { geo.communes_of_region(&x.code).collect() } else { Vec::new() };
        let postal_codes = if single.len() == 1 { single[0].codes_postaux.clone() } else { Vec::new() };
        push(
            &mut out,
            Entry {
                kind: Kind::Region,
                code: x.code.clone(),
                siren: None,
                name: x.nom.clone(),
                label: format!("{} — {}", x.nom, if com { "collectivité d'outre-mer" } else { "région" }),
                url: fiche_url(KindGroup::Region, &x.nom, &x.code),
                population: x.population,
                departement: None,
                region: Some((x.code.clone(), x.nom.clone())),
                postal_codes,
                compact: String::new(),
                rank_base: 0.0,
            },
        );
    }
    out
}

fn doc_for(f: &Fields, i: usize, e: &Entry) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.words, fold(&e.name));
    doc.add_text(f.compact, &e.compact);
    doc.add_text(f.group, format!("g:{}", e.kind.group().as_str()));
    let mut seen = HashSet::new();
    for w in fold(&e.name).split(' ') {
        for p in prefixes(w) {
            if seen.insert(p) {
                doc.add_text(f.word_prefixes, p);
            }
        }
    }
    for p in prefixes(&e.compact) {
        doc.add_text(f.compact_prefixes, p);
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

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    /// Number of matching territories.
    pub total: usize,
    /// The best ones, best first.
    pub hits: Vec<Hit>,
    /// Whether the hits come from typo-tolerant matching.
    pub fuzzy: bool,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
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

/// The territory index with its entry table and reader.
pub struct TerritoryIndex {
    reader: IndexReader,
    fields: Fields,
    entries: Arc<[Entry]>,
    fingerprint: u64,
    cache: ResultCache,
}

/// Results of recent searches. The index never changes while it is open
/// (a new load opens a new `TerritoryIndex`), so entries never go stale;
/// autocomplete traffic repeats the same short prefixes all the time.
/// (folded query, last word complete, type filter, limit).
type CacheKey = (String, bool, Option<KindGroup>, usize);

struct ResultCache {
    map: std::sync::Mutex<HashMap<CacheKey, Arc<SearchOutcome>>>,
    capacity: std::sync::atomic::AtomicUsize,
}

/// Cached searches kept at most by default; the cache is emptied when full.
pub const DEFAULT_CACHE_CAPACITY: usize = 20_000;

impl Default for ResultCache {
    fn default() -> Self {
        ResultCache { map: Default::default(), capacity: DEFAULT_CACHE_CAPACITY.into() }
    }
}

impl ResultCache {
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
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err(dir))?;
        Ok(TerritoryIndex {
            reader,
            fields,
            entries: table.into(),
            fingerprint: geo.fingerprint,
            cache: ResultCache::default(),
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
        let ti = Self::with_table(dir, index, geo, table)?;
        // Every commit is followed by a reader reload.
        ti.reader.reload().map_err(tantivy_err(dir))?;
        Ok(ti)
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
    /// repeated searches from a cache).
    pub fn search(&self, q: &str, group: Option<KindGroup>, limit: usize) -> Result<Arc<SearchOutcome>, QueryError> {
        let folded = Self::check_query(q)?;
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
        let limit = limit.clamp(1, 1000);
        let plan = Arc::new(Plan::new(q, &folded));
        let searcher = self.reader.searcher();
        let run = |query: Box<dyn Query>, mode: Mode| -> SearchOutcome {
            let query = self.with_group(query, group);
            let collector = RankCollector { entries: self.entries.clone(), plan: plan.clone(), mode, limit: limit + 8 };
            let (total, mut hits) = searcher.search(&*query, &collector).unwrap_or_default();
            // A déléguée named like its commune adds nothing: keep the first
            // hit per URL.
            let mut seen = HashSet::new();
            hits.retain(|h| seen.insert(self.entries[h.entry].url.as_str()));
            hits.truncate(limit);
            SearchOutcome { total, hits, fuzzy: mode == Mode::Fuzzy }
        };
        if plan.code.is_some() {
            return Ok(run(self.code_query(&plan), Mode::Code));
        }
        let exact = run(self.exact_query(&plan), Mode::Exact);
        if exact.total > 0 || plan.compact.chars().count() > MAX_FUZZY_CHARS {
            return Ok(exact);
        }
        Ok(run(self.fuzzy_query(&plan), Mode::Fuzzy))
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

    fn exact_query(&self, plan: &Plan) -> Box<dyn Query> {
        let f = self.fields;
        let n = plan.words.len();
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(n);
        for (i, (w, original)) in plan.words.iter().enumerate() {
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
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(BooleanQuery::new(all))),
            (Occur::Should, starts_with(f.compact_prefixes, f.compact, &plan.compact)),
        ]))
    }

    fn fuzzy_query(&self, plan: &Plan) -> Box<dyn Query> {
        let f = self.fields;
        let n = plan.words.len();
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(n);
        for (i, (w, _)) in plan.words.iter().enumerate() {
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
            let whole = Term::from_field_text(f.compact, &plan.compact);
            let d = typo_budget(&plan.compact);
            should.push((Occur::Should, Box::new(FuzzyTermQuery::new(whole.clone(), d, true))));
            should.push((Occur::Should, Box::new(FuzzyTermQuery::new_prefix(whole, d.min(1), true))));
        }
        Box::new(BooleanQuery::new(should))
    }
}

/// Edits tolerated in a word: none below 4 chars, one up to 9, then two.
fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    }
}

/// Version of [`schema`] and [`doc_for`]: bump it whenever either changes,
/// so that an index built by an older binary is rebuilt, never misread.
const SCHEMA_VERSION: u32 = 2;

fn payload(fingerprint: u64) -> String {
    format!("refdata:{fingerprint:016x};schema:{SCHEMA_VERSION}")
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "index".into());
    dir.with_file_name(format!("{name}.{suffix}"))
}

/// The prefixes of `s` of 1 to [`MAX_PREFIX`] chars.
fn prefixes(s: &str) -> impl Iterator<Item = &str> {
    s.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .take(MAX_PREFIX)
        .map(move |i| &s[..i])
        .filter(|p| !p.is_empty())
}

/// Terms of `full` starting with `prefix`: one term of `prefixes` when
/// short enough, a term range of `full` otherwise.
fn starts_with(prefixes: Field, full: Field, prefix: &str) -> Box<dyn Query> {
    if prefix.chars().count() <= MAX_PREFIX {
        term_query(prefixes, prefix)
    } else {
        prefix_query(full, prefix)
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// All terms of `field` starting with `prefix`, as a term range.
fn prefix_query(field: Field, prefix: &str) -> Box<dyn Query> {
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
fn last_word_complete(raw: &str) -> bool {
    raw.chars().last().is_some_and(|c| !c.is_alphanumeric())
}

/// A user query, analysed once.
#[derive(Debug)]
struct Plan {
    /// (word with abbreviations expanded, word as typed), folded.
    words: Vec<(String, String)>,
    compact: String,
    /// The query ends with a separator: its last word is complete.
    last_complete: bool,
    /// A code query (digits, or 2A/2B…), lower case, without spaces.
    code: Option<String>,
}

impl Plan {
    fn new(raw: &str, folded: &str) -> Plan {
        let words: Vec<(String, String)> = folded
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| (expand_abbreviation(w).unwrap_or(w).to_owned(), w.to_owned()))
            .collect();
        let compact: String = words.iter().map(|(w, _)| w.as_str()).collect();
        let squeezed = folded.replace(' ', "");
        let is_code = squeezed.bytes().all(|b| b.is_ascii_digit())
            || (squeezed.starts_with("2a") || squeezed.starts_with("2b"))
                && squeezed[2..].bytes().all(|b| b.is_ascii_digit());
        Plan { words, compact, last_complete: last_word_complete(raw), code: is_code.then_some(squeezed) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Exact,
    Fuzzy,
    Code,
}

/// Scores a matching entry; higher is better.
fn score(e: &Entry, plan: &Plan, mode: Mode) -> f32 {
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

/// Collects the `limit` best entries (by [`score`]) and counts matches.
struct RankCollector {
    entries: Arc<[Entry]>,
    plan: Arc<Plan>,
    mode: Mode,
    limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Scored(f32, u32);

impl Eq for Scored {}

impl Ord for Scored {
    // Reversed, so that the BinaryHeap is a min-heap on score (ties: lower
    // entry index wins, for stable results).
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct RankSegment {
    entries: Arc<[Entry]>,
    plan: Arc<Plan>,
    mode: Mode,
    limit: usize,
    column: Column<u64>,
    heap: BinaryHeap<Scored>,
    count: usize,
}

impl Collector for RankCollector {
    type Fruit = (usize, Vec<Hit>);
    type Child = RankSegment;

    fn for_segment(&self, _ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<RankSegment> {
        Ok(RankSegment {
            entries: self.entries.clone(),
            plan: self.plan.clone(),
            mode: self.mode,
            limit: self.limit,
            column: reader.fast_fields().u64("idx")?,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(usize, Vec<Hit>)>) -> tantivy::Result<(usize, Vec<Hit>)> {
        let total = fruits.iter().map(|f| f.0).sum();
        let mut hits: Vec<Hit> = fruits.into_iter().flat_map(|f| f.1).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(self.limit);
        Ok((total, hits))
    }
}

impl SegmentCollector for RankSegment {
    type Fruit = (usize, Vec<Hit>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(i) = self.column.first(doc) else { return };
        let Some(e) = self.entries.get(i as usize) else { return };
        self.count += 1;
        let s = Scored(score(e, &self.plan, self.mode), i as u32);
        if self.heap.len() < self.limit {
            self.heap.push(s);
        } else if let Some(worst) = self.heap.peek() {
            if s < *worst {
                self.heap.pop();
                self.heap.push(s);
            }
        }
    }

    fn harvest(self) -> (usize, Vec<Hit>) {
        let hits = self.heap.into_iter().map(|Scored(score, entry)| Hit { entry: entry as usize, score }).collect();
        (self.count, hits)
    }
}

/// Counts of entries per kind, for the home page and health checks.
pub fn counts(entries: &[Entry]) -> HashMap<Kind, usize> {
    let mut m = HashMap::new();
    for e in entries {
        *m.entry(e.kind).or_default() += 1;
    }
    m
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn scored_orders_as_min_heap() {
        let mut h = BinaryHeap::new();
        h.push(Scored(1.0, 0));
        h.push(Scored(3.0, 1));
        h.push(Scored(2.0, 2));
        assert_eq!(h.peek().unwrap().0, 1.0);
    }
}
