//! The sender's marks (sent, given up, held, blocked), written to the outbox as they come,
//! all those waiting in one go; the delivery journal's file of the marks written is emptied
//! after.

use std::time::Duration;

use tokio::sync::mpsc;

use super::{Inner, Mark};
use crate::storage::delivery_journal::{DeliveryJournal, Retired};

/// Writes marks as they come, all those waiting in one go; a mark that cannot be written is
/// tried again (the message stays known, so it is not sent twice meanwhile).
pub(super) async fn mark_forever(
    inner: std::sync::Weak<Inner>,
    mut marks: mpsc::UnboundedReceiver<Mark>,
) {
    let mut waiting: Vec<Mark> = Vec::new();
    // A journal file whose ids are all in `waiting`: emptied once they are written.
    let mut retired: Option<Retired> = None;
    loop {
        if waiting.is_empty() {
            match marks.recv().await {
                Some(mark) => waiting.push(mark),
                None => return,
            }
        }
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if retired.is_none() {
            // Each id is handed over as it is journaled, so once the file is retired its
            // ids are all in the queue, and the reading below takes them.
            retired = inner.journal.as_ref().and_then(DeliveryJournal::retire);
        }
        while let Ok(mark) = marks.try_recv() {
            waiting.push(mark);
        }
        match write_marks(&inner, &mut waiting).await {
            Ok(()) => {
                if let (Some(file), Some(journal)) = (retired.take(), &inner.journal) {
                    if let Err(error) = journal.forget(file) {
                        tracing::warn!(%error, "delivery journal not emptied; trying again");
                        retired = Some(file);
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, "outbox marks not written; trying again");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

async fn write_marks(
    inner: &Inner,
    waiting: &mut Vec<Mark>,
) -> Result<(), crate::storage::StorageError> {
    let store = inner.engine.store();
    let now = chrono::Utc::now();
    let sent: Vec<i64> = waiting
        .iter()
        .filter_map(|m| match m {
            Mark::Sent(id) => Some(*id),
            _ => None,
        })
        .collect();
    store.mark_outbox_sent_many(&sent, now).await?;
    for mark in waiting.iter() {
        match mark {
            Mark::Failed(id, kind) => store.mark_outbox_failed(*id, kind, now).await?,
            Mark::Blocked(chat) => {
                store
                    .mark_chat_blocked(chat.channel.as_str(), &chat.id, now)
                    .await?
            }
            Mark::Held(ids, reason) => store.hold_outbox(ids, reason, now).await?,
            Mark::Sent(_) | Mark::Flushed(_) => {}
        }
    }
    let mut queues = inner.lock();
    for mark in waiting.drain(..) {
        match mark {
            Mark::Sent(id) | Mark::Failed(id, _) => {
                queues.known.remove(&id);
            }
            Mark::Held(ids, _) => {
                for id in ids {
                    queues.known.remove(&id);
                }
            }
            Mark::Flushed(done) => {
                let _ = done.send(());
            }
            Mark::Blocked(_) => {}
        }
    }
    Ok(())
}
