//! Answering a query: candidates from the postings of its rarest word, a score for each,
//! the best first. Typos are only looked at when the query finds too few units without them,
//! since a typo match always ranks after every other match.

use std::cmp::Ordering;

use super::index::{Entry, UnitIndex};
use super::vocab::WordId;
use super::words::Words;
use super::SearchHit;
use crate::storage::UnitLevel;

/// How many query words may carry a typo.
const MAX_TYPOS: u32 = 1;
/// A word this long may carry a typo; one letter shorter when another word anchors the query.
const TYPO_MIN_LETTERS: usize = 4;
/// A query of a single word this short does not match the longer words it begins.
const START_MIN_LETTERS: usize = 2;

/// How a query word fits a name word, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Same,
    /// The last query word begins the name word: the resident is still typing.
    Start,
    Typo,
}

/// The name words one query word fits, by id.
struct Matcher {
    fits: Vec<(WordId, Fit)>,
}

impl Matcher {
    fn new(index: &UnitIndex, reading: &Words, at: usize, typos: bool) -> Matcher {
        let word = reading.words[at].as_str();
        let count = reading.words.len();
        let mut fits: Vec<(WordId, Fit)> = Vec::new();
        fits.extend(index.vocab.id(word).map(|id| (id, Fit::Same)));
        if at + 1 == count && (count > 1 || word.len() >= START_MIN_LETTERS) {
            fits.extend(index.vocab.longer(word).map(|id| (id, Fit::Start)));
        }
        let letters = if count > 1 { TYPO_MIN_LETTERS - 1 } else { TYPO_MIN_LETTERS };
        if typos && word.len() >= letters {
            let typo = index.vocab.one_edit(word);
            fits.extend(typo.into_iter().map(|id| (id, Fit::Typo)));
        }
        fits.sort_unstable();
        fits.dedup_by_key(|(id, _)| *id);
        Matcher { fits }
    }

    fn fit(&self, word: WordId) -> Option<Fit> {
        let at = self.fits.binary_search_by_key(&word, |(id, _)| *id).ok()?;
        Some(self.fits[at].1)
    }

    /// Units of all the words this one fits, with repeats: what searching by it costs.
    fn weight(&self, index: &UnitIndex) -> usize {
        self.fits
            .iter()
            .map(|(id, _)| index.postings[*id as usize].len())
            .sum()
    }

    fn slots(&self, index: &UnitIndex) -> Vec<u32> {
        let mut slots: Vec<u32> = Vec::new();
        for (id, _) in &self.fits {
            slots.extend_from_slice(&index.postings[*id as usize]);
        }
        if self.fits.len() > 1 {
            slots.sort_unstable();
            slots.dedup();
        }
        slots
    }
}

/// See the [module](super) documentation for the rules.
pub(super) fn search(
    index: &UnitIndex,
    query: &str,
    levels: &[UnitLevel],
    limit: usize,
) -> Vec<SearchHit> {
    let readings = Words::of_query(query);
    if limit == 0 || readings.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for typos in [false, true] {
        found.clear();
        for reading in &readings {
            collect(index, reading, levels, typos, &mut found);
        }
        if readings.len() > 1 {
            found.sort_unstable_by_key(|&(score, slot)| (slot, score));
            found.dedup_by_key(|(_, slot)| *slot);
        }
        if found.len() >= limit {
            break;
        }
    }
    let order = |a: &(u32, u32), b: &(u32, u32)| compare(index, *a, *b);
    if found.len() > limit {
        found.select_nth_unstable_by(limit - 1, order);
        found.truncate(limit);
    }
    found.sort_unstable_by(order);
    found
        .into_iter()
        .filter_map(|(score, slot)| index.hit(slot, score))
        .collect()
}

/// Best first: lower score, then higher in the tree, then code.
fn compare(index: &UnitIndex, (score_a, a): (u32, u32), (score_b, b): (u32, u32)) -> Ordering {
    let key = |slot: u32| index.entry(slot).map(|e| (e.level.depth(), e.code.as_str()));
    score_a.cmp(&score_b).then_with(|| key(a).cmp(&key(b)))
}

/// Adds `(score, slot)` for every unit of `levels` that the reading matches.
fn collect(
    index: &UnitIndex,
    reading: &Words,
    levels: &[UnitLevel],
    typos: bool,
    found: &mut Vec<(u32, u32)>,
) {
    let matchers: Vec<Matcher> = (0..reading.words.len())
        .map(|at| Matcher::new(index, reading, at, typos))
        .collect();
    let Some(rarest) = matchers.iter().min_by_key(|m| m.weight(index)) else {
        return;
    };
    for slot in rarest.slots(index) {
        let Some(entry) = index.entry(slot) else {
            continue;
        };
        if !levels.is_empty() && !levels.contains(&entry.level) {
            continue;
        }
        if let Some(score) = score(entry, &matchers, reading.kind) {
            found.push((score, slot));
        }
    }
}

/// The shape of a match, best first.
#[derive(Clone, Copy)]
enum Shape {
    /// The name is the query.
    Exact = 0,
    /// The name begins with the query.
    Prefix = 1,
    /// Every query word is somewhere in the name.
    AllWords = 2,
}

/// `1000 × typos + 100 × shape + 10 × extra name words (at most 9) + 1 if the query's kind
/// word differs from the name's`; `None` when the unit does not match.
fn score(entry: &Entry, matchers: &[Matcher], kind: Option<u8>) -> Option<u32> {
    let names = &entry.words;
    let (typos, shape) = [in_order(names, matchers), anywhere(names, matchers)]
        .into_iter()
        .flatten()
        .filter(|(typos, _)| *typos <= MAX_TYPOS)
        .min_by_key(|(typos, shape)| (*typos, *shape as u32))?;
    let extra = names.len().saturating_sub(matchers.len()).min(9) as u32;
    let other_kind = u32::from(kind.is_some() && kind != entry.kind);
    Some(1000 * typos + 100 * shape as u32 + 10 * extra + other_kind)
}

/// Query word `i` fits name word `i`: the name is the query, or begins with it.
fn in_order(names: &[WordId], matchers: &[Matcher]) -> Option<(u32, Shape)> {
    if matchers.len() > names.len() {
        return None;
    }
    let (mut typos, mut last) = (0, Fit::Same);
    for (matcher, &name) in matchers.iter().zip(names) {
        last = matcher.fit(name)?;
        typos += u32::from(last == Fit::Typo);
    }
    let whole = matchers.len() == names.len() && last != Fit::Start;
    Some((typos, if whole { Shape::Exact } else { Shape::Prefix }))
}

/// Every query word fits some name word, each as well as it can.
fn anywhere(names: &[WordId], matchers: &[Matcher]) -> Option<(u32, Shape)> {
    let mut typos = 0;
    for matcher in matchers {
        let best = names.iter().filter_map(|&name| matcher.fit(name)).min()?;
        typos += u32::from(best == Fit::Typo);
    }
    Some((typos, Shape::AllWords))
}
