//! The messages effects send: an invitation with its link and QR code, and notices queued
//! for other chats (a member asked to leave, a village team changed).

use chrono::{DateTime, Utc};

use super::super::context::chat_lang;
use super::EffectEnv;
use crate::clock::vietnam;
use crate::conversation::{Attachment, Reply};
use crate::domain::AccountRole;
use crate::i18n::{Html, K};
use crate::invitation::telegram_deep_link;
use crate::status::{unit_status, TeamFacts};
use crate::storage::{directory, outbox, StorageError, Tx};
use crate::wording::status_label;

/// The code and, when the bot's username is known, its link with a QR code picture of that
/// link (captioned with whom it is for and until when), to forward to the person invited.
/// Without the username there is no link to put in a QR code: the code is typed instead.
pub(super) fn invitation_reply(
    env: &EffectEnv<'_>,
    role: AccountRole,
    unit_code: &str,
    unit_name: &str,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Reply {
    let expires = expires_at
        .with_timezone(&vietnam())
        .format("%d/%m/%Y")
        .to_string();
    let mut args = vec![
        ("unit", Html::text(unit_name)),
        ("code", Html::text(code)),
        ("expires", Html::text(&expires)),
        ("invitee", env.texts.get(env.lang, invitee_key(role))),
    ];
    // Made in a Zalo chat, it is most likely used on Zalo: the code is sent as a message to
    // the Official Account, whose link the QR code holds (no link carries a code there).
    let typed_here = env
        .typed_codes
        .is_some_and(|(channel, _)| channel == env.chat.channel);
    let home = env.typed_codes.map(|(_, url)| url);
    let (text_key, caption_key, link) = match (typed_here, home, env.bot_username) {
        (true, Some(oa), _) => (
            K::InvitationCreatedZalo,
            K::InvitationQrCaptionZalo,
            oa.to_owned(),
        ),
        (_, _, Some(bot)) => (
            K::InvitationCreated,
            K::InvitationQrCaption,
            telegram_deep_link(bot, code),
        ),
        (_, Some(oa), None) => (
            K::InvitationCreatedZalo,
            K::InvitationQrCaptionZalo,
            oa.to_owned(),
        ),
        (_, None, None) => {
            return Reply::text(env.texts.fill(env.lang, K::InvitationCreatedNoLink, &args))
        }
    };
    args.push(("link", Html::text(&link)));
    let mut text = env.texts.fill(env.lang, text_key, &args);
    if let (Some(oa), K::InvitationCreated) = (home, text_key) {
        let mut zalo_args = args.clone();
        zalo_args.retain(|(name, _)| *name != "link");
        zalo_args.push(("link", Html::text(oa)));
        let also = env
            .texts
            .fill(env.lang, K::InvitationAlsoOnZalo, &zalo_args);
        text = Html::markup(format!("{}\n{}", text.as_str(), also.as_str()));
    }
    let mut reply = Reply::text(text);
    match crate::qr::qr_png(&link) {
        Ok(png) => {
            let caption = env.texts.fill(env.lang, caption_key, &args);
            reply.image = Some(Attachment {
                // The unit's code, never the invitation's: file names end up in listings.
                file_name: format!("moi-{unit_code}.png"),
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
        AccountRole::ProvinceOfficial => K::InviteeProvinceOfficial,
    }
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
    team: &crate::domain::Team,
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
    for (channel, chat_id) in
        directory::unit_chats(tx, commune, &[AccountRole::CommuneOfficial]).await?
    {
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
        let rules = crate::domain::CompositionRules::default_rules().expect("rules");
        let env = EffectEnv {
            chat: &chat,
            now: Utc::now(),
            texts: &texts,
            lang: Lang::Vi,
            bot_username: Some("cnscd_bot"),
            typed_codes: None,
            rules: &rules,
        };
        let code = generate_code();

        let reply = invitation_reply(
            &env,
            AccountRole::VillageHead,
            "11083-01",
            "Thôn Đông Sơn",
            &code,
            Utc::now(),
        );

        let image = reply.image.expect("a QR picture");
        assert_eq!(image.file_name, "moi-11083-01.png");
        assert!(!image.file_name.contains(&code));
    }

    const OA: &str = "https://zalo.me/4313572100982173421";

    fn invitation_in(channel: &'static str) -> crate::conversation::Reply {
        let texts = Texts::load().expect("texts");
        let chat = ChatKey::new(channel, "1");
        let rules = crate::domain::CompositionRules::default_rules().expect("rules");
        let env = EffectEnv {
            chat: &chat,
            now: Utc::now(),
            texts: &texts,
            lang: Lang::Vi,
            bot_username: Some("cnscd_bot"),
            typed_codes: Some(("zalo", OA)),
            rules: &rules,
        };
        let code = "8JbtQs4GuC2cLA1H0PXRkUQv";
        invitation_reply(
            &env,
            AccountRole::VillageHead,
            "11083-01",
            "Thôn Đông Sơn",
            code,
            Utc::now(),
        )
    }

    #[test]
    fn an_invitation_made_where_codes_are_typed_shows_the_bots_link_and_a_qr_captioned_with_the_code(
    ) {
        let reply = invitation_in("zalo");
        assert!(reply.text.as_str().contains(OA), "{:?}", reply.text);
        assert!(!reply.text.as_str().contains("t.me"), "{:?}", reply.text);
        let image = reply.image.expect("a QR picture");
        assert_eq!(Some(image.bytes), crate::qr::qr_png(OA).ok());
        assert!(image
            .caption
            .expect("caption")
            .contains("8JbtQs4GuC2cLA1H0PXRkUQv"));
    }

    #[test]
    fn an_invitation_made_on_telegram_links_there_and_says_how_to_use_it_on_zalo() {
        let reply = invitation_in("telegram");
        let text = reply.text.as_str();
        assert!(
            text.contains("https://t.me/cnscd_bot?start=8JbtQs4GuC2cLA1H0PXRkUQv"),
            "{text}"
        );
        assert!(text.contains(OA), "the Zalo line: {text}");
    }
}
