//! The official above ends an account: a commune official the village head's of one of its
//! villages, a district official the commune officials' of one of its communes (someone
//! replaced keeps nothing: no reports, no alerts, no team edits).

use super::super::input::Action;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::checked;
use crate::domain::{access, AccountRole};

use crate::i18n::{Html, K};

/// The role of the accounts an official may revoke on a unit of theirs: the one they invite.
fn revoked_role(turn: &Turn<'_>) -> AccountRole {
    super::invited_role(turn)
}

/// Asks to confirm, or (`confirmed`) revokes.
pub(super) fn revoke(turn: &mut Turn<'_>, code: &str, confirmed: bool) -> State {
    let unit = match checked(turn, code, access::Permission::RevokeAccess) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let name = Html::text(&unit.entry.name);
    if !confirmed {
        let buttons = vec![vec![
            turn.button(
                K::ButtonConfirmRevoke,
                &Action::ConfirmRevokeAccess(code.to_owned()).payload(),
            ),
            turn.button(K::ButtonBackToList, &Action::Units.payload()),
        ]];
        let text = turn.fill(K::ConfirmRevokeAccess, &[("unit", name)]);
        turn.say_with_buttons(text, buttons);
        return State::Idle;
    }
    turn.effect(Effect::RevokeAccess {
        unit_code: unit.entry.code,
        role: revoked_role(turn),
    });
    let text = turn.fill(K::AccessRevoked, &[("unit", name)]);
    let back = turn.button(K::ButtonBackToList, &Action::Units.payload());
    turn.say_with_buttons(text, vec![vec![back]]);
    State::Idle
}
