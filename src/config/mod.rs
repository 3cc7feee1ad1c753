//! The command line: every setting is a documented flag that can also come from an
//! environment variable. Parsed once in `main` and passed down; nothing reads it globally.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod subcommands;
mod telegram;

pub use subcommands::*;
pub use telegram::{
    webhook_secret, ConfigError, ServeArgs, ServeMode, TelegramArgs, WebhookCommand,
    WebhookDeleteArgs, WebhookSetArgs, DEFAULT_LISTEN, WEBHOOK_SECRET_ENV,
};

use crate::domain::decision_template::TemplateError;
use crate::domain::rules::RulesError;
use crate::domain::schedule::{Schedule, ScheduleError};
use crate::domain::{CompositionRules, DecisionTemplate};

/// The database when neither `--database-url` nor `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cnscd.db";

/// cnscd: the chatbot of the Community Digital Technology Teams (Tổ Công nghệ số cộng đồng).
#[derive(Debug, Parser)]
#[command(name = "cnscd", version, about, long_about = None)]
pub struct Config {
    /// The database to use (created and migrated if missing).
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = DEFAULT_DATABASE_URL
    )]
    pub database_url: String,

    /// A composition-rules TOML file (see data/rules/tu-ky.toml); without it, the
    /// built-in rules of Tứ Kỳ district apply.
    #[arg(
        long,
        global = true,
        env = "CNSCD_RULES",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub rules: Option<PathBuf>,

    /// The words of the founding decision cnscd drafts for communes (`decision draft`, and
    /// the draft sent in chat when a village team is registered without one): a TOML file
    /// like data/decision/template.toml (legal grounds, the teams' tasks, who executes it,
    /// recipients); without it, that file's words.
    #[arg(
        long,
        global = true,
        env = "CNSCD_DECISION_TEMPLATE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub decision_template: Option<PathBuf>,

    /// When deadline alerts go out: a TOML file like data/alerts.toml (days before the
    /// deadline, time of day, quiet hours, overdue repeats); without it, that file's values.
    #[arg(
        long,
        global = true,
        env = "CNSCD_ALERTS",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub alerts: Option<PathBuf>,

    /// Where the founding decisions' scans are kept (0600 files named by their SHA-256);
    /// without it, `cnscd-files` beside a SQLite database file. Replicas on PostgreSQL need
    /// one folder they all share; without one, scans cannot be kept and are asked for again.
    #[arg(
        long,
        global = true,
        env = "CNSCD_FILES_DIR",
        hide_env_values = true,
        value_name = "FOLDER"
    )]
    pub files_dir: Option<PathBuf>,

    /// What to log to stderr, as a tracing filter: `info`, `debug`, `cnscd=debug,sqlx=warn`…
    /// (PostgreSQL's notices, such as "relation already exists, skipping" at every start,
    /// are left out by default.)
    #[arg(
        long,
        global = true,
        env = "RUST_LOG",
        hide_env_values = true,
        default_value = "info,sqlx::postgres::notice=warn"
    )]
    pub log: String,

    /// Appends the log to this file instead of stderr. `console` logs to `cnscd-console.log`
    /// in the working folder unless this is given: its stderr is the terminal the dialogue
    /// is typed in, and log lines would be printed into the chat.
    #[arg(
        long,
        global = true,
        env = "CNSCD_LOG_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub log_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// Where `console` logs when `--log-file` names no file.
pub const CONSOLE_LOG_FILE: &str = "cnscd-console.log";

impl Config {
    /// The file the log is appended to; `None` for stderr.
    pub fn log_file(&self) -> Option<PathBuf> {
        match (&self.log_file, &self.command) {
            (Some(file), _) => Some(file.clone()),
            (None, Command::Database(DatabaseCommand::Console(_))) => {
                Some(PathBuf::from(CONSOLE_LOG_FILE))
            }
            (None, _) => None,
        }
    }

    /// The alert schedule of `--alerts`, or the built-in one.
    pub fn alert_schedule(&self) -> Result<Schedule, ScheduleError> {
        match &self.alerts {
            Some(path) => Schedule::from_file(path),
            None => Ok(Schedule::default()),
        }
    }

