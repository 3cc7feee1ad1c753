//! Outside any dialogue: invitations, the menu of each role, `/myteam`, resuming a paused
//! registration; buttons of the other features are routed from here.

use super::input::{Action, Command, Input};
use super::registration;
use super::state::TeamLevel;
use super::summary::team_card;
use super::turn::Turn;
use super::{member, official, resident, Effect, InvitationCheck, State};
use crate::domain::AccountRole;
use crate::i18n::{Html, K};

pub fn on_command(turn: &mut Turn<'_>, command: Command) -> State {
    match command {
        Command::Start(Some(_)) => redeem(turn),
        Command::Start(None) => {
            let key = if turn.ctx.account.is_some() {
                K::WelcomeBack
            } else {
                K::WelcomeGuest
            };
            turn.say(key);
            menu(turn);
            State::Idle
        }
        Command::MyTeam => my_team(turn),
        Command::Help => {
            turn.say(help_key(role(turn)));
            menu(turn);
            State::Idle
        }
        Command::Invite => official::units(turn),
        Command::Report => official::report(turn),
        Command::Notices => official::notices(turn, true),
        Command::Deadline(date) => official::set_deadline(turn, &date),
        Command::Find => resident::start_search(turn),
        Command::Cancel | Command::Back | Command::Skip => {
            turn.say(K::NothingToCancel);
            menu(turn);
            State::Idle
        }
        // Handled for every state by the router.
        Command::Language | Command::Link(_) | Command::Unknown(_) => State::Idle,
    }
}

pub fn on_input(turn: &mut Turn<'_>, input: Input) -> State {
    match input {
        Input::Action(Action::MyTeam) => my_team(turn),
        Input::Action(Action::EditTeam) => match saved_team(turn) {
            Some(team) => registration::begin(turn, level(turn), Some(team)),
            None => my_team(turn),
        },
        Input::Action(Action::Resume) => resume(turn),
        Input::Action(Action::Restart) => {
            let team = saved_team(turn);
            registration::begin(turn, level(turn), team)
        }
        Input::Action(
            action @ (Action::Browse(..) | Action::ShowUnit(_) | Action::Page(_) | Action::Find),
        ) => resident::on_action(turn, action),
        Input::Action(action @ (Action::ImMember | Action::LeaveTeam(_))) => {
            member::on_action(turn, action)
        }
        Input::Action(
            action @ (Action::Units
            | Action::UnitMenu(_)
            | Action::RenameVillage(_)
            | Action::RemoveVillage(_)
            | Action::ConfirmRemoveVillage(_)
            | Action::RevokeAccess(_)
            | Action::ConfirmRevokeAccess(_)
            | Action::AddVillage
            | Action::ImportVillages
            | Action::InviteFor(_)
            | Action::ViewVillages(_)
            | Action::ToAssign
            | Action::AssignVillage(_)
            | Action::AssignVillageTo(..)
            | Action::NoticesOff
            | Action::NoticesOn),
        ) => official::on_action(turn, action),
        Input::Action(_) => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
        Input::Contact { phone, own } => member::on_contact(turn, &phone, own),
        // With no dialogue open, what someone types is most likely a place: look it up.
        Input::Text(text) => match resident::search(turn, &text, 0) {
            // Nothing found: a head or an official may have meant something else, so their
            // menu follows; the next text is looked up again anyway.
            State::Searching if turn.ctx.account.is_some() => {
                menu(turn);
                State::Idle
            }
            state => state,
        },
        Input::File(_) => {
            turn.say(K::NotUnderstood);
            menu(turn);
            State::Idle
        }
    }
}

fn role(turn: &Turn<'_>) -> Option<AccountRole> {
    turn.ctx.account.as_ref().map(|a| a.role)
}

fn level(turn: &Turn<'_>) -> TeamLevel {
    match role(turn) {
        Some(AccountRole::CommuneOfficial) => TeamLevel::Commune,
        _ => TeamLevel::Village,
    }
}

fn help_key(role: Option<AccountRole>) -> K {
    match role {
        None => K::HelpResident,
        Some(AccountRole::VillageHead) => K::HelpIdle,
        Some(AccountRole::CommuneOfficial) => K::HelpCommuneOfficial,
        Some(AccountRole::DistrictOfficial) => K::HelpDistrictOfficial,
        Some(AccountRole::ProvinceOfficial) => K::HelpProvinceOfficial,
    }
}

/// The registered team and its version; `None` when nothing was registered yet.
fn saved_team(turn: &Turn<'_>) -> Option<(super::Team, i64)> {
    turn.ctx
        .team
        .as_ref()
        .filter(|t| t.registered)
        .map(|t| (t.team.clone(), t.version))
}

/// The main menu of the chat's role.
pub fn menu(turn: &mut Turn<'_>) {
    menu_for(turn, role(turn));
}

