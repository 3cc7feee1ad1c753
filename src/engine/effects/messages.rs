//! Where the messages of effects go: the invitation to its maker, and notices queued for
//! other chats (a member asked to leave, a village team changed), each in the language of
//! the chat it goes to. Their words are the conversation's ([`notices`]).

use chrono::{DateTime, Utc};

use super::EffectEnv;
use crate::conversation::{notices, Reply};
use crate::domain::status::{unit_status, TeamFacts};
use crate::domain::AccountRole;
use crate::storage::sessions::chat_lang;
use crate::storage::{directory, outbox, StorageError, Tx};

/// The invitation as its maker receives it (see [`notices::invitation`]).
pub(super) fn invitation_reply(
    env: &EffectEnv<'_>,
    role: AccountRole,
    unit_code: &str,
    unit_name: &str,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Reply {
    let links = notices::InvitationLinks {
        made_on: env.chat.channel.as_str(),
        bot_username: env.bot_username,
        typed_codes: env
            .typed_codes
            .map(|(channel, url)| (channel.as_str(), url)),
    };
    let invited = notices::InvitationNotice {
        role,
        unit_code,
        unit_name,
        code,
        expires_at,
    };
    notices::invitation(env.texts, env.lang, &links, &invited)
}

/// Tells the heads of `unit_code` (in their own language) that a member asked to leave.
pub(super) async fn notify_unit(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
    name: &str,
) -> Result<(), StorageError> {
    let unit_name = crate::storage::units::unit_in_tx(tx, unit_code)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    for (channel, chat_id) in directory::unit_chats(
        tx,
        unit_code,
        &[AccountRole::VillageHead, AccountRole::CommuneOfficial],
    )
    .await?
    {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let reply = notices::member_asked_removal(env.texts, lang, name, &unit_name);
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

/// Asks the heads of `unit_code` (and its commune's officials) to correct what the team lists
/// about `name`, by `due`.
pub(super) async fn ask_correction(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
    name: &str,
    due: chrono::NaiveDate,
) -> Result<(), StorageError> {
    let unit_name = crate::storage::units::unit_in_tx(tx, unit_code)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let due = due.format("%d/%m/%Y").to_string();
    for (channel, chat_id) in head_chats(tx, unit_code).await? {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let reply = notices::member_asked_correction(env.texts, lang, name, &unit_name, &due);
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

/// Tells the heads of `unit_code` (and its commune's officials) that a member erased their
/// data, without naming them.
pub(super) async fn tell_erased(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
) -> Result<(), StorageError> {
    let unit_name = crate::storage::units::unit_in_tx(tx, unit_code)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    for (channel, chat_id) in head_chats(tx, unit_code).await? {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let reply = notices::member_erased_themselves(env.texts, lang, &unit_name);
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

async fn head_chats(
    tx: &mut Tx<'_>,
    unit_code: &str,
) -> Result<Vec<(String, String)>, StorageError> {
    directory::unit_chats(
        tx,
        unit_code,
        &[AccountRole::VillageHead, AccountRole::CommuneOfficial],
    )
    .await
}

/// The village of `unit_code` and its commune's code; `None` if the unit is not a village
/// with a commune.
async fn village_and_commune(
    tx: &mut Tx<'_>,
    unit_code: &str,
) -> Result<Option<(crate::storage::Unit, String)>, StorageError> {
    let Some(village) = crate::storage::units::unit_in_tx(tx, unit_code).await? else {
        return Ok(None);
    };
    if village.level != crate::domain::UnitLevel::Village {
        return Ok(None);
    }
    Ok(village
        .parent_code
        .clone()
        .map(|commune| (village, commune)))
}

/// Tells the officials of a village's commune that its team was submitted or changed (unless
/// they turned these notices off).
pub(super) async fn notice_team_saved(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
    team: &crate::domain::Team,
) -> Result<(), StorageError> {
    let Some((village, commune)) = village_and_commune(tx, unit_code).await? else {
        return Ok(());
    };
    // The one status function, as reports and digests use it: "complete" needs the
    // decision's number, date and scan, and a team breaking the rules is incomplete.
    let roles = team.roles();
    let facts = TeamFacts {
        registered: true,
        leader: team.leader_name.is_some() && team.leader_phone.is_some(),
        roles: &roles,
        decision_number: team.decision.number.is_some(),
        decision_date: team.decision.date.is_some(),
        decision_scan: team.decision.file.as_ref().is_some_and(|f| f.kept),
    };
    let status = unit_status(env.rules, village.level, Some(&facts));
    for (channel, chat_id) in
        directory::unit_chats(tx, &commune, &[AccountRole::CommuneOfficial]).await?
    {
        if !directory::change_notices(tx, &channel, &chat_id).await? {
            continue;
        }
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let members = team.members.len();
        let reply = notices::team_saved(env.texts, lang, &village.name, members, &status);
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

/// Sends the commune's officials the founding decision drafted for a village team just
/// registered without one (the DOCX, in the step's transaction: once per registration).
/// A team that cannot be drafted (not a village's) sends nothing; a document that cannot
/// be written is logged and the save goes on.
pub(super) async fn send_decision_draft(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    unit_code: &str,
) -> Result<(), StorageError> {
    use crate::report::decision::{decision_docx, draft_of, DecisionError};
    let Some((village, commune)) = village_and_commune(tx, unit_code).await? else {
        return Ok(());
    };
    let chats = directory::unit_chats(tx, &commune, &[AccountRole::CommuneOfficial]).await?;
    if chats.is_empty() {
        return Ok(());
    }
    let docx = match draft_of(tx, env.texts, unit_code).await {
        Ok(drafted) => decision_docx(&drafted.draft, env.decision_template),
        Err(error) => Err(error),
    };
    let docx = match docx {
        Ok(docx) => docx,
        Err(DecisionError::Storage(error)) => return Err(error),
        Err(error) => {
            tracing::error!(%error, unit_code, "the founding decision was not drafted");
            return Ok(());
        }
    };
    let file_name = format!("du-thao-quyet-dinh-{unit_code}.docx");
    for (channel, chat_id) in chats {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let reply = notices::decision_draft(
            env.texts,
            lang,
            &village.name,
            docx.clone(),
            file_name.clone(),
        );
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

/// The province a unit lies in (the unit itself if it is one); `None` if it has none.
async fn province_of(tx: &mut Tx<'_>, code: &str) -> Result<Option<String>, StorageError> {
    let mut code = code.to_owned();
    // A unit is at most a few levels deep; the bound keeps a corrupt loop from spinning.
    for _ in 0..8 {
        let Some(unit) = crate::storage::units::unit_in_tx(tx, &code).await? else {
            return Ok(None);
        };
        if unit.level == crate::domain::UnitLevel::Province {
            return Ok(Some(unit.code));
        }
        let Some(parent) = unit.parent_code else {
            return Ok(None);
        };
        code = parent;
    }
    Ok(None)
}

/// Tells the officials of the commune's province (a district between them decides
/// nothing) that the commune submitted its report, with its figures and the buttons that
/// approve or return this version.
pub(super) async fn notice_period_submitted(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    commune: &str,
    period: crate::domain::Period,
    version: i64,
) -> Result<(), StorageError> {
    let Some(province) = province_of(tx, commune).await? else {
        return Ok(());
    };
    let name = crate::storage::units::unit_in_tx(tx, commune)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let figures = super::super::lookups::period_view(tx, commune, period).await?;
    let submissions = figures.report.as_ref().map_or(1, |r| r.submissions);
    let report = notices::SubmittedReport {
        commune_code: commune,
        commune: &name,
        period,
        version,
        submissions,
        figures: &figures,
    };
    for (channel, chat_id) in
        directory::unit_chats(tx, &province, &[AccountRole::ProvinceOfficial]).await?
    {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let reply = notices::period_submitted(env.texts, lang, &report);
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}

/// Tells the commune's officials that the province approved its report (the period is
/// locked) or returned it (`reason`).
pub(super) async fn notice_period_decided(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    commune: &str,
    period: crate::domain::Period,
    reason: Option<&str>,
) -> Result<(), StorageError> {
    let name = crate::storage::units::unit_in_tx(tx, commune)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    for (channel, chat_id) in
        directory::unit_chats(tx, commune, &[AccountRole::CommuneOfficial]).await?
    {
        let lang = chat_lang(tx, &channel, &chat_id).await?;
        let reply = match reason {
            Some(reason) => notices::period_returned(env.texts, lang, &name, period, reason),
            None => notices::period_approved(env.texts, lang, &name, period),
        };
        outbox::enqueue(tx, &channel, &chat_id, &reply, None, env.now).await?;
    }
    Ok(())
}
