//! Where an alert goes when its official has several chats (linked with `/lienket`): to
//! one of them only, one that can be reached now (a channel without a window, or a chat
//! inside its channel's window), the most recently active first. And who could not be
//! reached: the digest of the official above names them.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::chat::{ChannelName, ChatKey, Window};
use crate::storage::campaigns::ScopedAccount;
use crate::storage::people::ChatReach;

/// How well `account`'s chat can be written to at `now`: 2 freely (no window, or inside
/// its free part), 1 still (inside the window), 0 not (outside it).
pub(super) fn reachability(
    account: &ScopedAccount,
    reach: Option<&ChatReach>,
    windows: &HashMap<ChannelName, Window>,
    now: DateTime<Utc>,
) -> u8 {
    let Some(window) = windows.get(&account.channel) else {
        return 2;
    };
    let Some(seen) = reach.and_then(|r| r.last_seen) else {
        return 0;
    };
    let within =
        |d: Duration| now - seen <= chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    match (within(window.free), within(window.limit)) {
        (true, _) => 2,
        (false, true) => 1,
        (false, false) => 0,
    }
}

/// One account per person, in the order the people first appear.
pub(super) fn one_chat_per_person(
    accounts: Vec<ScopedAccount>,
    reach: &HashMap<ChatKey, ChatReach>,
    windows: &HashMap<ChannelName, Window>,
    now: DateTime<Utc>,
) -> Vec<ScopedAccount> {
    let person = |a: &ScopedAccount| {
        reach.get(&a.chat()).map_or_else(
            || format!("{}:{}", a.channel, a.chat_id),
            |r| r.person.clone(),
        )
    };
    let mut order: Vec<String> = Vec::new();
    let mut chats: HashMap<String, Vec<ScopedAccount>> = HashMap::new();
    for account in accounts {
        let who = person(&account);
        if !chats.contains_key(&who) {
            order.push(who.clone());
        }
        chats.entry(who).or_default().push(account);
    }
    order
        .into_iter()
        .filter_map(|who| {
            let mut candidates = chats.remove(&who)?;
            // Freely reachable first, then reachable, then the most recently active.
            candidates.sort_by_key(|a| {
                let r = reach.get(&a.chat());
                let how = reachability(a, r, windows, now);
                (
                    std::cmp::Reverse(how),
                    std::cmp::Reverse(r.and_then(|r| r.last_seen)),
                )
            });
            candidates.into_iter().next()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(channel: &str, chat: &str) -> ScopedAccount {
        ScopedAccount {
            channel: channel.parse().expect("a channel"),
            chat_id: chat.into(),
            role: crate::domain::AccountRole::CommuneOfficial,
            unit_code: "11083".into(),
            change_notices: true,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2022-04-24T09:00:00+07:00")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn seen(person: &str, days_ago: i64) -> ChatReach {
        ChatReach {
            person: person.into(),
            last_seen: Some(now() - chrono::Duration::days(days_ago)),
        }
    }

    fn chat(channel: &str, id: &str) -> ChatKey {
        ChatKey::new(channel.parse().expect("a channel"), id)
    }

    fn zalo_week() -> HashMap<ChannelName, Window> {
        let window = Window {
            free: Duration::from_secs(48 * 3600),
            limit: Duration::from_secs(7 * 24 * 3600),
        };
        HashMap::from([(ChannelName::Zalo, window)])
    }

    #[test]
    fn a_zalo_chat_outside_its_window_gives_way_to_the_same_persons_telegram_chat() {
        let reach = HashMap::from([
            (chat("zalo", "z1"), seen("p", 8)),
            (chat("telegram", "t1"), seen("p", 30)),
        ]);
        let chosen = one_chat_per_person(
            vec![account("zalo", "z1"), account("telegram", "t1")],
            &reach,
            &zalo_week(),
            now(),
        );
        assert_eq!(chosen, vec![account("telegram", "t1")]);
    }

    #[test]
    fn of_two_reachable_chats_the_most_recently_active_gets_the_alert() {
        let reach = HashMap::from([
            (chat("zalo", "z1"), seen("p", 1)),
            (chat("telegram", "t1"), seen("p", 3)),
        ]);
        let chosen = one_chat_per_person(
            vec![account("telegram", "t1"), account("zalo", "z1")],
            &reach,
            &zalo_week(),
            now(),
        );
        assert_eq!(chosen, vec![account("zalo", "z1")]);
    }

    #[test]
    fn a_telegram_chat_goes_before_a_zalo_chat_past_its_free_window() {
        let reach = HashMap::from([
            (chat("zalo", "z1"), seen("p", 3)),
            (chat("telegram", "t1"), seen("p", 20)),
        ]);
        let chosen = one_chat_per_person(
            vec![account("zalo", "z1"), account("telegram", "t1")],
            &reach,
            &zalo_week(),
            now(),
        );
        assert_eq!(chosen, vec![account("telegram", "t1")]);
    }

    #[test]
    fn different_people_each_get_their_alert() {
        let chosen = one_chat_per_person(
            vec![account("zalo", "z1"), account("zalo", "z2")],
            &HashMap::new(),
            &zalo_week(),
            now(),
        );
        assert_eq!(chosen.len(), 2, "unlinked chats are people of their own");
    }
}
