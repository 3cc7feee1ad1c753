//! How the bot reaches Telegram: the token, long polling or webhooks, and the `webhook`
//! command that tells Telegram where to send updates.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::{Args, Subcommand};
use ipnet::IpNet;

use crate::secrets::{env_secret, Secret};
use crate::telegram::{SecretError, Webhook, WebhookError, WebhookSecret};

/// The environment variable holding the webhook's secret token. Never a flag: flags show up
/// in process listings and shell histories.
pub const WEBHOOK_SECRET_ENV: &str = "CNSCD_WEBHOOK_SECRET";

/// Where webhooks are served when `--listen` is not given.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8080);

/// Where `/healthz` and `/metrics` are served beside webhooks when `--ops-listen` is not
/// given: the loopback interface, so they are private unless the operator opens them (a
/// Prometheus or load balancer on another host needs e.g. `--ops-listen 10.0.0.5:9090`).
pub const DEFAULT_OPS_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9090);

/// How to reach the Telegram Bot API.
#[derive(Debug, Args)]
pub struct TelegramArgs {
    /// The bot token from @BotFather: from TELOXIDE_TOKEN or the file TELOXIDE_TOKEN_FILE
    /// names, never a flag (flags show up in process listings and shell histories).
    #[arg(skip = telegram_token())]
    pub token: Option<Secret>,

    /// Another Bot API server (a local `telegram-bot-api`, or a fake one in tests).
    #[arg(
        long = "telegram-api-url",
        env = "TELOXIDE_API_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub api_url: Option<url::Url>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub telegram: TelegramArgs,

    // Every channel beside Telegram: the channel list.
    #[command(flatten)]
    pub channels: crate::channels::ChannelArgs,

    /// Do not hold requests back to Telegram's rate limits: for tests and local API servers.
    #[arg(long)]
    pub no_throttle: bool,

    /// Receive updates by webhook at this URL instead of long polling. Only its path is
    /// used (TLS ends at the load balancer); give Telegram the URL with `cnscd webhook set`.
    /// Needs the secret token in CNSCD_WEBHOOK_SECRET.
    #[arg(
        long,
        env = "CNSCD_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub webhook_url: Option<url::Url>,

    /// Where to serve webhooks (Telegram's with --webhook-url, Zalo's) [default: 0.0.0.0:8080];
    /// only the webhooks' paths, never /healthz or /metrics.
    #[arg(
        long,
        env = "CNSCD_LISTEN",
        hide_env_values = true,
        value_name = "ADDR"
    )]
    pub listen: Option<SocketAddr>,

    /// Where to serve /healthz and /metrics, apart from the public webhook port [default with
    /// --webhook-url: 127.0.0.1:9090]. With long polling they are served only if this is
    /// given.
    #[arg(
        long,
        env = "CNSCD_OPS_LISTEN",
        hide_env_values = true,
        value_name = "ADDR"
    )]
    pub ops_listen: Option<SocketAddr>,

    /// This replica's name in the inbox and outbox [default: the host name]. Replicas on one
    /// database need different names; restarted under its name, a replica takes back at once
    /// the events and messages it left (another replica takes them after a few seconds).
    #[arg(
        long,
        env = "CNSCD_REPLICA_ID",
        value_name = "NAME",
        hide_env_values = true
    )]
    pub replica_id: Option<String>,

    /// Addresses or ranges (comma-separated, e.g. 10.0.0.2,10.0.1.0/24) whose connections are
    /// not limited per client and may use the room kept for them, beside Telegram's webhook
    /// ranges (always known): a load balancer in front (its connections carry every client's),
    /// Zalo's senders if you know them.
    #[arg(
        long,
        env = "CNSCD_KNOWN_SENDERS",
        hide_env_values = true,
        value_name = "CIDR",
        value_delimiter = ',',
        value_parser = address_range
    )]
    pub known_senders: Vec<IpNet>,

    /// Messages per second of announcements, per channel, as CHANNEL=RATE pairs
    /// (comma-separated; a channel not named keeps its default): Telegram allows about 30 a
    /// second in bulk, Zalo names no figure. Replies are not paced and always go first.
    #[arg(
        long,
        env = "CNSCD_BULK_RATE",
        hide_env_values = true,
        value_name = "CHANNEL=RATE,…",
        default_value = "telegram=25,zalo=5,zalo_bot=5"
    )]
    pub bulk_rate: crate::pipeline::BulkRates,
}

/// A range (`10.0.1.0/24`) or one address (`10.0.0.2`, as `/32`).
fn address_range(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an address nor a range like 10.0.1.0/24"))
}

/// How `serve` receives updates, checked before anything starts.
#[derive(Debug)]
pub enum ServeMode {
    /// `getUpdates`; `/healthz` and `/metrics` on `ops` if given.
    Polling { ops: Option<SocketAddr> },
    /// Telegram POSTs updates to the webhook's path on `listen`; `/healthz` and `/metrics`
    /// are on `ops`.
    Webhook {
        listen: SocketAddr,
        ops: SocketAddr,
        webhook: Webhook,
    },
}

