//! An invitation as its maker receives it: the code and, where the bot can be reached by a
//! link, that link with a QR code picture of it, to forward to the person invited.

use chrono::{DateTime, Utc};

use super::super::{Attachment, Reply};
use crate::chat::telegram_deep_link;
use crate::clock::vietnam;
use crate::domain::AccountRole;
use crate::i18n::{Html, Lang, Texts, K};

/// Where an invitation can be used.
#[derive(Debug, Clone, Copy)]
pub struct InvitationLinks<'a> {
    /// The channel of the chat that made the invitation.
    pub made_on: &'a str,
    /// The bot's Telegram username, when known: its links carry the code.
    pub bot_username: Option<&'a str>,
    /// The channel where codes are sent as messages (no link carries them), and the link
    /// that opens the bot there.
    pub typed_codes: Option<(&'a str, &'a str)>,
}

/// What was invited.
#[derive(Debug, Clone, Copy)]
pub struct InvitationNotice<'a> {
    pub role: AccountRole,
    pub unit_code: &'a str,
    pub unit_name: &'a str,
    pub code: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// The code and, when the bot's username is known, its link with a QR code picture of that
/// link (captioned with whom it is for and until when). Without the username there is no
/// link to put in a QR code: the code is typed instead.
pub fn invitation(
    texts: &Texts,
    lang: Lang,
    links: &InvitationLinks<'_>,
    invited: &InvitationNotice<'_>,
) -> Reply {
    let expires = invited
        .expires_at
        .with_timezone(&vietnam())
        .format("%d/%m/%Y")
        .to_string();
    let mut args = vec![
        ("unit", Html::text(invited.unit_name)),
        ("code", Html::text(invited.code)),
        ("expires", Html::text(&expires)),
        ("invitee", texts.get(lang, invitee_key(invited.role))),
    ];
    // Made in a Zalo chat, it is most likely used on Zalo: the code is sent as a message to
    // the Official Account, whose link the QR code holds (no link carries a code there).
    let typed_here = links
        .typed_codes
        .is_some_and(|(channel, _)| channel == links.made_on);
    let home = links.typed_codes.map(|(_, url)| url);
    let (text_key, caption_key, link) = match (typed_here, home, links.bot_username) {
        (true, Some(oa), _) => (
            K::InvitationCreatedZalo,
            K::InvitationQrCaptionZalo,
            oa.to_owned(),
        ),
        (_, _, Some(bot)) => (
            K::InvitationCreated,
            K::InvitationQrCaption,
            telegram_deep_link(bot, invited.code),
        ),
        (_, Some(oa), None) => (
            K::InvitationCreatedZalo,
            K::InvitationQrCaptionZalo,
            oa.to_owned(),
        ),
        (_, None, None) => return Reply::text(texts.fill(lang, K::InvitationCreatedNoLink, &args)),
    };
    args.push(("link", Html::text(&link)));
    let mut text = texts.fill(lang, text_key, &args);
    if let (Some(oa), K::InvitationCreated) = (home, text_key) {
        let mut zalo_args = args.clone();
        zalo_args.retain(|(name, _)| *name != "link");
        zalo_args.push(("link", Html::text(oa)));
        let also = texts.fill(lang, K::InvitationAlsoOnZalo, &zalo_args);
        text = Html::markup(format!("{}\n{}", text.as_str(), also.as_str()));
    }
    let mut reply = Reply::text(text);
    match crate::qr::qr_png(&link) {
        Ok(png) => {
            let caption = texts.fill(lang, caption_key, &args);
            reply.image = Some(Attachment {
                // The unit's code, never the invitation's: file names end up in listings.
                file_name: format!("moi-{}.png", invited.unit_code),
                bytes: png,
                caption: Some(crate::i18n::to_plain(caption.as_str())),
            })
        }
        Err(error) => tracing::warn!(%error, "no QR code for the invitation"),
    }
    reply
}

pub(crate) fn invitee_key(role: AccountRole) -> K {
    match role {
        AccountRole::VillageHead => K::InviteeVillageHead,
        AccountRole::CommuneOfficial => K::InviteeCommuneOfficial,
        AccountRole::DistrictOfficial => K::InviteeDistrictOfficial,
        AccountRole::ProvinceOfficial => K::InviteeProvinceOfficial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invitation_code::generate_code;

    const OA: &str = "https://zalo.me/4313572100982173421";

    fn made_on(channel: &str, typed_codes: Option<(&str, &str)>, code: &str) -> Reply {
        let texts = Texts::load().expect("texts");
        let links = InvitationLinks {
            made_on: channel,
            bot_username: Some("cnscd_bot"),
            typed_codes,
        };
        let invited = InvitationNotice {
            role: AccountRole::VillageHead,
            unit_code: "11083-01",
            unit_name: "Thôn Đông Sơn",
            code,
            expires_at: Utc::now(),
        };
        invitation(&texts, Lang::Vi, &links, &invited)
    }

    #[test]
    fn the_picture_of_an_invitation_is_named_after_the_unit_never_the_code() {
        let code = generate_code();

        let reply = made_on("test", None, &code);

        let image = reply.image.expect("a QR picture");
        assert_eq!(image.file_name, "moi-11083-01.png");
        assert!(!image.file_name.contains(&code));
    }

    #[test]
    fn an_invitation_made_where_codes_are_typed_shows_the_bots_link_and_a_qr_captioned_with_the_code(
    ) {
        let reply = made_on("zalo", Some(("zalo", OA)), "8JbtQs4GuC2cLA1H0PXRkUQv");
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
        let reply = made_on("telegram", Some(("zalo", OA)), "8JbtQs4GuC2cLA1H0PXRkUQv");
        let text = reply.text.as_str();
        assert!(
            text.contains("https://t.me/cnscd_bot?start=8JbtQs4GuC2cLA1H0PXRkUQv"),
            "{text}"
        );
        assert!(text.contains(OA), "the Zalo line: {text}");
    }
}
