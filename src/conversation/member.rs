//! Team members themselves (Decree 13/2023): after proving their number by sharing their own
//! contact, a member shows or hides it, or asks to leave the team; the head is told.

use super::input::{Action, Input};
use super::menu::menu as main_menu;
use super::turn::Turn;
use super::{Effect, State};
use crate::domain::PhoneNumber;
use crate::i18n::{Html, K};

/// A contact shared outside any dialogue.
pub fn on_contact(turn: &mut Turn<'_>, phone: &str, own: bool) -> State {
    if !own {
        turn.say(K::ShareOwnContact);
        main_menu(turn);
        return State::Idle;
    }
    let Ok(phone) = PhoneNumber::parse(phone) else {
        turn.say(K::NotAMember);
        main_menu(turn);
        return State::Idle;
    };
    if turn.ctx.memberships.is_empty() {
        turn.say(K::NotAMember);
        main_menu(turn);
        return State::Idle;
    }
    menu(turn);
    State::Member {
        phone: listed_number(&turn.ctx.memberships, phone),
    }
}

/// A number the channel does not prove is the sender's (Zalo's form): nothing is read about
/// it and nothing changes; the chat is shown a code for the head of the person's team to
/// confirm, after which the same number opens the member's menu.
pub fn on_claimed_number(turn: &mut Turn<'_>, phone: &str) -> State {
    match PhoneNumber::parse(phone) {
        Ok(phone) => turn.effect(Effect::ProveNumber { phone }),
        Err(_) => {
            turn.say(K::NotAMember);
            main_menu(turn);
        }
    }
    State::Idle
}

/// The number the member's word is kept under: the mobile their teams list, when the shared
/// one was their Zalo number (one person, one listed mobile); otherwise the shared one.
fn listed_number(memberships: &[super::Membership], shared: PhoneNumber) -> PhoneNumber {
    match memberships {
        [first, rest @ ..] if rest.iter().all(|m| m.phone == first.phone) => first.phone.clone(),
        _ => shared,
    }
}

/// A phone number typed where a place would be looked up: most likely a member who was asked
/// to share their number and typed it. A typed number proves nothing: the shared contact does.
pub fn typed_number(turn: &mut Turn<'_>) -> State {
    let text = turn.t(K::TypedNumberShareContact);
    let mut reply = super::Reply::text(text);
    reply.ask_contact = Some(turn.label(K::ButtonShareContact));
    turn.say_reply(reply);
    State::Idle
}

pub fn on_action(turn: &mut Turn<'_>, action: Action) -> State {
    match action {
        Action::ImMember => {
            let text = turn.t(K::AskOwnContact);
            let mut reply = super::Reply::text(text);
            reply.ask_contact = Some(turn.label(K::ButtonShareContact));
            turn.say_reply(reply);
            State::Idle
        }
        _ => {
            turn.say(K::ButtonStale);
            main_menu(turn);
            State::Idle
        }
    }
}

/// What the member can do, with where their number is shown now.
pub fn menu(turn: &mut Turn<'_>) {
    let mut lines = vec![turn.t(K::MemberMenu).into_string()];
    let mut rows = Vec::new();
    for membership in &turn.ctx.memberships {
        let key = if membership.visible {
            K::MemberNumberShown
        } else {
            K::MemberNumberHidden
        };
        let args = [("unit", Html::text(&membership.unit.name))];
        lines.push(turn.fill(key, &args).into_string());
        if membership.leader {
            // The leader leads the team: leaving it is the head's change, not a request.
            continue;
        }
        let label = turn.fill(
            K::ButtonLeaveTeam,
            &[("unit", Html::text(&membership.unit.name))],
        );
        let payload = Action::LeaveTeam(membership.unit.code.clone()).payload();
        rows.push(vec![super::Button {
            label: crate::i18n::to_plain(label.as_str()),
            payload,
        }]);
    }
    rows.insert(
        0,
        vec![
            turn.button(K::ButtonShowMyNumber, &Action::ShowMyNumber.payload()),
            turn.button(K::ButtonHideMyNumber, &Action::HideMyNumber.payload()),
        ],
    );
    turn.say_with_buttons(Html::markup(lines.join("\n")), rows);
}

pub fn on_input(turn: &mut Turn<'_>, phone: PhoneNumber, input: Input) -> State {
    match input {
        Input::Action(Action::ShowMyNumber) => set_consent(turn, phone, true),
        Input::Action(Action::HideMyNumber) => set_consent(turn, phone, false),
        Input::Action(Action::LeaveTeam(code)) => leave(turn, &code),
        _ => {
            turn.say(K::ChooseFromButtons);
            menu(turn);
            State::Member { phone }
        }
    }
}

fn set_consent(turn: &mut Turn<'_>, phone: PhoneNumber, granted: bool) -> State {
    turn.effect(Effect::SetPhoneConsent { phone, granted });
    turn.say(if granted {
        K::NumberNowShown
    } else {
        K::NumberNowHidden
    });
    main_menu(turn);
    State::Idle
}

fn leave(turn: &mut Turn<'_>, code: &str) -> State {
    let Some(membership) = turn
        .ctx
        .memberships
        .iter()
        .find(|m| m.unit.code == code)
        .cloned()
    else {
        // A payload naming a team this number is not in: forged or stale.
        turn.effect(Effect::Denied {
            action: "member.leave".into(),
            unit_code: code.to_owned(),
        });
        turn.say(K::NotAllowed);
        main_menu(turn);
        return State::Idle;
    };
    turn.effect(Effect::RequestRemoval {
        phone: membership.phone.clone(),
        unit_code: membership.unit.code.clone(),
        name: membership.name,
    });
    let text = turn.fill(
        K::RemovalRequested,
        &[("unit", Html::text(&membership.unit.name))],
    );
    turn.say_html(text);
    main_menu(turn);
    State::Idle
}
