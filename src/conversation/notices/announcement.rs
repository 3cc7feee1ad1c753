//! An announcement as its recipients get it, with the button that says they got it, and
//! what pressing that button answers.

use super::super::{anytime_button, Action, Attachment, Reply};
use crate::domain::announcement::AnnouncementFile;
use crate::i18n::{Html, Lang, Texts, K};

/// What one announcement says, whoever it goes to.
#[derive(Debug, Clone, Copy)]
pub struct AnnouncementNotice<'a> {
    pub id: i64,
    /// The sender's area, by name (Xã Đại Sơn).
    pub from: &'a str,
    pub text: &'a str,
    pub file: Option<&'a AnnouncementFile>,
    /// The reminder sent to those who have not pressed "Got it".
    pub reminder: bool,
}

/// The message to a recipient: the text, the photo or file, and "👍 Got it".
pub fn announcement(texts: &Texts, lang: Lang, notice: &AnnouncementNotice<'_>) -> Reply {
    let key = if notice.reminder {
        K::AnnouncementReminder
    } else {
        K::AnnouncementMessage
    };
    let args = [
        ("from", Html::text(notice.from)),
        ("text", Html::text(notice.text)),
    ];
    let mut reply = Reply::text(texts.fill(lang, key, &args));
    if let Some(file) = notice.file {
        let attachment = Attachment {
            file_name: file.file_name.clone(),
            bytes: file.bytes.clone(),
            caption: None,
        };
        if file.photo {
            reply.image = Some(attachment);
        } else {
            reply.document = Some(attachment);
        }
    }
    let label = crate::i18n::to_plain(texts.template(lang, K::AnnouncementButtonAck));
    reply.buttons = vec![vec![anytime_button(
        label,
        &Action::AckAnnouncement(notice.id),
    )]];
    reply
}

/// What pressing "Got it" answers: thanks the first time, "recorded already" after, and a
/// refusal for an announcement that was not sent to this chat.
pub fn acknowledged(texts: &Texts, lang: Lang, ack: Acknowledged) -> Reply {
    let key = match ack {
        Acknowledged::First => K::AnnouncementAcknowledged,
        Acknowledged::Again => K::AnnouncementAcknowledgedAgain,
        Acknowledged::NotYours => K::AnnouncementNotYours,
    };
    Reply::text(texts.fill(lang, key, &[]))
}

/// What a press of "Got it" found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledged {
    First,
    Again,
    NotYours,
}
