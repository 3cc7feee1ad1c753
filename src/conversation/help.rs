//! Residents ask their village's team for help, and the team answers: a ticket with an owner.
//! The resident picks a need (an activity kind), may describe it, and says how to be reached
//! (this chat, or a number they agree to share for this request only); confirmed, it is
//! stored and offered to the team's reachable members and head. The first "✋ Tôi nhận" owns
//! it; the owner closes it (solved, not solved, not a real request); the resident rates it
//! once and may reopen it for a few days. The ticket's buttons reach chats outside their
//! turns, so each press is checked here against the request as the engine read it (its
//! status, owner, asker) and again in storage against its version.

use super::input::{Action, Input};
use super::lookup::{Lookup, Need};
use super::menu::menu;
use super::state::{HelpDraft, HelpStep};
use super::turn::Turn;
use super::{Effect, HelpView, Reply, State};
use crate::domain::access::{authorize, Actor, Permission, Target};
use crate::domain::decision::parse_short_text;
use crate::domain::{PhoneNumber, RequestStatus, UnitLevel};
use crate::i18n::{Html, K};

/// "Cần hỗ trợ" with no village known: which one? The place search follows; the village's
/// card carries the button that asks its team.
pub fn which_village(turn: &mut Turn<'_>) {
    turn.say(K::RequestWhichVillage);
}

/// "🙋 Nhờ tổ giúp" on a village's card.
pub fn start(turn: &mut Turn<'_>, code: String) -> State {
    let Some(found) = turn.lookup(Need::Unit { code }) else {
        return State::Idle;
    };
    let Lookup::Unit(Some(unit)) = found else {
        turn.say(K::ButtonUnknown);
        menu(turn);
        return State::Idle;
    };
    if unit.entry.level != UnitLevel::Village {
        turn.say(K::ButtonUnknown);
        menu(turn);
        return State::Idle;
    }
    let draft = HelpDraft {
        unit: unit.entry.code,
        unit_name: unit.entry.name,
        step: HelpStep::Need,
        need: None,
        description: None,
        phone: None,
    };
    again(turn, draft)
}

fn again(turn: &mut Turn<'_>, draft: HelpDraft) -> State {
    ask(turn, &draft);
    State::AskingHelp(Box::new(draft))
}

fn kind_name(turn: &Turn<'_>, code: &str) -> String {
    match turn.ctx.rules.activity.kind(code) {
        Some(kind) => kind.name(turn.lang).to_owned(),
        None => code.to_owned(),
    }
}

fn max_chars(turn: &Turn<'_>) -> usize {
    turn.ctx.rules.help.description_max_chars as usize
}

