//! The Telegram Bot API client, built from the token and the optional API server URL.

use teloxide::requests::Requester;
use teloxide::Bot;

use super::CliError;
use crate::config::TelegramArgs;

/// The bot of `args`; [`CliError::MissingToken`] tells how to get a token.
pub fn bot(args: &TelegramArgs) -> Result<Bot, CliError> {
    let token = args.token.as_ref().ok_or(CliError::MissingToken)?;
    let bot = Bot::new(token.expose());
    Ok(match &args.api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    })
}

/// The bot's username, asked from Telegram (`getMe`); `None` without a token or an answer.
pub async fn username(args: &TelegramArgs) -> Option<String> {
    let bot = bot(args).ok()?;
    match bot.get_me().await {
        Ok(me) => me.user.username,
        Err(error) => {
            tracing::warn!(%error, "could not ask Telegram for the bot's username");
            None
        }
    }
}
