//! The Zalo Bot channel: a bot made in Zalo Bot Creator (no Official Account needed), on the
//! Zalo Bot Platform's Telegram-shaped API (`bot-api.zaloplatforms.com/bot<TOKEN>/<method>`).
//! A room of its own, registered in [`crate::channels`]; nothing outside it knows it but its
//! [`crate::chat::ChannelName`].
//!
//! - [`config`]: its settings (`ZALO_BOT_TOKEN`, webhook or long polling, the public URL);
//! - [`setup`]: checked before anything opens, the bot checked with `getMe` at start;
//! - [`api`]: the calls cnscd makes;
//! - [`update`]: an update as an inbox event, keyed by its `message_id`;
//! - [`receive`]: the long-polling loop and the webhook route;
//! - [`render`] and [`channel`]: replies as the bot sends them (no buttons: numbered
//!   options), pictures and files by [`links`], short-lived signed links served by cnscd.

use crate::chat::ChannelName;

/// The channel name of Zalo Bot chats in [`crate::chat::ChatKey`].
pub const CHANNEL: ChannelName = ChannelName::ZaloBot;

pub mod api;
pub mod channel;
pub mod config;
pub mod links;
pub mod receive;
pub mod render;
pub mod setup;
pub mod update;
