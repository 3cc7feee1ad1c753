//! Sending and reminding an announcement, inside the caller's transaction: from a chat's
//! step (an official's "📤 Send") and from `cnscd announce`. The people are resolved and
//! one message per reachable person queued in the outbox's bulk lane; the audit says who.

use chrono::{DateTime, Months, Utc};

use crate::clock::vietnam_date;
use crate::conversation::notices::{announcement, AnnouncementNotice};
use crate::domain::announcement::{Audience, Unreachable};
use crate::domain::{AuditAction, CompositionRules};
use crate::i18n::{Lang, Texts};
use crate::storage::announcements::{self, NewAnnouncement, Recipient, Reminded, Sent};
use crate::storage::audit::audit;
use crate::storage::{StorageResult, Tx};

/// What an announcement was queued to: how many, and who could not be reached, by why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub sent: Sent,
    pub reachable: usize,
    pub unreachable: Vec<(Unreachable, usize)>,
}

/// The people `audience` names in `scope`, as they would be reached now.
pub async fn recipients(
    tx: &mut Tx<'_>,
    rules: &CompositionRules,
    scope: &str,
    audience: Audience,
    now: DateTime<Utc>,
) -> StorageResult<Vec<Recipient>> {
    let today = vietnam_date(now);
    let quiet_since = today
        .checked_sub_months(Months::new(rules.activity.quiet_months))
        .unwrap_or(today);
    announcements::recipients(tx, scope, audience, quiet_since).await
}

/// How many of `people` can be reached, and the others by why.
pub fn reach(people: &[Recipient]) -> (usize, Vec<(Unreachable, usize)>) {
    let reachable = people.iter().filter(|p| p.chat.is_ok()).count();
    let unreachable = Unreachable::ALL
        .into_iter()
        .map(|why| (why, people.iter().filter(|p| p.chat == Err(why)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    (reachable, unreachable)
}

/// Sends `new` from `scope_name`: recorded, queued, audited as `actor`'s.
pub async fn send(
    tx: &mut Tx<'_>,
    texts: &Texts,
    rules: &CompositionRules,
    new: &NewAnnouncement,
    scope_name: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> StorageResult<Queued> {
    let people = recipients(tx, rules, &new.scope_code, new.audience, now).await?;
    let message = |id| {
        let notice = AnnouncementNotice {
            id,
            from: scope_name,
            text: &new.text,
            file: new.file.as_ref(),
            reminder: false,
        };
        announcement(texts, Lang::Vi, &notice)
    };
    let sent = announcements::send(tx, new, &people, &message, now).await?;
    let (reachable, unreachable) = reach(&people);
    if let Sent::New(id) = sent {
        let detail = serde_json::json!({
            "id": id,
            "audience": new.audience.stored(),
            "reachable": reachable,
            "unreachable": people.len() - reachable,
        });
        let scope = Some(new.scope_code.as_str());
        audit(
            tx,
            actor,
            AuditAction::AnnouncementSent,
            scope,
            &detail,
            now,
        )
        .await?;
    }
    Ok(Queued {
        sent,
        reachable,
        unreachable,
    })
}

/// Reminds those who have not pressed "Got it" on announcement `id`, once a Vietnam day.
pub async fn remind(
    tx: &mut Tx<'_>,
    texts: &Texts,
    id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> StorageResult<Reminded> {
    let Some(stored) = announcements::announcement(tx, id).await? else {
        return Ok(Reminded::NoSuchAnnouncement);
    };
    let notice = AnnouncementNotice {
        id,
        from: &stored.scope_name,
        text: &stored.text,
        file: stored.file.as_ref(),
        reminder: true,
    };
    let message = announcement(texts, Lang::Vi, &notice);
    let reminded = announcements::remind(tx, id, &message, now).await?;
    if let Reminded::Queued(n) = reminded {
        let detail = serde_json::json!({ "id": id, "reminded": n });
        let scope = Some(stored.scope_code.as_str());
        audit(
            tx,
            actor,
            AuditAction::AnnouncementReminded,
            scope,
            &detail,
            now,
        )
        .await?;
    }
    Ok(reminded)
}
