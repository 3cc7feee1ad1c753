//! Recording incoming events, before their channel is told they were received. Events that
//! arrive together (concurrent webhook requests, a `getUpdates` batch) are written in one
//! transaction: one fsync for all of them.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

use crate::storage::inbox::{self, NewEvent};
use crate::storage::{StorageError, Store};

/// The events could not be recorded (the database failed): the channel must not be told
/// they were received, so that it delivers them again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the events could not be recorded")]
pub struct NotRecorded;

struct Request {
    events: Vec<NewEvent>,
    done: oneshot::Sender<Result<Recorded, NotRecorded>>,
}

/// What recording found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Events whose id was recorded before (a redelivery): kept once.
    pub duplicates: usize,
}

/// Hands events to the recording task. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Recorder {
    requests: mpsc::UnboundedSender<Request>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("events", &self.events.len())
            .finish()
    }
}

impl Recorder {
    /// Starts the recording task; `recorded` is notified after each commit (the worker
    /// wakes up).
    pub fn start(store: Store, owner: String, recorded: Arc<Notify>) -> (Recorder, JoinHandle<()>) {
        let (requests, queue) = mpsc::unbounded_channel();
        let task = tokio::spawn(record_forever(store, owner, recorded, queue));
        (Recorder { requests }, task)
    }

    /// Returns once `events` are committed (or were recorded before).
    pub async fn record(&self, events: Vec<NewEvent>) -> Result<Recorded, NotRecorded> {
        if events.is_empty() {
            return Ok(Recorded::default());
        }
        let (done, answer) = oneshot::channel();
        self.requests
            .send(Request { events, done })
            .map_err(|_| NotRecorded)?;
        answer.await.unwrap_or(Err(NotRecorded))
    }
}

async fn record_forever(
    store: Store,
    owner: String,
    recorded: Arc<Notify>,
    mut queue: mpsc::UnboundedReceiver<Request>,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = queue.try_recv() {
            batch.push(more);
        }
        let events: Vec<NewEvent> = batch.iter().flat_map(|r| r.events.clone()).collect();
        let result = write(&store, &events, &owner).await;
        if let Err(error) = &result {
            tracing::error!(%error, events = events.len(), "incoming events not recorded");
        }
        let ok = result.is_ok();
        for request in batch {
            let answer = match &result {
                Ok(new) => Ok(Recorded {
                    duplicates: request
                        .events
                        .iter()
                        .filter(|e| e.update_id.as_ref().is_some_and(|id| !new.contains(id)))
                        .count(),
                }),
                Err(_) => Err(NotRecorded),
            };
            let _ = request.done.send(answer);
        }
        if ok {
            recorded.notify_one();
        }
    }
}

async fn write(
    store: &Store,
    events: &[NewEvent],
    owner: &str,
) -> Result<std::collections::HashSet<String>, StorageError> {
    let mut tx = store.begin().await?;
    // The wall clock, not the engine's: receiving is the pipeline's bookkeeping, and
    // takeovers compare it with the wall clock.
    let new = inbox::record(&mut tx, events, owner, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(new)
}
