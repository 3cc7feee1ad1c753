//! The one router: what arrived goes to the feature that owns it. Commands and buttons are
//! routed here for every state; stale and forged buttons, unknown commands and unreadable
//! messages are answered here, once. Features never route back: none imports another.

use super::action::Stamp;
use super::input::{
    meant, offered_invitation, parse_command, word_action, Action, Command, Input, Meant,
};
use super::menu::{menu, role};
use super::turn::Turn;
use super::{
    activity, help, idle, member, official, registration, resident, Effect, Incoming, State,
    UnsupportedKind,
};
use crate::i18n::{Html, Lang, K};

pub fn route(turn: &mut Turn<'_>, state: State, incoming: Incoming) -> State {
    match incoming {
        // A code sent as a message redeems it, as `/start CODE` does (Zalo has no link that
        // carries it); the prefetch read the same offer.
        Incoming::Text(text) => match offered_invitation(&text) {
            Some(offered) => on_command(turn, state, Command::Start(Some(offered))),
            None => on_text(turn, state, text),
        },
        Incoming::Button(payload) => on_button(turn, state, &payload),
        Incoming::Contact { phone, own } => dispatch(turn, state, Input::Contact { phone, own }),
        Incoming::File(file) => dispatch(turn, state, Input::File(file)),
        // In a registration it is an answer like any typed number; elsewhere it can only
        // ask for a proof, and reads nothing.
        Incoming::ClaimedNumber { phone } => match state {
            State::Registering(_) => dispatch(turn, state, Input::Contact { phone, own: false }),
            _ => member::on_claimed_number(turn, &phone),
        },
        Incoming::Unsupported(kind) => {
            let what = turn.t(unsupported_key(kind));
            let text = turn.fill(K::UnsupportedInput, &[("what", what)]);
            turn.say_html(text);
            reprompt(turn, &state);
            state
        }
    }
}

/// A text that offers no invitation: a command, a word meaning a button, or the state's input.
fn on_text(turn: &mut Turn<'_>, state: State, text: String) -> State {
    match parse_command(&text) {
        Some(command) => on_command(turn, state, command),
        None => match word_action(&text) {
            Some(action) => on_action(turn, state, action),
            None => on_free_text(turn, state, text),
        },
    }
}