/// Asks what the step waits for (again after a wrong answer, a sticker, `/help`).
pub fn ask(turn: &mut Turn<'_>, draft: &HelpDraft) {
    let cancel = turn.button(K::RequestButtonCancel, &Action::Cancel.payload());
    match draft.step {
        HelpStep::Need => {
            let mut rows = super::activity::kind_rows(turn, Action::HelpNeed);
            rows.push(vec![cancel]);
            let text = turn.fill(K::RequestAskNeed, &[("unit", Html::text(&draft.unit_name))]);
            turn.say_with_buttons(text, rows);
        }
        HelpStep::Description => {
            let max = Html::text(&max_chars(turn).to_string());
            let text = turn.fill(K::RequestAskDescription, &[("max", max)]);
            let skip = turn.button(K::RequestButtonSkip, &Action::HelpSkip.payload());
            turn.say_with_buttons(text, vec![vec![skip], vec![cancel]]);
        }
        HelpStep::Contact => {
            let rows = vec![
                vec![turn.button(K::RequestButtonByChat, &Action::HelpByChat.payload())],
                vec![turn.button(K::RequestButtonByPhone, &Action::HelpByPhone.payload())],
                vec![cancel],
            ];
            let text = turn.t(K::RequestAskContact);
            turn.say_with_buttons(text, rows);
        }
        HelpStep::Phone => {
            let text = turn.t(K::RequestAskPhone);
            turn.say_with_buttons(text, vec![vec![cancel]]);
        }
        HelpStep::Consent => {
            let phone = draft.phone.as_ref().map(PhoneNumber::national);
            let args = [("phone", Html::text(&phone.unwrap_or_default()))];
            let text = turn.fill(K::RequestAskConsent, &args);
            let rows = vec![vec![
                turn.button(
                    K::RequestButtonConsentYes,
                    &Action::HelpConsentYes.payload(),
                ),
                turn.button(K::RequestButtonConsentNo, &Action::HelpConsentNo.payload()),
            ]];
            turn.say_with_buttons(text, rows);
        }
        HelpStep::Confirm => {
            let need = kind_name(turn, draft.need.as_deref().unwrap_or_default());
            let contact = match &draft.phone {
                Some(phone) => turn
                    .fill(
                        K::RequestContactPhone,
                        &[("phone", Html::text(&phone.national()))],
                    )
                    .into_string(),
                None => turn.t(K::RequestContactChat).into_string(),
            };
            let description = draft.description.as_deref().unwrap_or("—");
            let args = [
                ("unit", Html::text(&draft.unit_name)),
                ("need", Html::text(&need)),
                ("description", Html::text(description)),
                ("contact", Html::markup(contact)),
            ];
            let text = turn.fill(K::RequestAskConfirm, &args);
            let send = turn.button(K::RequestButtonSend, &Action::HelpSend.payload());
            turn.say_with_buttons(text, vec![vec![send], vec![cancel]]);
        }
    }
}

/// An answer or a button while asking.
pub fn on_input(turn: &mut Turn<'_>, mut draft: HelpDraft, input: Input) -> State {
    match (draft.step, input) {
        (HelpStep::Need, Input::Action(Action::HelpNeed(i))) => {
            let Some(kind) = turn.ctx.rules.activity.kinds.get(i) else {
                turn.say(K::ButtonUnknown);
                return again(turn, draft);
            };
            draft.need = Some(kind.code.clone());
            draft.step = HelpStep::Description;
            again(turn, draft)
        }
        (HelpStep::Description, Input::Text(text)) => {
            match parse_short_text(&text, max_chars(turn)) {
                Ok(description) => {
                    draft.description = Some(description);
                    draft.step = HelpStep::Contact;
                }
                Err(_) => {
                    let max = Html::text(&max_chars(turn).to_string());
                    let said = turn.fill(K::RequestDescriptionRefused, &[("max", max)]);
                    turn.say_html(said);
                }
            }
            again(turn, draft)
        }
        (HelpStep::Description, Input::Action(Action::HelpSkip)) => {
            draft.step = HelpStep::Contact;
            again(turn, draft)
        }
        (HelpStep::Contact, Input::Action(Action::HelpByChat)) => {
            draft.phone = None;
            draft.step = HelpStep::Confirm;
            again(turn, draft)
        }
        (HelpStep::Contact, Input::Action(Action::HelpByPhone)) => {
            draft.step = HelpStep::Phone;
            again(turn, draft)
        }
        (HelpStep::Phone, Input::Text(phone) | Input::Contact { phone, .. }) => {
            match PhoneNumber::parse(&phone) {
                Ok(phone) => {
                    draft.phone = Some(phone);
                    draft.step = HelpStep::Consent;
                }
                Err(_) => turn.say(K::RequestPhoneUnreadable),
            }
            again(turn, draft)
        }
        (HelpStep::Consent, Input::Action(Action::HelpConsentYes)) => {
            draft.step = HelpStep::Confirm;
            again(turn, draft)
        }
        (HelpStep::Consent, Input::Action(Action::HelpConsentNo)) => {
            // Not shared: the number is forgotten, and the resident chooses again.
            turn.say(K::RequestConsentDeclined);
            draft.phone = None;
            draft.step = HelpStep::Contact;
            again(turn, draft)
        }
        (HelpStep::Confirm, Input::Action(Action::HelpSend)) => send(turn, draft),
        (_, Input::Action(_)) => {
            turn.say(K::ChooseFromButtons);
            again(turn, draft)
        }
        (_, _) => {
            turn.say(K::RequestNotAnAnswer);
            again(turn, draft)
        }
    }
}

