//! One step: admit the update, read what the core needs, run it (answering its lookups),
//! apply its effects and save the new session, all inside the caller's transaction.

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Utc};

use super::context::{account_view, check_invitation, load_session, saved_team};
use super::effects::{self, apply_effect, Applied, EffectEnv};
use super::{lookups, AppliedStep, Engine, EngineError, Step, UpdateRecord};
use crate::chat::ChatKey;
use crate::clock::vietnam_date;
use crate::conversation::{self, Context, Incoming, Lookup, Session};
use crate::domain::AccountRole;
use crate::search::SharedIndex;
use crate::storage::{activities, directory, help_requests, sessions, units, StorageError, Tx};

/// At most this many lookups per message (a search, then a card…).
const MAX_NEEDS: usize = 4;

impl Engine {
    /// Runs one event of `chat` inside `tx` (the caller commits): the chat is locked, the
    /// update recorded once, the core run and its effects and new session written. `index`
    /// must be loaded before `tx` began: nothing inside a step takes a second connection.
    pub(crate) async fn step(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
        now: DateTime<Utc>,
        index: &SharedIndex,
    ) -> Result<Step, EngineError> {
        let record = self.admit(tx, chat, update_id, now).await?;
        if record != UpdateRecord::New {
            return Ok(Step::Skipped(record));
        }
        self.admitted_step(tx, chat, update_id, incoming, now, index)
            .await
    }

    /// [`Engine::step`] of an event the caller has let in already: its chat locked, and the
    /// event known to be new and in order (the pipeline's inbox keeps both).
    pub(crate) async fn admitted_step(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
        now: DateTime<Utc>,
        index: &SharedIndex,
    ) -> Result<Step, EngineError> {
        let incoming = proven_as_own(tx, chat, incoming).await?;
        let session = load_session(tx, chat).await?;
        let mut ctx = Context {
            texts: &self.texts,
            rules: &self.rules,
            today: vietnam_date(now),
            account: account_view(tx, chat, now).await?,
            team: None,
            invitation: None,
            memberships: Vec::new(),
            answers: Vec::new(),
            bot_username: self.bot_username_for(chat),
            last_activity: None,
            logged_count: 0,
            help: None,
            step_key: step_key(chat, update_id, &session, now),
        };
        self.load_context(tx, &session, &incoming, &mut ctx, now)
            .await?;
        if let Some(id) = conversation::prefetch(&session, &incoming).help_request {
            ctx.help = help_view(tx, chat, id, &self.rules, now).await?;
            if ctx.memberships.is_empty() {
                let (channel, id) = (chat.channel.as_str(), chat.id.as_str());
                if let Some(phone) = help_requests::proven_phone_of_chat(tx, channel, id).await? {
                    ctx.memberships = lookups::memberships(tx, &phone).await?;
                }
            }
        }
        let outcome = loop {
            // The core is pure and must not panic; if it ever does, nothing of the step is
            // written and the bot keeps running.
            let run = catch_unwind(AssertUnwindSafe(|| {
                conversation::handle(&session, incoming.clone(), &ctx)
            }));
            let Ok(outcome) = run else {
                tracing::error!("conversation core panicked; state left unchanged");
                return Err(EngineError::CorePanicked);
            };
            match outcome.need {
                Some(need) if ctx.answers.len() < MAX_NEEDS => {
                    let answer = if need.is_lookup() && !self.limiter.allow(chat, now) {
                        Lookup::RateLimited
                    } else {
                        lookups::answer(tx, index, &need).await?
                    };
                    ctx.answers.push((need, answer));
                }
                Some(_) => {
                    tracing::warn!(
                        needs = MAX_NEEDS,
                        "the core kept asking for data; answered as far as it got"
                    );
                    break outcome;
                }
                None => break outcome,
            }
        };
        let env = EffectEnv {
            chat,
            now,
            texts: &self.texts,
            lang: outcome.session.lang,
            bot_username: self.bot_username.as_deref(),
            typed_codes: self.typed_codes.as_ref().map(|(c, url)| (*c, url.as_str())),
            rules: &self.rules,
            decision_template: &self.decision_template,
        };
        let mut applied = Applied::default();
        for effect in &outcome.effects {
            if let Err(error) = apply_effect(tx, &env, effect, &mut applied).await {
                // Lost a race or hit a limit: nothing of the step may be written.
                let Some(why) = effects::refusal(&error) else {
                    return Err(error.into());
                };
                return Ok(Step::Refused(session, why));
            }
        }
        sessions::save_session(tx, chat.channel.as_str(), &chat.id, &outcome.session, now).await?;
        let mut replies = outcome.replies;
        replies.extend(applied.replies);
        Ok(Step::Applied(AppliedStep {
            replies,
            jobs: applied.after,
            changed_units: applied.changed_units,
            status_changed: outcome
                .effects
                .iter()
                .any(conversation::Effect::changes_status),
            lang: outcome.session.lang,
        }))
    }

