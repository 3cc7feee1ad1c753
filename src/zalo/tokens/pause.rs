//! Pausing Zalo sending when Zalo refuses the refresh token or the Official Account itself,
//! and the notice each admin chat gets about it.

use super::{not_now, Tokens};
use crate::conversation::Reply;
use crate::i18n::{Html, K};
use crate::storage::zalo_tokens::AdminNotice;
use crate::storage::StorageError;
use crate::zalo::TokenUnavailable;
#[cfg(doc)]
use crate::zalo::ACCOUNT_REFUSALS;

impl Tokens {
    /// Pauses sending because Zalo refused the refresh token `refused`, and tells the admin
    /// chats, once per pause. Not when an operator replaced the token meanwhile.
    pub(super) async fn pause(&self, refused: &str, reason: &str) -> TokenUnavailable {
        let notices = match self.notices(K::ZaloSendingPaused, reason).await {
            Ok(notices) => notices,
            Err(error) => return not_now(error),
        };
        let now = self.engine.now();
        let stored = self.engine.store();
        match stored
            .pause_zalo_sending(refused, reason, &notices, now)
            .await
        {
            Ok(true) => {
                self.metrics.zalo_sending_paused(true);
                tracing::error!(
                    reason,
                    admins = notices.len(),
                    "Zalo refused the token refresh: Zalo sending is paused until \
                     `cnscd zalo token set`"
                );
                TokenUnavailable::Paused(reason.to_owned())
            }
            // Paused already (this reads the pause), or the token was replaced meanwhile.
            Ok(false) => match self.read().await {
                Err(unavailable) => unavailable,
                Ok(_) => TokenUnavailable::NotNow("the Zalo refresh token was replaced".into()),
            },
            Err(error) => not_now(error),
        }
    }

    /// Pauses sending because Zalo answered `code` (one of [`ACCOUNT_REFUSALS`]) about the
    /// Official Account itself, and tells the admin chats, once per pause. Counted each time.
    pub(super) async fn pause_account(&self, code: i64) {
        self.metrics.zalo_account_refused(code);
        let reason =
            format!("Zalo error {code}: the Official Account's package, permissions or status");
        let notices = match self.notices(K::ZaloAccountRefused, &reason).await {
            Ok(notices) => notices,
            Err(error) => {
                not_now(error);
                return;
            }
        };
        let now = self.engine.now();
        match self
            .engine
            .store()
            .pause_zalo_account(&reason, &notices, now)
            .await
        {
            Ok(paused) => {
                self.metrics.zalo_sending_paused(true);
                if paused {
                    tracing::error!(
                        code,
                        admins = notices.len(),
                        "Zalo refused the Official Account: Zalo sending is paused until \
                         `cnscd zalo resume`"
                    );
                }
            }
            Err(error) => {
                not_now(error);
            }
        }
    }

    /// The message `key` to each admin chat, in its language.
    async fn notices(&self, key: K, reason: &str) -> Result<Vec<AdminNotice>, StorageError> {
        let mut notices = Vec::with_capacity(self.admin_chats.len());
        let mut tx = self.engine.store().pool().begin().await?;
        for chat in &self.admin_chats {
            let (channel, chat_id) = (chat.channel.as_str(), &chat.id);
            let lang = crate::storage::sessions::chat_lang(&mut tx, channel, chat_id).await?;
            let args = [("reason", Html::text(reason))];
            notices.push(AdminNotice {
                channel: channel.to_owned(),
                chat_id: chat_id.clone(),
                reply: Reply::text(self.engine.texts().fill(lang, key, &args)),
            });
        }
        tx.commit().await?;
        Ok(notices)
    }
}