fn send(turn: &mut Turn<'_>, draft: HelpDraft) -> State {
    let Some(need) = draft.need.clone() else {
        draft_lost(turn);
        return State::Idle;
    };
    turn.effect(Effect::AskHelp {
        unit_code: draft.unit.clone(),
        need,
        description: draft.description.clone(),
        phone: draft.phone.clone(),
        key: turn.ctx.step_key.clone(),
    });
    let text = turn.fill(K::RequestSent, &[("unit", Html::text(&draft.unit_name))]);
    turn.say_html(text);
    State::Idle
}

fn draft_lost(turn: &mut Turn<'_>) {
    turn.say(K::ButtonStale);
    menu(turn);
}

/// A button of a request's ticket ("Tôi nhận", closing, rating, reopening), pressed in any
/// state: the state stays as it was.
pub fn on_ticket(turn: &mut Turn<'_>, state: State, action: Action) -> State {
    let id = match &action {
        Action::HelpTake(id)
        | Action::HelpSolved(id)
        | Action::HelpUnsolved(id)
        | Action::HelpAbuse(id)
        | Action::HelpRate(id, _)
        | Action::HelpReopen(id) => *id,
        _ => return state,
    };
    let Some(view) = turn.ctx.help.clone().filter(|v| v.id == id) else {
        turn.say(K::ButtonUnknown);
        return state;
    };
    match action {
        Action::HelpTake(_) => take(turn, &view),
        Action::HelpSolved(_) => close(turn, &view, RequestStatus::Solved),
        Action::HelpUnsolved(_) => close(turn, &view, RequestStatus::Unsolved),
        Action::HelpAbuse(_) => close(turn, &view, RequestStatus::Abuse),
        Action::HelpRate(_, stars) => rate(turn, &view, stars),
        Action::HelpReopen(_) => reopen(turn, &view),
        _ => {}
    }
    state
}

/// Whether the chat may take or close requests of the view's village: the matrix decides;
/// a refusal is audited.
fn allowed(turn: &mut Turn<'_>, view: &HelpView, permission: Permission) -> bool {
    let actor = match &turn.ctx.account {
        Some(account) => Actor::account(account.role, account.unit.code.clone()),
        None => Actor::resident(),
    }
    .member_of(turn.ctx.memberships.iter().map(|m| m.unit.code.clone()));
    let target = Target {
        code: view.unit_code.clone(),
        level: UnitLevel::Village,
        ancestors: view.ancestors.clone(),
    };
    if authorize(&actor, permission, &target).is_ok() {
        return true;
    }
    let action = match permission {
        Permission::TakeRequest => "help.take",
        _ => "help.close",
    };
    turn.effect(Effect::Denied {
        action: action.into(),
        unit_code: view.unit_code.clone(),
    });
    turn.say(K::NotAllowed);
    false
}

fn take(turn: &mut Turn<'_>, view: &HelpView) {
    if !allowed(turn, view, Permission::TakeRequest) {
        return;
    }
    match view.status {
        RequestStatus::Open => {}
        RequestStatus::Taken if view.owned_here => {
            turn.say(K::RequestYoursAlready);
            return;
        }
        RequestStatus::Taken => {
            let name = view.owner_name.clone().unwrap_or_default();
            let text = turn.fill(K::RequestTakenByOther, &[("name", Html::text(&name))]);
            turn.say_html(text);
            return;
        }
        _ => {
            turn.say(K::RequestClosedAlready);
            return;
        }
    }
    // Who takes it: the member of this village's team the chat proved it is, else the
    // account (the head, a commune official) under its role's name.
    let member = turn
        .ctx
        .memberships
        .iter()
        .find(|m| m.unit.code == view.unit_code);
    let (name, phone, shown) = match member {
        Some(m) => (m.name.clone(), Some(m.phone.clone()), m.visible),
        None => {
            // A commune's official given it by the follow-ups is not the village's head.
            let official = turn
                .ctx
                .account
                .as_ref()
                .is_some_and(|a| a.role != crate::domain::AccountRole::VillageHead);
            let key = if official {
                K::RequestOfficialName
            } else {
                K::RequestHeadName
            };
            (turn.label(key), None, false)
        }
    };
    turn.effect(Effect::TakeHelp {
        id: view.id,
        version: view.version,
        name,
        phone,
        phone_shown: shown,
    });
    turn.say_reply(owner_ticket(turn, view));
}

