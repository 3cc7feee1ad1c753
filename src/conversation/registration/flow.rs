//! Which question comes next, which came before, and how the registration ends.

use super::super::state::TeamLevel;
use super::super::state::{Draft, PendingMember, Registration, Step};
use super::super::summary::team_card;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::{ask, rules, team_unit};
use crate::i18n::{Html, K};

/// Starts a registration: from scratch, or at the review of the team already registered.
pub fn begin(turn: &mut Turn<'_>, level: TeamLevel, existing: Option<(Draft, i64)>) -> State {
    let reg = match existing {
        Some((mut draft, version)) => {
            draft.reviewed = true;
            Registration {
                step: Step::Review,
                draft,
                level,
                based_on: Some(version),
            }
        }
        None => {
            let reg = Registration {
                level,
                ..Registration::default()
            };
            let rules = rules(turn, &reg);
            let intro = match level {
                TeamLevel::Village => K::RegistrationIntro,
                TeamLevel::Commune => K::RegistrationIntroCommune,
            };
            let text = turn.fill(
                intro,
                &[
                    ("min", Html::text(&rules.min_members.to_string())),
                    ("max", Html::text(&rules.max_members.to_string())),
                ],
            );
            turn.say_html(text);
            reg
        }
    };
    goto(turn, reg)
}

/// Asks the current question of `reg` and stays in it.
pub fn goto(turn: &mut Turn<'_>, reg: Registration) -> State {
    ask(turn, &reg);
    State::Registering(Box::new(reg))
}

/// The step's answer is in the draft: move on.
pub fn advance(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    let draft = &mut reg.draft;
    reg.step = match reg.step {
        Step::LeaderName => Step::LeaderPhone,
        Step::LeaderPhone if draft.editing_leader => {
            draft.editing_leader = false;
            Step::Review
        }
        Step::LeaderPhone if draft.reviewed => Step::Review,
        Step::LeaderPhone => Step::MemberName,
        Step::MemberName => Step::MemberRole,
        Step::MemberRole if draft.pending.role == Some(crate::domain::MemberRole::Other) => {
            Step::MemberRoleOther
        }
        Step::MemberRole | Step::MemberRoleOther => Step::MemberPhone,
        Step::MemberPhone => Step::MemberConsent,
        Step::MemberConsent => Step::MemberWorkplace,
        Step::MemberWorkplace => return commit_member(turn, reg),
        Step::DecisionNumber => Step::DecisionDate,
        Step::DecisionDate => Step::DecisionFile,
        Step::DecisionFile => return save(turn, reg),
        step => step,
    };
    goto(turn, reg)
}

fn commit_member(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    let draft = &mut reg.draft;
    let Some(member) = draft.pending.complete() else {
        // Unreachable through the dialogue; recover by asking for the first missing answer.
        reg.step = Step::MemberName;
        return goto(turn, reg);
    };
    let name = member.name.to_string();
    match draft.editing.take() {
        Some(i) if i < draft.members.len() => draft.members[i] = member,
        _ => draft.members.push(member),
    }
    draft.pending = PendingMember::default();
    reg.step = if draft.reviewed {
        Step::Review
    } else {
        Step::AddMore
    };
    let text = turn.fill(K::MemberSaved, &[("name", Html::text(&name))]);
    turn.say_html(text);
    goto(turn, reg)
}

/// "Back": the previous question, its answer kept.
pub fn back(turn: &mut Turn<'_>, mut reg: Registration) -> State {
    let draft = &mut reg.draft;
    reg.step = match reg.step {
        Step::LeaderName if draft.editing_leader => {
            draft.editing_leader = false;
            Step::Review
        }
        Step::LeaderName => {
            turn.say(K::NoPreviousQuestion);
            Step::LeaderName
        }
        Step::LeaderPhone => Step::LeaderName,
        Step::MemberName if draft.editing.is_some() || draft.reviewed => {
            draft.editing = None;
            draft.pending = PendingMember::default();
            Step::Review
        }
        Step::MemberName if draft.members.is_empty() => Step::LeaderPhone,
        Step::MemberName => {
            draft.pending = PendingMember::default();
            Step::AddMore
        }
        Step::MemberRole => Step::MemberName,
        Step::MemberRoleOther => Step::MemberRole,
        Step::MemberPhone if draft.pending.role == Some(crate::domain::MemberRole::Other) => {
            Step::MemberRoleOther
        }
        Step::MemberPhone => Step::MemberRole,
        Step::MemberConsent => Step::MemberPhone,
        Step::MemberWorkplace => Step::MemberConsent,
        Step::AddMore => match draft.members.pop() {
            Some(last) => {
                draft.pending = PendingMember::from_member(&last);
                Step::MemberWorkplace
            }
            None => Step::LeaderPhone,
        },
        Step::Review => Step::AddMore,
        Step::ChooseEdit | Step::ChooseRemove | Step::DecisionOffer => Step::Review,
        Step::DecisionNumber => Step::DecisionOffer,
        Step::DecisionDate => Step::DecisionNumber,
        Step::DecisionFile => Step::DecisionDate,
    };
    goto(turn, reg)
}

/// The head confirmed: store the team and return to the menu.
pub fn save(turn: &mut Turn<'_>, reg: Registration) -> State {
    let Some(village) = team_unit(turn) else {
        turn.say(K::NotAVillageHead);
        return State::Idle;
    };
    let based_on = reg.based_on;
    let mut team = reg.draft;
    team.pending = PendingMember::default();
    team.editing = None;
    team.editing_leader = false;
    let name = turn
        .ctx
        .account
        .as_ref()
        .map_or("", |a| a.unit.name.as_str())
        .to_owned();
    let card = team_card(turn, &name, &team);
    let text = turn.fill(K::Saved, &[("team", card)]);
    turn.say_html(text);
    turn.effect(Effect::SaveTeam {
        unit_code: village,
        team,
        based_on,
    });
    State::Idle
}
