//! One chat's messages, sent in order: waits, backoffs, a chat held or given up.

use std::sync::Arc;
use std::time::Duration;

use super::{Inner, Mark, Queued};
use crate::chat::ChatKey;
use crate::conversation::notices;
use crate::ops::metrics::ErrorKind;
use crate::pipeline::outgoing::{delivery_parts, Outgoing};
use crate::pipeline::SendError;
use crate::storage::outbox::Lane;

/// The longest wait between two tries of a message the network refused.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl Inner {
    /// A message that waits keeps its claim fresh, so no other replica takes it meanwhile.
    async fn renew_claim(&self, id: i64) {
        let now = chrono::Utc::now();
        let stale = now - self.stale_after();
        let store = self.engine.store();
        if let Err(error) = store.claim_outbox_for(id, &self.owner, now, stale).await {
            tracing::debug!(%error, id, "claim not renewed");
        }
    }

    /// The chat's front message, marked started (a reply no longer overtakes it).
    fn start_front(&self, chat: &ChatKey) -> Option<Queued> {
        let mut queues = self.lock();
        let front = queues.chats.get_mut(chat)?.front_mut()?;
        front.started = true;
        Some(front.clone())
    }

    /// Sends a chat's messages one after the other until its queue is empty.
    pub(super) async fn deliver_chat(self: Arc<Self>, chat: ChatKey) {
        let mut backoff = Duration::from_millis(500);
        loop {
            let Some((lane, started)) = self
                .lock()
                .chats
                .get(&chat)
                .and_then(|q| q.front())
                .map(|m| (m.lane, m.started))
            else {
                return;
            };
            // A bulk message waits for the bulk lane's room in flight and for its turn before
            // it starts; a reply queued for the chat meanwhile goes before it.
            let pacer = self.pacer(chat.channel);
            let _room = match (lane, pacer) {
                (Lane::Bulk, Some(pacer)) => pacer.room.acquire().await.ok(),
                _ => None,
            };
            let mut turn = false;
            if let (Lane::Bulk, false, Some(pacer)) = (lane, started, pacer) {
                pacer.turn().await;
                turn = true;
            }
            let Some(mut message) = self.start_front(&chat) else {
                return;
            };
            if message.lane != lane {
                // A reply overtook the bulk message while it waited: it goes now (the turn
                // is not used; the pace is a most, never a least).
                continue;
            }
            let result = self.deliver(&mut message, turn).await;
            // Progress on a message's parts is kept, so a retry resumes where it stopped.
            if let Some(front) = self.lock().chats.get_mut(&chat).and_then(|q| q.front_mut()) {
                front.parts = message.parts.clone();
                front.failed = message.failed.clone();
            }
            match result {
                Ok(()) => {
                    backoff = Duration::from_millis(500);
                    if message.is_alert {
                        self.metrics.alerts_sent(1);
                    }
                    match message.failed.take() {
                        Some(reason) => {
                            let _ = self.marks.send(Mark::Failed(message.id, reason));
                        }
                        None => self.delivered(message.id),
                    }
                }
                Err(SendError::RetryAfter(wait)) => {
                    tracing::info!(id = message.id, ?wait, "the channel asks this chat to wait");
                    tokio::time::sleep(wait).await;
                    self.renew_claim(message.id).await;
                    continue;
                }
                Err(SendError::Transient(kind)) => {
                    self.metrics.error(ErrorKind::Delivery);
                    tracing::warn!(id = message.id, kind, ?backoff, "message not sent yet");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    self.renew_claim(message.id).await;
                    continue;
                }
                Err(SendError::Unreachable(kind)) => {
                    tracing::info!(
                        id = message.id,
                        kind,
                        "chat unreachable; its messages given up"
                    );
                    self.give_up_chat(&chat, kind);
                    return;
                }
                Err(SendError::Held(reason)) => {
                    tracing::info!(
                        id = message.id,
                        reason,
                        "the channel holds this chat's messages until it writes again"
                    );
                    self.hold_chat(&chat, reason);
                    return;
                }
                Err(SendError::Refused(kind)) => {
                    self.metrics.error(ErrorKind::Delivery);
                    tracing::warn!(id = message.id, kind, "message refused; given up");
                    let _ = self.marks.send(Mark::Failed(message.id, kind));
                }
            }
            let mut queues = self.lock();
            if let Some(queue) = queues.chats.get_mut(&chat) {
                queue.pop_front();
                if queue.is_empty() {
                    queues.chats.remove(&chat);
                    return;
                }
            }
        }
    }

    /// Sends what is left of one message; each part of a bulk message at its turn, the first
    /// one's already come when `turn`.
    async fn deliver(&self, message: &mut Queued, mut turn: bool) -> Result<(), SendError> {
        let Some((channel, in_flight)) = self.channel(message.chat.channel) else {
            return Err(SendError::Refused("no such channel here".into()));
        };
        if message.parts.is_none() {
            let reply = match &message.body {
                Outgoing::Reply(reply) => reply.clone(),
                Outgoing::Job { job, lang } => {
                    let chat = message.chat.clone();
                    let file = channel.report_file();
                    let run = self.engine.run_job(&chat, *lang, job.clone(), file);
                    let limit = self.job_limit();
                    match tokio::time::timeout(limit, run).await {
                        Ok(reply) => reply,
                        Err(_) => {
                            // Dropped, the job's transaction rolls back: nothing changed.
                            self.metrics.error(ErrorKind::Engine);
                            tracing::error!(id = message.id, ?limit, "a job ran too long; stopped");
                            message.failed = Some("job stopped at its time limit".into());
                            let minutes = limit.as_secs().div_ceil(60).max(1);
                            notices::job_too_long(self.engine.texts(), *lang, minutes)
                        }
                    }
                }
            };
            message.parts = Some(delivery_parts(reply).into());
        }
        while let Some(part) = message.parts.as_ref().and_then(|p| p.front()) {
            if message.lane == Lane::Bulk && !std::mem::take(&mut turn) {
                if let Some(pacer) = self.pacer(message.chat.channel) {
                    pacer.turn().await;
                }
            }
            // Never closed: the permit comes, or the sender is gone with the task.
            let _permit = in_flight.acquire().await;
            channel.send(&message.chat.id, part).await?;
            if let Some(parts) = message.parts.as_mut() {
                parts.pop_front();
            }
        }
        Ok(())
    }

    /// Leaves the chat's messages in the outbox, held with `reason`, and forgets them here.
    fn hold_chat(&self, chat: &ChatKey, reason: String) {
        let mut queues = self.lock();
        if let Some(queue) = queues.chats.remove(chat) {
            let ids = queue.iter().map(|m| m.id).collect();
            let _ = self.marks.send(Mark::Held(ids, reason));
        }
    }

    fn give_up_chat(&self, chat: &ChatKey, kind: &str) {
        let mut queues = self.lock();
        if let Some(queue) = queues.chats.remove(chat) {
            for message in queue {
                let _ = self.marks.send(Mark::Failed(message.id, kind.to_owned()));
            }
        }
        let _ = self.marks.send(Mark::Blocked(chat.clone()));
    }
}
