//! How the registration ends: the team is stored and the head told whose number it publishes.

use super::super::lookup::{Lookup, Need};
use super::super::state::{ConsentSource, Registration, Team, TeamLevel};
use super::super::summary::team_card;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::team_unit;
use crate::conversation::input::MEMBER_START;
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
    let mut team = reg.draft.to_team();
    // Everyone else's own word stands, even one given after this edit began: the team is
    // saved, and its card shown, with it.
    let others: Vec<PhoneNumber> = team
        .members
        .iter()
        .map(|m| m.phone.clone())
        .chain(team.leader_phone.clone().filter(|_| leader_is_someone_else))
        .collect();
    let Some(Lookup::OwnWords(words)) = turn.lookup(Need::OwnWords { phones: others }) else {
        return State::Registering(Box::new(reg));
    };
    keep_own_words(&mut team, &words, leader_is_someone_else);
    let published = newly_published_on_head_word(&reg, &team, leader_is_someone_else);
    let waiting = waiting_for_own_word(&team, &words, leader_is_someone_else);
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
    if !waiting.is_empty() {
        // A Telegram link when the bot is known, else the command, which every channel reads.
        let (key, link) = match turn.ctx.bot_username {
            Some(bot) => (
                K::ConsentWaitingNote,
                crate::chat::telegram_deep_link(bot, MEMBER_START),
            ),
            None => (K::ConsentWaitingNoteCommand, format!("/{MEMBER_START}")),
        };
        let args = [
            ("names", Html::text(&waiting.join(", "))),
            ("link", Html::text(&link)),
        ];
        let text = turn.fill(key, &args);
        turn.say_html(text);
    }
    turn.effect(Effect::SaveTeam {
        unit_code: village,
        team,
        based_on,
    });
    State::Idle
}

/// Sets the answer of each person who gave their own word to that word.
fn keep_own_words(team: &mut Team, words: &[(PhoneNumber, bool)], with_leader: bool) {
    let word = |phone: &PhoneNumber| {
        words
            .iter()
            .find(|(p, _)| p == phone)
            .map(|(_, show)| show.then_some(ConsentSource::Member))
    };
    for member in &mut team.members {
        if let Some(consent) = word(&member.phone) {
            member.consent = consent;
        }
    }
    if with_leader {
        if let Some(consent) = team.leader_phone.as_ref().and_then(word) {
            team.leader_consent = consent;
        }
    }
}

/// The people whose number stays hidden until they give their own word: no paper consent,
/// and no word of theirs yet (a person who hid their number is not asked again).
fn waiting_for_own_word(
    team: &Team,
    words: &[(PhoneNumber, bool)],
    with_leader: bool,
) -> Vec<String> {
    let spoke = |phone: &PhoneNumber| words.iter().any(|(p, _)| p == phone);
    let leader = team
        .leader_name
        .as_ref()
        .zip(team.leader_phone.as_ref())
        .filter(|_| with_leader && team.leader_consent.is_none());
    let members = team
        .members
        .iter()
        .filter(|m| m.consent.is_none())
        .map(|m| (&m.name, &m.phone));
    leader
        .into_iter()
        .chain(members)
        .filter(|(_, phone)| !spoke(phone))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The people whose number `team` publishes on the head's word alone: their statement of a
/// paper consent, or a word recorded before the 2026 law.
pub(super) fn published_on_head_word(
    team: &Team,
    with_leader: bool,
) -> impl Iterator<Item = (&PersonName, &PhoneNumber)> {
    let leader = team
        .leader_name
        .as_ref()
        .zip(team.leader_phone.as_ref())
        .filter(move |_| with_leader && on_head_word(team.leader_consent));
    let members = team
        .members
        .iter()
        .filter(|m| on_head_word(m.consent))
        .map(|m| (&m.name, &m.phone));
    leader.into_iter().chain(members)
}

fn on_head_word(consent: Option<ConsentSource>) -> bool {
    matches!(consent, Some(ConsentSource::Paper | ConsentSource::Head))
}

/// The people whose number this save newly publishes on the head's word.
/// The members themselves cannot be written to (the bot knows no chat of theirs), so the
/// head is told what is published and how each person can hide their number.
fn newly_published_on_head_word(reg: &Registration, team: &Team, with_leader: bool) -> Vec<String> {
    published_on_head_word(team, with_leader)
        .filter(|(_, phone)| !reg.head_word_before.contains(phone))
        .map(|(name, _)| name.to_string())
        .collect()
}
