//! The question of each step, with the answer already given (if any) and the buttons.

use super::super::input::Action;
use super::super::state::{Registration, Step, TeamLevel};
use super::super::summary::team_card;
use super::super::turn::Turn;
use super::super::Button;
use super::questions::{choose_field, confirm_remove};
use super::{decision_questions, leader_questions, member_questions};
use crate::domain::MemberRole;
use crate::i18n::{Html, K};
use crate::wording::role_key;

/// What a question shows besides its text.
pub(super) struct Question {
    pub(super) text: Html,
    pub(super) current: Option<String>,
    pub(super) choices: Vec<Vec<Button>>,
    pub(super) back: bool,
    pub(super) skip: bool,
}

impl Question {
    pub(super) fn new(text: Html) -> Question {
        Question {
            text,
            current: None,
            choices: Vec::new(),
            back: true,
            skip: false,
        }
    }
}

pub fn ask(turn: &mut Turn<'_>, reg: &Registration) {
    let (text, rows) = rendered(turn, reg);
    turn.say_with_buttons(text, rows);
}

/// Every button the current question shows, in order: a typed answer may name one.
pub(super) fn buttons(turn: &Turn<'_>, reg: &Registration) -> Vec<Button> {
    rendered(turn, reg).1.into_iter().flatten().collect()
}

/// The current question's text, with the answer already given, and its rows of buttons.
fn rendered(turn: &Turn<'_>, reg: &Registration) -> (Html, Vec<Vec<Button>>) {
    let question = question(turn, reg);
    let mut text = question.text.into_string();
    let mut rows = question.choices;
    let mut nav = Vec::new();
    if let Some(current) = &question.current {
        let line = turn.fill(K::CurrentAnswer, &[("value", Html::text(current))]);
        text = format!("{text}\n\n{line}");
        nav.push(turn.button(K::ButtonKeep, &Action::Keep.payload()));
    }
    if question.back {
        nav.push(turn.button(K::ButtonBack, &Action::Back.payload()));
    }
    if question.skip {
        nav.push(turn.button(K::ButtonSkip, &Action::Skip.payload()));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    (Html::markup(text), rows)
}

/// The village team's text, or the commune team's (whose leader is the commune chairman).
pub(super) fn by_level(reg: &Registration, village: K, commune: K) -> K {
    match reg.level {
        TeamLevel::Village => village,
        TeamLevel::Commune => commune,
    }
}

pub(super) fn pending_name(reg: &Registration) -> Html {
    Html::text(reg.draft.pending.name.as_ref().map_or("", |n| n.as_str()))
}

fn question(turn: &Turn<'_>, reg: &Registration) -> Question {
    match reg.step {
        Step::Leader(field) => {
            let entry = leader_questions::question(field);
            Question {
                skip: entry.optional,
                ..(entry.ask)(turn, reg)
            }
        }
        Step::Member(field) => {
            let entry = member_questions::question(field);
            Question {
                skip: entry.optional,
                ..(entry.ask)(turn, reg)
            }
        }
        Step::AddMore => add_more(turn, reg),
        Step::Review => review(turn, reg),
        Step::ChooseEdit => Question {
            choices: member_choices(turn, reg, true),
            ..Question::new(turn.t(K::AskWhichToEdit))
        },
        Step::ChooseRemove => Question {
            choices: member_choices(turn, reg, false),
            ..Question::new(turn.t(K::AskWhichToRemove))
        },
        Step::ChooseField => choose_field(turn, reg),
        Step::ConfirmRemove => confirm_remove(turn, reg),
        Step::DecisionOffer => decision_questions::ask_offer(turn, reg),
        Step::Decision(field) => {
            let entry = decision_questions::question(field);
            Question {
                skip: entry.skippable,
                ..(entry.ask)(turn, reg)
            }
        }
    }
}

pub(super) fn role_buttons(turn: &Turn<'_>, reg: &Registration) -> Vec<Vec<Button>> {
    let allowed = &super::rules(turn, reg).allowed_roles;
    let buttons: Vec<Button> = MemberRole::ALL
        .into_iter()
        .filter(|role| allowed.contains(role))
        .map(|role| turn.button(role_key(role), &Action::Role(role).payload()))
        .collect();
    buttons.chunks(2).map(<[Button]>::to_vec).collect()
}

fn counts(turn: &Turn<'_>, reg: &Registration) -> Vec<(&'static str, Html)> {
    let rules = super::rules(turn, reg);
    vec![
        ("count", Html::text(&reg.draft.members.len().to_string())),
        ("min", Html::text(&rules.min_members.to_string())),
        ("max", Html::text(&rules.max_members.to_string())),
    ]
}

fn add_more(turn: &Turn<'_>, reg: &Registration) -> Question {
    // The team's own rules: a commune team may have more members than a village team.
    let full = !super::rules(turn, reg).can_add_member(reg.draft.members.len());
    let mut row = Vec::new();
    if !full {
        row.push(turn.button(K::ButtonAddMember, &Action::AddMember.payload()));
    }
    row.push(turn.button(K::ButtonDone, &Action::Done.payload()));
    let key = if full {
        K::AskAddMoreFull
    } else {
        K::AskAddMore
    };
    Question {
        choices: vec![row],
        ..Question::new(turn.fill(key, &counts(turn, reg)))
    }
}

fn review(turn: &Turn<'_>, reg: &Registration) -> Question {
    let village = turn
        .ctx
        .account
        .as_ref()
        .map_or("", |a| a.unit.name.as_str());
    let card = team_card(turn, village, &reg.draft.to_team());
    let footer = turn.fill(K::ReviewFooter, &counts(turn, reg));
    let choices = vec![
        vec![
            turn.button(K::ButtonEdit, &Action::Edit.payload()),
            turn.button(K::ButtonRemove, &Action::Remove.payload()),
        ],
        vec![
            turn.button(K::ButtonAddMember, &Action::AddMember.payload()),
            turn.button(K::ButtonConfirm, &Action::Confirm.payload()),
        ],
    ];
    Question {
        choices,
        ..Question::new(Html::markup(format!("{card}\n\n{footer}")))
    }
}

/// Buttons naming each member (and, for editing, the leader first).
fn member_choices(turn: &Turn<'_>, reg: &Registration, with_leader: bool) -> Vec<Vec<Button>> {
    let mut rows = Vec::new();
    if with_leader {
        rows.push(vec![
            turn.button(K::ButtonLeader, &Action::EditWhich(0).payload())
        ]);
    }
    for (i, member) in reg.draft.members.iter().enumerate() {
        let action = if with_leader {
            Action::EditWhich(i + 1)
        } else {
            Action::RemoveWhich(i + 1)
        };
        let label = format!("{}. {}", i + 1, member.name);
        rows.push(vec![Button {
            label,
            payload: action.payload(),
        }]);
    }
    rows
}
