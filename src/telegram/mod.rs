//! Telegram adapter: long polling through teloxide. (Being written; see issue 2.)

use crate::engine::Engine;

/// How the Telegram adapter runs.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Respect Telegram's rate limits (teloxide's `Throttle`); tests turn it off.
    pub throttle: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("Telegram request failed")]
    Request(#[from] teloxide::RequestError),
}

/// Runs the bot until SIGINT or SIGTERM.
pub async fn serve(
    engine: Engine,
    bot: teloxide::Bot,
    options: ServeOptions,
) -> Result<(), TelegramError> {
    let _ = (engine, bot, options);
    Ok(())
}
