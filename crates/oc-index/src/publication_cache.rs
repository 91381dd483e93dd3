//! What the publications search keeps between queries: recent results
//! (per searcher generation) and, per segment, the facet values of every
//! document as flat tables, so that facet counts need no term lookups.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::Facet as TFacet;
use tantivy::SegmentReader;

use crate::publication_query::{Facet, PubResults};

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

    /// Forgets every result (the way queries are read changed).
    pub fn clear(&self) {
        let mut g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1.clear();
        g.2.clear();
    }

    pub(crate) fn get(&self, key: &str) -> Option<PubResults> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, generation: u64, r: PubResults) {
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

/// The publisher's column in [`TABLE_FACETS`].
pub(crate) const PUBLISHER_COLUMN: usize = 3;
const _: () = assert!(matches!(TABLE_FACETS[PUBLISHER_COLUMN].0, Facet::Publisher));

/// The facet fields of the collector, in table order.
pub(crate) const TABLE_FACETS: [(Facet, &str); 5] = [
    (Facet::Theme, "theme"),
    (Facet::Scope, "scope"),
    (Facet::Type, "resource_type"),
    (Facet::Publisher, "publisher"),
    (Facet::Territory, "area"),
];

/// One facet of one segment, flattened: the values of document `d` are
/// `ords[offsets[d]..offsets[d + 1]]`, indexes into `values`.
#[derive(Debug)]
pub(crate) struct FacetColumn {
    pub(crate) values: Vec<String>,
    /// The values folded (`oc_model::text::fold`), for values typed by
    /// hand and publishers named in a query.
    pub(crate) folded: Vec<String>,
    pub(crate) offsets: Vec<u32>,
    pub(crate) ords: Vec<u32>,
}

impl FacetColumn {
    fn build(reader: &SegmentReader, field: &str) -> tantivy::Result<FacetColumn> {
        let max = reader.max_doc();
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
        let folded = values.iter().map(|v| oc_model::text::fold(v)).collect();
        Ok(FacetColumn { values, folded, offsets, ords })
    }

    /// The ordinals of document `d`.
    pub(crate) fn of(&self, d: usize) -> &[u32] {
        &self.ords[self.offsets[d] as usize..self.offsets[d + 1] as usize]
    }
}

/// Everything the collector reads of one segment, in plain memory. Built
/// once per segment (segments never change; deletions are applied by the
/// searcher) and kept until the segment leaves the index.
#[derive(Debug)]
pub struct SegTable {
    pub(crate) facets: Vec<FacetColumn>,
    /// The territories a document is about (not those containing them).
    pub(crate) territory: FacetColumn,
    /// Useful to every collectivité of its types.
    pub(crate) general: Vec<bool>,
    pub(crate) year: Vec<u16>,
    pub(crate) date: Vec<u32>,
    pub(crate) id: Vec<u32>,
    /// Featured ("à la une") documents first.
    pub(crate) featured: Vec<bool>,
    /// Relevance multiplier from the librarians' weight (0 to 2).
    pub(crate) boost: Vec<f32>,
    /// Where each table facet's values start in the segment's flat value
    /// space (the last entry: its size).
    pub(crate) bases: [u32; TABLE_FACETS.len() + 1],
    /// Per document, every value of every table facet as a flat ordinal
    /// (`bases[i] + ordinal`): `row_ords[row_offsets[d]..row_offsets[d + 1]]`,
    /// so that counting a document is one loop over one slice.
    pub(crate) row_offsets: Vec<u32>,
    pub(crate) row_ords: Vec<u32>,
    /// Every document in the order of a search without text: featured
    /// first, then newest first, then by id.
    pub(crate) by_date: Vec<u32>,
    /// The facet counts of the live documents, for the number of live
    /// documents they were made at (deletions only ever grow within a
    /// segment, so that number tells its state).
    summary: Mutex<Option<Arc<Summary>>>,
}

/// Adds one to the count of each ordinal.
#[inline]
pub(crate) fn bump(counts: &mut [u32], ords: &[u32]) {
    for &o in ords {
        if let Some(c) = counts.get_mut(o as usize) {
            *c += 1;
        }
    }
}

/// The first year the collector counts in its year table.
pub(crate) const FIRST_YEAR: u16 = 1000;
/// Slots of the year table (1000 to 2199: every year a harvested date can
/// carry in practice, the BNSP's old statistics included).
pub(crate) const YEARS: usize = 1200;

/// The slot of a year in a year table, if it has one.
pub(crate) fn year_slot(year: u16) -> Option<usize> {
    let i = usize::from(year.checked_sub(FIRST_YEAR)?);
    (i < YEARS).then_some(i)
}

/// What a search with neither text nor filter finds in one segment: every
/// live document, counted once per facet value and per year.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) alive: usize,
    /// Per flat ordinal (see [`SegTable::bases`]).
    pub(crate) counts: Vec<u32>,
    pub(crate) years: Vec<usize>,
}

