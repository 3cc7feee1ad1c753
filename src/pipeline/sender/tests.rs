use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use futures::future::BoxFuture;
use tempfile::TempDir;

use super::*;
use crate::chat::ChannelName;
use crate::clock::ManualClock;
use crate::domain::CompositionRules;

use crate::i18n::{Html, Texts};
use crate::pipeline::SendError;
use crate::storage::{outbox, Store};

const OWNER: &str = "me";

/// A channel that counts what it was given per text, taking a moment for each.
#[derive(Default)]
struct Counting {
    sent: Mutex<HashMap<String, usize>>,
}

impl Channel for Counting {
    fn name(&self) -> ChannelName {
        ChannelName::Telegram
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

/// Rows as a step writes them: already claimed by this replica, not yet handed over.
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
        queued.push(Queued::new(
            id,
            ChatKey::new(ChannelName::Telegram, chat.clone()),
            body,
            false,
        ));
    }
    tx.commit().await.unwrap();
    queued
}

/// Rows as alerts and notices are queued: claimed by nobody.
async fn queue_unclaimed(engine: &Engine, count: usize) {
    let mut tx = engine.store().begin().await.unwrap();
    for n in 0..count {
        let chat = format!("{}", n % 25);
        let reply = Reply::text(Html::text(&format!("message {n}")));
        outbox::enqueue(&mut tx, "telegram", &chat, &reply, None, Utc::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn start(engine: &Engine, channel: &Arc<Counting>) -> Sender {
    Sender::start(
        engine.clone(),
        OWNER.into(),
        vec![Arc::clone(channel) as Arc<dyn Channel>],
        Metrics::new(),
    )
}

fn sent_twice(channel: &Counting) -> usize {
    let sent = channel.sent.lock().unwrap();
    sent.values().filter(|n| **n > 1).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_marked_sent_while_the_outbox_is_being_read_is_not_sent_again() {
    // Arrange: 400 alerts in the outbox, claimed by nobody.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    let sender = start(&engine, &channel);
    queue_unclaimed(&engine, 400).await;

    // Act: the outbox is read over and over while they go out and are marked, so that some
    // reads see a row unsent that is marked (and forgotten) before the read is looked at.
    let polling = {
        let sender = sender.clone();
        tokio::spawn(async move {
            loop {
                let _ = sender.poll_outbox().await;
                tokio::task::yield_now().await;
            }
        })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while channel.sent.lock().unwrap().len() < 400 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sender.flush(Duration::from_secs(60)).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    polling.abort();
    assert!(sender.flush(Duration::from_secs(60)).await);

    // Assert: each once.
    assert_eq!(sent_twice(&channel), 0, "messages sent more than once");
    assert_eq!(channel.sent.lock().unwrap().len(), 400);
}

#[tokio::test]
async fn a_steps_replies_read_before_the_worker_hands_them_over_are_left_to_it() {
    // Arrange: a step committed its replies; the worker has not handed them over yet.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    let sender = start(&engine, &channel);
    let queued = queue_claimed(&engine, 30).await;

    // Act: the outbox is read in between; then the worker hands them over.
    let taken = sender.poll_outbox().await.unwrap();
    assert!(sender.flush(Duration::from_secs(10)).await);
    sender.push(queued);
    assert!(sender.flush(Duration::from_secs(10)).await);

    // Assert: the read left them to the worker; each went once.
    assert_eq!(taken, 0);
    assert_eq!(sent_twice(&channel), 0, "messages sent more than once");
    assert_eq!(channel.sent.lock().unwrap().len(), 30);
}

#[tokio::test]
async fn a_restarted_replica_takes_back_what_it_left_unsent() {
    // Arrange: replies committed by the process before, under the same name, never sent.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    queue_claimed(&engine, 5).await;

    // Act: the new process starts.
    let sender = start(&engine, &channel);
    let taken = sender.take_back_outbox().await.unwrap();
    assert!(sender.flush(Duration::from_secs(10)).await);

    // Assert
    assert_eq!(taken, 5);
    assert_eq!(channel.sent.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn a_job_past_its_time_limit_is_stopped_reported_and_kept_as_failed_and_its_chat_goes_on() {
    // Arrange: a chat's village import, then a reply behind it; jobs may run 200 ms, and the
    // database is held by another writer, so the import waits for it far longer.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    let sender = start(&engine, &channel).with_job_limit(Duration::from_millis(200));
    let job = Outgoing::Job {
        job: crate::engine::Job::ImportVillages {
            commune: "11083".into(),
            csv: "commune_code,name\n11083,Thôn Mới\n".as_bytes().to_vec(),
        },
        lang: crate::i18n::Lang::Vi,
    };
    let after = Outgoing::Reply(Reply::text(Html::text("after the job")));
    let mut tx = engine.store().begin().await.unwrap();
    let mut queued = Vec::new();
    for body in [job, after] {
        let json = body.to_json().unwrap();
        let id = outbox::enqueue_claimed(&mut tx, "telegram", "7", &json, OWNER, Utc::now())
            .await
            .unwrap();
        queued.push(Queued::new(
            id,
            ChatKey::new(ChannelName::Telegram, "7"),
            body,
            false,
        ));
    }
    tx.commit().await.unwrap();
    let job_id = queued[0].id;

    let holder = engine.store().begin().await.unwrap();

    // Act
    sender.push(queued);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    while channel.sent.lock().unwrap().len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Marks are writes too: they wait for the other writer.
    holder.rollback().await.unwrap();
    assert!(sender.flush(Duration::from_secs(10)).await);

    // Assert: the chat heard why, the next message went, the job's row is failed.
    let sent = channel.sent.lock().unwrap().clone();
    assert!(
        sent.keys().any(|text| text.contains("nên trợ lý đã dừng")),
        "{sent:?}"
    );
    assert_eq!(sent.get("after the job"), Some(&1), "{sent:?}");
    let failed: Option<String> = sqlx::query_scalar("SELECT error FROM outbox WHERE id = $1")
        .bind(job_id)
        .fetch_one(engine.store().pool())
        .await
        .unwrap();
    assert_eq!(failed.as_deref(), Some("job stopped at its time limit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_channel_took_while_the_database_was_busy_is_journaled_before_any_mark() {
    // Arrange: a long round holds SQLite's write lock, as the worker's do under load.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    let sender = start(&engine, &channel);
    let queued = queue_claimed(&engine, 30).await;
    let ids: Vec<i64> = queued.iter().map(|q| q.id).collect();
    let holder = engine.store().begin().await.unwrap();

    // Act: all 30 go out while no mark can be written.
    sender.push(queued);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    while channel.sent.lock().unwrap().len() < 30 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Assert: the journal holds every one already; the outbox none yet.
    let base = engine.store().delivery_journal_base().unwrap();
    let mut journaled = DeliveryJournal::open(base).unwrap().written().unwrap();
    journaled.sort_unstable();
    assert_eq!(journaled, ids);
    let marked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
        .fetch_one(engine.store().pool())
        .await
        .unwrap();
    assert_eq!(marked, 0, "no mark gets past the held write lock");
    holder.rollback().await.unwrap();
    assert!(sender.flush(Duration::from_secs(10)).await);
}

#[tokio::test]
async fn a_restart_does_not_send_again_what_the_journal_says_the_channel_took() {
    // Arrange: the process before delivered 5 replies and journaled them, then died before
    // any mark reached the outbox; 3 more were never sent.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let channel = Arc::new(Counting::default());
    let queued = queue_claimed(&engine, 8).await;
    let journal = DeliveryJournal::open(engine.store().delivery_journal_base().unwrap()).unwrap();
    for message in &queued[..5] {
        journal.record(message.id, || {}).unwrap();
    }
    drop(journal);

    // Act: the new process starts.
    let sender = start(&engine, &channel);
    let taken = sender.take_back_outbox().await.unwrap();
    assert!(sender.flush(Duration::from_secs(10)).await);

    // Assert: only the 3 unsent went; the 5 are marked sent; the journal is empty.
    assert_eq!(taken, 3);
    let sent = channel.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 3, "{sent:?}");
    for n in 5..8 {
        assert_eq!(sent.get(&format!("message {n}")), Some(&1), "{sent:?}");
    }
    let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(engine.store().pool())
        .await
        .unwrap();
    assert_eq!(unsent, 0);
    let base = engine.store().delivery_journal_base().unwrap();
    assert!(DeliveryJournal::open(base)
        .unwrap()
        .written()
        .unwrap()
        .is_empty());
}

/// A channel that notes how many messages it holds at once.
#[derive(Default)]
struct Crowded {
    now: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
    sent: std::sync::atomic::AtomicUsize,
}

impl Channel for Crowded {
    fn name(&self) -> ChannelName {
        ChannelName::Telegram
    }

    fn send<'a>(&'a self, _: &'a str, _: &'a Reply) -> BoxFuture<'a, Result<(), SendError>> {
        use std::sync::atomic::Ordering::SeqCst;
        Box::pin(async move {
            let now = self.now.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.now.fetch_sub(1, SeqCst);
            self.sent.fetch_add(1, SeqCst);
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_the_backlog_of_many_chats_goes_out_at_most_eight_at_a_time() {
    // Arrange: 25 chats with 4 replies each, left unsent by the process before.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    queue_claimed(&engine, 100).await;
    let channel = Arc::new(Crowded::default());
    let sender = Sender::start(
        engine.clone(),
        OWNER.into(),
        vec![Arc::clone(&channel) as Arc<dyn Channel>],
        Metrics::new(),
    );

    // Act
    sender.take_back_outbox().await.unwrap();
    assert!(sender.flush(Duration::from_secs(30)).await);

    // Assert: chats side by side, but never more in flight than a crash may repeat.
    use std::sync::atomic::Ordering::SeqCst;
    assert_eq!(channel.sent.load(SeqCst), 100);
    let most = channel.most.load(SeqCst);
    assert!(most > 1, "chats are sent side by side");
    assert!(
        most <= MAX_IN_FLIGHT,
        "{most} messages were in flight at once"
    );
}
