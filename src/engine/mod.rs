//! One update in, replies out. The engine loads what the conversation core needs, runs it,
//! and stores the new session together with the core's effects in one transaction, so a
//! crash or restart at any point leaves either the whole step or none of it.

mod admission;
mod after_commit;
pub(crate) mod context;
mod effects;
mod limits;
mod lookups;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::{vietnam_date, Clock};
use crate::conversation::{
    self, parse_command, Command, Context, Incoming, Lookup, Reply, Session,
};
use crate::domain::CompositionRules;
use crate::domain::PhoneNumber;
use crate::i18n::{Texts, K};
use crate::search::SharedIndex;
pub use crate::storage::sessions::UpdateRecord;
use crate::storage::Tx;
use crate::storage::{sessions, StorageError, Store};
pub use admission::Handled;
use context::{account_view, check_invitation, load_session, saved_team};
use effects::{apply_effect, Applied, EffectEnv};
use limits::RateLimiter;

/// At most this many lookups per message (a search, then a card…).
const MAX_NEEDS: usize = 4;

/// A chat on a channel: `telegram` + chat id, `console` + a name…
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChatKey {
    pub channel: &'static str,
    pub id: String,
}

impl ChatKey {
    pub fn new(channel: &'static str, id: impl Into<String>) -> ChatKey {
        ChatKey {
            channel,
            id: id.into(),
        }
    }

