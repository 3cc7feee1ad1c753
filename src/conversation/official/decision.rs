//! `/quyetdinh` (`/decision`): the founding decision drafted for the commune's chairman to
//! sign, as a Word document: one for all the commune's villages with a registered team, or
//! one village's. The commune's officials ask for it; the officials above may press the
//! same buttons for a commune of their area (the access matrix's `DraftDecision`).

use super::super::input::Action;
use super::super::lookup::{Lookup, Need, TeamProgress};
use super::super::menu::menu;
use super::super::turn::Turn;
use super::super::{Button, Effect, State};
use super::{checked, own_unit, refuse_role};
use crate::domain::{access, AccountRole};
use crate::i18n::{Html, K};

/// The commune-wide draft and each registered village's, as buttons.
pub fn offer(turn: &mut Turn<'_>) -> State {
    let Some((AccountRole::CommuneOfficial, commune)) = own_unit(turn) else {
        return refuse_role(turn, "decision.draft");
    };
    if checked(turn, &commune, access::Permission::DraftDecision).is_err() {
        return State::Idle;
    }
    let Some(Lookup::Villages(villages)) = turn.lookup(Need::Villages {
        commune: commune.clone(),
    }) else {
        return State::Idle;
    };
    let registered: Vec<_> = villages
        .iter()
        .filter(|v| {
            matches!(
                v.team,
                TeamProgress::Registered { .. } | TeamProgress::DecisionReceived { .. }
            )
        })
        .collect();
    if registered.is_empty() {
        turn.say(K::DecisionNoTeams);
        menu(turn);
        return State::Idle;
    }
    let count = Html::text(&registered.len().to_string());
    let mut rows = vec![vec![Button {
        label: crate::i18n::to_plain(
            turn.fill(K::ButtonDecisionCommune, &[("count", count)])
                .as_str(),
        ),
        payload: Action::DraftDecision(commune).payload(),
    }]];
    rows.extend(registered.iter().map(|village| {
        let name = Html::text(&village.unit.name);
        vec![Button {
            label: crate::i18n::to_plain(
                turn.fill(K::ButtonDecisionVillage, &[("village", name)])
                    .as_str(),
            ),
            payload: Action::DraftDecision(village.unit.code.clone()).payload(),
        }]
    }));
    turn.say_with_buttons(turn.t(K::DecisionMenu), rows);
    State::Idle
}

/// A button pressed: the draft of `code` (a commune or a village), if the chat may have it.
pub(super) fn draft(turn: &mut Turn<'_>, code: &str) -> State {
    match checked(turn, code, access::Permission::DraftDecision) {
        Ok(unit) => {
            turn.say(K::DecisionPreparing);
            turn.effect(Effect::SendDecision {
                unit_code: unit.entry.code,
            });
            State::Idle
        }
        Err(state) => state,
    }
}