    /// The founding decision's template of `--decision-template`, or the built-in one.
    pub fn decision_template(&self) -> Result<DecisionTemplate, TemplateError> {
        match &self.decision_template {
            Some(path) => DecisionTemplate::from_file(path),
            None => DecisionTemplate::default_template(),
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
    /// Run the bot until Ctrl-C or SIGTERM: on Telegram when its token is set (long polling,
    /// or webhooks with --webhook-url), on Zalo when the ZALO_* settings are, or on both.
    Serve(Box<ServeArgs>),
    #[command(flatten)]
    Database(DatabaseCommand),
    /// Set, delete or show the bot's webhook at Telegram. `serve` never changes it, so
    /// stopping one replica leaves the others receiving.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::WebhookError;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn the_console_logs_to_a_file_and_other_commands_to_stderr_unless_told() {
        let log_file = |args: &[&str]| {
            Config::try_parse_from([&["cnscd"], args].concat())
                .expect("the command parses")
                .log_file()
        };
        assert_eq!(
            log_file(&["console"]),
            Some(PathBuf::from(CONSOLE_LOG_FILE))
        );
        assert_eq!(
            log_file(&["console", "--log-file", "/tmp/c.log"]),
            Some(PathBuf::from("/tmp/c.log"))
        );
        assert_eq!(log_file(&["units", "list"]), None);
        assert_eq!(
            log_file(&["--log-file", "s.log", "units", "list"]),
            Some(PathBuf::from("s.log"))
        );
    }

    #[test]
    fn the_token_is_not_a_flag_and_never_shows_in_debug_output() {
        let flag = Config::try_parse_from(["cnscd", "serve", "--telegram-token", "123456:x"]);
        assert!(flag.is_err(), "a token on the command line is refused");

        let secret = crate::secrets::Secret::from("123456:very-secret".to_owned());
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }

    /// Every argument backed by an environment variable, in every subcommand.
    fn env_args(command: &clap::Command, out: &mut Vec<(String, bool)>) {
        for arg in command.get_arguments() {
            if let Some(env) = arg.get_env() {
                out.push((
                    env.to_string_lossy().into_owned(),
                    arg.is_hide_env_values_set(),
                ));
            }
        }
        for sub in command.get_subcommands() {
            env_args(sub, out);
        }
    }

    #[test]
    fn help_never_prints_the_value_of_an_environment_variable() {
        let mut args = Vec::new();
        env_args(&Config::command(), &mut args);
        assert!(args.iter().any(|(env, _)| env == "DATABASE_URL"));
        let shown: Vec<&String> = args.iter().filter(|a| !a.1).map(|a| &a.0).collect();
        assert!(shown.is_empty(), "help would print {shown:?}");
    }

    fn serve_args(args: &[&str]) -> ServeArgs {
        let config =
            Config::try_parse_from([&["cnscd", "serve"], args].concat()).expect("the flags parse");
        match config.command {
            Command::Serve(serve) => *serve,
            other => panic!("not serve: {other:?}"),
        }
    }

    fn console_invite(args: &[&str]) -> Option<String> {
        let config = Config::try_parse_from([&["cnscd", "console"], args].concat())
            .expect("the flags parse");
        match config.command {
            Command::Database(DatabaseCommand::Console(console)) => console.invite,
            other => panic!("not console: {other:?}"),
        }
    }

    #[test]
    fn console_invite_alone_reads_the_code_from_the_input_and_with_a_code_still_takes_it() {
        let from_input = Some(INVITE_FROM_INPUT.to_owned());
        assert_eq!(console_invite(&["--invite"]), from_input);
        assert_eq!(console_invite(&["--invite", "--chat", "xa"]), from_input);
        assert_eq!(console_invite(&["--invite", "-"]), from_input);
        assert_eq!(
            console_invite(&["--invite", "ABCD-EFGH"]),
            Some("ABCD-EFGH".to_owned())
        );
        assert_eq!(console_invite(&[]), None);
    }

    #[test]
    fn known_senders_are_given_as_addresses_or_ranges_and_anything_else_is_refused() {
        let args = serve_args(&["--known-senders", "10.0.0.2, 10.0.1.0/24,2001:db8::/48"]);
        let given: Vec<String> = args.known_senders.iter().map(ToString::to_string).collect();
        assert_eq!(given, ["10.0.0.2/32", "10.0.1.0/24", "2001:db8::/48"]);
        assert!(serve_args(&[]).known_senders.is_empty());

        let wrong = Config::try_parse_from(["cnscd", "serve", "--known-senders", "lb.local"]);
        let message = wrong.expect_err("refused").to_string();
        assert!(
            message.contains("neither an address nor a range"),
            "{message}"
        );
    }

    #[test]
    fn bulk_rates_default_to_what_each_channel_allows_and_a_wrong_one_is_refused() {
        use crate::chat::ChannelName;
        let rates = serve_args(&[]).bulk_rate;
        assert_eq!(rates.of(ChannelName::Telegram), Some(25.0));
        assert_eq!(rates.of(ChannelName::Zalo), Some(5.0));
        let given = serve_args(&["--bulk-rate", "zalo=2,telegram=10"]).bulk_rate;
        assert_eq!(given.of(ChannelName::Zalo), Some(2.0));
        assert_eq!(given.of(ChannelName::Telegram), Some(10.0));
        assert_eq!(given.of(ChannelName::ZaloBot), Some(5.0));
        let wrong = Config::try_parse_from(["cnscd", "serve", "--bulk-rate", "telegram=0"]);
        let message = wrong.expect_err("refused").to_string();
        assert!(message.contains("not a rate"), "{message}");
    }

    #[test]
    fn a_unit_code_with_stray_characters_is_refused_with_the_reason_before_anything_opens() {
        let invite = |unit: &str| {
            Config::try_parse_from(["cnscd", "invite", "--role", "village-head", "--unit", unit])
        };
        let message = invite("11083-01; DROP").expect_err("refused").to_string();
        assert!(message.contains("letters, digits, dashes"), "{message}");
        let scope = Config::try_parse_from(["cnscd", "report", "--scope", " ", "--out", "r.xlsx"]);
        assert!(scope.expect_err("refused").to_string().contains("empty"));
        let Command::Database(DatabaseCommand::Invite(args)) =
            invite(" 11083-01 ").expect("a code").command
        else {
            panic!("not an invitation");
        };
        assert_eq!(args.unit.as_str(), "11083-01");
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

        let mode = args
            .mode(Some("s3cret-s3cret-s3cret-s3cret-s3cret"))
            .expect("a valid configuration");

        let ServeMode::Webhook {
            listen,
            ops,
            webhook,
        } = mode
        else {
            panic!("not webhook mode: {mode:?}");
        };
        assert_eq!(listen.to_string(), "0.0.0.0:8080");
        assert_eq!(
            ops.to_string(),
            "127.0.0.1:9090",
            "health and metrics stay private"
        );
        assert_eq!(webhook.path(), "/tg/updates");
        assert!(
            !format!("{webhook:?}").contains("s3cret"),
            "the secret is redacted"
        );
    }

    #[test]
    fn long_polling_needs_no_secret_and_serves_health_and_metrics_only_on_ops_listen() {
        let polling = serve_args(&[]).mode(None).expect("polling");
        assert!(matches!(polling, ServeMode::Polling { ops: None }));

        // The public port never serves /healthz and /metrics.
        let with_listen = serve_args(&["--listen", "127.0.0.1:9000"]).mode(None);
        assert!(matches!(with_listen, Ok(ServeMode::Polling { ops: None })));

        let both = [
            "--listen",
            "127.0.0.1:9000",
            "--ops-listen",
            "127.0.0.1:9001",
        ];
        let with_ops = serve_args(&both).mode(None);
        assert!(matches!(with_ops, Ok(ServeMode::Polling { ops: Some(a) }) if a.port() == 9001));
    }

    #[test]
    fn ops_listen_moves_health_and_metrics_off_the_webhook_port() {
        let args = serve_args(&[
            "--webhook-url",
            "https://bot.example.org/tg/updates",
            "--listen",
            "0.0.0.0:8443",
            "--ops-listen",
            "10.0.0.5:9100",
        ]);

        let mode = args
            .mode(Some("s3cret-s3cret-s3cret-s3cret-s3cret"))
            .expect("a valid configuration");

        let ServeMode::Webhook { listen, ops, .. } = mode else {
            panic!("not webhook mode: {mode:?}");
        };
        assert_eq!(listen.to_string(), "0.0.0.0:8443");
        assert_eq!(ops.to_string(), "10.0.0.5:9100");
    }

    #[test]
    fn a_webhook_path_must_not_hide_the_health_or_metrics_endpoint() {
        for url in ["https://h/healthz", "https://h/metrics"] {
            let args = serve_args(&["--webhook-url", url]);
            let refused = args.mode(Some("s3cret-s3cret-s3cret-s3cret-s3cret"));
            assert!(
                matches!(
                    refused,
                    Err(ConfigError::WebhookUrl(WebhookError::ReservedPath(_)))
                ),
                "{url}: {refused:?}"
            );
        }
    }

    /// Issue 21, item 15: help that matches behaviour.
    #[test]
    fn a_campaign_needs_its_deadline_and_the_report_usage_marks_only_out_as_required() {
        let parsed = Config::try_parse_from(["cnscd", "campaign", "create", "--scope", "298"]);
        let error = parsed.expect_err("no silent default deadline").to_string();
        assert!(error.contains("--deadline"), "{error}");
        let parsed =
            Config::try_parse_from(["cnscd", "report", "--scope", "298", "--format", "csv"]);
        let usage = parsed.expect_err("--out is missing").to_string();
        assert!(
            usage.contains("[--scope <CODE>] [--format <FORMAT>]"),
            "{usage}"
        );
    }

    #[test]
    fn every_option_of_every_command_says_what_it_is_for() {
        use clap::CommandFactory;
        fn check(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.get_help().is_none() && !["help", "version"].contains(&id) {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in command.get_subcommands() {
                check(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        check(&Config::command(), "cnscd", &mut missing);
        assert!(missing.is_empty(), "without a description: {missing:?}");
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
