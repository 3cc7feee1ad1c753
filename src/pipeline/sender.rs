//! Delivering the outbox: per chat in order, chats side by side. A chat the channel asks to
//! wait (429) waits alone; a chat that blocked the bot is marked and its messages given up;
//! a network error is retried with a backoff. Each message is marked sent right after the
//! channel took it: in the delivery journal at once (on SQLite, see
//! [`crate::storage::delivery_journal`]), in the outbox with the marks that wait, in one
//! statement.
//!
//! Two lanes share a channel: replies (answers, notices, alerts) and bulk (an announcement's
//! message to each of many chats). Replies are read from the outbox first, and within a chat
//! a reply overtakes the bulk messages not started yet; bulk messages are held in memory a
//! few seconds' worth at a time, paced at the channel's rate and kept to part of the room in
//! flight (see [`pacing`]), so an announcement to ten thousand members never delays a
//! dialogue.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::outgoing::Outgoing;
use super::Channel;

mod delivery;
mod marks;
mod pacing;

pub use pacing::{BulkRateError, BulkRates, BULK_IN_FLIGHT};

use crate::chat::{ChannelName, ChatKey};
use crate::conversation::Reply;
use crate::engine::Engine;
use crate::ops::metrics::Metrics;
use crate::storage::delivery_journal::DeliveryJournal;
use crate::storage::outbox::{DedupKey, Lane};
use marks::mark_forever;
use pacing::Pacer;

/// Rows read per look at the outbox.
const POLL_ROWS: i64 = 500;
/// Messages on their way to one channel at once, all chats together. A message the channel
/// took in the instant before a crash, before it was journaled, is sent again: this bounds
/// how many that can be (after a restart every chat has its backlog to send at once). Real
/// channels take far fewer per second than 8 in flight allow (Telegram: 30 a second).
pub const MAX_IN_FLIGHT: usize = 8;
/// The longest a job (a report, a village import) may run: it holds its chat's queue, so a
/// longer one is stopped, its work rolled back, the chat told, and its row kept as failed.
/// The whole country's spreadsheet takes about 15 s on a small server.
pub const JOB_LIMIT: Duration = Duration::from_secs(120);

/// An outbox row on its way.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub chat: ChatKey,
    body: Outgoing,
    is_alert: bool,
    lane: Lane,
    /// Taken by its chat's task to be sent: a reply no longer overtakes it.
    started: bool,
    /// The parts still to send (a job's reply is made when it comes to it).
    parts: Option<VecDeque<Reply>>,
    /// Why the row is kept as failed once its parts are sent (a job stopped at its limit).
    failed: Option<String>,
}

impl Queued {
    pub(crate) fn new(id: i64, chat: ChatKey, body: Outgoing, is_alert: bool) -> Queued {
        Queued {
            id,
            chat,
            body,
            is_alert,
            lane: Lane::Reply,
            started: false,
            parts: None,
            failed: None,
        }
    }

    /// The same message in `lane`.
    pub(crate) fn in_lane(self, lane: Lane) -> Queued {
        Queued { lane, ..self }
    }

    /// Whether a reply for its chat goes before it.
    fn overtaken_by(&self, reply: &Queued) -> bool {
        !self.started && (self.lane == Lane::Bulk || self.id > reply.id)
    }
}

#[derive(Default)]
struct Queues {
    /// Per chat: replies in id order, then bulk messages in id order (a message already
    /// started stays in front). A chat is here while it has messages.
    chats: HashMap<ChatKey, VecDeque<Queued>>,
    /// Ids queued or sent but not yet marked: the outbox poll must not queue them again.
    known: HashSet<i64>,
}

enum Mark {
    Sent(i64),
    Failed(i64, String),
    Blocked(ChatKey),
    Held(Vec<i64>, String),
    Flushed(oneshot::Sender<()>),
}

