//! Sending one part of a reply to a Zalo chat, fetching a file a user sent, and Zalo's
//! error codes read as the pipeline's [`SendError`]s.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::api::{ApiError, ZaloApi};
use super::{buttons, TokenUnavailable, ACCOUNT_REFUSALS, CHANNEL};
use crate::chat::{ChannelName, ChatKey};
use crate::conversation::Choices;
use crate::conversation::{Attachment, Reply, ReportFile};
use crate::engine::Engine;
use crate::i18n::{to_plain, Html, Lang, K};
use crate::pipeline::{Channel, FetchError, Fetched, SendError};

/// How long a chat waits when Zalo says the OA sends too fast (−32): Zalo gives no figure.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);
/// How long sending waits while a failed token refresh pauses it.
const PAUSED_WAIT: Duration = Duration::from_secs(5);
/// The documents Zalo's `upload/file` takes, by extension, and their largest size.
const FILE_EXTENSIONS: [&str; 3] = ["pdf", "doc", "docx"];
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A Zalo Official Account as a [`Channel`].
pub struct ZaloChannel {
    api: ZaloApi,
    engine: Engine,
    window: Duration,
    form_image_url: Option<String>,
}

impl ZaloChannel {
    /// `window`: how long after a user's last message Zalo lets the OA write to them.
    pub fn new(api: ZaloApi, engine: Engine, window: Duration) -> ZaloChannel {
        ZaloChannel {
            api,
            engine,
            window,
            form_image_url: None,
        }
    }

    /// The picture the share-your-phone form shows.
    pub fn with_form_image(mut self, url: Option<String>) -> ZaloChannel {
        self.form_image_url = url;
        self
    }

    /// The chat's language, for the few words the channel adds (the numbered options' hint).
    async fn lang(&self, chat_id: &str) -> Lang {
        let chat = ChatKey::new(CHANNEL, chat_id.to_owned());
        match self.engine.session(&chat).await {
            Ok(session) => session.lang,
            Err(_) => Lang::default(),
        }
    }

    fn text(&self, lang: Lang, key: K) -> String {
        to_plain(self.engine.texts().get(lang, key).as_str())
    }

    async fn send_part(&self, chat_id: &str, part: &Reply) -> Result<(), ApiError> {
        if let Some(image) = &part.image {
            return self.send_image(chat_id, image).await;
        }
        if let Some(document) = &part.document {
            return self.send_document(chat_id, document).await;
        }
        // The chat's language is read only for the words the channel adds itself.
        let lang = match buttons::numbered(part) || part.ask_contact.is_some() {
            true => self.lang(chat_id).await,
            false => Lang::default(),
        };
        let hint = self.text(lang, K::ZaloChoiceHint);
        for message in buttons::text_messages(part, &hint) {
            self.api.send_message(chat_id, &message).await?;
        }
        if let Some(label) = &part.ask_contact {
            let subtitle = self.text(lang, K::ZaloShareInfoSubtitle);
            let form = buttons::request_info(label, &subtitle, self.form_image_url.as_deref());
            self.api.send_message(chat_id, &form).await?;
        }
        Ok(())
    }

    async fn send_image(&self, chat_id: &str, image: &Attachment) -> Result<(), ApiError> {
        let id = self
            .api
            .upload_image(&image.file_name, &image.bytes)
            .await?;
        let mut message = json!({
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "media",
                    "elements": [{ "media_type": "image", "attachment_id": id }],
                },
            },
        });
        if let Some(caption) = &image.caption {
            message["text"] = Value::String(to_plain(caption));
        }
        self.api.send_message(chat_id, &message).await.map(drop)
    }

    /// Uploads a document and sends it; one Zalo does not take (its kind, its size) or
    /// refuses anyway is not given up in silence: the chat is told instead.
    async fn send_document(&self, chat_id: &str, document: &Attachment) -> Result<(), ApiError> {
        if !zalo_takes(document) {
            tracing::warn!(
                bytes = document.bytes.len(),
                "a file Zalo does not take was not uploaded; the chat is told"
            );
            return self.document_not_sent(chat_id, document).await;
        }
        let uploaded = self
            .api
            .upload_file(&document.file_name, &document.bytes)
            .await;
        let token = match uploaded {
            Ok(token) => token,
            Err(ApiError::Zalo(code))
                if matches!(send_error(ApiError::Zalo(code)), SendError::Refused(_)) =>
            {
                tracing::warn!(code, "Zalo refused a file upload; the chat is told");
                return self.document_not_sent(chat_id, document).await;
            }
            Err(error) => return Err(error),
        };
        if let Some(caption) = &document.caption {
            let text = json!({ "text": to_plain(caption) });
            self.api.send_message(chat_id, &text).await?;
        }
        let message = json!({ "attachment": { "type": "file", "payload": { "token": token } } });
        self.api.send_message(chat_id, &message).await.map(drop)
    }

    /// Tells the chat its file could not go through Zalo, and how else to get it.
    async fn document_not_sent(
        &self,
        chat_id: &str,
        document: &Attachment,
    ) -> Result<(), ApiError> {
        let lang = self.lang(chat_id).await;
        let args = [("file", Html::text(&document.file_name))];
        let notice = self.engine.texts().fill(lang, K::ZaloFileNotSent, &args);
        let message = json!({ "text": to_plain(notice.as_str()) });
        self.api.send_message(chat_id, &message).await.map(drop)
    }
}

