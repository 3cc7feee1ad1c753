//! What a channel keeps per chat beside the session, updated in the step's transaction: when
//! the chat last wrote (its window, and what was held for it), and the buttons it was shown
//! as numbered options.

use chrono::{DateTime, Utc};

use super::super::outgoing::Outgoing;
use super::super::sender::Queued;
use super::{wall, Worker};
use crate::chat::ChatKey;
use crate::conversation::Incoming;
use crate::storage::{chats, outbox, StorageError, Tx};

impl Worker {
    /// On a channel with a window, the chat's writing is recorded: it reopens the window, and
    /// what was held for the chat is queued again (before the answer: it is older).
    pub(super) async fn chat_wrote(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        now: DateTime<Utc>,
        queued: &mut Vec<Queued>,
    ) -> Result<(), StorageError> {
        if self
            .channel(chat.channel)
            .and_then(|c| c.window())
            .is_none()
        {
            return Ok(());
        }
        // The domain's time: the window is what alerts, on the same clock, reckon with.
        let released = chats::chat_wrote(
            tx,
            chat.channel.as_str(),
            &chat.id,
            &self.owner,
            now,
            wall(),
        )
        .await?;
        for row in released {
            let Ok(body) = Outgoing::from_json(&row.body) else {
                continue;
            };
            let is_alert = outbox::DedupKey::is_alert(row.dedup_key.as_deref());
            queued.push(Queued::new(row.id, chat.clone(), body, is_alert).in_lane(row.lane));
        }
        Ok(())
    }

    /// On a channel that shows numbered options, a typed number or label is read as the
    /// button it names.
    pub(super) async fn typed_choice(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        incoming: Incoming,
    ) -> Result<Incoming, StorageError> {
        let Some(channel) = self.channel(chat.channel) else {
            return Ok(incoming);
        };
        if channel.choices(&[]).is_none() || !matches!(incoming, Incoming::Text(_)) {
            return Ok(incoming);
        }
        let choices = chats::load_choices(tx, chat.channel.as_str(), &chat.id).await?;
        Ok(choices.read(incoming))
    }
}
