//! One event's step in a savepoint of the round's transaction: the chat locked, the event
//! claimed, the engine's step run, and a refused step replaced by the chat being told why.

use chrono::{DateTime, Utc};
use sqlx::Acquire;

use super::{wall, Worker};
use crate::chat::ChatKey;
use crate::conversation::Incoming;
use crate::engine::{AppliedStep, EngineError, Step, UpdateRecord};
use crate::search::SharedIndex;
use crate::storage::inbox::{self, Claim, PendingEvent};
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
            Ok(Err(Step::Refused(session, why))) => {
                savepoint.rollback().await.map_err(StorageError::from)?;
                let mut savepoint = Acquire::begin(&mut *tx).await.map_err(StorageError::from)?;
                let step = match self.claim(&mut savepoint, event, chat).await? {
                    Err(skipped) => Step::Skipped(skipped),
                    Ok(()) => {
                        self.engine
                            .admitted_refusal(&mut savepoint, chat, session, why, now)
                            .await?
                    }
                };
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
            Ok(step) => Ok(step),
            Err(Step::Skipped(record)) => Err(record),
            Err(Step::Applied(_) | Step::Refused(..)) => Err(UpdateRecord::Duplicate),
        })
    }

    /// Locks the chat (two replicas never run one chat at once) and marks the event done:
    /// the one admission of the step (the inbox keeps events once and in order). `Err` says
    /// why the event must not be applied: another replica applied it meanwhile, or a later
    /// update of the chat was applied before it.
    async fn claim(
        &self,
        tx: &mut Tx<'_>,
        event: &PendingEvent,
        chat: &ChatKey,
    ) -> Result<Result<(), UpdateRecord>, StorageError> {
        let backend = self.engine.store().backend();
        crate::storage::lock_chat(tx, backend, &chat.actor()).await?;
        Ok(match inbox::claim(tx, event.id, wall()).await? {
            Claim::Taken => Ok(()),
            Claim::Gone => Err(UpdateRecord::Duplicate),
            Claim::Late => {
                tracing::warn!(
                    update_id = event.update_id.as_deref(),
                    "update arrived after a later one; ignored"
                );
                Err(UpdateRecord::Late)
            }
        })
    }

    /// The engine's step of one event: `Ok` when applied; `Err` with the step when it was
    /// skipped (applied by another replica, or late) or refused.
    async fn step(
        &self,
        tx: &mut Tx<'_>,
        event: &PendingEvent,
        chat: &ChatKey,
        incoming: Incoming,
        now: DateTime<Utc>,
        index: &SharedIndex,
    ) -> Result<Result<AppliedStep, Step>, EngineError> {
        if let Err(skipped) = self.claim(tx, event, chat).await? {
            return Ok(Err(Step::Skipped(skipped)));
        }
        let incoming = self.typed_choice(tx, chat, incoming).await?;
        let step = self
            .engine
            .admitted_step(tx, chat, event.update_id.as_deref(), incoming, now, index)
            .await?;
        Ok(match step {
            Step::Applied(step) => Ok(step),
            other => Err(other),
        })
    }
}