/// Whether Zalo's `upload/file` takes `document`: a PDF, DOC or DOCX up to 5 MB.
fn zalo_takes(document: &Attachment) -> bool {
    let extension = document
        .file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    let known = extension.is_some_and(|e| FILE_EXTENSIONS.contains(&e.as_str()));
    known && !document.bytes.is_empty() && document.bytes.len() <= MAX_FILE_BYTES
}

impl Channel for ZaloChannel {
    fn name(&self) -> ChannelName {
        CHANNEL
    }

    fn send<'a>(
        &'a self,
        chat_id: &'a str,
        part: &'a Reply,
    ) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            match self.send_part(chat_id, part).await {
                Err(ApiError::Zalo(code)) if ACCOUNT_REFUSALS.contains(&code) => {
                    self.api.account_refused(code).await;
                    Err(send_error(ApiError::Zalo(code)))
                }
                sent => sent.map_err(send_error),
            }
        })
    }

    /// Zalo's upload takes no spreadsheet: a report comes as a Word document.
    fn report_file(&self) -> ReportFile {
        ReportFile::Document
    }

    fn fetch<'a>(
        &'a self,
        file_id: &'a str,
        max_bytes: u64,
        keep: bool,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        Box::pin(self.api.download(file_id, max_bytes, keep))
    }

    /// Zalo shows long button lists as numbered options: every chat remembers its last
    /// question's buttons (even none), so a typed number or label presses one.
    fn choices(&self, replies: &[Reply]) -> Option<Choices> {
        Some(buttons::choices(replies))
    }

    fn window(&self) -> Option<Duration> {
        Some(self.window)
    }
}

/// What the pipeline does about a failed call.
pub fn send_error(error: ApiError) -> SendError {
    match error {
        ApiError::Zalo(-32) => SendError::RetryAfter(RATE_LIMIT_WAIT),
        ApiError::Zalo(code @ (-230 | -232)) => held(code, "outside the interaction window"),
        ApiError::Zalo(code @ -213) => held(code, "the user does not follow the OA"),
        ApiError::Zalo(code @ (-217 | -227 | -244)) => held(code, "the user cannot be reached"),
        ApiError::Zalo(code @ -234) => held(code, "no messages at night"),
        // Still refused after a refresh (one made a moment ago, Zalo's clock…): the message
        // waits and is tried again, never given up for a token.
        ApiError::Zalo(code @ (-216 | -220)) => {
            SendError::Transient(format!("zalo error {code}: access token refused"))
        }
        // The Official Account itself is refused: sending is paused (see `send`), the
        // message waits for the resume.
        ApiError::Zalo(code) if ACCOUNT_REFUSALS.contains(&code) => {
            SendError::RetryAfter(PAUSED_WAIT)
        }
        ApiError::Zalo(code) => {
            tracing::warn!(code, "Zalo refused a message");
            SendError::Refused(format!("zalo error {code}"))
        }
        ApiError::Token(TokenUnavailable::Paused(_)) => SendError::RetryAfter(PAUSED_WAIT),
        ApiError::Token(TokenUnavailable::NotNow(_)) => {
            SendError::Transient("no access token yet".into())
        }
        ApiError::Network(kind) => SendError::Transient(kind.into()),
        ApiError::Unreadable(status) => SendError::Transient(format!("HTTP {status}")),
    }
}

fn held(code: i64, why: &str) -> SendError {
    SendError::Held(format!("zalo error {code}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zalos_codes_are_read_as_what_the_pipeline_does() {
        assert_eq!(
            send_error(ApiError::Zalo(-32)),
            SendError::RetryAfter(RATE_LIMIT_WAIT)
        );
        for code in [-230, -232, -213, -217, -227, -244, -234] {
            assert!(
                matches!(send_error(ApiError::Zalo(code)), SendError::Held(ref why) if why.contains(&code.to_string())),
                "{code}"
            );
        }
        assert!(matches!(
            send_error(ApiError::Zalo(-999)),
            SendError::Refused(_)
        ));
        for code in ACCOUNT_REFUSALS {
            assert_eq!(
                send_error(ApiError::Zalo(code)),
                SendError::RetryAfter(PAUSED_WAIT),
                "{code} waits for the resume, never given up"
            );
        }
        assert!(matches!(
            send_error(ApiError::Token(TokenUnavailable::Paused("refused".into()))),
            SendError::RetryAfter(_)
        ));
        assert!(matches!(
            send_error(ApiError::Network("timeout")),
            SendError::Transient(_)
        ));
    }

    #[test]
    fn zalo_takes_a_pdf_doc_or_docx_of_at_most_five_megabytes_and_nothing_else() {
        let file = |name: &str, size: usize| Attachment {
            file_name: name.into(),
            bytes: vec![b'x'; size],
            caption: None,
        };
        let cases = [
            ("bao-cao.docx", 1000, true),
            ("QD.PDF", 1000, true),
            ("old.doc", MAX_FILE_BYTES, true),
            ("bao-cao.docx", MAX_FILE_BYTES + 1, false),
            ("bao-cao.xlsx", 1000, false),
            ("danh-sach.csv", 1000, false),
            ("docx", 1000, false),
            ("empty.pdf", 0, false),
        ];
        for (name, size, taken) in cases {
            assert_eq!(
                zalo_takes(&file(name, size)),
                taken,
                "{name} of {size} bytes"
            );
        }
    }
}
