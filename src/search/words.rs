//! Names and queries as the index compares them: folded words (lower case, no diacritics,
//! đ → d, any normal form or tone-mark placement), with the leading kind word (Xã, Thôn,
//! Huyện, …) set apart.

use super::vocab::one_edit_apart;
use crate::domain::text::fold;

/// Kind words a name or a query may start with, folded; a longer one comes before any
/// shorter one it starts with. The last six are the southern and highland words for a village.
const KINDS: [&[&str]; 18] = [
    &["khu", "dan", "cu"],
    &["to", "dan", "pho"],
    &["khu", "pho"],
    &["thi", "tran"],
    &["thi", "xa"],
    &["thanh", "pho"],
    &["xa"],
    &["phuong"],
    &["thon"],
    &["khu"],
    &["huyen"],
    &["quan"],
    &["tinh"],
    &["ap"],
    &["xom"],
    &["ban"],
    &["buon"],
    &["khom"],
];

/// A query is cut to this many characters before anything else: a pasted essay costs nothing.
const MAX_QUERY_CHARS: usize = 120;
/// Words of a query beyond this many are ignored; no place name is that long.
const MAX_QUERY_WORDS: usize = 8;
/// A kind word this long is recognised with a typo ("tohn" for "thôn").
const KIND_TYPO_MIN_LETTERS: usize = 4;

/// The words of a unit's name or of a query, without the leading kind word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Words {
    /// Index of the kind word the text started with, if any.
    pub(super) kind: Option<u8>,
    pub(super) words: Vec<String>,
    /// Typos already spent on reading the kind word.
    pub(super) typos: u32,
}

impl Words {
    /// A unit's name: its leading kind word is set apart once, unless nothing would be left.
    pub(super) fn of_name(name: &str) -> Words {
        split_kind(split(name))
    }

    /// The ways to read a query: without its leading kind word, and, when it had one, also
    /// with it as part of the name ("Quan Độ" is a village, not a district called Độ). A
    /// first word one typo from a kind word is read both ways too. Empty when the query has
    /// no word at all.
    pub(super) fn of_query(query: &str) -> Vec<Words> {
        let cut: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let mut words = split(&cut);
        words.truncate(MAX_QUERY_WORDS);
        if words.is_empty() {
            return Vec::new();
        }
        let stripped = split_kind(words.clone());
        let whole = Words {
            kind: None,
            words,
            typos: 0,
        };
        match (stripped.kind, mistyped_kind(&whole.words)) {
            (Some(_), _) => vec![stripped, whole],
            (None, Some(mistyped)) => vec![mistyped, whole],
            (None, None) => vec![whole],
        }
    }
}

/// Folded words: letters and digits; an apostrophe joins ("H'Leo" → "hleo"), anything else
/// separates. Numbers lose their leading zeros ("Khu 01" is "Khu 1").
pub(super) fn split(text: &str) -> Vec<String> {
    let folded = fold(text).replace('\'', "");
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            if word.bytes().all(|b| b.is_ascii_digit()) {
                let number = word.trim_start_matches('0');
                if number.is_empty() { "0" } else { number }.to_owned()
            } else {
                word.to_owned()
            }
        })
        .collect()
}

/// The query without its kind word when one of that word's words is one edit off
/// ("tohn dong", "thi tarn tu ky").
fn mistyped_kind(words: &[String]) -> Option<Words> {
    KINDS.iter().enumerate().find_map(|(index, kind)| {
        if words.len() <= kind.len() {
            return None;
        }
        // As for the name's words: a short word may carry the typo when others anchor it.
        let letters = KIND_TYPO_MIN_LETTERS - usize::from(kind.len() > 1);
        let mut typos = 0;
        for (word, expected) in words.iter().zip(*kind) {
            if word != expected {
                if word.len() < letters || !one_edit_apart(word, expected) {
                    return None;
                }
                typos += 1;
            }
        }
        (typos == 1).then(|| Words {
            kind: u8::try_from(index).ok(),
            words: words[kind.len()..].to_vec(),
            typos,
        })
    })
}

fn split_kind(mut words: Vec<String>) -> Words {
    let kind = KINDS
        .iter()
        .position(|kind| words.len() > kind.len() && words.iter().zip(*kind).all(|(w, k)| w == k));
    if let Some(index) = kind {
        words.drain(..KINDS[index].len());
    }
    Words {
        kind: kind.and_then(|index| u8::try_from(index).ok()),
        words,
        typos: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        Words::of_name(text).words
    }

    #[test]
    fn a_name_loses_its_kind_word_and_its_diacritics() {
        assert_eq!(words("Thị trấn Tứ Kỳ"), ["tu", "ky"]);
        assert_eq!(words("Khu dân cư số 01"), ["so", "1"]);
        assert_eq!(words("Xã Ea H'Leo"), ["ea", "hleo"]);
        assert_eq!(words("Thôn Quan Độ"), ["quan", "do"]);
    }

    #[test]
    fn a_name_that_is_only_a_kind_word_keeps_it() {
        assert_eq!(words("Xã"), ["xa"]);
    }

    #[test]
    fn a_query_with_a_kind_word_is_read_both_ways() {
        let readings = Words::of_query("quận  1");
        assert_eq!(readings.len(), 2);
        assert_eq!(readings[0].words, ["1"]);
        assert!(readings[0].kind.is_some());
        assert_eq!(readings[1].words, ["quan", "1"]);
    }

    #[test]
    fn a_mistyped_kind_word_is_recognised_at_the_cost_of_the_typo() {
        let readings = Words::of_query("tohn nam");
        assert_eq!(readings[0].words, ["nam"]);
        assert_eq!(readings[0].typos, 1);
        assert_eq!(readings[1].words, ["tohn", "nam"]);
        assert_eq!(Words::of_query("tohn").len(), 1, "nothing would be left");
        assert_eq!(Words::of_query("thi tarn tu ky")[0].words, ["tu", "ky"]);
        assert_eq!(Words::of_query("thi tarn tu ky")[0].typos, 1);
        assert_eq!(Words::of_query("tih tarn tu ky").len(), 1, "two typos");
    }

    #[test]
    fn a_query_of_punctuation_has_no_reading() {
        assert!(Words::of_query(" ,.- ").is_empty());
    }
}
