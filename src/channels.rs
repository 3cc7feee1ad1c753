//! The channel list: every channel `serve` can start beside Telegram, each registered here
//! once. A channel is a room of its own (`src/<channel>/`) that brings its settings (flattened
//! into `serve`'s), checks them before anything opens, tells the engine what it must know of
//! the channel (a window, typed codes) and starts as a [`ServedChannel`]: routes on the
//! public listener, background tasks, a [`crate::pipeline::Channel`].
//!
//! Telegram is not listed: its adapter still drives the process (`telegram::serve`) and
//! serves these beside it.

use std::sync::Arc;

use clap::Args;

use crate::engine::Engine;
use crate::ops::metrics::Metrics;
use crate::serve::{ChannelError, Configured, ServedChannel, Starting};

/// The settings of every listed channel, as `serve` flattens them.
#[derive(Debug, Args)]
pub struct ChannelArgs {
    #[command(flatten)]
    pub zalo: crate::zalo::config::ZaloArgs,
    #[command(flatten)]
    pub zalo_bot: crate::zalo_bot::config::ZaloBotArgs,
}

/// What `serve` says when no channel is configured.
pub const NOTHING_TO_SERVE: &str = "Nothing to serve: set TELOXIDE_TOKEN for Telegram (a token \
from @BotFather), and/or ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY for a Zalo \
Official Account (see the README, \"Zalo\"), and/or ZALO_BOT_TOKEN for a Zalo Bot (see the \
README, \"Zalo Bot\"). To try the bot offline: cnscd console";

impl ChannelArgs {
    /// Every configured channel, its settings checked; channels none of whose settings is
    /// given are left out.
    pub fn configured(&self) -> Result<Vec<Box<dyn Configured>>, ChannelError> {
        let listed = [
            crate::zalo::setup::configured(&self.zalo)?,
            crate::zalo_bot::setup::configured(&self.zalo_bot)?,
        ];
        Ok(listed.into_iter().flatten().collect())
    }
}

/// `engine`, told what each of `channels` must make known.
pub fn prepare(channels: &[Box<dyn Configured>], engine: Engine) -> Engine {
    channels
        .iter()
        .fold(engine, |engine, channel| channel.prepare(engine))
}

/// Starts each of `channels`, in the list's order.
pub async fn start(
    channels: Vec<Box<dyn Configured>>,
    engine: &Engine,
    owner: &str,
    metrics: &Metrics,
) -> Result<Vec<Arc<dyn ServedChannel>>, ChannelError> {
    let mut started = Vec::with_capacity(channels.len());
    for channel in channels {
        let starting = Starting {
            engine,
            owner,
            metrics,
        };
        started.push(channel.start(starting).await?);
    }
    Ok(started)
}
