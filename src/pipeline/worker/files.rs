//! Which files are downloaded: only one the chat's question asks for, decided when its event
//! is about to be applied, from the state the chat's earlier steps left in the round's
//! transaction (a batch of photos where one scan is expected: the first is fetched, the
//! question moves on, the others are answered without being fetched). A resident's 20 MB
//! PDF is never fetched.

use std::sync::Arc;

use super::downloads::Download;
use super::{Worker, MAX_CSV_BYTES, MAX_SCAN_BYTES};
use crate::conversation::{ExpectedFile, FileKind, Incoming};
use crate::storage::inbox::PendingEvent;
use crate::storage::{StorageError, Tx};

impl Worker {
    /// The events as the core reads them.
    pub(super) fn parse(events: &[PendingEvent]) -> Vec<Option<Incoming>> {
        events
            .iter()
            .map(|event| match serde_json::from_str(&event.body) {
                Ok(incoming) => Some(incoming),
                Err(error) => {
                    tracing::error!(%error, id = event.id, "unreadable inbox event");
                    None
                }
            })
            .collect()
    }

    /// The download an event must wait for: a file not fetched yet, of the kind the chat's
    /// question (read in `tx`, after the chat's earlier steps) asks for. `None`: the event
    /// is applied as it is.
    pub(super) async fn download_for(
        &self,
        tx: &mut Tx<'_>,
        event: &PendingEvent,
        incoming: Option<&Incoming>,
    ) -> Result<Option<Download>, StorageError> {
        let Some(Incoming::File(file)) = incoming else {
            return Ok(None);
        };
        let Some(channel) = self
            .channel(event.channel)
            .filter(|_| file.awaits_download())
        else {
            return Ok(None);
        };
        let chat = event.chat();
        let (expected, max_bytes) = match self.engine.expected_file_in(tx, &chat).await? {
            Some(ExpectedFile::DecisionScan) if file.kind != FileKind::Other => {
                (ExpectedFile::DecisionScan, MAX_SCAN_BYTES)
            }
            Some(ExpectedFile::VillagesCsv) => (ExpectedFile::VillagesCsv, MAX_CSV_BYTES),
            _ => return Ok(None),
        };
        Ok(Some(Download {
            event_id: event.id,
            chat: chat.clone(),
            channel: Arc::clone(channel),
            file: file.clone(),
            expected,
            max_bytes,
        }))
    }
}