/// Delivers outbox rows. Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    owner: String,
    channels: Vec<Arc<dyn Channel>>,
    /// Per channel, in the order of `channels`: see [`MAX_IN_FLIGHT`].
    in_flight: Vec<tokio::sync::Semaphore>,
    /// Per channel, in the order of `channels`: the bulk lane's pace and room in flight.
    pacers: Vec<Pacer>,
    bulk_rates: BulkRates,
    queues: Mutex<Queues>,
    marks: mpsc::UnboundedSender<Mark>,
    /// Where a delivery is recorded the instant the channel took it (SQLite only).
    journal: Option<DeliveryJournal>,
    /// Set once the journal of the run before is folded into the outbox: nothing is read
    /// from the outbox before, or a message delivered just before a crash would go again.
    folded: tokio::sync::OnceCell<()>,
    metrics: Metrics,
    /// A claim older than this is taken to have died with its replica.
    stale_after: Mutex<chrono::Duration>,
    /// See [`JOB_LIMIT`].
    job_limit: Mutex<Duration>,
}

impl Sender {
    pub fn taking_over_after(self, wait: Duration) -> Sender {
        if let Ok(wait) = chrono::Duration::from_std(wait) {
            *self
                .inner
                .stale_after
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = wait;
        }
        self
    }

    /// Stops jobs after `limit` instead of [`JOB_LIMIT`].
    pub fn with_job_limit(self, limit: Duration) -> Sender {
        *self
            .inner
            .job_limit
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = limit;
        self
    }

    /// A sender for `channels`, bulk messages at the default rates; its marking task runs
    /// until the sender is dropped.
    pub fn start(
        engine: Engine,
        owner: String,
        channels: Vec<Arc<dyn Channel>>,
        metrics: Metrics,
    ) -> Sender {
        Sender::start_pacing(engine, owner, channels, metrics, BulkRates::default())
    }

    /// A sender for `channels`, bulk messages at `bulk_rates`.
    pub fn start_pacing(
        engine: Engine,
        owner: String,
        channels: Vec<Arc<dyn Channel>>,
        metrics: Metrics,
        bulk_rates: BulkRates,
    ) -> Sender {
        let (marks, queue) = mpsc::unbounded_channel();
        let journal = engine.store().delivery_journal_base().and_then(|base| {
            DeliveryJournal::open(base)
                .map_err(|error| {
                    tracing::error!(%error, "no delivery journal: a crash may send messages twice")
                })
                .ok()
        });
        let in_flight = channels
            .iter()
            .map(|_| tokio::sync::Semaphore::new(MAX_IN_FLIGHT))
            .collect();
        let pacers = channels
            .iter()
            .map(|c| Pacer::new(bulk_rates.of(c.name())))
            .collect();
        let inner = Arc::new(Inner {
            engine,
            owner,
            in_flight,
            pacers,
            bulk_rates,
            channels,
            queues: Mutex::default(),
            marks,
            journal,
            folded: tokio::sync::OnceCell::new(),
            metrics,
            stale_after: Mutex::new(chrono::Duration::seconds(15)),
            job_limit: Mutex::new(JOB_LIMIT),
        });
        tokio::spawn(mark_forever(Arc::downgrade(&inner), queue));
        Sender { inner }
    }

    /// Queues rows for delivery and starts their chats' tasks. Within a chat, replies go in
    /// id order before the bulk messages not started yet, bulk messages in id order after.
    pub fn push(&self, messages: Vec<Queued>) {
        let mut start = Vec::new();
        {
            let mut queues = self.inner.lock();
            for message in messages {
                if !queues.known.insert(message.id) {
                    continue;
                }
                let chat = message.chat.clone();
                let queue = queues.chats.entry(chat.clone()).or_default();
                if queue.is_empty() {
                    start.push(chat);
                }
                // A started message stays in front (it may be in flight).
                let at = match message.lane {
                    Lane::Reply => queue.iter().position(|m| m.overtaken_by(&message)),
                    Lane::Bulk => queue
                        .iter()
                        .position(|m| !m.started && m.lane == Lane::Bulk && m.id > message.id),
                };
                queue.insert(at.unwrap_or(queue.len()), message);
            }
        }
        for chat in start {
            tokio::spawn(Arc::clone(&self.inner).deliver_chat(chat));
        }
    }

