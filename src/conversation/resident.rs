//! Residents: "who helps me?" — find a village or commune by name, or walk the list, and see
//! its team with tap-to-call numbers. Nothing about the resident is kept but the language.

use super::input::{Action, Input};
use super::lookup::{Lookup, Need, UnitEntry};
use super::menu::menu;
use super::summary::{callable_numbers, public_card};
use super::turn::Turn;
use super::{Button, Reply, State};
use crate::domain::text::clean;
use crate::domain::UnitLevel;
use crate::i18n::{Html, K};

const PAGE: usize = 8;
const MAX_QUERY: usize = 100;

pub fn start_search(turn: &mut Turn<'_>) -> State {
    ask(turn);
    State::Searching
}

/// The question of the search: the name of a village or commune.
pub fn ask(turn: &mut Turn<'_>) {
    let browse = turn.button(K::ButtonBrowse, &Action::Browse(None, 0).payload());
    let text = turn.t(K::AskPlaceName);
    turn.say_with_buttons(text, vec![vec![browse]]);
}

pub fn on_input(turn: &mut Turn<'_>, state: State, input: Input) -> State {
    match (state, input) {
        (State::Searching | State::Results { .. }, Input::Text(text)) => search(turn, &text, 0),
        (State::Results { query, .. }, Input::Action(Action::Page(page))) => {
            search(turn, &query, page)
        }
        (state, _) => {
            turn.say(K::ExpectedPlaceName);
            ask(turn);
            state
        }
    }
}

pub fn on_action(turn: &mut Turn<'_>, action: Action) -> State {
    match action {
        Action::Browse(parent, page) => browse(turn, parent, page),
        Action::ShowUnit(code) => show_card(turn, code),
        Action::Find => start_search(turn),
        _ => {
            turn.say(K::ButtonStale);
            menu(turn);
            State::Idle
        }
    }
}

pub(super) fn search(turn: &mut Turn<'_>, text: &str, page: usize) -> State {
    let query = clean(text);
    if query.is_empty() || query.chars().count() > MAX_QUERY {
        turn.say(K::ExpectedPlaceName);
        ask(turn);
        return State::Searching;
    }
    let Some(found) = turn.lookup(Need::Search {
        query: query.clone(),
    }) else {
        return State::Searching;
    };
    let hits = match found {
        Lookup::Units(hits) => hits,
        _ => return rate_limited(turn, State::Searching),
    };
    match hits.as_slice() {
        [] => {
            let text = turn.fill(K::NoPlaceFound, &[("query", Html::text(&query))]);
            let browse = turn.button(K::ButtonBrowse, &Action::Browse(None, 0).payload());
            turn.say_with_buttons(text, vec![vec![browse]]);
            State::Searching
        }
        // A province or district has no team: its list of communes (or districts) instead.
        [only] if !has_team(only.level) => browse(turn, Some(only.code.clone()), 0),
        [only] => {
            // Found by the name of a commune merged into it since: say so first.
            if let Some(old) = &only.formerly {
                let args = [("unit", Html::text(&only.name)), ("old", Html::text(old))];
                let text = turn.fill(K::FoundByFormerName, &args);
                turn.say_html(text);
            }
            show_card(turn, only.code.clone())
        }
        _ => {
            let text = turn.fill(
                K::PlacesFound,
                &[
                    ("count", Html::text(&hits.len().to_string())),
                    ("query", Html::text(&query)),
                ],
            );
            let rows = paged(turn, &hits, page, open, Action::Page);
            turn.say_with_buttons(text, rows);
            State::Results { query, page }
        }
    }
}

/// Whether units of `level` have a team of their own: villages and communes do; a province
/// or a district is a list of the units under it.
fn has_team(level: UnitLevel) -> bool {
    match level {
        UnitLevel::Commune | UnitLevel::Village => true,
        UnitLevel::Province | UnitLevel::District => false,
    }
}

/// What choosing `unit` opens: its team's card, or the list of the units under it.
fn open(unit: &UnitEntry) -> Action {
    match has_team(unit.level) {
        true => Action::ShowUnit(unit.code.clone()),
        false => Action::Browse(Some(unit.code.clone()), 0),
    }
}

fn rate_limited(turn: &mut Turn<'_>, state: State) -> State {
    turn.say(K::TooManyLookups);
    state
}

