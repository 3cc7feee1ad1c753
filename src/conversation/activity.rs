//! Logging what a team did, in two taps: the kind, then the number of people, saved for
//! today; the confirmation offers to add households, another day or a note to that entry.
//! A member logs from their menu (after sharing their own contact), the village head from
//! theirs; a person in several teams picks the team first. "Repeat" saves the person's last
//! kind and count for today in one tap. Every save asks [`authorize`] for the team's unit.

use super::input::{Action, Input};
use super::menu::menu as main_menu;
use super::state::{LogStep, Logging, SavedEntry};
use super::turn::Turn;
use super::{member, Button, Effect, State};
use crate::domain::access::{authorize, Actor, Permission, Target};
use crate::domain::activity::entry::{Completion, DayDone, EntryError, Households, Note, People};
use crate::domain::{AccountRole, PhoneNumber, UnitLevel};
use crate::i18n::{Html, K};

/// The numbers offered as buttons; any other is typed.
const PEOPLE_BUTTONS: [u32; 5] = [1, 2, 3, 5, 10];

/// Who logs: the member whose number the chat proved, else the account that leads a team.
fn author(state: &State) -> Option<PhoneNumber> {
    match state {
        State::Member { phone } => Some(phone.clone()),
        State::Logging(logging) => logging.member.clone(),
        _ => None,
    }
}

/// The teams `member` (or the chat's account) may log for: (code, name).
fn teams(turn: &Turn<'_>, member: Option<&PhoneNumber>) -> Vec<(String, String)> {
    match member {
        Some(_) => turn
            .ctx
            .memberships
            .iter()
            .map(|m| (m.unit.code.clone(), m.unit.name.clone()))
            .collect(),
        None => match &turn.ctx.account {
            Some(account)
                if matches!(
                    account.role,
                    AccountRole::VillageHead | AccountRole::CommuneOfficial
                ) =>
            {
                vec![(account.unit.code.clone(), account.unit.name.clone())]
            }
            _ => Vec::new(),
        },
    }
}

fn unit_name(turn: &Turn<'_>, member: Option<&PhoneNumber>, code: &str) -> String {
    teams(turn, member)
        .into_iter()
        .find(|(c, _)| c == code)
        .map_or_else(|| code.to_owned(), |(_, name)| name)
}

/// Whether the chat may log for `code`: the matrix decides; a refusal is audited.
fn allowed(turn: &mut Turn<'_>, member: Option<&PhoneNumber>, code: &str) -> bool {
    let mut actor = match &turn.ctx.account {
        Some(account) => Actor::account(account.role, account.unit.code.clone()),
        None => Actor::resident(),
    };
    if member.is_some() {
        actor = actor.member_of(turn.ctx.memberships.iter().map(|m| m.unit.code.clone()));
    }
    let level = match turn.ctx.memberships.iter().find(|m| m.unit.code == code) {
        Some(m) => m.unit.level,
        None => match turn.ctx.account.as_ref().map(|a| a.role) {
            Some(AccountRole::CommuneOfficial) => UnitLevel::Commune,
            _ => UnitLevel::Village,
        },
    };
    let target = Target {
        code: code.to_owned(),
        level,
        ancestors: Vec::new(),
    };
    if authorize(&actor, Permission::LogActivity, &target).is_ok() {
        return true;
    }
    turn.effect(Effect::Denied {
        action: "activity.log".into(),
        unit_code: code.to_owned(),
    });
    false
}

/// Back to the menu the person came from.
fn leave(turn: &mut Turn<'_>, member: Option<PhoneNumber>) -> State {
    match member {
        Some(phone) if !turn.ctx.memberships.is_empty() => {
            member::menu(turn);
            State::Member { phone }
        }
        _ => {
            main_menu(turn);
            State::Idle
        }
    }
}

fn refuse(turn: &mut Turn<'_>, member: Option<PhoneNumber>) -> State {
    turn.say(K::NotAllowed);
    leave(turn, member)
}

