//! How cnscd reaches its Zalo Bot (a bot made in Zalo Bot Creator): the bot's token, long
//! polling or a webhook, and the public address its picture and file links are served at.
//! Secrets come from the environment only (or a `_FILE`), never a flag.

use clap::Args;

use crate::secrets::Secret;
use crate::secrets::{env_secret, SecretSourceError};

pub const ZALO_BOT_TOKEN_ENV: &str = "ZALO_BOT_TOKEN";
pub const ZALO_BOT_WEBHOOK_SECRET_ENV: &str = "ZALO_BOT_WEBHOOK_SECRET";

/// The Zalo Bot Platform's API.
pub const DEFAULT_API_URL: &str = "https://bot-api.zaloplatforms.com";

/// The Zalo Bot's settings, as flags and environment variables.
#[derive(Debug, Clone, Args)]
pub struct ZaloBotArgs {
    /// The public https address at which cnscd's --listen is reached (e.g.
    /// https://cnscd.example.gov.vn), for the Zalo Bot: a bot made in Zalo Bot Creator, served
    /// when its token is in ZALO_BOT_TOKEN or the file ZALO_BOT_TOKEN_FILE names (never a
    /// flag). Pictures (QR codes, charts) and report files are sent to its chats as
    /// short-lived signed links under this address.
    #[arg(
        id = "zalo_bot_public_url",
        long = "zalo-bot-public-url",
        env = "ZALO_BOT_PUBLIC_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub public_url: Option<url::Url>,

    /// Receive the Zalo Bot's messages by webhook at this public URL instead of long polling
    /// (`serve` registers it with setWebhook at start). Only its path is served on --listen.
    /// Needs the secret token in ZALO_BOT_WEBHOOK_SECRET (8-256 characters).
    #[arg(
        id = "zalo_bot_webhook_url",
        long = "zalo-bot-webhook-url",
        env = "ZALO_BOT_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub webhook_url: Option<url::Url>,

    /// Where the Zalo Bot Platform's API is (tests point it at a fake).
    #[arg(
        id = "zalo_bot_api_url",
        long = "zalo-bot-api-url",
        env = "ZALO_BOT_API_URL",
        hide = true,
        hide_env_values = true,
        value_name = "URL",
        default_value = DEFAULT_API_URL
    )]
    pub api_url: url::Url,
}

/// How the bot's messages come in.
#[derive(Debug, Clone)]
pub enum Receiving {
    /// `getUpdates`, by a loop of cnscd's own.
    Polling,
    /// Zalo POSTs them to `url`'s path with `secret` in `X-Bot-Api-Secret-Token`.
    Webhook { url: url::Url, secret: Secret },
}

/// Everything the Zalo Bot channel needs, checked.
#[derive(Debug, Clone)]
pub struct ZaloBotSettings {
    pub token: Secret,
    pub receiving: Receiving,
    pub public_url: Option<url::Url>,
    pub api_url: url::Url,
}

#[derive(Debug, thiserror::Error)]
pub enum ZaloBotConfigError {
    #[error(transparent)]
    Secret(#[from] SecretSourceError),
    #[error(
        "ZALO_BOT_WEBHOOK_URL is set but {ZALO_BOT_WEBHOOK_SECRET_ENV} is not: set it to 8-256 \
         characters (e.g. export {ZALO_BOT_WEBHOOK_SECRET_ENV}=$(openssl rand -hex 32)); Zalo \
         sends it back with every message"
    )]
    MissingWebhookSecret,
    #[error("{ZALO_BOT_WEBHOOK_SECRET_ENV} must be 8-256 characters, not {0}")]
    BadWebhookSecret(usize),
    #[error(
        "the Zalo Bot settings are given without its token: set {ZALO_BOT_TOKEN_ENV} (or \
         {ZALO_BOT_TOKEN_ENV}_FILE) to the token Zalo Bot Creator gave"
    )]
    MissingToken,
}

