//! Whether a phone number is public (Personal Data Protection Law 91/2025/QH15 and Decree
//! 356/2025/NĐ-CP: consent is the person's own, clear and verifiable, never a default): the
//! one place that decides it.
//!
//! Two words count: what was recorded with the team (the head's statement that the person
//! signed a paper consent, a head's word recorded before the law, or a member's own word
//! carried into the team when it was saved again), and the person's own
//! word given in chat from a chat proven to be theirs (`phone_consents`), which overrides the
//! first in both directions. Nobody else's save overwrites a person's own word: a head's
//! save carries the own words read at saving into the team (so the head's card shows what
//! residents see, even when the edit began before the person spoke); only a village head
//! answering about their own number, as the leader, changes their own word. Every reader — the head's card, residents' cards, a member's own menu,
//! the CSV and XLSX listings — reads members and leaders through the queries of this module's
//! callers, which select both words beside each other, and turns them into one answer here.

use sqlx::Row;

use super::{DbRow, StorageResult, Tx};
use crate::domain::{ConsentSource, PhoneNumber, Team};

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
            Some("paper") => Some(ConsentSource::Paper),
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

/// The numbers whose consent the head changed between the team as stored (`before`, as
/// decided here) and the team being saved.
pub fn changed_by_head<'a>(before: &Team, after: &'a Team) -> Vec<&'a PhoneNumber> {
    let was = |phone: &PhoneNumber| -> Option<Option<ConsentSource>> {
        if before.leader_phone.as_ref() == Some(phone) {
            return Some(before.leader_consent);
        }
        let member = before.members.iter().find(|m| &m.phone == phone);
        member.map(|m| m.consent)
    };
    let leader = after
        .leader_phone
        .as_ref()
        .map(|p| (p, after.leader_consent));
    let members = after.members.iter().map(|m| (&m.phone, m.consent));
    leader
        .into_iter()
        .chain(members)
        .filter(|(phone, now)| was(phone).is_some_and(|was| was != *now))
        .map(|(phone, _)| phone)
        .collect()
}

/// The own word of each of `phones` that gave one: `true` to show.
pub async fn own_words(
    tx: &mut Tx<'_>,
    phones: &[PhoneNumber],
) -> StorageResult<Vec<(PhoneNumber, bool)>> {
    let mut words = Vec::new();
    for phone in phones {
        let granted: Option<i64> =
            sqlx::query_scalar("SELECT granted FROM phone_consents WHERE phone = $1")
                .bind(phone.e164())
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(granted) = granted {
            words.push((phone.clone(), granted != 0));
        }
    }
    Ok(words)
}

/// Forgets a person's own word: only the person themselves may (a village head answering
/// about their own number as the team's leader).
pub async fn forget_own_word(tx: &mut Tx<'_>, phone: &PhoneNumber) -> StorageResult<()> {
    sqlx::query("DELETE FROM phone_consents WHERE phone = $1")
        .bind(phone.e164())
        .execute(&mut **tx)
        .await?;
    Ok(())
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
        assert_eq!(decide(Some("paper"), None), Some(ConsentSource::Paper));
        assert_eq!(decide(Some("paper"), Some(0)), None);
    }
}