/// "Log an activity", "Repeat" or a team's button, pressed in a menu (any state).
pub fn start(turn: &mut Turn<'_>, state: &State, action: Action) -> State {
    let member = author(state);
    match action {
        Action::LogRepeat => return repeat(turn, member),
        Action::LogTeam(code) => return choose_team(turn, member, &code),
        _ => {}
    }
    let teams = teams(turn, member.as_ref());
    match teams.as_slice() {
        [] => refuse(turn, member),
        [(code, _)] => {
            let code = code.clone();
            choose_team(turn, member, &code)
        }
        _ => {
            let logging = Logging {
                member,
                step: LogStep::Team,
            };
            ask(turn, &logging);
            State::Logging(Box::new(logging))
        }
    }
}

fn choose_team(turn: &mut Turn<'_>, member: Option<PhoneNumber>, code: &str) -> State {
    if !allowed(turn, member.as_ref(), code) {
        return refuse(turn, member);
    }
    let logging = Logging {
        member,
        step: LogStep::Kind {
            unit: code.to_owned(),
        },
    };
    ask(turn, &logging);
    State::Logging(Box::new(logging))
}

fn repeat(turn: &mut Turn<'_>, member: Option<PhoneNumber>) -> State {
    let Some(last) = turn.ctx.last_activity.clone() else {
        turn.say(K::ButtonStale);
        return leave(turn, member);
    };
    save(turn, member, &last.unit_code, &last.kind, last.people)
}

/// Saves an entry for today and shows what was saved, with what may be added.
fn save(
    turn: &mut Turn<'_>,
    member: Option<PhoneNumber>,
    unit: &str,
    kind: &str,
    people: u32,
) -> State {
    if !allowed(turn, member.as_ref(), unit) {
        return refuse(turn, member);
    }
    let by = member.as_ref().and_then(|_| {
        let m = turn.ctx.memberships.iter().find(|m| m.unit.code == unit)?;
        Some((m.phone.clone(), m.name.clone()))
    });
    let entry = SavedEntry {
        unit: unit.to_owned(),
        key: turn.ctx.step_key.clone(),
        kind: kind.to_owned(),
        people,
        households: None,
        day: turn.ctx.today,
        note: None,
    };
    turn.effect(Effect::LogActivity {
        unit_code: entry.unit.clone(),
        kind: entry.kind.clone(),
        people,
        day: entry.day,
        by,
        key: entry.key.clone(),
    });
    saved(turn, member, entry)
}

fn saved(turn: &mut Turn<'_>, member: Option<PhoneNumber>, entry: SavedEntry) -> State {
    let logging = Logging {
        member,
        step: LogStep::Saved(entry),
    };
    ask(turn, &logging);
    State::Logging(Box::new(logging))
}

fn kind_name(turn: &Turn<'_>, code: &str) -> String {
    match turn.ctx.rules.activity.kind(code) {
        Some(kind) => kind.name(turn.lang).to_owned(),
        None => code.to_owned(),
    }
}

/// The entry as saved, then what may be added to it.
fn show_saved(turn: &mut Turn<'_>, member: Option<&PhoneNumber>, entry: &SavedEntry) {
    let unit = unit_name(turn, member, &entry.unit);
    let kind = kind_name(turn, &entry.kind);
    let mut lines = vec![turn
        .fill(
            K::ActivitySaved,
            &[
                ("unit", Html::text(&unit)),
                ("kind", Html::text(&kind)),
                ("people", Html::text(&entry.people.to_string())),
                ("day", Html::text(&entry.day.format("%d/%m/%Y").to_string())),
            ],
        )
        .into_string()];
    if let Some(households) = entry.households {
        let n = Html::text(&households.to_string());
        lines.push(
            turn.fill(K::ActivityHouseholdsLine, &[("households", n)])
                .into_string(),
        );
    }
    if let Some(note) = &entry.note {
        let note = Html::text(note);
        lines.push(
            turn.fill(K::ActivityNoteLine, &[("note", note)])
                .into_string(),
        );
    }
    let buttons = vec![
        vec![
            turn.button(
                K::ActivityButtonHouseholds,
                &Action::LogHouseholds.payload(),
            ),
            turn.button(K::ActivityButtonDay, &Action::LogDay.payload()),
        ],
        vec![
            turn.button(K::ActivityButtonNote, &Action::LogNote.payload()),
            turn.button(K::ActivityButtonDone, &Action::LogDone.payload()),
        ],
    ];
    turn.say_with_buttons(Html::markup(lines.join("\n")), buttons);
}