/// Buttons for one page of `units`, with "previous" / "next" when there are more.
fn paged(
    turn: &Turn<'_>,
    units: &[UnitEntry],
    page: usize,
    pick: impl Fn(&UnitEntry) -> Action,
    to_page: impl Fn(usize) -> Action,
) -> Vec<Vec<Button>> {
    let pages = units.len().div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let mut rows: Vec<Vec<Button>> = units
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|unit| {
            vec![Button {
                label: unit_label(turn, unit),
                payload: pick(unit).payload(),
            }]
        })
        .collect();
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(turn.button(K::ButtonPrevious, &to_page(page - 1).payload()));
    }
    if page + 1 < pages {
        nav.push(turn.button(K::ButtonNext, &to_page(page + 1).payload()));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows
}

/// "Thôn Đông — Xã Đại Sơn": the parent tells two units of the same name apart.
/// Since a reorganisation, a village sharing its name with another of its new commune says
/// which commune it came from ("Thôn Đông (Hưng Đạo cũ)"), and a commune found by a former
/// name says that name.
fn unit_label(turn: &Turn<'_>, unit: &UnitEntry) -> String {
    let plain = |key, args: &[(&str, Html)]| crate::i18n::to_plain(turn.fill(key, args).as_str());
    let mut name = unit.name.clone();
    if let Some(commune) = &unit.formerly_in {
        let commune = crate::domain::units::short_name(commune);
        let args = [
            ("name", Html::text(&name)),
            ("commune", Html::text(commune)),
        ];
        name = plain(K::PlaceFormerlyIn, &args);
    }
    if let Some(old) = &unit.formerly {
        let args = [("name", Html::text(&name)), ("old", Html::text(old))];
        name = plain(K::PlaceFormerly, &args);
    }
    match &unit.parent_name {
        Some(parent) => format!("{name} — {parent}"),
        None => name,
    }
}

fn browse(turn: &mut Turn<'_>, parent: Option<String>, page: usize) -> State {
    let Some(found) = turn.lookup(Need::Children {
        parent: parent.clone(),
    }) else {
        return State::Idle;
    };
    let Lookup::Units(children) = found else {
        return rate_limited(turn, State::Idle);
    };
    let mut rows = paged(turn, &children, page, open, |p| {
        Action::Browse(parent.clone(), p)
    });
    let key = if children.iter().any(|u| u.level == UnitLevel::Village) {
        K::ChooseVillage
    } else if children.is_empty() {
        K::NothingBelow
    } else {
        K::ChoosePlace
    };
    if children.iter().any(|u| u.level == UnitLevel::Village) {
        if let Some(commune) = &parent {
            let commune_team = turn.button(
                K::ButtonCommuneTeamCard,
                &Action::ShowUnit(commune.clone()).payload(),
            );
            rows.push(vec![commune_team]);
        }
    }
    let text = turn.t(key);
    turn.say_with_buttons(text, rows);
    State::Idle
}

/// The team card of a unit; a commune's card also offers the list of its villages.
fn show_card(turn: &mut Turn<'_>, code: String) -> State {
    let Some(found) = turn.lookup(Need::Card { code }) else {
        return State::Idle;
    };
    let Lookup::Card(card) = found else {
        return rate_limited(turn, State::Idle);
    };
    if !has_team(card.unit.level) {
        return browse(turn, Some(card.unit.code.clone()), 0);
    }
    let text = public_card(turn, &card);
    let mut rows = Vec::new();
    if card.unit.level == UnitLevel::Commune {
        let villages = turn.button(
            K::ButtonSeeVillages,
            &Action::Browse(Some(card.unit.code.clone()), 0).payload(),
        );
        rows.push(vec![villages]);
    }
    if card.unit.level == UnitLevel::Village {
        let ask = turn.button(
            K::RequestButtonAsk,
            &Action::HelpAsk(card.unit.code.clone()).payload(),
        );
        rows.push(vec![ask]);
    }
    rows.push(vec![
        turn.button(K::ButtonSearchAgain, &Action::Find.payload())
    ]);
    turn.say_reply(Reply {
        buttons: rows,
        callable: callable_numbers(&card),
        ..Reply::text(text)
    });
    State::Idle
}
