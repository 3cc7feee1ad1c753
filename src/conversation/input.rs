//! Classifies what arrived (command, button, text, file…) and hands it to the handler of the
//! current state. Stale and forged buttons, unknown commands and unreadable messages are
//! answered here, once for every state.

use super::turn::Turn;
use super::{
    idle, member, official, registration, resident, Effect, FileUpload, Incoming, State,
    UnsupportedKind,
};
use crate::domain::text::fold;
use crate::i18n::{Html, Lang, K};

pub use super::action::Action;

/// What a state handler receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    Action(Action),
    Contact { phone: String, own: bool },
    File(FileUpload),
}

/// A slash command, in Vietnamese or English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Start(Option<String>),
    Help,
    Cancel,
    Language,
    MyTeam,
    Back,
    Skip,
    Find,
    Invite,
    Report,
    Notices,
    Deadline(String),
    /// `/lienket` shows a code to link another chat; `/lienket CODE` links this one.
    Link(Option<String>),
    Unknown(String),
}

/// `/start abc`, `/huy@cnscd_bot`… → the command; `None` for ordinary text.
pub fn parse_command(text: &str) -> Option<Command> {
    let rest = text.trim().strip_prefix('/')?;
    let (head, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = head.split('@').next().unwrap_or(head).to_lowercase();
    let arg = arg.trim();
    let command = match name.as_str() {
        "start" => Command::Start((!arg.is_empty()).then(|| arg.to_owned())),
        "help" | "trogiup" => Command::Help,
        "cancel" | "huy" => Command::Cancel,
        "lang" | "language" | "ngonngu" => Command::Language,
        "myteam" | "todoi" | "tocuatoi" => Command::MyTeam,
        "back" | "quaylai" => Command::Back,
        "skip" | "boqua" => Command::Skip,
        "find" | "tim" => Command::Find,
        "invite" | "moi" | "villages" | "thon" => Command::Invite,
        "report" | "baocao" => Command::Report,
        "notices" | "thongbao" => Command::Notices,
        "deadline" | "hanchot" => Command::Deadline(arg.chars().take(20).collect()),
        "link" | "lienket" => {
            Command::Link((!arg.is_empty()).then(|| arg.chars().take(20).collect()))
        }
        _ => Command::Unknown(name.chars().take(32).collect()),
    };
    Some(command)
}

/// Words people type instead of pressing "Back" or "Skip".
fn word_action(text: &str) -> Option<Action> {
    if text.len() > 40 {
        return None;
    }
    match fold(text).as_str() {
        "back" | "quay lai" | "tro lai" => Some(Action::Back),
        "skip" | "bo qua" => Some(Action::Skip),
        _ => None,
    }
}

pub fn route(turn: &mut Turn<'_>, state: State, incoming: Incoming) -> State {
    match incoming {
        Incoming::Text(text) => match parse_command(&text) {
            Some(command) => on_command(turn, state, command),
            // A code sent as a message redeems it, as `/start CODE` does (Zalo has no link
            // that carries it).
            None if crate::invitation::code_in(&text).is_some() => {
                let code = crate::invitation::code_in(&text).map(str::to_owned);
                on_command(turn, state, Command::Start(code))
            }
            None => match word_action(&text) {
                Some(action) => on_action(turn, state, action),
                None => dispatch(turn, state, Input::Text(text)),
            },
        },
        Incoming::Button(payload) => on_button(turn, state, &payload),
        Incoming::Contact { phone, own } => dispatch(turn, state, Input::Contact { phone, own }),
        Incoming::File(file) => dispatch(turn, state, Input::File(file)),
        Incoming::Unsupported(kind) => {
            let what = turn.t(unsupported_key(kind));
            let text = turn.fill(K::UnsupportedInput, &[("what", what)]);
            turn.say_html(text);
            reprompt(turn, &state);
            state
        }
    }
}

fn unsupported_key(kind: UnsupportedKind) -> K {
    match kind {
        UnsupportedKind::Sticker => K::KindSticker,
        UnsupportedKind::Voice => K::KindVoice,
        UnsupportedKind::Location => K::KindLocation,
        UnsupportedKind::Video => K::KindVideo,
        UnsupportedKind::Other => K::KindOther,
    }
}

fn on_button(turn: &mut Turn<'_>, state: State, payload: &str) -> State {
    if let Some(action) = payload.strip_prefix("*:").and_then(Action::parse) {
        if action.opens_something() && !matches!(state, State::Registering(_)) {
            return on_action(turn, state, action);
        }
    }
    let parsed = payload
        .split_once(':')
        .and_then(|(rev, action)| Some((rev.parse::<u32>().ok()?, Action::parse(action)?)));
    match parsed {
        None => {
            turn.say(K::ButtonUnknown);
            reprompt(turn, &state);
            state
        }
        Some((rev, _)) if rev != turn.rev => {
            turn.say(K::ButtonStale);
            reprompt(turn, &state);
            state
        }
        Some((_, action)) => on_action(turn, state, action),
    }
}

fn on_action(turn: &mut Turn<'_>, state: State, action: Action) -> State {
    match action {
        Action::Language(lang) => {
            turn.lang = lang;
            turn.say(K::LanguageChanged);
            reprompt(turn, &state);
            state
        }
        Action::ChooseLanguage => on_command(turn, state, Command::Language),
        Action::Find => on_command(turn, state, Command::Find),
        Action::Cancel => on_command(turn, state, Command::Cancel),
        Action::Help => on_command(turn, state, Command::Help),
        action => dispatch(turn, state, Input::Action(action)),
    }
}

fn on_command(turn: &mut Turn<'_>, state: State, command: Command) -> State {
    match (command, state) {
        (Command::Language, state) => {
            let buttons = vec![vec![
                turn.button(K::ButtonVietnamese, &Action::Language(Lang::Vi).payload()),
                turn.button(K::ButtonEnglish, &Action::Language(Lang::En).payload()),
            ]];
            let text = turn.t(K::ChooseLanguage);
            turn.say_with_buttons(text, buttons);
            state
        }
        (Command::Unknown(name), state) => {
            let text = turn.fill(K::UnknownCommand, &[("command", Html::text(&name))]);
            turn.say_html(text);
            reprompt(turn, &state);
            state
        }
        // Linking chats interrupts nothing: the dialogue in hand goes on after it.
        (Command::Link(code), state) => {
            match code {
                Some(code) => turn.effect(Effect::LinkWith { code }),
                None => turn.effect(Effect::ShowLinkCode),
            }
            state
        }
        (command, State::Registering(reg)) => registration::on_command(turn, *reg, command),
        (Command::Find, _) => resident::start_search(turn),
        (Command::Cancel, State::Idle) => idle::on_command(turn, Command::Cancel),
        (Command::Cancel, _) => {
            turn.say(K::Stopped);
            idle::menu(turn);
            State::Idle
        }
        (command, _) => idle::on_command(turn, command),
    }
}

fn dispatch(turn: &mut Turn<'_>, state: State, input: Input) -> State {
    match state {
        State::Idle => idle::on_input(turn, input),
        State::Registering(reg) => registration::on_input(turn, *reg, input),
        State::Searching | State::Results { .. } => resident::on_input(turn, state, input),
        State::Member { phone } => member::on_input(turn, phone, input),
        State::AddingVillage | State::RenamingVillage { .. } | State::AwaitingVillagesCsv => {
            official::on_input(turn, state, input)
        }
    }
}

/// Repeats what the current state is waiting for.
pub fn reprompt(turn: &mut Turn<'_>, state: &State) {
    match state {
        State::Idle => idle::menu(turn),
        State::Registering(reg) => registration::ask(turn, reg),
        State::Searching | State::Results { .. } => resident::ask(turn),
        State::Member { .. } => member::menu(turn),
        State::AddingVillage | State::RenamingVillage { .. } | State::AwaitingVillagesCsv => {
            official::ask(turn, state)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_with_their_argument_and_bot_suffix() {
        assert_eq!(
            parse_command("/start abc123"),
            Some(Command::Start(Some("abc123".into())))
        );
        assert_eq!(parse_command("/start"), Some(Command::Start(None)));
        assert_eq!(parse_command("/huy@cnscd_bot"), Some(Command::Cancel));
        assert_eq!(parse_command("/HELP"), Some(Command::Help));
        assert_eq!(parse_command("hello"), None);
    }
}