/// The main menu of `role` (a resident's when `None`).
pub fn menu_for(turn: &mut Turn<'_>, role: Option<AccountRole>) {
    let b = |turn: &Turn<'_>, key, action: Action| turn.button(key, &action.payload());
    let mut rows = match role {
        None => vec![
            vec![b(turn, K::ButtonFind, Action::Find)],
            vec![b(turn, K::ButtonImMember, Action::ImMember)],
        ],
        Some(AccountRole::VillageHead) => vec![vec![b(turn, K::ButtonMyTeam, Action::MyTeam)]],
        Some(AccountRole::CommuneOfficial) => vec![vec![
            b(turn, K::ButtonCommuneTeam, Action::MyTeam),
            b(turn, K::ButtonVillages, Action::Units),
        ]],
        Some(AccountRole::DistrictOfficial | AccountRole::ProvinceOfficial) => {
            vec![vec![b(turn, K::ButtonCommunes, Action::Units)]]
        }
    };
    if role.is_some() {
        rows.push(vec![b(turn, K::ButtonFind, Action::Find)]);
    }
    rows.push(vec![
        b(turn, K::ButtonLanguage, Action::ChooseLanguage),
        b(turn, K::ButtonHelp, Action::Help),
    ]);
    let text = turn.t(match role {
        None => K::MenuGuest,
        Some(_) => K::MenuVillageHead,
    });
    turn.say_with_buttons(text, rows);
}

/// `/start CODE`: bind the chat to the invitation's role and unit.
fn redeem(turn: &mut Turn<'_>) -> State {
    let check = turn.ctx.invitation.clone();
    let Some(InvitationCheck::Valid {
        code_sha256,
        role,
        unit,
        parent,
    }) = check
    else {
        let (key, reason) = match check {
            Some(InvitationCheck::Used) => (K::InvitationUsed, "used"),
            Some(InvitationCheck::Expired) => (K::InvitationExpired, "expired"),
            _ => (K::InvitationUnknown, "unknown"),
        };
        turn.effect(Effect::InvitationRefused { reason });
        turn.say(key);
        menu(turn);
        return State::Idle;
    };
    turn.effect(Effect::RedeemInvitation {
        code_sha256,
        role,
        unit_code: unit.code.clone(),
    });
    let parent = parent.map(|p| p.name).unwrap_or_default();
    let args = [
        ("unit", Html::text(&unit.name)),
        ("parent", Html::text(&parent)),
    ];
    let key = match role {
        AccountRole::VillageHead => K::WelcomeVillageHead,
        AccountRole::CommuneOfficial => K::WelcomeCommuneOfficial,
        AccountRole::DistrictOfficial => K::WelcomeDistrictOfficial,
        AccountRole::ProvinceOfficial => K::WelcomeProvinceOfficial,
    };
    let text = turn.fill(key, &args);
    turn.say_html(text);
    match role {
        AccountRole::VillageHead => my_team(turn),
        _ => {
            menu_for(turn, Some(role));
            State::Idle
        }
    }
}

/// `/myteam`: the registered team with an edit button, the paused registration to resume, or
/// a new registration. For commune officials, the commune team.
fn my_team(turn: &mut Turn<'_>) -> State {
    let Some(unit) = turn.ctx.invitation_or_account_unit() else {
        turn.say(K::NotAVillageHead);
        menu(turn);
        return State::Idle;
    };
    let level = match &turn.ctx.invitation {
        Some(InvitationCheck::Valid {
            role: AccountRole::CommuneOfficial,
            ..
        }) => TeamLevel::Commune,
        Some(InvitationCheck::Valid { .. }) => TeamLevel::Village,
        _ => level(turn),
    };
    match turn.ctx.team.clone() {
        Some(team) if team.unfinished.is_some() => {
            let buttons = vec![vec![
                turn.button(K::ButtonResume, &Action::Resume.payload()),
                turn.button(K::ButtonRestart, &Action::Restart.payload()),
            ]];
            let text = turn.t(K::ResumeOffer);
            turn.say_with_buttons(text, buttons);
            State::Idle
        }
        Some(team) if team.registered => {
            let card = team_card(turn, &unit.name, &team.team);
            let buttons = vec![vec![
                turn.button(K::ButtonEditTeam, &Action::EditTeam.payload()),
                turn.button(K::ButtonLanguage, &Action::ChooseLanguage.payload()),
            ]];
            turn.say_with_buttons(card, buttons);
            State::Idle
        }
        _ => registration::begin(turn, level, None),
    }
}

fn resume(turn: &mut Turn<'_>) -> State {
    match turn.ctx.team.as_ref().and_then(|t| t.unfinished.clone()) {
        Some(reg) => {
            turn.say(K::Resumed);
            registration::ask(turn, &reg);
            State::Registering(Box::new(reg))
        }
        None => my_team(turn),
    }
}
