//! What the load benchmark needs beyond what the tests use: a server that keeps nothing,
//! update ids taken in order by many chats at once, and a signal per message a chat gets.

use serde_json::Value;
use tokio::sync::mpsc;

use super::FakeTelegram;

impl FakeTelegram {
    /// Like [`start`](Self::start), but keeps no calls and no sent messages:
    /// [`requests`](Self::requests) stays empty and the `wait_for_*` methods never see a
    /// message, so a long run costs neither more memory nor more time per call as it goes.
    /// Use [`listen`](Self::listen) to follow the bot's answers.
    pub async fn start_unrecorded() -> FakeTelegram {
        FakeTelegram::serve(false).await
    }

    /// Queues the update `make` builds for `getUpdates`, with a new `update_id` above every
    /// id so far. The id is taken under the same lock as the queueing, so that chats pushing
    /// at once keep the queue in id order, as Telegram's is (teloxide confirms the last id it
    /// got, and a lower id queued after that would never be delivered).
    pub fn push_update_with(&self, make: impl FnOnce(i64) -> Value) {
        let mut state = self.shared.lock();
        let id = state.new_update_id();
        state.queue(make(id));
        drop(state);
        self.shared.notify();
    }

    /// A new `update_id` above every id so far, for an update delivered some other way
    /// (e.g. POSTed to a webhook).
    pub fn next_update_id(&self) -> i64 {
        self.shared.lock().new_update_id()
    }

    /// Signals on the returned channel each message the bot sends to `chat` from now on
    /// (every successful `send*` that makes a message; one signal per message of an
    /// album). Listening again replaces the earlier listener.
    pub fn listen(&self, chat: i64) -> mpsc::UnboundedReceiver<()> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.lock().listeners.insert(chat, tx);
        rx
    }
}

#[cfg(test)]
mod tests {
    use teloxide::payloads::GetUpdatesSetters;
    use teloxide::prelude::*;

    use super::super::{text_update, DEFAULT_WAIT};
    use super::*;

    #[tokio::test]
    async fn an_unrecorded_fake_numbers_pushed_updates_and_signals_each_message_to_a_listener() {
        let tg = FakeTelegram::start_unrecorded().await;
        let bot = tg.bot();
        let mut answers = tg.listen(7);
        tg.push_update_with(|id| text_update(id, 7, "một"));
        let webhook_id = tg.next_update_id();
        tg.push_update_with(|id| text_update(id, 7, "hai"));

        let updates = bot.get_updates().timeout(1).await.unwrap();
        let ids: Vec<i64> = updates.iter().map(|u| i64::from(u.id.0)).collect();
        assert_eq!(ids, [1, 3], "ids in order, skipping the one handed out");
        assert_eq!(webhook_id, 2);

        bot.send_message(ChatId(7), "chào").await.unwrap();
        bot.send_message(ChatId(8), "not listened to")
            .await
            .unwrap();
        let signalled = tokio::time::timeout(DEFAULT_WAIT, answers.recv()).await;
        assert_eq!(signalled.unwrap(), Some(()));
        assert!(
            answers.try_recv().is_err(),
            "one signal per message to chat 7"
        );
        assert!(tg.requests().is_empty(), "nothing recorded");
    }
}
