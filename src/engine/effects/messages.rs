//! The messages effects send: an invitation with its link and QR code, and notices queued
//! for other chats (a member asked to leave, a village team changed).

use chrono::{DateTime, Utc};

use super::super::context::chat_lang;
use super::EffectEnv;
use crate::clock::vietnam;
use crate::conversation::{Attachment, Reply};
use crate::i18n::{Html, K};
use crate::invitation::telegram_deep_link;
use crate::storage::{directory, outbox, StorageError, Tx};

/// The code, its link and a QR code picture of the link, to forward to the person invited.
pub(super) fn invitation_reply(
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
pub(super) async fn notice_team_saved(
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
    use crate::engine::ChatKey;
    use crate::i18n::{Lang, Texts};
    use crate::invitation::generate_code;

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
