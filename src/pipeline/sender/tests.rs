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
use crate::storage::outbox::Lane;
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

/// A channel that notes what it sent, to which chat and when (on tokio's clock).
#[derive(Default)]
struct Recording {
    sent: Mutex<Vec<(String, String, tokio::time::Instant)>>,
}

impl Recording {
    fn texts(&self) -> Vec<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter().map(|(_, text, _)| text.clone()).collect()
    }

    fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }

    /// Waits (on tokio's clock, paused or not) until `n` messages went.
    async fn until_sent(&self, n: usize) {
        while self.count() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Channel for Recording {
    fn name(&self) -> ChannelName {
        ChannelName::Telegram
    }

    fn send<'a>(&'a self, chat: &'a str, part: &'a Reply) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let text = part.text.as_str().to_owned();
            let at = tokio::time::Instant::now();
            self.sent.lock().unwrap().push((chat.to_owned(), text, at));
            Ok(())
        })
    }
}

/// A message of `lane` for `chat` with the text `text`, under id `id` (no outbox row: the
/// sender only marks it, and the marks of rows that do not exist change nothing).
fn message(id: i64, chat: &str, lane: Lane, text: &str) -> Queued {
    let body = Outgoing::Reply(Reply::text(Html::text(text)));
    Queued::new(id, ChatKey::new(ChannelName::Telegram, chat), body, false).in_lane(lane)
}

/// A sender on a paused clock, bulk messages at `rate` a second on Telegram.
async fn paced(dir: &TempDir, rate: f64) -> (Sender, Arc<Recording>) {
    let engine = engine(dir).await;
    tokio::time::pause();
    let channel = Arc::new(Recording::default());
    let rates = BulkRates::default().with(ChannelName::Telegram, rate);
    let sender = Sender::start_pacing(
        engine,
        OWNER.into(),
        vec![Arc::clone(&channel) as Arc<dyn Channel>],
        Metrics::new(),
        rates,
    );
    (sender, channel)
}

#[tokio::test]
async fn a_reply_for_a_chat_overtakes_that_chats_bulk_messages_not_started() {
    // Arrange: an announcement in three messages for chat 7, one a second; the first goes.
    let dir = TempDir::new().unwrap();
    let (sender, channel) = paced(&dir, 1.0).await;
    sender.push(vec![
        message(1, "7", Lane::Bulk, "bulk 1"),
        message(2, "7", Lane::Bulk, "bulk 2"),
        message(3, "7", Lane::Bulk, "bulk 3"),
    ]);
    channel.until_sent(1).await;

    // Act: the chat's dialogue answers it while the rest waits for its turn.
    sender.push(vec![
        message(10, "7", Lane::Reply, "reply 1"),
        message(11, "7", Lane::Reply, "reply 2"),
    ]);
    channel.until_sent(5).await;

    // Assert: the replies, in their order, before the bulk messages not started.
    assert_eq!(
        channel.texts(),
        ["bulk 1", "reply 1", "reply 2", "bulk 2", "bulk 3"]
    );
}

#[tokio::test]
async fn bulk_messages_of_a_chat_keep_their_order_whatever_order_they_are_read_in() {
    // Arrange
    let dir = TempDir::new().unwrap();
    let (sender, channel) = paced(&dir, 50.0).await;

    // Act: rows of two announcements and a late older one, handed over out of order, with
    // replies between.
    sender.push(vec![
        message(5, "7", Lane::Bulk, "bulk 5"),
        message(9, "7", Lane::Bulk, "bulk 9"),
    ]);
    sender.push(vec![
        message(12, "7", Lane::Reply, "reply 12"),
        message(3, "7", Lane::Bulk, "bulk 3"),
        message(7, "7", Lane::Bulk, "bulk 7"),
    ]);
    channel.until_sent(5).await;

    // Assert: the reply first; the bulk messages in id order.
    assert_eq!(
        channel.texts(),
        ["reply 12", "bulk 3", "bulk 5", "bulk 7", "bulk 9"]
    );
}

