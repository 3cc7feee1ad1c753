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
        let numbered = |line: &&str| {
            line.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        };
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

/// The payload an `oa.query.hide` button labelled `label` sends back, if `message` has one.
pub fn payload_of(message: &Value, label: &str) -> Option<String> {
    message["attachment"]["payload"]["buttons"]
        .as_array()?
        .iter()
        .find(|b| b["type"] == "oa.query.hide" && b["title"] == label)
        .and_then(|b| b["payload"].as_str().map(str::to_owned))
}
