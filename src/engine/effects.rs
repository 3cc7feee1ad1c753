//! Applying the conversation core's effects inside the step's transaction.

use chrono::{DateTime, Utc};

use super::ChatKey;
use crate::conversation::Effect;
use crate::storage::{accounts, audit::audit, invitations, teams, Account, StorageError, Tx};

pub(super) async fn apply_effect(
    tx: &mut Tx<'_>,
    chat: &ChatKey,
    effect: &Effect,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let actor = chat.actor();
    match effect {
        Effect::RedeemInvitation {
            code_sha256,
            role,
            unit_code,
        } => {
            if invitations::mark_invitation_used(tx, code_sha256, chat.channel, &chat.id, now)
                .await?
            {
                let account = Account {
                    role: *role,
                    unit_code: unit_code.clone(),
                };
                accounts::bind_account(tx, chat.channel, &chat.id, &account, now).await?;
                let detail = serde_json::json!({ "role": role.code() });
                audit(
                    tx,
                    &actor,
                    "invitation.redeemed",
                    Some(unit_code),
                    &detail,
                    now,
                )
                .await?;
            }
        }
        Effect::SaveDraft {
            unit_code,
            registration,
        } => {
            teams::save_draft(tx, unit_code, registration, now).await?;
            let detail = serde_json::json!({ "members": registration.draft.members.len() });
            audit(
                tx,
                &actor,
                "team.draft_saved",
                Some(unit_code),
                &detail,
                now,
            )
            .await?;
        }
        Effect::SaveTeam { unit_code, team } => {
            teams::save_team(tx, unit_code, team, now).await?;
            let detail = serde_json::json!({
                "members": team.members.len(),
                "decision": team.decision.number.is_some(),
            });
            audit(tx, &actor, "team.registered", Some(unit_code), &detail, now).await?;
        }
    }
    Ok(())
}
