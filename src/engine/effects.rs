//! Applying the conversation core's effects inside the step's transaction. Some effects
//! answer the user too (an invitation's code), and a CSV import runs after the commit.

use chrono::{DateTime, Duration, Utc};

use super::context::chat_lang;
use super::ChatKey;
use crate::clock::vietnam;
use crate::conversation::{Attachment, Effect, Reply};
use crate::i18n::{Html, Lang, Texts, K};
use crate::invitation::{generate_code, hash_code, telegram_deep_link};
use crate::storage::limits::{self, Limit, REPORT_SENT, WRONG_CODE};
use crate::storage::{
    account_admin, accounts, audit::audit, directory, erasure, invitations, outbox, teams, Account,
    NewInvitation, StorageError, Tx,
};

/// How long an invitation made in chat stays valid.
const INVITATION_DAYS: i64 = 14;

/// What the effects need besides the transaction.
pub(super) struct EffectEnv<'a> {
    pub chat: &'a ChatKey,
    pub now: DateTime<Utc>,
    pub texts: &'a Texts,
    pub lang: Lang,
    pub bot_username: Option<&'a str>,
}

/// Work that must run after the step's transaction committed.
pub(super) enum AfterCommit {
    ImportVillages { commune: String, csv: Vec<u8> },
    Report { scope: String },
}

