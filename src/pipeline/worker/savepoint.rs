//! One event's step in a savepoint of the round's transaction: the chat locked, the event
//! claimed, the engine's step run, and a refused step replaced by the chat being told why.

use chrono::{DateTime, Utc};
use sqlx::Acquire;

use super::{wall, Worker};
use crate::conversation::Incoming;
use crate::engine::{AppliedStep, ChatKey, EngineError, Step, UpdateRecord};
use crate::search::SharedIndex;
use crate::storage::inbox::{self, PendingEvent};
use crate::storage::{StorageError, Tx};

impl Worker {
    /// The step in a savepoint: rolled back alone when it fails; when it was refused (a race
    /// for a team or an invitation lost, a limit reached), rolled back and replaced by the
    /// chat being told why.
    pub(super) async fn in_savepoint(
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
}