#[tokio::test]
async fn replies_of_other_chats_are_not_held_behind_a_bulk_backlog() {
    // Arrange: an announcement to 200 chats, one message a second.
    let dir = TempDir::new().unwrap();
    let (sender, channel) = paced(&dir, 1.0).await;
    let bulk = (0..200)
        .map(|n| message(n, &format!("member {n}"), Lane::Bulk, &format!("bulk {n}")))
        .collect();
    sender.push(bulk);
    let start = tokio::time::Instant::now();

    // Act: three chats talking meanwhile.
    sender.push(vec![
        message(1000, "a", Lane::Reply, "reply a"),
        message(1001, "b", Lane::Reply, "reply b"),
        message(1002, "c", Lane::Reply, "reply c"),
    ]);
    channel.until_sent(5).await;

    // Assert: the replies went at once, behind at most the one bulk message whose turn had
    // come; the announcement goes on at its pace.
    let sent = channel.sent.lock().unwrap().clone();
    for reply in ["reply a", "reply b", "reply c"] {
        let (at, (_, _, when)) = sent
            .iter()
            .enumerate()
            .find(|(_, (_, text, _))| text == reply)
            .unwrap_or_else(|| panic!("{reply} not sent: {sent:?}"));
        assert!(at <= 3, "{reply} was message {at}");
        assert_eq!(*when, start, "{reply} waited");
    }
    assert!(sender.backlog() >= 195, "the announcement is paced");
}

#[tokio::test]
async fn bulk_messages_never_go_faster_than_the_channels_rate() {
    // Arrange: 25 a second; 150 members, some with two messages.
    let dir = TempDir::new().unwrap();
    let (sender, channel) = paced(&dir, 25.0).await;
    let start = tokio::time::Instant::now();
    let bulk = (0..150)
        .map(|n| {
            message(
                n,
                &format!("member {}", n % 120),
                Lane::Bulk,
                &format!("bulk {n}"),
            )
        })
        .collect();

    // Act
    sender.push(bulk);
    channel.until_sent(150).await;

    // Assert: counted per simulated second, at most 25; all sent within 6 seconds.
    let sent = channel.sent.lock().unwrap().clone();
    let mut per_second = HashMap::<u64, usize>::new();
    for (_, _, at) in &sent {
        *per_second.entry((*at - start).as_secs()).or_default() += 1;
    }
    assert!(per_second.values().all(|n| *n <= 25), "{per_second:?}");
    assert!(per_second.len() >= 6, "{per_second:?}");
    assert!(per_second.keys().all(|s| *s <= 6), "{per_second:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_bulk_rows_do_not_keep_a_notice_queued_after_them_from_being_read() {
    // Arrange: an announcement to 10,000 members, then a notice for another chat.
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let mut tx = engine.store().begin().await.unwrap();
    let announcement = Reply::text(Html::text("announcement"));
    for n in 0..10_000 {
        let chat = format!("member {n}");
        outbox::enqueue_bulk(&mut tx, "telegram", &chat, &announcement, Utc::now())
            .await
            .unwrap();
    }
    let notice = Reply::text(Html::text("notice"));
    outbox::enqueue(&mut tx, "telegram", "official", &notice, None, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let channel = Arc::new(Recording::default());
    let sender = Sender::start(
        engine.clone(),
        OWNER.into(),
        vec![Arc::clone(&channel) as Arc<dyn Channel>],
        Metrics::new(),
    );

    // Act: one look at the outbox.
    let taken = sender.poll_outbox().await.unwrap();
    assert!(sender.flush_replies(Duration::from_secs(30)).await);

    // Assert: the notice was read and sent; of the announcement, a few seconds' worth only.
    let held = BulkRates::default().held(ChannelName::Telegram);
    assert_eq!(taken, 1 + held);
    assert!(channel.texts().contains(&"notice".to_owned()));
    assert!(sender.backlog() <= held, "{} held", sender.backlog());
}
