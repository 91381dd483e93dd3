//! The scan that scores every match with [`super::scoring::score`] and
//! keeps the best ones, stopping early when it can.
//!
//! The entry table is ordered heaviest first and so are the documents;
//! for a name query, every entry of the exact and core tiers is known
//! before the scan (looked up by name), so the scan only has to find
//! entries of the prefix and word tiers, whose score is at most
//! [`bound_below_core`] of their weight. Once the kept results all score
//! above the bound of the heaviest entry left in the segment, the rest is
//! only counted.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocSet, Searcher, TERMINATED};

use super::entries::Entry;
use super::plan::{Mode, Plan};
use super::scoring::{bound_below_core, score};

/// A match: its position in the entry table and its score.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scored(pub(super) f32, pub(super) u32);

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

/// The best `limit` scored entries seen so far.
pub(super) struct Best {
    heap: BinaryHeap<Scored>,
    limit: usize,
}

impl Best {
    pub(super) fn new(limit: usize) -> Best {
        Best { heap: BinaryHeap::with_capacity(limit + 1), limit }
    }

    pub(super) fn offer(&mut self, s: Scored) {
        if self.heap.len() < self.limit {
            self.heap.push(s);
        } else if let Some(worst) = self.heap.peek() {
            if s < *worst {
                self.heap.pop();
                self.heap.push(s);
            }
        }
    }

    /// The lowest kept score, once `limit` are kept.
    fn floor(&self) -> Option<f32> {
        (self.heap.len() >= self.limit).then(|| self.heap.peek().map(|s| s.0)).flatten()
    }

    /// Best first.
    pub(super) fn into_hits(self) -> Vec<Hit> {
        let mut hits: Vec<Hit> =
            self.heap.into_iter().map(|Scored(score, entry)| Hit { entry: entry as usize, score }).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits
    }
}

/// For each segment, the largest entry weight from each document to the
/// end of the segment.
#[derive(Debug, Default)]
pub(super) struct Bounds(HashMap<SegmentId, Vec<f32>>);

impl Bounds {
    pub(super) fn of(searcher: &Searcher, entries: &[Entry]) -> Bounds {
        let mut map = HashMap::new();
        for reader in searcher.segment_readers() {
            let Ok(column) = reader.fast_fields().u64("idx") else { continue };
            let mut suffix = vec![f32::NEG_INFINITY; reader.max_doc() as usize + 1];
            for doc in (0..reader.max_doc()).rev() {
                let w = column.first(doc).and_then(|i| entries.get(i as usize)).map_or(f32::INFINITY, |e| e.weight);
                suffix[doc as usize] = w.max(suffix[doc as usize + 1]);
            }
            map.insert(reader.segment_id(), suffix);
        }
        Bounds(map)
    }
}

/// One scan of the matches of `query`.
pub(super) struct Scan<'a> {
    pub(super) entries: &'a [Entry],
    pub(super) plan: &'a Plan,
    pub(super) mode: Mode,
    /// Entries already scored (the exact and core tiers), sorted: counted,
    /// not scored again; their presence allows stopping early.
    pub(super) scored: Option<&'a [u32]>,
    pub(super) bounds: &'a Bounds,
}

impl Scan<'_> {
    /// Scores the matches into `best`; returns how many there are.
    pub(super) fn run(&self, searcher: &Searcher, query: &dyn Query, best: &mut Best) -> tantivy::Result<usize> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut total = 0usize;
        for reader in searcher.segment_readers() {
            let column = reader.fast_fields().u64("idx")?;
            let alive = reader.alive_bitset();
            let bounds = self.scored.and(self.bounds.0.get(&reader.segment_id()));
            let mut scorer = weight.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if let (Some(bounds), Some(floor)) = (bounds, best.floor()) {
                    let heaviest = bounds.get(doc as usize).copied().unwrap_or(f32::INFINITY);
                    if floor > bound_below_core(self.plan, heaviest) {
                        let rest = match alive {
                            Some(a) => scorer.count(a),
                            None => scorer.count_including_deleted(),
                        };
                        total += rest as usize;
                        break;
                    }
                }
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    total += 1;
                    if let Some(i) = column.first(doc) {
                        let i = i as u32;
                        let done = self.scored.is_some_and(|s| s.binary_search(&i).is_ok());
                        if let (false, Some(e)) = (done, self.entries.get(i as usize)) {
                            best.offer(Scored(score(e, self.plan, self.mode), i));
                        }
                    }
                }
                doc = scorer.advance();
            }
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scored_orders_as_min_heap() {
        let mut h = BinaryHeap::new();
        h.push(Scored(1.0, 0));
        h.push(Scored(3.0, 1));
        h.push(Scored(2.0, 2));
        assert_eq!(h.peek().unwrap().0, 1.0);
    }
}