/// What the owner is told on taking it: the request, how to reach the resident, and the
/// buttons that close it.
fn owner_ticket(turn: &Turn<'_>, view: &HelpView) -> Reply {
    let need = kind_name(turn, &view.need);
    let contact = match &view.resident_phone {
        Some(phone) => turn
            .fill(K::RequestReachByPhone, &[("phone", Html::text(phone))])
            .into_string(),
        None => turn.t(K::RequestReachInChat).into_string(),
    };
    let args = [
        ("unit", Html::text(&view.unit_name)),
        ("need", Html::text(&need)),
        (
            "description",
            Html::text(view.description.as_deref().unwrap_or("—")),
        ),
        ("contact", Html::markup(contact)),
    ];
    let text = turn.fill(K::RequestYours, &args);
    let id = view.id;
    let buttons = vec![
        vec![turn.button(K::RequestButtonSolved, &Action::HelpSolved(id).payload())],
        vec![turn.button(
            K::RequestButtonUnsolved,
            &Action::HelpUnsolved(id).payload(),
        )],
        vec![turn.button(K::RequestButtonAbuse, &Action::HelpAbuse(id).payload())],
    ];
    Reply {
        buttons,
        callable: view
            .resident_phone
            .iter()
            .map(|p| p.chars().filter(char::is_ascii_digit).collect())
            .collect(),
        ..Reply::text(text)
    }
}

fn close(turn: &mut Turn<'_>, view: &HelpView, outcome: RequestStatus) {
    if !allowed(turn, view, Permission::CloseRequest) {
        return;
    }
    if view.status != RequestStatus::Taken || !view.owned_here {
        let key = if view.status.is_closed() {
            K::RequestClosedAlready
        } else {
            K::RequestNotYours
        };
        turn.say(key);
        return;
    }
    turn.effect(Effect::CloseHelp {
        id: view.id,
        version: view.version,
        outcome,
    });
    let key = match outcome {
        RequestStatus::Solved => K::RequestClosedSolved,
        RequestStatus::Abuse => K::RequestClosedAbuse,
        _ => K::RequestClosedUnsolved,
    };
    turn.say(key);
}

fn rate(turn: &mut Turn<'_>, view: &HelpView, stars: usize) {
    let Some(stars) = u8::try_from(stars).ok().filter(|s| (1..=5).contains(s)) else {
        turn.say(K::ButtonUnknown);
        return;
    };
    if !view.asked_here {
        turn.say(K::ButtonUnknown);
        return;
    }
    if view.rated || !matches!(view.status, RequestStatus::Solved | RequestStatus::Unsolved) {
        turn.say(K::RequestRatedAlready);
        return;
    }
    turn.effect(Effect::RateHelp { id: view.id, stars });
    turn.say(K::RequestThanksForRating);
}

fn reopen(turn: &mut Turn<'_>, view: &HelpView) {
    if !view.asked_here {
        turn.say(K::ButtonUnknown);
        return;
    }
    if !view.reopenable {
        let days = Html::text(&turn.ctx.rules.help.reopen_days.to_string());
        let text = turn.fill(K::RequestReopenRefused, &[("days", days)]);
        turn.say_html(text);
        return;
    }
    turn.effect(Effect::ReopenHelp {
        id: view.id,
        version: view.version,
    });
    turn.say(K::RequestReopenedForResident);
}
