//! The engine's side of the inbox: recorded events applied per chat, in order, once, several
//! chats' steps sharing one transaction (group commit). Each step runs in a savepoint, so one
//! that fails is rolled back alone and counted; after [`MAX_ATTEMPTS`] it is parked and the
//! chat gets the apology.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::Acquire;

use super::outgoing::Outgoing;
use super::sender::Queued;
use super::Channel;

mod channel_state;
mod files;
use crate::conversation::notices;
use crate::conversation::Incoming;
use crate::engine::{AppliedStep, ChatKey, Engine, EngineError, Step, UpdateRecord};
use crate::ops::metrics::{Metrics, Outcome};
use crate::search::SharedIndex;
use crate::storage::inbox::{self, PendingEvent};
use crate::storage::{chats, outbox, Backend, StorageError, Tx};

/// A step that failed this often is parked.
pub const MAX_ATTEMPTS: i64 = 3;
/// Events per round (one transaction).
const ROUND_EVENTS: i64 = 200;
/// The largest files a step reads: a scanned decision, a commune's village list.
const MAX_SCAN_BYTES: u64 = 20 * 1024 * 1024;
const MAX_CSV_BYTES: u64 = 1024 * 1024;

/// Applies recorded events. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    engine: Engine,
    owner: String,
    channels: Arc<Vec<Arc<dyn Channel>>>,
    metrics: Metrics,
    /// Another replica's events are taken over when they waited this long: it is gone.
    orphaned_after: chrono::Duration,
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
        Worker {
            engine,
            owner,
            channels: Arc::new(channels),
            metrics,
            orphaned_after: chrono::Duration::seconds(15),
        }
    }

    pub fn taking_over_after(mut self, wait: Duration) -> Worker {
        self.orphaned_after = chrono::Duration::from_std(wait).unwrap_or(self.orphaned_after);
        self
    }

    fn channel(&self, name: &str) -> Option<&Arc<dyn Channel>> {
        self.channels.iter().find(|c| c.name().as_str() == name)
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
        let pending = store
            .pending_events(owner, wall - self.orphaned_after, ROUND_EVENTS)
            .await?;
        let (mut ready, waiting) = self.ready(pending, wall);
        let mut round = Round {
            waiting,
            ..Round::default()
        };
        if ready.is_empty() {
            return Ok(round);
        }
        // One lock order for every replica (chat, then arrival): no deadlock between rounds.
        ready.sort_by(|a, b| (&a.channel, &a.chat_id, a.id).cmp(&(&b.channel, &b.chat_id, b.id)));
        let incoming = self.prepare(&ready).await;
        // Loaded before the transaction: a second connection inside it could wait forever.
        let index = self.engine.index().await?;
        let mut tx = store.begin().await?;
        let mut applied_steps = Vec::new();
        let mut failed_chats: HashSet<(String, String)> = HashSet::new();
        for (event, incoming) in ready.iter().zip(incoming) {
            let chat_of = (event.channel.clone(), event.chat_id.clone());
            if failed_chats.contains(&chat_of) {
                round.waiting += 1;
                continue;
            }
            round.events += 1;
            let started = std::time::Instant::now();
            match self
                .apply(&mut tx, event, incoming, now, index, &mut round.queued)
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
                    failed_chats.insert(chat_of);
                }
            }
        }
        tx.commit().await?;
        for step in &applied_steps {
            self.engine.after_step(step).await;
        }
        Ok(round)
    }

    /// The events that may run now: per chat in arrival order, up to the first that must
    /// wait (its backoff after a failure), and only of the channels served here.
    fn ready(&self, pending: Vec<PendingEvent>, now: DateTime<Utc>) -> (Vec<PendingEvent>, usize) {
        let now_text = crate::storage::now_text(now);
        let mut held: HashSet<(String, String)> = HashSet::new();
        let mut ready = Vec::new();
        let mut waiting = 0;
        for event in pending {
            let chat = (event.channel.clone(), event.chat_id.clone());
            let must_wait = event.not_before.as_ref().is_some_and(|t| *t > now_text);
            if held.contains(&chat) || must_wait || self.channel(&event.channel).is_none() {
                held.insert(chat);
                waiting += 1;
                continue;
            }
            ready.push(event);
        }
        (ready, waiting)
    }

    /// One event in a savepoint of the round's transaction.
    async fn apply(
        &self,
        tx: &mut Tx<'static>,
        event: &PendingEvent,
        incoming: Option<Incoming>,
        now: DateTime<Utc>,
        index: &SharedIndex,
        queued: &mut Vec<Queued>,
    ) -> Result<Applied, StorageError> {
        let Some(channel) = self.channel(&event.channel) else {
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
                self.queue(tx, &chat, &step, queued).await?;
                Ok(Applied::Done(step))
            }
            Ok(Err(record)) => Ok(Applied::Skipped(record)),
            Err(error) => {
                self.failed(tx, event, &chat, &error, queued).await?;
                Ok(Applied::Failed)
            }
        }
    }

    /// The step in a savepoint: rolled back alone when it fails; when it was refused (a race
    /// for a team or an invitation lost, a limit reached), rolled back and replaced by the
    /// chat being told why.
    async fn in_savepoint(
        &self,
        tx: &mut Tx<'static>,
        event: &PendingEvent,
        chat: &ChatKey,
        incoming: Incoming,
        now: DateTime<Utc>,
        index: &SharedIndex,
    ) -> Result<Result<AppliedStep, UpdateRecord>, EngineError> {
        let mut savepoint = Acquire::begin(&mut *tx).await.map_err(StorageError::from)?;
        let step = match self
            .step(&mut savepoint, event, chat, incoming, now, index)
            .await
        {
            Ok(Some(Step::Refused(session, why))) => {
                savepoint.rollback().await.map_err(StorageError::from)?;
                let mut savepoint = Acquire::begin(&mut *tx).await.map_err(StorageError::from)?;
                let update_id = event.update_id.as_deref();
                if !self.claim(&mut savepoint, event, chat).await? {
                    return Ok(Err(UpdateRecord::Duplicate));
                }
                let step = self
                    .engine
                    .refused(&mut savepoint, chat, update_id, session, why, now)
                    .await?;
                savepoint.commit().await.map_err(StorageError::from)?;
                return Ok(match step {
                    Step::Applied(step) => Ok(step),
                    Step::Skipped(record) => Err(record),
                    Step::Refused(..) => Err(UpdateRecord::Duplicate),
                });
            }
            Err(error) => {
                savepoint.rollback().await.map_err(StorageError::from)?;
                return Err(error);
            }
            Ok(step) => step,
        };
        savepoint.commit().await.map_err(StorageError::from)?;
        Ok(match step {
            Some(Step::Applied(step)) => Ok(step),
            Some(Step::Skipped(record)) => Err(record),
            Some(Step::Refused(..)) | None => Err(UpdateRecord::Duplicate),
        })
    }

    /// Locks the chat (two replicas never run one chat at once) and marks the event done;
    /// `false` when another replica applied it meanwhile.
    async fn claim(
        &self,
        tx: &mut Tx<'_>,
        event: &PendingEvent,
        chat: &ChatKey,
    ) -> Result<bool, StorageError> {
        let backend = self.engine.store().backend();
        crate::storage::lock_chat(tx, backend, &chat.actor()).await?;
        inbox::mark_done(tx, event.id, wall()).await
    }

    /// The engine's step of one event; `None` when another replica applied it already.
    async fn step(
        &self,
        tx: &mut Tx<'_>,
        event: &PendingEvent,
        chat: &ChatKey,
        incoming: Incoming,
        now: DateTime<Utc>,
        index: &SharedIndex,
    ) -> Result<Option<Step>, EngineError> {
        if !self.claim(tx, event, chat).await? {
            return Ok(None);
        }
        let incoming = self.typed_choice(tx, chat, incoming).await?;
        let update_id = event.update_id.as_deref();
        let step = self
            .engine
            .step(tx, chat, update_id, incoming, now, index)
            .await?;
        Ok(Some(step))
    }

    /// Writes a step's replies and jobs to the outbox, claimed by this replica.
    async fn queue(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        step: &AppliedStep,
        queued: &mut Vec<Queued>,
    ) -> Result<(), StorageError> {
        let shown = self
            .channel(chat.channel.as_str())
            .and_then(|channel| channel.choices(&step.replies));
        if let Some(choices) = shown.filter(|_| !step.replies.is_empty()) {
            chats::save_choices(tx, chat.channel.as_str(), &chat.id, &choices, wall()).await?;
        }
        let bodies =
            step.replies
                .iter()
                .cloned()
                .map(Outgoing::Reply)
                .chain(step.jobs.iter().cloned().map(|job| Outgoing::Job {
                    job,
                    lang: step.lang,
                }));
        for body in bodies {
            queued.push(self.enqueue(tx, chat, body).await?);
        }
        Ok(())
    }

    /// One outbox row for `chat`, claimed by this replica.
    async fn enqueue(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        body: Outgoing,
    ) -> Result<Queued, StorageError> {
        let json = body
            .to_json()
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let id = outbox::enqueue_claimed(
            tx,
            chat.channel.as_str(),
            &chat.id,
            &json,
            &self.owner,
            wall(),
        )
        .await?;
        Ok(Queued::new(
            id,
            chat.channel.as_str(),
            &chat.id,
            body,
            false,
        ))
    }

    /// Counts a failed attempt; the last one parks the event and apologises to the chat.
    async fn failed(
        &self,
        tx: &mut Tx<'static>,
        event: &PendingEvent,
        chat: &ChatKey,
        error: &EngineError,
        queued: &mut Vec<Queued>,
    ) -> Result<(), StorageError> {
        let attempts = event.attempts + 1;
        let park = attempts >= MAX_ATTEMPTS;
        let retry_at = wall() + backoff(attempts);
        tracing::error!(
            ?error,
            id = event.id,
            attempts,
            park,
            "an event's step failed"
        );
        inbox::mark_failed(tx, event.id, &error.to_string(), retry_at, park).await?;
        if park {
            let lang = self.engine.lang_in(tx, chat).await.unwrap_or_default();
            let apology = notices::internal_error(self.engine.texts(), lang);
            queued.push(self.enqueue(tx, chat, Outgoing::Reply(apology)).await?);
        }
        Ok(())
    }
}

/// ½ s, 2 s, 4½ s…: a step that failed for a passing reason (a lock, a restart of the
/// database) gets another chance soon; a bug is parked within seconds.
fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::milliseconds(500 * attempts.clamp(1, 10).pow(2))
}

/// How long an idle worker sleeps before looking at the inbox again, when nothing woke it
/// (events of another replica, a failed step's backoff).
pub const IDLE_POLL: Duration = Duration::from_millis(500);

/// The wall clock, for the pipeline's own bookkeeping.
fn wall() -> DateTime<Utc> {
    Utc::now()
}
