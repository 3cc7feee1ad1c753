//! Officials: a commune official keeps the commune's village list and invites village heads;
//! a district official sees the communes and invites commune officials. Every action checks
//! role and scope with [`authorize`], whatever button or payload asked for it.

use super::input::{Action, Input};
use super::lookup::{Lookup, Need, TeamProgress, UnitTarget, VillageState};
use super::turn::Turn;
use super::{idle, Button, Effect, State};
use crate::domain::access::{self, authorize, Actor, Target};
use crate::domain::decision::parse_short_text;
use crate::domain::text::same_words;
use crate::domain::{AccountRole, UnitLevel};
use crate::i18n::{Html, K};

const NAME_MAX: usize = 80;

fn actor(turn: &Turn<'_>) -> Actor {
    match &turn.ctx.account {
        Some(account) => Actor::account(account.role, account.unit.code.clone()),
        None => Actor::resident(),
    }
}

fn own_unit(turn: &Turn<'_>) -> Option<(AccountRole, String)> {
    let account = turn.ctx.account.as_ref()?;
    matches!(
        account.role,
        AccountRole::CommuneOfficial | AccountRole::DistrictOfficial
    )
    .then(|| (account.role, account.unit.code.clone()))
}

fn refuse(turn: &mut Turn<'_>, action: &str, unit_code: &str) -> State {
    turn.effect(Effect::Denied {
        action: action.to_owned(),
        unit_code: unit_code.to_owned(),
    });
    turn.say(K::NotAllowed);
    idle::menu(turn);
    State::Idle
}

/// Loads `code` and checks `action` on it; `Err` carries the state to return (a need pending
/// or a refusal already said).
fn checked(turn: &mut Turn<'_>, code: &str, action: access::Action) -> Result<UnitTarget, State> {
    let Some(found) = turn.lookup(Need::Unit {
        code: code.to_owned(),
    }) else {
        return Err(State::Idle);
    };
    let Lookup::Unit(Some(unit)) = found else {
        // Removed since the button was made, or never existed: nothing to act on.
        turn.say(K::UnitNotFound);
        idle::menu(turn);
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

/// `/invite` and the "villages" / "communes" buttons: the units below the official's own.
pub fn units(turn: &mut Turn<'_>) -> State {
    let Some((role, own)) = own_unit(turn) else {
        let code = turn
            .ctx
            .account
            .as_ref()
            .map(|a| a.unit.code.clone())
            .unwrap_or_default();
        return refuse(turn, "units.list", &code);
    };
    let Some(found) = turn.lookup(Need::Villages {
        commune: own.clone(),
    }) else {
        return State::Idle;
    };
    let Lookup::Villages(units) = found else {
        return State::Idle;
    };
    let mut lines = vec![turn
        .fill(
            K::UnitListTitle,
            &[("count", Html::text(&units.len().to_string()))],
        )
        .into_string()];
    lines.extend(
        units
            .iter()
            .enumerate()
            .map(|(i, u)| progress_line(turn, i + 1, u).into_string()),
    );
    let mut rows: Vec<Vec<Button>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            vec![Button {
                label: format!("{}. {}", i + 1, u.unit.name),
                payload: Action::UnitMenu(u.unit.code.clone()).payload(),
            }]
        })
        .collect();
    if role == AccountRole::CommuneOfficial {
        rows.push(vec![
            turn.button(K::ButtonAddVillage, &Action::AddVillage.payload()),
            turn.button(K::ButtonImportVillages, &Action::ImportVillages.payload()),
        ]);
    }
    turn.say_with_buttons(Html::markup(lines.join("\n")), rows);
    State::Idle
}

fn progress_line(turn: &Turn<'_>, n: usize, unit: &VillageState) -> Html {
    let (key, members) = match unit.team {
        TeamProgress::NoTeam => (K::ProgressNoTeam, 0),
        TeamProgress::Draft => (K::ProgressDraft, 0),
        TeamProgress::Registered { members } => (K::ProgressRegistered, members),
        TeamProgress::DecisionReceived { members } => (K::ProgressDecision, members),
    };
    let status = turn.fill(key, &[("members", Html::text(&members.to_string()))]);
    Html::markup(format!("{n}. {} — {status}", Html::text(&unit.unit.name)))
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
            match checked(turn, &code, access::Action::InviteVillageHead) {
                Ok(_) => {
                    let state = State::RenamingVillage { code };
                    ask(turn, &state);
                    state
                }
                Err(state) => state,
            }
        }
        Action::RemoveVillage(code) => remove(turn, &code, false),
        Action::ConfirmRemoveVillage(code) => remove(turn, &code, true),
        Action::AddVillage | Action::ImportVillages => {
            let Some((AccountRole::CommuneOfficial, own)) = own_unit(turn) else {
                return refuse(turn, "villages.manage", "");
            };
            if checked(turn, &own, access::Action::ManageVillages).is_err() {
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
            idle::menu(turn);
            State::Idle
        }
    }
}

