//! The files a step expects, downloaded before the round's transaction (and only those: a
//! resident's 20 MB PDF is never fetched). A decision scan is kept in the store's files
//! folder (a chat channel's link may stop working); a village list travels in the event.

use super::{Worker, MAX_CSV_BYTES, MAX_SCAN_BYTES};
use crate::conversation::{expected_file, ExpectedFile, Incoming};
use crate::engine::ChatKey;
use crate::storage::inbox::PendingEvent;

impl Worker {
    /// The events as the core reads them, with the files a step expects downloaded first
    /// (outside any transaction, and only then: a resident's 20 MB PDF is never fetched).
    pub(super) async fn prepare(&self, events: &[PendingEvent]) -> Vec<Option<Incoming>> {
        let mut prepared = Vec::with_capacity(events.len());
        for event in events {
            let incoming: Option<Incoming> = match serde_json::from_str(&event.body) {
                Ok(incoming) => Some(incoming),
                Err(error) => {
                    tracing::error!(%error, id = event.id, "unreadable inbox event");
                    None
                }
            };
            prepared.push(match incoming {
                Some(Incoming::File(file)) => Some(Incoming::File(self.fetch(event, file).await)),
                other => other,
            });
        }
        prepared
    }

    async fn fetch(
        &self,
        event: &PendingEvent,
        mut file: crate::conversation::FileUpload,
    ) -> crate::conversation::FileUpload {
        if file.kept || file.content.is_some() {
            return file;
        }
        let Some(channel) = self.channel(&event.channel) else {
            return file;
        };
        let chat = ChatKey::new(channel.name(), event.chat_id.clone());
        let expected = match self.engine.session(&chat).await {
            Ok(session) => expected_file(&session.state),
            Err(error) => {
                tracing::warn!(?error, "session unreadable; the file is not fetched");
                None
            }
        };
        let max = match expected {
            Some(ExpectedFile::DecisionScan)
                if file.kind != crate::conversation::FileKind::Other =>
            {
                MAX_SCAN_BYTES
            }
            Some(ExpectedFile::VillagesCsv) => MAX_CSV_BYTES,
            _ => return file,
        };
        match channel.fetch(&file.file_id, max, true).await {
            Ok(fetched) if expected == Some(ExpectedFile::VillagesCsv) => {
                file.content = fetched.bytes;
            }
            Ok(fetched) => {
                file.sha256 = Some(fetched.sha256);
                let bytes = fetched.bytes.unwrap_or_default();
                match self.engine.store().keep_scan(bytes).await {
                    Ok(Some(_)) => file.kept = true,
                    Ok(None) => tracing::warn!(id = event.id, "no files folder: scan not kept"),
                    Err(error) => tracing::error!(%error, id = event.id, "scan not kept"),
                }
            }
            Err(crate::pipeline::FetchError::TooLarge) => {
                tracing::info!(id = event.id, "file over the limit; not downloaded");
                file.kind = crate::conversation::FileKind::Other;
                file.too_large = true;
            }
            Err(error) => tracing::warn!(%error, id = event.id, "file not downloaded"),
        }
        file
    }
}
