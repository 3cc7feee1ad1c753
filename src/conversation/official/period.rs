//! Period reports: a commune official chooses a period, sees the commune's few figures for
//! it and submits them; a province official approves or returns a submitted report (with a
//! reason) from the notice it received. Every decision names the report's version, so a
//! button pressed twice, or on a report submitted again since, changes nothing (storage
//! refuses it and the chat is told).

use chrono::Datelike;

use super::super::input::{Action, Input};
use super::super::lookup::{Lookup, Need};
use super::super::menu::menu;
use super::super::notices::period_summary;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::{checked, own_unit, refuse_role};
use crate::domain::decision::parse_short_text;
use crate::domain::{access, AccountRole, Period, ReportStatus};
use crate::i18n::{Html, K};
use crate::wording::period_name;

/// The longest reason a province official may give for returning a report.
pub const REASON_MAX: usize = 300;

/// The commune official's own commune, or a refusal said.
fn own_commune(turn: &mut Turn<'_>, action: &str) -> Result<String, State> {
    match own_unit(turn) {
        Some((AccountRole::CommuneOfficial, code)) => Ok(code),
        _ => Err(refuse_role(turn, action)),
    }
}

fn name(turn: &Turn<'_>, period: Period) -> Html {
    Html::text(&period_name(turn.ctx.texts, turn.lang, period))
}

pub fn on_action(turn: &mut Turn<'_>, action: Action) -> State {
    match action {
        Action::PeriodReport => match own_commune(turn, "period_report.choose") {
            Ok(_) => {
                ask(turn, &State::ChoosingPeriod);
                State::ChoosingPeriod
            }
            Err(state) => state,
        },
        Action::ShowPeriod(period) => show(turn, period),
        Action::SubmitPeriod(period, version) => submit(turn, period, version),
        Action::ApprovePeriod(commune, period, version) => {
            match checked(turn, &commune, access::Permission::ApproveReport) {
                Ok(unit) => {
                    turn.effect(Effect::DecidePeriodReport {
                        commune,
                        period,
                        version,
                        reason: None,
                    });
                    let args = [
                        ("period", name(turn, period)),
                        ("commune", Html::text(&unit.entry.name)),
                    ];
                    let text = turn.fill(K::PeriodApproved, &args);
                    turn.say_html(text);
                    State::Idle
                }
                Err(state) => state,
            }
        }
        Action::ReturnPeriod(commune, period, version) => {
            match checked(turn, &commune, access::Permission::ReturnReport) {
                Ok(unit) => {
                    let state = State::ReturningPeriod {
                        commune,
                        commune_name: unit.entry.name,
                        period,
                        version,
                    };
                    ask(turn, &state);
                    state
                }
                Err(state) => state,
            }
        }
        _ => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
    }
}

/// The question of each period dialogue: which period (last month and this quarter as
/// buttons), or why the report is returned.
pub fn ask(turn: &mut Turn<'_>, state: &State) {
    let cancel = turn.button(K::PeriodButtonCancel, &Action::Cancel.payload());
    match state {
        State::ReturningPeriod {
            commune_name,
            period,
            ..
        } => {
            let args = [
                ("period", name(turn, *period)),
                ("commune", Html::text(commune_name)),
                ("max", Html::text(&REASON_MAX.to_string())),
            ];
            let text = turn.fill(K::PeriodAskReturnReason, &args);
            turn.say_with_buttons(text, vec![vec![cancel]]);
        }
        _ => {
            let today = turn.ctx.today;
            let last_month = Period::month_of(today).previous();
            let quarter = Period::quarter_of(today);
            let label = |turn: &Turn<'_>, period| period_name(turn.ctx.texts, turn.lang, period);
            let rows = vec![
                vec![
                    super::super::Button {
                        label: label(turn, last_month),
                        payload: Action::ShowPeriod(last_month).payload(),
                    },
                    super::super::Button {
                        label: label(turn, quarter),
                        payload: Action::ShowPeriod(quarter).payload(),
                    },
                ],
                vec![cancel],
            ];
            let first = last_month.first_day();
            let example = Html::text(&format!("{}/{}", first.month(), first.year()));
            let text = turn.fill(K::PeriodAsk, &[("example", example)]);
            turn.say_with_buttons(text, rows);
        }
    }
}

