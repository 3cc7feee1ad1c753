//! What matching and ranking read of a unit, packed in one cache line: a search visits
//! thousands of units and should not chase a pointer for each.

use super::vocab::WordId;
use crate::storage::UnitLevel;

/// Words of a name beyond this many are not indexed; no place name is that long.
pub(super) const MAX_NAME_WORDS: usize = 8;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Key {
    words: [WordId; MAX_NAME_WORDS],
    len: u8,
    /// The kind word the name starts with (see [`super::words::Words`]).
    pub(super) kind: Option<u8>,
    /// [`UnitLevel::depth`]; `u8::MAX` for an empty slot.
    pub(super) depth: u8,
    /// One bit per word of the name (its id modulo 64): a quick "cannot match".
    pub(super) signature: u64,
    /// The code's first 8 bytes, big-endian: orders codes without reading them.
    pub(super) code_start: u64,
}

impl Key {
    pub(super) fn new(words: &[WordId], kind: Option<u8>, level: UnitLevel, code: &str) -> Key {
        let mut key = Key {
            kind,
            depth: level.depth(),
            ..Key::default()
        };
        for (at, &word) in words.iter().take(MAX_NAME_WORDS).enumerate() {
            key.words[at] = word;
            key.len += 1;
            key.signature |= bit(word);
        }
        let mut start = [0u8; 8];
        for (to, from) in start.iter_mut().zip(code.bytes()) {
            *to = from;
        }
        key.code_start = u64::from_be_bytes(start);
        key
    }

    /// The key of an empty slot: it matches nothing.
    pub(super) fn empty() -> Key {
        Key {
            depth: u8::MAX,
            ..Key::default()
        }
    }

    pub(super) fn words(&self) -> &[WordId] {
        &self.words[..usize::from(self.len)]
    }

    pub(super) fn is_level(&self, levels: &[UnitLevel]) -> bool {
        levels.is_empty() || levels.iter().any(|level| level.depth() == self.depth)
    }
}

/// The signature bit of a word.
pub(super) fn bit(word: WordId) -> u64 {
    1 << (word % 64)
}
