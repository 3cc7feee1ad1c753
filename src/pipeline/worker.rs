//! The engine's side of the inbox: recorded events applied per chat, in order, once, several
//! chats' steps sharing one transaction (group commit). Each step runs in a savepoint, so one
//! that fails is rolled back alone and counted; after [`MAX_ATTEMPTS`] it is parked and the
//! chat gets the apology.
//!
//! An event whose file the chat's question asks for is not applied until the file is fetched:
//! it is handed to the [`downloads`] stage and waits in the inbox, its chat's later events
//! behind it, while other chats go on.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::sender::Queued;
use super::Channel;

mod channel_state;
mod downloads;
mod files;
mod queue;
mod savepoint;
use crate::chat::{ChannelName, ChatKey};
use crate::conversation::Incoming;
use crate::engine::{AppliedStep, Engine, EngineError, UpdateRecord};
use crate::ops::metrics::{Metrics, Outcome};
use crate::search::SharedIndex;
use crate::storage::inbox::PendingEvent;
use crate::storage::{Backend, StorageError, Tx};
pub use downloads::DownloadLimits;
use downloads::Downloads;

/// A step that failed this often is parked.
pub const MAX_ATTEMPTS: i64 = 3;
/// Events per round (one transaction).
const ROUND_EVENTS: i64 = 200;
/// The largest files a step reads: a scanned decision, a commune's village list.
const MAX_SCAN_BYTES: u64 = 20 * 1024 * 1024;
const MAX_CSV_BYTES: u64 = crate::conversation::VILLAGES_FILE_MAX_BYTES;

/// Applies recorded events. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    engine: Engine,
    owner: String,
    channels: Arc<Vec<Arc<dyn Channel>>>,
    metrics: Metrics,
    /// Another replica's events are taken over when they waited this long: it is gone.
    orphaned_after: chrono::Duration,
    downloads: Downloads,
}

/// What one round did.
#[derive(Debug, Default)]
pub struct Round {
    /// Events taken from the inbox (applied, skipped as seen before, or failed).
    pub events: usize,
    /// Outbox rows written, in order, for the sender.
    pub queued: Vec<Queued>,
    /// Events still waiting (a failed attempt's backoff, or a chat held behind one).
    pub waiting: usize,
}

/// What became of one event inside the round's transaction.
enum Applied {
    Done(AppliedStep),
    /// Seen before or late: acknowledged, nothing done.
    Skipped(UpdateRecord),
    Failed,
}

impl Worker {
    pub fn new(
        engine: Engine,
        owner: String,
        channels: Vec<Arc<dyn Channel>>,
        metrics: Metrics,
    ) -> Worker {
        let downloads = Downloads::new(
            engine.store().clone(),
            DownloadLimits::default(),
            Arc::new(Notify::new()),
        );
        Worker {
            engine,
            owner,
            channels: Arc::new(channels),
            metrics,
            orphaned_after: chrono::Duration::seconds(15),
            downloads,
        }
    }

    /// Downloads within `limits`, each finished one waking `wake` (the worker's loop).
    pub fn downloading(mut self, limits: DownloadLimits, wake: Arc<Notify>) -> Worker {
        self.downloads = Downloads::new(self.engine.store().clone(), limits, wake);
        self
    }

    pub fn taking_over_after(mut self, wait: Duration) -> Worker {
        self.orphaned_after = chrono::Duration::from_std(wait).unwrap_or(self.orphaned_after);
        self
    }

    fn channel(&self, name: ChannelName) -> Option<&Arc<dyn Channel>> {
        self.channels.iter().find(|c| c.name() == name)
    }

