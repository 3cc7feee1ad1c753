//! The village team registration: leader → members one by one → review → founding decision
//! → saved. The questions are tables (`leader_questions`, `member_questions`,
//! `decision_questions`); `ask` renders the current question, `answer` reads a reply to it,
//! `flow` knows which question comes next or before, `save` ends the registration.

mod answer;
mod ask;
mod decision_questions;
mod flow;
mod leader_questions;
mod member_questions;
mod questions;
mod review;
mod save;

pub use ask::ask;
pub use flow::begin;

use super::input::{Action, Command, Input};
use super::state::{Registration, Step};
use super::turn::Turn;
use super::{Effect, State};
use crate::domain::{AccountRole, LevelRules};
use crate::i18n::K;

/// The unit whose team the chat registers (a village head's village, a commune official's
/// commune), or `None` when the chat may not (an account removed while a dialogue was open).
fn team_unit(turn: &Turn<'_>) -> Option<String> {
    turn.ctx
        .account
        .as_ref()
        .filter(|a| {
            matches!(
                a.role,
                AccountRole::VillageHead | AccountRole::CommuneOfficial
            )
        })
        .map(|a| a.unit.code.clone())
}

/// The composition rules of the team being registered.
fn rules<'a>(turn: &Turn<'a>, reg: &Registration) -> &'a LevelRules {
    let rules = turn.ctx.rules;
    rules
        .for_level(reg.level.unit_level())
        .unwrap_or(&rules.village)
}

pub fn on_command(turn: &mut Turn<'_>, reg: Registration, command: Command) -> State {
    match command {
        Command::Cancel => cancel(turn, reg),
        Command::Back => on_input(turn, reg, Input::Action(Action::Back)),
        Command::Skip => on_input(turn, reg, Input::Action(Action::Skip)),
        Command::Help => {
            turn.say(help_key(reg.step));
            ask(turn, &reg);
            State::Registering(Box::new(reg))
        }
        Command::Start(_)
        | Command::MyTeam
        | Command::Language
        | Command::Find
        | Command::Invite
        | Command::Report(_)
        | Command::Decision
        | Command::Notices
        | Command::Announce
        | Command::Deadline(_)
        | Command::Link(_)
        | Command::ConfirmNumber(_)
        | Command::MyData
        | Command::Member
        | Command::Unknown(_) => {
            turn.say(K::AlreadyRegistering);
            ask(turn, &reg);
            State::Registering(Box::new(reg))
        }
    }
}

pub fn on_input(turn: &mut Turn<'_>, reg: Registration, input: Input) -> State {
    let Some(village) = team_unit(turn) else {
        turn.say(K::NotAVillageHead);
        return State::Idle;
    };
    let before = (
        reg.draft.leader_name.clone(),
        reg.draft.leader_phone.clone(),
        reg.draft.leader_consent,
        reg.draft.leader_fields.clone(),
        reg.draft.members.clone(),
    );
    let next = answer::on_input(turn, reg, input);
    if let State::Registering(reg) = &next {
        let after = (
            reg.draft.leader_name.clone(),
            reg.draft.leader_phone.clone(),
            reg.draft.leader_consent,
            reg.draft.leader_fields.clone(),
            reg.draft.members.clone(),
        );
        // Checkpoint: officials see the draft grow, and nothing complete is ever only in the
        // dialogue state.
        if before != after {
            turn.effect(Effect::SaveDraft {
                unit_code: village,
                registration: reg.clone(),
                paused: false,
            });
        }
    }
    next
}

fn cancel(turn: &mut Turn<'_>, reg: Registration) -> State {
    if let Some(village) = team_unit(turn) {
        turn.effect(Effect::SaveDraft {
            unit_code: village,
            registration: Box::new(reg),
            paused: true,
        });
    }
    turn.say(K::Cancelled);
    State::Idle
}

fn help_key(step: Step) -> K {
    match step {
        Step::Leader(field) => leader_questions::question(field).help,
        Step::Member(field) => member_questions::question(field).help,
        Step::Decision(field) => decision_questions::question(field).help,
        Step::DecisionOffer => K::HelpDecision,
        Step::AddMore => K::HelpAddMore,
        Step::Review
        | Step::ChooseEdit
        | Step::ChooseRemove
        | Step::ChooseField
        | Step::ConfirmRemove => K::HelpReview,
    }
}
