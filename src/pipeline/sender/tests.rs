use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use futures::future::BoxFuture;
use tempfile::TempDir;

use super::*;
use crate::clock::ManualClock;
use crate::domain::CompositionRules;
use crate::i18n::{Html, Texts};
use crate::storage::{outbox, Store};

const OWNER: &str = "me";

/// A channel that counts what it was given per text, taking a moment for each.
#[derive(Default)]
struct Counting {
    sent: Mutex<HashMap<String, usize>>,
}

impl Channel for Counting {
    fn name(&self) -> &'static str {
        "telegram"
    }

    fn send<'a>(&'a self, _: &'a str, part: &'a Reply) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let mut sent = self.sent.lock().unwrap();
            *sent.entry(part.text.as_str().to_owned()).or_default() += 1;
            Ok(())
        })
    }
}

async fn engine(dir: &TempDir) -> Engine {
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let store = Store::connect(&url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2022, 4, 20, 2, 0, 0).unwrap();
    Engine::new(
        store,
        Arc::new(Texts::load().unwrap()),
        Arc::new(CompositionRules::default_rules().unwrap()),
        Arc::new(ManualClock::new(now)),
    )
}

/// Rows as a step writes them: already claimed by this replica, handed to the sender.
async fn queue_claimed(engine: &Engine, count: usize) -> Vec<Queued> {
    let mut tx = engine.store().begin().await.unwrap();
    let mut queued = Vec::new();
    for n in 0..count {
        let chat = format!("{}", n % 25);
        let body = Outgoing::Reply(Reply::text(Html::text(&format!("message {n}"))));
        let json = body.to_json().unwrap();
        let id = outbox::enqueue_claimed(&mut tx, "telegram", &chat, &json, OWNER, Utc::now())
            .await
            .unwrap();
        queued.push(Queued::new(id, "telegram", &chat, body, false));
    }
    tx.commit().await.unwrap();
    queued
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_marked_sent_while_the_outbox_is_being_read_is_not_sent_again() {
    // Arrange: 400 replies of steps, handed to the sender as the worker does.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    let sender = Sender::start(
        engine.clone(),
        OWNER.into(),
        vec![Arc::clone(&channel) as Arc<dyn Channel>],
        Metrics::new(),
    );
    let queued = queue_claimed(&engine, 400).await;

    // Act: the outbox is read over and over while they go out and are marked, so that some
    // reads see a row unsent that is marked (and forgotten) before the read is looked at.
    sender.push(queued);
    let polling = {
        let sender = sender.clone();
        tokio::spawn(async move {
            loop {
                let _ = sender.poll_outbox().await;
                tokio::task::yield_now().await;
            }
        })
    };
    assert!(sender.flush(Duration::from_secs(60)).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    polling.abort();
    assert!(sender.flush(Duration::from_secs(60)).await);

    // Assert: each once.
    let sent = channel.sent.lock().unwrap().clone();
    let twice = sent.values().filter(|n| **n > 1).count();
    assert_eq!(twice, 0, "messages sent more than once");
    assert_eq!(sent.len(), 400);
}
