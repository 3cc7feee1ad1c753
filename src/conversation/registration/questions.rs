//! The questions added around the basic ones: the leader's consent, which field to change,
//! "remove this member?", and the founding decision offered again when one is registered.

use super::super::input::Action;
use super::super::state::{MemberField, Registration};
use super::super::turn::Turn;
use super::super::Button;
use super::ask::{by_level, Question};
use super::member_questions;
use crate::i18n::{Html, K};

/// Decree 13/2023: the leader's number is shown to residents only if the leader agrees; the
/// question says so, with the number.
pub(super) fn leader_consent(turn: &Turn<'_>, reg: &Registration) -> Question {
    let draft = &reg.draft;
    let phone = draft.leader_phone.as_ref().map(|p| p.national());
    let name = draft.leader_name.as_ref().map(|n| n.to_string());
    let args = [
        ("phone", Html::text(phone.as_deref().unwrap_or(""))),
        ("name", Html::text(name.as_deref().unwrap_or(""))),
    ];
    let key = by_level(reg, K::AskLeaderConsent, K::AskLeaderConsentCommune);
    Question {
        current: draft.leader_consent_answered.then(|| {
            turn.label(match draft.leader_consent {
                Some(_) => K::ConsentGiven,
                None => K::ConsentNotGiven,
            })
        }),
        choices: vec![vec![
            turn.button(K::ButtonConsentYes, &Action::ConsentYes.payload()),
            turn.button(K::ButtonConsentNo, &Action::ConsentNo.payload()),
        ]],
        ..Question::new(turn.fill(key, &args))
    }
}

/// "What do you want to change of X?": one button per field.
pub(super) fn choose_field(turn: &Turn<'_>, reg: &Registration) -> Question {
    let draft = &reg.draft;
    let (name, fields): (String, Vec<(MemberField, K)>) = if draft.editing_leader {
        let name = draft.leader_name.as_ref().map(|n| n.to_string());
        let fields = member_questions::in_menu()
            .filter(|(field, _)| member_questions::leader_step(*field).is_some())
            .collect();
        (name.unwrap_or_default(), fields)
    } else {
        let name = draft.pending.name.as_ref().map(|n| n.to_string());
        (
            name.unwrap_or_default(),
            member_questions::in_menu().collect(),
        )
    };
    let buttons: Vec<Button> = fields
        .into_iter()
        .map(|(field, label)| turn.button(label, &Action::EditField(field).payload()))
        .collect();
    Question {
        choices: buttons.chunks(2).map(<[Button]>::to_vec).collect(),
        ..Question::new(turn.fill(K::AskWhichField, &[("name", Html::text(&name))]))
    }
}

pub(super) fn confirm_remove(turn: &Turn<'_>, reg: &Registration) -> Question {
    let draft = &reg.draft;
    let member = draft.removing.and_then(|i| draft.members.get(i));
    let name = member.map_or(String::new(), |m| m.name.to_string());
    Question {
        choices: vec![vec![turn.button(
            K::ButtonConfirmRemoveMember,
            &Action::ConfirmRemoveMember.payload(),
        )]],
        ..Question::new(turn.fill(K::AskConfirmRemove, &[("name", Html::text(&name))]))
    }
}

/// Whether the team has a founding decision; a team that has one keeps it with one tap.
pub(super) fn decision_offer(turn: &Turn<'_>, reg: &Registration) -> Question {
    let decision = &reg.draft.decision;
    if let (Some(number), Some(date)) = (&decision.number, decision.date) {
        let args = [
            ("number", Html::text(number.as_str())),
            ("date", Html::text(&date.format("%d/%m/%Y").to_string())),
        ];
        return Question {
            choices: vec![vec![
                turn.button(K::ButtonKeep, &Action::Keep.payload()),
                turn.button(K::ButtonChangeDecision, &Action::DecisionYes.payload()),
            ]],
            ..Question::new(turn.fill(K::AskDecisionKeep, &args))
        };
    }
    Question {
        choices: vec![vec![
            turn.button(K::ButtonDecisionYes, &Action::DecisionYes.payload()),
            turn.button(K::ButtonDecisionNo, &Action::DecisionNo.payload()),
        ]],
        ..Question::new(turn.t(K::AskDecisionOffer))
    }
}
