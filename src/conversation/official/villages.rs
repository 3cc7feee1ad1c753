//! The commune's village list: add, rename, remove (only without a team), import a CSV.

use super::super::input::{Action, Input};
use super::super::lookup::{Lookup, Need};
use super::super::turn::Turn;
use super::super::{Effect, State, VILLAGES_FILE_MAX_BYTES};
use super::{checked, own_unit, refuse, units};
use crate::domain::access;
use crate::domain::text::same_words;
use crate::domain::units::{parse_village_name, VILLAGE_NAME_MAX as NAME_MAX};
use crate::domain::AccountRole;
use crate::i18n::{Html, K};

pub(super) fn remove(turn: &mut Turn<'_>, code: &str, confirmed: bool) -> State {
    let unit = match checked(turn, code, access::Permission::EditVillage) {
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
        (State::AddingVillage, Input::Text(text)) => add_village(turn, &text),
        (State::RenamingVillage { code }, Input::Text(text)) => rename_village(turn, code, &text),
        (State::AwaitingVillagesCsv, Input::File(file)) if file.too_large => {
            let max = Html::text(&format!("{} MB", VILLAGES_FILE_MAX_BYTES / (1024 * 1024)));
            let why = turn.fill(K::VillagesFileTooLarge, &[("max", max)]);
            turn.say_html(why);
            ask(turn, &State::AwaitingVillagesCsv);
            State::AwaitingVillagesCsv
        }
        (State::AwaitingVillagesCsv, Input::File(file)) => match file.content {
            Some(csv) => {
                let Some((_, commune)) = own_unit(turn) else {
                    return refuse(turn, "villages.import", "");
                };
                turn.effect(Effect::ImportVillages { commune, csv });
                State::Idle
            }
            // Its download failed or took too long: sent again, it may go through.
            None if file.fetched => retry(turn, State::AwaitingVillagesCsv, K::FileNotReceived),
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
    match parse_village_name(text) {
        Ok(name) => Some(name),
        Err(_) => {
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
    if let Err(state) = checked(turn, &code, access::Permission::EditVillage) {
        return state;
    }
    turn.effect(Effect::RenameVillage {
        code,
        name: name.clone(),
    });
    done(turn, K::VillageRenamed, &name)
}
