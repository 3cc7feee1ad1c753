//! The founding decision's questions: whether there is one, its number, date and scan.

use super::super::input::{Action, Input};
use super::super::state::{DecisionFile, FileKind, Registration, Step};
use super::super::turn::Turn;
use super::super::State;
use super::answer::{expected_text, refuse};
use super::flow::{advance, goto, save};
use crate::domain::decision::{parse_past_date, DateError, DecisionNumberError};
use crate::domain::DecisionNumber;
use crate::i18n::{Html, K};

pub fn decision_offer(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    match input {
        Input::Action(Action::DecisionYes) => {
            reg.step = Step::DecisionNumber;
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

pub fn decision_number(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
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

pub fn decision_date(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
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

pub fn decision_file(turn: &mut Turn<'_>, mut reg: Registration, input: Input) -> State {
    match input {
        Input::File(file) if file.kind != FileKind::Other => {
            reg.draft.decision.file = Some(DecisionFile {
                file_id: file.file_id,
                kind: file.kind,
                sha256: file.sha256,
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
