//! How the registration ends: the team is stored and the head told whose number it publishes.

use super::super::state::{ConsentSource, Registration, Team, TeamLevel};
use super::super::summary::team_card;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::team_unit;
use crate::domain::{PersonName, PhoneNumber};
use crate::i18n::{Html, K};

/// The head confirmed: store the team and return to the menu.
pub fn save(turn: &mut Turn<'_>, reg: Registration) -> State {
    let Some(village) = team_unit(turn) else {
        turn.say(K::NotAVillageHead);
        return State::Idle;
    };
    let based_on = reg.based_on;
    // A village team's leader is the head who answers: their word is their own.
    let leader_is_someone_else = reg.level == TeamLevel::Commune;
    let team = reg.draft.to_team();
    let published = newly_published_on_head_word(&reg, &team, leader_is_someone_else);
    let name = turn
        .ctx
        .account
        .as_ref()
        .map_or("", |a| a.unit.name.as_str())
        .to_owned();
    let card = team_card(turn, &name, &team);
    let text = turn.fill(K::Saved, &[("team", card)]);
    turn.say_html(text);
    if !published.is_empty() {
        let names = Html::text(&published.join(", "));
        let text = turn.fill(K::ConsentNoteToHead, &[("names", names)]);
        turn.say_html(text);
    }
    turn.effect(Effect::SaveTeam {
        unit_code: village,
        team,
        based_on,
    });
    State::Idle
}

/// The people whose number `team` publishes on the head's word alone.
pub(super) fn published_on_head_word(
    team: &Team,
    with_leader: bool,
) -> impl Iterator<Item = (&PersonName, &PhoneNumber)> {
    let leader = team
        .leader_name
        .as_ref()
        .zip(team.leader_phone.as_ref())
        .filter(move |_| with_leader && team.leader_consent == Some(ConsentSource::Head));
    let members = team
        .members
        .iter()
        .filter(|m| m.consent == Some(ConsentSource::Head))
        .map(|m| (&m.name, &m.phone));
    leader.into_iter().chain(members)
}

/// Decree 13/2023: the people whose number this save newly publishes on the head's word.
/// The members themselves cannot be written to (the bot knows no chat of theirs), so the
/// head is told what is published and how each person can hide their number.
fn newly_published_on_head_word(reg: &Registration, team: &Team, with_leader: bool) -> Vec<String> {
    published_on_head_word(team, with_leader)
        .filter(|(_, phone)| !reg.head_word_before.contains(phone))
        .map(|(name, _)| name.to_string())
        .collect()
}
