//! What a step leaves for the sender: its replies and jobs as outbox rows claimed by this
//! replica; and a failed attempt counted, the last one parked with an apology to the chat.

use super::super::outgoing::Outgoing;
use super::super::sender::Queued;
use super::{wall, Worker, MAX_ATTEMPTS};
use crate::conversation::notices;
use crate::engine::{AppliedStep, ChatKey, EngineError};
use crate::storage::inbox::{self, PendingEvent};
use crate::storage::{chats, outbox, StorageError, Tx};

impl Worker {
    /// Writes a step's replies and jobs to the outbox, claimed by this replica.
    pub(super) async fn queue(
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
    pub(super) async fn failed(
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