/// What can be done with one village (commune official) or commune (district official).
fn unit_menu(turn: &mut Turn<'_>, code: &str) -> State {
    let action = match turn.ctx.account.as_ref().map(|a| a.role) {
        Some(AccountRole::DistrictOfficial) => access::Action::InviteCommuneOfficial,
        _ => access::Action::InviteVillageHead,
    };
    let unit = match checked(turn, code, action) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let mut rows = vec![vec![turn.button(
        K::ButtonInvite,
        &Action::InviteFor(code.to_owned()).payload(),
    )]];
    if unit.entry.level == UnitLevel::Village {
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
    rows.push(vec![
        turn.button(K::ButtonBackToList, &Action::Units.payload())
    ]);
    let text = turn.fill(K::UnitMenu, &[("unit", Html::text(&unit.entry.name))]);
    turn.say_with_buttons(text, rows);
    State::Idle
}

fn invite(turn: &mut Turn<'_>, code: &str) -> State {
    let (action, role) = match turn.ctx.account.as_ref().map(|a| a.role) {
        Some(AccountRole::DistrictOfficial) => (
            access::Action::InviteCommuneOfficial,
            AccountRole::CommuneOfficial,
        ),
        _ => (access::Action::InviteVillageHead, AccountRole::VillageHead),
    };
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

fn remove(turn: &mut Turn<'_>, code: &str, confirmed: bool) -> State {
    let unit = match checked(turn, code, access::Action::InviteVillageHead) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let name = Html::text(&unit.entry.name);
    if unit.has_team {
        let text = turn.fill(K::VillageHasTeam, &[("unit", name)]);
        turn.say_html(text);
        return units(turn);
    }
    if !confirmed {
        let buttons = vec![vec![
            turn.button(
                K::ButtonConfirmRemove,
                &Action::ConfirmRemoveVillage(code.to_owned()).payload(),
            ),
            turn.button(K::ButtonBackToList, &Action::Units.payload()),
        ]];
        let text = turn.fill(K::ConfirmRemoveVillage, &[("unit", name)]);
        turn.say_with_buttons(text, buttons);
        return State::Idle;
    }
    turn.effect(Effect::RemoveVillage {
        code: code.to_owned(),
    });
    let text = turn.fill(K::VillageRemoved, &[("unit", name)]);
    turn.say_with_buttons(
        text,
        vec![vec![
            turn.button(K::ButtonBackToList, &Action::Units.payload())
        ]],
    );
    State::Idle
}

/// The question of each official sub-dialogue.
pub fn ask(turn: &mut Turn<'_>, state: &State) {
    let key = match state {
        State::RenamingVillage { .. } => K::AskVillageNewName,
        State::AwaitingVillagesCsv => K::AskVillagesCsv,
        _ => K::AskVillageName,
    };
    let text = turn.t(key);
    turn.say_with_buttons(
        text,
        vec![vec![
            turn.button(K::ButtonBackToList, &Action::Units.payload())
        ]],
    );
}

pub fn on_input(turn: &mut Turn<'_>, state: State, input: Input) -> State {
    match (state, input) {
        (_, Input::Action(action)) => idle::on_input(turn, Input::Action(action)),
        (State::AddingVillage, Input::Text(text)) => add_village(turn, &text),
        (State::RenamingVillage { code }, Input::Text(text)) => rename_village(turn, code, &text),
        (State::AwaitingVillagesCsv, Input::File(file)) => match file.content {
            Some(csv) => {
                let Some((_, commune)) = own_unit(turn) else {
                    return refuse(turn, "villages.import", "");
                };
                turn.effect(Effect::ImportVillages { commune, csv });
                State::Idle
            }
            None => retry(turn, State::AwaitingVillagesCsv, K::ExpectedCsv),
        },
        (State::AwaitingVillagesCsv, _) => retry(turn, State::AwaitingVillagesCsv, K::ExpectedCsv),
        (state, _) => retry(turn, state, K::ExpectedText),
    }
}

fn retry(turn: &mut Turn<'_>, state: State, why: K) -> State {
    turn.say(why);
    ask(turn, &state);
    state
}

fn village_name(turn: &mut Turn<'_>, state: &State, text: &str) -> Option<String> {
    match parse_short_text(text, NAME_MAX) {
        Ok(name) if name.chars().count() >= 2 => Some(name),
        _ => {
            let why = turn.fill(
                K::VillageNameInvalid,
                &[("max", Html::text(&NAME_MAX.to_string()))],
            );
            turn.say_html(why);
            ask(turn, state);
            None
        }
    }
}

fn add_village(turn: &mut Turn<'_>, text: &str) -> State {
    let Some(name) = village_name(turn, &State::AddingVillage, text) else {
        return State::AddingVillage;
    };
    let Some((AccountRole::CommuneOfficial, commune)) = own_unit(turn) else {
        return refuse(turn, "villages.add", "");
    };
    let Some(Lookup::Villages(existing)) = turn.lookup(Need::Villages {
        commune: commune.clone(),
    }) else {
        return State::AddingVillage;
    };
    if existing.iter().any(|v| same_words(&v.unit.name, &name)) {
        return retry(turn, State::AddingVillage, K::VillageExists);
    }
    turn.effect(Effect::AddVillage {
        commune,
        name: name.clone(),
    });
    done(turn, K::VillageAdded, &name)
}

/// Says what was done to the village `name`, with a button back to the list.
fn done(turn: &mut Turn<'_>, key: K, name: &str) -> State {
    let text = turn.fill(key, &[("unit", Html::text(name))]);
    let back = turn.button(K::ButtonBackToList, &Action::Units.payload());
    turn.say_with_buttons(text, vec![vec![back]]);
    State::Idle
}

fn rename_village(turn: &mut Turn<'_>, code: String, text: &str) -> State {
    let state = State::RenamingVillage { code: code.clone() };
    let Some(name) = village_name(turn, &state, text) else {
        return state;
    };
    if let Err(state) = checked(turn, &code, access::Action::InviteVillageHead) {
        return state;
    }
    turn.effect(Effect::RenameVillage {
        code,
        name: name.clone(),
    });
    done(turn, K::VillageRenamed, &name)
}

/// `/baocao` (`/report`): officials get the report of their own area.
pub fn report(turn: &mut Turn<'_>) -> State {
    match own_unit(turn) {
        Some((_, scope)) => {
            turn.say(K::ReportPreparing);
            turn.effect(Effect::SendReport { scope });
            State::Idle
        }
        None => {
            let code = turn
                .ctx
                .account
                .as_ref()
                .map(|a| a.unit.code.clone())
                .unwrap_or_default();
            refuse(turn, "report", &code)
        }
    }
}

/// `/hanchot dd/mm/yyyy` (`/deadline`): a district official sets the district's deadline.
pub fn set_deadline(turn: &mut Turn<'_>, text: &str) -> State {
    let Some((AccountRole::DistrictOfficial, scope)) = own_unit(turn) else {
        let code = turn
            .ctx
            .account
            .as_ref()
            .map(|a| a.unit.code.clone())
            .unwrap_or_default();
        return refuse(turn, "campaign.deadline", &code);
    };
    match crate::domain::decision::parse_date(text) {
        Ok(deadline) => {
            turn.effect(Effect::SetDeadline { scope, deadline });
            let date = Html::text(&deadline.format("%d/%m/%Y").to_string());
            let text = turn.fill(K::DeadlineSet, &[("date", date)]);
            turn.say_html(text);
        }
        Err(_) => turn.say(K::DeadlineFormat),
    }
    idle::menu(turn);
    State::Idle
}

/// A commune's villages with their status, for an official above it (from a digest).
fn villages_of(turn: &mut Turn<'_>, code: &str) -> State {
    let unit = match checked(turn, code, access::Action::ViewStatus) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let Some(Lookup::Villages(villages)) = turn.lookup(Need::Villages {
        commune: code.to_owned(),
    }) else {
        return State::Idle;
    };
    let mut lines = vec![format!("<b>{}</b>", Html::text(&unit.entry.name))];
    lines.extend(
        villages
            .iter()
            .enumerate()
            .map(|(i, v)| progress_line(turn, i + 1, v).into_string()),
    );
    turn.say_with_buttons(
        Html::markup(lines.join("\n")),
        vec![vec![
            turn.button(K::ButtonBackToList, &Action::Units.payload())
        ]],
    );
    State::Idle
}

/// Turns a commune official's notices of village team changes on or off.
pub fn notices(turn: &mut Turn<'_>, on: bool) -> State {
    match own_unit(turn) {
        Some((AccountRole::CommuneOfficial, _)) => {
            turn.effect(Effect::SetChangeNotices { on });
            turn.say(if on { K::NoticesOn } else { K::NoticesOff });
            State::Idle
        }
        _ => {
            let code = turn
                .ctx
                .account
                .as_ref()
                .map(|a| a.unit.code.clone())
                .unwrap_or_default();
            refuse(turn, "notices", &code)
        }
    }
}
