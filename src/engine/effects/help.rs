//! Residents' requests for help, applied: stored and offered to the team's reachable chats
//! (members where they proved their number, the head's account), taken, closed (a solved
//! one logged as an activity, once), rated and reopened, each telling the other side through
//! the outbox in the same transaction. Storage guards each step by status and version; a
//! step that lost a race is refused ([`StorageError::HelpChanged`]) and rolled back whole.

use chrono::{DateTime, TimeZone, Utc};

use super::EffectEnv;
use crate::clock::{vietnam, vietnam_date};
use crate::conversation::notices::{self, HelpNotice};
use crate::conversation::Effect;
use crate::domain::{AccountRole, PhoneNumber, RequestStatus, Stage};
use crate::i18n::Lang;
use crate::storage::activities::{self, NewActivity};
use crate::storage::help_requests::{self as requests, HelpLimit, HelpRequest, Outcome, Owner};
use crate::storage::sessions::chat_lang;
use crate::storage::{directory, erasure, outbox, units, StorageError, Tx};

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    effect: &Effect,
    replies: &mut Vec<crate::conversation::Reply>,
) -> Result<(), StorageError> {
    let (channel, chat, now) = (env.chat.channel.as_str(), env.chat.id.as_str(), env.now);
    match effect {
        Effect::RememberMemberChat { phone } => {
            erasure::remember_member_chat(tx, phone, channel, chat, now).await?;
        }
        Effect::AskHelp {
            unit_code,
            need,
            description,
            phone,
            key,
        } => {
            let rules = &env.rules.help;
            if requests::open_count(tx, channel, chat).await? >= rules.max_open_per_resident {
                return Err(StorageError::HelpLimited(HelpLimit::Open));
            }
            let today = start_of_day(now);
            if requests::asked_since(tx, channel, chat, today).await?
                >= rules.max_per_day_per_resident
            {
                return Err(StorageError::HelpLimited(HelpLimit::Day));
            }
            let request = requests::NewRequest {
                unit_code: unit_code.clone(),
                need: need.clone(),
                description: description.clone(),
                resident_channel: channel.to_owned(),
                resident_chat: chat.to_owned(),
                resident_lang: env.lang.code().to_owned(),
                resident_phone: phone.clone(),
                dedup_key: Some(key.clone()),
            };
            // The same update twice: asked once.
            let Some(id) = requests::create(tx, &request, now).await? else {
                return Ok(());
            };
            let Some(stored) = requests::load(tx, id).await? else {
                return Err(StorageError::HelpChanged);
            };
            if offer(tx, env, &stored).await? == 0 {
                let name = unit_name(tx, unit_code).await?;
                replies.push(notices::help_nobody_reachable(env.texts, env.lang, &name));
            }
        }
        Effect::TakeHelp {
            id,
            version,
            name,
            phone,
            phone_shown,
        } => {
            let owner = Owner {
                channel: channel.to_owned(),
                chat: chat.to_owned(),
                phone: phone.as_ref().map(|p| p.e164().to_owned()),
                name: name.clone(),
                phone_shown: *phone_shown,
            };
            requests::take(tx, *id, *version, &owner, now)
                .await
                .map_err(changed)?;
            let request = load(tx, *id).await?;
            let unit = unit_name(tx, &request.unit_code).await?;
            for offer in requests::offers(tx, *id).await? {
                if offer.channel == channel && offer.chat_id == chat {
                    continue;
                }
                let lang = chat_lang(tx, &offer.channel, &offer.chat_id).await?;
                let about = notice(env, lang, &request, &unit);
                let reply = notices::help_taken_by(env.texts, lang, &about, name);
                outbox::enqueue(tx, &offer.channel, &offer.chat_id, &reply, None, now).await?;
            }
            if let Some((r_channel, r_chat)) = resident(&request) {
                let lang = resident_lang(&request);
                let about = notice(env, lang, &request, &unit);
                let shown = phone
                    .as_ref()
                    .filter(|_| *phone_shown)
                    .map(PhoneNumber::national);
                let reply =
                    notices::help_who_helps(env.texts, lang, &about, name, shown.as_deref());
                outbox::enqueue(tx, &r_channel, &r_chat, &reply, None, now).await?;
            }
        }
        Effect::CloseHelp {
            id,
            version,
            outcome,
        } => {
            let request = load(tx, *id).await?;
            let outcome = match outcome {
                RequestStatus::Solved => Outcome::Solved,
                RequestStatus::Abuse => Outcome::Abuse,
                _ => Outcome::Unsolved,
            };
            let activity = match outcome {
                Outcome::Solved => Some(count_as_activity(tx, env, &request).await?),
                _ => None,
            };
            requests::close(tx, *id, *version, channel, chat, outcome, activity, now)
                .await
                .map_err(changed)?;
            if let Some((r_channel, r_chat)) = resident(&request) {
                let lang = resident_lang(&request);
                let unit = unit_name(tx, &request.unit_code).await?;
                let about = notice(env, lang, &request, &unit);
                let reply = match outcome {
                    Outcome::Abuse => notices::help_closed_as_abuse(env.texts, lang, &about),
                    _ => notices::help_closed(
                        env.texts,
                        lang,
                        &about,
                        outcome == Outcome::Solved,
                        env.rules.help.reopen_days,
                    ),
                };
                outbox::enqueue(tx, &r_channel, &r_chat, &reply, None, now).await?;
            }
        }
        Effect::RateHelp { id, stars } => {
            // Rated already, or not closed as solved or not solved: refused.
            let rated = requests::rate(tx, *id, *stars, &env.chat.actor(), now).await?;
            rated.then_some(()).ok_or(StorageError::HelpChanged)?;
        }
        Effect::ReopenHelp { id, version } => {
            let since = now - env.rules.help.reopen_for();
            requests::reopen(tx, *id, *version, since, &env.chat.actor(), now)
                .await
                .map_err(changed)?;
            let request = load(tx, *id).await?;
            if offer(tx, env, &request).await? == 0 {
                let name = unit_name(tx, &request.unit_code).await?;
                replies.push(notices::help_nobody_reachable(env.texts, env.lang, &name));
            }
        }
        _ => {}
    }
    Ok(())
}

