//! Reads the answers about a member besides name and phone: role, role detail, Zalo, and
//! the optional fields declared in `domain::fields` (a member's or the leader's).

use super::super::super::input::{Action, Input};
use super::super::super::state::{
    Draft, LeaderField, MemberField, PendingMember, Registration, Step,
};
use super::super::super::turn::Turn;
use super::super::super::State;
use super::super::flow::advance;
use super::{expected_text, phone_error_key, refuse};
use crate::domain::decision::{parse_short_text, FreeTextError};
use crate::domain::fields::FieldError;
use crate::domain::text::same_words;
use crate::domain::{FieldKey, LevelRules, MemberRole, PersonName, PhoneNumber};
use crate::i18n::{Html, K};

const ROLE_DETAIL_MAX: usize = 60;

pub(in super::super) fn role(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let chosen = match &input {
        Input::Action(Action::Role(role)) => Some(*role),
        // Typed instead of pressed: accept the exact label, whatever its diacritics.
        Input::Text(text) if text.len() < 200 => MemberRole::ALL
            .into_iter()
            .find(|r| same_words(text, &turn.label(crate::wording::role_key(*r)))),
        _ => None,
    };
    let rules = super::super::rules(turn, &reg);
    match chosen {
        Some(role) if rules.allowed_roles.contains(&role) => {
            if let Some(name) = unique_role_holder(rules, &reg.draft, role) {
                let label = turn.label(crate::wording::role_key(role));
                let args = [
                    ("role", Html::text(&label)),
                    ("name", Html::text(name.as_str())),
                ];
                let why = turn.fill(K::RoleTaken, &args);
                return refuse(turn, reg, why);
            }
            reg.draft.pending.role = Some(role);
            if role != MemberRole::Other {
                reg.draft.pending.role_detail = None;
            }
            advance(turn, reg)
        }
        _ => {
            let why = turn.t(K::ChooseRoleFromButtons);
            refuse(turn, reg, why)
        }
    }
}

/// Who else in the team holds `role` when the rules allow it to one person only.
fn unique_role_holder(rules: &LevelRules, draft: &Draft, role: MemberRole) -> Option<PersonName> {
    let others = draft
        .members
        .iter()
        .enumerate()
        .filter(|(i, _)| draft.editing != Some(*i))
        .map(|(_, m)| m);
    let taken: Vec<MemberRole> = others.clone().map(|m| m.role).collect();
    if rules.role_available(role, &taken) {
        return None;
    }
    others
        .into_iter()
        .find(|m| m.role == role)
        .map(|m| m.name.clone())
}

fn free_text_error(turn: &Turn<'_>, error: FreeTextError) -> Html {
    match error {
        FreeTextError::Empty => turn.t(K::TextEmpty),
        FreeTextError::TooLong { max } => {
            turn.fill(K::TextTooLong, &[("max", Html::text(&max.to_string()))])
        }
        FreeTextError::NoLetters => turn.t(K::TextNoLetters),
    }
}

pub(in super::super) fn role_detail(turn: &mut Turn<'_>, reg: Registration, input: Input) -> State {
    short_text(turn, reg, input, ROLE_DETAIL_MAX, |pending, text| {
        pending.role_detail = Some(text)
    })
}

/// A member's Zalo number, when it is not their mobile: the same number means none apart.
pub(in super::super) fn zalo(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let Input::Text(text) = &input else {
        return expected_text(turn, reg, &input);
    };
    match PhoneNumber::parse(text) {
        Ok(number) => {
            let pending = &mut reg.draft.pending;
            pending.zalo = (pending.phone.as_ref() != Some(&number)).then_some(number);
            advance(turn, reg)
        }
        Err(error) => {
            let why = turn.t(phone_error_key(error));
            refuse(turn, reg, why)
        }
    }
}

/// The answer to an optional field's question (a member's or the leader's, named by the
/// step), read by its declaration's parser and kept by `store`.
pub(in super::super) fn declared_field(
    turn: &mut Turn<'_>,
    reg: Registration,
    input: Input,
    store: fn(&mut Draft, FieldKey, String),
) -> State {
    let key = match reg.step {
        Step::Member(MemberField::Declared(key)) | Step::Leader(LeaderField::Declared(key)) => key,
        _ => return expected_text(turn, reg, &input),
    };
    let Input::Text(text) = &input else {
        return expected_text(turn, reg, &input);
    };
    match (key.declaration().parse)(text) {
        Ok(value) => {
            let mut reg = reg;
            store(&mut reg.draft, key, value);
            advance(turn, reg)
        }
        Err(FieldError::Text(error)) => {
            let why = free_text_error(turn, error);
            refuse(turn, reg, why)
        }
        Err(FieldError::Invalid(why)) => {
            let why = turn.t(why);
            refuse(turn, reg, why)
        }
    }
}

/// A short free-text answer about the pending member, stored by `store`.
fn short_text(
    turn: &mut Turn<'_>,
    mut reg: Registration,
    input: Input,
    max: usize,
    store: fn(&mut PendingMember, String),
) -> State {
    let Input::Text(text) = &input else {
        return expected_text(turn, reg, &input);
    };
    match parse_short_text(text, max) {
        Ok(text) => {
            store(&mut reg.draft.pending, text);
            advance(turn, reg)
        }
        Err(error) => {
            let why = free_text_error(turn, error);
            refuse(turn, reg, why)
        }
    }
}
