//! The founding decision: whether there is one (a choice), then its questions, one entry
//! each in the order of [`DecisionField`]: what the question shows, how its answer is read,
//! whether it may be skipped. `flow`, `ask`, `answer` and the help read this table; none of
//! them names a decision question. Adding one is a variant of [`DecisionField`], its entry
//! here (the match has no catch-all), the decision's field that keeps the answer, and the
//! question's texts.

use super::super::input::{Action, Input};
use super::super::state::{Decision, DecisionField, DecisionFile, FileKind, Registration, Step};
use super::super::turn::Turn;
use super::super::State;
use super::answer::{expected_text, refuse};
use super::ask::Question;
use super::flow::{advance, goto};
use super::save::save;
use crate::domain::decision::{parse_past_date, DateError, DecisionNumberError};
use crate::domain::DecisionNumber;
use crate::i18n::{Html, K};

/// One question about the founding decision.
pub(super) struct DecisionQuestion {
    pub(super) help: K,
    /// May be skipped, keeping what it had: after the last question the team is saved.
    pub(super) skippable: bool,
    pub(super) answered: fn(&Decision) -> bool,
    pub(super) ask: fn(&Turn<'_>, &Registration) -> Question,
    pub(super) answer: fn(&mut Turn<'_>, Registration, Input) -> State,
}

/// The entry of `field`.
pub(super) fn question(field: DecisionField) -> DecisionQuestion {
    match field {
        DecisionField::Number => DecisionQuestion {
            help: K::HelpDecision,
            skippable: false,
            answered: |d| d.number.is_some(),
            ask: |turn, reg| Question {
                current: reg
                    .draft
                    .decision
                    .number
                    .as_ref()
                    .map(|n| n.as_str().to_owned()),
                ..Question::new(turn.t(K::AskDecisionNumber))
            },
            answer: number,
        },
        DecisionField::Date => DecisionQuestion {
            help: K::HelpDecision,
            skippable: false,
            answered: |d| d.date.is_some(),
            ask: |turn, reg| Question {
                current: reg
                    .draft
                    .decision
                    .date
                    .map(|d| d.format("%d/%m/%Y").to_string()),
                ..Question::new(turn.t(K::AskDecisionDate))
            },
            answer: date,
        },
        DecisionField::File => DecisionQuestion {
            help: K::HelpDecision,
            skippable: true,
            answered: |d| d.file.is_some(),
            ask: |turn, reg| Question {
                current: reg
                    .draft
                    .decision
                    .file
                    .as_ref()
                    .map(|_| turn.label(K::FileReceived)),
                ..Question::new(turn.t(K::AskDecisionFile))
            },
            answer: file,
        },
    }
}

/// Whether the team has a founding decision; a team that has one keeps it with one tap.
pub(super) fn ask_offer(turn: &Turn<'_>, reg: &Registration) -> Question {
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

pub(super) fn answer_offer(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    match input {
        Input::Action(Action::DecisionYes) => {
            reg.step = Step::Decision(DecisionField::ALL[0]);
            goto(turn, reg)
        }
        Input::Action(Action::DecisionNo) => save(turn, reg),
        // Offered only when a decision is registered: saved as it is.
        Input::Action(Action::Keep) if reg.draft.decision.number.is_some() => save(turn, reg),
        _ => {
            let why = turn.t(K::ChooseFromButtons);
            refuse(turn, reg, why)
        }
    }
}

fn number(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let Input::Text(text) = &input else {
        return expected_text(turn, reg, &input);
    };
    match DecisionNumber::parse(text) {
        Ok(number) => {
            reg.draft.decision.number = Some(number);
            advance(turn, reg)
        }
        Err(DecisionNumberError::TooLong { max }) => {
            let why = turn.fill(K::TextTooLong, &[("max", Html::text(&max.to_string()))]);
            refuse(turn, reg, why)
        }
        Err(_) => {
            let why = turn.t(K::DecisionNumberInvalid);
            refuse(turn, reg, why)
        }
    }
}

fn date(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    let Input::Text(text) = &input else {
        return expected_text(turn, reg, &input);
    };
    match parse_past_date(text, turn.ctx.rules.earliest_decision, turn.ctx.today) {
        Ok(date) => {
            reg.draft.decision.date = Some(date);
            advance(turn, reg)
        }
        Err(error) => {
            let why = match error {
                DateError::Format => turn.t(K::DateFormat),
                DateError::NoSuchDay => turn.t(K::DateNoSuchDay),
                DateError::Future => turn.t(K::DateFuture),
                DateError::TooEarly(earliest) => {
                    let date = earliest.format("%d/%m/%Y").to_string();
                    turn.fill(K::DateTooEarly, &[("date", Html::text(&date))])
                }
            };
            refuse(turn, reg, why)
        }
    }
}

fn file(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    match input {
        // A scan that could not be downloaded and kept (the link stopped working, the
        // network failed) is asked for again: "scan received" must be true.
        Input::File(file) if file.kind != FileKind::Other && !file.kept => {
            let why = turn.t(K::FileNotReceived);
            refuse(turn, reg, why)
        }
        Input::File(file) if file.kind != FileKind::Other => {
            reg.draft.decision.file = Some(DecisionFile {
                file_id: file.file_id,
                kind: file.kind,
                sha256: file.sha256,
                kept: file.kept,
            });
            advance(turn, reg)
        }
        Input::File(_) => {
            let why = turn.t(K::FileMustBePhotoOrPdf);
            refuse(turn, reg, why)
        }
        _ => {
            let why = turn.t(K::ExpectedFile);
            refuse(turn, reg, why)
        }
    }
}
