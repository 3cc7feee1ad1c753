//! Applying the conversation core's effects inside the step's transaction. Some effects
//! answer the user too (an invitation's code), and a CSV import runs after the commit.

use chrono::{DateTime, Duration, Utc};

use super::context::chat_lang;
use super::ChatKey;
use crate::alerts::status_label;
use crate::clock::vietnam;
use crate::conversation::{Attachment, Effect, Reply};
use crate::domain::AccountRole;
use crate::i18n::{Html, Lang, Texts, K};
use crate::invitation::{generate_code, hash_code, telegram_deep_link};
use crate::status::{unit_status, TeamFacts};
use crate::storage::{
    accounts, audit::audit, directory, invitations, outbox, teams, Account, NewInvitation,
    StorageError, Tx,
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
    /// What the notices' team status is computed with.
    pub rules: &'a crate::domain::CompositionRules,
}

/// Work that must run after the step's transaction committed. Queued in the outbox with the
/// step's replies, so a crash before it ran loses nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    ImportVillages {
        commune: String,
        #[serde(with = "crate::base64_bytes")]
        csv: Vec<u8>,
    },
    Report {
        scope: String,
    },
}

#[derive(Default)]
pub(super) struct Applied {
    pub replies: Vec<Reply>,
    pub after: Vec<Job>,
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
    match effect {
        Effect::RedeemInvitation {
            code_sha256,
            role,
            unit_code,
        } => {
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
                audit(
                    tx,
                    &actor,
                    "invitation.redeemed",
                    Some(unit_code),
                    &serde_json::json!({ "role": role.code() }),
                    now,
                )
                .await?;
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
            teams::save_team(tx, unit_code, team, *based_on, now).await?;
            notice_team_saved(tx, env, unit_code, team).await?;
            let detail = serde_json::json!({ "members": team.members.len(), "decision": team.decision.number.is_some() });
            audit(tx, &actor, "team.registered", Some(unit_code), &detail, now).await?;
        }
        Effect::SetPhoneConsent { phone, granted } => {
            directory::set_phone_consent(tx, phone, *granted, now).await?;
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
            unit_code, name, ..
        } => {
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
            audit(
                tx,
                &actor,
                "invitation.created",
                Some(unit_code),
                &serde_json::json!({ "role": role.code() }),
                now,
            )
            .await?;
            applied
                .replies
                .push(invitation_reply(env, *role, unit_name, &code, expires_at));
        }
        Effect::SetChangeNotices { on } => {
            directory::set_change_notices(tx, env.chat.channel, &env.chat.id, *on).await?;
        }
        Effect::SendReport { scope } => {
            applied.after.push(Job::Report {
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

/// The code and, when the bot's username is known, its link with a QR code picture of that
/// link (captioned with whom it is for and until when), to forward to the person invited.
/// Without the username there is no link to put in a QR code: the code is typed instead.
fn invitation_reply(
    env: &EffectEnv<'_>,
    role: AccountRole,
    unit_name: &str,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Reply {
    let expires = expires_at
        .with_timezone(&vietnam())
        .format("%d/%m/%Y")
        .to_string();
    let Some(bot) = env.bot_username else {
        let args = [
            ("unit", Html::text(unit_name)),
            ("code", Html::text(code)),
            ("expires", Html::text(&expires)),
        ];
        return Reply::text(env.texts.fill(env.lang, K::InvitationCreatedNoLink, &args));
    };
    let link = telegram_deep_link(bot, code);
    let args = [
        ("unit", Html::text(unit_name)),
        ("code", Html::text(code)),
        ("expires", Html::text(&expires)),
        ("link", Html::text(&link)),
    ];
    let mut reply = Reply::text(env.texts.fill(env.lang, K::InvitationCreated, &args));
    match crate::qr::qr_png(&link) {
        Ok(png) => {
            let invitee = env.texts.get(env.lang, invitee_key(role));
            let mut args = args.to_vec();
            args.push(("invitee", invitee));
            let caption = env.texts.fill(env.lang, K::InvitationQrCaption, &args);
            reply.image = Some(Attachment {
                file_name: format!("moi-{code}.png"),
                bytes: png,
                caption: Some(crate::i18n::to_plain(caption.as_str())),
            })
        }
        Err(error) => tracing::warn!(%error, "no QR code for the invitation"),
    }
    reply
}

fn invitee_key(role: AccountRole) -> K {
    match role {
        AccountRole::VillageHead => K::InviteeVillageHead,
        AccountRole::CommuneOfficial => K::InviteeCommuneOfficial,
        AccountRole::DistrictOfficial => K::InviteeDistrictOfficial,
    }
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
    // The one status function, as reports and digests use it: "complete" needs the
    // decision's number, date and scan, and a team breaking the rules is incomplete.
    let roles = team.roles();
    let facts = TeamFacts {
        registered: true,
        roles: &roles,
        decision_number: team.decision.number.is_some(),
        decision_date: team.decision.date.is_some(),
        decision_scan: team.decision.file.is_some(),
    };
    let status = unit_status(env.rules, village.level, Some(&facts));
    for (channel, chat_id) in directory::unit_chats(tx, commune, &["commune-official"]).await? {
        if !directory::change_notices(tx, &channel, &chat_id).await? {
            continue;
        }
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let status = status_label(env.texts, lang, Some(&status));
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
