//! `cnscd-bench registration`: N village heads register their teams at the same time.
//!
//! A fresh SQLite database (WAL, `synchronous=FULL`, as in production) gets the Tứ Kỳ
//! communes, N generated villages and N invitations. Then N chats go through the whole
//! registration, interleaved round-robin (chat 1 step 1, chat 2 step 1, …), each event one
//! durable transaction of [`Engine::handle`]. At the end every team must be registered, so
//! a broken dialogue fails the bench instead of measuring error replies.

mod process;
mod report;
mod script;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;

use crate::args::BenchArgs;
use cnscd::chat::{ChannelName, ChatKey};
use cnscd::clock::Clock;
use cnscd::conversation::{Incoming, Reply};
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::engine::{Engine, EngineError};
use cnscd::i18n::{to_plain, Texts};
use cnscd::import::{import_villages, load_default_units_if_empty, ImportError};
use cnscd::invitation::{create_invitation, InviteError};
use cnscd::storage::{StorageError, Store, TeamStatus, UnitLevel};

pub use report::BenchReport;
use script::find_button;
pub(crate) use script::{registration, Step};

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0} exists already; the bench needs a new database file")]
    DatabaseExists(PathBuf),
    #[error("failed to create a temporary directory")]
    TempDir(#[source] std::io::Error),
    #[error("failed to prepare the database")]
    Storage(#[from] StorageError),
    #[error("failed to import the villages")]
    Import(#[from] ImportError),
    #[error("failed to create an invitation")]
    Invite(#[from] InviteError),
    #[error("the engine failed")]
    Engine(#[from] EngineError),
    #[error("the database has no commune to put villages in")]
    NoCommunes,
    #[error("chat {chat}, step {step}: no button {action:?} in the bot's answer:\n{answer}")]
    Script {
        chat: usize,
        step: usize,
        action: String,
        answer: String,
    },
    #[error("only {registered} of {expected} teams were registered")]
    Incomplete { registered: usize, expected: usize },
}

/// Runs the bench; the database is removed afterwards unless `args.db` named it.
pub async fn registration_bench(
    args: &BenchArgs,
    texts: Arc<Texts>,
    rules: Arc<CompositionRules>,
    clock: Arc<dyn Clock>,
) -> Result<BenchReport, BenchError> {
    let chats = args.chats as usize;
    let temp;
    let path = match &args.db {
        Some(path) if path.exists() => return Err(BenchError::DatabaseExists(path.clone())),
        Some(path) => path.clone(),
        None => {
            temp = tempfile::TempDir::new().map_err(BenchError::TempDir)?;
            temp.path().join("bench.db")
        }
    };
    let setup = Instant::now();
    let store = Store::connect(&format!("sqlite://{}", path.display())).await?;
    let (villages, codes) = invited(&store, chats, clock.now()).await?;
    let setup = setup.elapsed();

    let engine = Engine::new(store.clone(), texts, rules, clock);
    let idle = process::memory();
    let scripts: Vec<Vec<Step>> = codes
        .iter()
        .enumerate()
        .map(|(team, code)| registration(team, code))
        .collect();
    let cpu_before = process::cpu_time();
    let started = Instant::now();
    let events = drive(&engine, &scripts).await?;
    let wall = started.elapsed();
    let cpu = process::cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let registered = count_registered(&store, &villages).await?;
    let memory = process::memory();
    store.close().await;
    if registered != chats {
        return Err(BenchError::Incomplete {
            registered,
            expected: chats,
        });
    }
    Ok(BenchReport {
        chats,
        events,
        setup,
        wall,
        cpu,
        idle,
        memory,
        registered,
        database: args.db.as_deref().map(Path::to_path_buf),
    })
}

/// The Tứ Kỳ communes (if the database has none), `chats` villages and an invitation for the
/// head of each; returns the villages' codes and the invitations'.
pub(crate) async fn invited(
    store: &Store,
    chats: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<String>, Vec<String>), BenchError> {
    load_default_units_if_empty(store, now).await?;
    let villages = villages(store, chats, now).await?;
    let mut codes = Vec::with_capacity(chats);
    for village in &villages {
        let valid = Duration::days(14);
        let created = create_invitation(
            store,
            AccountRole::VillageHead,
            village,
            valid,
            "bench",
            now,
        )
        .await?;
        codes.push(created.code);
    }
    Ok((villages, codes))
}

/// Creates `count` villages spread over the stored communes; returns their codes.
async fn villages(
    store: &Store,
    count: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>, BenchError> {
    let communes = communes(store).await?;
    if communes.is_empty() {
        return Err(BenchError::NoCommunes);
    }
    let mut csv = String::from("commune_code,name\n");
    for i in 0..count {
        let commune = &communes[i % communes.len()];
        csv.push_str(&format!("{commune},Thôn Thử Nghiệm {}\n", i + 1));
    }
    let report = import_villages(store, csv.as_bytes(), now).await?;
    Ok(report.villages.into_iter().map(|v| v.code).collect())
}

/// Every commune code, whatever the depth of the tree above it.
async fn communes(store: &Store) -> Result<Vec<String>, StorageError> {
    let mut found = Vec::new();
    let mut pending = store.children(None).await?;
    while let Some(unit) = pending.pop() {
        if unit.level == UnitLevel::Commune {
            found.push(unit.code);
        } else if unit.level != UnitLevel::Village {
            pending.extend(store.children(Some(&unit.code)).await?);
        }
    }
    found.sort();
    Ok(found)
}

/// Plays every script, one step of each chat in turn; returns how many events were sent.
async fn drive(engine: &Engine, scripts: &[Vec<Step>]) -> Result<usize, BenchError> {
    let chats: Vec<ChatKey> = (0..scripts.len())
        .map(|i| ChatKey::new(ChannelName::Console, format!("chat-{i}")))
        .collect();
    let mut last: Vec<Vec<Reply>> = vec![Vec::new(); scripts.len()];
    let steps = scripts.iter().map(Vec::len).max().unwrap_or(0);
    let mut events = 0;
    for step in 0..steps {
        for (chat, script) in scripts.iter().enumerate() {
            let Some(action) = script.get(step) else {
                continue;
            };
            let incoming = match action {
                Step::Say(text) => Incoming::Text(text.clone()),
                Step::Press(action) => match find_button(&last[chat], action) {
                    Some(payload) => Incoming::Button(payload),
                    None => {
                        let answer = last[chat]
                            .iter()
                            .map(|r| to_plain(r.text.as_str()))
                            .collect::<Vec<_>>()
                            .join("\n");
                        return Err(BenchError::Script {
                            chat,
                            step,
                            action: action.clone(),
                            answer,
                        });
                    }
                },
            };
            last[chat] = engine.handle(&chats[chat], None, incoming).await?;
            events += 1;
        }
    }
    Ok(events)
}

/// How many of `villages` have a registered team with every member of the script.
pub(crate) async fn count_registered(
    store: &Store,
    villages: &[String],
) -> Result<usize, StorageError> {
    let mut registered = 0;
    for village in villages {
        if let Some(team) = store.team(village).await? {
            if team.status == TeamStatus::Registered && team.team.members.len() == script::MEMBERS {
                registered += 1;
            }
        }
    }
    Ok(registered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cnscd::clock::SystemClock;

    #[tokio::test]
    async fn the_registration_bench_registers_every_team_at_tiny_scale() {
        let args = BenchArgs { chats: 3, db: None };
        let texts = Arc::new(Texts::load().unwrap());
        let rules = Arc::new(CompositionRules::default_rules().unwrap());
        let report = registration_bench(&args, texts, rules, Arc::new(SystemClock))
            .await
            .unwrap();
        let shown = report.to_string();
        assert!(shown.contains("3 of 3"), "{shown}");
    }
}
