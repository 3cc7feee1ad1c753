//! A Telegram message as the conversation core reads it. Photos and PDFs (the founding
//! decision) are downloaded once to record their SHA-256, so the stored file can be checked
//! later against what the head sent.

use sha2::{Digest, Sha256};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{FileMeta, MessageKind};

use crate::conversation::{FileKind, FileUpload, Incoming, UnsupportedKind};

/// The Bot API does not let bots download larger files.
const MAX_DOWNLOAD_BYTES: u32 = 20 * 1024 * 1024;
/// A village list of a whole commune is a few kilobytes.
const MAX_CSV_BYTES: u32 = 1024 * 1024;

/// A CSV file (village lists), by type or by name: spreadsheets send either.
fn is_csv(document: &teloxide::types::Document) -> bool {
    let by_type = document.mime_type.as_ref().is_some_and(|mime| {
        matches!(
            mime.essence_str(),
            "text/csv" | "text/comma-separated-values"
        )
    });
    let by_name = document
        .file_name
        .as_deref()
        .is_some_and(|n| n.to_lowercase().ends_with(".csv"));
    by_type || by_name
}

/// Downloads files. Holds the plain [`Bot`]: downloads are not rate-limited.
#[derive(Clone, Debug)]
pub(super) struct Files {
    bot: Bot,
}

impl Files {
    pub(super) fn new(bot: Bot) -> Files {
        Files { bot }
    }

    /// The hex SHA-256 of a file; `None` (logged) when it cannot be downloaded.
    async fn sha256(&self, meta: &FileMeta) -> Option<String> {
        let bytes = self.bytes(meta).await?;
        Some(hex::encode(Sha256::digest(&bytes)))
    }

    /// A file's content; `None` (logged) when it cannot be downloaded.
    async fn bytes(&self, meta: &FileMeta) -> Option<Vec<u8>> {
        let file = match self.bot.get_file(meta.id.clone()).await {
            Ok(file) => file,
            Err(error) => {
                tracing::warn!(%error, "getFile failed; the file is kept without its hash");
                return None;
            }
        };
        let mut bytes = Vec::new();
        if let Err(error) = self.bot.download_file(&file.path, &mut bytes).await {
            tracing::warn!(%error, "download failed; the file is kept without its hash");
            return None;
        }
        Some(bytes)
    }
}

/// What the user sent; `None` for service messages (a pinned message, a chat photo…), which
/// need no answer.
pub(super) async fn read(msg: &Message, files: &Files) -> Option<Incoming> {
    if !matches!(msg.kind, MessageKind::Common(_)) {
        return None;
    }
    let incoming = if let Some(text) = msg.text() {
        Incoming::Text(text.to_owned())
    } else if let Some(contact) = msg.contact() {
        let sender = msg.from.as_ref().map(|user| user.id);
        Incoming::Contact {
            phone: contact.phone_number.clone(),
            own: contact.user_id.is_some() && contact.user_id == sender,
        }
    } else if let Some(largest) = msg.photo().and_then(largest_photo) {
        Incoming::File(upload(files, &largest.file, FileKind::Photo).await)
    } else if let Some(document) = msg.document() {
        let is_pdf = document
            .mime_type
            .as_ref()
            .is_some_and(|mime| mime.essence_str() == "application/pdf");
        if is_pdf {
            Incoming::File(upload(files, &document.file, FileKind::Pdf).await)
        } else if is_csv(document) && document.file.size <= MAX_CSV_BYTES {
            let mut file = not_downloaded(&document.file);
            file.content = files.bytes(&document.file).await;
            Incoming::File(file)
        } else {
            Incoming::File(not_downloaded(&document.file))
        }
    } else {
        Incoming::Unsupported(unsupported_kind(msg))
    };
    Some(incoming)
}

fn largest_photo(sizes: &[teloxide::types::PhotoSize]) -> Option<&teloxide::types::PhotoSize> {
    sizes
        .iter()
        .max_by_key(|size| u64::from(size.width) * u64::from(size.height))
}

/// A photo or PDF with its hash; one too large to download counts as "another kind of file".
async fn upload(files: &Files, meta: &FileMeta, kind: FileKind) -> FileUpload {
    // teloxide reads a missing size as u32::MAX: unknown, so try (getFile refuses if too big).
    if meta.size > MAX_DOWNLOAD_BYTES && meta.size != u32::MAX {
        tracing::info!(size = meta.size, "file too large to download");
        return not_downloaded(meta);
    }
    FileUpload {
        file_id: meta.id.0.clone(),
        kind,
        sha256: files.sha256(meta).await,
        content: None,
    }
}

fn not_downloaded(meta: &FileMeta) -> FileUpload {
    FileUpload {
        file_id: meta.id.0.clone(),
        kind: FileKind::Other,
        sha256: None,
        content: None,
    }
}

fn unsupported_kind(msg: &Message) -> UnsupportedKind {
    if msg.sticker().is_some() {
        UnsupportedKind::Sticker
    } else if msg.voice().is_some() || msg.audio().is_some() {
        UnsupportedKind::Voice
    } else if msg.video().is_some() || msg.video_note().is_some() || msg.animation().is_some() {
        UnsupportedKind::Video
    } else if msg.location().is_some() || msg.venue().is_some() {
        UnsupportedKind::Location
    } else {
        // Polls, dice, games, stories…
        UnsupportedKind::Other
    }
}
