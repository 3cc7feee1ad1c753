//! What a transcript says the user sees after each of their lines (over Zalo's Official
//! Account and over the Zalo Bot alike).

use super::Seen;

/// The answers a transcript shows after each user line, as plain text and labels.
pub(crate) fn expected(script: &str) -> Vec<(String, Vec<Seen>)> {
    let mut turns: Vec<(String, Vec<Seen>)> = Vec::new();
    for line in script.lines() {
        if let Some(said) = line.strip_prefix("> ") {
            turns.push((said.to_owned(), Vec::new()));
            continue;
        }
        let Some((_, replies)) = turns.last_mut() else {
            continue;
        };
        if let Some(text) = line.strip_prefix('<') {
            replies.push((text.trim_start().to_owned(), Vec::new()));
        } else if let Some(more) = line.strip_prefix('|') {
            if let Some((text, _)) = replies.last_mut() {
                text.push('\n');
                text.push_str(more.strip_prefix(' ').unwrap_or(more));
            }
        } else if let Some(row) = line.strip_prefix("  [") {
            if let Some((_, labels)) = replies.last_mut() {
                let row = format!("[{row}");
                labels.extend(
                    row.trim_start_matches('[')
                        .trim_end_matches(']')
                        .split("] [")
                        .map(str::to_owned),
                );
            }
        }
    }
    turns
        .into_iter()
        .map(|(said, replies)| {
            let plain = replies
                .into_iter()
                .map(|(text, labels)| (cnscd::i18n::to_plain(&text), labels))
                .collect();
            (said, plain)
        })
        .collect()
}
