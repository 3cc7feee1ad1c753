//! A Telegram update as an inbox event: private messages and button presses, read without
//! any network call (files are fetched later, and only when a step expects one). Groups and
//! channels get no answer (the bot is for one person at a time); service messages (a pinned
//! message, a chat photo…) need none.

use teloxide::dispatching::{DpHandlerDescription, UpdateFilterExt};
use teloxide::prelude::*;
use teloxide::types::{FileMeta, MessageKind};

use super::CHANNEL;
use crate::conversation::{FileKind, FileUpload, Incoming, UnsupportedKind};
use crate::storage::inbox::NewEvent;

/// The Bot API does not let bots download larger files.
const MAX_DOWNLOAD_BYTES: u32 = 20 * 1024 * 1024;

/// What an update asks of the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Translated {
    pub event: NewEvent,
    /// A button press, answered (so it stops spinning) once the event is recorded.
    pub callback_id: Option<String>,
}

type Translator = dptree::Handler<'static, Option<Translated>, DpHandlerDescription>;

/// Which updates become events (dptree, as the rest of teloxide's world routes updates).
pub(super) fn translator() -> Translator {
    dptree::entry()
        .branch(
            Update::filter_message()
                .filter(|msg: Message| msg.chat.is_private())
                .endpoint(|update: Update, msg: Message| async move { message(&update, &msg) }),
        )
        .branch(
            Update::filter_callback_query().endpoint(
                |update: Update, query: CallbackQuery| async move { button(&update, query) },
            ),
        )
}

/// The event of `update`, if it is one the bot answers.
pub(super) async fn translate(translator: &Translator, update: Update) -> Option<Translated> {
    let id = update.id.0;
    match translator.dispatch(dptree::deps![update]).await {
        std::ops::ControlFlow::Break(translated) => translated,
        std::ops::ControlFlow::Continue(_) => {
            // Never log the update itself: it holds names and phone numbers.
            tracing::debug!(update = id, "update ignored");
            None
        }
    }
}

fn event(update: &Update, chat: ChatId, incoming: &Incoming) -> Option<NewEvent> {
    let body = match serde_json::to_string(incoming) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "an update could not be written as an event");
            return None;
        }
    };
    Some(NewEvent {
        channel: CHANNEL,
        chat_id: chat.0.to_string(),
        update_id: Some(update.id.0.to_string()),
        body,
    })
}

fn message(update: &Update, msg: &Message) -> Option<Translated> {
    let incoming = read(msg)?;
    Some(Translated {
        event: event(update, msg.chat.id, &incoming)?,
        callback_id: None,
    })
}

fn button(update: &Update, query: CallbackQuery) -> Option<Translated> {
    let chat = query.message.as_ref().map(|m| m.chat());
    let (Some(chat), Some(data)) = (chat.filter(|c| c.is_private()), query.data) else {
        tracing::debug!("button press outside a private chat ignored");
        return None;
    };
    Some(Translated {
        event: event(update, chat.id, &Incoming::Button(data))?,
        callback_id: Some(query.id.0.clone()),
    })
}

/// What the user sent; `None` for service messages.
fn read(msg: &Message) -> Option<Incoming> {
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
        Incoming::File(file(&largest.file, FileKind::Photo))
    } else if let Some(document) = msg.document() {
        let is_pdf = document
            .mime_type
            .as_ref()
            .is_some_and(|mime| mime.essence_str() == "application/pdf");
        let kind = if is_pdf {
            FileKind::Pdf
        } else {
            FileKind::Other
        };
        Incoming::File(file(&document.file, kind))
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

/// A file, not downloaded; one too large for bots to download counts as "another kind of
/// file". (teloxide reads a missing size as u32::MAX: unknown, so it may still be tried.)
fn file(meta: &FileMeta, kind: FileKind) -> FileUpload {
    let too_large = meta.size > MAX_DOWNLOAD_BYTES && meta.size != u32::MAX;
    if too_large {
        tracing::info!(size = meta.size, "file too large to download");
    }
    FileUpload {
        file_id: meta.id.0.clone(),
        kind: if too_large { FileKind::Other } else { kind },
        sha256: None,
        kept: false,
        content: None,
        too_large,
        fetched: false,
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
