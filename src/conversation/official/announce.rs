//! Announcements from chat: an official picks who gets it (every member, the heads, the
//! teams behind), types the text, sees how many it reaches and why the others cannot be,
//! and sends it; "📊" shows where their last announcements stand, with a reminder button.
//! Access (`Announce`, `RemindAnnouncement`) is checked on every step, whatever payload
//! asked for it; the engine does the sending, the counting and the answering.

use chrono::Months;

use super::super::input::{Action, Input};
use super::super::lookup::{Lookup, Need};
use super::super::menu::menu;
use super::super::state::Announcing;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::{checked, own_unit, refuse_role};
use crate::domain::access::Permission;
use crate::domain::announcement::{parse_text, Audience, TEXT_MAX};
use crate::domain::AccountRole;
use crate::i18n::{Html, K};
use crate::wording::unreachable_reasons;

/// The official's own area, or a refusal said (heads and residents do not announce).
fn own_area(turn: &mut Turn<'_>, action: &str) -> Result<String, State> {
    match own_unit(turn) {
        Some((
            AccountRole::CommuneOfficial
            | AccountRole::DistrictOfficial
            | AccountRole::ProvinceOfficial,
            code,
        )) => Ok(code),
        _ => Err(refuse_role(turn, action)),
    }
}

pub fn on_action(turn: &mut Turn<'_>, state: State, action: Action) -> State {
    match (state, action) {
        (_, Action::Announce) => choose_audience(turn),
        (_, Action::AnnounceTo(audience)) => {
            let scope = match own_area(turn, "announcement.audience") {
                Ok(scope) => scope,
                Err(state) => return state,
            };
            match checked(turn, &scope, Permission::Announce) {
                Ok(unit) => {
                    let state = State::Announcing(Box::new(Announcing {
                        scope,
                        scope_name: unit.entry.name,
                        audience,
                        text: None,
                    }));
                    ask(turn, &state);
                    state
                }
                Err(state) => state,
            }
        }
        (State::Announcing(announcing), Action::AnnounceSend) => send(turn, *announcing),
        (_, Action::AnnouncementStatus) => match own_area(turn, "announcement.status") {
            Ok(_) => {
                turn.effect(Effect::ShowAnnouncements);
                State::Idle
            }
            Err(state) => state,
        },
        (_, Action::RemindAnnouncement(scope, id)) => {
            match checked(turn, &scope, Permission::RemindAnnouncement) {
                Ok(_) => {
                    turn.effect(Effect::RemindAnnouncement { scope, id });
                    State::Idle
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

/// To whom: every member, the heads, or the teams behind.
fn choose_audience(turn: &mut Turn<'_>) -> State {
    let scope = match own_area(turn, "announcement.start") {
        Ok(scope) => scope,
        Err(state) => return state,
    };
    let unit = match checked(turn, &scope, Permission::Announce) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let b = |turn: &Turn<'_>, key, audience| {
        vec![turn.button(key, &Action::AnnounceTo(audience).payload())]
    };
    let rows = vec![
        b(turn, K::AnnounceButtonAll, Audience::All),
        b(turn, K::AnnounceButtonLeaders, Audience::Leaders),
        b(turn, K::AnnounceButtonBehind, Audience::Behind),
        vec![turn.button(K::PeriodButtonCancel, &Action::Cancel.payload())],
    ];
    let text = turn.fill(
        K::AnnounceAskAudience,
        &[("unit", Html::text(&unit.entry.name))],
    );
    turn.say_with_buttons(text, rows);
    State::Idle
}

/// The question of the state: the text, or the preview with "📤 Send".
pub fn ask(turn: &mut Turn<'_>, state: &State) {
    let State::Announcing(announcing) = state else {
        return;
    };
    let cancel = turn.button(K::PeriodButtonCancel, &Action::Cancel.payload());
    let Some(text) = &announcing.text else {
        let max = Html::text(&TEXT_MAX.to_string());
        let said = turn.fill(
            K::AnnounceAskText,
            &[("unit", Html::text(&announcing.scope_name)), ("max", max)],
        );
        turn.say_with_buttons(said, vec![vec![cancel]]);
        return;
    };
    let today = turn.ctx.today;
    let months = Months::new(turn.ctx.rules.activity.quiet_months);
    let Some(Lookup::AnnouncementReach(reachable, unreachable)) =
        turn.lookup(Need::AnnouncementReach {
            scope: announcing.scope.clone(),
            audience: announcing.audience,
            quiet_since: today.checked_sub_months(months).unwrap_or(today),
        })
    else {
        return;
    };
    let not: usize = unreachable.iter().map(|(_, n)| n).sum();
    let why = unreachable_reasons(turn.ctx.texts, turn.lang, &unreachable);
    let args = [
        ("text", Html::text(text)),
        ("total", Html::text(&(reachable + not).to_string())),
        ("reachable", Html::text(&reachable.to_string())),
        ("unreachable", Html::text(&not.to_string())),
        ("why", why),
    ];
    let said = turn.fill(K::AnnouncePreview, &args);
    let send = turn.button(K::AnnounceButtonSend, &Action::AnnounceSend.payload());
    turn.say_with_buttons(said, vec![vec![send], vec![cancel]]);
}

pub fn on_input(turn: &mut Turn<'_>, announcing: Announcing, input: Input) -> State {
    match (input, announcing.text.is_some()) {
        (Input::Action(action), _) => {
            on_action(turn, State::Announcing(Box::new(announcing)), action)
        }
        (Input::Text(typed), false) => match parse_text(&typed) {
            Ok(text) => {
                let state = State::Announcing(Box::new(Announcing {
                    text: Some(text),
                    ..announcing
                }));
                ask(turn, &state);
                state
            }
            Err(_) => {
                let max = Html::text(&TEXT_MAX.to_string());
                let said = turn.fill(K::AnnounceTextRefused, &[("max", max)]);
                turn.say_html(said);
                let state = State::Announcing(Box::new(announcing));
                ask(turn, &state);
                state
            }
        },
        // A file, a contact, or text where "📤 Send" is awaited.
        (_, _) => {
            turn.say(K::AnnounceNotAnAnswer);
            let state = State::Announcing(Box::new(announcing));
            ask(turn, &state);
            state
        }
    }
}

fn send(turn: &mut Turn<'_>, announcing: Announcing) -> State {
    let Some(text) = announcing.text else {
        let state = State::Announcing(Box::new(announcing));
        ask(turn, &state);
        return state;
    };
    // Checked again: the account may have changed since the question was asked.
    if let Err(state) = checked(turn, &announcing.scope, Permission::Announce) {
        return state;
    }
    turn.effect(Effect::SendAnnouncement {
        scope: announcing.scope,
        scope_name: announcing.scope_name,
        audience: announcing.audience,
        text,
        key: turn.ctx.step_key.clone(),
    });
    State::Idle
}
