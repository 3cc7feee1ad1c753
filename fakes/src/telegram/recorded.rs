//! What the fake keeps of every call, for tests to assert on.

use serde_json::{json, Value};

/// One Bot API call received by the fake.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Method name as sent by teloxide, e.g. `sendMessage`.
    pub method: String,
    /// The JSON body. For multipart requests: an object of the text fields,
    /// where values that look like JSON numbers, booleans, objects or arrays
    /// are decoded (teloxide sends `chat_id`, `reply_markup`, ... that way)
    /// except for free-text fields such as `text` and `caption`.
    pub body: Value,
    /// File parts of a multipart request (see [`Recorded::attachment`]).
    pub files: Vec<UploadedFile>,
    /// The full JSON envelope the fake answered with
    /// (`{"ok":true,"result":...}` or `{"ok":false,...}`).
    pub response: Value,
}

impl Recorded {
    /// Whether the fake answered with `"ok": true`.
    pub fn succeeded(&self) -> bool {
        self.response["ok"] == json!(true)
    }

    /// The `result` of a successful call (e.g. the `Message` the bot got back).
    pub fn result(&self) -> &Value {
        &self.response["result"]
    }

    pub fn chat_id(&self) -> Option<i64> {
        self.body.get("chat_id")?.as_i64()
    }

    pub fn text(&self) -> Option<&str> {
        self.body.get("text")?.as_str()
    }

    /// The uploaded file referenced by `field` (which holds `attach://<id>`).
    pub fn attachment(&self, field: &str) -> Option<&UploadedFile> {
        let id = self.body.get(field)?.as_str()?.strip_prefix("attach://")?;
        self.files.iter().find(|file| file.part_name == id)
    }
}

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// Name of the multipart part (the random id used in `attach://<id>`).
    pub part_name: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}
