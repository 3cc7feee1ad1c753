//! The download stage: the files steps expect are fetched beside the worker, never in its
//! way. A chat whose file is downloading waits (its event stays pending in the inbox, and its
//! later events behind it); every other chat goes on in the next rounds.
//!
//! Bounded three ways: a few downloads at once over all chats (one per chat: its later events
//! wait), each within the size its question takes, and within a time after which it is given
//! up. What came of a download is written into the event's stored body (the file marked
//! [`FileUpload::fetched`]), then the worker is woken: the event is applied like any other,
//! once. A crash before that write loses nothing: the event is still pending as it arrived,
//! and its file is fetched again.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use crate::chat::ChatKey;
use crate::conversation::{ExpectedFile, FileKind, FileUpload, Incoming};
use crate::pipeline::{Channel, FetchError};
use crate::storage::Store;

/// How many files are downloaded at once, and for how long at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadLimits {
    /// Downloads at once, all chats together (a chat has one at most).
    pub concurrent: usize,
    /// A download that takes longer is given up, and the chat is told the file was not
    /// received (as when its link no longer works).
    pub timeout: Duration,
}

impl Default for DownloadLimits {
    fn default() -> DownloadLimits {
        DownloadLimits {
            concurrent: 4,
            // 20 MB over a slow mobile link; a link that stalls longer is not coming back.
            timeout: Duration::from_secs(60),
        }
    }
}

/// One file to fetch: the event it came in, and what the chat's question takes.
pub(super) struct Download {
    pub event_id: i64,
    pub chat: ChatKey,
    pub channel: Arc<dyn Channel>,
    pub file: FileUpload,
    pub expected: ExpectedFile,
    pub max_bytes: u64,
}

/// The downloads in flight. Cheap to clone; dropped with the last clone (the worker stopping),
/// they are abandoned: their events are still pending and fetched again on the next start.
#[derive(Clone)]
pub(super) struct Downloads {
    shared: Arc<Shared>,
    tasks: Arc<Mutex<JoinSet<()>>>,
}

struct Shared {
    store: Store,
    timeout: Duration,
    permits: Semaphore,
    /// Chats with a download in flight: their events wait.
    busy: Mutex<HashSet<ChatKey>>,
    /// The worker, woken when a download's result is written.
    wake: Arc<Notify>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Downloads {
    pub(super) fn new(store: Store, limits: DownloadLimits, wake: Arc<Notify>) -> Downloads {
        Downloads {
            shared: Arc::new(Shared {
                store,
                timeout: limits.timeout,
                permits: Semaphore::new(limits.concurrent.max(1)),
                busy: Mutex::new(HashSet::new()),
                wake,
            }),
            tasks: Arc::new(Mutex::new(JoinSet::new())),
        }
    }

    /// The chats whose file is downloading: their events wait.
    pub(super) fn busy_chats(&self) -> HashSet<ChatKey> {
        locked(&self.shared.busy).clone()
    }

    /// Starts fetching, unless the chat has a download in flight already.
    pub(super) fn start(&self, download: Download) {
        if !locked(&self.shared.busy).insert(download.chat.clone()) {
            return;
        }
        let shared = Arc::clone(&self.shared);
        let mut tasks = locked(&self.tasks);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(shared.run(download));
    }
}

impl Shared {
    async fn run(self: Arc<Self>, download: Download) {
        let chat = download.chat.clone();
        let id = download.event_id;
        let file = self.fetch(download).await;
        match serde_json::to_string(&Incoming::File(file)) {
            Ok(body) => match self.store.set_fetched_body(id, &body).await {
                Ok(true) => {}
                Ok(false) => tracing::info!(id, "the event was applied or erased meanwhile"),
                // The event stays as it arrived: its file is fetched again.
                Err(error) => tracing::error!(%error, id, "download not recorded"),
            },
            Err(error) => tracing::error!(%error, id, "download not recorded"),
        }
        // Only now: a round that finds the chat free reads the event as written above.
        locked(&self.busy).remove(&chat);
        self.wake.notify_one();
    }

    /// The file as the step reads it: a scan kept in the files folder, a village list with
    /// its bytes, or nothing of it when it was too large, unavailable or too slow.
    async fn fetch(&self, download: Download) -> FileUpload {
        let Download {
            event_id: id,
            channel,
            mut file,
            expected,
            max_bytes,
            ..
        } = download;
        // Never closed: acquiring only waits.
        let _permit = self.permits.acquire().await;
        let fetching = channel.fetch(&file.file_id, max_bytes, true);
        match tokio::time::timeout(self.timeout, fetching).await {
            Ok(Ok(fetched)) if expected == ExpectedFile::VillagesCsv => {
                file.content = fetched.bytes;
            }
            Ok(Ok(fetched)) => {
                file.sha256 = Some(fetched.sha256);
                let bytes = fetched.bytes.unwrap_or_default();
                match self.store.keep_scan(bytes).await {
                    Ok(Some(_)) => file.kept = true,
                    Ok(None) => tracing::warn!(id, "no files folder: scan not kept"),
                    Err(error) => tracing::error!(%error, id, "scan not kept"),
                }
            }
            Ok(Err(FetchError::TooLarge)) => {
                tracing::info!(id, "file over the limit; not downloaded");
                file.kind = FileKind::Other;
                file.too_large = true;
            }
            Ok(Err(error)) => tracing::warn!(%error, id, "file not downloaded"),
            Err(_) => tracing::warn!(
                id,
                timeout = ?self.timeout,
                "file download given up: it took too long"
            ),
        }
        file.fetched = true;
        file
    }
}
