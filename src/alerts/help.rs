//! The help requests' follow-up pass: for each open or taken request, the step
//! `domain::help::followup::due` says is due now (none in the quiet hours), written once with
//! its messages (see `storage::help_followups`). Run by the scheduler after the alerts, with
//! the engine's clock; idempotent, so running it twice at one moment queues once.
//!
//! Who hears what: the team it was offered to is reminded; the village's heads, then the
//! commune's officials, get the request itself (and become chats that may take it); the owner
//! is reminded, then told it went back to the team, whose members hear it is open again. The
//! resident hears once, when it reaches the commune, that it was passed on: the team's
//! reminders and the head's turn are the team's business, and a resident told of every step
//! would only read that nobody has answered yet.

use chrono::{DateTime, Utc};

use crate::conversation::notices::{help_followup, FollowUpNotice, HelpNotice};
use crate::conversation::Reply;
use crate::domain::help::followup::{self, FollowUp};
use crate::domain::{AccountRole, Stage, UnitLevel};
use crate::engine::Engine;
use crate::i18n::Lang;
use crate::storage::help_followups::{self, Pending};
use crate::storage::{directory, help_requests, outbox, sessions, StorageError, Tx};

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUpRun {
    /// Steps written (each with its messages).
    pub steps: usize,
    /// Messages queued.
    pub queued: usize,
}

/// Runs the follow-ups due at `now`.
pub async fn run_help_followups(
    engine: &Engine,
    now: DateTime<Utc>,
) -> Result<FollowUpRun, StorageError> {
    let rules = &engine.rules().help;
    let schedule = engine.schedule();
    let mut run = FollowUpRun::default();
    for request in engine.store().help_pending().await? {
        let Some(step) = followup::due(&request.facts, rules, schedule, now) else {
            continue;
        };
        let mut tx = engine.store().begin().await?;
        if !help_followups::record(&mut tx, &request, step, now).await? {
            // Changed since it was read (taken, closed, or done by another pass).
            continue;
        }
        run.queued += tell(&mut tx, engine, &request, step, now).await?;
        tx.commit().await?;
        run.steps += 1;
    }
    Ok(run)
}

/// Queues the messages of `step`; returns how many.
async fn tell(
    tx: &mut Tx<'_>,
    engine: &Engine,
    request: &Pending,
    step: FollowUp,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let village = crate::storage::units::unit_in_tx(tx, &request.unit_code).await?;
    let village_name = village
        .as_ref()
        .map_or(request.unit_code.clone(), |unit| unit.name.clone());
    let (key, chats, offer_stage) = match step {
        FollowUp::RemindTeam => (
            FollowUpNotice::RemindTeam,
            help_followups::offered_at(tx, request.id, Stage::Team).await?,
            None,
        ),
        FollowUp::Escalate(Stage::Head) | FollowUp::Escalate(Stage::Team) => (
            FollowUpNotice::EscalatedHead,
            directory::unit_chats(tx, &request.unit_code, &[AccountRole::VillageHead]).await?,
            Some(Stage::Head),
        ),
        FollowUp::Escalate(Stage::Commune) => {
            let commune = village
                .as_ref()
                .filter(|unit| unit.level == UnitLevel::Village)
                .and_then(|unit| unit.parent_code.clone());
            let chats = match commune {
                Some(commune) => {
                    directory::unit_chats(tx, &commune, &[AccountRole::CommuneOfficial]).await?
                }
                None => Vec::new(),
            };
            (
                FollowUpNotice::EscalatedCommune,
                chats,
                Some(Stage::Commune),
            )
        }
        FollowUp::RemindOwner => (
            FollowUpNotice::RemindOwner,
            request.owner.iter().cloned().collect(),
            None,
        ),
        FollowUp::ReturnToTeam => (
            FollowUpNotice::ReturnedOwner,
            request.owner.iter().cloned().collect(),
            None,
        ),
    };
    let mut queued = 0;
    for (channel, chat_id) in &chats {
        if let Some(stage) = offer_stage {
            help_requests::add_offer(tx, request.id, channel, chat_id, stage, now).await?;
        }
        let lang = sessions::chat_lang(tx, channel, chat_id).await?;
        let reply = notice(engine, request, &village_name, key, lang);
        outbox::enqueue(tx, channel, chat_id, &reply, None, now).await?;
        queued += 1;
    }
    if step == FollowUp::ReturnToTeam {
        let owner = request.owner.as_ref();
        for (channel, chat_id) in help_followups::offered_at(tx, request.id, Stage::Team).await? {
            if owner.is_some_and(|(c, id)| *c == channel && *id == chat_id) {
                continue;
            }
            let lang = sessions::chat_lang(tx, &channel, &chat_id).await?;
            let reply = notice(
                engine,
                request,
                &village_name,
                FollowUpNotice::ReturnedTeam,
                lang,
            );
            outbox::enqueue(tx, &channel, &chat_id, &reply, None, now).await?;
            queued += 1;
        }
    }
    if step == FollowUp::Escalate(Stage::Commune) {
        if let Some((channel, chat_id)) = &request.resident {
            let lang = Lang::parse(&request.resident_lang).unwrap_or(Lang::Vi);
            let key = FollowUpNotice::ResidentPassedOn;
            let reply = notice(engine, request, &village_name, key, lang);
            outbox::enqueue(tx, channel, chat_id, &reply, None, now).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// The follow-up message `which` about `request`, in `lang`.
fn notice(
    engine: &Engine,
    request: &Pending,
    village: &str,
    which: FollowUpNotice,
    lang: Lang,
) -> Reply {
    let need = engine
        .rules()
        .activity
        .kind(&request.need)
        .map_or(request.need.as_str(), |kind| kind.name(lang));
    let about = HelpNotice {
        id: request.id,
        unit_name: village,
        need,
        description: request.description.as_deref(),
    };
    help_followup(engine.texts(), lang, which, &about)
}
