//! Outside any dialogue: invitations, the menu, `/myteam`, resuming a cancelled registration.

use super::input::{Action, Command, Input};
use super::registration;
use super::summary::team_card;
use super::turn::Turn;
use super::{Effect, InvitationCheck, State};
use crate::domain::AccountRole;
use crate::i18n::{Html, K};

pub fn on_command(turn: &mut Turn<'_>, command: Command) -> State {
    match command {
        Command::Start(Some(_)) => redeem(turn),
        Command::Start(None) => {
            let key = if is_village_head(turn) {
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
            turn.say(K::HelpIdle);
            menu(turn);
            State::Idle
        }
        Command::Cancel | Command::Back | Command::Skip => {
            turn.say(K::NothingToCancel);
            menu(turn);
            State::Idle
        }
        // Handled for every state by the router.
        Command::Language | Command::Unknown(_) => State::Idle,
    }
}

pub fn on_input(turn: &mut Turn<'_>, input: Input) -> State {
    match input {
        Input::Action(Action::MyTeam) => my_team(turn),
        Input::Action(Action::EditTeam) => match saved_team(turn) {
            Some(team) => registration::begin(turn, Some(team)),
            None => my_team(turn),
        },
        Input::Action(Action::Resume) => resume(turn),
        Input::Action(Action::Restart) => {
            let team = saved_team(turn);
            registration::begin(turn, team)
        }
        Input::Action(_) => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
        Input::Text(_) | Input::Contact(_) | Input::File(_) => {
            turn.say(K::NotUnderstood);
            menu(turn);
            State::Idle
        }
    }
}

fn is_village_head(turn: &Turn<'_>) -> bool {
    turn.ctx
        .account
        .as_ref()
        .is_some_and(|a| a.role == AccountRole::VillageHead)
}

/// The registered team, as a draft to edit; `None` when nothing was registered yet.
fn saved_team(turn: &Turn<'_>) -> Option<super::Draft> {
    turn.ctx
        .team
        .as_ref()
        .filter(|t| t.registered)
        .map(|t| t.team.clone())
}

/// The main menu of the chat's role.
pub fn menu(turn: &mut Turn<'_>) {
    let language = turn.button(K::ButtonLanguage, &Action::ChooseLanguage.payload());
    let help = turn.button(K::ButtonHelp, &Action::Help.payload());
    if is_village_head(turn) {
        let team = turn.button(K::ButtonMyTeam, &Action::MyTeam.payload());
        let text = turn.t(K::MenuVillageHead);
        turn.say_with_buttons(text, vec![vec![team], vec![language, help]]);
    } else {
        let text = turn.t(K::MenuGuest);
        turn.say_with_buttons(text, vec![vec![language, help]]);
    }
}

/// `/start CODE`: bind the chat to the invitation's role and unit, then start registering.
fn redeem(turn: &mut Turn<'_>) -> State {
    let check = turn.ctx.invitation.clone();
    let Some(InvitationCheck::Valid {
        code_sha256,
        role,
        unit,
        parent,
    }) = check
    else {
        let key = match check {
            Some(InvitationCheck::Used) => K::InvitationUsed,
            Some(InvitationCheck::Expired) => K::InvitationExpired,
            _ => K::InvitationUnknown,
        };
        turn.say(key);
        menu(turn);
        return State::Idle;
    };
    turn.effect(Effect::RedeemInvitation {
        code_sha256,
        role,
        unit_code: unit.code.clone(),
    });
    let commune = parent.map(|p| p.name).unwrap_or_default();
    let text = turn.fill(
        K::WelcomeVillageHead,
        &[
            ("village", Html::text(&unit.name)),
            ("commune", Html::text(&commune)),
        ],
    );
    turn.say_html(text);
    my_team(turn)
}

/// `/myteam`: the registered team with an edit button, the unfinished one to resume, or a
/// new registration.
fn my_team(turn: &mut Turn<'_>) -> State {
    let village = turn.ctx.invitation_or_account_unit();
    let Some(village) = village else {
        turn.say(K::NotAVillageHead);
        menu(turn);
        return State::Idle;
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
            let card = team_card(turn, &village.name, &team.team);
            let buttons = vec![vec![
                turn.button(K::ButtonEditTeam, &Action::EditTeam.payload()),
                turn.button(K::ButtonLanguage, &Action::ChooseLanguage.payload()),
            ]];
            turn.say_with_buttons(card, buttons);
            State::Idle
        }
        _ => registration::begin(turn, None),
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
