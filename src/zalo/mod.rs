//! Zalo Official Account adapter. Like the Telegram one it only translates: webhook events
//! are checked and recorded in the inbox of [`crate::pipeline`], replies leave through its
//! outbox.
//!
//! - [`tokens`]: the OAuth access token the API calls carry (kept in the database, refreshed
//!   ahead of expiry by one replica at a time).

use futures::future::BoxFuture;

use crate::chat::ChannelName;

/// The channel name of Zalo chats in [`crate::chat::ChatKey`].
pub const CHANNEL: ChannelName = ChannelName::Zalo;

/// Zalo's limit on a consultation message's text.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Zalo's answers about the Official Account itself, not about a message or its user: the
/// OA's package, permissions or status (its quota, a package that does not include the API,
/// the app's Zalo Cloud Account…). Every message would get the same answer, so sending
/// pauses, as for a refused refresh token, until an operator has fixed the account.
pub const ACCOUNT_REFUSALS: [i64; 6] = [-211, -221, -223, -224, -320, -321];

/// Why no access token can be given for now. Sending waits (nothing is dropped).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenUnavailable {
    /// A refresh failed for good (the refresh token was refused or expired): sending is
    /// paused until an operator runs `cnscd zalo token set`.
    #[error("Zalo sending is paused: {0}")]
    Paused(String),
    /// No token yet, the database or the token endpoint failed for now: tried again later.
    #[error("no Zalo access token for now: {0}")]
    NotNow(String),
}

/// Where the Zalo channel gets the access token its API calls carry.
pub trait AccessTokens: Send + Sync + 'static {
    /// A token valid for now.
    fn current(&self) -> BoxFuture<'_, Result<String, TokenUnavailable>>;

    /// Zalo refused `token` as invalid or expired: a fresh one (refreshed here, unless
    /// another replica already replaced it).
    fn rejected<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<String, TokenUnavailable>>;

    /// Zalo refused a call with `code`, one of [`ACCOUNT_REFUSALS`]: sending pauses (the
    /// messages wait) and the admins are told, until an operator runs `cnscd zalo resume`.
    /// Where no pause is kept (the tests' fixed token) sending only waits and tries again.
    fn account_refused(&self, code: i64) -> BoxFuture<'_, ()> {
        let _ = code;
        Box::pin(async {})
    }
}

pub mod adapter;
pub mod api;
pub mod buttons;
pub mod channel;
pub mod config;
pub mod event;
pub mod files;
pub mod setup;
pub mod signature;
pub mod tokens;
pub mod webhook;