    /// At start: queues what the outbox holds for this replica's channels that nobody is
    /// sending, this replica's own rows included (left by the process before it, under the
    /// same name).
    pub async fn take_back_outbox(&self) -> Result<usize, crate::storage::StorageError> {
        self.queue_from_outbox(true).await
    }

    /// Every second: queues the rows no replica holds (alerts and notices queued by other
    /// work, claims gone stale). Not this replica's fresh rows: the worker hands those over
    /// after its commit, and one read between the commit and the handing over would send
    /// them twice.
    pub async fn poll_outbox(&self) -> Result<usize, crate::storage::StorageError> {
        self.queue_from_outbox(false).await
    }

    async fn queue_from_outbox(&self, own: bool) -> Result<usize, crate::storage::StorageError> {
        self.inner
            .folded
            .get_or_try_init(|| self.inner.fold_journal())
            .await?;
        let store = self.inner.engine.store();
        let now = chrono::Utc::now();
        let stale = now - self.inner.stale_after();
        let mut found = Vec::new();
        for channel in &self.inner.channels {
            let name = channel.name();
            // Replies first, however many bulk rows are older.
            let rows = if own {
                store
                    .sendable_outbox(
                        name.as_str(),
                        Lane::Reply,
                        &self.inner.owner,
                        stale,
                        POLL_ROWS,
                    )
                    .await?
            } else {
                store
                    .unclaimed_outbox(name.as_str(), Lane::Reply, stale, POLL_ROWS)
                    .await?
            };
            for row in rows {
                if self.inner.lock().known.contains(&row.id) {
                    continue;
                }
                // A row another replica held, or none did, is claimed first; the claim only
                // succeeds on a row still unsent (it may have been sent and marked since it
                // was read). This replica's own rows are only read at start, before it sent
                // anything, and not claimed again: one write per row would make a start that
                // follows a crash slow when many answers wait.
                let ours_at_start = own && row.owned;
                if !ours_at_start
                    && !store
                        .claim_outbox_for(row.id, &self.inner.owner, now, stale)
                        .await?
                {
                    continue;
                }
                found.extend(self.inner.queued(name, row));
            }
            found.extend(self.bulk_from_outbox(name, own, now, stale).await?);
        }
        let count = found.len();
        self.push(found);
        Ok(count)
    }

    /// As many bulk rows of channel `name` as there is room for in memory, claimed in one
    /// statement.
    async fn bulk_from_outbox(
        &self,
        name: ChannelName,
        own: bool,
        now: chrono::DateTime<chrono::Utc>,
        stale: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Queued>, crate::storage::StorageError> {
        let held = {
            let queues = self.inner.lock();
            queues
                .chats
                .values()
                .flatten()
                .filter(|m| m.lane == Lane::Bulk && m.chat.channel == name)
                .count()
        };
        let room = self.inner.bulk_rates.held(name).saturating_sub(held);
        if room == 0 {
            return Ok(Vec::new());
        }
        let store = self.inner.engine.store();
        let limit = i64::try_from(room).unwrap_or(POLL_ROWS);
        let rows = if own {
            store
                .sendable_outbox(name.as_str(), Lane::Bulk, &self.inner.owner, stale, limit)
                .await?
        } else {
            store
                .unclaimed_outbox(name.as_str(), Lane::Bulk, stale, limit)
                .await?
        };
        let rows: Vec<_> = {
            let queues = self.inner.lock();
            rows.into_iter()
                .filter(|row| !queues.known.contains(&row.id))
                .collect()
        };
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let claimed: HashSet<i64> = store
            .claim_outbox_many(&ids, &self.inner.owner, now, stale)
            .await?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .filter(|row| claimed.contains(&row.id))
            .filter_map(|row| self.inner.queued(name, row))
            .collect())
    }

