//! What a step leaves for the sender: its replies and jobs as outbox rows claimed by this
//! replica; and a failed attempt counted, the last one parked with an apology to the chat.

use super::super::outgoing::Outgoing;
use super::super::sender::Queued;
use super::{wall, Worker, MAX_ATTEMPTS};
use crate::chat::ChatKey;
use crate::conversation::notices;
use crate::engine::{AppliedStep, EngineError};
use crate::storage::inbox::{self, PendingEvent};
use crate::storage::{chats, outbox, StorageError, Tx};

/// The messages of a round's steps not yet in the outbox: written together, in the order the
/// steps queued them, before the round commits ([`Worker::write_out`]).
#[derive(Default)]
pub(super) struct Unwritten(Vec<(ChatKey, Outgoing)>);

impl Worker {
    /// Leaves a step's replies and jobs for the outbox, claimed by this replica.
    pub(super) async fn queue(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        step: &AppliedStep,
        unwritten: &mut Unwritten,
    ) -> Result<(), StorageError> {
        let shown = self
            .channel(chat.channel)
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
        unwritten.0.extend(bodies.map(|body| (chat.clone(), body)));
        Ok(())
    }

    /// Writes the round's messages to the outbox, claimed by this replica, in one statement
    /// (a step's ~2 replies were a statement each); in order, so a chat's rows keep the
    /// order of its steps.
    pub(super) async fn write_out(
        &self,
        tx: &mut Tx<'_>,
        unwritten: Unwritten,
        queued: &mut Vec<Queued>,
    ) -> Result<(), StorageError> {
        if unwritten.0.is_empty() {
            return Ok(());
        }
        let mut jsons = Vec::with_capacity(unwritten.0.len());
        for (_, body) in &unwritten.0 {
            jsons.push(
                body.to_json()
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?,
            );
        }
        let rows: Vec<outbox::NewMessage<'_>> = unwritten
            .0
            .iter()
            .zip(&jsons)
            .map(|((chat, _), json)| (chat.channel.as_str(), chat.id.as_str(), json.as_str()))
            .collect();
        let ids = outbox::enqueue_claimed_many(tx, &rows, &self.owner, wall()).await?;
        for (id, (chat, body)) in ids.into_iter().zip(unwritten.0) {
            queued.push(Queued::new(id, chat, body, false));
        }
        Ok(())
    }

    /// Counts a failed attempt; the last one parks the event and apologises to the chat.
    pub(super) async fn failed(
        &self,
        tx: &mut Tx<'static>,
        event: &PendingEvent,
        chat: &ChatKey,
        error: &EngineError,
        unwritten: &mut Unwritten,
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
            unwritten.0.push((chat.clone(), Outgoing::Reply(apology)));
        }
        Ok(())
    }
}

/// ½ s, 2 s, 4½ s…: a step that failed for a passing reason (a lock, a restart of the
/// database) gets another chance soon; a bug is parked within seconds.
fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::milliseconds(500 * attempts.clamp(1, 10).pow(2))
}