impl SegTable {
    pub(crate) fn build(reader: &SegmentReader) -> tantivy::Result<SegTable> {
        let max = reader.max_doc();
        let mut facets = Vec::with_capacity(TABLE_FACETS.len());
        for (_, field) in TABLE_FACETS {
            facets.push(FacetColumn::build(reader, field)?);
        }
        let ff = reader.fast_fields();
        let (year, date, id, rank) = (ff.u64("year")?, ff.u64("date")?, ff.u64("id")?, ff.u64("rank")?);
        let general = ff.u64("general")?;
        let n = max as usize;
        let mut t = SegTable {
            facets,
            territory: FacetColumn::build(reader, "territory")?,
            general: (0..max).map(|d| general.first(d) == Some(1)).collect(),
            year: Vec::with_capacity(n),
            date: Vec::with_capacity(n),
            id: Vec::with_capacity(n),
            featured: Vec::with_capacity(n),
            boost: Vec::with_capacity(n),
            bases: [0; TABLE_FACETS.len() + 1],
            row_offsets: Vec::with_capacity(n + 1),
            row_ords: Vec::new(),
            by_date: Vec::new(),
            summary: Mutex::new(None),
        };
        for i in 0..TABLE_FACETS.len() {
            t.bases[i + 1] = t.bases[i] + t.facets[i].values.len() as u32;
        }
        t.row_offsets.push(0);
        for d in 0..n {
            for (col, base) in t.facets.iter().zip(t.bases) {
                t.row_ords.extend(col.of(d).iter().map(|o| base + o));
            }
            t.row_offsets.push(t.row_ords.len() as u32);
        }
        for doc in 0..max {
            let (featured, weight) = crate::publication_query::rank_of(rank.first(doc).unwrap_or(100_000));
            t.featured.push(featured);
            t.boost.push((1.0 + weight / 100.0) as f32);
            t.year.push(u16::try_from(year.first(doc).unwrap_or(0)).unwrap_or(0));
            t.date.push(u32::try_from(date.first(doc).unwrap_or(0)).unwrap_or(0));
            t.id.push(u32::try_from(id.first(doc).unwrap_or(0)).unwrap_or(u32::MAX));
        }
        let mut by_date: Vec<u32> = (0..max).collect();
        by_date.sort_unstable_by_key(|&d| {
            let d = d as usize;
            (std::cmp::Reverse(t.featured[d]), std::cmp::Reverse(t.date[d]), t.id[d])
        });
        t.by_date = by_date;
        Ok(t)
    }

    /// The flat ordinals of document `d` (every table facet).
    pub(crate) fn row(&self, d: usize) -> &[u32] {
        &self.row_ords[self.row_offsets[d] as usize..self.row_offsets[d + 1] as usize]
    }

    /// The counts of the segment's live documents (made once per state of
    /// the segment: a search that filters nothing reads them instead of
    /// visiting every document).
    pub(crate) fn summary(&self, reader: &SegmentReader) -> Arc<Summary> {
        let alive = reader.num_docs() as usize;
        let mut g = self.summary.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = g.as_ref().filter(|s| s.alive == alive) {
            return s.clone();
        }
        let bits = reader.alive_bitset();
        let mut counts = vec![0u32; self.bases[TABLE_FACETS.len()] as usize];
        let mut years = vec![0; YEARS];
        for d in 0..reader.max_doc() {
            if bits.is_some_and(|b| b.is_deleted(d)) {
                continue;
            }
            let d = d as usize;
            bump(&mut counts, self.row(d));
            if let Some(i) = year_slot(self.year[d]) {
                years[i] += 1;
            }
        }
        let s = Arc::new(Summary { alive, counts, years });
        *g = Some(s.clone());
        s
    }
}

/// The tables of the current segments.
#[derive(Debug, Default)]
pub struct TableCache {
    tables: Mutex<HashMap<SegmentId, Arc<SegTable>>>,
}

impl TableCache {
    pub(crate) fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegTable>> {
        let id = reader.segment_id();
        if let Some(t) = self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id) {
            return Ok(t.clone());
        }
        let t = Arc::new(SegTable::build(reader)?);
        self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, t.clone());
        Ok(t)
    }

    /// Forgets the tables of segments no longer searched.
    pub(crate) fn retain(&self, searcher: &tantivy::Searcher) {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|id, _| live.contains(id));
    }
}
