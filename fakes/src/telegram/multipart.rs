//! Minimal multipart/form-data parsing (axum's `multipart` feature is not enabled in this
//! crate). Good enough for what reqwest produces.

use serde_json::{Map, Value};

use super::UploadedFile;

/// Free-text multipart fields that must stay strings even if they look like
/// JSON (a caption "42" is not a number).
const TEXT_FIELDS: [&str; 6] = [
    "text",
    "caption",
    "parse_mode",
    "title",
    "question",
    "emoji",
];

pub(super) fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let (_, boundary) = content_type.split_once("boundary=")?;
    let boundary = boundary.split(';').next()?.trim().trim_matches('"');
    Some(boundary.to_owned())
}

pub(super) fn parse_multipart(body: &[u8], boundary: &str) -> (Value, Vec<UploadedFile>) {
    let mut fields = Map::new();
    let mut files = Vec::new();
    // Every delimiter is preceded by CRLF, except the first one; prepend one
    // so that splitting on "\r\n--boundary" leaves exact part contents.
    let body = [b"\r\n".as_slice(), body].concat();
    let delimiter = format!("\r\n--{boundary}");
    // The first chunk is the (empty) preamble.
    for part in split_bytes(&body, delimiter.as_bytes()).skip(1) {
        if part.starts_with(b"--") {
            break; // closing delimiter
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(header_end) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..header_end]);
        let content = &part[header_end + 4..];
        let Some(name) = disposition_param(&headers, "name") else {
            continue;
        };
        let file_name = disposition_param(&headers, "filename");
        // Uploads carry a filename (possibly empty); plain fields do not.
        if file_name.is_some() {
            files.push(UploadedFile {
                part_name: name,
                file_name,
                bytes: content.to_vec(),
            });
        } else {
            let text = String::from_utf8_lossy(content).into_owned();
            let value = multipart_value(&name, text);
            fields.insert(name, value);
        }
    }
    (Value::Object(fields), files)
}

fn multipart_value(name: &str, text: String) -> Value {
    if !TEXT_FIELDS.contains(&name) {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            if !value.is_string() && !value.is_null() {
                return value;
            }
        }
    }
    Value::String(text)
}

/// Reads `key="value"` from a `Content-Disposition` header (reqwest escapes
/// `\` and `"` with backslashes).
fn disposition_param(headers: &str, key: &str) -> Option<String> {
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let needle = format!("; {key}=\"");
    let start = line.find(&needle)? + needle.len();
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.extend(chars.next()),
            '"' => return Some(value),
            c => value.push(c),
        }
    }
    None
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut rest: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match find_bytes(rest, delimiter) {
            Some(at) => {
                let chunk = &rest[..at];
                rest = &rest[at + delimiter.len()..];
                Some(chunk)
            }
            None => {
                done = true;
                Some(rest)
            }
        }
    })
}
