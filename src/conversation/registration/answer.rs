//! Reads the answer to the current question: validates it, re-asks with a specific message
//! when it is wrong, stores it and moves on when it is right.

mod member_fields;

pub(super) use member_fields::{declared_field, role, role_detail, zalo};

use super::super::input::{named_button, Action, Input};
use super::super::state::{Draft, Registration, Step};
use super::super::turn::Turn;
use super::super::State;
use super::flow::{advance, back, goto};
use super::review::{choice, pick_member};
use super::save::save;
use super::{decision_questions, leader_questions, member_questions};
use crate::domain::{NameError, PersonName, PhoneError, PhoneNumber};
use crate::i18n::{Html, K};

pub fn on_input(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let input = match input {
        // A button's words typed instead of pressing it ("có", "Le Thi Hoa") press it.
        Input::Text(text) => match named_button(&text, &super::ask::buttons(turn, &reg)) {
            Some(action) => Input::Action(action),
            None => Input::Text(text),
        },
        input => input,
    };
    match input {
        Input::Action(Action::Back) => back(turn, reg),
        Input::Action(Action::Keep) if has_answer(&reg) => {
            // Kept a name without diacritics: this keyboard may have none, do not ask again.
            reg.diacritics_declined |= reg.diacritics_asked;
            advance(turn, reg)
        }
        Input::Action(Action::Skip) => skip(turn, reg),
        input => match reg.step {
            Step::Leader(field) => (leader_questions::question(field).answer)(turn, reg, input),
            Step::Member(field) => (member_questions::question(field).answer)(turn, reg, input),
            Step::Decision(field) => (decision_questions::question(field).answer)(turn, reg, input),
            Step::AddMore | Step::Review => choice(turn, reg, input),
            Step::ChooseEdit | Step::ChooseRemove | Step::ChooseField | Step::ConfirmRemove => {
                pick_member(turn, reg, input)
            }
            Step::DecisionOffer => decision_questions::answer_offer(turn, reg, input),
        },
    }
}

fn has_answer(reg: &Registration) -> bool {
    let draft = &reg.draft;
    match reg.step {
        Step::Leader(field) => (leader_questions::question(field).answered)(field, draft),
        Step::Member(field) => (member_questions::question(field).answered)(field, &draft.pending),
        Step::Decision(field) => (decision_questions::question(field).answered)(&draft.decision),
        // Choices hold no answer of their own.
        Step::AddMore
        | Step::Review
        | Step::ChooseEdit
        | Step::ChooseRemove
        | Step::DecisionOffer
        | Step::ChooseField
        | Step::ConfirmRemove => false,
    }
}

/// Says why the answer was refused and asks the same question again.
pub(super) fn refuse(turn: &mut Turn<'_>, reg: Registration, why: Html) -> State {
    turn.say_html(why);
    goto(turn, reg)
}

/// The answer was not text (a button of another question, a file, a contact).
pub(super) fn expected_text(turn: &mut Turn<'_>, reg: Registration, input: &Input) -> State {
    let key = match input {
        Input::Action(_) => K::ButtonNotForThisQuestion,
        _ => K::ExpectedText,
    };
    let why = turn.t(key);
    refuse(turn, reg, why)
}

fn skip(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    match reg.step {
        Step::Member(field) if member_questions::question(field).optional => {
            (member_questions::question(field).clear)(field, &mut reg.draft.pending);
            advance(turn, reg)
        }
        Step::Leader(field) if leader_questions::question(field).optional => {
            (leader_questions::question(field).clear)(field, &mut reg.draft);
            advance(turn, reg)
        }
        Step::Decision(field) if decision_questions::question(field).skippable => {
            advance(turn, reg)
        }
        Step::DecisionOffer => save(turn, reg),
        Step::Leader(_)
        | Step::Member(_)
        | Step::Decision(_)
        | Step::AddMore
        | Step::Review
        | Step::ChooseEdit
        | Step::ChooseRemove
        | Step::ChooseField
        | Step::ConfirmRemove => {
            let why = turn.t(K::CannotSkip);
            refuse(turn, reg, why)
        }
    }
}

