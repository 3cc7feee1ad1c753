//! Finding a place by the name a resident types: "who helps me in Đại Sơn?"
//!
//! [`UnitIndex`] holds every unit of the place tree in memory, indexed by the folded words of
//! its name ([`crate::domain::text::fold`]: lower case, no diacritics, đ → d), so NFC or NFD
//! input, either tone-mark placement (Hoà / Hòa) and missing diacritics all match. A leading
//! kind word (Xã, Thị trấn, Phường, Thôn, Khu, Khu dân cư, Tổ dân phố, Huyện, Quận, Thị xã,
//! Thành phố, Tỉnh, and Ấp, Xóm, Bản, Buôn, Khóm, Khu phố) is set apart in names and queries.
//!
//! A unit matches when every query word fits a word of its name: the same word, the start of
//! one for the query's last word (the resident is still typing), or, only when that finds
//! fewer units than asked for, one word (of 4+ letters, or 3+ next to another word) one edit
//! away: a letter inserted, deleted, replaced, or two neighbours swapped. That one typo may
//! be in the kind word instead ("tohn dong"). Scores, lower is better:
//!
//! | | score |
//! | --- | --- |
//! | the name is the query ("Tứ Kỳ" for "tu ky") | 0 |
//! | the name begins with the query ("Đại Sơn" for "dai") | 100 |
//! | every query word is in the name ("Tân Đông" for "dong") | 200 |
//! | plus: each name word the query lacks | +10 (at most 9) |
//! | plus: the query's kind word differs from the name's ("xã tu ky" for "Thị trấn Tứ Kỳ") | +1 |
//! | plus: a word with a typo | +1000 |
//!
//! Equal scores are ordered by level (provinces first) then code. Queries are cut to 120
//! characters and 8 words; names are indexed by their first 8 words. [`SharedIndex`] shares one
//! index between the chats and keeps it current after a unit is written.

mod index;
mod key;
mod query;
mod rank;
mod shared;
mod vocab;
mod words;

#[cfg(test)]
mod tests;

pub use index::UnitIndex;
pub use shared::SharedIndex;

use crate::storage::UnitLevel;

/// A unit found, with its parent's name to tell apart two villages of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    /// Lower is better; see the module documentation. 0 for [`UnitIndex::children`].
    pub score: u32,
    /// Found by a former name (an old commune merged into this one): that name.
    pub formerly: Option<String>,
    /// A village moved by a reorganisation that shares its name with another village of its
    /// commune: the name of the commune it came from, to tell them apart.
    pub formerly_in: Option<String>,
}

impl UnitIndex {
    /// The `limit` best units of `levels` (any level when empty) for `query`, best first.
    pub fn search(&self, query: &str, levels: &[UnitLevel], limit: usize) -> Vec<SearchHit> {
        let mut hits = query::search(self, query, levels, limit);
        // A commune found by its name and by a former one is listed once, at its best.
        let mut seen = std::collections::HashSet::new();
        hits.retain(|hit| seen.insert(hit.code.clone()));
        hits
    }
}