/// Where a text would be looked up as a place (nothing open, or a place search), a phone
/// number and a menu's or a command's words are understood first.
fn on_free_text(turn: &mut Turn<'_>, state: State, text: String) -> State {
    let searched = matches!(
        state,
        State::Idle | State::Searching | State::Results { .. }
    );
    match meant(&text, role(turn)).filter(|_| searched) {
        Some(Meant::Phone) => member::typed_number(turn),
        Some(Meant::Action(action)) => on_action(turn, state, action),
        Some(Meant::Command(command)) => on_command(turn, state, command),
        None => dispatch(turn, state, Input::Text(text)),
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
    match Stamp::read(payload) {
        Some((Stamp::Anytime, action))
            if action.valid_anytime() && !matches!(state, State::Registering(_)) =>
        {
            on_action(turn, state, action)
        }
        Some((Stamp::Revision(rev), action)) if rev == turn.rev => on_action(turn, state, action),
        Some((Stamp::Revision(_), _)) => {
            turn.say(K::ButtonStale);
            reprompt(turn, &state);
            state
        }
        Some((Stamp::Anytime, _)) | None => {
            turn.say(K::ButtonUnknown);
            reprompt(turn, &state);
            state
        }
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
        (Command::ConfirmNumber(code), state) => {
            turn.effect(Effect::ConfirmNumber {
                code: code.unwrap_or_default(),
            });
            state
        }
        (Command::Link(code), state) => {
            match code {
                Some(word) if is_confirmation(&word) => turn.effect(Effect::ConfirmLink),
                Some(code) => turn.effect(Effect::LinkWith { code }),
                None => turn.effect(Effect::ShowLinkCode),
            }
            state
        }
        (command, State::Registering(reg)) => registration::on_command(turn, *reg, command),
        (Command::Find, _) => resident::start_search(turn),
        (Command::MyData, State::Member { phone }) => member::my_data(turn, phone),
        (Command::MyData, _) => member::my_data_of_chat(turn),
        (Command::Member, _) => member::on_action(turn, Action::ImMember),
        (Command::Invite, _) => official::units(turn),
        (Command::Report(period), _) => official::report(turn, &period),
        (Command::Decision, _) => official::decision_menu(turn),
        (Command::Notices, _) => official::notices(turn, true),
        (Command::Announce, _) => {
            official::announce::on_action(turn, State::Idle, Action::Announce)
        }
        (Command::Deadline(date), _) => official::set_deadline(turn, &date),
        (Command::Start(Some(offered)), _) => idle::redeem(turn, &offered),
        (Command::Start(None), _) => idle::welcome(turn),
        (Command::MyTeam, _) => idle::my_team(turn),
        (Command::Help, _) => idle::help(turn),
        (Command::Cancel, State::Idle) | (Command::Back | Command::Skip, _) => {
            turn.say(K::NothingToCancel);
            menu(turn);
            State::Idle
        }
        (Command::Cancel, _) => {
            turn.say(K::Stopped);
            menu(turn);
            State::Idle
        }
    }
}

/// `/lienket ok` (or "đồng ý", "xác nhận", "yes"): confirming a code another chat typed.
fn is_confirmation(word: &str) -> bool {
    let folded = crate::domain::text::fold(word);
    matches!(
        folded.as_str(),
        "ok" | "yes" | "confirm" | "dong y" | "dongy" | "xac nhan" | "xacnhan" | "co"
    )
}

fn dispatch(turn: &mut Turn<'_>, state: State, input: Input) -> State {
    match (state, input) {
        // "Got it" on an announcement: recorded (the engine answers), the dialogue kept.
        (state, Input::Action(Action::AckAnnouncement(id))) => {
            turn.effect(Effect::AcknowledgeAnnouncement { id });
            state
        }
        (State::Registering(reg), input) => registration::on_input(turn, *reg, input),
        (state, Input::Action(action)) => on_feature_action(turn, state, action),
        (State::Idle, input) => idle::on_input(turn, input),
        (state @ (State::Searching | State::Results { .. }), input) => {
            resident::on_input(turn, state, input)
        }
        (State::Member { phone }, input) => member::on_input(turn, phone, input),
        (State::Logging(logging), input) => activity::on_input(turn, *logging, input),
        (State::AskingHelp(draft), input) => help::on_input(turn, *draft, input),
        (
            state @ (State::AddingVillage
            | State::RenamingVillage { .. }
            | State::AwaitingVillagesCsv),
            input,
        ) => official::on_input(turn, state, input),
        (state @ (State::ChoosingPeriod | State::ReturningPeriod { .. }), input) => {
            official::period::on_input(turn, state, input)
        }
        (State::Announcing(announcing), input) => {
            official::announce::on_input(turn, *announcing, input)
        }
    }
}

/// Who a button belongs to.
enum Owner {
    /// The head's team outside the registration: show it, edit it, resume or restart.
    Team,
    Resident,
    Member,
    Official,
    /// Logging what a team did: started from a menu; its other buttons belong to the
    /// dialogue, stale outside it.
    Activity,
    /// A resident's request for help: asking it (its dialogue's buttons), and its ticket's
    /// buttons, valid in any state.
    Help,
    /// A question of the registration: outside it, the button is stale.
    Registration,
    /// Handled before any feature (language, help, cancel).
    Router,
}

fn owner(action: &Action) -> Owner {
    match action {
        Action::MyTeam | Action::EditTeam | Action::Resume | Action::Restart => Owner::Team,
        Action::Browse(..) | Action::ShowUnit(_) | Action::Page(_) | Action::Find => {
            Owner::Resident
        }
        Action::ImMember
        | Action::LeaveTeam(_)
        | Action::ShowMyNumber
        | Action::HideMyNumber
        | Action::MyData
        | Action::CorrectMyData
        | Action::EraseMyData
        | Action::ConfirmEraseMyData => Owner::Member,
        Action::Units
        | Action::UnitMenu(_)
        | Action::DraftDecision(_)
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
        | Action::NoticesOn
        | Action::PeriodReport
        | Action::ShowPeriod(_)
        | Action::SubmitPeriod(..)
        | Action::ApprovePeriod(..)
        | Action::ReturnPeriod(..)
        | Action::Announce
        | Action::AnnounceTo(_)
        | Action::AnnounceSend
        | Action::AnnouncementStatus
        | Action::RemindAnnouncement(..) => Owner::Official,
        Action::LogActivity
        | Action::LogRepeat
        | Action::LogTeam(_)
        | Action::LogKind(_)
        | Action::LogPeople(_)
        | Action::LogHouseholds
        | Action::LogDay
        | Action::LogNote
        | Action::LogDone => Owner::Activity,
        Action::HelpStart
        | Action::HelpAsk(_)
        | Action::HelpNeed(_)
        | Action::HelpSkip
        | Action::HelpByChat
        | Action::HelpByPhone
        | Action::HelpConsentYes
        | Action::HelpConsentNo
        | Action::HelpSend
        | Action::HelpTake(_)
        | Action::HelpSolved(_)
        | Action::HelpUnsolved(_)
        | Action::HelpAbuse(_)
        | Action::HelpRate(..)
        | Action::HelpReopen(_) => Owner::Help,
        Action::Back
        | Action::Skip
        | Action::Keep
        | Action::Role(_)
        | Action::AddMember
        | Action::Done
        | Action::Confirm
        | Action::Edit
        | Action::Remove
        | Action::EditWhich(_)
        | Action::RemoveWhich(_)
        | Action::ConfirmRemoveMember
        | Action::EditField(_)
        | Action::DecisionYes
        | Action::DecisionNo
        | Action::ConsentYes
        | Action::ConsentNo => Owner::Registration,
        Action::Language(_)
        | Action::ChooseLanguage
        | Action::Cancel
        | Action::Help
        | Action::AckAnnouncement(_) => Owner::Router,
    }
}

/// A button outside the registration: the open dialogue's own (a page of results, a
/// member's choice) goes to it; any other to the feature that owns it, leaving the dialogue.
fn on_feature_action(turn: &mut Turn<'_>, state: State, action: Action) -> State {
    match (state, action) {
        (state @ State::Results { .. }, action @ Action::Page(_)) => {
            resident::on_input(turn, state, Input::Action(action))
        }
        (state @ State::Announcing(_), action @ Action::AnnounceSend) => {
            official::announce::on_action(turn, state, action)
        }
        (
            State::Member { phone },
            action @ (Action::ShowMyNumber
            | Action::HideMyNumber
            | Action::LeaveTeam(_)
            | Action::MyData
            | Action::CorrectMyData
            | Action::EraseMyData
            | Action::ConfirmEraseMyData),
        ) => member::on_input(turn, phone, Input::Action(action)),
        (state, action @ (Action::LogActivity | Action::LogRepeat | Action::LogTeam(_))) => {
            activity::start(turn, &state, action)
        }
        (State::Logging(logging), action) if matches!(owner(&action), Owner::Activity) => {
            activity::on_input(turn, *logging, Input::Action(action))
        }
        (state, action) if action.is_help_ticket() => help::on_ticket(turn, state, action),
        (_, Action::HelpStart) => {
            help::which_village(turn);
            resident::start_search(turn)
        }
        (_, Action::HelpAsk(code)) => help::start(turn, code),
        (State::AskingHelp(draft), action) if matches!(owner(&action), Owner::Help) => {
            help::on_input(turn, *draft, Input::Action(action))
        }
        (_, action) => match owner(&action) {
            Owner::Team => idle::on_team_action(turn, action),
            Owner::Resident => resident::on_action(turn, action),
            Owner::Member => member::on_action(turn, action),
            Owner::Official => official::on_action(turn, action),
            Owner::Registration | Owner::Router | Owner::Activity | Owner::Help => {
                turn.say(K::ButtonStale);
                menu(turn);
                State::Idle
            }
        },
    }
}

/// Repeats what the current state is waiting for.
pub fn reprompt(turn: &mut Turn<'_>, state: &State) {
    match state {
        State::Idle => menu(turn),
        State::Registering(reg) => registration::ask(turn, reg),
        State::Searching | State::Results { .. } => resident::ask(turn),
        State::Member { .. } => member::menu(turn),
        State::Logging(logging) => activity::ask(turn, logging),
        State::AskingHelp(draft) => help::ask(turn, draft),
        State::AddingVillage | State::RenamingVillage { .. } | State::AwaitingVillagesCsv => {
            official::ask(turn, state)
        }
        State::ChoosingPeriod | State::ReturningPeriod { .. } => official::period::ask(turn, state),
        State::Announcing(_) => official::announce::ask(turn, state),
    }
}

#[cfg(test)]
mod tests {
    use super::is_confirmation;

    #[test]
    fn lienket_ok_and_its_vietnamese_words_confirm_and_a_code_does_not() {
        for word in ["ok", "OK", "đồng ý", "xác nhận", "xacnhan", "yes"] {
            assert!(is_confirmation(word), "{word}");
        }
        assert!(!is_confirmation("12345678"));
        assert!(!is_confirmation("okay then"));
    }
}
