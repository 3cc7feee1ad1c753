//! The per-chat lock across replicas (PostgreSQL's advisory locks).

use cnscd::conversation::Incoming;
use cnscd::engine::UpdateRecord;
use cnscd::storage::{Backend, Store};

use super::{chat_key, seed};
use crate::support::app::scratch;

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