/// A configuration that cannot work; the message says what to set.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{WEBHOOK_SECRET_ENV} is not set. Webhooks need the secret token Telegram sends with \
         every update: set {WEBHOOK_SECRET_ENV} to 1-256 characters of A-Z, a-z, 0-9, _ and - \
         (e.g. export {WEBHOOK_SECRET_ENV}=$(openssl rand -hex 32)), the same value on every \
         replica and for `cnscd webhook set`"
    )]
    MissingWebhookSecret,
    #[error(
        "{WEBHOOK_SECRET_ENV} is not a valid secret token: {0}. Set it to 1-256 characters of \
         A-Z, a-z, 0-9, _ and -"
    )]
    BadWebhookSecret(SecretError),
    #[error("--webhook-url is not usable: {0}")]
    WebhookUrl(WebhookError),
}

impl ServeArgs {
    /// The mode of these flags; `secret` is the value of [`WEBHOOK_SECRET_ENV`]. Serving
    /// webhooks without a valid secret is refused: anyone who finds the URL could then post
    /// updates in any chat's name.
    pub fn mode(&self, secret: Option<&str>) -> Result<ServeMode, ConfigError> {
        let Some(url) = &self.webhook_url else {
            // `--listen` is the public port: /healthz and /metrics are never served there,
            // only on `--ops-listen`.
            return Ok(ServeMode::Polling {
                ops: self.ops_listen,
            });
        };
        let secret = webhook_secret(secret)?;
        let webhook = Webhook::new(url, secret).map_err(ConfigError::WebhookUrl)?;
        Ok(ServeMode::Webhook {
            listen: self.listen.unwrap_or(DEFAULT_LISTEN),
            ops: self.ops_listen.unwrap_or(DEFAULT_OPS_LISTEN),
            webhook,
        })
    }
}

impl ServeArgs {
    /// Where the webhooks of the channels beside Telegram (Zalo) are served, the `--listen`
    /// address [default 0.0.0.0:8080], and `/healthz` and `/metrics` beside them, the
    /// `--ops-listen` address [default 127.0.0.1:9090].
    pub fn webhook_listeners(&self) -> (SocketAddr, SocketAddr) {
        (
            self.listen.unwrap_or(DEFAULT_LISTEN),
            self.ops_listen.unwrap_or(DEFAULT_OPS_LISTEN),
        )
    }
}

/// The webhook's secret token from the value of [`WEBHOOK_SECRET_ENV`].
pub fn webhook_secret(value: Option<&str>) -> Result<WebhookSecret, ConfigError> {
    let value = value.ok_or(ConfigError::MissingWebhookSecret)?;
    WebhookSecret::parse(value).map_err(ConfigError::BadWebhookSecret)
}

/// The commands that talk to Telegram about the webhook.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Tell Telegram to POST updates (messages and button presses) to a URL, with the secret
    /// token of CNSCD_WEBHOOK_SECRET.
    Set(WebhookSetArgs),
    /// Tell Telegram to stop sending updates to the webhook (long polling works again).
    Delete(WebhookDeleteArgs),
    /// Show the webhook Telegram has: URL, updates waiting, the last delivery error.
    Info {
        #[command(flatten)]
        telegram: TelegramArgs,
    },
}

#[derive(Debug, Args)]
pub struct WebhookSetArgs {
    /// The public HTTPS URL; `serve --webhook-url` must be given the same.
    #[arg(
        long,
        env = "CNSCD_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub url: url::Url,

    /// At most this many requests at once from Telegram, 1-100 (Telegram's default: 40).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub max_connections: Option<u8>,

    /// Throw away the updates Telegram is still holding.
    #[arg(long)]
    pub drop_pending_updates: bool,

    #[command(flatten)]
    pub telegram: TelegramArgs,
}

#[derive(Debug, Args)]
pub struct WebhookDeleteArgs {
    /// Throw away the updates Telegram is still holding.
    #[arg(long)]
    pub drop_pending_updates: bool,

    #[command(flatten)]
    pub telegram: TelegramArgs,
}

/// The variable holding the bot token (`TELOXIDE_TOKEN_FILE` names a file holding it).
pub const TELEGRAM_TOKEN_ENV: &str = "TELOXIDE_TOKEN";

/// The bot token from the environment, read when the command line is parsed. A token file
/// that cannot be read is reported on stderr and counts as no token (the command that needs
/// one then says how to set it).
pub fn telegram_token() -> Option<Secret> {
    env_secret(TELEGRAM_TOKEN_ENV).unwrap_or_else(|error| {
        eprintln!("Error: {error}");
        None
    })
}
