//! Several bot replicas on one database: each runs its own engine and pool, as two processes
//! behind a load balancer would. On SQLite the replicas share one file; on PostgreSQL (when
//! `CNSCD_TEST_POSTGRES_URL` names a server) one database.

use std::sync::Arc;

use cnscd::conversation::{Incoming, Reply};
use cnscd::domain::AccountRole;
use cnscd::engine::{ChannelName, ChatKey, Engine, UpdateRecord};
use cnscd::i18n::to_plain;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::{Backend, Store};

use crate::support::app::{invitation, scratch, today as start, TestApp};

/// Chats registering at once, one village each.
const CHATS: usize = 6;

/// A village head's whole registration; `[label]` presses a button of the latest reply.
const SCRIPT: &[&str] = &[
    "/start",
    "Nguyễn Văn An",
    "0912 345 678",
    "[✅ Đã đồng ý]",
    "Trần Thị Bình",
    "[Giáo viên Tiểu học]",
    "0912 345 679",
    "[✅ Đã đồng ý]",
    "[Bỏ qua »]",
    "[➕ Thêm thành viên]",
    "Lê Văn Cường",
    "[Giáo viên THCS]",
    "0912 345 680",
    "[✅ Đã đồng ý]",
    "[Bỏ qua »]",
    "[Xong]",
    "[✅ Xác nhận]",
    "[Chưa có, bỏ qua]",
];

fn village(chat: usize) -> String {
    format!("11083-{:02}", chat + 1)
}

/// One village per chat, on `db`, and an invitation for each head; the invitation codes.
async fn seed(db: ScratchDb) -> (TestApp, Vec<String>) {
    let mut csv = String::from("commune_code,name,code\n");
    for chat in 0..CHATS {
        csv.push_str(&format!("11083,Thôn Số {},{}\n", chat + 1, village(chat)));
    }
    let app = TestApp::builder()
        .on(db)
        .villages(&csv)
        .no_invitation()
        .build()
        .await;
    let mut codes = Vec::new();
    for chat in 0..CHATS {
        let role = AccountRole::VillageHead;
        codes.push(invitation(&app.store, role, &village(chat), start()).await);
    }
    (app, codes)
}

fn chat_key(chat: usize) -> ChatKey {
    ChatKey::new(ChannelName::Console, (chat + 1).to_string())
}

/// One update of the script: its Telegram-like id and what the user did.
#[derive(Clone)]
struct Update {
    chat: usize,
    id: String,
    incoming: Incoming,
}

/// Replies of one applied update, as plain text.
fn texts(replies: &[Reply]) -> Vec<String> {
    replies.iter().map(|r| to_plain(r.text.as_str())).collect()
}

/// Runs every chat's script through one engine, one update after another, recording the
/// updates (buttons resolved to their payloads) and the replies each got.
async fn reference_run(engine: &Engine, codes: &[String]) -> (Vec<Update>, Vec<Vec<String>>) {
    let mut updates = Vec::new();
    let mut replies = Vec::new();
    let mut last: Vec<Vec<Reply>> = vec![Vec::new(); CHATS];
    let mut id = 1000;
    for step in SCRIPT {
        for chat in 0..CHATS {
            let incoming = match step.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(label) => Incoming::Button(button(&last[chat], label)),
                None if *step == "/start" => Incoming::Text(format!("/start {}", codes[chat])),
                None => Incoming::Text((*step).to_owned()),
            };
            id += 1;
            let update = Update {
                chat,
                id: id.to_string(),
                incoming,
            };
            let got = apply(engine, &update).await;
            replies.push(texts(&got));
            last[chat] = got;
            updates.push(update);
        }
    }
    (updates, replies)
}

fn button(replies: &[Reply], label: &str) -> String {
    replies
        .iter()
        .rev()
        .flat_map(|r| r.buttons.iter().flatten())
        .find(|b| b.label == label)
        .unwrap_or_else(|| panic!("no button {label}"))
        .payload
        .clone()
}

async fn apply(engine: &Engine, update: &Update) -> Vec<Reply> {
    engine
        .handle(
            &chat_key(update.chat),
            Some(&update.id),
            update.incoming.clone(),
        )
        .await
        .expect("the engine applies the update")
}

/// Feeds every update, in order, to one replica; returns the replies it sent per update.
async fn feed(engine: Engine, updates: Arc<Vec<Update>>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for update in updates.iter() {
        out.push(texts(&apply(&engine, update).await));
        tokio::task::yield_now().await;
    }
    out
}

