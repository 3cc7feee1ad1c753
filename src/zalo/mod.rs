//! Zalo Official Account adapter. Like the Telegram one it only translates: webhook events
//! are checked and recorded in the inbox of [`crate::pipeline`], replies leave through its
//! outbox.
//!
//! - [`tokens`]: the OAuth access token the API calls carry (kept in the database, refreshed
//!   ahead of expiry by one replica at a time).

use futures::future::BoxFuture;

use crate::engine::ChannelName;

/// The channel name of Zalo chats in [`crate::engine::ChatKey`].
pub const CHANNEL: ChannelName = ChannelName::Zalo;

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
}

pub mod adapter;
pub mod api;
pub mod buttons;
pub mod channel;
pub mod event;
pub mod render;
pub mod signature;
pub mod tokens;
pub mod webhook;
