//! `cnscd webhook set|delete|info`: the webhook is set at Telegram by the operator, once for
//! all replicas, never by `serve`, so stopping one replica cannot unhook the others.

use std::io::Write;

use teloxide::payloads::{DeleteWebhookSetters, SetWebhookSetters};
use teloxide::requests::Requester;
use teloxide::types::{AllowedUpdate, WebhookInfo};
use teloxide::Bot;

use super::{telegram, CliError};
use crate::config::{webhook_secret, WebhookCommand, WebhookSetArgs};
use crate::telegram::{Webhook, WebhookSecret};

/// Runs a webhook command; `secret` is the value of `CNSCD_WEBHOOK_SECRET`.
pub async fn run(
    command: WebhookCommand,
    secret: Option<&str>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match command {
        WebhookCommand::Set(args) => {
            // Checked before the token: the secret is the one thing only this command needs.
            let secret = webhook_secret(secret)?;
            let bot = telegram::bot(&args.telegram)?;
            set(&bot, &args, &secret, out).await
        }
        WebhookCommand::Delete(args) => {
            let bot = telegram::bot(&args.telegram)?;
            delete(&bot, args.drop_pending_updates, out).await
        }
        WebhookCommand::Info { telegram } => info(&telegram::bot(&telegram)?, out).await,
    }
}

/// `setWebhook`: messages and button presses (what the bot handles), with the secret token.
pub async fn set(
    bot: &Bot,
    args: &WebhookSetArgs,
    secret: &WebhookSecret,
    out: &mut impl Write,
) -> Result<(), CliError> {
    // A URL `serve` could not serve is refused here, before Telegram starts failing on it.
    Webhook::new(&args.url, secret.clone())
        .map_err(|error| CliError::Config(crate::config::ConfigError::WebhookUrl(error)))?;
    let mut request = bot
        .set_webhook(args.url.clone())
        .secret_token(secret.expose())
        .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
        .drop_pending_updates(args.drop_pending_updates);
    if let Some(max) = args.max_connections {
        request = request.max_connections(max);
    }
    request.await.map_err(CliError::Telegram)?;
    writeln!(
        out,
        "Webhook set: Telegram now sends updates to {}",
        args.url
    )?;
    Ok(())
}

/// `deleteWebhook`: Telegram keeps the updates for `getUpdates` (long polling).
pub async fn delete(
    bot: &Bot,
    drop_pending_updates: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    bot.delete_webhook()
        .drop_pending_updates(drop_pending_updates)
        .await
        .map_err(CliError::Telegram)?;
    writeln!(
        out,
        "Webhook deleted: updates wait for long polling (cnscd serve)"
    )?;
    Ok(())
}

/// `getWebhookInfo`, one fact a line.
pub async fn info(bot: &Bot, out: &mut impl Write) -> Result<(), CliError> {
    let info = bot.get_webhook_info().await.map_err(CliError::Telegram)?;
    write!(out, "{}", describe(&info))?;
    Ok(())
}

fn describe(info: &WebhookInfo) -> String {
    let mut lines = vec![match &info.url {
        Some(url) => format!("URL:               {url}"),
        None => "URL:               none (long polling)".to_owned(),
    }];
    lines.push(format!("Pending updates:   {}", info.pending_update_count));
    if let Some(max) = info.max_connections {
        lines.push(format!("Max connections:   {max}"));
    }
    if let Some(kinds) = &info.allowed_updates {
        // Telegram's names (`callback_query`), as `setWebhook` takes them.
        let names: Vec<String> = kinds
            .iter()
            .map(|kind| match serde_json::to_value(kind) {
                Ok(serde_json::Value::String(name)) => name,
                _ => format!("{kind:?}"),
            })
            .collect();
        lines.push(format!("Allowed updates:   {}", names.join(", ")));
    }
    if let Some(ip) = info.ip_address {
        lines.push(format!("IP address:        {ip}"));
    }
    if info.has_custom_certificate {
        lines.push("Certificate:       custom".to_owned());
    }
    match (&info.last_error_date, &info.last_error_message) {
        (Some(date), Some(message)) => {
            lines.push(format!("Last error:        {date} {message}"));
        }
        (None, Some(message)) => lines.push(format!("Last error:        {message}")),
        _ => lines.push("Last error:        none".to_owned()),
    }
    if let Some(date) = info.last_synchronization_error_date {
        lines.push(format!("Last sync error:   {date}"));
    }
    lines.push(String::new());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_info_reads_one_fact_a_line() {
        let info: WebhookInfo = serde_json::from_value(serde_json::json!({
            "url": "https://bot.example.org/tg",
            "has_custom_certificate": false,
            "pending_update_count": 3,
            "max_connections": 40,
            "allowed_updates": ["message", "callback_query"],
            "last_error_date": 1_650_000_000,
            "last_error_message": "Wrong response from the webhook: 503 Service Unavailable",
        }))
        .unwrap();

        let text = describe(&info);

        for expected in [
            "URL:               https://bot.example.org/tg",
            "Pending updates:   3",
            "Max connections:   40",
            "Allowed updates:   message, callback_query",
            "Last error:        2022-04-15 05:20:00 UTC Wrong response from the webhook: 503",
        ] {
            assert!(text.contains(expected), "no {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn no_webhook_reads_as_long_polling() {
        let info: WebhookInfo = serde_json::from_value(serde_json::json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": 0,
        }))
        .unwrap();

        let text = describe(&info);

        assert!(text.contains("none (long polling)"), "{text}");
        assert!(text.contains("Last error:        none"), "{text}");
    }
}
