//! The index itself: every unit in a slot, and for each word the slots whose name has it.

use std::collections::HashMap;
use std::fmt;
use std::mem::size_of;

use super::key::{Key, MAX_NAME_WORDS};
use super::vocab::{Vocab, WordId};
use super::words::Words;
use super::SearchHit;
use crate::domain::text::fold;
use crate::storage::{Unit, UnitLevel};

/// A unit as hits show it.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) level: UnitLevel,
    pub(super) parent_code: Option<String>,
    /// A former name: the code of the commune it now finds.
    pub(super) alias_of: Option<String>,
    /// A moved village: the code of the commune it came from.
    pub(super) moved_from: Option<String>,
}

/// An in-memory index of the place tree, searched by name. See the [module](super) for how
/// queries match and rank.
#[derive(Default)]
pub struct UnitIndex {
    /// Units by slot number; a removed unit leaves an empty slot.
    slots: Vec<Option<Entry>>,
    /// What matching and ranking read, by slot number.
    pub(super) keys: Vec<Key>,
    by_code: HashMap<String, u32>,
    /// Parent code (`None`: the top of the tree) → slots of its children.
    children: HashMap<Option<String>, Vec<u32>>,
    pub(super) vocab: Vocab,
    /// Word → ascending slots of the units whose name has it.
    pub(super) postings: Vec<Vec<u32>>,
    /// Names of units that ended (kept as history, not searched): what a moved village's
    /// former commune was called.
    history: HashMap<String, String>,
}

impl UnitIndex {
    /// Indexes `units`; a code given twice keeps its last unit.
    #[tracing::instrument(skip_all, fields(units = units.len()))]
    pub fn build(units: Vec<Unit>) -> UnitIndex {
        let mut index = UnitIndex::default();
        for unit in units {
            index.upsert(unit);
        }
        index
    }

    /// Adds the unit, or replaces the unit of the same code (renamed or moved). A unit that
    /// ended (merged, kept as history) is not searched: only its name is kept.
    pub fn upsert(&mut self, unit: Unit) {
        if !unit.is_current() {
            self.remove(&unit.code);
            self.history.insert(unit.code, unit.name);
            return;
        }
        self.history.remove(&unit.code);
        let entry = Entry {
            code: unit.code.clone(),
            name: unit.name.clone(),
            level: unit.level,
            parent_code: unit.parent_code.clone(),
            alias_of: None,
            moved_from: unit.moved_from.clone(),
        };
        self.insert(entry);
    }

    /// Makes `old_name` (a commune merged into `new_code`) find `new_code`, "formerly …".
    pub fn add_alias(&mut self, old_code: &str, old_name: &str, new_code: &str) {
        self.insert(Entry {
            code: format!("alias:{old_code}"),
            name: old_name.to_owned(),
            level: UnitLevel::Commune,
            parent_code: None,
            alias_of: Some(new_code.to_owned()),
            moved_from: None,
        });
    }

    fn insert(&mut self, unit: Entry) {
        let Words { kind, words, .. } = Words::of_name(&unit.name);
        let words = words.iter().take(MAX_NAME_WORDS);
        let words: Vec<WordId> = words.map(|w| self.vocab.intern(w)).collect();
        self.postings.resize_with(self.vocab.len(), Vec::new);
        let slot = match self.by_code.get(&unit.code) {
            Some(&slot) => {
                self.unlink(slot);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
                self.slots.push(None);
                self.keys.push(Key::empty());
                self.by_code.insert(unit.code.clone(), slot);
                slot
            }
        };
        self.keys[slot as usize] = Key::new(&words, kind, unit.level, &unit.code);
        for word in distinct(&words) {
            let posting = &mut self.postings[word as usize];
            if let Err(at) = posting.binary_search(&slot) {
                posting.insert(at, slot);
            }
        }
        if unit.alias_of.is_none() {
            let siblings = self.children.entry(unit.parent_code.clone()).or_default();
            siblings.push(slot);
        }
        self.slots[slot as usize] = Some(unit);
    }

    /// Forgets the unit of `code`, if indexed. Its children stay, under a parent no longer known.
    pub fn remove(&mut self, code: &str) {
        if let Some(slot) = self.by_code.remove(code) {
            self.unlink(slot);
        }
    }

