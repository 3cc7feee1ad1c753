//! One update in, replies out. The engine loads what the conversation core needs, runs it,
//! and stores the new session together with the core's effects in one transaction, so a
//! crash or restart at any point leaves either the whole step or none of it.

mod context;
mod effects;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::{vietnam_date, Clock};
use crate::conversation::{self, parse_command, Command, Context, Incoming, Reply, Session};
use crate::domain::CompositionRules;
use crate::i18n::{Texts, K};
use crate::storage::{sessions, StorageError, Store};
use context::{account_view, check_invitation, load_session, saved_team};
use effects::apply_effect;

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
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Applies one incoming event of `chat`. With an `update_id`, an update seen before is
    /// acknowledged and ignored (empty replies).
    #[tracing::instrument(skip_all, fields(channel = chat.channel, chat = %chat.id))]
    pub async fn handle(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
    ) -> Result<Vec<Reply>, EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(update_id) = update_id {
            if !sessions::mark_update_processed(&mut tx, chat.channel, update_id, now).await? {
                tracing::info!(update_id, "duplicate update ignored");
                return Ok(Vec::new());
            }
        }
        let session = load_session(&mut tx, chat).await?;
        let account = account_view(&mut tx, chat).await?;
        let invitation = match &incoming {
            Incoming::Text(text) => match parse_command(text) {
                Some(Command::Start(Some(code))) => {
                    Some(check_invitation(&mut tx, &code, now).await?)
                }
                _ => None,
            },
            _ => None,
        };
        let mut ctx = Context {
            texts: &self.texts,
            rules: &self.rules,
            today: vietnam_date(now),
            account,
            team: None,
            invitation,
        };
        if session.state == conversation::State::Idle {
            if let Some(unit) = ctx.invitation_or_account_unit() {
                ctx.team = saved_team(&mut tx, &unit.code).await?;
            }
        }
        // The core is pure and must not panic; if it ever does, the chat gets an apology and
        // keeps its state, and the bot keeps running.
        let outcome = match catch_unwind(AssertUnwindSafe(|| {
            conversation::handle(&session, incoming, &ctx)
        })) {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::error!("conversation core panicked; state left unchanged");
                drop(tx);
                let text = self.texts.get(session.lang, K::InternalError);
                return Ok(vec![Reply {
                    text,
                    buttons: Vec::new(),
                }]);
            }
        };
        for effect in &outcome.effects {
            apply_effect(&mut tx, chat, effect, now).await?;
        }
        let json = serde_json::to_string(&outcome.session)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        sessions::save_session(&mut tx, chat.channel, &chat.id, &json, now).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(outcome.replies)
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