/// Asks what the step waits for (again after a wrong answer, a sticker, `/help`).
pub fn ask(turn: &mut Turn<'_>, logging: &Logging) {
    let member = logging.member.as_ref();
    match &logging.step {
        LogStep::Team => {
            let rows = teams(turn, member)
                .into_iter()
                .map(|(code, name)| {
                    vec![Button {
                        label: name,
                        payload: Action::LogTeam(code).payload(),
                    }]
                })
                .collect();
            let text = turn.t(K::ActivityAskTeam);
            turn.say_with_buttons(text, rows);
        }
        LogStep::Kind { unit } => {
            let rows = kind_rows(turn, Action::LogKind);
            let unit = Html::text(&unit_name(turn, member, unit));
            let text = turn.fill(K::ActivityAskKind, &[("unit", unit)]);
            turn.say_with_buttons(text, rows);
        }
        LogStep::People { kind, .. } => {
            let row = PEOPLE_BUTTONS
                .iter()
                .map(|&n| Button {
                    label: n.to_string(),
                    payload: Action::LogPeople(n as usize).payload(),
                })
                .collect();
            let kind = Html::text(&kind_name(turn, kind));
            let text = turn.fill(K::ActivityAskPeople, &[("kind", kind)]);
            turn.say_with_buttons(text, vec![row]);
        }
        LogStep::Saved(entry) => show_saved(turn, member, entry),
        LogStep::Households(_) => turn.say(K::ActivityAskHouseholds),
        LogStep::Day(_) => turn.say(K::ActivityAskDay),
        LogStep::Note(_) => turn.say(K::ActivityAskNote),
    }
}

/// A button or an answer while logging.
pub fn on_input(turn: &mut Turn<'_>, logging: Logging, input: Input) -> State {
    let Logging { member, step } = logging;
    match (step, input) {
        (LogStep::Kind { unit }, Input::Action(Action::LogKind(i))) => {
            let Some(kind) = turn.ctx.rules.activity.kinds.get(i).map(|k| k.code.clone()) else {
                turn.say(K::ButtonStale);
                return again(turn, member, LogStep::Kind { unit });
            };
            let logging = Logging {
                member,
                step: LogStep::People { unit, kind },
            };
            ask(turn, &logging);
            State::Logging(Box::new(logging))
        }
        (LogStep::People { unit, kind }, Input::Action(Action::LogPeople(n))) => {
            match u32::try_from(n).ok().and_then(People::new) {
                Some(people) => save(turn, member, &unit, &kind, people.get()),
                None => again(turn, member, LogStep::People { unit, kind }),
            }
        }
        (LogStep::People { unit, kind }, Input::Text(text)) => match People::parse(&text) {
            Ok(people) => save(turn, member, &unit, &kind, people.get()),
            Err(error) => {
                explain(turn, error);
                again(turn, member, LogStep::People { unit, kind })
            }
        },
        (LogStep::Saved(entry), Input::Action(action)) => {
            let step = match action {
                Action::LogHouseholds => LogStep::Households(entry),
                Action::LogDay => LogStep::Day(entry),
                Action::LogNote => LogStep::Note(entry),
                Action::LogDone => {
                    turn.say(K::ActivityDone);
                    return leave(turn, member);
                }
                _ => {
                    turn.say(K::ChooseFromButtons);
                    LogStep::Saved(entry)
                }
            };
            again(turn, member, step)
        }
        (LogStep::Households(entry), Input::Text(text)) => {
            let read = Households::parse(&text).map(Completion::Households);
            complete(turn, member, entry, read, LogStep::Households)
        }
        (LogStep::Day(entry), Input::Text(text)) => {
            let read = DayDone::parse(&text, turn.ctx.today).map(Completion::Day);
            complete(turn, member, entry, read, LogStep::Day)
        }
        (LogStep::Note(entry), Input::Text(text)) => {
            let read = Note::parse(&text).map(Completion::Note);
            complete(turn, member, entry, read, LogStep::Note)
        }
        // A question that waits for a typed answer: a button of the confirmation above it
        // is still understood ("Xong" without adding anything).
        (
            LogStep::Households(entry) | LogStep::Day(entry) | LogStep::Note(entry),
            input @ Input::Action(_),
        ) => on_input(
            turn,
            Logging {
                member,
                step: LogStep::Saved(entry),
            },
            input,
        ),
        (step, _) => {
            turn.say(K::ChooseFromButtons);
            again(turn, member, step)
        }
    }
}

