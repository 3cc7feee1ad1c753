//! The review's questions about one person: which field to change, "remove this member?".

use super::super::input::Action;
use super::super::state::{MemberField, Registration};
use super::super::turn::Turn;
use super::super::Button;
use super::ask::Question;
use super::{leader_questions, member_questions};
use crate::i18n::{Html, K};

/// "What do you want to change of X?": one button per field.
pub(super) fn choose_field(turn: &Turn<'_>, reg: &Registration) -> Question {
    let draft = &reg.draft;
    let (name, fields): (String, Vec<(MemberField, K)>) = if draft.editing_leader {
        let name = draft.leader_name.as_ref().map(|n| n.to_string());
        let fields = leader_questions::in_menu().collect();
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
