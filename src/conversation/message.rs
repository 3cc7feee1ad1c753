//! What passes between a channel and the core: incoming events, and replies with their
//! buttons and attachments.

use super::FileKind;
use crate::i18n::Html;

/// One thing a user did, as any channel can express it. Stored in the inbox as JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Incoming {
    /// Typed text, commands included (`/start abc`).
    Text(String),
    /// A button press; the payload is what [`Button::payload`] held.
    Button(String),
    /// A shared phone contact; `own` when it is the sender's own number.
    Contact {
        phone: String,
        own: bool,
    },
    File(FileUpload),
    /// A number the sender says is theirs through a form the channel does not tie to the
    /// sender (Zalo's share-info form: any number can be typed in it). It proves nothing: the
    /// engine turns it into the chat's own [`Incoming::Contact`] only once the head of a team
    /// listing it confirmed the chat.
    ClaimedNumber {
        phone: String,
    },
    /// Something the bot cannot read here (sticker, voice note, location…).
    Unsupported(UnsupportedKind),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileUpload {
    pub file_id: String,
    pub kind: FileKind,
    pub sha256: Option<String>,
    /// The file is kept in the files folder under its SHA-256 (the pipeline keeps a decision
    /// scan before the step reads it).
    #[serde(default)]
    pub kept: bool,
    /// The bytes of a small text file (a CSV of villages); adapters fill it for CSV files.
    #[serde(default, with = "crate::base64_bytes::option")]
    pub content: Option<Vec<u8>>,
    /// Larger than the question takes: not downloaded, and the chat told the limit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub too_large: bool,
    /// The download was tried (or the console read the file itself): what came of it is in
    /// the fields above, and nothing there means it failed or took too long. Never tried twice.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fetched: bool,
}

impl FileUpload {
    /// Whether the file is still only a channel's reference, nothing of it read yet: the
    /// pipeline downloads it when the chat's question asks for a file.
    pub fn awaits_download(&self) -> bool {
        !(self.fetched || self.kept || self.too_large || self.content.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnsupportedKind {
    Sticker,
    Voice,
    Location,
    Video,
    Other,
}

/// A message from the bot: markup text (see [`crate::i18n`]) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    pub text: Html,
    pub buttons: Vec<Vec<Button>>,
    /// Ask the user to share their own phone contact (Telegram shows a one-tap button).
    #[serde(default)]
    pub ask_contact: Option<String>,
    /// A PNG picture sent after the text (the QR code of an invitation, a chart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Attachment>,
    /// A file sent after the text (a report's spreadsheet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Attachment>,
    /// Numbers a channel may offer as tap-to-call buttons, as digits in the national form
    /// (`0912345678`): only the published numbers of a team card. A number that merely
    /// appears in the text (a question's example) is never one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub callable: Vec<String>,
    /// How many of the first buttons the text already lists, numbered 1, 2, … in that order
    /// (an official's list of villages): a channel that shows buttons as numbered options
    /// numbers only the rest, so the list is not written twice.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub listed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Reply {
    pub fn text(text: Html) -> Reply {
        Reply {
            text,
            buttons: Vec::new(),
            ask_contact: None,
            image: None,
            document: None,
            callable: Vec::new(),
            listed: 0,
        }
    }
}

/// The file a channel takes a report as: the core makes the one the chat's channel accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReportFile {
    /// A spreadsheet (XLSX): the summary sheets and every team and member.
    #[default]
    Spreadsheet,
    /// A Word document (DOCX): the summary and the table of units, for a channel that takes
    /// no spreadsheet (Zalo's file upload takes PDF, DOC and DOCX only).
    Document,
}

/// A file sent with a reply: a picture (an invitation's QR code, a chart) or a document
/// (a report's spreadsheet).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub file_name: String,
    #[serde(with = "crate::base64_bytes")]
    pub bytes: Vec<u8>,
    /// Shown under the picture or file, so it still says what it is when forwarded alone.
    pub caption: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Button {
    /// Plain text shown on the button.
    pub label: String,
    /// What comes back as [`Incoming::Button`] when it is pressed (at most 64 bytes).
    pub payload: String,
}