    pub(crate) fn actor(&self) -> String {
        format!("{}:{}", self.channel, self.id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Everything an adapter needs to run conversations. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Engine {
    store: Store,
    texts: Arc<Texts>,
    rules: Arc<CompositionRules>,
    clock: Arc<dyn Clock>,
    limiter: Arc<RateLimiter>,
    bot_username: Option<String>,
    /// The place index residents search, built on first use and refreshed after unit edits.
    index: Arc<tokio::sync::OnceCell<SharedIndex>>,
    /// Fired after a step that may change a team's status: the alert scheduler wakes up.
    changed: Arc<tokio::sync::Notify>,
    schedule: Arc<crate::domain::schedule::Schedule>,
}

impl Engine {
    pub fn new(
        store: Store,
        texts: Arc<Texts>,
        rules: Arc<CompositionRules>,
        clock: Arc<dyn Clock>,
    ) -> Engine {
        Engine {
            store,
            texts,
            rules,
            clock,
            limiter: Arc::new(RateLimiter::default()),
            bot_username: None,
            index: Arc::default(),
            changed: Arc::default(),
            schedule: Arc::default(),
        }
    }

    /// The Telegram username of the bot, for the deep links of invitations made in chat.
    pub fn with_bot_username(mut self, username: impl Into<String>) -> Engine {
        self.bot_username = Some(username.into());
        self
    }

    pub fn bot_username(&self) -> Option<&str> {
        self.bot_username.as_deref()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// When deadline alerts go out (configuration).
    pub fn with_schedule(mut self, schedule: crate::domain::schedule::Schedule) -> Engine {
        self.schedule = Arc::new(schedule);
        self
    }

    pub fn schedule(&self) -> &crate::domain::schedule::Schedule {
        &self.schedule
    }

    pub fn rules(&self) -> &CompositionRules {
        &self.rules
    }

    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Applies one incoming event of `chat`. With an `update_id`, an update seen before is
    /// acknowledged and ignored (empty replies).
    pub async fn handle(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
    ) -> Result<Vec<Reply>, EngineError> {
        Ok(self.handle_update(chat, update_id, incoming).await?.replies)
    }

    /// [`Engine::handle`], also telling whether the update was applied, seen before or late.
    #[tracing::instrument(skip_all, fields(channel = chat.channel, chat = %chat.id))]
    pub async fn handle_update(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
    ) -> Result<Handled, EngineError> {
        let now = self.clock.now();
        let mut tx = match self.begin_step(chat, update_id, now).await? {
            Ok(tx) => tx,
            Err(skipped) => return Ok(skipped),
        };
        let session = load_session(&mut tx, chat).await?;
        let mut ctx = Context {
            texts: &self.texts,
            rules: &self.rules,
            today: vietnam_date(now),
            account: account_view(&mut tx, chat).await?,
            team: None,
            invitation: None,
            memberships: Vec::new(),
            answers: Vec::new(),
        };
        self.load_context(&mut tx, &session, &incoming, &mut ctx)
            .await?;
        let outcome = loop {
            // The core is pure and must not panic; if it ever does, the chat gets an apology
            // and keeps its state, and the bot keeps running.
            let run = catch_unwind(AssertUnwindSafe(|| {
                conversation::handle(&session, incoming.clone(), &ctx)
            }));
            let Ok(outcome) = run else {
                tracing::error!("conversation core panicked; state left unchanged");
                let apology = Reply::text(self.texts.get(session.lang, K::InternalError));
                return Ok(Handled::applied(vec![apology]));
            };
            match outcome.need {
                Some(need) if ctx.answers.len() < MAX_NEEDS => {
                    let answer = if need.is_lookup() && !self.limiter.allow(chat, now) {
                        Lookup::RateLimited
                    } else {
                        let index = self.index().await?;
                        lookups::answer(&mut tx, index, &need).await?
                    };
                    ctx.answers.push((need, answer));
                }
                _ => break outcome,
            }
        };
        let env = EffectEnv {
            chat,
            now,
            texts: &self.texts,
            lang: outcome.session.lang,
            bot_username: self.bot_username.as_deref(),
        };
        let mut applied = Applied::default();
        for effect in &outcome.effects {
            match apply_effect(&mut tx, &env, effect, &mut applied).await {
                Err(StorageError::Conflict) => {
                    tx.rollback().await.map_err(StorageError::from)?;
                    return self.changed_meanwhile(chat, update_id, session).await;
                }
                result => result?,
            }
        }
        let json = serde_json::to_string(&outcome.session)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        sessions::save_session(&mut tx, chat.channel, &chat.id, &json, now).await?;
        tx.commit().await.map_err(StorageError::from)?;
        // From here on the step is recorded: a failure is logged and the chat still gets its
        // answers, because an error would make the adapter ask for a redelivery that is then
        // a duplicate and answered with nothing.
        if let Err(error) = self.refresh_index(&applied.changed_units).await {
            tracing::error!(%error, "the place index was not refreshed; it is on next start");
        }
        if outcome
            .effects
            .iter()
            .any(conversation::Effect::changes_status)
        {
            self.changed.notify_waiters();
        }
        let mut replies = outcome.replies;
        replies.extend(applied.replies);
        let lang = outcome.session.lang;
        for job in applied.after {
            match self.after_commit(chat, lang, job).await {
                Ok(reply) => replies.push(reply),
                Err(error) => {
                    tracing::error!(?error, "a job after the step failed");
                    replies.push(Reply::text(self.texts.get(lang, K::InternalError)));
                }
            }
        }
        Ok(Handled::applied(replies))
    }

    /// Completes after the next step that may have changed a team's status.
    pub async fn status_changed(&self) {
        self.changed.notified().await;
    }

    /// The place index, loaded from the database on first use.
    pub async fn index(&self) -> Result<&SharedIndex, StorageError> {
        self.index
            .get_or_try_init(|| SharedIndex::load(&self.store))
            .await
    }

    /// Re-reads units written by a step, when the index is in use.
    async fn refresh_index(&self, codes: &[String]) -> Result<(), StorageError> {
        if let Some(index) = self.index.get() {
            for code in codes {
                index.refresh_unit(&self.store, code).await?;
            }
        }
        Ok(())
    }

    /// What the core may need besides the session, read before it runs.
    async fn load_context(
        &self,
        tx: &mut Tx<'_>,
        session: &Session,
        incoming: &Incoming,
        ctx: &mut Context<'_>,
    ) -> Result<(), StorageError> {
        let now = self.clock.now();
        if let Incoming::Text(text) = incoming {
            if let Some(Command::Start(Some(code))) = parse_command(text) {
                ctx.invitation = Some(check_invitation(tx, &code, now).await?);
            }
        }
        let phone = match (incoming, &session.state) {
            (Incoming::Contact { phone, own: true }, _) => PhoneNumber::parse(phone).ok(),
            (_, conversation::State::Member { phone }) => Some(phone.clone()),
            _ => None,
        };
        if let Some(phone) = phone {
            ctx.memberships = lookups::memberships(tx, &phone).await?;
        }
        // Any state but a registration may open `/myteam` (a search, a member's menu…).
        if !matches!(session.state, conversation::State::Registering(_)) {
            if let Some(unit) = ctx.invitation_or_account_unit() {
                ctx.team = saved_team(tx, &unit.code).await?;
            }
        }
        Ok(())
    }

    /// The language a chat speaks (for texts sent outside a conversation turn).
    pub async fn session(&self, chat: &ChatKey) -> Result<Session, EngineError> {
        let mut tx = self
            .store
            .pool()
            .begin()
            .await
            .map_err(StorageError::from)?;
        let session = load_session(&mut tx, chat).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(session)
    }
}
