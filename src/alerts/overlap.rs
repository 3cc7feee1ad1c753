//! Overlapping campaigns: a database may hold two open campaigns over one area (made before
//! one area could have only one). Each recipient then follows one of them only, so they get
//! at most one digest per slot and never two contradicting deadlines.
//!
//! The campaign that governs a recipient is, among those whose area holds them, the one with
//! the narrowest area (the deepest scope: a commune's own campaign before the district's),
//! then the latest deadline (the one moved last is usually the later one), then the newest.
//! The choice depends only on the campaigns, so it stays the same from one run to the next.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::chat::ChannelName;
use crate::storage::campaigns::ScopedAccount;

/// Which campaign wins a recipient: compared by this key, the greatest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Precedence {
    /// How many units lie above the campaign's scope.
    pub depth: usize,
    pub deadline: NaiveDate,
    pub id: i64,
}

/// For each recipient (channel, chat), the id of the campaign that governs them, given each
/// campaign's precedence and the accounts in its area.
pub(super) fn governing<'a>(
    campaigns: impl IntoIterator<Item = (Precedence, &'a [ScopedAccount])>,
) -> HashMap<(ChannelName, String), i64> {
    let mut best: HashMap<(ChannelName, String), Precedence> = HashMap::new();
    for (precedence, accounts) in campaigns {
        for account in accounts {
            let key = (account.channel, account.chat_id.clone());
            let entry = best.entry(key).or_insert(precedence);
            *entry = (*entry).max(precedence);
        }
    }
    best.into_iter().map(|(key, p)| (key, p.id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(chat: &str) -> ScopedAccount {
        ScopedAccount {
            channel: ChannelName::Telegram,
            chat_id: chat.into(),
            role: crate::domain::AccountRole::CommuneOfficial,
            unit_code: "11083".into(),
            change_notices: false,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 5, d).unwrap()
    }

    #[test]
    fn a_recipient_in_two_campaigns_follows_the_narrowest_then_the_latest_deadline() {
        let district = [account("district"), account("commune")];
        let commune = [account("commune")];
        let twin = [account("commune")];
        let p = |depth, deadline, id| Precedence {
            depth,
            deadline,
            id,
        };
        let chosen = governing([
            (p(2, day(30), 1), &district[..]),
            (p(3, day(10), 2), &commune[..]),
        ]);
        assert_eq!(chosen[&(ChannelName::Telegram, "district".into())], 1);
        assert_eq!(chosen[&(ChannelName::Telegram, "commune".into())], 2);

        let chosen = governing([
            (p(3, day(20), 3), &twin[..]),
            (p(3, day(10), 2), &commune[..]),
        ]);
        assert_eq!(chosen[&(ChannelName::Telegram, "commune".into())], 3);
    }
}
