//! Letting an update in: the per-chat lock, the once-and-in-order check, and the step that
//! lost a race for a team to another chat's save.

use chrono::{DateTime, Utc};

use super::{ChatKey, Engine, EngineError};
use crate::conversation::{self, Reply, Session};
use crate::i18n::K;
use crate::storage::sessions::{self, UpdateRecord};
use crate::storage::{lock_chat, StorageError, Tx};

/// What [`Engine::handle_update`] did with an update.
#[derive(Debug, Clone, PartialEq)]
pub struct Handled {
    pub replies: Vec<Reply>,
    /// `New`: applied; `Duplicate` or `Late`: acknowledged, nothing done, no replies.
    pub outcome: UpdateRecord,
}

impl Handled {
    pub(super) fn applied(replies: Vec<Reply>) -> Handled {
        Handled {
            replies,
            outcome: UpdateRecord::New,
        }
    }

    pub(super) fn skipped(outcome: UpdateRecord) -> Handled {
        Handled {
            replies: Vec::new(),
            outcome,
        }
    }
}
impl Engine {
    /// The transaction of a step whose update is to be applied, or what to answer instead.
    pub(super) async fn begin_step(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<Tx<'static>, Handled>, StorageError> {
        let mut tx = self.store.begin().await?;
        match self.admit(&mut tx, chat, update_id, now).await? {
            UpdateRecord::New => Ok(Ok(tx)),
            skipped => Ok(Err(Handled::skipped(skipped))),
        }
    }

    /// Locks the chat against steps running on other replicas, then records the update;
    /// anything but `New` must not be applied (seen before, or older than one applied).
    async fn admit(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        update_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<UpdateRecord, StorageError> {
        lock_chat(tx, self.store.backend(), &chat.actor()).await?;
        let Some(update_id) = update_id else {
            return Ok(UpdateRecord::New);
        };
        let record = sessions::record_update(tx, chat.channel, &chat.id, update_id, now).await?;
        match record {
            UpdateRecord::New => {}
            UpdateRecord::Duplicate => tracing::info!(update_id, "duplicate update ignored"),
            // Applying it now would answer a question the chat has moved past.
            UpdateRecord::Late => {
                tracing::warn!(update_id, "update arrived after a later one; ignored");
            }
        }
        Ok(record)
    }

    /// The step cannot be applied (someone saved the team while this chat was editing it,
    /// another chat redeemed the invitation first, a limit was reached): nothing of it is
    /// written, the chat goes back to its menu and is told `why`.
    pub(super) async fn changed_meanwhile(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        session: Session,
        why: K,
    ) -> Result<Handled, EngineError> {
        let now = self.clock.now();
        let mut tx = match self.begin_step(chat, update_id, now).await? {
            Ok(tx) => tx,
            Err(skipped) => return Ok(skipped),
        };
        let session = Session {
            rev: session.rev.wrapping_add(1),
            state: conversation::State::Idle,
            ..session
        };
        let json =
            serde_json::to_string(&session).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        sessions::save_session(&mut tx, chat.channel, &chat.id, &json, now).await?;
        tx.commit().await.map_err(StorageError::from)?;
        tracing::info!(why = why.key(), "step refused; nothing saved");
        let text = self.texts.get(session.lang, why);
        Ok(Handled::applied(vec![Reply::text(text)]))
    }
}
