//! Which question comes next and which came before.

use super::super::state::{Draft, LeaderField, PendingMember, Registration, Step, Team, TeamLevel};
use super::super::turn::Turn;
use super::super::State;
use super::member_questions;
use super::save::{published_on_head_word, save};
use super::{ask, rules};
use crate::i18n::{Html, K};

/// Starts a registration: from scratch, or at the review of the team already registered.
pub fn begin(turn: &mut Turn<'_>, level: TeamLevel, existing: Option<(Team, i64)>) -> State {
    let reg = match existing {
        Some((team, version)) => {
            let head_word_before = published_on_head_word(&team, true)
                .map(|(_, phone)| phone.clone())
                .collect();
            Registration {
                head_word_before,
                step: Step::Review,
                draft: Draft::from_team(&team),
                level,
                based_on: Some(version),
                ..Registration::default()
            }
        }
        None => {
            let reg = Registration {
                level,
                ..Registration::default()
            };
            let rules = rules(turn, &reg);
            let intro = match level {
                TeamLevel::Village => K::RegistrationIntro,
                TeamLevel::Commune => K::RegistrationIntroCommune,
            };
            let text = turn.fill(
                intro,
                &[
                    ("min", Html::text(&rules.min_members.to_string())),
                    ("max", Html::text(&rules.max_members.to_string())),
                ],
            );
            turn.say_html(text);
            reg
        }
    };
    goto(turn, reg)
}

/// Asks the current question of `reg` and stays in it.
pub fn goto(turn: &mut Turn<'_>, reg: Registration) -> State {
    ask(turn, &reg);
    State::Registering(Box::new(reg))
}

/// The step's answer is in the draft: move on.
pub fn advance(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    reg.diacritics_asked = false;
    if reg.draft.single_field && ends_field(&reg) {
        return finish_field(turn, reg);
    }
    let draft = &mut reg.draft;
    reg.step = match reg.step {
        Step::Leader(field) => match field.next() {
            Some(next) => Step::Leader(next),
            None if draft.editing_leader => {
                draft.editing_leader = false;
                Step::Review
            }
            None if draft.reviewed => Step::Review,
            None => Step::Member(member_questions::first()),
        },
        Step::Member(field) => match member_questions::after(field, &draft.pending) {
            Some(next) => Step::Member(next),
            None => return commit_member(turn, reg),
        },
        Step::Decision(field) => match field.next() {
            Some(next) => Step::Decision(next),
            None => return save(turn, reg),
        },
        // Choices: their buttons say where to go; no typed answer moves them on. Listed one
        // by one, so that a new question cannot be forgotten here and repeat forever.
        step @ (Step::AddMore
        | Step::Review
        | Step::ChooseEdit
        | Step::ChooseRemove
        | Step::DecisionOffer
        | Step::ChooseField
        | Step::ConfirmRemove) => step,
    };
    goto(turn, reg)
}

/// Whether the answered step completes the one field being changed ("Other" still needs
/// its free text).
fn ends_field(reg: &Registration) -> bool {
    match reg.step {
        Step::Member(field) => member_questions::ends_change(field, &reg.draft.pending),
        Step::Leader(_) => true,
        // Not changed from the "change" menu.
        Step::Decision(_)
        | Step::AddMore
        | Step::Review
        | Step::ChooseEdit
        | Step::ChooseRemove
        | Step::DecisionOffer
        | Step::ChooseField
        | Step::ConfirmRemove => false,
    }
}

/// One field changed: the person is saved and the head is back at the review.
fn finish_field(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    reg.draft.single_field = false;
    if reg.draft.editing_leader {
        reg.draft.editing_leader = false;
        reg.step = Step::Review;
        return goto(turn, reg);
    }
    commit_member(turn, reg)
}

fn commit_member(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    let draft = &mut reg.draft;
    let Some(member) = draft.pending.complete() else {
        // Unreachable through the dialogue; recover by asking for the first missing answer.
        reg.step = Step::Member(member_questions::first());
        return goto(turn, reg);
    };
    let name = member.name.to_string();
    match draft.editing.take() {
        Some(i) if i < draft.members.len() => draft.members[i] = member,
        _ => draft.members.push(member),
    }
    draft.pending = PendingMember::default();
    draft.single_field = false;
    reg.step = if draft.reviewed {
        Step::Review
    } else {
        Step::AddMore
    };
    let text = turn.fill(K::MemberSaved, &[("name", Html::text(&name))]);
    turn.say_html(text);
    goto(turn, reg)
}

/// "Back": the previous question, its answer kept.
pub fn back(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    reg.diacritics_asked = false;
    if reg.draft.single_field && !goes_with_the_one_before(reg.step) {
        return back_to_fields(turn, reg);
    }
    let draft = &mut reg.draft;
    reg.step = match reg.step {
        Step::Leader(field) => match field.previous() {
            Some(previous) => Step::Leader(previous),
            None if draft.editing_leader => {
                draft.editing_leader = false;
                Step::Review
            }
            None => {
                turn.say(K::NoPreviousQuestion);
                Step::Leader(field)
            }
        },
        Step::Member(field) => match member_questions::before(field, &draft.pending) {
            Some(previous) => Step::Member(previous),
            None => back_from_first_member_question(draft),
        },
        Step::AddMore => match draft.members.pop() {
            Some(last) => {
                draft.pending = PendingMember::from_member(&last);
                Step::Member(member_questions::last(&draft.pending))
            }
            None => last_leader_question(),
        },
        Step::Review => Step::AddMore,
        Step::ChooseField => {
            draft.editing = None;
            draft.editing_leader = false;
            draft.pending = PendingMember::default();
            Step::Review
        }
        Step::ConfirmRemove => {
            draft.removing = None;
            Step::ChooseRemove
        }
        Step::ChooseEdit | Step::ChooseRemove | Step::DecisionOffer => Step::Review,
        Step::Decision(field) => match field.previous() {
            Some(previous) => Step::Decision(previous),
            None => Step::DecisionOffer,
        },
    };
    goto(turn, reg)
}

/// "Back" from a member's first question: to the review when editing (or once reviewed),
/// else to the question before the member.
fn back_from_first_member_question(draft: &mut Draft) -> Step {
    if draft.editing.is_some() || draft.reviewed {
        draft.editing = None;
        draft.pending = PendingMember::default();
        return Step::Review;
    }
    if draft.members.is_empty() {
        return last_leader_question();
    }
    draft.pending = PendingMember::default();
    Step::AddMore
}

fn last_leader_question() -> Step {
    Step::Leader(LeaderField::last())
}

/// A question changed together with the one before it (not on its own from the menu).
fn goes_with_the_one_before(step: Step) -> bool {
    matches!(step, Step::Member(field) if member_questions::question(field).menu.is_none())
}

/// "Back" while changing one field: the field's change is dropped and the head chooses
/// again what to change.
fn back_to_fields(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    let draft = &mut reg.draft;
    draft.single_field = false;
    if let Some(member) = draft.editing.and_then(|i| draft.members.get(i)) {
        draft.pending = PendingMember::from_member(member);
    }
    reg.step = Step::ChooseField;
    goto(turn, reg)
}
