//! The Zalo Bot as the pipeline's [`Channel`]: texts with numbered options, pictures by
//! `sendPhoto` with a signed link, files as a signed link in a message, pictures users send
//! fetched from Zalo's CDN; Zalo's answers read as [`SendError`]s.

use std::time::Duration;

use futures::future::BoxFuture;

use super::api::{ApiError, ZaloBotApi};
use super::links::{FileLinks, LinkError, DOCUMENT_LIFETIME, PICTURE_LIFETIME};
use super::{render, CHANNEL};
use crate::chat::{ChannelName, ChatKey};
use crate::conversation::Choices;
use crate::conversation::{Attachment, Reply};
use crate::engine::Engine;
use crate::i18n::{to_plain, Lang, K};
use crate::pipeline::{Channel, FetchError, Fetched, SendError};
use crate::zalo::files::ZaloFiles;

/// How long a chat waits when Zalo says the bot sends too fast and gives no figure.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// The Zalo Bot as a [`Channel`].
pub struct ZaloBotChannel {
    api: ZaloBotApi,
    engine: Engine,
    links: FileLinks,
    files: ZaloFiles,
}

impl ZaloBotChannel {
    pub fn new(
        api: ZaloBotApi,
        engine: Engine,
        links: FileLinks,
        api_url: &url::Url,
    ) -> ZaloBotChannel {
        ZaloBotChannel {
            api,
            engine,
            links,
            // Zalo's CDNs over https, or the configured API's own origin (the tests' fake).
            files: ZaloFiles::new(api_url),
        }
    }

    /// The chat's language, for the hint the channel adds after a list of options.
    async fn lang(&self, chat_id: &str) -> Lang {
        let chat = ChatKey::new(CHANNEL, chat_id.to_owned());
        match self.engine.session(&chat).await {
            Ok(session) => session.lang,
            Err(_) => Lang::default(),
        }
    }

    async fn send_part(&self, chat_id: &str, part: &Reply) -> Result<(), SendError> {
        if let Some(image) = &part.image {
            return self.send_picture(chat_id, image).await;
        }
        if let Some(document) = &part.document {
            return self.send_document(chat_id, document).await;
        }
        let lang = match part.buttons.is_empty() {
            true => Lang::default(),
            false => self.lang(chat_id).await,
        };
        let hint = to_plain(self.engine.texts().get(lang, K::ZaloChoiceHint).as_str());
        for text in render::text_messages(part, &hint) {
            if text.trim().is_empty() {
                continue;
            }
            self.api
                .send_message(chat_id, &text)
                .await
                .map_err(send_error)?;
        }
        Ok(())
    }

    async fn send_picture(&self, chat_id: &str, image: &Attachment) -> Result<(), SendError> {
        let caption = image.caption.as_deref().map(to_plain);
        let link = self
            .links
            .keep(&image.file_name, &image.bytes, PICTURE_LIFETIME)
            .await
            .map_err(link_error)?;
        self.api
            .send_photo(chat_id, &link, caption.as_deref())
            .await
            .map_err(send_error)
    }

    async fn send_document(&self, chat_id: &str, document: &Attachment) -> Result<(), SendError> {
        let link = self
            .links
            .keep(&document.file_name, &document.bytes, DOCUMENT_LIFETIME)
            .await
            .map_err(link_error)?;
        let title = match &document.caption {
            Some(caption) => to_plain(caption),
            None => document.file_name.clone(),
        };
        let text = format!("{title}\n📎 {link}");
        self.api
            .send_message(chat_id, &text)
            .await
            .map_err(send_error)
    }
}

impl Channel for ZaloBotChannel {
    fn name(&self) -> ChannelName {
        CHANNEL
    }

    fn send<'a>(
        &'a self,
        chat_id: &'a str,
        part: &'a Reply,
    ) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(self.send_part(chat_id, part))
    }

    fn fetch<'a>(
        &'a self,
        file_id: &'a str,
        max_bytes: u64,
        keep: bool,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        Box::pin(self.files.download(file_id, max_bytes, keep))
    }

    /// The bot has no buttons: every chat remembers its last question's choices (even none),
    /// so a typed number or label presses one.
    fn choices(&self, replies: &[Reply]) -> Option<Choices> {
        Some(render::choices(replies))
    }
}

/// What the pipeline does about a failed call: 429 waits, a blocked or unknown chat is not
/// written to again, a 5xx or no answer is tried again, any other refusal gives the message
/// up.
pub fn send_error(error: ApiError) -> SendError {
    match error {
        ApiError::Refused { code: 429, .. } => SendError::RetryAfter(RATE_LIMIT_WAIT),
        ApiError::Refused {
            code, description, ..
        } if code == 403 || unreachable(&description) => {
            tracing::info!(code, "Zalo Bot cannot reach a chat");
            SendError::Unreachable("blocked or unknown chat")
        }
        ApiError::Refused { code, .. } if code >= 500 => {
            SendError::Transient(format!("zalo bot error {code}"))
        }
        ApiError::Refused { method, code, .. } => {
            tracing::warn!(code, method, "Zalo Bot refused a message");
            SendError::Refused(format!("zalo bot error {code}"))
        }
        ApiError::Network { method, why } => SendError::Transient(format!("{method}: {why}")),
    }
}

/// Whether Zalo's description says the chat cannot be reached (Zalo gives no code of its
/// own for it: read like Telegram's "bot was blocked", "chat not found").
fn unreachable(description: &str) -> bool {
    let description = description.to_ascii_lowercase();
    ["blocked", "not found", "not exist"]
        .iter()
        .any(|phrase| description.contains(phrase))
}

fn link_error(error: LinkError) -> SendError {
    match error {
        LinkError::NoPublicUrl => SendError::Refused(error.to_string()),
        other => SendError::Transient(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: i64, description: &str) -> ApiError {
        ApiError::Refused {
            method: "sendMessage",
            code,
            description: description.into(),
        }
    }

    #[test]
    fn zalo_bots_answers_are_read_as_what_the_pipeline_does() {
        assert_eq!(
            send_error(refused(429, "Too many requests")),
            SendError::RetryAfter(RATE_LIMIT_WAIT)
        );
        assert!(matches!(
            send_error(refused(403, "Forbidden")),
            SendError::Unreachable(_)
        ));
        assert!(matches!(
            send_error(refused(400, "Chat not found")),
            SendError::Unreachable(_)
        ));
        assert!(matches!(
            send_error(refused(502, "Bad gateway")),
            SendError::Transient(_)
        ));
        assert!(matches!(
            send_error(refused(400, "Bad request: text is too long")),
            SendError::Refused(_)
        ));
        let network = ApiError::Network {
            method: "sendMessage",
            why: "timeout".into(),
        };
        assert!(matches!(send_error(network), SendError::Transient(_)));
    }
}
