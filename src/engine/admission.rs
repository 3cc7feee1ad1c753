//! Letting an update in: the per-chat lock, the once-and-in-order check, and the step that
//! lost a race for a team to another chat's save.

use chrono::{DateTime, Utc};

use super::effects::Job;
use super::{Engine, EngineError};
use crate::chat::ChatKey;
use crate::conversation::notices::{self, Refusal};
use crate::conversation::{self, Reply, Session};
use crate::i18n::Lang;
use crate::storage::inbox;
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
    /// The step cannot be applied (the team was saved by someone else meanwhile, a race for
    /// an invitation lost, a limit reached): the caller rolls it back and runs
    /// [`Engine::refused`] instead. Holds the session the chat had and what to tell it.
    Refused(Session, Refusal),
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
        let (channel, chat_id) = (chat.channel.as_str(), chat.id.as_str());
        let mut record = sessions::record_update(tx, channel, chat_id, update_id, now).await?;
        // The inbox keeps what the pipeline applied: an update applied there is not applied
        // here again, nor one here there.
        if record == UpdateRecord::New {
            record = inbox::record_applied(tx, channel, chat_id, update_id, now).await?;
        }
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
    /// written, the chat goes back to its menu and is told `why`. Runs in `tx`, after the
    /// refused step was rolled back.
    pub(crate) async fn refused(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        update_id: Option<&str>,
        session: Session,
        why: Refusal,
        now: DateTime<Utc>,
    ) -> Result<Step, EngineError> {
        let record = self.admit(tx, chat, update_id, now).await?;
        if record != UpdateRecord::New {
            return Ok(Step::Skipped(record));
        }
        self.admitted_refusal(tx, chat, session, why, now).await
    }

    /// [`Engine::refused`] for an event the caller has let in already (see
    /// [`Engine::admitted_step`]).
    pub(crate) async fn admitted_refusal(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        session: Session,
        why: Refusal,
        now: DateTime<Utc>,
    ) -> Result<Step, EngineError> {
        let session = Session {
            rev: session.rev.wrapping_add(1),
            state: conversation::State::Idle,
            ..session
        };
        sessions::save_session(tx, chat.channel.as_str(), &chat.id, &session, now).await?;
        tracing::info!(why = why.code(), "step refused; nothing saved");
        Ok(Step::Applied(AppliedStep {
            replies: vec![notices::refused(&self.texts, session.lang, why)],
            jobs: Vec::new(),
            changed_units: Vec::new(),
            status_changed: false,
            lang: session.lang,
        }))
    }
}
