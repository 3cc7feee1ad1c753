//! Applying the conversation core's effects inside the step's transaction. Some effects
//! answer the user too (an invitation's code), and a CSV import runs after the commit.

use chrono::Duration;

use crate::conversation::notices::{
    acknowledged, announcement_queued, announcement_reminded, announcement_status, Acknowledged,
    Reminder,
};
use crate::conversation::Effect;
use crate::domain::invitation_code::{generate_code, hash_code};
use crate::domain::AuditAction;
use crate::engine::announce;
use crate::storage::limits::{self, Limit};
use crate::storage::{
    account_admin, accounts, activities, announcements, audit::audit, directory, erasure,
    invitations, period_reports, teams, Account, NewInvitation, StorageError, Tx,
};

mod classify;
mod help;
mod linking;
mod messages;
mod proofs;
mod types;

use classify::is_write;
pub(super) use classify::refusal;
use messages::{invitation_reply, notice_team_saved, notify_unit, send_decision_draft};
pub use types::Job;
pub(super) use types::{Applied, EffectEnv};

/// How long an invitation made in chat stays valid.
const INVITATION_DAYS: i64 = 14;

pub(super) async fn apply_effect(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    effect: &Effect,
    applied: &mut Applied,
) -> Result<(), StorageError> {
    let (actor, now) = (env.chat.actor(), env.now);
    if is_write(effect) {
        limits::check(tx, &actor, Limit::Writes, now).await?;
    }
    match effect {
        Effect::ShowLinkCode | Effect::LinkWith { .. } | Effect::ConfirmLink => {
            linking::apply(tx, env, effect, applied).await?;
        }
        Effect::ProveNumber { .. } | Effect::ConfirmNumber { .. } => {
            proofs::apply(tx, env, effect, applied).await?;
        }
        Effect::RedeemInvitation {
            code_sha256,
            role,
            unit_code,
        } => {
            // A chat over its limit of wrong codes is told so whatever this code is: a
            // different answer for a good code would let guessing go on.
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            if invitations::mark_invitation_used(
                tx,
                code_sha256,
                env.chat.channel.as_str(),
                &env.chat.id,
                now,
            )
            .await?
            {
                let account = Account {
                    role: *role,
                    unit_code: unit_code.clone(),
                };
                accounts::bind_account(tx, env.chat.channel.as_str(), &env.chat.id, &account, now)
                    .await?;
                if let Some(days) = account_admin::invitation_account_days(tx, code_sha256).await? {
                    let ends = now + Duration::days(days);
                    account_admin::set_expiry(tx, env.chat.channel.as_str(), &env.chat.id, ends)
                        .await?;
                }
                record(
                    tx,
                    env,
                    effect,
                    AuditAction::InvitationRedeemed,
                    Some(unit_code),
                    &serde_json::json!({ "role": role.code() }),
                )
                .await?;
            } else {
                // Another chat redeemed it after this step read it as unused: this chat
                // must get neither the role nor the welcome the core wrote.
                return Err(StorageError::InvitationTaken);
            }
        }
        Effect::SaveDraft {
            unit_code,
            registration,
            paused,
        } => {
            teams::save_draft(tx, unit_code, registration, now).await?;
            // Checkpoints after each answer are not worth an audit entry; a pause is.
            if *paused {
                let detail = serde_json::json!({ "members": registration.draft.members.len() });
                record(
                    tx,
                    env,
                    effect,
                    AuditAction::TeamPaused,
                    Some(unit_code),
                    &detail,
                )
                .await?;
            }
        }
        Effect::SaveTeam {
            unit_code,
            team,
            based_on,
        } => {
            let before = teams::team_for_unit(tx, unit_code).await?;
            teams::save_team(tx, unit_code, team, *based_on, now).await?;
            erase_removed(tx, before.as_ref(), team).await?;
            // Officials hear of a real change only: a save that changed nothing (the head
            // confirmed the card as it was) is no news.
            let unchanged = before.as_ref().is_some_and(|before| {
                before.status == teams::TeamStatus::Registered && before.team == *team
            });
            if !unchanged {
                notice_team_saved(tx, env, unit_code, team).await?;
            }
            // Registered without a decision (first saved so, or its decision taken away):
            // the commune's officials get the decision to sign, once. An edit of a team
            // still without one sends nothing new.
            let had_none = before.as_ref().is_some_and(|before| {
                before.status == teams::TeamStatus::Registered
                    && before.team.decision.number.is_none()
            });
            if team.decision.number.is_none() && !had_none {
                send_decision_draft(tx, env, unit_code).await?;
            }
            let detail = serde_json::json!({ "members": team.members.len(), "decision": team.decision.number.is_some() });
            record(
                tx,
                env,
                effect,
                AuditAction::TeamRegistered,
                Some(unit_code),
                &detail,
            )
            .await?;
        }
        Effect::SetPhoneConsent { phone, granted } => {
            directory::set_phone_consent(tx, phone, *granted, now).await?;
            erasure::remember_member_chat(tx, phone, env.chat.channel.as_str(), &env.chat.id, now)
                .await?;
            record(
                tx,
                env,
                effect,
                AuditAction::MemberPhoneConsent,
                None,
                &serde_json::json!({ "granted": granted }),
            )
            .await?;
        }
        Effect::PrivacyRequest {
            kind,
            phone,
            listed,
        } => {
            erasure::remember_member_chat(tx, phone, env.chat.channel.as_str(), &env.chat.id, now)
                .await?;
            let due = crate::domain::privacy::due_by(
                crate::clock::vietnam_date(now),
                crate::domain::privacy::CORRECTION_WORKING_DAYS,
            );
            for (unit_code, name) in listed {
                if *kind == crate::conversation::PrivacyRequestKind::Correction {
                    messages::ask_correction(tx, env, unit_code, name, due).await?;
                }
                let detail = match kind {
                    crate::conversation::PrivacyRequestKind::Access => serde_json::json!({}),
                    crate::conversation::PrivacyRequestKind::Correction => {
                        serde_json::json!({ "due": due.to_string() })
                    }
                };
                record(tx, env, effect, kind.action(), Some(unit_code), &detail).await?;
            }
        }
        Effect::ErasePerson { phone, unit_codes } => {
            // The heads are told first, without the name: the erasure then finds nothing
            // of the person in what is queued.
            for unit_code in unit_codes {
                messages::tell_erased(tx, env, unit_code).await?;
            }
            let erased = erasure::erase_phone(tx, phone, erasure::Reach::Everywhere, None).await?;
            // Logged under a pseudonym: the chat is the erased person's.
            debug_assert!(classify::records(effect).contains(&AuditAction::PrivacyErased));
            let detail =
                serde_json::json!({ "members": erased.members, "leaders": erased.leaders });
            audit(
                tx,
                "erased:self",
                AuditAction::PrivacyErased,
                None,
                &detail,
                now,
            )
            .await?;
        }
        Effect::RequestRemoval {
            unit_code,
            name,
            phone,
        } => {
            erasure::remember_member_chat(tx, phone, env.chat.channel.as_str(), &env.chat.id, now)
                .await?;
            notify_unit(tx, env, unit_code, name).await?;
            record(
                tx,
                env,
                effect,
                AuditAction::MemberRemovalRequested,
                Some(unit_code),
                &serde_json::json!({}),
            )
            .await?;
        }
        Effect::AddVillage { commune, name } => {
            let code = directory::add_village(tx, commune, name, now).await?;
            applied.changed_units.push(code.clone());
            record(
                tx,
                env,
                effect,
                AuditAction::VillageAdded,
                Some(&code),
                &serde_json::json!({ "commune": commune }),
            )
            .await?;
        }
        Effect::RenameVillage { code, name } => {
            directory::rename_unit(tx, code, name).await?;
            applied.changed_units.push(code.clone());
            record(
                tx,
                env,
                effect,
                AuditAction::VillageRenamed,
                Some(code),
                &serde_json::json!({}),
            )
            .await?;
        }
        Effect::RemoveVillage { code } => {
            let removed = directory::remove_unit(tx, code).await?;
            applied.changed_units.push(code.clone());
            record(
                tx,
                env,
                effect,
                AuditAction::VillageRemoved,
                Some(code),
                &serde_json::json!({ "removed": removed }),
            )
            .await?;
        }
        Effect::ImportVillages { commune, csv } => {
            let detail = serde_json::json!({ "bytes": csv.len() });
            record(
                tx,
                env,
                effect,
                AuditAction::VillagesImported,
                Some(commune),
                &detail,
            )
            .await?;
            applied.after.push(Job::ImportVillages {
                commune: commune.clone(),
                csv: csv.clone(),
            });
        }
        Effect::CreateInvitation {
            role,
            unit_code,
            unit_name,
        } => {
            let code = generate_code();
            let expires_at = now + Duration::days(INVITATION_DAYS);
            let invitation = NewInvitation {
                code_sha256: hash_code(&code),
                role: *role,
                unit_code: unit_code.clone(),
                created_by: actor.clone(),
                expires_at,
            };
            invitations::insert_invitation(tx, &invitation, now).await?;
            record(
                tx,
                env,
                effect,
                AuditAction::InvitationCreated,
                Some(unit_code),
                &serde_json::json!({ "role": role.code() }),
            )
            .await?;
            applied.replies.push(invitation_reply(
                env, *role, unit_code, unit_name, &code, expires_at,
            ));
        }
        Effect::SetChangeNotices { on } => {
            directory::set_change_notices(tx, env.chat.channel.as_str(), &env.chat.id, *on).await?;
        }
        Effect::SendReport { scope, period } => {
            limits::check(tx, &actor, Limit::Reports, now).await?;
            record(
                tx,
                env,
                effect,
                AuditAction::ReportSent,
                Some(scope),
                &serde_json::json!({}),
            )
            .await?;
            applied.after.push(Job::Report {
                scope: scope.clone(),
                period: *period,
            });
        }
        Effect::SendDecision { unit_code } => {
            limits::check(tx, &actor, Limit::Reports, now).await?;
            let detail = serde_json::json!({});
            record(
                tx,
                env,
                effect,
                AuditAction::DecisionDrafted,
                Some(unit_code),
                &detail,
            )
            .await?;
            applied.after.push(Job::Decision {
                unit_code: unit_code.clone(),
            });
        }
        Effect::SetDeadline { scope, deadline } => {
            let id =
                crate::storage::campaigns::set_scope_deadline(tx, scope, *deadline, &actor, now)
                    .await?;
            let detail = serde_json::json!({ "campaign": id, "deadline": deadline.to_string() });
            record(
                tx,
                env,
                effect,
                AuditAction::CampaignDeadlineChanged,
                Some(scope),
                &detail,
            )
            .await?;
        }
        Effect::AssignVillage { village, commune } => {
            if crate::storage::reorganize::assign_village(tx, village, commune).await? {
                applied.changed_units.push(village.clone());
                let detail = serde_json::json!({ "commune": commune });
                record(
                    tx,
                    env,
                    effect,
                    AuditAction::VillageAssigned,
                    Some(village),
                    &detail,
                )
                .await?;
            }
        }
        Effect::RevokeAccess { unit_code, role } => {
            let revoked = account_admin::revoke_unit(tx, unit_code, *role, &actor, now).await?;
            tracing::info!(revoked, unit_code, "accounts revoked in chat");
        }
        Effect::InvitationRefused { reason } => {
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            let detail = serde_json::json!({ "reason": reason });
            record(tx, env, effect, AuditAction::WrongCode, None, &detail).await?;
        }
        Effect::SubmitPeriodReport {
            commune,
            period,
            based_on,
        } => {
            let by = actor.as_str();
            let version = period_reports::submit(tx, commune, *period, *based_on, by, now).await?;
            messages::notice_period_submitted(tx, env, commune, *period, version).await?;
        }
        Effect::DecidePeriodReport {
            commune,
            period,
            version,
            reason,
        } => {
            let decision = match reason {
                Some(reason) => period_reports::Decision::Return {
                    reason: reason.clone(),
                },
                None => period_reports::Decision::Approve,
            };
            let by = actor.as_str();
            period_reports::decide(tx, commune, *period, *version, &decision, by, now).await?;
            messages::notice_period_decided(tx, env, commune, *period, reason.as_deref()).await?;
        }
        Effect::AcknowledgeAnnouncement { id } => {
            let chat = (env.chat.channel.as_str(), env.chat.id.as_str());
            let ack = match announcements::acknowledge(tx, *id, chat.0, chat.1, now).await? {
                announcements::Ack::First => Acknowledged::First,
                announcements::Ack::Again => Acknowledged::Again,
                announcements::Ack::NotYours => Acknowledged::NotYours,
            };
            if ack == Acknowledged::NotYours {
                let detail = serde_json::json!({ "action": "announcement.ack", "id": id });
                audit(tx, &actor, AuditAction::AccessDenied, None, &detail, now).await?;
            }
            applied.replies.push(acknowledged(env.texts, env.lang, ack));
        }
        Effect::SendAnnouncement {
            scope,
            scope_name,
            audience,
            text,
            key,
        } => {
            let new = announcements::NewAnnouncement {
                sender: actor.clone(),
                scope_code: scope.clone(),
                audience: *audience,
                text: text.clone(),
                file: None,
                dedup_key: Some(key.clone()),
            };
            let queued =
                announce::send(tx, env.texts, env.rules, &new, scope_name, &actor, now).await?;
            let reply =
                announcement_queued(env.texts, env.lang, queued.reachable, &queued.unreachable);
            applied.replies.push(reply);
        }
        Effect::ShowAnnouncements => {
            let mut all = Vec::new();
            for id in announcements::announcement_ids(tx, Some(&actor), 3).await? {
                all.extend(announcements::announcement_counts(tx, id).await?);
            }
            applied
                .replies
                .push(announcement_status(env.texts, env.lang, &all));
        }
        Effect::RemindAnnouncement { scope, id } => {
            let stored = announcements::announcement(tx, *id).await?;
            let outcome = match stored {
                // The core checked access on `scope`: the announcement must be of it.
                Some(stored) if stored.scope_code == *scope => {
                    match announce::remind(tx, env.texts, *id, &actor, now).await? {
                        announcements::Reminded::Queued(n) => Reminder::Queued(n),
                        announcements::Reminded::TooSoon(from) => {
                            Reminder::TooSoon(from.with_timezone(&crate::clock::vietnam()))
                        }
                        announcements::Reminded::NoSuchAnnouncement => Reminder::NotFound,
                    }
                }
                _ => Reminder::NotFound,
            };
            applied
                .replies
                .push(announcement_reminded(env.texts, env.lang, outcome));
        }
        Effect::LogActivity {
            unit_code,
            kind,
            people,
            day,
            by,
            key,
        } => {
            let entry = activities::NewActivity {
                unit_code: unit_code.clone(),
                kind: kind.clone(),
                people: *people,
                households: None,
                done_on: *day,
                note: None,
                by: by.clone(),
                source: env.chat.channel.as_str().to_owned(),
                dedup_key: Some(key.clone()),
            };
            // An update applied twice names the same key: the second writes nothing.
            if activities::record(tx, &entry, now).await? {
                let detail = serde_json::json!({ "kind": kind, "people": people });
                record(
                    tx,
                    env,
                    effect,
                    AuditAction::ActivityLogged,
                    Some(unit_code),
                    &detail,
                )
                .await?;
            }
        }
        Effect::CompleteActivity {
            unit_code,
            key,
            completion,
        } => {
            if !activities::complete(tx, key, unit_code, completion).await? {
                tracing::warn!(unit_code, "the entry to complete is gone");
            }
        }
        Effect::RememberMemberChat { .. }
        | Effect::AskHelp { .. }
        | Effect::TakeHelp { .. }
        | Effect::CloseHelp { .. }
        | Effect::RateHelp { .. }
        | Effect::ReopenHelp { .. } => {
            help::apply(tx, env, effect, &mut applied.replies).await?;
        }
        Effect::Denied { action, unit_code } => {
            tracing::warn!(action, unit_code, "refused: role or scope");
            record(
                tx,
                env,
                effect,
                AuditAction::AccessDenied,
                Some(unit_code),
                &serde_json::json!({ "action": action }),
            )
            .await?;
        }
    }
    Ok(())
}

