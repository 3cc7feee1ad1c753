//! Whether a phone number is public (Decree 13/2023): the one place that decides it.
//!
//! Two words count: what was recorded with the team (the head confirmed at registration, or
//! a member's own word carried into the team when it was saved again), and the person's own
//! word given in chat with their own contact (`phone_consents`), which overrides the first
//! in both directions. Every reader — the head's card, residents' cards, a member's own menu,
//! the CSV and XLSX listings — reads members and leaders through the queries of this module's
//! callers, which select both words beside each other, and turns them into one answer here.

use sqlx::Row;

use super::{DbRow, StorageResult};
use crate::conversation::state::ConsentSource;

/// The column every member query (`members m`) selects beside `m.phone_consent_by`: the
/// person's own word. A macro, so queries are still `concat!`-ed constants.
macro_rules! member_own_word {
    () => {
        "(SELECT pc.granted FROM phone_consents pc WHERE pc.phone = m.phone) AS own_word"
    };
}
pub(crate) use member_own_word;

/// The same for a team's leader (`teams t`), beside `t.leader_phone_consent_by`.
macro_rules! leader_own_word {
    () => {
        "(SELECT pc.granted FROM phone_consents pc WHERE pc.phone = t.leader_phone) AS leader_own_word"
    };
}
pub(crate) use leader_own_word;

/// Who says the number may be shown, or `None` when it must stay hidden.
pub fn decide(recorded: Option<&str>, own_word: Option<i64>) -> Option<ConsentSource> {
    match own_word {
        Some(0) => None,
        Some(_) => Some(ConsentSource::Member),
        None => match recorded {
            Some("head") => Some(ConsentSource::Head),
            Some("member") => Some(ConsentSource::Member),
            _ => None,
        },
    }
}

/// The decision for a member row selected with [`member_own_word`].
pub fn of_member(row: &DbRow) -> StorageResult<Option<ConsentSource>> {
    let recorded: Option<String> = row.try_get("phone_consent_by")?;
    let own_word: Option<i64> = row.try_get("own_word")?;
    Ok(decide(recorded.as_deref(), own_word))
}

/// The decision for a team row selected with [`leader_own_word`].
pub fn of_leader(row: &DbRow) -> StorageResult<Option<ConsentSource>> {
    let recorded: Option<String> = row.try_get("leader_phone_consent_by")?;
    let own_word: Option<i64> = row.try_get("leader_own_word")?;
    Ok(decide(recorded.as_deref(), own_word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_persons_own_word_overrides_the_heads_both_ways() {
        assert_eq!(decide(Some("head"), None), Some(ConsentSource::Head));
        assert_eq!(decide(None, None), None);
        assert_eq!(decide(Some("head"), Some(0)), None);
        assert_eq!(decide(None, Some(1)), Some(ConsentSource::Member));
        assert_eq!(decide(Some("member"), None), Some(ConsentSource::Member));
    }
}
