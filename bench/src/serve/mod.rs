//! The whole bot under load: N chats each send M messages, one after the other (each waits
//! for the bot's answer, as a person does), all chats at once, through
//!
//! - a minimal teloxide echo bot on long polling: the floor any teloxide bot pays;
//! - cnscd on long polling with SQLite (one machine);
//! - on a PostgreSQL database (when a server is given): cnscd on long polling, one cnscd
//!   replica behind a webhook, and two replicas behind webhooks, updates alternating between
//!   them as a load balancer would send them (two should be at least as fast as one).
//!
//! - the announcement: cnscd on long polling (SQLite, and PostgreSQL when given) with an
//!   announcement to `members` chats queued in the outbox's bulk lane just before the chats
//!   start, against the same run without it: the dialogue's p50 and p99 and their ratio (the
//!   goal: p99 within 20 %).
//!
//! Everything talks to the fake Bot API server on 127.0.0.1 that the black-box tests use
//! ([`cnscd_fakes::telegram`]), started so that it keeps no record of the calls. Latency is
//! from handing an update over (queued for `getUpdates`, or POSTed to the webhook) to the
//! bot's last message of that step arriving at the fake server.

mod echo;
mod load;
mod scenarios;

#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

pub use scenarios::{run, Parts};

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub chats: usize,
    pub messages: usize,
    /// A PostgreSQL server to create the replicas' scratch database on; without it the
    /// webhook scenario is skipped.
    pub postgres: Option<String>,
    /// The scenarios to run; all of them when empty.
    pub only: Vec<Scenario>,
    /// The announcement scenario's recipients (one bulk row each).
    pub members: usize,
    /// The bulk lane's rates in the announcement scenario.
    pub bulk_rates: cnscd::pipeline::BulkRates,
}

/// The set-ups, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// The teloxide echo bot (the floor).
    Echo,
    /// cnscd on long polling, SQLite.
    Sqlite,
    /// cnscd on long polling, PostgreSQL.
    Postgres,
    /// One cnscd replica behind a webhook, PostgreSQL.
    Webhook1,
    /// Two cnscd replicas behind webhooks, PostgreSQL.
    Webhooks2,
    /// cnscd on long polling without and with an announcement to `--members` chats queued;
    /// on SQLite, and on PostgreSQL when given.
    Announcement,
}

/// The announcement scenario on one engine: the dialogue's figures without it and with it.
#[derive(Debug, Clone)]
pub struct AnnouncementFigures {
    pub engine: String,
    pub members: usize,
    pub without: Figures,
    pub with: Figures,
    /// The announcement's messages the channel took while the chats talked.
    pub bulk_sent: i64,
}

impl AnnouncementFigures {
    fn ratio(a: Duration, b: Duration) -> f64 {
        a.as_secs_f64() / b.as_secs_f64().max(f64::EPSILON)
    }
}

/// One scenario's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    pub name: String,
    pub updates: usize,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    /// CPU of the whole process (bot, fake Bot API and load generator) during the run.
    pub cpu: Option<Duration>,
}

impl Figures {
    fn cpu_per_update(&self) -> Option<Duration> {
        Some(self.cpu? / u32::try_from(self.updates.max(1)).unwrap_or(u32::MAX))
    }

    fn per_second(&self) -> f64 {
        self.updates as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub chats: usize,
    pub messages: usize,
    pub scenarios: Vec<Figures>,
    pub announcements: Vec<AnnouncementFigures>,
    pub skipped: Vec<String>,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        writeln!(
            f,
            "{} chats x {} messages, each chat waiting for the answer before its next message",
            self.chats, self.messages
        )?;
        writeln!(
            f,
            "{:<44} {:>8} {:>9} {:>10} {:>9} {:>9} {:>11}",
            "scenario", "updates", "seconds", "updates/s", "p50 ms", "p99 ms", "CPU µs/upd"
        )?;
        for s in &self.scenarios {
            let cpu = s
                .cpu_per_update()
                .map_or("?".to_owned(), |d| format!("{}", d.as_micros()));
            writeln!(
                f,
                "{:<44} {:>8} {:>9.2} {:>10.0} {:>9.2} {:>9.2} {:>11}",
                s.name,
                s.updates,
                s.elapsed.as_secs_f64(),
                s.per_second(),
                ms(s.p50),
                ms(s.p99),
                cpu
            )?;
        }
        let floor = self
            .scenarios
            .iter()
            .find(|s| s.name.starts_with("teloxide echo"))
            .and_then(Figures::cpu_per_update);
        for s in self
            .scenarios
            .iter()
            .filter(|s| s.name.starts_with("cnscd"))
        {
            if let (Some(floor), Some(cpu)) = (floor, s.cpu_per_update()) {
                writeln!(
                    f,
                    "{}: cnscd's own CPU per update (process CPU less the echo floor's, which \
                     carries the fake API and the generator; PostgreSQL's server not counted): \
                     ~{} µs",
                    s.name,
                    cpu.saturating_sub(floor).as_micros()
                )?;
            }
        }
        for a in &self.announcements {
            writeln!(
                f,
                "announcement to {} members, {}: p50 {:.2} → {:.2} ms ({:.2}×), p99 {:.2} → \
                 {:.2} ms ({:.2}×; goal ≤ 1.20×), {} of its messages sent during the run",
                a.members,
                a.engine,
                ms(a.without.p50),
                ms(a.with.p50),
                AnnouncementFigures::ratio(a.with.p50, a.without.p50),
                ms(a.without.p99),
                ms(a.with.p99),
                AnnouncementFigures::ratio(a.with.p99, a.without.p99),
                a.bulk_sent
            )?;
        }
        for skipped in &self.skipped {
            writeln!(f, "skipped: {skipped}")?;
        }
        Ok(())
    }
}
