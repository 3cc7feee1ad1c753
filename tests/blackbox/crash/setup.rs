//! The database the heads register in, and the release `cnscd serve` binary started on it.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use chrono::{DateTime, Utc};
use cnscd::domain::AccountRole;
use cnscd::storage::Store;
use tokio::process::{Child, Command};

use super::CHATS;
use crate::support::fake_telegram::TEST_TOKEN;

fn today() -> DateTime<Utc> {
    Utc::now()
}

pub(super) fn village(chat: usize) -> String {
    format!("11083-{:02}", chat + 1)
}

pub(super) fn chat_id(chat: usize) -> i64 {
    10_000 + chat as i64
}

/// A database with Tứ Kỳ's communes, `CHATS` villages and an invitation for each head.
pub(super) async fn prepare(path: &Path) -> (String, Vec<String>) {
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url).await.expect("database opens");
    let units = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/tu-ky-communes.csv"
    ))
    .expect("communes file");
    cnscd::import::import_units(&store, units, today())
        .await
        .expect("communes");
    let mut csv = String::from("commune_code,name,code\n");
    for chat in 0..CHATS {
        csv.push_str(&format!("11083,Thôn Số {},{}\n", chat + 1, village(chat)));
    }
    cnscd::import::import_villages(&store, csv.as_bytes(), today())
        .await
        .expect("villages");
    let mut codes = Vec::new();
    for chat in 0..CHATS {
        let invitation = cnscd::invitation::create_invitation(
            &store,
            AccountRole::VillageHead,
            &village(chat),
            chrono::Duration::days(14),
            "test",
            today(),
        )
        .await
        .expect("invitation");
        codes.push(invitation.code);
    }
    store.close().await;
    (url, codes)
}

/// The release binary, built once per test run by the cargo running the tests: the debug
/// build is so slow that a kill rarely falls between a message and its mark.
pub(super) fn release_bot() -> PathBuf {
    crate::support::release::release_binary()
}

pub(super) fn spawn_bot(url: &str, api: &str) -> Child {
    Command::new(release_bot())
        .args(["serve", "--no-throttle"])
        .env("TELOXIDE_TOKEN", TEST_TOKEN)
        .env("TELOXIDE_API_URL", api)
        .env("DATABASE_URL", url)
        .env("CNSCD_REPLICA_ID", "crash-test")
        .env(
            "RUST_LOG",
            std::env::var("CNSCD_CRASH_RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(log_file())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts")
}

/// A directory where each file of the database's delivery journal (`<db>-delivered-0`, `-1`)
/// would be: the bot cannot open it and goes on without, as before the journal existed.
pub(super) fn stand_in_the_journals_way(db: &Path) {
    for n in 0..2 {
        let mut path = db.as_os_str().to_owned();
        path.push(format!("-delivered-{n}"));
        std::fs::create_dir(&path).expect("a directory in the journal's way");
    }
}

/// Where the bots' warnings go: `CNSCD_CRASH_LOG` names a file (appended to), else nowhere;
/// `CNSCD_CRASH_RUST_LOG` sets their filter (`warn` unless set).
fn log_file() -> Stdio {
    let Ok(path) = std::env::var("CNSCD_CRASH_LOG") else {
        return Stdio::null();
    };
    match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    }
}

/// The teams as stored, village by village.
pub(super) async fn teams(url: &str) -> Vec<String> {
    let store = Store::connect(url).await.expect("database opens");
    let mut teams = Vec::new();
    for chat in 0..CHATS {
        let team = store
            .team(&village(chat))
            .await
            .expect("team query")
            .expect("a team");
        teams.push(format!(
            "{}: {:?} {:?}",
            village(chat),
            team.status,
            team.team
        ));
    }
    store.close().await;
    teams
}
