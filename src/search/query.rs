//! Answering a query: candidates from the postings of its rarest word, a score for each, the
//! best kept in a bounded heap. Typos are only looked at when the query finds too few units
//! without them, since a typo match always ranks after every other match.

use super::index::UnitIndex;
use super::key::{bit, Key};
use super::rank::Best;
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
/// Each part of two words typed without a space ("dongson") has at least this many letters.
const MIN_GLUED_LETTERS: usize = 2;

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
    /// The signature bits of those words.
    mask: u64,
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
        let letters = if count > 1 {
            TYPO_MIN_LETTERS - 1
        } else {
            TYPO_MIN_LETTERS
        };
        if typos && word.len() >= letters {
            let typo = index.vocab.one_edit(word);
            fits.extend(typo.into_iter().map(|id| (id, Fit::Typo)));
        }
        fits.sort_unstable();
        fits.dedup_by_key(|(id, _)| *id);
        let mask = fits.iter().fold(0, |mask, (id, _)| mask | bit(*id));
        Matcher { fits, mask }
    }

    fn position(&self, word: WordId) -> Option<usize> {
        self.fits.binary_search_by_key(&word, |(id, _)| *id).ok()
    }

    fn fit(&self, word: WordId) -> Option<Fit> {
        self.position(word).map(|at| self.fits[at].1)
    }
}

/// Candidates: the units of a matcher's fits, with or without its typo fits.
struct Source<'m> {
    matcher: &'m Matcher,
    typos: bool,
}

impl Source<'_> {
    fn allows(&self, fit: Fit) -> bool {
        self.typos || fit != Fit::Typo
    }

    /// What visiting every candidate costs.
    fn weight(&self, index: &UnitIndex) -> usize {
        let fits = self
            .matcher
            .fits
            .iter()
            .filter(|(_, fit)| self.allows(*fit));
        fits.map(|(id, _)| index.postings[*id as usize].len()).sum()
    }

    /// The first of the allowed fits that one of `names` is: a unit is visited through that one.
    fn first(&self, names: &[WordId]) -> Option<usize> {
        let positions = names.iter().filter_map(|&name| self.matcher.position(name));
        positions
            .filter(|&at| self.allows(self.matcher.fits[at].1))
            .min()
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
    // A unit may be offered once per reading: keep enough to still have `limit` distinct.
    let mut best = Best::new(index, limit.saturating_mul(readings.len()));
    for typos in [false, true] {
        best.clear();
        for reading in &readings {
            collect(index, reading, levels, typos, &mut best);
        }
        if best.distinct() >= limit {
            break;
        }
    }
    if best.distinct() == 0 {
        // "dongson": words typed without the space between them.
        for reading in readings.iter().flat_map(|r| unglued(index, r)) {
            collect(index, &reading, levels, false, &mut best);
        }
    }
    best.into_hits(limit)
}

/// The reading with its first unknown word cut in two known ones ("dongson" → "dong son"),
/// once for each cut that works (the tail may also just begin a word when it is the
/// query's last).
fn unglued(index: &UnitIndex, reading: &Words) -> Vec<Words> {
    let count = reading.words.len();
    let Some((at, word)) = (reading.words.iter().enumerate())
        .find(|(_, w)| w.len() >= 2 * MIN_GLUED_LETTERS && index.vocab.id(w).is_none())
    else {
        return Vec::new();
    };
    let last = at + 1 == count;
    let known = |part: &str, start: bool| {
        index.vocab.id(part).is_some() || (start && index.vocab.longer(part).next().is_some())
    };
    (MIN_GLUED_LETTERS..=word.len() - MIN_GLUED_LETTERS)
        .filter(|&cut| word.is_char_boundary(cut))
        .map(|cut| word.split_at(cut))
        .filter(|(head, tail)| known(head, false) && known(tail, last))
        .map(|(head, tail)| {
            let mut words = reading.words.clone();
            words.splice(at..=at, [head.to_owned(), tail.to_owned()]);
            Words {
                words,
                ..reading.clone()
            }
        })
        .collect()
}

/// Offers every unit of `levels` that the reading matches.
fn collect(index: &UnitIndex, reading: &Words, levels: &[UnitLevel], typos: bool, best: &mut Best) {
    if reading.typos > 0 && !typos {
        return;
    }
    let typos = typos && reading.typos < MAX_TYPOS;
    let matchers: Vec<Matcher> = (0..reading.words.len())
        .map(|at| Matcher::new(index, reading, at, typos))
        .collect();
    let mut sources: Vec<Source> = matchers
        .iter()
        .map(|matcher| Source {
            matcher,
            typos: typos && matchers.len() == 1,
        })
        .collect();
    sources.sort_by_cached_key(|source| source.weight(index));
    // Without typos, every match has the rarest word. With one typo among several words, every
    // match has one of the two rarest words without a typo.
    sources.truncate(if typos && matchers.len() > 1 { 2 } else { 1 });
    for (at, source) in sources.iter().enumerate() {
        let several = source.matcher.fits.len() > 1;
        for (position, (id, fit)) in source.matcher.fits.iter().enumerate() {
            if !source.allows(*fit) {
                continue;
            }
            for &slot in &index.postings[*id as usize] {
                let key = &index.keys[slot as usize];
                if matchers.iter().any(|m| key.signature & m.mask == 0) || !key.is_level(levels) {
                    continue;
                }
                let seen = (several && source.first(key.words()) != Some(position))
                    || sources[..at].iter().any(|s| s.first(key.words()).is_some());
                if seen {
                    continue;
                }
                if let Some(score) = score(key, &matchers, reading) {
                    best.offer(score, slot, key);
                }
            }
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
fn score(key: &Key, matchers: &[Matcher], reading: &Words) -> Option<u32> {
    let names = key.words();
    let (typos, shape) = [in_order(names, matchers), anywhere(names, matchers)]
        .into_iter()
        .flatten()
        .map(|(typos, shape)| (typos + reading.typos, shape))
        .filter(|(typos, _)| *typos <= MAX_TYPOS)
        .min_by_key(|(typos, shape)| (*typos, *shape as u32))?;
    let extra = names.len().saturating_sub(matchers.len()).min(9) as u32;
    let other_kind = u32::from(reading.kind.is_some() && reading.kind != key.kind);
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
