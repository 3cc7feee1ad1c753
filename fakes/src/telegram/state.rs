//! The fake's state: what is queued, stored and recorded, and what is scripted to fail.

use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    sync::{Mutex, MutexGuard},
};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

#[cfg(doc)]
use super::FakeTelegram;
use super::Recorded;

/// Message ids assigned to messages sent by the bot start here, so they are
/// easy to tell apart from the ids of incoming messages built by the helpers.
const FIRST_BOT_MESSAGE_ID: i64 = 100_000;
/// What Telegram delivers when `allowed_updates` was never specified.
const DEFAULT_EXCLUDED_UPDATES: [&str; 3] =
    ["chat_member", "message_reaction", "message_reaction_count"];

#[derive(Default)]
pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// Bumped after every state change; waiters re-check their condition.
    pub(super) changes: watch::Sender<u64>,
    /// While `true`, file downloads are held open without an answer (a slow link).
    pub(super) downloads_held: watch::Sender<bool>,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the original failure.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn notify(&self) {
        self.changes.send_modify(|generation| *generation += 1);
    }
}

pub(super) struct State {
    /// Updates not yet confirmed by a `getUpdates` offset, by `update_id`.
    pub(super) pending: Vec<Value>,
    /// Highest offset seen in `getUpdates`.
    pub(super) confirmed_offset: i64,
    /// Last `allowed_updates` sent by the bot (Telegram remembers it).
    pub(super) allowed_updates: Option<Vec<String>>,
    pub(super) files: HashMap<String, StoredFile>,
    /// `file_path` -> `file_id`.
    pub(super) file_paths: HashMap<String, String>,
    /// File downloads asked for (`GET /file/...`), held ones included.
    pub(super) downloads: usize,
    pub(super) requests: Vec<Recorded>,
    pub(super) blocked: HashSet<i64>,
    /// Chats answered 429: `(retry_after seconds, sends left to refuse)`.
    pub(super) rate_limited: HashMap<i64, (u32, usize)>,
    pub(super) failures: HashMap<String, VecDeque<(u16, String)>>,
    /// Messages sent by the bot, by `(chat_id, message_id)`, for edits.
    pub(super) messages: BTreeMap<(i64, i64), Value>,
    pub(super) next_message_id: i64,
    /// Highest `update_id` queued or handed out, for [`FakeTelegram::push_update_with`].
    pub(super) last_update_id: i64,
    /// Whether calls and sent messages are kept; off for benchmarks (see
    /// [`FakeTelegram::start_unrecorded`]).
    pub(super) recording: bool,
    /// Where to signal each message the bot sends to a chat ([`FakeTelegram::listen`]).
    pub(super) listeners: HashMap<i64, mpsc::UnboundedSender<()>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            pending: Vec::new(),
            confirmed_offset: 0,
            allowed_updates: None,
            files: HashMap::new(),
            file_paths: HashMap::new(),
            downloads: 0,
            requests: Vec::new(),
            blocked: HashSet::new(),
            rate_limited: HashMap::new(),
            failures: HashMap::new(),
            messages: BTreeMap::new(),
            next_message_id: FIRST_BOT_MESSAGE_ID,
            last_update_id: 0,
            recording: true,
            listeners: HashMap::new(),
        }
    }
}

pub(super) struct StoredFile {
    pub(super) path: String,
    pub(super) bytes: Vec<u8>,
}

impl State {
    pub(super) fn add_file(&mut self, file_id: &str, bytes: Vec<u8>) {
        let path = match self.files.get(file_id) {
            Some(existing) => existing.path.clone(),
            None => format!("files/file_{}", self.files.len()),
        };
        self.file_paths.insert(path.clone(), file_id.to_owned());
        self.files
            .insert(file_id.to_owned(), StoredFile { path, bytes });
    }

    /// Applies a `getUpdates` offset: Telegram forgets updates below it; a
    /// negative offset keeps only the last `-offset` updates.
    pub(super) fn confirm(&mut self, offset: i64) {
        if offset >= 0 {
            self.pending
                .retain(|u| u["update_id"].as_i64().is_some_and(|id| id >= offset));
            self.confirmed_offset = self.confirmed_offset.max(offset);
        } else {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            let drop = self.pending.len().saturating_sub(keep);
            self.pending.drain(..drop);
        }
    }

    /// Drops pending updates of kinds the bot did not ask for, like Telegram,
    /// which never stores them.
    pub(super) fn drop_disallowed_updates(&mut self) {
        let allowed = self.allowed_updates.clone();
        self.pending.retain(|update| {
            let kind = update_kind(update);
            let keep = match &allowed {
                Some(allowed) if !allowed.is_empty() => allowed.contains(&kind),
                _ => !DEFAULT_EXCLUDED_UPDATES.contains(&kind.as_str()),
            };
            if !keep {
                eprintln!(
                    "fake Telegram: dropping update {} of kind `{kind}`: \
                     not in allowed_updates {allowed:?}",
                    update["update_id"]
                );
            }
            keep
        });
    }

    /// Queues an update for `getUpdates`, in `update_id` order.
    pub(super) fn queue(&mut self, update: Value) {
        let id = update["update_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("fake Telegram: update without update_id: {update}"));
        assert!(
            id >= self.confirmed_offset,
            "fake Telegram: update_id {id} is below the confirmed offset {}; \
             the bot would never receive it",
            self.confirmed_offset
        );
        assert!(
            self.pending
                .iter()
                .all(|u| u["update_id"] != update["update_id"]),
            "fake Telegram: update_id {id} is already queued"
        );
        let at = self
            .pending
            .partition_point(|u| u["update_id"].as_i64() < Some(id));
        self.pending.insert(at, update);
        self.last_update_id = self.last_update_id.max(id);
    }

    /// An `update_id` above every id queued, handed out or confirmed so far.
    pub(super) fn new_update_id(&mut self) -> i64 {
        let id = (self.last_update_id + 1).max(self.confirmed_offset);
        self.last_update_id = id;
        id
    }

    pub(super) fn take_failure(&mut self, method: &str) -> Option<(u16, String)> {
        self.failures
            .get_mut(&method.to_ascii_lowercase())?
            .pop_front()
    }

    pub(super) fn new_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }
}

pub(super) fn calls_of(state: &State, method: &str) -> Vec<Recorded> {
    state
        .requests
        .iter()
        .filter(|r| r.method.eq_ignore_ascii_case(method))
        .cloned()
        .collect()
}

pub(super) fn sent_messages_of(state: &State) -> Vec<Value> {
    state
        .requests
        .iter()
        .filter(|r| r.method.eq_ignore_ascii_case("sendMessage") && r.succeeded())
        .map(|r| r.body.clone())
        .collect()
}

/// The kind of an update: its only key besides `update_id`.
fn update_kind(update: &Value) -> String {
    update
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "update_id").cloned())
        .unwrap_or_default()
}
