//! The same updates given to two replicas at once: each applied once, in order.

use std::sync::Arc;

use cnscd::conversation::Incoming;
use cnscd::storage::Backend;

use super::{feed, reference_run, seed, village, Update, CHATS};
use crate::support::app::scratch;

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
