//! The command line: every setting is a documented flag that can also come from an
//! environment variable. Parsed once in `main` and passed down; nothing reads it globally.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::rules::RulesError;
use crate::domain::schedule::{Schedule, ScheduleError};
use crate::domain::{AccountRole, CompositionRules};
use crate::telegram::{SecretError, Webhook, WebhookError, WebhookSecret};

/// The database when neither `--database-url` nor `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cnscd.db";

/// The environment variable holding the webhook's secret token. Never a flag: flags show up
/// in process listings and shell histories.
pub const WEBHOOK_SECRET_ENV: &str = "CNSCD_WEBHOOK_SECRET";

/// Where webhooks, `/healthz` and `/metrics` are served when `--listen` is not given.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8080);

/// cnscd: the chatbot of the Community Digital Technology Teams (Tổ Công nghệ số cộng đồng).
#[derive(Debug, Parser)]
#[command(name = "cnscd", version, about, long_about = None)]
pub struct Config {
    /// The database to use (created and migrated if missing).
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL
    )]
    pub database_url: String,

    /// A composition-rules TOML file (see data/rules/tu-ky.toml); without it, the
    /// built-in rules of Tứ Kỳ district apply.
    #[arg(long, global = true, env = "CNSCD_RULES", value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// When deadline alerts go out: a TOML file like data/alerts.toml (days before the
    /// deadline, time of day, quiet hours, overdue repeats); without it, that file's values.
    #[arg(long, global = true, env = "CNSCD_ALERTS", value_name = "FILE")]
    pub alerts: Option<PathBuf>,

    /// What to log to stderr, as a tracing filter: `info`, `debug`, `cnscd=debug,sqlx=warn`…
    /// (PostgreSQL's notices, such as "relation already exists, skipping" at every start,
    /// are left out by default.)
    #[arg(
        long,
        global = true,
        env = "RUST_LOG",
        default_value = "info,sqlx::postgres::notice=warn"
    )]
    pub log: String,

    #[command(subcommand)]
    pub command: Command,
}

impl Config {
    /// The alert schedule of `--alerts`, or the built-in one.
    pub fn alert_schedule(&self) -> Result<Schedule, ScheduleError> {
        match &self.alerts {
            Some(path) => Schedule::from_file(path),
            None => Ok(Schedule::default()),
        }
    }

