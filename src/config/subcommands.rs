//! The arguments of every subcommand that works on the configured database: the console,
//! imports, units, invitations, reports, campaigns and alerts, the inbox and outbox,
//! accounts, erasure, and Zalo's tokens. `cli/` runs them.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::TelegramArgs;
use crate::domain::{AccountRole, UnitCode};
use crate::zalo::config::ZaloCommand;

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
    /// What the teams did after their founding.
    #[command(subcommand)]
    Activity(ActivityCommand),
    /// Create a one-time invitation code for a village head or an official.
    Invite(InviteArgs),
    /// Write the report of an area: units, teams, members, coverage, roles, decisions.
    // clap's usage line would list the options given as if they were required; only --out is.
    #[command(
        override_usage = "cnscd report --out <FILE> [--scope <CODE>] [--format <FORMAT>] [--as-of <DATE>]"
    )]
    Report(ReportArgs),
    /// The founding decision (Quyết định thành lập Tổ Công nghệ số cộng đồng), drafted as
    /// DOCX for the commune's chairman to sign.
    #[command(subcommand)]
    Decision(DecisionCommand),
    /// Deadline campaigns: "found the teams of district 298 by 25/04/2022".
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Deadline alerts (the bot sends them by itself while `serve` runs).
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Incoming events that failed too often and were set aside ("parked").
    #[command(subcommand)]
    Inbox(InboxCommand),
    /// Messages waiting to be sent (replies, notices, alerts), for any chat.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Send an announcement (a text, optionally a photo or file) to the team members and
    /// heads of an area, each on the chat where they can be reached, with a "Got it" button;
    /// prints how many were queued and who cannot be reached, and why. `announce status`
    /// shows what became of it.
    #[command(
        subcommand_negates_reqs = true,
        args_conflicts_with_subcommands = true,
        override_usage = "cnscd announce --scope <CODE> --text <TEXT> [--file <PATH>] [--leaders-only | --behind]\n       cnscd announce status [--id <N>]\n       cnscd announce remind --id <N>"
    )]
    Announce(AnnounceArgs),
    /// The chats bound to a role: list them, or revoke one.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Erase a person (Personal Data Protection Law 91/2025/QH15): their member rows, consent, sessions, drafts, queued
    /// messages and invitation traces; audit rows stay with their chat pseudonymised.
    Erase {
        /// The person's mobile number, in any usual spelling (0912 345 678, +84912345678…).
        #[arg(long, value_name = "PHONE")]
        phone: String,
    },
    /// Delete what is kept only for a while (sent messages, idle sessions, processed update
    /// ids) and revoke expired accounts and those of chats that blocked the bot long ago.
    /// `serve` does it by itself on every scheduler pass.
    Purge,
    /// The Zalo Official Account: its tokens.
    #[command(subcommand)]
    Zalo(Box<ZaloCommand>),
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// What is not yet sent nor given up: id, chat, when queued, alert or not, first line.
    List {
        /// Only this chat, as CHANNEL:ID (console:an, telegram:123456789).
        #[arg(long, value_name = "CHANNEL:ID")]
        chat: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AnnounceArgs {
    #[command(subcommand)]
    pub command: Option<AnnounceCommand>,
    /// The area: a province, district or commune code. The sender is recorded as the
    /// operator (`cli`).
    #[arg(long, value_name = "CODE", required = true)]
    pub scope: Option<UnitCode>,
    /// The text, at most 2,000 characters, with letters (line breaks kept).
    #[arg(long, required = true)]
    pub text: Option<String>,
    /// A photo (.jpg, .jpeg, .png) or a file (a PDF, a spreadsheet…) sent with it, at most
    /// 10 MB.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Only the heads (team leaders).
    #[arg(long)]
    pub leaders_only: bool,
    /// Only the teams that are behind: drafts, and villages that logged nothing for the
    /// rules' `quiet_months`.
    #[arg(long, conflicts_with = "leaders_only")]
    pub behind: bool,
}

#[derive(Debug, Subcommand)]
pub enum AnnounceCommand {
    /// Where announcements stand: queued, sent, not reachable (why, first names),
    /// acknowledged. The last 10, or one.
    Status {
        /// The announcement's id, as `announce` printed it.
        #[arg(long)]
        id: Option<i64>,
    },
    /// Send the announcement again to the reachable people who have not pressed "Got it";
    /// once a day (Vietnam time) at most.
    Remind {
        /// The announcement's id.
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum InboxCommand {
    /// List the parked events: chat, when received, attempts, error.
    Parked,
    /// Put a parked event (or all with --all) back in line; a running `serve` applies it
    /// within a second. An event its chat has moved past is acknowledged, not applied.
    Replay {
        /// The event's id, as `inbox parked` lists it.
        #[arg(required_unless_present = "all")]
        id: Option<i64>,
        /// Put back every parked event.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Every account (chat, role, unit, since, expiry, blocked since).
    List {
        /// Only the accounts of this unit and the units whose code starts with it.
        #[arg(long, value_name = "CODE")]
        unit: Option<UnitCode>,
    },
    /// Revoke a chat's account at once (it acts as a resident from its next message).
    Revoke {
        /// The chat as `accounts list` shows it: channel:id (e.g. telegram:123456789).
        #[arg(long, value_name = "CHAT")]
        chat: String,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The area: a unit code (province, district, commune); the whole country without it.
    #[arg(long, value_name = "CODE")]
    pub scope: Option<UnitCode>,
    /// xlsx (a summary sheet per commune and every team and member), csv (UTF-8 with BOM),
    /// json, png (coverage chart), text (the chat summary) or docx (the summary and table).
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: crate::report::ReportFormat,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The structure in force on that day, dd/mm/yyyy (before a reorganisation: the old
    /// districts and communes); text, json, png or docx only. Teams are today's.
    #[arg(long, value_name = "DATE", value_parser = parse_day, conflicts_with = "period")]
    pub as_of: Option<chrono::NaiveDate>,
    /// The teams' work in a month (2026-11) or a quarter (2026-Q4): activities by kind,
    /// people and households helped, members per 100 residents, quiet villages, per village,
    /// commune, district and province; xlsx (a sheet per level), docx (an administrative
    /// report to sign), png, text or json.
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<crate::domain::period::Period>,
}

#[derive(Debug, Subcommand)]
pub enum DecisionCommand {
    /// Draft the founding decision as DOCX, number and date left blank: a village code gives
    /// that village's registered team; a commune code one decision for all its villages with
    /// a registered team (their members in an annex), naming the villages left out. Its
    /// words (grounds, tasks, executors, recipients) come from --decision-template.
    Draft {
        /// A village or a commune, by code (see: cnscd units list).
        #[arg(long, value_name = "CODE")]
        unit: UnitCode,
        /// The DOCX file to write (readable by its owner only: it names people).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Create a campaign with a deadline (dd/mm/yyyy) for an area.
    Create {
        /// The campaign's name, as alerts and digests show it.
        #[arg(long, default_value = crate::storage::campaigns::DEFAULT_CAMPAIGN_NAME)]
        name: String,
        /// The deadline, dd/mm/yyyy (e.g. the seed letter's 25/04/2022). Required: a
        /// default date would quietly be in the past.
        #[arg(long)]
        deadline: String,
        /// The area, a unit code (e.g. district 298).
        #[arg(long, value_name = "CODE")]
        scope: UnitCode,
    },
    /// List the campaigns.
    List,
    /// Move a campaign's deadline.
    SetDeadline {
        /// The campaign's id, as `campaign list` shows it.
        #[arg(long)]
        id: i64,
        /// The new deadline, dd/mm/yyyy.
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

/// `console --invite` without a code: the code is the first line of input.
pub const INVITE_FROM_INPUT: &str = "-";

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Redeem an invitation first (as if the link `/start CODE` was opened). Alone (or with
    /// `-`), the code is read from the first line of input (a prompt when typed), so it never
    /// shows in the process list as a code given here does.
    #[arg(
        long,
        value_name = "CODE",
        num_args = 0..=1,
        default_missing_value = INVITE_FROM_INPUT
    )]
    pub invite: Option<String>,

    /// The name of the simulated chat; use different names to play several people.
    #[arg(long, value_name = "NAME", default_value = "console")]
    pub chat: String,

    /// The bot's Telegram username: invitations made in the console then show the link
    /// https://t.me/<bot>?start=<code> and a QR code of it.
    #[arg(
        long,
        env = "CNSCD_BOT_USERNAME",
        value_name = "NAME",
        hide_env_values = true
    )]
    pub bot_username: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ActivityCommand {
    /// Activities kept on paper, one a line: columns unit_code, kind (its code, or its
    /// Vietnamese or English name), people, day (dd/mm/yyyy or yyyy-mm-dd) and optionally
    /// households, note, phone (a member of that unit's team). All or nothing: any bad line
    /// and nothing is written, each problem listed with its line number. A line imported
    /// before adds nothing.
    Import {
        /// The CSV file (UTF-8, UTF-16 or Windows-1258; `,` `;` or tab) or `.xlsx`.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Provinces, (districts) and communes, one commune a row. Since 1 July 2025 (two
    /// levels): code, name, kind, province_code, province_name (`data/vn-communes-2025.csv`).
    /// Before (three levels): code, name, kind, district_code, district_name, province_code,
    /// province_name. Into a database holding only the untouched 2022 example (`units
    /// example`), the file replaces it.
    Units {
        /// The CSV file.
        file: PathBuf,
    },
    /// Villages under stored communes: columns commune_code, name and optionally code,
    /// head_name, head_phone. A village without a code gets one.
    Villages {
        /// The CSV file.
        file: PathBuf,
        /// Rename stored villages the file spells otherwise (without it they keep their
        /// names, and the summary lists them).
        #[arg(long)]
        rename: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// Load the 2022 example into an empty database: Tứ Kỳ district (Hải Dương) and its 23
    /// communes, as the seed letter knew them, for a trial. `import units` replaces it while
    /// nothing hangs on it.
    Example,
    /// List the units directly under a unit (the top-level units without --parent).
    List {
        /// The code of the parent unit.
        #[arg(long, value_name = "CODE")]
        parent: Option<UnitCode>,
    },
    /// Move the deployment into the two-level structure (province → commune, since 1 July
    /// 2025) in one transaction, following a map of where each old commune went.
    Reorganize {
        /// The map: old_code,old_name,old_district_code,old_district_name,old_province_code,
        /// old_province_name,new_code,new_name,new_province_code,new_province_name,split
        /// (`data/vn-communes-2025-from-2024.csv`). Rows of districts this deployment never
        /// had are skipped; a row naming a commune it should have but has not refuses all.
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
        /// village_code,new_commune_code: places the villages of divided communes
        /// (split=yes), which are otherwise left "to assign".
        #[arg(long, value_name = "FILE")]
        villages: Option<PathBuf>,
        /// Print what would move, per new commune, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// End the accounts of merged communes' officials instead of making them officials
        /// of the new commune.
        #[arg(long)]
        revoke_officials: bool,
        /// The day the old units end, dd/mm/yyyy.
        #[arg(long, value_name = "DATE", default_value = "01/07/2025", value_parser = parse_day)]
        date: chrono::NaiveDate,
    },
    /// Merge villages of one commune into one: it keeps one team (its own, or the one
    /// `--keep-team` names), the others are kept as history with their teams.
    MergeVillages(MergeVillagesArgs),
    /// Set units' residents and households from a CSV file (code,population,households; an
    /// empty cell leaves that figure as it is), so that period reports show members per 100
    /// residents and households reached. All or nothing: a bad line changes nothing.
    Population {
        /// The CSV file (or .xlsx): code,population,households.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// See [`UnitsCommand::MergeVillages`].
#[derive(Debug, Clone, Args)]
pub struct MergeVillagesArgs {
    /// The village that remains.
    #[arg(long, value_name = "CODE")]
    pub into: UnitCode,
    /// The villages merged into it (kept as history, with their teams).
    #[arg(required = true, value_name = "CODE")]
    pub villages: Vec<UnitCode>,
    /// The village whose team the merged village keeps, when `--into` has none and several
    /// of the others have one.
    #[arg(long, value_name = "CODE")]
    pub keep_team: Option<UnitCode>,
    /// Print what would happen and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The day the merged villages end, dd/mm/yyyy (default: today).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub date: Option<chrono::NaiveDate>,
}

fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%d/%m/%Y")
        .map_err(|_| "expected a date dd/mm/yyyy".to_owned())
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The role the invitation grants: village-head (unit: a village), commune-official (a
    /// commune), district-official (a district) or province-official (a province whose
    /// communes sit directly under it, since 1 July 2025).
    #[arg(long, value_parser = parse_role, value_name = "ROLE")]
    pub role: AccountRole,

    /// The code of the unit (for a village head: the village).
    #[arg(long, value_name = "CODE")]
    pub unit: UnitCode,

    /// How many days the code stays valid.
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u16).range(1..=365))]
    pub valid_days: u16,

    /// How many days the account made with the code lasts (an official's term); without
    /// it, until revoked (`cnscd accounts revoke`).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u16).range(1..))]
    pub account_days: Option<u16>,

    /// The bot's Telegram username, for the link https://t.me/<bot>?start=<code>. Without
    /// it, the bot is asked (getMe) when a token is set.
    #[arg(
        long,
        env = "CNSCD_BOT_USERNAME",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub bot_username: Option<String>,

    #[command(flatten)]
    pub telegram: TelegramArgs,
}

fn parse_role(text: &str) -> Result<AccountRole, String> {
    AccountRole::parse(text).ok_or_else(|| {
        let known: Vec<&str> = AccountRole::ALL.iter().map(|r| r.code()).collect();
        format!("unknown role; use one of: {}", known.join(", "))
    })
}
