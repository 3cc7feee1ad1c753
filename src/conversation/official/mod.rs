//! Officials: a commune official keeps the commune's village list and invites village heads;
//! a district official sees the communes and invites commune officials. Every action checks
//! role and scope with [`authorize`], whatever button or payload asked for it.

pub mod announce;
mod area;
mod assign;
mod decision;
pub mod period;
mod revoke;
mod unit_list;
mod villages;

pub(crate) use area::example_deadline;
use area::villages_of;
pub use area::{notices, report, set_deadline};
pub use decision::offer as decision_menu;
use unit_list::progress_line;
pub use unit_list::units;
use villages::remove;
pub use villages::{ask, on_input};

use super::input::Action;
use super::lookup::{Lookup, Need, UnitTarget};
use super::menu::menu;
use super::summary::village_team_card_for_official;
use super::turn::Turn;
use super::{Effect, State};
use crate::domain::access::{self, authorize, Actor, Target};
use crate::domain::{AccountRole, UnitLevel};
use crate::i18n::{Html, K};

fn actor(turn: &Turn<'_>) -> Actor {
    match &turn.ctx.account {
        Some(account) => Actor::account(account.role, account.unit.code.clone()),
        None => Actor::resident(),
    }
}

pub(super) fn own_unit(turn: &Turn<'_>) -> Option<(AccountRole, String)> {
    let account = turn.ctx.account.as_ref()?;
    account
        .role
        .is_official()
        .then(|| (account.role, account.unit.code.clone()))
}

pub(super) fn refuse(turn: &mut Turn<'_>, action: &str, unit_code: &str) -> State {
    turn.effect(Effect::Denied {
        action: action.to_owned(),
        unit_code: unit_code.to_owned(),
    });
    turn.say(K::NotAllowed);
    menu(turn);
    State::Idle
}

/// Refuses an action the chat's role may not do at all (audited against its own unit).
pub(super) fn refuse_role(turn: &mut Turn<'_>, action: &str) -> State {
    let code = turn
        .ctx
        .account
        .as_ref()
        .map(|a| a.unit.code.clone())
        .unwrap_or_default();
    refuse(turn, action, &code)
}

/// Loads `code` and checks `action` on it; `Err` carries the state to return (a need pending
/// or a refusal already said).
pub(super) fn checked(
    turn: &mut Turn<'_>,
    code: &str,
    action: access::Permission,
) -> Result<UnitTarget, State> {
    let Some(found) = turn.lookup(Need::Unit {
        code: code.to_owned(),
    }) else {
        return Err(State::Idle);
    };
    let Lookup::Unit(Some(unit)) = found else {
        // Removed since the button was made, or never existed: nothing to act on.
        turn.say(K::UnitNotFound);
        menu(turn);
        return Err(State::Idle);
    };
    let target = Target {
        code: unit.entry.code.clone(),
        level: unit.entry.level,
        ancestors: unit.ancestors.clone(),
    };
    match authorize(&actor(turn), action, &target) {
        Ok(()) => Ok(unit),
        Err(_) => Err(refuse(turn, &format!("{action:?}"), code)),
    }
}

