//! Deadline alerts: on each slot of a campaign's schedule (7, 3 and 1 days before the
//! deadline, on the day, then every 2 days while anything is overdue), every official in the
//! campaign's area gets one digest and every village head whose team is not done a reminder.
//!
//! Two open campaigns over one area (a database older than the one-campaign-per-area rule):
//! each recipient follows one of them, the narrowest then the latest deadline (see
//! [`overlap`]), so nobody gets two digests for a slot.
//!
//! Exactly once: each (campaign, recipient, slot) is recorded in the same transaction that
//! queues the message in the outbox, so a restart neither repeats nor skips an alert, and
//! after downtime only the latest missed slot goes out. Delivery (and a recipient who blocked
//! the bot) is the channel's outbox worker's business; one failure never stops a run.

mod digest;
mod help;
mod overlap;
pub(crate) mod routing;
mod scheduler;
#[cfg(test)]
mod tests;
mod work;

pub use help::{run_help_followups, FollowUpRun};
pub use scheduler::run_scheduler;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::conversation::Reply;
use crate::domain::schedule::{Schedule, Slot};
use crate::domain::status::UnitStatus;
use crate::domain::UnitLevel;
use crate::engine::Engine;
use crate::i18n::{Lang, K};
use crate::storage::campaigns::{record_alert, Campaign, ScopedAccount};
use crate::storage::summary_status;
use crate::storage::{outbox, StorageError, Sweep};

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertRun {
    /// Campaigns with a slot due now.
    pub due: Vec<(String, String)>,
    /// Alerts queued for delivery.
    pub queued: usize,
    /// Alerts of this slot that had gone out before (a run repeated after a restart).
    pub already_sent: usize,
    /// Another replica was running the alerts; this run did nothing.
    pub busy_elsewhere: bool,
}

/// The lease key of the alert run (any constant unique among cnscd's leases).
const ALERTS_LEASE: i64 = 0x636e_7363_6401;

/// The statuses of a campaign's area, by unit code.
pub(crate) struct Area {
    pub sweep: Sweep,
    pub status: HashMap<String, UnitStatus>,
    /// The teams' work: quiet villages, late communes.
    pub work: work::Work,
}

impl Area {
    fn load(sweep: Sweep, engine: &Engine) -> Area {
        let rules = engine.rules();
        let teams: HashMap<&str, _> = sweep
            .teams
            .iter()
            .map(|t| (t.unit_code.as_str(), t))
            .collect();
        let status = sweep
            .units
            .iter()
            .filter(|u| matches!(u.level, UnitLevel::Village | UnitLevel::Commune))
            .map(|u| {
                (
                    u.code.clone(),
                    summary_status(rules, u.level, teams.get(u.code.as_str()).copied()),
                )
            })
            .collect();
        Area {
            sweep,
            status,
            work: work::Work::default(),
        }
    }

    /// Something is still missing: a village without a complete team.
    fn overdue(&self) -> bool {
        self.sweep
            .units
            .iter()
            .filter(|u| u.level == UnitLevel::Village)
            .any(|u| !matches!(self.status.get(&u.code), Some(UnitStatus::Complete)))
    }
}

