//! Who the bot talks to: the channels it speaks on, a chat on one of them, and how long a
//! chat can be reached after its last message. Every layer names chats, from storage up to
//! the adapters, so these types stand below them all.

use std::fmt;
use std::str::FromStr;

/// A channel the bot speaks on. Its name is what the database stores in every `channel`
/// column and what audit lines print before the chat id (`zalo:8011`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelName {
    Telegram,
    Zalo,
    Console,
    ZaloBot,
}

impl ChannelName {
    pub const ALL: [ChannelName; 4] = [
        ChannelName::Telegram,
        ChannelName::Zalo,
        ChannelName::Console,
        ChannelName::ZaloBot,
    ];

    /// The stored name: rows written before this type existed hold the same text.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelName::Telegram => "telegram",
            ChannelName::Zalo => "zalo",
            ChannelName::Console => "console",
            ChannelName::ZaloBot => "zalo_bot",
        }
    }

    /// Whether a person on this channel is told the Telegram bot's link (an invitation's,
    /// `/thanhvien`'s): not on Zalo, where it would hand them a bot they never use; on the
    /// console, a trial of what a Telegram chat sees. No catch-all: a new channel decides.
    pub const fn is_told_telegram_links(self) -> bool {
        match self {
            ChannelName::Telegram | ChannelName::Console => true,
            ChannelName::Zalo | ChannelName::ZaloBot => false,
        }
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long after a chat's last message its channel lets the bot write to it: freely
/// (`free`), then at a cost or with limits, until `limit`, after which it refuses (Zalo: 48 h
/// and about 7 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub free: std::time::Duration,
    pub limit: std::time::Duration,
}

/// A stored or typed channel name that is none of [`ChannelName`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a channel (telegram, zalo or console)")]
pub struct UnknownChannel(pub String);

impl FromStr for ChannelName {
    type Err = UnknownChannel;

    fn from_str(name: &str) -> Result<ChannelName, UnknownChannel> {
        ChannelName::ALL
            .into_iter()
            .find(|channel| channel.as_str() == name)
            .ok_or_else(|| UnknownChannel(name.to_owned()))
    }
}

/// A chat on a channel: `telegram` + chat id, `console` + a name…
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChatKey {
    pub channel: ChannelName,
    pub id: String,
}

impl ChatKey {
    pub fn new(channel: ChannelName, id: impl Into<String>) -> ChatKey {
        ChatKey {
            channel,
            id: id.into(),
        }
    }

    pub(crate) fn actor(&self) -> String {
        format!("{}:{}", self.channel, self.id)
    }
}

/// A chat written as `CHANNEL:ID` (settings, command-line flags) that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatKeyError {
    #[error("{0:?} is not CHANNEL:ID (for example telegram:123456789)")]
    Shape(String),
    #[error(transparent)]
    Channel(#[from] UnknownChannel),
}

impl FromStr for ChatKey {
    type Err = ChatKeyError;

    /// `telegram:123456789`, `zalo:8011`, `console:an`; spaces around either part are ignored.
    fn from_str(written: &str) -> Result<ChatKey, ChatKeyError> {
        match written.split_once(':') {
            Some((channel, id)) if !id.trim().is_empty() => {
                Ok(ChatKey::new(channel.trim().parse()?, id.trim()))
            }
            _ => Err(ChatKeyError::Shape(written.to_owned())),
        }
    }
}

/// The link that opens the bot with the code: `https://t.me/<bot>?start=<code>`.
pub fn telegram_deep_link(bot_username: &str, code: &str) -> String {
    format!(
        "https://t.me/{}?start={code}",
        bot_username.trim_start_matches('@')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_is_written_channel_colon_id_and_a_misspelt_channel_is_refused() {
        let chat: ChatKey = " zalo : 8011 ".parse().expect("a chat");
        assert_eq!(chat, ChatKey::new(ChannelName::Zalo, "8011"));
        assert_eq!(chat.actor(), "zalo:8011");
        assert!(matches!(
            "telgram:42".parse::<ChatKey>(),
            Err(ChatKeyError::Channel(_))
        ));
        assert!(matches!(
            "42".parse::<ChatKey>(),
            Err(ChatKeyError::Shape(_))
        ));
        assert!(matches!(
            "telegram:".parse::<ChatKey>(),
            Err(ChatKeyError::Shape(_))
        ));
    }

    #[test]
    fn every_channel_reads_back_from_the_name_it_stores() {
        for channel in ChannelName::ALL {
            assert_eq!(channel.as_str().parse(), Ok(channel));
            assert_eq!(channel.to_string(), channel.as_str());
        }
    }

    #[test]
    fn the_stored_names_are_the_ones_rows_already_hold() {
        let names = ChannelName::ALL.map(ChannelName::as_str);
        assert_eq!(names, ["telegram", "zalo", "console", "zalo_bot"]);
    }

    #[test]
    fn an_unknown_name_is_an_error() {
        let refused = "test".parse::<ChannelName>();
        assert_eq!(refused, Err(UnknownChannel("test".to_owned())));
        assert!("Telegram".parse::<ChannelName>().is_err());
    }
}