    /// Applies the events that are ready, in one transaction. Errors are the database's: the
    /// round is rolled back whole and tried again.
    pub async fn run_round(&self) -> Result<Round, StorageError> {
        // The domain's time (the engine's clock) goes to the steps; the pipeline's own
        // bookkeeping (backoffs, takeovers) runs on the wall clock, even under a test clock.
        let now = self.engine.now();
        let wall = chrono::Utc::now();
        let store = self.engine.store();
        // On one SQLite file there is one replica; on PostgreSQL each takes what it recorded,
        // and what another recorded when that one seems gone.
        let owner = (store.backend() == Backend::Postgres).then_some(self.owner.as_str());
        // Taken before the events are read: a download that finished since wrote its event
        // first, so the event is read as fetched and not fetched again.
        let downloading = self.downloads.busy_chats();
        let pending = store
            .pending_events(owner, wall - self.orphaned_after, ROUND_EVENTS)
            .await?;
        let (mut ready, waiting) = self.ready(pending, &downloading, wall);
        let mut round = Round {
            waiting,
            ..Round::default()
        };
        if ready.is_empty() {
            return Ok(round);
        }
        // One lock order for every replica (chat, then arrival): no deadlock between rounds.
        // By the stored name, as replicas of earlier versions sort.
        ready.sort_by(|a, b| {
            (a.channel.as_str(), &a.chat_id, a.id).cmp(&(b.channel.as_str(), &b.chat_id, b.id))
        });
        let incoming = Worker::parse(&ready);
        // Loaded before the transaction: a second connection inside it could wait forever.
        let index = self.engine.index().await?;
        let mut tx = store.begin().await?;
        let mut applied_steps = Vec::new();
        let mut unwritten = queue::Unwritten::default();
        // Chats held for the rest of the round: a step failed, or a file is to be fetched.
        let mut held_chats: HashSet<ChatKey> = HashSet::new();
        let mut downloads = Vec::new();
        for (event, incoming) in ready.iter().zip(incoming) {
            let chat_of = event.chat();
            if held_chats.contains(&chat_of) {
                round.waiting += 1;
                continue;
            }
            if let Some(download) = self.download_for(&mut tx, event, incoming.as_ref()).await? {
                downloads.push(download);
                held_chats.insert(chat_of);
                round.waiting += 1;
                continue;
            }
            round.events += 1;
            let started = std::time::Instant::now();
            match self
                .apply(
                    &mut tx,
                    event,
                    incoming,
                    now,
                    index,
                    &mut round.queued,
                    &mut unwritten,
                )
                .await?
            {
                Applied::Done(step) => {
                    self.metrics
                        .update_handled(Outcome::Applied, started.elapsed());
                    applied_steps.push(step);
                }
                Applied::Skipped(record) => {
                    let outcome = match record {
                        UpdateRecord::Late => Outcome::Late,
                        UpdateRecord::New | UpdateRecord::Duplicate => Outcome::Duplicate,
                    };
                    self.metrics.update_handled(outcome, started.elapsed());
                }
                Applied::Failed => {
                    self.metrics
                        .update_handled(Outcome::Failed, started.elapsed());
                    held_chats.insert(chat_of);
                }
            }
        }
        self.write_out(&mut tx, unwritten, &mut round.queued)
            .await?;
        tx.commit().await?;
        // Decided on the state the round committed: started only once it is.
        for download in downloads {
            self.downloads.start(download);
        }
        for step in &applied_steps {
            self.engine.after_step(step).await;
        }
        Ok(round)
    }

    /// The events that may run now: per chat in arrival order, up to the first that must
    /// wait (its backoff after a failure, its file downloading), and only of the channels
    /// served here.
    fn ready(
        &self,
        pending: Vec<PendingEvent>,
        downloading: &HashSet<ChatKey>,
        now: DateTime<Utc>,
    ) -> (Vec<PendingEvent>, usize) {
        let mut held: HashSet<ChatKey> = HashSet::new();
        let mut ready = Vec::new();
        let mut waiting = 0;
        for event in pending {
            let chat = event.chat();
            let must_wait = event.not_before.is_some_and(|t| t > now);
            if held.contains(&chat)
                || must_wait
                || downloading.contains(&chat)
                || self.channel(event.channel).is_none()
            {
                held.insert(chat);
                waiting += 1;
                continue;
            }
            ready.push(event);
        }
        (ready, waiting)
    }

    /// One event in a savepoint of the round's transaction; its messages are left in
    /// `unwritten` (messages held for the chat and released by its writing go to `queued`).
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        tx: &mut Tx<'static>,
        event: &PendingEvent,
        incoming: Option<Incoming>,
        now: DateTime<Utc>,
        index: &SharedIndex,
        queued: &mut Vec<Queued>,
        unwritten: &mut queue::Unwritten,
    ) -> Result<Applied, StorageError> {
        let Some(channel) = self.channel(event.channel) else {
            return Ok(Applied::Failed);
        };
        let chat = ChatKey::new(channel.name(), event.chat_id.clone());
        let result = match incoming {
            Some(incoming) => {
                self.in_savepoint(tx, event, &chat, incoming, now, index)
                    .await
            }
            None => Err(EngineError::Storage(StorageError::Corrupt(
                "unreadable inbox event".into(),
            ))),
        };
        match result {
            Ok(Ok(step)) => {
                self.chat_wrote(tx, &chat, now, queued).await?;
                self.queue(tx, &chat, &step, unwritten).await?;
                Ok(Applied::Done(step))
            }
            Ok(Err(record)) => Ok(Applied::Skipped(record)),
            Err(error) => {
                self.failed(tx, event, &chat, &error, unwritten).await?;
                Ok(Applied::Failed)
            }
        }
    }
}

/// How long an idle worker sleeps before looking at the inbox again, when nothing woke it
/// (events of another replica, a failed step's backoff).
pub const IDLE_POLL: Duration = Duration::from_millis(500);

/// The wall clock, for the pipeline's own bookkeeping.
fn wall() -> DateTime<Utc> {
    Utc::now()
}
