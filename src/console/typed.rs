//! What a typed line means: a button pressed, a file (`/file PATH`), a contact
//! (`/contact PHONE`) or plain text.

use std::path::Path;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWrite;

use super::{Console, ConsoleError};
use crate::conversation::{FileKind, FileUpload, Incoming, VILLAGES_FILE_MAX_BYTES};
use crate::i18n::K;

impl<W: AsyncWrite + Unpin> Console<'_, W> {
    /// What a typed line means; `None` when it was handled here (a file that cannot be read).
    pub(super) async fn read(&mut self, line: &str) -> Result<Option<Incoming>, ConsoleError> {
        if let Some(path) = command_argument(line, "/file") {
            return match read_file(Path::new(path), self.engine.store()).await {
                Some(upload) => Ok(Some(Incoming::File(upload))),
                None => {
                    self.say(K::ConsoleFileMissing).await?;
                    Ok(None)
                }
            };
        }
        if let Some(phone) = command_argument(line, "/contact") {
            return Ok(Some(Incoming::Contact {
                phone: phone.to_owned(),
                own: true,
            }));
        }
        Ok(Some(self.choices.read(Incoming::Text(line.to_owned()))))
    }
}

/// `"/file a.pdf"` → `Some("a.pdf")`; `"/file"` → `Some("")`; `"/filex"` → `None`.
fn command_argument<'l>(line: &'l str, command: &str) -> Option<&'l str> {
    let rest = line.strip_prefix(command)?;
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        Some(rest.trim())
    } else {
        None
    }
}

/// The upload of a local file, identified by its SHA-256; `None` when it cannot be read. A
/// photo or PDF is kept in the store's files folder, as the pipeline keeps a scan sent in a
/// chat.
async fn read_file(path: &Path, store: &crate::storage::Store) -> Option<FileUpload> {
    if path.as_os_str().is_empty() {
        return None;
    }
    let bytes = tokio::fs::read(path).await.ok()?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let kind = match extension.as_deref() {
        Some("pdf") => FileKind::Pdf,
        Some("jpg" | "jpeg" | "png") => FileKind::Photo,
        _ => FileKind::Other,
    };
    // A village list (CSV or spreadsheet) travels with its content, as on Telegram.
    let village_list = matches!(extension.as_deref(), Some("csv" | "xlsx" | "txt" | "tsv"));
    let too_large = bytes.len() as u64 > VILLAGES_FILE_MAX_BYTES;
    let content = (village_list && !too_large).then(|| bytes.clone());
    let kept = match kind {
        FileKind::Other => false,
        FileKind::Photo | FileKind::Pdf => match store.keep_scan(bytes).await {
            Ok(kept) => kept.is_some(),
            Err(error) => {
                tracing::error!(%error, "scan not kept");
                false
            }
        },
    };
    Some(FileUpload {
        file_id: format!("console:{sha256}"),
        kind,
        sha256: Some(sha256),
        kept,
        content,
        too_large: village_list && too_large,
        // Read here: the pipeline has nothing to download.
        fetched: true,
    })
}