#[derive(Default)]
pub(super) struct Applied {
    pub replies: Vec<Reply>,
    pub after: Vec<AfterCommit>,
    /// Units added, renamed or removed: the search index re-reads them.
    pub changed_units: Vec<String>,
}

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
                env.chat.channel,
                &env.chat.id,
                now,
            )
            .await?
            {
                let account = Account {
                    role: *role,
                    unit_code: unit_code.clone(),
                };
                accounts::bind_account(tx, env.chat.channel, &env.chat.id, &account, now).await?;
                if let Some(days) = account_admin::invitation_account_days(tx, code_sha256).await? {
                    let ends = now + Duration::days(days);
                    account_admin::set_expiry(tx, env.chat.channel, &env.chat.id, ends).await?;
                }
                audit(
                    tx,
                    &actor,
                    "invitation.redeemed",
                    Some(unit_code),
                    &serde_json::json!({ "role": role.code() }),
                    now,
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
                audit(tx, &actor, "team.paused", Some(unit_code), &detail, now).await?;
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
            notice_team_saved(tx, env, unit_code, team).await?;
            let detail = serde_json::json!({ "members": team.members.len(), "decision": team.decision.number.is_some() });
            audit(tx, &actor, "team.registered", Some(unit_code), &detail, now).await?;
        }
        Effect::SetPhoneConsent { phone, granted } => {
            directory::set_phone_consent(tx, phone, *granted, now).await?;
            erasure::remember_member_chat(tx, phone, env.chat.channel, &env.chat.id, now).await?;
            audit(
                tx,
                &actor,
                "member.phone_consent",
                None,
                &serde_json::json!({ "granted": granted }),
                now,
            )
            .await?;
        }
        Effect::RequestRemoval {
            unit_code,
            name,
            phone,
        } => {
            erasure::remember_member_chat(tx, phone, env.chat.channel, &env.chat.id, now).await?;
            notify_unit(tx, env, unit_code, name).await?;
            audit(
                tx,
                &actor,
                "member.removal_requested",
                Some(unit_code),
                &serde_json::json!({}),
                now,
            )
            .await?;
        }
        Effect::AddVillage { commune, name } => {
            let code = directory::add_village(tx, commune, name, now).await?;
            applied.changed_units.push(code.clone());
            audit(
                tx,
                &actor,
                "village.added",
                Some(&code),
                &serde_json::json!({ "commune": commune }),
                now,
            )
            .await?;
        }
        Effect::RenameVillage { code, name } => {
            directory::rename_unit(tx, code, name).await?;
            applied.changed_units.push(code.clone());
            audit(
                tx,
                &actor,
                "village.renamed",
                Some(code),
                &serde_json::json!({}),
                now,
            )
            .await?;
        }
        Effect::RemoveVillage { code } => {
            let removed = directory::remove_unit(tx, code).await?;
            applied.changed_units.push(code.clone());
            audit(
                tx,
                &actor,
                "village.removed",
                Some(code),
                &serde_json::json!({ "removed": removed }),
                now,
            )
            .await?;
        }
        Effect::ImportVillages { commune, csv } => {
            let detail = serde_json::json!({ "bytes": csv.len() });
            audit(tx, &actor, "villages.imported", Some(commune), &detail, now).await?;
            applied.after.push(AfterCommit::ImportVillages {
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
            audit(
                tx,
                &actor,
                "invitation.created",
                Some(unit_code),
                &serde_json::json!({ "role": role.code() }),
                now,
            )
            .await?;
            applied.replies.push(invitation_reply(
                env, unit_code, unit_name, &code, expires_at,
            ));
        }
        Effect::SetChangeNotices { on } => {
            directory::set_change_notices(tx, env.chat.channel, &env.chat.id, *on).await?;
        }
        Effect::SendReport { scope } => {
            limits::check(tx, &actor, Limit::Reports, now).await?;
            audit(
                tx,
                &actor,
                REPORT_SENT,
                Some(scope),
                &serde_json::json!({}),
                now,
            )
            .await?;
            applied.after.push(AfterCommit::Report {
                scope: scope.clone(),
            });
        }
        Effect::SetDeadline { scope, deadline } => {
            let id =
                crate::storage::campaigns::set_scope_deadline(tx, scope, *deadline, &actor, now)
                    .await?;
            let detail = serde_json::json!({ "campaign": id, "deadline": deadline.to_string() });
            audit(
                tx,
                &actor,
                "campaign.deadline_changed",
                Some(scope),
                &detail,
                now,
            )
            .await?;
        }
        Effect::RevokeAccess { unit_code, role } => {
            let revoked =
                account_admin::revoke_unit(tx, unit_code, role.code(), &actor, now).await?;
            tracing::info!(revoked, unit_code, "accounts revoked in chat");
        }
        Effect::InvitationRefused { reason } => {
            limits::check(tx, &actor, Limit::WrongCodes, now).await?;
            let detail = serde_json::json!({ "reason": reason });
            audit(tx, &actor, WRONG_CODE, None, &detail, now).await?;
        }
        Effect::Denied { action, unit_code } => {
            tracing::warn!(action, unit_code, "refused: role or scope");
            audit(
                tx,
                &actor,
                "access.denied",
                Some(unit_code),
                &serde_json::json!({ "action": action }),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// A head removed members: what the bot kept about them goes too (their consent, their own
/// chat's traces), unless another team still lists their number.
async fn erase_removed(
    tx: &mut Tx<'_>,
    before: Option<&teams::StoredTeam>,
    team: &crate::conversation::Draft,
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

/// Whether `effect` changes what others see, and so counts against the chat's limit of
/// changes (answers to registration questions are checkpoints, not counted).
fn is_write(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::SaveTeam { .. }
            | Effect::SetPhoneConsent { .. }
            | Effect::RequestRemoval { .. }
            | Effect::AddVillage { .. }
            | Effect::RenameVillage { .. }
            | Effect::RemoveVillage { .. }
            | Effect::ImportVillages { .. }
            | Effect::CreateInvitation { .. }
            | Effect::SetDeadline { .. }
            | Effect::RevokeAccess { .. }
    )
}

/// What to tell a chat whose step was refused by `error`, rolled back whole; `None` for an
/// error that is a failure, not a refusal.
pub(super) fn refusal(error: &StorageError) -> Option<K> {
    match error {
        StorageError::Conflict => Some(K::TeamChangedMeanwhile),
        StorageError::InvitationTaken => Some(K::InvitationUsed),
        StorageError::RateLimited(Limit::WrongCodes) => Some(K::TooManyWrongCodes),
        StorageError::RateLimited(Limit::Reports) => Some(K::TooManyReports),
        StorageError::RateLimited(Limit::Writes) => Some(K::TooManyChanges),
        _ => None,
    }
}

/// The code, its link and a QR code picture of the link, to forward to the person invited.
fn invitation_reply(
    env: &EffectEnv<'_>,
    unit_code: &str,
    unit_name: &str,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Reply {
    let link = match env.bot_username {
        Some(bot) => telegram_deep_link(bot, code),
        None => format!("/start {code}"),
    };
    let expires = expires_at
        .with_timezone(&vietnam())
        .format("%d/%m/%Y")
        .to_string();
    let args = [
        ("unit", Html::text(unit_name)),
        ("code", Html::text(code)),
        ("expires", Html::text(&expires)),
        ("link", Html::text(&link)),
    ];
    let mut reply = Reply::text(env.texts.fill(env.lang, K::InvitationCreated, &args));
    match crate::qr::qr_png(&link) {
        Ok(png) => {
            reply.image = Some(Attachment {
                // The unit's code, never the invitation's: file names end up in listings.
                file_name: format!("moi-{unit_code}.png"),
                bytes: png,
            })
        }
        Err(error) => tracing::warn!(%error, "no QR code for the invitation"),
    }
    reply
}

/// Tells the heads of `unit_code` (in their own language) that a member asked to leave.
async fn notify_unit(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
    name: &str,
) -> Result<(), StorageError> {
    let unit_name = crate::storage::units::unit_in_tx(tx, unit_code)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    for (channel, chat_id) in
        directory::unit_chats(tx, unit_code, &["village-head", "commune-official"]).await?
    {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let args = [("name", Html::text(name)), ("unit", Html::text(&unit_name))];
        let reply = Reply::text(env.texts.fill(lang, K::MemberAskedRemoval, &args));
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

/// Tells the officials of a village's commune that its team was submitted or changed (unless
/// they turned these notices off).
async fn notice_team_saved(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
    team: &crate::conversation::Draft,
) -> Result<(), StorageError> {
    let Some(village) = crate::storage::units::unit_in_tx(tx, unit_code).await? else {
        return Ok(());
    };
    let Some(commune) = village
        .parent_code
        .as_deref()
        .filter(|_| village.level == crate::domain::UnitLevel::Village)
    else {
        return Ok(());
    };
    for (channel, chat_id) in directory::unit_chats(tx, commune, &["commune-official"]).await? {
        if !directory::change_notices(tx, &channel, &chat_id).await? {
            continue;
        }
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let status_key = if team.decision.number.is_some() {
            K::StatusComplete
        } else {
            K::StatusNoDecision
        };
        let status = crate::i18n::to_plain(env.texts.template(lang, status_key));
        let args = [
            ("village", Html::text(&village.name)),
            ("members", Html::text(&team.members.len().to_string())),
            ("status", Html::text(&status)),
        ];
        let mut reply = Reply::text(env.texts.fill(lang, K::NoticeTeamSaved, &args));
        let off = crate::i18n::to_plain(env.texts.template(lang, K::ButtonNoticesOff));
        reply.buttons = vec![vec![crate::conversation::anytime_button(
            off,
            &crate::conversation::Action::NoticesOff,
        )]];
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_of_an_invitation_is_named_after_the_unit_never_the_code() {
        let texts = Texts::load().expect("texts");
        let chat = ChatKey::new("test", "1");
        let env = EffectEnv {
            chat: &chat,
            now: Utc::now(),
            texts: &texts,
            lang: Lang::Vi,
            bot_username: Some("cnscd_bot"),
        };
        let code = generate_code();

        let reply = invitation_reply(&env, "11083-01", "Thôn Đông Sơn", &code, Utc::now());

        let image = reply.image.expect("a QR picture");
        assert_eq!(image.file_name, "moi-11083-01.png");
        assert!(!image.file_name.contains(&code));
    }
}
