//! What a resident's request for help says to the chats outside the turn that changed it:
//! the offer to the team, "taken by …" to the others, who helps to the resident, the
//! outcome with the rating, and the honest word when nobody can be reached.

use super::super::{anytime_button, Action, Reply};
use crate::i18n::{Html, Lang, Texts, K};

/// A request as the notices name it.
pub struct HelpNotice<'a> {
    pub id: i64,
    pub unit_name: &'a str,
    /// The need's name in the chat's language.
    pub need: &'a str,
    pub description: Option<&'a str>,
}

fn label(texts: &Texts, lang: Lang, key: K) -> String {
    crate::i18n::to_plain(texts.template(lang, key))
}

/// To a member or the head: a resident of their village asks for help, with "✋ Tôi nhận".
pub fn help_offer(texts: &Texts, lang: Lang, request: &HelpNotice<'_>) -> Reply {
    let args = [
        ("unit", Html::text(request.unit_name)),
        ("need", Html::text(request.need)),
        (
            "description",
            Html::text(request.description.unwrap_or("—")),
        ),
    ];
    let take = label(texts, lang, K::RequestButtonTake);
    Reply {
        buttons: vec![vec![anytime_button(take, &Action::HelpTake(request.id))]],
        ..Reply::text(texts.fill(lang, K::RequestOffer, &args))
    }
}

/// To the others it was offered to: `name` took it.
pub fn help_taken_by(texts: &Texts, lang: Lang, request: &HelpNotice<'_>, name: &str) -> Reply {
    let args = [
        ("name", Html::text(name)),
        ("unit", Html::text(request.unit_name)),
        ("need", Html::text(request.need)),
    ];
    Reply::text(texts.fill(lang, K::RequestTakenNotice, &args))
}

/// To the resident: who will help, with their number as tap-to-call when the team card
/// publishes it.
pub fn help_who_helps(
    texts: &Texts,
    lang: Lang,
    request: &HelpNotice<'_>,
    name: &str,
    phone: Option<&str>,
) -> Reply {
    let mut text = texts
        .fill(
            lang,
            K::RequestWhoHelps,
            &[
                ("name", Html::text(name)),
                ("need", Html::text(request.need)),
            ],
        )
        .into_string();
    if let Some(phone) = phone {
        let line = texts.fill(
            lang,
            K::RequestWhoHelpsPhone,
            &[("phone", Html::text(phone))],
        );
        text.push('\n');
        text.push_str(line.as_str());
    }
    Reply {
        callable: phone
            .map(|p| p.chars().filter(char::is_ascii_digit).collect())
            .into_iter()
            .collect(),
        ..Reply::text(Html::markup(text))
    }
}

/// To the resident: their request was closed as solved or not solved; rate it (once), or
/// reopen it within `reopen_days`.
pub fn help_closed(
    texts: &Texts,
    lang: Lang,
    request: &HelpNotice<'_>,
    solved: bool,
    reopen_days: u32,
) -> Reply {
    let key = if solved {
        K::RequestResidentSolved
    } else {
        K::RequestResidentUnsolved
    };
    let args = [
        ("need", Html::text(request.need)),
        ("days", Html::text(&reopen_days.to_string())),
    ];
    let stars = (1..=5)
        .map(|n| anytime_button(format!("⭐{n}"), &Action::HelpRate(request.id, n)))
        .collect();
    let reopen = label(texts, lang, K::RequestButtonReopen);
    Reply {
        buttons: vec![
            stars,
            vec![anytime_button(reopen, &Action::HelpReopen(request.id))],
        ],
        ..Reply::text(texts.fill(lang, key, &args))
    }
}

/// To the resident: the team marked it as not a real request.
pub fn help_closed_as_abuse(texts: &Texts, lang: Lang, request: &HelpNotice<'_>) -> Reply {
    let args = [("need", Html::text(request.need))];
    Reply::text(texts.fill(lang, K::RequestResidentAbuse, &args))
}

/// To the resident, after sending: nobody of the team can be reached in a chat now.
pub fn help_nobody_reachable(texts: &Texts, lang: Lang, unit_name: &str) -> Reply {
    let args = [("unit", Html::text(unit_name))];
    Reply::text(texts.fill(lang, K::RequestNobodyReachable, &args))
}