async fn each_update_is_applied_once_and_in_order(backend: Backend, test: &str) {
    // The reference: the same conversations on one replica, one update at a time.
    let Some(reference_db) = scratch(backend, test).await else {
        return;
    };
    let (reference, codes) = seed(reference_db).await;
    let (updates, expected) = reference_run(&reference.engine, &codes).await;
    reference.destroy().await;

    // Two replicas on one database, both given every update at the same time (as when
    // Telegram retries a webhook that answered late, at the other replica).
    let db = scratch(backend, test).await.expect("scratch database");
    let (app, codes) = seed(db).await;
    let (a, b) = (app.engine.clone(), app.fresh_engine().await);
    let updates: Vec<Update> = updates
        .into_iter()
        .map(|mut u| {
            if let Incoming::Text(text) = &u.incoming {
                if text.starts_with("/start ") {
                    u.incoming = Incoming::Text(format!("/start {}", codes[u.chat]));
                }
            }
            u
        })
        .collect();
    let updates = Arc::new(updates);
    let (from_a, from_b) = tokio::join!(
        tokio::spawn(feed(a.clone(), updates.clone())),
        tokio::spawn(feed(b.clone(), updates.clone())),
    );
    let (from_a, from_b) = (from_a.expect("replica a"), from_b.expect("replica b"));

    let mut applied = Vec::new();
    for (i, (x, y)) in from_a.iter().zip(&from_b).enumerate() {
        assert!(
            x.is_empty() || y.is_empty(),
            "update {} was applied by both replicas",
            updates[i].id
        );
        assert!(
            !(x.is_empty() && y.is_empty()),
            "update {} was applied by neither replica",
            updates[i].id
        );
        applied.push(if x.is_empty() { y.clone() } else { x.clone() });
    }
    // Out of order, a later answer would have met an earlier question (and a button its
    // stale-revision refusal): the replies would differ from the one-at-a-time run.
    pretty_assertions::assert_eq!(expected, applied);
    for chat in 0..CHATS {
        let team = a.store().team(&village(chat)).await.expect("team");
        let team = team.expect("the team was saved");
        assert_eq!(team.team.members.len(), 2, "chat {chat}");
    }
    b.store().close().await;
    app.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_given_the_same_updates_at_once_apply_each_once_and_in_order_on_sqlite() {
    each_update_is_applied_once_and_in_order(Backend::Sqlite, "replicas").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_given_the_same_updates_at_once_apply_each_once_and_in_order_on_postgresql() {
    each_update_is_applied_once_and_in_order(Backend::Postgres, "replicas").await;
}

/// Both replicas run the alert scheduler at the same moment: every recipient gets one alert.
async fn alerts_go_out_once(backend: Backend, test: &str) {
    let Some(db) = scratch(backend, test).await else {
        return;
    };
    let (app, codes) = seed(db).await;
    let (a, b) = (app.engine.clone(), app.fresh_engine().await);
    // Each chat becomes a village head; none registers a team.
    for (chat, code) in codes.iter().enumerate() {
        let start = Incoming::Text(format!("/start {code}"));
        a.handle(&chat_key(chat), None, start).await.expect("start");
    }
    let deadline = chrono::NaiveDate::from_ymd_opt(2022, 4, 25).expect("date");
    let name = cnscd::storage::campaigns::DEFAULT_CAMPAIGN_NAME;
    a.store()
        .create_campaign(name, deadline, "11083", "test", start())
        .await
        .expect("campaign");
    let schedule = cnscd::domain::schedule::Schedule::default();
    let mut runs = Vec::new();
    for round in 0..3 {
        let now = start() + chrono::Duration::minutes(round);
        let (x, y) = tokio::join!(
            cnscd::alerts::run_due(&a, &schedule, now),
            cnscd::alerts::run_due(&b, &schedule, now),
        );
        runs.push(x.expect("alerts a"));
        runs.push(y.expect("alerts b"));
    }
    let queued: usize = runs.iter().map(|r| r.queued).sum();
    assert_eq!(
        queued, CHATS,
        "one reminder per village head, whoever ran: {runs:?}"
    );
    let outbox = a
        .store()
        .pending_outbox("console", 1000)
        .await
        .expect("outbox");
    let mut recipients: Vec<&str> = outbox.iter().map(|m| m.chat_id.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), outbox.len(), "a recipient got two alerts");
    assert_eq!(outbox.len(), CHATS);
    b.store().close().await;
    app.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_running_the_alerts_at_once_send_each_alert_once_on_sqlite() {
    alerts_go_out_once(Backend::Sqlite, "alerts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_running_the_alerts_at_once_send_each_alert_once_on_postgresql() {
    alerts_go_out_once(Backend::Postgres, "alerts").await;
}

/// A step of a chat in progress on one replica (its transaction holds the chat's lock)
/// makes a step of the same chat on another replica wait until it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_chat_busy_on_one_replica_waits_there_for_its_turn_on_postgresql() {
    let Some(db) = scratch(Backend::Postgres, "per-chat lock").await else {
        return;
    };
    let (app, codes) = seed(db).await;
    let (a, b) = (app.engine.clone(), app.fresh_engine().await);
    let mut held = a.store().begin().await.expect("transaction");
    cnscd::storage::lock_chat(&mut held, Backend::Postgres, "console:1")
        .await
        .expect("lock");

    let start_on_b = Incoming::Text(format!("/start {}", codes[0]));
    let engine = b.clone();
    let step = tokio::spawn(async move {
        engine
            .handle_update(&chat_key(0), Some("1"), start_on_b)
            .await
    });
    let waited = waiting_advisory_locks(a.store()).await;
    let finished_while_locked = step.is_finished();
    held.rollback().await.expect("release");
    let handled = step.await.expect("task").expect("step");

    assert!(waited, "the step on B never waited for the chat's lock");
    assert!(!finished_while_locked);
    assert_eq!(handled.outcome, UpdateRecord::New);
    assert!(!handled.replies.is_empty());
    b.store().close().await;
    app.destroy().await;
}

/// Whether a request for an advisory lock of this database shows up waiting within 10 s.
async fn waiting_advisory_locks(store: &Store) -> bool {
    for _ in 0..200 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_one(store.pool())
        .await
        .expect("pg_locks");
        if waiting > 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}
