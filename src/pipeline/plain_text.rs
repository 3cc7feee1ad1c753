//! Replies for channels that draw no markup (Zalo's Official Account and Bot, where a raw
//! tag must never show) and cap a message's length: plain text, long texts cut at line
//! boundaries.

use crate::i18n::to_plain;

/// The markup of a reply as plain text: tags dropped, entities read.
pub fn plain(markup: &str) -> String {
    to_plain(&markup.replace("<br>", "\n").replace("<br/>", "\n"))
}

/// `text` in pieces of at most `max` characters, cut after a line where possible, else
/// after a space, else anywhere (a 10,000-character word still goes out).
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text.trim_end();
    while rest.chars().count() > max {
        let limit = rest
            .char_indices()
            .nth(max)
            .map_or(rest.len(), |(at, _)| at);
        let head = &rest[..limit];
        let cut = head
            .rfind('\n')
            .filter(|&at| at > 0)
            .or_else(|| head.rfind(' ').filter(|&at| at > 0))
            .unwrap_or(limit);
        pieces.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start_matches(['\n', ' ']);
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

/// The `https` links of a reply's markup (an invitation's link), once each, for channels
/// that show a link as text.
pub fn https_links(markup: &str) -> Vec<String> {
    let mut found = Vec::new();
    for part in markup.split("href=\"").skip(1) {
        if let Some(end) = part.find('"') {
            let url = part[..end].replace("&amp;", "&");
            if url.starts_with("https://") && !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zalo's cap, the one these pieces are cut for.
    const MAX_TEXT_CHARS: usize = 2000;

    #[test]
    fn markup_becomes_plain_text_without_a_single_tag() {
        assert_eq!(
            plain("Tổ <b>Thôn Đông</b> &amp; <i>Tây</i><br>Hết"),
            "Tổ Thôn Đông & Tây\nHết"
        );
    }

    #[test]
    fn a_long_text_is_cut_at_line_boundaries_within_the_limit() {
        let line = "Thành viên: Nguyễn Văn An, 0912 345 678";
        let text = vec![line; 100].join("\n");
        let pieces = split(&text, MAX_TEXT_CHARS);
        assert!(pieces.len() > 1);
        for piece in &pieces {
            assert!(piece.chars().count() <= MAX_TEXT_CHARS);
            assert!(piece.lines().all(|l| l == line), "cut inside a line");
        }
        assert_eq!(pieces.join("\n"), text);
    }

    #[test]
    fn a_single_huge_word_is_still_cut() {
        let text = "a".repeat(10_000);
        let pieces = split(&text, MAX_TEXT_CHARS);
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces.concat(), text);
    }
}