fn changed(error: StorageError) -> StorageError {
    match error {
        StorageError::Conflict => StorageError::HelpChanged,
        other => other,
    }
}

/// Midnight in Vietnam, today, as a UTC time.
fn start_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let midnight = vietnam_date(now).and_hms_opt(0, 0, 0).unwrap_or_default();
    match vietnam().from_local_datetime(&midnight).single() {
        Some(at) => at.with_timezone(&Utc),
        None => now,
    }
}

async fn load(tx: &mut Tx<'_>, id: i64) -> Result<HelpRequest, StorageError> {
    requests::load(tx, id)
        .await?
        .ok_or(StorageError::HelpChanged)
}

async fn unit_name(tx: &mut Tx<'_>, code: &str) -> Result<String, StorageError> {
    Ok(units::unit_in_tx(tx, code)
        .await?
        .map_or_else(|| code.to_owned(), |u| u.name))
}

fn resident(request: &HelpRequest) -> Option<(String, String)> {
    Some((
        request.resident_channel.clone()?,
        request.resident_chat.clone()?,
    ))
}

fn resident_lang(request: &HelpRequest) -> Lang {
    Lang::parse(&request.resident_lang).unwrap_or_default()
}

fn notice<'a>(
    env: &'a EffectEnv<'_>,
    lang: Lang,
    request: &'a HelpRequest,
    unit_name: &'a str,
) -> HelpNotice<'a> {
    let need = match env.rules.activity.kind(&request.need) {
        Some(kind) => kind.name(lang),
        None => request.need.as_str(),
    };
    HelpNotice {
        id: request.id,
        unit_name,
        need,
        description: request.description.as_deref(),
    }
}

/// Offers `request` to every reachable chat of its village's team and head, each in its
/// own language; returns how many it reached.
async fn offer(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    request: &HelpRequest,
) -> Result<usize, StorageError> {
    let mut chats = requests::member_chats_of_unit(tx, &request.unit_code).await?;
    for chat in directory::unit_chats(tx, &request.unit_code, &[AccountRole::VillageHead]).await? {
        if !chats.contains(&chat) {
            chats.push(chat);
        }
    }
    // The resident's own chat (a member asking their own team) is not asked to take it.
    if let Some(own) = resident(request) {
        chats.retain(|c| *c != own);
    }
    let unit = unit_name(tx, &request.unit_code).await?;
    for (channel, chat_id) in &chats {
        let lang = chat_lang(tx, channel, chat_id).await?;
        let about = notice(env, lang, request, &unit);
        let reply = notices::help_offer(env.texts, lang, &about);
        outbox::enqueue(tx, channel, chat_id, &reply, None, env.now).await?;
        requests::add_offer(tx, request.id, channel, chat_id, Stage::Team, env.now).await?;
    }
    Ok(chats.len())
}

/// A solved request counts as one person helped with its need, by its owner, today: once,
/// however often it is solved (reopened and solved again).
async fn count_as_activity(
    tx: &mut Tx<'_>,
    env: &EffectEnv<'_>,
    request: &HelpRequest,
) -> Result<i64, StorageError> {
    let by = request.owner.as_ref().and_then(|owner| {
        let phone = PhoneNumber::parse(owner.phone.as_deref()?).ok()?;
        Some((phone, owner.name.clone()))
    });
    let entry = NewActivity {
        unit_code: request.unit_code.clone(),
        kind: request.need.clone(),
        people: 1,
        households: None,
        done_on: vietnam_date(env.now),
        note: None,
        by,
        source: env.chat.channel.as_str().to_owned(),
        dedup_key: Some(requests::activity_key(request.id)),
    };
    activities::record(tx, &entry, env.now).await?;
    requests::counted_activity(tx, request.id)
        .await?
        .ok_or(StorageError::HelpChanged)
}