/// Sends every alert due at `now` (the one-shot run: `cnscd alerts run-once --now …`).
pub async fn run_due(
    engine: &Engine,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<AlertRun, StorageError> {
    let mut run = AlertRun::default();
    let Some(lease) = engine.store().try_lease(ALERTS_LEASE).await? else {
        tracing::info!("another replica is sending the alerts");
        run.busy_elsewhere = true;
        return Ok(run);
    };
    let done = run_campaigns(engine, schedule, now, &mut run).await;
    lease.release().await;
    done.map(|()| run)
}

async fn run_campaigns(
    engine: &Engine,
    schedule: &Schedule,
    now: DateTime<Utc>,
    run: &mut AlertRun,
) -> Result<(), StorageError> {
    let mut loaded = Vec::new();
    let reach = engine.store().chat_reach().await?;
    let unreached = engine.store().unreached_officials().await?;
    let windows = engine.channel_windows();
    for campaign in engine.store().campaigns().await? {
        let Some(sweep) = engine.store().sweep(Some(&campaign.scope_code)).await? else {
            tracing::warn!(campaign = campaign.id, "campaign area no longer exists");
            continue;
        };
        let accounts = engine
            .store()
            .accounts_in_scope(&campaign.scope_code)
            .await?;
        let accounts = routing::one_chat_per_person(accounts, &reach, windows, now);
        let precedence = overlap::Precedence {
            depth: sweep.ancestors.len(),
            deadline: campaign.deadline,
            id: campaign.id,
        };
        let work = work::Work::load(engine, &sweep, now).await?;
        let area = Area {
            work,
            ..Area::load(sweep, engine)
        };
        loaded.push((campaign, area, accounts, precedence));
    }
    // Overlapping campaigns: each recipient hears from one of them only.
    let governing = overlap::governing(loaded.iter().map(|(_, _, a, p)| (*p, a.as_slice())));
    for (campaign, area, accounts, _) in &loaded {
        let Some(slot) = schedule.due(campaign.deadline, now, area.overdue()) else {
            continue;
        };
        run.due.push((campaign.name.clone(), slot.name()));
        for account in accounts {
            let key = (account.channel, account.chat_id.clone());
            if governing.get(&key) != Some(&campaign.id) {
                continue;
            }
            let lang = recipient_lang(engine, account).await?;
            let Some(mut reply) =
                digest::for_account(engine, schedule, campaign, slot, area, account, lang, now)
            else {
                continue;
            };
            let below = crate::report::unreached::unreached_below(
                &account.unit_code,
                &area.sweep.units,
                &unreached,
            );
            let windowed = windows.contains_key(&account.channel);
            reach_notes(engine, lang, &mut reply, &below, windowed);
            if queue(engine, campaign, slot, account, &reply, now).await? {
                run.queued += 1;
            } else {
                run.already_sent += 1;
            }
        }
    }
    Ok(())
}

/// Who below could not be reached, and, on a channel with a window (Zalo), how to keep it
/// open: any reply reopens it.
fn reach_notes(engine: &Engine, lang: Lang, reply: &mut Reply, below: &[String], windowed: bool) {
    let mut text = reply.text.as_str().to_owned();
    if !below.is_empty() {
        let list = crate::i18n::Html::text(&below.join(", "));
        let note = engine
            .texts()
            .fill(lang, K::DigestUnreached, &[("list", list)]);
        text = format!("{text}\n\n{}", note.as_str());
    }
    if windowed {
        let note = engine.texts().get(lang, K::AlertReplyToKeep);
        text = format!("{text}\n\n{}", note.as_str());
    }
    reply.text = crate::i18n::Html::markup(text);
}

/// Records the alert and queues its message in one transaction; `false` if it went before.
async fn queue(
    engine: &Engine,
    campaign: &Campaign,
    slot: Slot,
    account: &ScopedAccount,
    reply: &Reply,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let mut tx = engine.store().begin().await?;
    let slot = slot.name();
    if !record_alert(
        &mut tx,
        campaign.id,
        account.channel.as_str(),
        &account.chat_id,
        &slot,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    let slot = slot.to_string();
    let key = outbox::DedupKey::Alert {
        campaign: campaign.id,
        channel: account.channel.as_str(),
        chat_id: &account.chat_id,
        slot: &slot,
    };
    outbox::enqueue(
        &mut tx,
        account.channel.as_str(),
        &account.chat_id,
        reply,
        Some(key),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn recipient_lang(engine: &Engine, account: &ScopedAccount) -> Result<Lang, StorageError> {
    let mut tx = engine.store().pool().begin().await?;
    let lang =
        crate::storage::sessions::chat_lang(&mut tx, account.channel.as_str(), &account.chat_id)
            .await?;
    tx.commit().await?;
    Ok(lang)
}
