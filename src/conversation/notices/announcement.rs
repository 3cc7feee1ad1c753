//! An announcement as its recipients get it, with the button that says they got it, and
//! what pressing that button answers.

use super::super::{anytime_button, Action, Attachment, Reply};
use crate::domain::announcement::{AnnouncementFile, Counts};
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

/// To the sender: what was queued, and who cannot be reached, by why.
pub fn announcement_queued(
    texts: &Texts,
    lang: Lang,
    reachable: usize,
    unreachable: &[(crate::domain::announcement::Unreachable, usize)],
) -> Reply {
    let not: usize = unreachable.iter().map(|(_, n)| n).sum();
    let args = [
        ("reachable", Html::text(&reachable.to_string())),
        ("unreachable", Html::text(&not.to_string())),
        (
            "why",
            crate::wording::unreachable_reasons(texts, lang, unreachable),
        ),
    ];
    Reply::text(texts.fill(lang, K::AnnounceQueued, &args))
}

/// To the sender: where their last announcements stand, each with "🔔 Remind" while some
/// reachable person has not pressed "Got it".
pub fn announcement_status(texts: &Texts, lang: Lang, all: &[Counts]) -> Reply {
    if all.is_empty() {
        return Reply::text(texts.fill(lang, K::AnnounceStatusNone, &[]));
    }
    let mut blocks = Vec::new();
    let mut buttons = Vec::new();
    for counts in all {
        let not: usize = counts.unreachable.values().map(Vec::len).sum();
        let day = counts.created_at.get(..10).unwrap_or_default();
        let args = [
            ("id", Html::text(&counts.id.to_string())),
            ("day", Html::text(day)),
            ("first", Html::text(&counts.first_line)),
            ("total", Html::text(&counts.recipients.to_string())),
            ("queued", Html::text(&counts.queued.to_string())),
            ("sent", Html::text(&counts.sent.to_string())),
            ("acknowledged", Html::text(&counts.acknowledged.to_string())),
            ("unreachable", Html::text(&not.to_string())),
        ];
        let mut block = texts.fill(lang, K::AnnounceStatusItem, &args).into_string();
        for (why, names) in &counts.unreachable {
            let args = [
                (
                    "reason",
                    texts.fill(lang, crate::wording::unreachable_key(*why), &[]),
                ),
                ("count", Html::text(&names.len().to_string())),
                ("names", Html::text(&names.join(", "))),
            ];
            block.push('\n');
            block.push_str(texts.fill(lang, K::AnnounceStatusReason, &args).as_str());
        }
        blocks.push(block);
        let waiting = counts.queued + counts.sent;
        if counts.acknowledged < waiting {
            let label = texts.fill(
                lang,
                K::AnnounceButtonRemind,
                &[("id", Html::text(&counts.id.to_string()))],
            );
            buttons.push(vec![anytime_button(
                crate::i18n::to_plain(label.as_str()),
                &Action::RemindAnnouncement(counts.scope_code.clone(), counts.id),
            )]);
        }
    }
    let mut reply = Reply::text(Html::markup(blocks.join("\n\n")));
    reply.buttons = buttons;
    reply
}

/// To the sender: the reminder queued, or why not.
pub fn announcement_reminded(texts: &Texts, lang: Lang, outcome: Reminder) -> Reply {
    let text = match outcome {
        Reminder::Queued(n) => texts.fill(
            lang,
            K::AnnounceReminded,
            &[("count", Html::text(&n.to_string()))],
        ),
        Reminder::TooSoon(from) => texts.fill(
            lang,
            K::AnnounceRemindTooSoon,
            &[(
                "time",
                Html::text(&from.format("%H:%M %d/%m/%Y").to_string()),
            )],
        ),
        Reminder::NotFound => texts.fill(lang, K::AnnounceNotFound, &[]),
    };
    Reply::text(text)
}

/// What a reminder came to, for [`announcement_reminded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    Queued(usize),
    /// Reminded today already: possible again from then (Vietnam time).
    TooSoon(chrono::DateTime<chrono::FixedOffset>),
    NotFound,
}