impl ZaloBotArgs {
    /// The settings, when the bot's token is given; `None` when no Zalo Bot setting is.
    pub fn settings(&self) -> Result<Option<ZaloBotSettings>, ZaloBotConfigError> {
        self.settings_with(env_secret)
    }

    /// [`ZaloBotArgs::settings`] with the secrets read by `secret` (tests pass a map).
    pub fn settings_with(
        &self,
        secret: impl Fn(&str) -> Result<Option<Secret>, SecretSourceError>,
    ) -> Result<Option<ZaloBotSettings>, ZaloBotConfigError> {
        let token = secret(ZALO_BOT_TOKEN_ENV)?;
        let webhook_secret = secret(ZALO_BOT_WEBHOOK_SECRET_ENV)?;
        let Some(token) = token else {
            return match (&self.webhook_url, &webhook_secret) {
                (None, None) => Ok(None),
                _ => Err(ZaloBotConfigError::MissingToken),
            };
        };
        let receiving = match (&self.webhook_url, webhook_secret) {
            (None, _) => Receiving::Polling,
            (Some(_), None) => return Err(ZaloBotConfigError::MissingWebhookSecret),
            (Some(url), Some(secret)) => {
                let length = secret.expose().chars().count();
                if !(8..=256).contains(&length) {
                    return Err(ZaloBotConfigError::BadWebhookSecret(length));
                }
                Receiving::Webhook {
                    url: url.clone(),
                    secret,
                }
            }
        };
        Ok(Some(ZaloBotSettings {
            token,
            receiving,
            public_url: self.public_url.clone(),
            api_url: self.api_url.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        bot: ZaloBotArgs,
    }

    const TOKEN: (&str, &str) = (ZALO_BOT_TOKEN_ENV, "1:abc");

    fn secrets(
        set: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Result<Option<Secret>, SecretSourceError> {
        move |var| {
            Ok(set
                .iter()
                .find(|(name, _)| *name == var)
                .map(|(_, value)| Secret::from((*value).to_owned())))
        }
    }

    #[test]
    fn the_zalo_bot_is_off_without_its_token_and_polls_with_it() {
        let cli = Cli::parse_from(["cnscd"]);
        assert!(cli
            .bot
            .settings_with(secrets(&[]))
            .expect("valid")
            .is_none());
        let on = cli
            .bot
            .settings_with(secrets(&[(ZALO_BOT_TOKEN_ENV, "1:abc")]))
            .expect("valid")
            .expect("configured");
        assert!(matches!(on.receiving, Receiving::Polling));
        assert_eq!(format!("{:?}", on.token), "[redacted]");
    }

    #[test]
    fn a_webhook_needs_a_secret_of_eight_to_256_characters() {
        let cli = Cli::parse_from(["cnscd", "--zalo-bot-webhook-url", "https://x.vn/zb"]);
        let missing = cli.bot.settings_with(secrets(&[TOKEN]));
        assert!(matches!(
            missing,
            Err(ZaloBotConfigError::MissingWebhookSecret)
        ));
        let short = cli
            .bot
            .settings_with(secrets(&[TOKEN, (ZALO_BOT_WEBHOOK_SECRET_ENV, "1234567")]));
        assert!(matches!(
            short,
            Err(ZaloBotConfigError::BadWebhookSecret(7))
        ));
        let good = cli
            .bot
            .settings_with(secrets(&[TOKEN, (ZALO_BOT_WEBHOOK_SECRET_ENV, "12345678")]))
            .expect("valid")
            .expect("configured");
        assert!(matches!(good.receiving, Receiving::Webhook { .. }));
    }

    #[test]
    fn webhook_settings_without_a_token_say_the_token_is_missing() {
        let cli = Cli::parse_from(["cnscd", "--zalo-bot-webhook-url", "https://x.vn/zb"]);
        let error = cli.bot.settings_with(secrets(&[])).expect_err("no token");
        assert!(error.to_string().contains(ZALO_BOT_TOKEN_ENV), "{error}");
    }
}