    /// Number of units indexed.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Roughly how many bytes the index holds: its tables' and strings' capacities.
    pub fn approximate_bytes(&self) -> usize {
        let text = |s: &String| s.capacity();
        let entries = self.slots.iter().flatten().map(|entry| {
            text(&entry.code) + text(&entry.name) + entry.parent_code.as_ref().map_or(0, text)
        });
        let by_code = self
            .by_code
            .keys()
            .map(|code| size_of::<(String, u32)>() + 1 + text(code));
        let children = self.children.iter().map(|(parent, slots)| {
            size_of::<(Option<String>, Vec<u32>)>()
                + parent.as_ref().map_or(0, text)
                + 4 * slots.capacity()
        });
        let postings = self
            .postings
            .iter()
            .map(|p| size_of::<Vec<u32>>() + 4 * p.capacity());
        self.slots.capacity() * size_of::<Option<Entry>>()
            + self.keys.capacity() * size_of::<Key>()
            + entries.sum::<usize>()
            + by_code.sum::<usize>()
            + children.sum::<usize>()
            + postings.sum::<usize>()
            + self.vocab.approximate_bytes()
    }

    /// The units directly under `parent` (the top of the tree for `None`), by code, each with
    /// score 0: what a resident walks with buttons.
    pub fn children(&self, parent: Option<&str>) -> Vec<SearchHit> {
        let key = parent.map(str::to_owned);
        let mut slots = self.children.get(&key).cloned().unwrap_or_default();
        slots.sort_by(|a, b| self.code_of(*a).cmp(self.code_of(*b)));
        slots
            .into_iter()
            .filter_map(|slot| self.hit(slot, 0))
            .collect()
    }

    /// Takes the slot's unit out of the postings and of its parent's children, emptying it.
    fn unlink(&mut self, slot: u32) {
        let Some(entry) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        let key = std::mem::replace(&mut self.keys[slot as usize], Key::empty());
        for word in distinct(key.words()) {
            let posting = &mut self.postings[word as usize];
            if let Ok(at) = posting.binary_search(&slot) {
                posting.remove(at);
            }
        }
        if let Some(siblings) = self.children.get_mut(&entry.parent_code) {
            siblings.retain(|&sibling| sibling != slot);
        }
    }

    pub(super) fn entry(&self, slot: u32) -> Option<&Entry> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    pub(super) fn code_of(&self, slot: u32) -> &str {
        self.entry(slot).map_or("", |entry| entry.code.as_str())
    }

    fn by_code(&self, code: &str) -> Option<&Entry> {
        self.entry(*self.by_code.get(code)?)
    }

    pub(super) fn hit(&self, slot: u32, score: u32) -> Option<SearchHit> {
        let found = self.entry(slot)?;
        let (entry, formerly) = match &found.alias_of {
            Some(code) => (self.by_code(code)?, Some(found.name.clone())),
            None => (found, None),
        };
        let parent = entry
            .parent_code
            .as_deref()
            .and_then(|code| self.by_code(code));
        Some(SearchHit {
            code: entry.code.clone(),
            name: entry.name.clone(),
            level: entry.level,
            parent_code: entry.parent_code.clone(),
            parent_name: parent.map(|parent| parent.name.clone()),
            score,
            formerly,
            formerly_in: self.formerly_in(entry),
        })
    }

    /// A moved village's former commune, when a sibling has the same name.
    fn formerly_in(&self, entry: &Entry) -> Option<String> {
        let from = entry.moved_from.as_ref()?;
        let siblings = self.children.get(&entry.parent_code)?;
        let clash = siblings
            .iter()
            .filter_map(|&s| self.entry(s))
            .any(|sibling| sibling.code != entry.code && fold(&sibling.name) == fold(&entry.name));
        clash.then(|| {
            self.history
                .get(from)
                .cloned()
                .unwrap_or_else(|| from.clone())
        })
    }
}

fn distinct(words: &[WordId]) -> Vec<WordId> {
    let mut words = words.to_vec();
    words.sort_unstable();
    words.dedup();
    words
}

impl fmt::Debug for UnitIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitIndex")
            .field("units", &self.len())
            .field("words", &self.vocab.len())
            .finish()
    }
}
