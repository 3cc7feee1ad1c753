//! Letting an update in: the per-chat lock, the once-and-in-order check, and the step that
//! lost a race for a team to another chat's save.

use chrono::{DateTime, Utc};

use super::effects::Job;
use super::{ChatKey, Engine, EngineError};
use crate::conversation::{self, Reply, Session};
use crate::i18n::{Lang, K};
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
    pub(crate) fn applied(replies: Vec<Reply>) -> Handled {
        Handled {
            replies,
            outcome: UpdateRecord::New,
        }
    }

    pub(crate) fn skipped(outcome: UpdateRecord) -> Handled {
        Handled {
            replies: Vec::new(),
            outcome,
        }
    }
}
/// What [`Engine::step`] did inside the caller's transaction.
#[derive(Debug)]
pub(crate) enum Step {
    /// Seen before, or older than an update already applied: nothing done.
    Skipped(UpdateRecord),
    Applied(AppliedStep),
    /// Someone saved the team this chat was editing: the caller rolls the step back and
    /// runs [`Engine::changed_meanwhile`] instead. Holds the session the chat had.
    Conflict(Session),
}

/// A step written (not yet committed): what it answers and what follows its commit.
#[derive(Debug)]
pub(crate) struct AppliedStep {
    pub replies: Vec<Reply>,
    /// Long work for after the commit, answered when done (a report, a CSV import).
    pub jobs: Vec<Job>,
    /// Units added, renamed or removed: the search index re-reads them.
    pub changed_units: Vec<String>,
    /// A team's status may have changed: the alert scheduler looks again.
    pub status_changed: bool,
    pub lang: Lang,
}

impl Engine {
    /// Locks the chat against steps running on other replicas, then records the update;
    /// anything but `New` must not be applied (seen before, or older than one applied).
    pub(super) async fn admit(
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

    /// Someone saved the team while this chat was editing it: nothing of the edit is written,
    /// the chat goes back to its menu and is told to look at the team again. Runs in `tx`,
    /// after the step that found the conflict was rolled back.
    pub(crate) async fn changed_meanwhile(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        update_id: Option<&str>,
        session: Session,
        now: DateTime<Utc>,
    ) -> Result<Step, EngineError> {
        let record = self.admit(tx, chat, update_id, now).await?;
        if record != UpdateRecord::New {
            return Ok(Step::Skipped(record));
        }
        let session = Session {
            rev: session.rev.wrapping_add(1),
            state: conversation::State::Idle,
            ..session
        };
        let json =
            serde_json::to_string(&session).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        sessions::save_session(tx, chat.channel, &chat.id, &json, now).await?;
        tracing::info!("team changed by someone else meanwhile; edit not saved");
        let text = self.texts.get(session.lang, K::TeamChangedMeanwhile);
        Ok(Step::Applied(AppliedStep {
            replies: vec![Reply::text(text)],
            jobs: Vec::new(),
            changed_units: Vec::new(),
            status_changed: false,
            lang: session.lang,
        }))
    }
}
