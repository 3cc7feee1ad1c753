//! The current question of a chat, asked again without a step: read-only.

use super::context::{account_view, load_session};
use super::{Engine, EngineError};
use crate::chat::ChatKey;
use crate::clock::vietnam_date;
use crate::conversation::{self, Context, Incoming, Reply};
use crate::storage::StorageError;

impl Engine {
    /// What `chat`'s dialogue is waiting for, with its buttons (see
    /// [`conversation::current_question`]); nothing is written. The menu when no dialogue is
    /// open.
    pub async fn current_question(&self, chat: &ChatKey) -> Result<Vec<Reply>, EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let session = load_session(&mut tx, chat).await?;
        let mut ctx = Context {
            texts: &self.texts,
            rules: &self.rules,
            today: vietnam_date(now),
            account: account_view(&mut tx, chat, now).await?,
            team: None,
            invitation: None,
            memberships: Vec::new(),
            answers: Vec::new(),
            bot_username: self.bot_username_for(chat),
            last_activity: None,
            logged_count: 0,
            help: None,
            step_key: String::new(),
        };
        // The context a plain text would get: no invitation, no contact.
        let nothing = Incoming::Text(String::new());
        self.load_context(&mut tx, &session, &nothing, &mut ctx, now)
            .await?;
        tx.rollback().await.map_err(StorageError::from)?;
        Ok(conversation::current_question(&session, &ctx))
    }
}
