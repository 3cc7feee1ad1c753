//! `cnscd-bench crash`: what the people in the chats see when the bot is killed under them.
//!
//! The release `cnscd serve` binary, long polling a fake Bot API on SQLite, while N village
//! heads each go through a whole registration (the registration bench's script, pressed
//! through Telegram's buttons) and act only once the bot answered. First a run without
//! kills, whose conversations are the reference; then the same on a new database while the
//! bot is killed with SIGKILL at random (seeded) moments 0.15–0.6 s apart and started again
//! at once, as systemd would. Counted as the crash test counts them ([`cnscd_fakes::crowd`]):
//! messages a chat received again, and chats led onto an old question (a message older
//! than their latest one arriving again). Issue 22's goal: ≤ 0.05 re-sent per chat per
//! crash, and no chat led astray.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use cnscd_fakes::crowd::{drive, release_binary, tally, Act, Crowd, Kills, Pace, Tally};
use cnscd_fakes::telegram::TEST_TOKEN;
use tokio::process::{Child, Command};

use crate::registration::{count_registered, invited, registration, Step};
use cnscd::storage::Store;

/// Issue 22's goal: at most 0.05 re-sent messages per chat per crash.
const GOAL_PER_CHAT_PER_CRASH: f64 = 0.05;
/// A run of 200 chats takes well under a minute; this only stops a stuck one.
const DEADLINE: Duration = Duration::from_secs(600);
const FIRST_CHAT: i64 = 10_000;

#[derive(Debug, Clone)]
pub struct CrashOptions {
    pub chats: usize,
    pub kills: usize,
    pub seed: u64,
    /// The `cnscd` binary to kill; `None` builds the workspace's in release.
    pub bin: Option<PathBuf>,
    /// A directory where each file of the delivery journal would be: the bot runs without
    /// it, as before it existed.
    pub without_journal: bool,
}

/// One run: every chat held to the run without kills.
#[derive(Debug, Clone)]
pub struct RunFigures {
    pub tally: Tally,
    pub registered: usize,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct CrashReport {
    pub options: CrashOptions,
    pub bin: PathBuf,
    pub actions: usize,
    pub calm: RunFigures,
    pub killed: RunFigures,
}

impl CrashReport {
    fn per_chat_per_crash(&self, messages: usize) -> f64 {
        messages as f64 / (self.options.chats * self.options.kills).max(1) as f64
    }

    /// Every message received again, the copies of the one in flight included.
    pub fn resent_per_chat_per_crash(&self) -> f64 {
        self.per_chat_per_crash(self.killed.tally.resent)
    }

    /// Re-sent messages older than their chat's latest: issue 22's burst.
    pub fn older_per_chat_per_crash(&self) -> f64 {
        self.per_chat_per_crash(self.killed.tally.older)
    }

    /// Issue 22's goal: at most the message in flight again (≤ 0.05 older ones per chat per
    /// crash) and no chat led onto an old question.
    pub fn goal_met(&self) -> bool {
        self.older_per_chat_per_crash() <= GOAL_PER_CHAT_PER_CRASH
            && self.killed.tally.led_to_old_question.is_empty()
    }
}

pub async fn run(options: &CrashOptions) -> anyhow::Result<CrashReport> {
    let bin = match &options.bin {
        Some(bin) => bin.clone(),
        None => tokio::task::spawn_blocking(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("bench/ is in the workspace");
            release_binary(root, "cnscd", "cnscd")
        })
        .await?
        .context("Failed to build the release binary")?,
    };
    let dir = tempfile::tempdir().context("Failed to make a temporary directory")?;

    let calm_db = dir.path().join("calm.db");
    let (villages, mut calm) = start(&calm_db, options).await?;
    let actions = crate::registration::registration(0, "CODE").len();
    let started = Instant::now();
    let mut bot = spawn_bot(&bin, &calm_db, &calm.tg.url())?;
    let counts = drive(&mut calm, Pace::Calibrate, DEADLINE)
        .await
        .context("The run without kills")?;
    let elapsed = started.elapsed();
    bot.kill().await.context("Failed to stop the bot")?;
    let want = calm.conversations();
    let calm = RunFigures {
        tally: tally(&want, &want)?,
        registered: registered(&calm_db, &villages).await?,
        elapsed,
    };

    let db = dir.path().join("crash.db");
    let (villages, mut run) = start(&db, options).await?;
    let api = run.tg.url();
    let started = Instant::now();
    let kills = Kills {
        count: options.kills,
        apart_ms: 150..600,
        seed: options.seed,
    };
    let first = spawn_bot(&bin, &db, &api)?;
    let restart = || spawn_bot(&bin, &db, &api).expect("the bot starts again");
    let pace = Pace::Expect {
        counts: &counts,
        want: &want,
    };
    let (mut bot, driven) =
        tokio::join!(kills.run(first, restart), drive(&mut run, pace, DEADLINE));
    driven.context("The run with kills")?;
    let elapsed = started.elapsed();
    // What a kill left in flight may still come once the last bot caught up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.kill().await.context("Failed to stop the bot")?;
    let killed = RunFigures {
        tally: tally(&want, &run.conversations())?,
        registered: registered(&db, &villages).await?,
        elapsed,
    };
    Ok(CrashReport {
        options: options.clone(),
        bin,
        actions,
        calm,
        killed,
    })
}