pub fn on_input(turn: &mut Turn<'_>, state: State, input: Input) -> State {
    match (state, input) {
        (State::ChoosingPeriod, Input::Text(text)) => match Period::parse(&text) {
            Ok(period) => show(turn, period),
            Err(_) => {
                let shown: String = text.chars().take(20).collect();
                let text = turn.fill(K::PeriodUnreadable, &[("text", Html::text(&shown))]);
                turn.say_html(text);
                ask(turn, &State::ChoosingPeriod);
                State::ChoosingPeriod
            }
        },
        (state @ State::ReturningPeriod { .. }, Input::Text(text)) => {
            match parse_short_text(&text, REASON_MAX) {
                Ok(reason) => return_with(turn, state, reason),
                Err(_) => {
                    let max = Html::text(&REASON_MAX.to_string());
                    let said = turn.fill(K::PeriodReasonRefused, &[("max", max)]);
                    turn.say_html(said);
                    ask(turn, &state);
                    state
                }
            }
        }
        // A contact, a file: not what either question asks.
        (state, _) => {
            turn.say(K::PeriodNotAnAnswer);
            ask(turn, &state);
            state
        }
    }
}

fn return_with(turn: &mut Turn<'_>, state: State, reason: String) -> State {
    let State::ReturningPeriod {
        commune,
        period,
        version,
        ..
    } = state
    else {
        return state;
    };
    // Checked again: the account may have changed since the question was asked.
    let unit = match checked(turn, &commune, access::Permission::ReturnReport) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let args = [
        ("period", name(turn, period)),
        ("commune", Html::text(&unit.entry.name)),
        ("reason", Html::text(&reason)),
    ];
    let text = turn.fill(K::PeriodReturned, &args);
    turn.effect(Effect::DecidePeriodReport {
        commune,
        period,
        version,
        reason: Some(reason),
    });
    turn.say_html(text);
    State::Idle
}

/// The commune's figures for `period` and where its report stands, with "submit" when it
/// may be submitted (first time, or after a return).
fn show(turn: &mut Turn<'_>, period: Period) -> State {
    let commune = match own_commune(turn, "period_report.show") {
        Ok(code) => code,
        Err(state) => return state,
    };
    let unit = match checked(turn, &commune, access::Permission::SubmitReport) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    if period.first_day() > turn.ctx.today {
        let text = turn.fill(K::PeriodNotStarted, &[("period", name(turn, period))]);
        turn.say_html(text);
        ask(turn, &State::ChoosingPeriod);
        return State::ChoosingPeriod;
    }
    let Some(Lookup::PeriodFigures(view)) = turn.lookup(Need::PeriodFigures {
        commune: commune.clone(),
        period,
    }) else {
        return State::Idle;
    };
    let texts = turn.ctx.texts;
    let mut lines = vec![period_summary(
        texts,
        turn.lang,
        &unit.entry.name,
        period,
        &view,
    )];
    let submit = |turn: &Turn<'_>, key, version| {
        vec![vec![turn.button(
            key,
            &Action::SubmitPeriod(period, version).payload(),
        )]]
    };
    let buttons = match &view.report {
        None => {
            lines.push(turn.t(K::PeriodStatusNew).into_string());
            submit(turn, K::PeriodButtonSubmit, 0)
        }
        Some(report) => match report.status {
            ReportStatus::Returned => {
                let reason = report.return_reason.as_deref().unwrap_or_default();
                let args = [("reason", Html::text(reason))];
                lines.push(turn.fill(K::PeriodStatusReturned, &args).into_string());
                submit(turn, K::PeriodButtonResubmit, report.version)
            }
            ReportStatus::Submitted => {
                lines.push(turn.t(K::PeriodStatusSubmitted).into_string());
                Vec::new()
            }
            ReportStatus::Approved => {
                lines.push(turn.t(K::PeriodStatusApproved).into_string());
                Vec::new()
            }
        },
    };
    turn.say_with_buttons(Html::markup(lines.join("\n")), buttons);
    State::Idle
}

/// Submits the commune's report for `period` (`version` 0: the first time).
fn submit(turn: &mut Turn<'_>, period: Period, version: i64) -> State {
    let commune = match own_commune(turn, "period_report.submit") {
        Ok(code) => code,
        Err(state) => return state,
    };
    if let Err(state) = checked(turn, &commune, access::Permission::SubmitReport) {
        return state;
    }
    turn.effect(Effect::SubmitPeriodReport {
        commune,
        period,
        based_on: (version > 0).then_some(version),
    });
    let text = turn.fill(K::PeriodSubmitted, &[("period", name(turn, period))]);
    turn.say_html(text);
    State::Idle
}
