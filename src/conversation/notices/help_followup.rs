//! What a help request's follow-ups say (`alerts::help` queues them): the reminder to the
//! team, the request given to the head and then to the commune's officials (with "✋ Tôi
//! nhận", since they may now take it), the owner's reminder and return, the team told it is
//! open again, and the resident told once it went to the commune.

use super::super::{anytime_button, Action, Reply};
use super::HelpNotice;
use crate::i18n::{Html, Lang, Texts, K};

/// Which follow-up message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpNotice {
    RemindTeam,
    EscalatedHead,
    EscalatedCommune,
    RemindOwner,
    ReturnedOwner,
    ReturnedTeam,
    ResidentPassedOn,
}

impl FollowUpNotice {
    const fn key(self) -> K {
        match self {
            FollowUpNotice::RemindTeam => K::HelpFollowupRemindTeam,
            FollowUpNotice::EscalatedHead => K::HelpFollowupEscalatedHead,
            FollowUpNotice::EscalatedCommune => K::HelpFollowupEscalatedCommune,
            FollowUpNotice::RemindOwner => K::HelpFollowupRemindOwner,
            FollowUpNotice::ReturnedOwner => K::HelpFollowupReturnedOwner,
            FollowUpNotice::ReturnedTeam => K::HelpFollowupReturnedTeam,
            FollowUpNotice::ResidentPassedOn => K::HelpFollowupResidentPassedOn,
        }
    }

    /// Whoever reads it may take the request now.
    const fn takes(self) -> bool {
        matches!(
            self,
            FollowUpNotice::EscalatedHead
                | FollowUpNotice::EscalatedCommune
                | FollowUpNotice::ReturnedTeam
        )
    }
}

/// The follow-up message `which` about `request`, in `lang`.
pub fn help_followup(
    texts: &Texts,
    lang: Lang,
    which: FollowUpNotice,
    request: &HelpNotice<'_>,
) -> Reply {
    let args = [
        ("village", Html::text(request.unit_name)),
        ("need", Html::text(request.need)),
        (
            "description",
            Html::text(request.description.unwrap_or("—")),
        ),
    ];
    let reply = Reply::text(texts.fill(lang, which.key(), &args));
    if !which.takes() {
        return reply;
    }
    let take = crate::i18n::to_plain(texts.template(lang, K::RequestButtonTake));
    Reply {
        buttons: vec![vec![anytime_button(take, &Action::HelpTake(request.id))]],
        ..reply
    }
}
