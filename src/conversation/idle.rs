//! Outside any dialogue: invitations, welcome and help, `/myteam`, resuming a paused
//! registration, and what is typed with nothing open (most likely a place to look up).

use super::input::{Action, Input, Offered};
use super::menu::{menu, menu_for, role};
use super::registration;
use super::state::TeamLevel;
use super::summary::team_card;
use super::turn::Turn;
use super::{member, resident, Effect, InvitationCheck, State};
use crate::domain::text::same_words;
use crate::domain::AccountRole;
use crate::i18n::{Html, K};

/// `/start` without a code.
pub fn welcome(turn: &mut Turn<'_>) -> State {
    let key = if turn.ctx.account.is_some() {
        K::WelcomeBack
    } else {
        K::WelcomeGuest
    };
    turn.say(key);
    menu(turn);
    State::Idle
}

pub fn help(turn: &mut Turn<'_>) -> State {
    // Officials above communes are shown `/hanchot` with a date they may really set.
    let example = super::official::example_deadline(turn.ctx.today);
    let text = turn.fill(help_key(role(turn)), &[("example", Html::text(&example))]);
    turn.say_html(text);
    menu(turn);
    State::Idle
}

/// The buttons of the head's team outside the registration.
pub fn on_team_action(turn: &mut Turn<'_>, action: Action) -> State {
    match action {
        Action::MyTeam => my_team(turn),
        Action::EditTeam => match saved_team(turn) {
            Some(team) => registration::begin(turn, level(turn), Some(team)),
            None => my_team(turn),
        },
        Action::Resume => resume(turn),
        Action::Restart => {
            let team = saved_team(turn);
            registration::begin(turn, level(turn), team)
        }
        _ => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
    }
}

/// What is typed, shared or sent with no dialogue open (buttons go through the router).
pub fn on_input(turn: &mut Turn<'_>, input: Input) -> State {
    match input {
        Input::Action(_) => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
        Input::Contact { phone, own } => member::on_contact(turn, &phone, own),
        Input::Text(text) => match own_team_has(turn, &text) {
            // A head or commune official typing a name of their own team means that person.
            Some(name) => person_in_team(turn, &name),
            // With no dialogue open, what someone types is most likely a place: look it up.
            None => match resident::search(turn, &text, 0) {
                // Nothing found: a head or an official may have meant something else, so
                // their menu follows; the next text is looked up again anyway.
                State::Searching if turn.ctx.account.is_some() => {
                    menu(turn);
                    State::Idle
                }
                state => state,
            },
        },
        // A photo more in a batch whose first answered the question, or a file sent unasked:
        // never downloaded (see the pipeline's worker).
        Input::File(_) => {
            turn.say(K::FileNotNeeded);
            menu(turn);
            State::Idle
        }
    }
}

/// The name, as the team lists it, of the person of the chat's own team that `text` names
/// (without case or diacritics); `None` for those who keep no team.
fn own_team_has(turn: &Turn<'_>, text: &str) -> Option<String> {
    if !matches!(
        role(turn),
        Some(AccountRole::VillageHead | AccountRole::CommuneOfficial)
    ) {
        return None;
    }
    let team = &turn.ctx.team.as_ref()?.team;
    team.leader_name
        .iter()
        .chain(team.members.iter().map(|m| &m.name))
        .find(|name| same_words(name.as_str(), text))
        .map(|name| name.to_string())
}

/// "X is in your team": the button that opens it.
fn person_in_team(turn: &mut Turn<'_>, name: &str) -> State {
    let label = match role(turn) {
        Some(AccountRole::CommuneOfficial) => K::ButtonCommuneTeam,
        _ => K::ButtonMyTeam,
    };
    let text = turn.fill(K::NameInYourTeam, &[("name", Html::text(name))]);
    let buttons = vec![vec![turn.button(label, &Action::MyTeam.payload())]];
    turn.say_with_buttons(text, buttons);
    State::Idle
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

/// `/start CODE` or a code sent as a message: bind the chat to the invitation's role and
/// unit. What is not even shaped like a code is no guess: answered, it counts for nothing.
pub fn redeem(turn: &mut Turn<'_>, offered: &Offered) -> State {
    if *offered == Offered::NotACode {
        turn.say(K::InvitationNotACode);
        menu(turn);
        return State::Idle;
    }
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
            Some(InvitationCheck::Revoked) => (K::InvitationRevoked, "revoked"),
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
pub fn my_team(turn: &mut Turn<'_>) -> State {
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
