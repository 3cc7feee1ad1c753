//! A reply's text as Zalo Bot messages: plain text (Zalo shows no markup), at most 2,000
//! characters each, cut at line breaks ([`crate::pipeline::plain_text`], as for Zalo OA). The
//! bot has no buttons: every choice is a numbered option, answered by typing its number or
//! its name (after a list the text numbers already, only the choices it does not list, as
//! Zalo OA numbers its options past five buttons); a link is written out after the text, a
//! number to call is in the text already (or written after it).

use crate::conversation::Choices;
use crate::conversation::Reply;
use crate::pipeline::plain_text::{https_links, plain, split};

/// Zalo Bot's limit on a message's text.
pub const MAX_TEXT_CHARS: usize = 2000;

/// What starts the line of a link written out after the text.
pub const LINK_MARK: &str = "🔗 ";
/// What starts the line of a number to call written out after the text.
pub const CALL_MARK: &str = "📞 ";

/// What a chat must remember of a step's replies: the buttons of the last reply that has
/// any (the question asked last), always numbered.
pub fn choices(replies: &[Reply]) -> Choices {
    match replies.iter().rev().find(|r| !r.buttons.is_empty()) {
        Some(reply) => Choices::of(std::slice::from_ref(reply), true),
        None => Choices::default(),
    }
}

/// The texts of `reply`, in sending order; `hint` ends a list of options.
pub fn text_messages(reply: &Reply, hint: &str) -> Vec<String> {
    let markup = reply.text.as_str();
    let mut text = plain(markup).trim_end().to_owned();
    let mut after: Vec<String> = Vec::new();
    for url in https_links(markup) {
        if !text.contains(&url) {
            after.push(format!("{LINK_MARK}{url}"));
        }
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    for phone in &reply.callable {
        if !digits.contains(phone.as_str()) {
            after.push(format!("{CALL_MARK}{phone}"));
        }
    }
    if !after.is_empty() {
        text = format!("{text}\n\n{}", after.join("\n"));
    }
    let buttons: Vec<_> = reply.buttons.iter().flatten().collect();
    if !buttons.is_empty() {
        let listed = reply.listed.min(buttons.len());
        let list: Vec<String> = buttons
            .iter()
            .enumerate()
            .skip(listed)
            .map(|(i, b)| format!("{}. {}", i + 1, b.label))
            .collect();
        text = match list.is_empty() {
            true => format!("{text}\n\n{hint}"),
            false => format!("{text}\n\n{}\n{hint}", list.join("\n")),
        };
    }
    split(&text, MAX_TEXT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Button;
    use crate::i18n::Html;

    fn reply(text: &str, labels: &[&str]) -> Reply {
        Reply {
            buttons: vec![labels
                .iter()
                .enumerate()
                .map(|(i, l)| Button {
                    label: (*l).into(),
                    payload: format!("4:b{i}"),
                })
                .collect()],
            ..Reply::text(Html::markup(text.to_owned()))
        }
    }

    #[test]
    fn every_button_becomes_a_numbered_option_even_two() {
        let messages = text_messages(
            &reply("Đồng ý <b>công khai</b>?", &["Có", "Không"]),
            "(gõ số)",
        );
        assert_eq!(messages, ["Đồng ý công khai?\n\n1. Có\n2. Không\n(gõ số)"]);
        let remembered = choices(&[reply("?", &["Có", "Không"])]);
        assert!(remembered.numbered);
        assert_eq!(remembered.buttons.len(), 2);
    }

    #[test]
    fn a_link_is_written_out_after_the_text() {
        let card = "Zalo: <a href=\"https://zalo.me/0977111222\">0977 111 222</a>";
        let messages = text_messages(&reply(card, &[]), "");
        assert_eq!(
            messages,
            ["Zalo: 0977 111 222\n\n🔗 https://zalo.me/0977111222"]
        );
    }

    #[test]
    fn a_number_to_call_is_written_only_when_the_text_lacks_it() {
        let card = Reply {
            callable: vec!["0912345678".into(), "0988000111".into()],
            ..reply("Tổ trưởng: An, 0912 345 678", &[])
        };
        let messages = text_messages(&card, "");
        assert_eq!(messages, ["Tổ trưởng: An, 0912 345 678\n\n📞 0988000111"]);
    }

    #[test]
    fn a_long_text_is_cut_into_messages_of_at_most_2000_characters() {
        let long = vec!["Dòng chữ dài."; 400].join("\n");
        let messages = text_messages(&reply(&long, &["Xong"]), "(gõ số)");
        assert!(messages.len() > 1);
        assert!(messages.iter().all(|m| m.chars().count() <= MAX_TEXT_CHARS));
        assert!(messages.last().expect("last").ends_with("1. Xong\n(gõ số)"));
    }
}
