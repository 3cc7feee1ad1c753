//! Team members themselves (Personal Data Protection Law 91/2025/QH15): after proving their
//! number by sharing their own contact, a member shows or hides it, asks to leave the team
//! (the head is told), and with `/dulieu` sees what cnscd holds about them and where it is
//! shown, asks for a correction, withdraws consent or erases their data.

use super::input::{Action, Input};
use super::menu::menu as main_menu;
use super::turn::Turn;
use super::{Effect, PrivacyRequestKind, State};
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
    let phone = listed_number(&turn.ctx.memberships, phone);
    turn.effect(Effect::RememberMemberChat {
        phone: phone.clone(),
    });
    menu(turn);
    State::Member { phone }
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
    rows.extend(super::menu::activity_rows(turn));
    rows.push(vec![turn.button(K::ButtonMyData, &Action::MyData.payload())]);
    turn.say_with_buttons(Html::markup(lines.join("\n")), rows);
}

pub fn on_input(turn: &mut Turn<'_>, phone: PhoneNumber, input: Input) -> State {
    match input {
        Input::Action(Action::ShowMyNumber) => set_consent(turn, phone, true),
        Input::Action(Action::HideMyNumber) => set_consent(turn, phone, false),
        Input::Action(Action::LeaveTeam(code)) => leave(turn, &code),
        Input::Action(Action::MyData) => my_data(turn, phone),
        Input::Action(Action::CorrectMyData) => request_correction(turn, phone),
        Input::Action(Action::EraseMyData) => {
            let buttons = vec![vec![
                turn.button(
                    K::ButtonConfirmEraseMyData,
                    &Action::ConfirmEraseMyData.payload(),
                ),
                turn.button(K::ButtonKeepMyData, &Action::MyData.payload()),
            ]];
            let text = turn.t(K::AskConfirmEraseMyData);
            turn.say_with_buttons(text, buttons);
            State::Member { phone }
        }
        Input::Action(Action::ConfirmEraseMyData) => erase(turn, phone),
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

/// `/dulieu` from a chat not yet proven to be a member's: what cnscd keeps of any chat, and
/// how a member sees their own data (sharing their own contact first).
pub fn my_data_of_chat(turn: &mut Turn<'_>) -> State {
    let text = turn.t(K::MyDataOfChat);
    let mut reply = super::Reply::text(text);
    reply.ask_contact = Some(turn.label(K::ButtonShareContact));
    turn.say_reply(reply);
    State::Idle
}

/// What cnscd holds about the member, where it is shown, and what they can do about it.
pub fn my_data(turn: &mut Turn<'_>, phone: PhoneNumber) -> State {
    let mut lines = vec![turn.t(K::MyDataHeld).into_string()];
    for membership in &turn.ctx.memberships {
        let shown = turn.label(if membership.visible {
            K::MyDataShown
        } else {
            K::MyDataHidden
        });
        let args = [
            ("unit", Html::text(&membership.unit.name)),
            ("name", Html::text(&membership.name)),
            ("phone", Html::text(&membership.phone.national())),
            ("shown", Html::text(&shown)),
        ];
        lines.push(turn.fill(K::MyDataLine, &args).into_string());
    }
    if turn.ctx.logged_count > 0 {
        let count = Html::text(&turn.ctx.logged_count.to_string());
        lines.push(
            turn.fill(K::ActivityMyData, &[("count", count)])
                .into_string(),
        );
    }
    lines.push(turn.t(K::MyDataWhere).into_string());
    let buttons = vec![
        vec![turn.button(K::ButtonWithdrawConsent, &Action::HideMyNumber.payload())],
        vec![turn.button(K::ButtonCorrectMyData, &Action::CorrectMyData.payload())],
        vec![turn.button(K::ButtonEraseMyData, &Action::EraseMyData.payload())],
    ];
    turn.say_with_buttons(Html::markup(lines.join("\n")), buttons);
    turn.effect(Effect::PrivacyRequest {
        kind: PrivacyRequestKind::Access,
        phone: phone.clone(),
        listed: listed(turn),
    });
    State::Member { phone }
}

fn listed(turn: &Turn<'_>) -> Vec<(String, String)> {
    turn.ctx
        .memberships
        .iter()
        .map(|m| (m.unit.code.clone(), m.name.clone()))
        .collect()
}

fn unit_codes(turn: &Turn<'_>) -> Vec<String> {
    turn.ctx
        .memberships
        .iter()
        .map(|m| m.unit.code.clone())
        .collect()
}

/// The heads of the member's teams are asked to correct the listing, within the deadline.
fn request_correction(turn: &mut Turn<'_>, phone: PhoneNumber) -> State {
    turn.effect(Effect::PrivacyRequest {
        kind: PrivacyRequestKind::Correction,
        phone,
        listed: listed(turn),
    });
    turn.say(K::CorrectionRequested);
    main_menu(turn);
    State::Idle
}

/// Erasure asked from the person's own chat: done at once, everywhere.
fn erase(turn: &mut Turn<'_>, phone: PhoneNumber) -> State {
    turn.effect(Effect::ErasePerson {
        phone,
        unit_codes: unit_codes(turn),
    });
    turn.say(K::MyDataErased);
    main_menu(turn);
    State::Idle
}