/// Writes `action` to the audit log under the chat's name. The limit of changes is checked
/// before an effect by the actions [`classify::records`] says it may record: one it does not
/// declare would escape the limit, so tests (debug builds) stop on it.
async fn record(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    effect: &Effect,
    action: AuditAction,
    unit_code: Option<&str>,
    detail: &serde_json::Value,
) -> Result<(), StorageError> {
    debug_assert!(
        classify::records(effect).contains(&action),
        "an effect recorded {action:?}, which it does not declare"
    );
    audit(tx, &env.chat.actor(), action, unit_code, detail, env.now).await
}

/// A head removed members: what the bot kept about them goes too (their consent, their own
/// chat's traces), unless another team still lists their number.
async fn erase_removed(
    tx: &mut Tx<'_>,
    before: Option<&teams::StoredTeam>,
    team: &crate::domain::Team,
) -> Result<(), StorageError> {
    let Some(before) = before else {
        return Ok(());
    };
    let kept = |phone: &crate::domain::PhoneNumber| {
        team.members.iter().any(|m| &m.phone == phone) || team.leader_phone.as_ref() == Some(phone)
    };
    for member in before.team.members.iter().filter(|m| !kept(&m.phone)) {
        let name = Some(member.name.as_str());
        erasure::erase_phone(tx, &member.phone, erasure::Reach::UnlessStillMember, name).await?;
    }
    Ok(())
}
