//! How a user sees a message the OA sent: its text, its choices and their payloads.

use serde_json::Value;

/// A message's text and the labels of its answer buttons (template ones, or the numbered
/// options written in its text), as a user sees them.
pub fn shown(message: &Value) -> (String, Vec<String>) {
    let text = message["text"].as_str().unwrap_or_default().to_owned();
    let buttons: Vec<String> = message["attachment"]["payload"]["buttons"]
        .as_array()
        .map(|buttons| {
            buttons
                .iter()
                .filter(|b| b["type"] == "oa.query.hide")
                .filter_map(|b| b["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if !buttons.is_empty() {
        return (text, buttons);
    }
    // Numbered options: "1. Label" lines after a blank line, then the hint.
    if let Some((head, list)) = text.rsplit_once("\n\n") {
        let mut lines: Vec<&str> = list.lines().collect();
        // A list the text numbers itself (an official's villages) is followed by the hint
        // alone: its options are the text's own lines.
        if lines.len() == 1 && head.lines().last().is_some_and(|l| numbered(&l)) {
            return (head.to_owned(), Vec::new());
        }
        if lines.len() > 1 && lines[..lines.len() - 1].iter().all(numbered) {
            lines.pop();
            let labels = lines
                .iter()
                .filter_map(|l| l.split_once(". ").map(|(_, label)| label.to_owned()))
                .collect();
            return (head.to_owned(), labels);
        }
    }
    (text, Vec::new())
}

/// Whether `message` shows its choices as numbered options (a typed number presses one),
/// whether the text numbers them itself or they follow it: its last paragraph ends with the
/// hint, after numbered lines.
pub fn numbered_options(message: &Value) -> bool {
    if message["attachment"]["payload"]["buttons"].is_array() {
        return false;
    }
    let text = message["text"].as_str().unwrap_or_default();
    let Some((head, list)) = text.rsplit_once("\n\n") else {
        return false;
    };
    let lines: Vec<&str> = list.lines().collect();
    match lines.len() {
        0 => false,
        1 => head.lines().last().is_some_and(|l| numbered(&l)),
        n => lines[..n - 1].iter().all(numbered),
    }
}

/// `"3. Thôn Đông"` is a numbered option's line.
fn numbered(line: &&str) -> bool {
    line.split_once(". ")
        .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
}

/// The payload an `oa.query.hide` button labelled `label` sends back, if `message` has one.
pub fn payload_of(message: &Value, label: &str) -> Option<String> {
    message["attachment"]["payload"]["buttons"]
        .as_array()?
        .iter()
        .find(|b| b["type"] == "oa.query.hide" && b["title"] == label)
        .and_then(|b| b["payload"].as_str().map(str::to_owned))
}
