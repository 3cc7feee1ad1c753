//! The questions about the team's leader, one entry each, in the order of [`LeaderField`]:
//! what the question shows, how its answer is read and stored, and which button of the
//! review's "change" menu reaches it. `flow`, `ask`, `answer` and the help read this table;
//! none of them names a leader question. An optional field is declared in
//! [`crate::domain::fields`] and its entry here is [`declared`]'s; a required question is a
//! variant of [`LeaderField`], its entry here (the match has no catch-all), the draft's field
//! that keeps the answer, and the question's texts.

use super::super::input::{Action, Input};
use super::super::state::{
    ConsentSource, Draft, LeaderField, MemberField, Registration, Step, TeamLevel,
};
use super::super::turn::Turn;
use super::super::State;
use super::answer::{consent, declared_field, name, phone};
use super::ask::{by_level, Question};
use crate::domain::FieldKey;
use crate::i18n::{Html, K};

/// One question about the leader.
pub(super) struct LeaderQuestion {
    /// The member question it matches: the leader's "change" menu offers it under that
    /// question's button (`None`: not offered).
    pub(super) like: Option<MemberField>,
    pub(super) help: K,
    /// May be skipped, which clears its answer.
    pub(super) optional: bool,
    /// Whether `field` (this question) has an answer.
    pub(super) answered: fn(LeaderField, &Draft) -> bool,
    pub(super) clear: fn(LeaderField, &mut Draft),
    pub(super) ask: fn(&Turn<'_>, &Registration) -> Question,
    pub(super) answer: fn(&mut Turn<'_>, Registration, Input) -> State,
}

/// The entry of `field`.
pub(super) fn question(field: LeaderField) -> LeaderQuestion {
    match field {
        LeaderField::Name => LeaderQuestion {
            like: Some(MemberField::Name),
            help: K::HelpName,
            optional: false,
            answered: |_, d| d.leader_name.is_some(),
            clear: |_, d| d.leader_name = None,
            ask: |turn, reg| Question {
                current: reg.draft.leader_name.as_ref().map(|n| n.to_string()),
                // The registration's first question: "Back" only leads back to the review.
                back: reg.draft.editing_leader,
                ..Question::new(turn.t(by_level(reg, K::AskLeaderName, K::AskLeaderNameCommune)))
            },
            answer: |turn, reg, input| name(turn, reg, input, |d, n| d.leader_name = Some(n)),
        },
        LeaderField::Phone => LeaderQuestion {
            like: Some(MemberField::Phone),
            help: K::HelpPhone,
            optional: false,
            answered: |_, d| d.leader_phone.is_some(),
            clear: |_, d| d.leader_phone = None,
            ask: |turn, reg| Question {
                current: reg.draft.leader_phone.as_ref().map(|p| p.national()),
                ..Question::new(turn.t(by_level(reg, K::AskLeaderPhone, K::AskLeaderPhoneCommune)))
            },
            answer: |turn, reg, input| phone(turn, reg, input, |d, p| d.leader_phone = Some(p)),
        },
        LeaderField::Consent => LeaderQuestion {
            like: Some(MemberField::Consent),
            help: K::HelpConsent,
            optional: false,
            answered: |_, d| d.leader_consent_answered,
            clear: |_, d| d.leader_consent_answered = false,
            ask: ask_consent,
            // A village head answers about their own number: their own word. For a commune
            // team the official answers about the chairman: only a paper consent counts.
            answer: |turn, reg, input| match reg.level {
                TeamLevel::Village => consent(turn, reg, input, |d, granted| {
                    d.leader_consent = granted.then_some(ConsentSource::Member);
                    d.leader_consent_answered = true;
                }),
                TeamLevel::Commune => consent(turn, reg, input, |d, granted| {
                    d.leader_consent = granted.then_some(ConsentSource::Paper);
                    d.leader_consent_answered = true;
                }),
            },
        },
        LeaderField::Declared(key) => declared(key),
    }
}

/// The entry of an optional field of the leader's: what [`crate::domain::fields`] declares.
fn declared(key: FieldKey) -> LeaderQuestion {
    let declaration = key.declaration();
    LeaderQuestion {
        // Offered under the same button as a member's field of that key.
        like: Some(MemberField::Declared(key)),
        help: declaration.help,
        optional: true,
        answered: |field, d| of(field).is_some_and(|key| d.leader_fields.get(key).is_some()),
        clear: |field, d| {
            if let Some(key) = of(field) {
                d.leader_fields.set(key, None);
            }
        },
        // Asked and answered at its own step, which names the field.
        ask: |turn, reg| {
            let key = of(match reg.step {
                Step::Leader(field) => field,
                _ => LeaderField::Name,
            });
            let asked = key.map_or(K::AskWhichField, |k| k.declaration().ask);
            let name = reg.draft.leader_name.as_ref().map_or("", |n| n.as_str());
            Question {
                current: key.and_then(|k| reg.draft.leader_fields.get(k).map(str::to_owned)),
                ..Question::new(turn.fill(asked, &[("name", Html::text(name))]))
            }
        },
        answer: |turn, reg, input| {
            declared_field(turn, reg, input, |draft, key, value| {
                draft.leader_fields.set(key, Some(value))
            })
        },
    }
}

fn of(field: LeaderField) -> Option<FieldKey> {
    match field {
        LeaderField::Declared(key) => Some(key),
        _ => None,
    }
}

/// The buttons of the leader's "change" menu: each of the leader's questions under the
/// button of the member's question it matches.
pub(super) fn in_menu() -> impl Iterator<Item = (MemberField, K)> {
    LeaderField::all()
        .iter()
        .filter_map(|field| question(*field).like)
        .filter_map(|like| {
            super::member_questions::question(like)
                .menu
                .map(|k| (like, k))
        })
}

/// The leader's question that the "change" menu offers under member `field`'s button.
pub(super) fn matching(field: MemberField) -> Option<LeaderField> {
    LeaderField::all()
        .iter()
        .copied()
        .find(|q| question(*q).like == Some(field))
}

/// Personal Data Protection Law 91/2025/QH15: the leader's number is shown to residents only
/// with their own consent; the question says what is shown, to whom and why, with the number.
fn ask_consent(turn: &Turn<'_>, reg: &Registration) -> Question {
    let draft = &reg.draft;
    let phone = draft.leader_phone.as_ref().map(|p| p.national());
    let name = draft.leader_name.as_ref().map(|n| n.to_string());
    let args = [
        ("phone", Html::text(phone.as_deref().unwrap_or(""))),
        ("name", Html::text(name.as_deref().unwrap_or(""))),
    ];
    let key = by_level(reg, K::AskLeaderConsent, K::AskLeaderConsentCommune);
    if reg.level == TeamLevel::Commune {
        return Question {
            current: draft
                .leader_consent_answered
                .then(|| super::member_questions::consent_label(turn, draft.leader_consent)),
            choices: super::member_questions::consent_choices(turn),
            ..Question::new(turn.fill(key, &args))
        };
    }
    // A village head is asked about their own number: their own word ("I agree").
    let (yes, no, given, not_given) = (
        K::ButtonConsentYesSelf,
        K::ButtonConsentNoSelf,
        K::ConsentGivenSelf,
        K::ConsentNotGivenSelf,
    );
    Question {
        current: draft.leader_consent_answered.then(|| {
            turn.label(match draft.leader_consent {
                Some(_) => given,
                None => not_given,
            })
        }),
        choices: vec![vec![
            turn.button(yes, &Action::ConsentYes.payload()),
            turn.button(no, &Action::ConsentNo.payload()),
        ]],
        ..Question::new(turn.fill(key, &args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leaders_change_menu_reaches_name_phone_and_consent() {
        assert_eq!(matching(MemberField::Name), Some(LeaderField::Name));
        assert_eq!(matching(MemberField::Phone), Some(LeaderField::Phone));
        assert_eq!(matching(MemberField::Consent), Some(LeaderField::Consent));
        assert_eq!(matching(MemberField::Role), None);
        assert_eq!(matching(MemberField::Zalo), None);
    }
}
