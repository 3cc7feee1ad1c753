//! The questions about a member, one entry each, in the order of [`MemberField`]: what the
//! question shows, how its answer is read, whether it may be skipped, when it is asked, and
//! what the review's "change" menu calls it. `flow`, `ask`, `answer` and the help read this
//! table; none of them names a member question. An optional field is declared in
//! [`crate::domain::fields`] and its entry here is [`declared`]'s; a required question is a
//! variant of [`MemberField`], its entry here (the match has no catch-all), the member's
//! field that keeps the answer, and the question's texts.

use super::super::input::{Action, Input};
use super::super::state::Step;
use super::super::state::{ConsentSource, MemberField, PendingMember, Registration};
use super::super::turn::Turn;
use super::super::State;
use super::answer::{consent, declared_field, name, phone, role, role_detail, zalo};
use super::ask::{pending_name, role_buttons, Question};
use crate::domain::{FieldKey, MemberRole};
use crate::i18n::{Html, K};
use crate::wording::role_key;

/// One question about the member being entered.
pub(super) struct MemberQuestion {
    /// The label of its button in the review's "change" menu; `None` when it is changed
    /// together with the question before it (the role's own words with the role).
    pub(super) menu: Option<K>,
    pub(super) help: K,
    /// May be skipped, which clears its answer.
    pub(super) optional: bool,
    /// Asked in the sequence only when this holds of the answers so far; a question that is
    /// never asked in sequence is reached through the "change" menu.
    pub(super) asked: fn(&PendingMember) -> bool,
    /// Whether `field` (this question) has an answer.
    pub(super) answered: fn(MemberField, &PendingMember) -> bool,
    pub(super) clear: fn(MemberField, &mut PendingMember),
    pub(super) ask: fn(&Turn<'_>, &Registration) -> Question,
    pub(super) answer: fn(&mut Turn<'_>, Registration, Input) -> State,
}

/// The entry of `field`.
pub(super) fn question(field: MemberField) -> MemberQuestion {
    match field {
        MemberField::Name => MemberQuestion {
            menu: Some(K::FieldName),
            help: K::HelpName,
            optional: false,
            asked: |_| true,
            answered: |_, p| p.name.is_some(),
            clear: |_, p| p.name = None,
            ask: ask_name,
            answer: |turn, reg, input| name(turn, reg, input, |d, n| d.pending.name = Some(n)),
        },
        MemberField::Role => MemberQuestion {
            menu: Some(K::FieldRole),
            help: K::HelpRole,
            optional: false,
            asked: |_| true,
            answered: |_, p| p.role.is_some(),
            clear: |_, p| p.role = None,
            ask: ask_role,
            answer: role,
        },
        MemberField::RoleOther => MemberQuestion {
            menu: None,
            help: K::HelpRole,
            optional: false,
            asked: |p| p.role == Some(MemberRole::Other),
            answered: |_, p| p.role_detail.is_some(),
            clear: |_, p| p.role_detail = None,
            ask: |turn, reg| Question {
                current: reg.draft.pending.role_detail.clone(),
                ..Question::new(turn.t(K::AskRoleOther))
            },
            answer: role_detail,
        },
        MemberField::Phone => MemberQuestion {
            menu: Some(K::FieldPhone),
            help: K::HelpPhone,
            optional: false,
            asked: |_| true,
            answered: |_, p| p.phone.is_some(),
            clear: |_, p| p.phone = None,
            ask: |turn, reg| Question {
                current: reg.draft.pending.phone.as_ref().map(|p| p.national()),
                ..Question::new(turn.fill(K::AskMemberPhone, &[("name", pending_name(reg))]))
            },
            answer: |turn, reg, input| phone(turn, reg, input, |d, p| d.pending.phone = Some(p)),
        },
        MemberField::Consent => MemberQuestion {
            menu: Some(K::FieldConsent),
            help: K::HelpConsent,
            optional: false,
            asked: |_| true,
            answered: |_, p| p.consent_answered,
            clear: |_, p| p.consent_answered = false,
            ask: ask_consent,
            answer: |turn, reg, input| {
                consent(turn, reg, input, |d, granted| {
                    d.pending.consent = granted.then_some(ConsentSource::Paper);
                    d.pending.consent_answered = true;
                })
            },
        },
        MemberField::Declared(key) => declared(key),
        // Most people's Zalo account is their mobile number: asked only from the "change" menu.
        MemberField::Zalo => MemberQuestion {
            menu: Some(K::FieldZalo),
            help: K::HelpZalo,
            optional: true,
            asked: |_| false,
            answered: |_, p| p.zalo.is_some(),
            clear: |_, p| p.zalo = None,
            ask: |turn, reg| Question {
                current: reg.draft.pending.zalo.as_ref().map(|p| p.national()),
                ..Question::new(turn.fill(K::AskMemberZalo, &[("name", pending_name(reg))]))
            },
            answer: zalo,
        },
    }
}

/// The entry of an optional field: what [`crate::domain::fields`] declares of it.
fn declared(key: FieldKey) -> MemberQuestion {
    let declaration = key.declaration();
    MemberQuestion {
        menu: Some(declaration.menu),
        help: declaration.help,
        optional: true,
        asked: match declaration.asked {
            true => |_| true,
            false => |_| false,
        },
        answered: |field, p| of(field).is_some_and(|key| p.fields.get(key).is_some()),
        clear: |field, p| {
            if let Some(key) = of(field) {
                p.fields.set(key, None);
            }
        },
        // Asked and answered at its own step, which names the field.
        ask: |turn, reg| {
            let key = match reg.step {
                Step::Member(MemberField::Declared(key)) => Some(key),
                _ => None,
            };
            let asked = key.map_or(K::AskWhichField, |k| k.declaration().ask);
            Question {
                current: key.and_then(|k| reg.draft.pending.fields.get(k).map(str::to_owned)),
                ..Question::new(turn.fill(asked, &[("name", pending_name(reg))]))
            }
        },
        answer: |turn, reg, input| {
            declared_field(turn, reg, input, |draft, key, value| {
                draft.pending.fields.set(key, Some(value))
            })
        },
    }
}

fn of(field: MemberField) -> Option<FieldKey> {
    match field {
        MemberField::Declared(key) => Some(key),
        _ => None,
    }
}

/// The first question of a member.
pub(super) fn first() -> MemberField {
    MemberField::all()[0]
}

/// The question asked after `field`, given the answers so far; `None` after the last.
pub(super) fn after(field: MemberField, pending: &PendingMember) -> Option<MemberField> {
    let at = position(field);
    MemberField::all()[at + 1..]
        .iter()
        .copied()
        .find(|q| (question(*q).asked)(pending))
}

/// The question asked before `field`, given the answers so far; `None` before the first.
pub(super) fn before(field: MemberField, pending: &PendingMember) -> Option<MemberField> {
    let at = position(field);
    MemberField::all()[..at]
        .iter()
        .rev()
        .copied()
        .find(|q| (question(*q).asked)(pending))
}

/// The last question asked of a member with these answers.
pub(super) fn last(pending: &PendingMember) -> MemberField {
    MemberField::all()
        .iter()
        .rev()
        .copied()
        .find(|q| (question(*q).asked)(pending))
        .unwrap_or(first())
}

/// Whether answering `field` alone (from the "change" menu) is the whole change: not when
/// the next question goes with it (the role's own words after "Other").
pub(super) fn ends_change(field: MemberField, pending: &PendingMember) -> bool {
    after(field, pending).is_none_or(|next| question(next).menu.is_some())
}

/// The fields the "change" menu offers for a member.
pub(super) fn in_menu() -> impl Iterator<Item = (MemberField, K)> {
    MemberField::all()
        .iter()
        .filter_map(|field| question(*field).menu.map(|label| (*field, label)))
}

fn position(field: MemberField) -> usize {
    MemberField::all()
        .iter()
        .position(|q| *q == field)
        .unwrap_or(0)
}

fn ask_name(turn: &Turn<'_>, reg: &Registration) -> Question {
    let draft = &reg.draft;
    let number = draft.editing.unwrap_or(draft.members.len()) + 1;
    let text = turn.fill(K::AskMemberName, &[("n", Html::text(&number.to_string()))]);
    Question {
        current: draft.pending.name.as_ref().map(|n| n.to_string()),
        ..Question::new(text)
    }
}

fn ask_role(turn: &Turn<'_>, reg: &Registration) -> Question {
    Question {
        current: reg.draft.pending.role.map(|r| turn.label(role_key(r))),
        choices: role_buttons(turn, reg),
        ..Question::new(turn.fill(K::AskMemberRole, &[("name", pending_name(reg))]))
    }
}

fn ask_consent(turn: &Turn<'_>, reg: &Registration) -> Question {
    let pending = &reg.draft.pending;
    Question {
        current: pending
            .consent_answered
            .then(|| consent_label(turn, pending.consent)),
        choices: consent_choices(turn),
        ..Question::new(turn.fill(K::AskMemberConsent, &[("name", pending_name(reg))]))
    }
}

/// Personal Data Protection Law 91/2025/QH15: the head cannot consent for someone else. A
/// number is published on the person's own word (from their own chat, which they reach
/// with the link the head is given after saving) or on the head's statement that the person
/// signed a consent on paper; until then it is not shown.
pub(super) fn consent_choices(turn: &Turn<'_>) -> Vec<Vec<crate::conversation::Button>> {
    vec![
        vec![turn.button(K::ButtonConsentPaper, &Action::ConsentYes.payload())],
        vec![turn.button(K::ButtonConsentSelf, &Action::ConsentNo.payload())],
    ]
}

/// The answer given about someone else's number, as the "change" menu shows it.
pub(super) fn consent_label(turn: &Turn<'_>, consent: Option<ConsentSource>) -> String {
    turn.label(match consent {
        Some(ConsentSource::Member) => K::ConsentGiven,
        Some(ConsentSource::Paper | ConsentSource::Head) => K::ConsentPaper,
        None => K::ConsentWaiting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roles_own_words_are_asked_only_after_other() {
        let mut pending = PendingMember {
            role: Some(MemberRole::YouthUnionSecretary),
            ..PendingMember::default()
        };
        assert_eq!(after(MemberField::Role, &pending), Some(MemberField::Phone));
        assert_eq!(
            before(MemberField::Phone, &pending),
            Some(MemberField::Role)
        );
        assert!(ends_change(MemberField::Role, &pending));
        pending.role = Some(MemberRole::Other);
        assert_eq!(
            after(MemberField::Role, &pending),
            Some(MemberField::RoleOther)
        );
        assert_eq!(
            before(MemberField::Phone, &pending),
            Some(MemberField::RoleOther)
        );
        assert!(!ends_change(MemberField::Role, &pending));
    }

    #[test]
    fn the_zalo_number_is_not_asked_in_sequence_but_offered_in_the_menu() {
        let pending = PendingMember::default();
        let workplace = MemberField::Declared(FieldKey::parse("workplace").unwrap());
        assert_eq!(after(workplace, &pending), None);
        assert_eq!(last(&pending), workplace);
        assert!(in_menu().any(|(field, _)| field == MemberField::Zalo));
        assert!(!in_menu().any(|(field, _)| field == MemberField::RoleOther));
    }
}
