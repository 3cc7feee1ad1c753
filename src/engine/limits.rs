//! Per-chat rate limit on lookups, kept in memory: residents' searches store nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::chat::ChatKey;

/// Lookups allowed per chat in any window of [`WINDOW_SECONDS`].
const LOOKUPS_PER_WINDOW: usize = 20;
const WINDOW_SECONDS: i64 = 60;

#[derive(Debug, Default)]
pub struct RateLimiter {
    recent: Mutex<HashMap<ChatKey, VecDeque<DateTime<Utc>>>>,
}

impl RateLimiter {
    /// Records a lookup at `now`; `false` when the chat is over its limit.
    pub fn allow(&self, chat: &ChatKey, now: DateTime<Utc>) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let since = now - Duration::seconds(WINDOW_SECONDS);
        recent.retain(|_, times| times.back().is_some_and(|t| *t > since));
        let times = recent.entry(chat.clone()).or_default();
        while times.front().is_some_and(|t| *t <= since) {
            times.pop_front();
        }
        if times.len() >= LOOKUPS_PER_WINDOW {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::ChannelName;

    #[test]
    fn a_chat_over_its_limit_waits_for_the_window_to_pass() {
        let limiter = RateLimiter::default();
        let chat = ChatKey::new(ChannelName::Console, "1");
        let start = Utc::now();
        for _ in 0..LOOKUPS_PER_WINDOW {
            assert!(limiter.allow(&chat, start));
        }
        assert!(!limiter.allow(&chat, start), "one too many");
        assert!(
            limiter.allow(&ChatKey::new(ChannelName::Console, "2"), start),
            "other chats are not affected"
        );
        assert!(limiter.allow(&chat, start + Duration::seconds(WINDOW_SECONDS + 1)));
    }
}