/// A new database with invited villages; returns them and a head for each with its script.
async fn start(db: &Path, options: &CrashOptions) -> anyhow::Result<(Vec<String>, Crowd)> {
    let store = Store::connect(&format!("sqlite://{}", db.display())).await?;
    let (villages, codes) = invited(&store, options.chats, chrono::Utc::now()).await?;
    store.close().await;
    if options.without_journal {
        for n in 0..2 {
            // The bot's journal is `<database>-delivered-0` and `-1`: it cannot open a
            // directory, says so, and goes on without.
            let mut path = db.as_os_str().to_owned();
            path.push(format!("-delivered-{n}"));
            std::fs::create_dir(&path).context("Failed to stand in the journal's way")?;
        }
    }
    let heads = codes
        .iter()
        .enumerate()
        .map(|(team, code)| {
            let script = registration(team, code)
                .into_iter()
                .map(|step| match step {
                    Step::Say(text) => Act::Say(text),
                    Step::Press(action) => Act::Choose(action),
                })
                .collect();
            (FIRST_CHAT + team as i64, script)
        })
        .collect();
    Ok((villages, Crowd::start(heads).await))
}

async fn registered(db: &Path, villages: &[String]) -> anyhow::Result<usize> {
    let store = Store::connect(&format!("sqlite://{}", db.display())).await?;
    let registered = count_registered(&store, villages).await?;
    store.close().await;
    Ok(registered)
}

fn spawn_bot(bin: &Path, db: &Path, api: &str) -> anyhow::Result<Child> {
    Command::new(bin)
        .args(["serve", "--no-throttle"])
        .env("TELOXIDE_TOKEN", TEST_TOKEN)
        .env("TELOXIDE_API_URL", api)
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("CNSCD_REPLICA_ID", "crash-bench")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("Failed to start {}", bin.display()))
}

impl fmt::Display for CrashReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chats = self.options.chats;
        writeln!(
            f,
            "bench crash: {chats} chats × {} actions (a whole registration), {} serve \
             long polling a fake Bot API, SQLite (WAL, synchronous=FULL){}",
            self.actions,
            self.bin.display(),
            if self.options.without_journal {
                ", WITHOUT the delivery journal"
            } else {
                ""
            }
        )?;
        let line = |f: &mut fmt::Formatter<'_>, name: &str, run: &RunFigures| {
            writeln!(
                f,
                "{name}: {} messages sent in {:.1} s, {} word-for-word repeats; re-sent \
                 messages {}; chats led onto an old question {} of {chats}; teams \
                 registered {} of {chats}",
                run.tally.messages,
                run.elapsed.as_secs_f64(),
                run.tally.word_for_word,
                run.tally.resent,
                run.tally.led_to_old_question.len(),
                run.registered
            )
        };
        line(f, "without kills (the reference)", &self.calm)?;
        line(
            f,
            &format!(
                "with {} SIGKILLs 0.15–0.6 s apart (seed {})",
                self.options.kills, self.options.seed
            ),
            &self.killed,
        )?;
        writeln!(
            f,
            "re-sent per chat per crash: {:.3} in all (at most {} in one chat), {:.3} older \
             than their chat's latest message (goal ≤ {GOAL_PER_CHAT_PER_CRASH}); word-for-word \
             repeats beyond the run without kills: {}",
            self.resent_per_chat_per_crash(),
            self.killed.tally.most_resent_in_a_chat,
            self.older_per_chat_per_crash(),
            self.killed
                .tally
                .word_for_word
                .saturating_sub(self.calm.tally.word_for_word)
        )?;
        writeln!(
            f,
            "goal (issue 22: only the message in flight again, ≤ {GOAL_PER_CHAT_PER_CRASH} older \
             per chat per crash, no chat led onto an old question): {}",
            if self.goal_met() { "met" } else { "NOT met" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tiny_crash_run_registers_every_team_through_its_kills() {
        let options = CrashOptions {
            chats: 3,
            kills: 2,
            seed: 1,
            bin: None,
            without_journal: false,
        };
        let report = run(&options).await.unwrap();
        assert_eq!(report.calm.registered, 3);
        assert_eq!(report.killed.registered, 3);
        assert!(report.calm.tally.messages >= 3 * report.actions);
        let shown = report.to_string();
        assert!(shown.contains("with 2 SIGKILLs"), "{shown}");
    }

    /// The README's run (`crash --chats 200 --kills 10`), minutes long: `cargo test
    /// --all-features -- --ignored --nocapture --test-threads 1 at_full_scale` runs both.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "minutes long: the README's 200-chat, 10-kill run"]
    async fn at_full_scale_ten_sigkills_under_two_hundred_heads_meet_issue_22s_goal() {
        let options = CrashOptions {
            chats: 200,
            kills: 10,
            seed: 2026,
            bin: None,
            without_journal: false,
        };
        let report = run(&options).await.unwrap();
        println!("{report}");
        assert_eq!(report.killed.registered, 200);
        assert!(report.goal_met(), "{report}");
    }

    /// The same without the delivery journal: the bench sees issue 22's burst, so its
    /// figures can fail.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "minutes long: the README's 200-chat, 10-kill run, without the journal"]
    async fn at_full_scale_without_the_journal_the_burst_of_old_questions_comes_back() {
        let options = CrashOptions {
            chats: 200,
            kills: 10,
            seed: 2026,
            bin: None,
            without_journal: true,
        };
        let report = run(&options).await.unwrap();
        println!("{report}");
        assert!(!report.goal_met(), "{report}");
    }
}
