//! The kind-specific fields of the messages the bot sends (photo, document, voice, ...), and
//! the files it uploads, which become downloadable under a new `file_id`.

use serde_json::{json, Map, Value};

use super::state::State;
use super::updates::unique_id;
use super::UploadedFile;

impl State {
    /// The kind-specific fields of a message sent with `method`.
    pub(super) fn message_content(
        &mut self,
        method: &str,
        body: &Value,
        files: &[UploadedFile],
    ) -> Map<String, Value> {
        let mut content = Map::new();
        for field in ["text", "entities", "caption", "caption_entities"] {
            if let Some(value) = body.get(field) {
                content.insert(field.to_owned(), value.clone());
            }
        }
        match method {
            "sendphoto" => {
                let file_id = self.resolve_file(body, "photo", files);
                content.insert(
                    "photo".into(),
                    json!([{
                        "file_id": file_id,
                        "file_unique_id": unique_id(&file_id),
                        "file_size": self.file_size(&file_id),
                        "width": 1280,
                        "height": 960,
                    }]),
                );
            }
            "senddocument" => {
                let file_id = self.resolve_file(body, "document", files);
                let file_name =
                    attachment_of(body, "document", files).and_then(|f| f.file_name.clone());
                let mut document = json!({
                    "file_id": file_id,
                    "file_unique_id": unique_id(&file_id),
                    "file_size": self.file_size(&file_id),
                });
                if let Some(name) = file_name.filter(|n| !n.is_empty()) {
                    document["file_name"] = json!(name);
                }
                content.insert("document".into(), document);
            }
            "sendvoice" => {
                let file_id = self.resolve_file(body, "voice", files);
                content.insert(
                    "voice".into(),
                    json!({
                        "file_id": file_id,
                        "file_unique_id": unique_id(&file_id),
                        "file_size": self.file_size(&file_id),
                        "duration": body["duration"].as_u64().unwrap_or(1),
                        "mime_type": "audio/ogg",
                    }),
                );
            }
            "sendsticker" => {
                let file_id = self.resolve_file(body, "sticker", files);
                content.insert(
                    "sticker".into(),
                    json!({
                        "file_id": file_id,
                        "file_unique_id": unique_id(&file_id),
                        "file_size": self.file_size(&file_id),
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                    }),
                );
            }
            "sendlocation" => {
                content.insert(
                    "location".into(),
                    json!({ "latitude": body["latitude"], "longitude": body["longitude"] }),
                );
            }
            "sendcontact" => {
                let mut contact = json!({
                    "phone_number": body["phone_number"],
                    "first_name": body["first_name"],
                });
                if let Some(last_name) = body.get("last_name") {
                    contact["last_name"] = last_name.clone();
                }
                content.insert("contact".into(), contact);
            }
            // Other kinds come back without content; teloxide then parses the
            // message as `MessageKind::Empty`.
            _ => {}
        }
        content
    }

    /// The `file_id` for a file field: the given id, or for an upload a new
    /// id under which the uploaded bytes become downloadable.
    fn resolve_file(&mut self, body: &Value, field: &str, files: &[UploadedFile]) -> String {
        match attachment_of(body, field, files) {
            Some(upload) => {
                let file_id = format!("uploaded-{field}-{}", self.next_message_id);
                self.add_file(&file_id, upload.bytes.clone());
                file_id
            }
            None => body[field].as_str().unwrap_or_default().to_owned(),
        }
    }

    fn file_size(&self, file_id: &str) -> usize {
        self.files.get(file_id).map_or(1024, |f| f.bytes.len())
    }
}

fn attachment_of<'a>(
    body: &Value,
    field: &str,
    files: &'a [UploadedFile],
) -> Option<&'a UploadedFile> {
    let id = body[field].as_str()?.strip_prefix("attach://")?;
    files.iter().find(|f| f.part_name == id)
}
