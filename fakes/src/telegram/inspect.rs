//! What the bot did, as the fake saw it: the calls, the messages sent, and waiting for them.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::state::{calls_of, sent_messages_of, State};
use super::{FakeTelegram, Recorded};

impl FakeTelegram {
    /// Every Bot API call so far (including the `getUpdates` polling), in
    /// arrival order (`getUpdates` is recorded when it is answered).
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Every call of `method` so far (method names are case-insensitive).
    pub fn calls(&self, method: &str) -> Vec<Recorded> {
        calls_of(&self.shared.lock(), method)
    }

    /// Bodies of the successful `sendMessage` calls, in order. Calls rejected
    /// by [`block_chat`](Self::block_chat) or [`fail_next`](Self::fail_next)
    /// are not included (they are in [`requests`](Self::requests)).
    pub fn sent_messages(&self) -> Vec<Value> {
        sent_messages_of(&self.shared.lock())
    }

    /// Texts of the messages successfully sent to `chat_id`, in order.
    pub fn sent_texts(&self, chat_id: i64) -> Vec<String> {
        self.sent_messages()
            .iter()
            .filter(|m| m["chat_id"].as_i64() == Some(chat_id))
            .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits until at least `n` messages were sent (see
    /// [`sent_messages`](Self::sent_messages)) and returns all of them.
    /// Panics after `timeout`, listing what was received.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<Value> {
        let found = self
            .wait_until(timeout, |state| {
                let sent = sent_messages_of(state);
                (sent.len() >= n).then_some(sent)
            })
            .await;
        found.unwrap_or_else(|| {
            panic!(
                "fake Telegram: expected at least {n} sent message(s) within {timeout:?}, \
                 got {}.\n{}",
                self.sent_messages().len(),
                self.describe_requests()
            )
        })
    }

    /// Waits for the first call of `method` and returns it.
    pub async fn wait_for_method(&self, method: &str, timeout: Duration) -> Recorded {
        let mut calls = self.wait_for_calls(method, 1, timeout).await;
        calls.swap_remove(0)
    }

    /// Waits until `method` was called at least `n` times; returns all calls.
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Recorded> {
        let found = self
            .wait_until(timeout, |state| {
                let calls = calls_of(state, method);
                (calls.len() >= n).then_some(calls)
            })
            .await;
        found.unwrap_or_else(|| {
            panic!(
                "fake Telegram: expected at least {n} `{method}` call(s) within {timeout:?}.\n{}",
                self.describe_requests()
            )
        })
    }

    /// True once `getUpdates` was called with an offset above every pushed
    /// update, i.e. the bot has received (not necessarily finished handling)
    /// all of them.
    pub fn updates_consumed(&self) -> bool {
        self.shared.lock().pending.is_empty()
    }

    /// Waits until [`updates_consumed`](Self::updates_consumed); panics after
    /// `timeout`.
    pub async fn wait_until_consumed(&self, timeout: Duration) {
        let done = self
            .wait_until(timeout, |state| state.pending.is_empty().then_some(()))
            .await;
        if done.is_none() {
            let pending = self.shared.lock().pending.clone();
            panic!(
                "fake Telegram: updates not consumed within {timeout:?}: {}",
                Value::Array(pending)
            );
        }
    }

    /// Human-readable list of the calls so far (without `getUpdates` noise),
    /// for assertion messages.
    pub fn describe_requests(&self) -> String {
        let state = self.shared.lock();
        let lines: Vec<String> = state
            .requests
            .iter()
            .filter(|r| !r.method.eq_ignore_ascii_case("getUpdates"))
            .map(|r| {
                let outcome = if r.succeeded() { "ok" } else { "FAILED" };
                format!("  {} [{outcome}] {}", r.method, r.body)
            })
            .collect();
        format!(
            "Bot API calls (excluding getUpdates):\n{}",
            lines.join("\n")
        )
    }

    /// Re-evaluates `check` after every state change until it returns `Some`
    /// or `timeout` passes.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        // Subscribe before checking so that no change is missed in between.
        let mut changes = self.shared.changes.subscribe();
        loop {
            if let Some(found) = check(&self.shared.lock()) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                _ => return check(&self.shared.lock()),
            }
        }
    }
}