    /// The composition rules of `--rules`, or the built-in ones.
    pub fn composition_rules(&self) -> Result<CompositionRules, RulesError> {
        match &self.rules {
            Some(path) => CompositionRules::from_file(path),
            None => CompositionRules::default_rules(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Telegram bot (long polling) until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    #[command(flatten)]
    Database(DatabaseCommand),
    /// Set, delete or show the bot's webhook at Telegram. `serve` never changes it, so
    /// stopping one replica leaves the others receiving.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Measure the engine on a temporary database.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// The commands that work on the configured database without Telegram.
#[derive(Debug, Subcommand)]
pub enum DatabaseCommand {
    /// Talk to the bot in this terminal; reads stdin, so a dialogue can be piped in.
    Console(ConsoleArgs),
    /// Import reference data from CSV files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Look at the administrative units (province, district, commune, village).
    #[command(subcommand)]
    Units(UnitsCommand),
    /// Create a one-time invitation code for a village head or an official.
    Invite(InviteArgs),
    /// Write the report of an area: units, teams, members, coverage, roles, decisions.
    Report(ReportArgs),
    /// Deadline campaigns: "found the teams of district 298 by 25/04/2022".
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Deadline alerts (the bot sends them by itself while `serve` runs).
    #[command(subcommand)]
    Alerts(AlertsCommand),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The area: a unit code (province, district, commune); the whole country without it.
    #[arg(long, value_name = "CODE")]
    pub scope: Option<String>,
    /// xlsx (a summary sheet per commune and every team and member), csv (UTF-8 with BOM),
    /// json, png (coverage chart) or text (the chat summary).
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: crate::report::ReportFormat,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Create a campaign with a deadline (dd/mm/yyyy) for an area.
    Create {
        #[arg(long, default_value = crate::storage::campaigns::DEFAULT_CAMPAIGN_NAME)]
        name: String,
        /// The deadline, dd/mm/yyyy (the seed letter's: 25/04/2022).
        #[arg(long, default_value = "25/04/2022")]
        deadline: String,
        /// The area, a unit code (e.g. district 298).
        #[arg(long, value_name = "CODE")]
        scope: String,
    },
    /// List the campaigns.
    List,
    /// Move a campaign's deadline.
    SetDeadline {
        #[arg(long)]
        id: i64,
        /// dd/mm/yyyy
        #[arg(long)]
        deadline: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Queue every alert due now (or at --now) once, and deliver nothing else: the outbox is
    /// sent by `serve`. Running it again for the same slot queues nothing.
    RunOnce {
        /// The moment to run at, RFC 3339 (e.g. 2022-04-22T08:00:00+07:00); default: now.
        #[arg(long)]
        now: Option<String>,
    },
}

/// How to reach the Telegram Bot API.
#[derive(Debug, Args)]
pub struct TelegramArgs {
    /// The bot token from @BotFather. Prefer the environment variable: a flag shows up in
    /// process listings.
    #[arg(
        long = "telegram-token",
        env = "TELOXIDE_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<Secret>,

    /// Another Bot API server (a local `telegram-bot-api`, or a fake one in tests).
    #[arg(
        long = "telegram-api-url",
        env = "TELOXIDE_API_URL",
        value_name = "URL"
    )]
    pub api_url: Option<url::Url>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub telegram: TelegramArgs,

    /// Do not hold requests back to Telegram's rate limits: for tests and local API servers.
    #[arg(long)]
    pub no_throttle: bool,

    /// Receive updates by webhook at this URL instead of long polling. Only its path is
    /// used (TLS ends at the load balancer); give Telegram the URL with `cnscd webhook set`.
    /// Needs the secret token in CNSCD_WEBHOOK_SECRET.
    #[arg(long, env = "CNSCD_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<url::Url>,

    /// Where to serve webhooks, /healthz and /metrics [default with --webhook-url:
    /// 0.0.0.0:8080]. With long polling, /healthz and /metrics are served only if it is given.
    #[arg(long, env = "CNSCD_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// How `serve` receives updates, checked before anything starts.
#[derive(Debug)]
pub enum ServeMode {
    /// `getUpdates`; `/healthz` and `/metrics` on `listen` if given.
    Polling { listen: Option<SocketAddr> },
    /// Telegram POSTs updates to the webhook's path on `listen`.
    Webhook {
        listen: SocketAddr,
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
            return Ok(ServeMode::Polling {
                listen: self.listen,
            });
        };
        let secret = webhook_secret(secret)?;
        let webhook = Webhook::new(url, secret).map_err(ConfigError::WebhookUrl)?;
        Ok(ServeMode::Webhook {
            listen: self.listen.unwrap_or(DEFAULT_LISTEN),
            webhook,
        })
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
    #[arg(long, env = "CNSCD_WEBHOOK_URL", value_name = "URL")]
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

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Redeem this invitation code first (as if the link `/start CODE` was opened).
    #[arg(long, value_name = "CODE")]
    pub invite: Option<String>,

    /// The name of the simulated chat; use different names to play several people.
    #[arg(long, value_name = "NAME", default_value = "console")]
    pub chat: String,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Provinces, districts and communes: columns code, name, kind, district_code,
    /// district_name, province_code, province_name.
    Units {
        /// The CSV file.
        file: PathBuf,
    },
    /// Villages under stored communes: columns commune_code, name and optionally code,
    /// head_name, head_phone. A village without a code gets one.
    Villages {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// List the units directly under a unit (the top-level units without --parent).
    List {
        /// The code of the parent unit.
        #[arg(long, value_name = "CODE")]
        parent: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The role the invitation grants: village-head (unit: a village), commune-official (a
    /// commune) or district-official (a district).
    #[arg(long, value_parser = parse_role, value_name = "ROLE")]
    pub role: AccountRole,

    /// The code of the unit (for a village head: the village).
    #[arg(long, value_name = "CODE")]
    pub unit: String,

    /// How many days the code stays valid.
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u16).range(1..=365))]
    pub valid_days: u16,

    /// The bot's Telegram username, for the link https://t.me/<bot>?start=<code>. Without
    /// it, the bot is asked (getMe) when a token is set.
    #[arg(long, env = "CNSCD_BOT_USERNAME", value_name = "NAME")]
    pub bot_username: Option<String>,

    #[command(flatten)]
    pub telegram: TelegramArgs,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Register N village teams through the engine, interleaving the chats, and report
    /// throughput, CPU time per event and memory.
    Registration(BenchArgs),
    /// Load the whole country (communes + generated villages and teams) and time residents'
    /// searches by name, alone and with the team fetched from SQLite.
    Search(NationalBenchArgs),
    /// Load the whole country and time the status sweep and the XLSX export.
    Report(NationalBenchArgs),
    /// N chats x M messages through the whole bot against a fake Bot API server on
    /// 127.0.0.1: a teloxide echo bot (the floor), cnscd long-polling on SQLite, and two cnscd
    /// webhook replicas on PostgreSQL; updates/s and latency percentiles of each.
    Load(LoadBenchArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LoadBenchArgs {
    /// Chats talking at once.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chats: u32,
    /// Messages each chat sends, one after the other.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub messages: u32,
    /// A PostgreSQL server to create the replicas' scratch database on (dropped afterwards);
    /// without it the webhook scenario is skipped.
    #[arg(long, env = "CNSCD_TEST_POSTGRES_URL", value_name = "URL")]
    pub postgres: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct NationalBenchArgs {
    /// The communes file (the whole country: ../shared/data/vn-communes.csv).
    #[arg(long, default_value = "../shared/data/vn-communes.csv")]
    pub communes: PathBuf,
    /// Villages generated per commune.
    #[arg(long, default_value_t = 10)]
    pub villages: usize,
    /// Searches to time (search bench).
    #[arg(long, default_value_t = 10_000)]
    pub queries: usize,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// How many chats (villages, invitations, teams).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chats: u32,

    /// The SQLite file to create; by default a temporary file, removed afterwards.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

fn parse_role(text: &str) -> Result<AccountRole, String> {
    AccountRole::parse(text).ok_or_else(|| {
        let known: Vec<&str> = AccountRole::ALL.iter().map(|r| r.code()).collect();
        format!("unknown role; use one of: {}", known.join(", "))
    })
}

/// A secret (the bot token): printed and logged as `[redacted]`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let config =
            Config::parse_from(["cnscd", "serve", "--telegram-token", "123456:very-secret"]);
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    fn serve_args(args: &[&str]) -> ServeArgs {
        let config =
            Config::try_parse_from([&["cnscd", "serve"], args].concat()).expect("the flags parse");
        match config.command {
            Command::Serve(serve) => serve,
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn serving_webhooks_without_a_secret_refuses_to_start_and_says_what_to_set() {
        let args = serve_args(&["--webhook-url", "https://bot.example.org/tg"]);

        let missing = args.mode(None).expect_err("refused without a secret");
        let invalid = args.mode(Some("no spaces allowed")).expect_err("refused");

        let message = missing.to_string();
        assert!(
            message.contains("CNSCD_WEBHOOK_SECRET is not set"),
            "{message}"
        );
        assert!(message.contains("1-256 characters"), "{message}");
        let message = invalid.to_string();
        assert!(message.contains("not a valid secret token"), "{message}");
    }

    #[test]
    fn a_webhook_is_served_on_the_path_of_its_url() {
        let args = serve_args(&["--webhook-url", "https://bot.example.org/tg/updates"]);

        let mode = args.mode(Some("s3cret")).expect("a valid configuration");

        let ServeMode::Webhook { listen, webhook } = mode else {
            panic!("not webhook mode: {mode:?}");
        };
        assert_eq!(listen.to_string(), "0.0.0.0:8080");
        assert_eq!(webhook.path(), "/tg/updates");
        assert!(
            !format!("{webhook:?}").contains("s3cret"),
            "the secret is redacted"
        );
    }

    #[test]
    fn long_polling_needs_no_secret_and_listens_only_when_asked() {
        let polling = serve_args(&[]).mode(None).expect("polling");
        assert!(matches!(polling, ServeMode::Polling { listen: None }));

        let with_listen = serve_args(&["--listen", "127.0.0.1:9000"]).mode(None);
        assert!(
            matches!(with_listen, Ok(ServeMode::Polling { listen: Some(a) }) if a.port() == 9000)
        );
    }

    #[test]
    fn a_webhook_path_must_not_hide_the_health_or_metrics_endpoint() {
        for url in ["https://h/healthz", "https://h/metrics"] {
            let args = serve_args(&["--webhook-url", url]);
            let refused = args.mode(Some("s3cret"));
            assert!(
                matches!(
                    refused,
                    Err(ConfigError::WebhookUrl(WebhookError::ReservedPath(_)))
                ),
                "{url}: {refused:?}"
            );
        }
    }

    #[test]
    fn an_invitation_needs_a_known_role() {
        let parsed =
            Config::try_parse_from(["cnscd", "invite", "--role", "mayor", "--unit", "11083-01"]);
        assert!(parsed.is_err());
        let parsed = Config::try_parse_from([
            "cnscd",
            "invite",
            "--role",
            "village-head",
            "--unit",
            "11083-01",
        ]);
        assert!(parsed.is_ok());
    }
}
