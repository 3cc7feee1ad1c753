//! One update in, replies out. The engine loads what the conversation core needs, runs it,
//! and stores the new session together with the core's effects in one transaction, so a
//! crash or restart at any point leaves either the whole step or none of it.

mod admission;
mod after_commit;
pub mod announce;
pub(crate) mod context;
mod effects;
mod import_messages;
mod limits;
mod lookups;
mod question;
mod step;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::chat::{ChannelName, ChatKey, Window};
use crate::clock::Clock;
use crate::conversation::notices;
use crate::conversation::{Incoming, Reply, ReportFile, Session};
use crate::domain::{CompositionRules, DecisionTemplate};
use crate::i18n::Lang;
use crate::i18n::Texts;
use crate::search::SharedIndex;
pub use crate::storage::sessions::UpdateRecord;
use crate::storage::Tx;
use crate::storage::{StorageError, Store};
pub use admission::Handled;
pub(crate) use admission::{AppliedStep, Step};
use context::load_session;
pub use effects::Job;
use limits::RateLimiter;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A bug: the conversation core panicked on this event. Nothing of the step is written.
    #[error("the conversation core panicked")]
    CorePanicked,
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
    /// The channel whose invitations are typed, not opened as a link (Zalo), and the link
    /// that opens the bot there.
    typed_codes: Option<(ChannelName, String)>,
    /// How long after a chat's last message each channel lets the bot write (Zalo's
    /// window): alerts go to a person's chat that can be reached.
    windows: Arc<HashMap<ChannelName, Window>>,
    /// The place index residents search, built on first use and refreshed after unit edits.
    index: Arc<tokio::sync::OnceCell<SharedIndex>>,
    /// Fired after a step that may change a team's status: the alert scheduler wakes up.
    changed: Arc<tokio::sync::Notify>,
    schedule: Arc<crate::domain::schedule::Schedule>,
    /// The words of the founding decision drafted for communes.
    decision_template: Arc<DecisionTemplate>,
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
            typed_codes: None,
            windows: Arc::default(),
            index: Arc::default(),
            changed: Arc::default(),
            schedule: Arc::default(),
            decision_template: Arc::new(built_in_template()),
        }
    }

    /// The founding decision's words (`--decision-template`); the built-in ones by default.
    pub fn with_decision_template(mut self, template: DecisionTemplate) -> Engine {
        self.decision_template = Arc::new(template);
        self
    }

    pub fn decision_template(&self) -> &DecisionTemplate {
        &self.decision_template
    }

    /// The Telegram username of the bot, for the deep links of invitations made in chat.
    pub fn with_bot_username(mut self, username: impl Into<String>) -> Engine {
        self.bot_username = Some(username.into());
        self
    }

    /// Invitations made in `channel`'s chats are sent there as a message (Zalo: no link
    /// carries a code) to the bot at `url` (the Official Account's link).
    pub fn with_typed_codes(mut self, channel: ChannelName, url: impl Into<String>) -> Engine {
        self.typed_codes = Some((channel, url.into()));
        self
    }

    /// `channel` lets the bot write to a chat only for a while after its last message.
    pub fn with_channel_window(mut self, channel: ChannelName, window: Window) -> Engine {
        Arc::make_mut(&mut self.windows).insert(channel, window);
        self
    }

    pub fn channel_windows(&self) -> &HashMap<ChannelName, Window> {
        &self.windows
    }

    pub fn bot_username(&self) -> Option<&str> {
        self.bot_username.as_deref()
    }

    /// The Telegram bot's username for a link said to `chat`, where its channel tells such
    /// links ([`ChannelName::is_told_telegram_links`]).
    fn bot_username_for(&self, chat: &ChatKey) -> Option<&str> {
        self.bot_username()
            .filter(|_| chat.channel.is_told_telegram_links())
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
    /// The step is one transaction of its own and its replies are returned, not queued: the
    /// channels go through [`crate::pipeline`], which queues them in the step's transaction.
    #[tracing::instrument(skip_all, fields(channel = chat.channel.as_str(), chat = %chat.id))]
    pub async fn handle_update(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
    ) -> Result<Handled, EngineError> {
        let now = self.clock.now();
        // Before the transaction: loading the index takes a connection of its own.
        let index = self.index().await?;
        let mut tx = self.store.begin().await?;
        let step = self
            .step(&mut tx, chat, update_id, incoming, now, index)
            .await;
        let applied = match step {
            Err(EngineError::CorePanicked) => {
                let session = load_session(&mut tx, chat).await?;
                let apology = notices::internal_error(&self.texts, session.lang);
                return Ok(Handled::applied(vec![apology]));
            }
            Err(error) => return Err(error),
            Ok(Step::Skipped(record)) => return Ok(Handled::skipped(record)),
            Ok(Step::Refused(session, why)) => {
                tx.rollback().await.map_err(StorageError::from)?;
                let mut tx = self.store.begin().await?;
                let step = self
                    .refused(&mut tx, chat, update_id, session, why, now)
                    .await?;
                tx.commit().await.map_err(StorageError::from)?;
                return Ok(match step {
                    Step::Applied(applied) => Handled::applied(applied.replies),
                    Step::Skipped(record) => Handled::skipped(record),
                    Step::Refused(..) => Handled::applied(Vec::new()),
                });
            }
            Ok(Step::Applied(applied)) => applied,
        };
        tx.commit().await.map_err(StorageError::from)?;
        self.after_step(&applied).await;
        let mut replies = applied.replies;
        for job in applied.jobs {
            replies.push(
                self.run_job(chat, applied.lang, job, ReportFile::default())
                    .await,
            );
        }
        Ok(Handled::applied(replies))
    }

    /// What follows a committed step: the search index re-reads changed units and the alert
    /// scheduler wakes up. Failures are logged: the step is recorded whatever happens here.
    pub(crate) async fn after_step(&self, applied: &AppliedStep) {
        if let Err(error) = self.refresh_index(&applied.changed_units).await {
            tracing::error!(%error, "the place index was not refreshed; it is on next start");
        }
        if applied.status_changed {
            self.changed.notify_waiters();
        }
    }

    /// Runs a job a step left for after its commit (a report, a CSV import); a failure is
    /// logged and answered with an apology. A report's file is `file`: the kind the chat's
    /// channel takes.
    pub async fn run_job(&self, chat: &ChatKey, lang: Lang, job: Job, file: ReportFile) -> Reply {
        match self.after_commit(chat, lang, job, file).await {
            Ok(reply) => reply,
            Err(error) => {
                tracing::error!(?error, "a job after the step failed");
                notices::internal_error(&self.texts, lang)
            }
        }
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

    /// Rebuilds the place index, when it is in use, if the place tree changed since it was
    /// read: by `import units`, `units reorganize` or another replica.
    pub async fn reload_index_if_units_changed(&self) -> Result<bool, StorageError> {
        match self.index.get() {
            Some(index) => index.reload_if_changed(&self.store).await,
            None => Ok(false),
        }
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

    /// The language of a chat, read inside `tx`.
    pub(crate) async fn lang_in(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
    ) -> Result<Lang, StorageError> {
        Ok(load_session(tx, chat).await?.lang)
    }

    /// The file the chat's question asks for now, read inside `tx` (after the chat's earlier
    /// steps in it): only such a file is downloaded.
    pub(crate) async fn expected_file_in(
        &self,
        tx: &mut Tx<'_>,
        chat: &ChatKey,
    ) -> Result<Option<crate::conversation::ExpectedFile>, StorageError> {
        let session = load_session(tx, chat).await?;
        Ok(crate::conversation::expected_file(&session.state))
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// The language a chat speaks (for texts sent outside a conversation turn). One read,
    /// without a transaction: the sender asks for it per message on some channels.
    pub async fn session(&self, chat: &ChatKey) -> Result<Session, EngineError> {
        Ok(self.store.session(chat.channel.as_str(), &chat.id).await?)
    }
}

/// The built-in decision template: part of the binary, and read by its own test
/// (`domain::decision_template`), so it cannot fail here but on a broken build.
fn built_in_template() -> DecisionTemplate {
    match DecisionTemplate::default_template() {
        Ok(template) => template,
        Err(error) => unreachable!("the built-in decision template: {error}"),
    }
}
