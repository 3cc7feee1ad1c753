//! The best units offered so far, in a heap bounded by how many are wanted: ranking 5,000
//! villages called "Thôn Đông" costs a comparison each, not a sort.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::index::UnitIndex;
use super::key::Key;
use super::SearchHit;

/// Room made up front in the heap: a chat asks for a handful of hits, an export for all.
const PREALLOCATED: usize = 64;

/// A unit offered with its score, ordered best first: lower score, higher in the tree, code.
struct Ranked<'a> {
    score: u32,
    depth: u8,
    code_start: u64,
    slot: u32,
    index: &'a UnitIndex,
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.score, self.depth, self.code_start)
            .cmp(&(other.score, other.depth, other.code_start))
            .then_with(|| {
                let mine = self.index.code_of(self.slot);
                mine.cmp(other.index.code_of(other.slot))
            })
            .then(self.slot.cmp(&other.slot))
    }
}

impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked<'_> {}

pub(super) struct Best<'a> {
    index: &'a UnitIndex,
    capacity: usize,
    /// The worst kept on top, to be pushed out by a better one.
    heap: BinaryHeap<Ranked<'a>>,
}

impl<'a> Best<'a> {
    pub(super) fn new(index: &'a UnitIndex, capacity: usize) -> Best<'a> {
        Best {
            index,
            capacity,
            heap: BinaryHeap::with_capacity(capacity.min(PREALLOCATED)),
        }
    }

    pub(super) fn clear(&mut self) {
        self.heap.clear();
    }

    pub(super) fn offer(&mut self, score: u32, slot: u32, key: &Key) {
        let ranked = Ranked {
            score,
            depth: key.depth,
            code_start: key.code_start,
            slot,
            index: self.index,
        };
        if self.heap.len() < self.capacity {
            self.heap.push(ranked);
        } else if self.heap.peek().is_some_and(|worst| ranked < *worst) {
            self.heap.pop();
            self.heap.push(ranked);
        }
    }

    /// Units kept, each counted once however many readings offered it.
    pub(super) fn distinct(&self) -> usize {
        let mut slots: Vec<u32> = self.heap.iter().map(|ranked| ranked.slot).collect();
        slots.sort_unstable();
        slots.dedup();
        slots.len()
    }

    /// The `limit` best units, best first, each with its best score.
    pub(super) fn into_hits(self, limit: usize) -> Vec<SearchHit> {
        let mut ranked = self.heap.into_sorted_vec();
        let mut seen = Vec::with_capacity(ranked.len());
        ranked.retain(|r| {
            let first = !seen.contains(&r.slot);
            seen.push(r.slot);
            first
        });
        let index = self.index;
        let hits = ranked.into_iter().take(limit);
        hits.filter_map(|r| index.hit(r.slot, r.score)).collect()
    }
}