/// A person's full name, kept by `store`.
pub(super) fn name(
    turn: &mut Turn<'_>,
    mut reg: Registration,
    input: Input,
    store: fn(&mut Draft, PersonName),
) -> State {
    let Input::Text(text) = &input else {
        return expected_text(turn, reg, &input);
    };
    match PersonName::parse_full(text) {
        Ok(name) => {
            let plain = !name.has_diacritics();
            store(&mut reg.draft, name);
            if plain && reg.diacritics_asked {
                reg.diacritics_declined = true;
            }
            if plain && !reg.diacritics_asked && !reg.diacritics_declined {
                // Asked once: the answer (or "Keep") is then taken as it is.
                reg.diacritics_asked = true;
                turn.say(K::AskDiacritics);
                return goto(turn, reg);
            }
            advance(turn, reg)
        }
        Err(error) => {
            let why = name_error(turn, error);
            refuse(turn, reg, why)
        }
    }
}

fn name_error(turn: &Turn<'_>, error: NameError) -> Html {
    match error {
        NameError::Empty => turn.t(K::NameEmpty),
        NameError::TooShort { min } => {
            turn.fill(K::NameTooShort, &[("min", Html::text(&min.to_string()))])
        }
        NameError::TooLong { max } => {
            turn.fill(K::NameTooLong, &[("max", Html::text(&max.to_string()))])
        }
        NameError::NotLetters => turn.t(K::NameNotLetters),
        NameError::OneWord => turn.t(K::NameOneWord),
    }
}

/// A person's mobile number, not used by anyone else in the team, kept by `store`.
pub(super) fn phone(
    turn: &mut Turn<'_>,
    mut reg: Registration,
    input: Input,
    store: fn(&mut Draft, PhoneNumber),
) -> State {
    let text = match &input {
        Input::Text(text) | Input::Contact { phone: text, .. } => text.clone(),
        _ => return expected_text(turn, reg, &input),
    };
    let phone = match PhoneNumber::parse(&text) {
        Ok(phone) => phone,
        Err(error) => {
            let why = turn.t(phone_error_key(error));
            return refuse(turn, reg, why);
        }
    };
    if let Some(owner) = reg.draft.phone_owner(&phone) {
        let why = turn.fill(
            K::PhoneDuplicate,
            &[
                ("phone", Html::text(&phone.national())),
                ("name", Html::text(owner.as_str())),
            ],
        );
        return refuse(turn, reg, why);
    }
    store(&mut reg.draft, phone);
    advance(turn, reg)
}

fn phone_error_key(error: PhoneError) -> K {
    match error {
        PhoneError::Empty => K::PhoneEmpty,
        PhoneError::NotDigits => K::PhoneNotDigits,
        PhoneError::TooShort => K::PhoneTooShort,
        PhoneError::TooLong => K::PhoneTooLong,
        PhoneError::Foreign => K::PhoneForeign,
        PhoneError::Landline => K::PhoneLandline,
        PhoneError::Invalid => K::PhoneInvalid,
    }
}

/// Personal Data Protection Law 91/2025/QH15: residents see a member's (or the leader's)
/// number only with their own consent. `store` keeps the answer: a village head's own word
/// about their own number, or a head's statement that the person signed a paper consent.
pub(super) fn consent(
    turn: &mut Turn<'_>,
    mut reg: Registration,
    input: Input,
    store: fn(&mut Draft, bool),
) -> State {
    match input {
        Input::Action(Action::ConsentYes) => {
            store(&mut reg.draft, true);
            advance(turn, reg)
        }
        Input::Action(Action::ConsentNo) => {
            store(&mut reg.draft, false);
            advance(turn, reg)
        }
        _ => {
            let why = turn.t(K::ChooseFromButtons);
            refuse(turn, reg, why)
        }
    }
}