    /// Waits until every queued message is delivered (or given up) and marked, or until
    /// `timeout`; `true` when all went.
    pub async fn flush(&self, timeout: Duration) -> bool {
        self.flush_where(timeout, |_| true).await
    }

    /// [`Sender::flush`] for the replies and the bulk messages already started: the bulk
    /// messages not started stay claimed in the outbox (a restart under the same name takes
    /// them back at once, another replica after the claims' staleness).
    pub async fn flush_replies(&self, timeout: Duration) -> bool {
        self.flush_where(timeout, |m| m.lane == Lane::Reply || m.started)
            .await
    }

    async fn flush_where(&self, timeout: Duration, waited: impl Fn(&Queued) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if !self.inner.lock().chats.values().flatten().any(&waited) {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (done, flushed) = oneshot::channel();
        if self.inner.marks.send(Mark::Flushed(done)).is_err() {
            return false;
        }
        tokio::time::timeout_at(deadline, flushed).await.is_ok()
    }

    /// How many messages wait to be delivered here.
    pub fn backlog(&self) -> usize {
        self.inner.lock().chats.values().map(VecDeque::len).sum()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Queues> {
        // A panic while holding the lock leaves plain data behind: still usable.
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The channel named `name`, with its share of messages in flight.
    fn channel(&self, name: ChannelName) -> Option<(&Arc<dyn Channel>, &tokio::sync::Semaphore)> {
        let at = self.channels.iter().position(|c| c.name() == name)?;
        Some((&self.channels[at], &self.in_flight[at]))
    }

    /// The bulk lane's pace on the channel named `name`.
    fn pacer(&self, name: ChannelName) -> Option<&Pacer> {
        let at = self.channels.iter().position(|c| c.name() == name)?;
        self.pacers.get(at)
    }

    /// An outbox row of channel `name` as the sender queues it; `None` (and the row given
    /// up) when its body cannot be read.
    fn queued(
        &self,
        name: ChannelName,
        row: crate::storage::outbox::RawOutboxMessage,
    ) -> Option<Queued> {
        let Ok(body) = Outgoing::from_json(&row.body) else {
            tracing::error!(id = row.id, "unreadable outbox row given up");
            let _ = self.marks.send(Mark::Failed(row.id, "unreadable".into()));
            return None;
        };
        let is_alert = DedupKey::is_alert(row.dedup_key.as_deref());
        let chat = ChatKey::new(name, row.chat_id);
        Some(Queued::new(row.id, chat, body, is_alert).in_lane(row.lane))
    }

    /// Marks sent in the outbox what the journal says the channels took before the last
    /// stop, then empties it.
    async fn fold_journal(&self) -> Result<(), crate::storage::StorageError> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        let ids = journal
            .written()
            .map_err(crate::storage::StorageError::Journal)?;
        if !ids.is_empty() {
            tracing::info!(
                count = ids.len(),
                "messages delivered before the last stop marked sent"
            );
            self.engine
                .store()
                .mark_outbox_sent_many(&ids, chrono::Utc::now())
                .await?;
        }
        journal
            .clear()
            .map_err(crate::storage::StorageError::Journal)
    }

    /// Hands the mark of a delivered message to the writer, recording it in the journal
    /// first where there is one.
    fn delivered(&self, id: i64) {
        let mark = || {
            let _ = self.marks.send(Mark::Sent(id));
        };
        match &self.journal {
            Some(journal) => {
                if let Err(error) = journal.record(id, mark) {
                    tracing::warn!(%error, id, "delivery not journaled: a crash may send it twice");
                    let _ = self.marks.send(Mark::Sent(id));
                }
            }
            None => mark(),
        }
    }

    fn stale_after(&self) -> chrono::Duration {
        *self.stale_after.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn job_limit(&self) -> Duration {
        *self.job_limit.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests;
