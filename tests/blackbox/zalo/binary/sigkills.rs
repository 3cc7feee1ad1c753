//! The binary killed with SIGKILL while Zalo users write: nothing acknowledged is lost.

use std::process::Stdio;
use std::time::Duration;

use super::free_port;
use crate::support::fake_zalo::{FakeZalo, User, APP_ID, APP_SECRET, OA_SECRET_KEY};

/// The real binary serving Zalo alone on `listen` (webhooks) and `ops`, on `database`.
pub(super) fn spawn_bot(
    zalo: &FakeZalo,
    database: &str,
    listen: u16,
    ops: u16,
) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args(["serve", "--listen", &format!("127.0.0.1:{listen}")])
        .args(["--ops-listen", &format!("127.0.0.1:{ops}")])
        .env_remove("TELOXIDE_TOKEN")
        .env("ZALO_APP_ID", APP_ID)
        .env("ZALO_APP_SECRET", APP_SECRET)
        .env("ZALO_OA_SECRET_KEY", OA_SECRET_KEY)
        .env("ZALO_REFRESH_TOKEN", zalo.current_refresh_token())
        .env("ZALO_OPENAPI_URL", &zalo.base)
        .env("ZALO_OAUTH_URL", &zalo.base)
        .env("CNSCD_PUBLIC_URL", format!("http://127.0.0.1:{listen}"))
        .env_remove("ZALO_FORM_IMAGE_URL")
        .env("DATABASE_URL", database)
        .env(
            "RUST_LOG",
            std::env::var("CNSCD_ZALO_RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(log_file())
        .kill_on_drop(true)
        .spawn()
        .expect("cnscd starts")
}

/// Where the bots' log goes: `CNSCD_ZALO_LOG` names a file (appended to), else nowhere.
pub(super) fn log_file() -> Stdio {
    let file = std::env::var("CNSCD_ZALO_LOG").ok().and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    file.map_or_else(Stdio::null, Stdio::from)
}

/// Waits until the process answers on its ops port (at most 30 s, then goes on anyway).
pub(super) async fn wait_until_up(http: &reqwest::Client, ops: u16) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::time::Instant::now() < deadline {
        let health = http
            .get(format!("http://127.0.0.1:{ops}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Posts `event` until the webhook answers 200, as Zalo retries an unanswered event; how
/// many tries it took.
pub(super) async fn deliver(
    http: &reqwest::Client,
    listen: u16,
    event: &crate::support::fake_zalo::Event,
) -> usize {
    let mut tries = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let sent = http
            .post(format!("http://127.0.0.1:{listen}/zalo/webhook"))
            .header("X-ZEvent-Signature", &event.signature)
            .body(event.body.clone())
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        tries += 1;
        if sent.is_ok_and(|r| r.status().as_u16() == 200) {
            return tries;
        }
        assert!(tokio::time::Instant::now() < deadline, "never recorded");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn zalo_events_acknowledged_before_sigkills_are_all_applied_once_and_answered() {
    // Arrange: 20 users (more than the database pool has connections) write at once to the
    // real binary, which is killed with SIGKILL every 120 ms while they write, and restarted on
    // the same ports at once.
    let zalo = FakeZalo::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}/cnscd.db", dir.path().display());
    let (listen, ops) = (free_port(), free_port());
    let mut bot = spawn_bot(&zalo, &database, listen, ops);
    let http = reqwest::Client::new();
    let first = User::new("warmup");
    deliver(&http, listen, &first.follow()).await;
    zalo.wait_for("warmup", 1).await;
    // Act
    let users: Vec<User> = (0..20).map(|u| User::new(&format!("k{u}"))).collect();
    let writing = futures::future::join_all(users.iter().map(|user| {
        let (http, zalo) = (http.clone(), zalo.clone());
        async move {
            let mut retries = 0;
            for n in 0..5 {
                let text = if n % 2 == 0 {
                    "Thôn Đông Sơn"
                } else {
                    "Đại Sơn"
                };
                let event = user.text(text);
                let before = zalo.sent_to(&user.id).len();
                retries += deliver(&http, listen, &event).await - 1;
                // One event is delivered twice, as Zalo does after a lost answer.
                if n == 2 {
                    retries += deliver(&http, listen, &event).await - 1;
                }
                // A person waits for the answer, and a moment, before writing again.
                zalo.wait_for(&user.id, before + 1).await;
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            retries
        }
    }));
    let written = std::sync::atomic::AtomicBool::new(false);
    let writing = async {
        let retries = writing.await;
        written.store(true, std::sync::atomic::Ordering::SeqCst);
        retries
    };
    // SIGKILL 120 ms after each start is up, for as long as the users write, restarting at
    // once. Counted from the start being up, not from the spawn: on a loaded machine a
    // process may need longer than that to start, and would then never run at all.
    let killing = async {
        let mut kills = 0;
        while !written.load(std::sync::atomic::Ordering::SeqCst) {
            wait_until_up(&http, ops).await;
            tokio::time::sleep(Duration::from_millis(120)).await;
            bot.start_kill().expect("SIGKILL");
            let _ = bot.wait().await;
            kills += 1;
            bot = spawn_bot(&zalo, &database, listen, ops);
        }
        kills
    };
    let (retries, kills) = tokio::join!(writing, killing);
    let retries: usize = retries.into_iter().sum();
    // Assert: every acknowledged event is applied, once; every answer leaves.
    let store = cnscd::storage::Store::connect(&database)
        .await
        .expect("database");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (events, done): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0)
             FROM inbox WHERE chat_id LIKE 'k%'",
        )
        .fetch_one(store.pool())
        .await
        .expect("inbox");
        let unsent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(store.pool())
        .await
        .expect("outbox");
        if done == events && unsent == 0 {
            // Each user wrote 6 events of which one is a replay of the same message: 5 kept.
            assert_eq!(events, 20 * 5, "a replayed message is recorded once");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{done} of {events} events applied, {unsent} answers unsent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("{kills} SIGKILLs while 20 users wrote; {retries} posts retried");
    assert!(
        kills >= 3,
        "only {kills} kills while the users wrote ({retries} retried posts)"
    );
    for user in &users {
        let answers = zalo.sent_to(&user.id).len();
        assert!(
            answers >= 5,
            "{} got {answers} answers to 5 messages",
            user.id
        );
    }
    store.close().await;
    bot.kill().await.expect("stopped");
}