pub fn on_action(turn: &mut Turn<'_>, action: Action) -> State {
    match action {
        Action::Units => units(turn),
        Action::UnitMenu(code) => unit_menu(turn, &code),
        Action::InviteFor(code) => invite(turn, &code),
        Action::ViewVillages(code) => villages_of(turn, &code),
        Action::NoticesOff => notices(turn, false),
        Action::NoticesOn => notices(turn, true),
        Action::RenameVillage(code) => {
            match checked(turn, &code, access::Permission::EditVillage) {
                Ok(_) => {
                    let state = State::RenamingVillage { code };
                    ask(turn, &state);
                    state
                }
                Err(state) => state,
            }
        }
        Action::RevokeAccess(code) => revoke::revoke(turn, &code, false),
        Action::ConfirmRevokeAccess(code) => revoke::revoke(turn, &code, true),
        Action::ToAssign => assign::list(turn),
        Action::DraftDecision(code) => decision::draft(turn, &code),
        Action::AssignVillage(code) => assign::choose(turn, &code),
        Action::AssignVillageTo(village, commune) => assign::assign(turn, &village, &commune),
        Action::PeriodReport
        | Action::ShowPeriod(_)
        | Action::SubmitPeriod(..)
        | Action::ApprovePeriod(..)
        | Action::ReturnPeriod(..) => period::on_action(turn, action),
        Action::Announce
        | Action::AnnounceTo(_)
        | Action::AnnounceSend
        | Action::AnnouncementStatus
        | Action::RemindAnnouncement(..) => announce::on_action(turn, State::Idle, action),
        Action::RemoveVillage(code) => remove(turn, &code, false),
        Action::ConfirmRemoveVillage(code) => remove(turn, &code, true),
        Action::AddVillage | Action::ImportVillages => {
            let Some((AccountRole::CommuneOfficial, own)) = own_unit(turn) else {
                return refuse(turn, "villages.manage", "");
            };
            if checked(turn, &own, access::Permission::ManageVillages).is_err() {
                return State::Idle;
            }
            let state = if action == Action::AddVillage {
                State::AddingVillage
            } else {
                State::AwaitingVillagesCsv
            };
            ask(turn, &state);
            state
        }
        _ => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
    }
}

/// What can be done with one village (commune official) or commune (district official).
fn unit_menu(turn: &mut Turn<'_>, code: &str) -> State {
    let action = invite_action(turn);
    let unit = match checked(turn, code, action) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let mut rows = vec![vec![turn.button(
        K::ButtonInvite,
        &Action::InviteFor(code.to_owned()).payload(),
    )]];
    let target = Target {
        code: unit.entry.code.clone(),
        level: unit.entry.level,
        ancestors: unit.ancestors.clone(),
    };
    if authorize(&actor(turn), access::Permission::EditVillage, &target).is_ok() {
        rows.push(vec![
            turn.button(
                K::ButtonRename,
                &Action::RenameVillage(code.to_owned()).payload(),
            ),
            turn.button(
                K::ButtonRemoveVillage,
                &Action::RemoveVillage(code.to_owned()).payload(),
            ),
        ]);
    }
    // Revoking is offered only where there is an account to revoke.
    if unit.accounts && authorize(&actor(turn), access::Permission::RevokeAccess, &target).is_ok() {
        rows.push(vec![turn.button(
            K::ButtonRevokeAccess,
            &Action::RevokeAccess(code.to_owned()).payload(),
        )]);
    }
    rows.push(vec![
        turn.button(K::ButtonBackToList, &Action::Units.payload())
    ]);
    let mut text = turn.fill(K::UnitMenu, &[("unit", Html::text(&unit.entry.name))]);
    // A registered village's team comes first, every number shown: its commune's officials
    // keep the list of who helps residents.
    if unit.entry.level == UnitLevel::Village && unit.has_team {
        let Some(Lookup::RegisteredTeam(team)) = turn.lookup(Need::RegisteredTeam {
            code: code.to_owned(),
        }) else {
            return State::Idle;
        };
        if let Some(team) = team {
            let card = village_team_card_for_official(turn, &unit.entry.name, &team);
            text = Html::markup(format!("{}\n\n{}", card.as_str(), text.as_str()));
        }
    }
    turn.say_with_buttons(text, rows);
    State::Idle
}

/// The role an official invites (and revokes) on the units below: commune officials for the
/// level above communes (a district, or a province since 2025), village heads otherwise.
pub(super) fn invited_role(turn: &Turn<'_>) -> AccountRole {
    turn.ctx
        .account
        .as_ref()
        .map_or(AccountRole::VillageHead, |a| a.role.invites())
}

fn invite_action(turn: &Turn<'_>) -> access::Permission {
    match invited_role(turn) {
        AccountRole::CommuneOfficial => access::Permission::InviteCommuneOfficial,
        _ => access::Permission::InviteVillageHead,
    }
}

fn invite(turn: &mut Turn<'_>, code: &str) -> State {
    let (action, role) = (invite_action(turn), invited_role(turn));
    match checked(turn, code, action) {
        Ok(unit) => {
            turn.effect(Effect::CreateInvitation {
                role,
                unit_code: unit.entry.code,
                unit_name: unit.entry.name,
            });
            State::Idle
        }
        Err(state) => state,
    }
}
