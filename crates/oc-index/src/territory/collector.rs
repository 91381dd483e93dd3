//! The collector that scores every match with [`super::scoring::score`]
//! and keeps the best ones per segment, then merges them.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::entries::Entry;
use super::plan::{Mode, Plan};
use super::scoring::score;

/// A match: its position in the entry table and its score.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
}

/// Collects the `limit` best entries (by [`score`]) and counts matches.
pub(super) struct RankCollector {
    pub(super) entries: Arc<[Entry]>,
    pub(super) plan: Arc<Plan>,
    pub(super) mode: Mode,
    pub(super) limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scored(f32, u32);

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

pub(super) struct RankSegment {
    pub(super) entries: Arc<[Entry]>,
    pub(super) plan: Arc<Plan>,
    pub(super) mode: Mode,
    pub(super) limit: usize,
    pub(super) column: Column<u64>,
    pub(super) heap: BinaryHeap<Scored>,
    pub(super) count: usize,
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