    /// What the core may need besides the session, read before it runs.
    pub(super) async fn load_context(
        &self,
        tx: &mut Tx<'_>,
        session: &Session,
        incoming: &Incoming,
        ctx: &mut Context<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let wanted = conversation::prefetch(session, incoming);
        if let Some(code) = wanted.invitation {
            ctx.invitation = Some(check_invitation(tx, &code, now).await?);
        }
        if let Some(phone) = wanted.memberships_of {
            ctx.memberships = lookups::memberships(tx, &phone).await?;
        }
        if wanted.team {
            if let Some(unit) = ctx.invitation_or_account_unit() {
                ctx.team = saved_team(tx, &unit.code).await?;
            }
        }
        if wanted.last_activity {
            ctx.last_activity = last_activity(tx, ctx).await?;
        }
        if let Some(member) = ctx.memberships.first() {
            ctx.logged_count = activities::count_by_phone(tx, &member.phone).await?;
        }
        Ok(())
    }
}

/// What the chat's person logged last: the member by their listed number, else the head's
/// account of its unit.
async fn last_activity(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
) -> Result<Option<conversation::LastLogged>, StorageError> {
    let last = match (ctx.memberships.first(), &ctx.account) {
        (Some(member), _) => activities::last_by_phone(tx, &member.phone).await?,
        (None, Some(account))
            if matches!(
                account.role,
                AccountRole::VillageHead | AccountRole::CommuneOfficial
            ) =>
        {
            activities::last_by_head(tx, &account.unit.code).await?
        }
        _ => None,
    };
    Ok(last.map(|last| conversation::LastLogged {
        unit_code: last.unit_code,
        kind: last.kind,
        people: last.people,
    }))
}

/// The request `id` as `chat` may see it: the resident's number only for a chat it was
/// offered to, or its owner.
async fn help_view(
    tx: &mut Tx<'_>,
    chat: &ChatKey,
    id: i64,
    rules: &crate::domain::CompositionRules,
    now: DateTime<Utc>,
) -> Result<Option<conversation::HelpView>, StorageError> {
    let Some(request) = help_requests::load(tx, id).await? else {
        return Ok(None);
    };
    let Some(unit) = units::unit_in_tx(tx, &request.unit_code).await? else {
        return Ok(None);
    };
    let ancestors = directory::ancestors(tx, &unit).await?;
    let (channel, chat_id) = (chat.channel.as_str(), chat.id.as_str());
    let owned_here = request.is_owned_by(channel, chat_id);
    let offered = help_requests::was_offered(tx, id, channel, chat_id).await?;
    let asked_here = request.resident_key().as_deref() == Some(chat.actor().as_str());
    let reopenable = matches!(
        request.status,
        crate::domain::RequestStatus::Solved | crate::domain::RequestStatus::Unsolved
    ) && request
        .closed_at
        .is_some_and(|closed| closed >= now - rules.help.reopen_for());
    Ok(Some(conversation::HelpView {
        id,
        unit_code: request.unit_code,
        unit_name: unit.name,
        ancestors,
        need: request.need,
        description: request.description,
        status: request.status,
        version: request.version,
        owner_name: request.owner.map(|o| o.name),
        owned_here,
        asked_here,
        resident_phone: request
            .resident_phone
            .filter(|_| offered || owned_here)
            .map(|p| crate::domain::PhoneNumber::national_of(&p)),
        rated: request.rating.is_some(),
        reopenable,
    }))
}

/// The key of what this step writes once (an activity entry): the channel's update id where
/// there is one, so a redelivery names the same; else (the console) the chat, the time and
/// the dialogue's revision, which no other step of the chat shares.
fn step_key(
    chat: &ChatKey,
    update_id: Option<&str>,
    session: &Session,
    now: DateTime<Utc>,
) -> String {
    let channel = chat.channel.as_str();
    match update_id {
        Some(id) => format!("{channel}:{}:{id}", chat.id),
        None => format!(
            "{channel}:{}:{}:r{}",
            chat.id,
            now.format("%Y%m%dT%H%M%S%.9f"),
            session.rev
        ),
    }
}

/// A number claimed through a form that does not prove it counts as the chat's own contact
/// once the head of the person's team confirmed this chat ([`crate::storage::proofs`]).
async fn proven_as_own(
    tx: &mut Tx<'_>,
    chat: &ChatKey,
    incoming: Incoming,
) -> Result<Incoming, StorageError> {
    let Incoming::ClaimedNumber { phone } = &incoming else {
        return Ok(incoming);
    };
    let Ok(number) = crate::domain::PhoneNumber::parse(phone) else {
        return Ok(incoming);
    };
    if crate::storage::proofs::is_proven(tx, &number, chat.channel.as_str(), &chat.id).await? {
        return Ok(Incoming::Contact {
            phone: phone.clone(),
            own: true,
        });
    }
    Ok(incoming)
}
