//! The review of the whole team: add, edit, remove, confirm.

use super::super::input::{Action, Input};
use super::super::state::{PendingMember, Registration, Step};
use super::super::summary::breach_text;
use super::super::turn::Turn;
use super::super::State;
use super::answer::refuse;
use super::flow::goto;
use super::{leader_questions, member_questions};
use crate::i18n::{Html, K};

/// The buttons of "add another?" and of the review.
pub fn choice(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let rules = super::rules(turn, &reg);
    let have = reg.draft.members.len();
    match (reg.step, &input) {
        (_, Input::Action(Action::AddMember)) if !rules.can_add_member(have) => {
            let why = turn.fill(
                K::TeamFull,
                &[("max", Html::text(&rules.max_members.to_string()))],
            );
            refuse(turn, reg, why)
        }
        (_, Input::Action(Action::AddMember)) => {
            reg.draft.editing = None;
            reg.step = Step::Member(super::member_questions::first());
            goto(turn, reg)
        }
        (Step::AddMore, Input::Action(Action::Done)) => {
            reg.draft.reviewed = true;
            reg.step = Step::Review;
            goto(turn, reg)
        }
        (Step::Review, Input::Action(Action::Edit)) => {
            reg.step = Step::ChooseEdit;
            goto(turn, reg)
        }
        (Step::Review, Input::Action(Action::Remove)) if have == 0 => {
            let why = turn.t(K::NothingToRemove);
            refuse(turn, reg, why)
        }
        (Step::Review, Input::Action(Action::Remove)) => {
            reg.step = Step::ChooseRemove;
            goto(turn, reg)
        }
        (Step::Review, Input::Action(Action::Confirm)) => confirm(turn, reg),
        _ => {
            let why = turn.t(K::ChooseFromButtons);
            refuse(turn, reg, why)
        }
    }
}

fn confirm(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    let breaches = super::rules(turn, &reg).breaches(&reg.draft.roles());
    if reg.draft.leader_name.is_none() || reg.draft.leader_phone.is_none() {
        let why = turn.t(K::LeaderMissing);
        return refuse(turn, reg, why);
    }
    if !breaches.is_empty() {
        let lines: Vec<String> = breaches
            .iter()
            .map(|b| breach_text(turn, b).into_string())
            .collect();
        let why = turn.fill(
            K::CannotConfirm,
            &[("reasons", Html::markup(lines.join("\n")))],
        );
        return refuse(turn, reg, why);
    }
    reg.step = Step::DecisionOffer;
    goto(turn, reg)
}

pub fn pick_member(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let count = reg.draft.members.len();
    let draft = &mut reg.draft;
    match (reg.step, input) {
        (Step::ChooseEdit, Input::Action(Action::EditWhich(0))) => {
            draft.editing_leader = true;
            reg.step = Step::ChooseField;
            goto(turn, reg)
        }
        (Step::ChooseEdit, Input::Action(Action::EditWhich(i))) if (1..=count).contains(&i) => {
            draft.pending = PendingMember::from_member(&draft.members[i - 1]);
            draft.editing = Some(i - 1);
            reg.step = Step::ChooseField;
            goto(turn, reg)
        }
        (Step::ChooseField, Input::Action(Action::EditField(field))) => {
            let step = if draft.editing_leader {
                leader_questions::matching(field).map(Step::Leader)
            } else {
                member_questions::in_menu()
                    .any(|(offered, _)| offered == field)
                    .then_some(Step::Member(field))
            };
            let Some(step) = step else {
                let why = turn.t(K::ChooseFromButtons);
                return refuse(turn, reg, why);
            };
            draft.single_field = true;
            reg.step = step;
            goto(turn, reg)
        }
        (Step::ChooseRemove, Input::Action(Action::RemoveWhich(i))) if (1..=count).contains(&i) => {
            draft.removing = Some(i - 1);
            reg.step = Step::ConfirmRemove;
            goto(turn, reg)
        }
        (Step::ConfirmRemove, Input::Action(Action::ConfirmRemoveMember)) => {
            match draft.removing.take().filter(|i| *i < count) {
                Some(i) => {
                    let removed = draft.members.remove(i);
                    let name = Html::text(removed.name.as_str());
                    let text = turn.fill(K::MemberRemoved, &[("name", name)]);
                    turn.say_html(text);
                }
                // Unreachable through the dialogue: nobody chosen, nobody removed.
                None => turn.say(K::NothingToRemove),
            }
            reg.step = Step::Review;
            goto(turn, reg)
        }
        _ => {
            let why = turn.t(K::ChooseFromButtons);
            refuse(turn, reg, why)
        }
    }
}