/// Adds what was typed to the entry just saved, or says why it cannot be.
fn complete(
    turn: &mut Turn<'_>,
    member: Option<PhoneNumber>,
    mut entry: SavedEntry,
    read: Result<Completion, EntryError>,
    asked: fn(SavedEntry) -> LogStep,
) -> State {
    let completion = match read {
        Ok(completion) => completion,
        Err(error) => {
            explain(turn, error);
            return again(turn, member, asked(entry));
        }
    };
    if !allowed(turn, member.as_ref(), &entry.unit) {
        return refuse(turn, member);
    }
    match &completion {
        Completion::Households(n) => entry.households = Some(n.get()),
        Completion::Day(day) => entry.day = day.date(),
        Completion::Note(note) => entry.note = Some(note.as_str().to_owned()),
    }
    turn.effect(Effect::CompleteActivity {
        unit_code: entry.unit.clone(),
        key: entry.key.clone(),
        completion,
    });
    saved(turn, member, entry)
}

fn again(turn: &mut Turn<'_>, member: Option<PhoneNumber>, step: LogStep) -> State {
    let logging = Logging { member, step };
    ask(turn, &logging);
    State::Logging(Box::new(logging))
}

/// Why a typed value was refused, in the chat's language.
fn explain(turn: &mut Turn<'_>, error: EntryError) {
    let text = match error {
        EntryError::NotANumber => turn.t(K::ActivityNotANumber),
        EntryError::TooFew { min } => turn.fill(
            K::ActivityTooFew,
            &[("min", Html::text(&grouped(turn, min)))],
        ),
        EntryError::TooMany { max } => {
            turn.fill(K::ActivityTooMany, &[("max", Html::text(&max.to_string()))])
        }
        EntryError::NotADay | EntryError::NoSuchDay => turn.t(K::ActivityDayUnreadable),
        EntryError::Future => turn.t(K::ActivityDayFuture),
        EntryError::TooEarly(day) => turn.fill(
            K::ActivityDayTooEarly,
            &[("date", Html::text(&day.format("%d/%m/%Y").to_string()))],
        ),
        EntryError::EmptyNote => turn.t(K::ActivityNoteEmpty),
        EntryError::NoteTooLong { max } => turn.fill(
            K::ActivityNoteTooLong,
            &[("max", Html::text(&max.to_string()))],
        ),
    };
    turn.say_html(text);
}

/// A number with its thousands grouped as the chat's language writes them: 10.000, 10,000.
fn grouped(turn: &Turn<'_>, n: u32) -> String {
    let separator = match turn.lang {
        crate::i18n::Lang::Vi => '.',
        crate::i18n::Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// One button a row for each activity kind of the rules, in the chat's language, pressing
/// `action` with the kind's place in the list (a member logging, a resident asking for help).
pub(super) fn kind_rows(turn: &Turn<'_>, action: fn(usize) -> Action) -> Vec<Vec<Button>> {
    turn.ctx
        .rules
        .activity
        .kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            vec![Button {
                label: kind.name(turn.lang).to_owned(),
                payload: action(i).payload(),
            }]
        })
        .collect()
}
