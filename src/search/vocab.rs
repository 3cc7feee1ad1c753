//! Every distinct word of the indexed names, with what finds a word from a partial or
//! mistyped one: a sorted map for beginnings, and the words' one-letter deletions for typos
//! (two words one edit apart share a deletion, or one is a deletion of the other).

use std::collections::{BTreeMap, HashMap};
use std::mem::size_of;
use std::ops::Bound;

/// A word's number in the vocabulary.
pub(super) type WordId = u32;

#[derive(Debug, Default)]
pub(super) struct Vocab {
    ids: BTreeMap<String, WordId>,
    texts: Vec<String>,
    /// One-letter deletion → the words it comes from.
    deletions: HashMap<String, Vec<WordId>>,
}

impl Vocab {
    pub(super) fn len(&self) -> usize {
        self.texts.len()
    }

    /// Roughly how many bytes the vocabulary holds.
    pub(super) fn approximate_bytes(&self) -> usize {
        // A B-tree entry costs about its key and value plus a third for the nodes.
        let words: usize = self.texts.iter().map(|text| 2 * text.capacity()).sum();
        let tree = self.ids.len() * (size_of::<(String, WordId)>() * 4 / 3);
        let deletions: usize = self
            .deletions
            .iter()
            .map(|(deletion, ids)| {
                size_of::<(String, Vec<WordId>)>() + 1 + deletion.capacity() + 4 * ids.capacity()
            })
            .sum();
        words + tree + self.texts.capacity() * size_of::<String>() + deletions
    }

    /// The word's id, adding it when new. Words stay when no name uses them any more.
    pub(super) fn intern(&mut self, word: &str) -> WordId {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = WordId::try_from(self.texts.len()).unwrap_or(WordId::MAX);
        for deletion in deletions(word) {
            self.deletions.entry(deletion).or_default().push(id);
        }
        self.ids.insert(word.to_owned(), id);
        self.texts.push(word.to_owned());
        id
    }

    pub(super) fn id(&self, word: &str) -> Option<WordId> {
        self.ids.get(word).copied()
    }

    /// Words that start with `start` and are longer.
    pub(super) fn longer<'a>(&'a self, start: &'a str) -> impl Iterator<Item = WordId> + 'a {
        self.ids
            .range::<str, _>((Bound::Excluded(start), Bound::Unbounded))
            .take_while(move |(word, _)| word.starts_with(start))
            .map(|(_, &id)| id)
    }

    /// Words exactly one edit from `word`: a letter inserted, deleted, replaced, or two
    /// neighbouring letters swapped.
    pub(super) fn one_edit(&self, word: &str) -> Vec<WordId> {
        let mut found: Vec<WordId> = self.sharing(word).to_vec();
        for deletion in deletions(word) {
            found.extend_from_slice(self.sharing(&deletion));
            found.extend(self.id(&deletion));
        }
        found.sort_unstable();
        found.dedup();
        found.retain(|&id| {
            self.texts
                .get(id as usize)
                .is_some_and(|text| one_edit_apart(word, text))
        });
        found
    }
}

impl Vocab {
    /// Words that `deletion` is a one-letter deletion of.
    fn sharing(&self, deletion: &str) -> &[WordId] {
        self.deletions.get(deletion).map_or(&[], Vec::as_slice)
    }
}

/// Every string made by deleting one letter of `word` (none for a one-letter word).
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let many = chars.len() > 1;
    chars
        .into_iter()
        .filter(move |_| many)
        .map(move |(at, c)| format!("{}{}", &word[..at], &word[at + c.len_utf8()..]))
}

/// True when `a` and `b` differ by exactly one insertion, deletion, substitution or swap of
/// neighbouring letters.
pub(super) fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let same_start = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 if same_start == short.len() => false,
        0 => {
            let rest = same_start + 1;
            short[rest..] == long[rest..]
                || (rest < short.len()
                    && short[same_start] == long[rest]
                    && short[rest] == long[same_start]
                    && short[rest + 1..] == long[rest + 1..])
        }
        1 => short[same_start..] == long[same_start + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_covers_insertion_deletion_substitution_and_swap() {
        for (a, b) in [
            ("son", "snn"),
            ("hung", "hugn"),
            ("dao", "daoo"),
            ("thuy", "thy"),
        ] {
            assert!(one_edit_apart(a, b), "{a} / {b}");
            assert!(one_edit_apart(b, a), "{b} / {a}");
        }
        for (a, b) in [
            ("son", "son"),
            ("hung", "nguh"),
            ("dai", "dao1x"),
            ("abcd", "badc"),
        ] {
            assert!(!one_edit_apart(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn the_vocabulary_finds_words_one_edit_away_and_longer_words() {
        let mut vocab = Vocab::default();
        let ids: Vec<WordId> = ["son", "song", "sen", "hung", "dao"]
            .iter()
            .map(|word| vocab.intern(word))
            .collect();
        assert_eq!(vocab.one_edit("snn"), [ids[0], ids[2]]);
        assert_eq!(vocab.one_edit("son"), [ids[1], ids[2]]);
        assert_eq!(vocab.one_edit("hugn"), [ids[3]]);
        assert_eq!(vocab.longer("so").collect::<Vec<_>>(), [ids[0], ids[1]]);
        assert_eq!(vocab.longer("son").collect::<Vec<_>>(), [ids[1]]);
    }
}
