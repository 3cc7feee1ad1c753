//! A reply's text and buttons as Zalo consultation messages. Buttons that answer become
//! `oa.query.hide` buttons whose payload Zalo sends back as the user's text (read back by
//! [`super::event`] into the very button press Telegram would send, revision included);
//! more than the template holds become numbered options in the text (after a list the text
//! numbers already, only the buttons it does not list). The numbers the core marks callable
//! (a team card's published ones) become tap-to-call buttons when there is room.

use serde_json::{json, Value};

use super::MAX_TEXT_CHARS;
use crate::conversation::Choices;
use crate::conversation::{Button, Reply};
use crate::domain::PhoneNumber;
use crate::pipeline::plain_text::{https_links, plain, split};

/// What starts a button's payload when it comes back as text; nobody types it by chance.
pub const PAYLOAD_PREFIX: &str = "#cnscd:";

/// The most buttons one Zalo message carries.
pub const MAX_TEMPLATE_BUTTONS: usize = 5;

/// Zalo cuts button titles longer than this.
const MAX_TITLE_CHARS: usize = 100;

/// The buttons of `reply`, flattened in the order they are shown.
fn buttons(reply: &Reply) -> Vec<&Button> {
    reply.buttons.iter().flatten().collect()
}

/// Whether `reply`'s buttons are shown as numbered options (too many for the template).
pub fn numbered(reply: &Reply) -> bool {
    buttons(reply).len() > MAX_TEMPLATE_BUTTONS
}

/// What a chat must remember of a step's replies: the buttons of the last reply that has
/// any (the question asked last), numbered if they were shown so.
pub fn choices(replies: &[Reply]) -> Choices {
    match replies.iter().rev().find(|r| !r.buttons.is_empty()) {
        Some(reply) => Choices::of(std::slice::from_ref(reply), numbered(reply)),
        None => Choices::default(),
    }
}

/// The `message` objects of `reply`'s text and buttons, in sending order. `hint` ends a
/// numbered list ("type a number…").
pub fn text_messages(reply: &Reply, hint: &str) -> Vec<Value> {
    let mut text = plain(reply.text.as_str());
    let shown = buttons(reply);
    let mut template: Vec<Value> = Vec::new();
    if numbered(reply) {
        // The first `listed` buttons are the text's own numbered lines already: only the
        // rest are numbered here, after them.
        let listed = reply.listed.min(shown.len());
        let list: Vec<String> = shown
            .iter()
            .enumerate()
            .skip(listed)
            .map(|(i, b)| format!("{}. {}", i + 1, b.label))
            .collect();
        text = match list.is_empty() {
            true => format!("{}\n\n{hint}", text.trim_end()),
            false => format!("{}\n\n{}\n{hint}", text.trim_end(), list.join("\n")),
        };
    } else {
        template.extend(shown.iter().map(|b| {
            json!({
                "title": title(&b.label),
                "type": "oa.query.hide",
                "payload": format!("{PAYLOAD_PREFIX}{}", b.payload),
            })
        }));
    }
    // Only the numbers the core offers to call: a number in a question's example is not one.
    for phone in &reply.callable {
        if template.len() == MAX_TEMPLATE_BUTTONS {
            break;
        }
        template.push(json!({
            "title": format!("📞 {phone}"),
            "type": "oa.open.phone",
            "payload": { "phone_code": phone },
        }));
    }
    for url in https_links(reply.text.as_str()) {
        if template.len() == MAX_TEMPLATE_BUTTONS {
            break;
        }
        template.push(json!({
            "title": link_title(&url),
            "type": "oa.open.url",
            "payload": { "url": url },
        }));
    }
    let pieces = split(&text, MAX_TEXT_CHARS);
    let last = pieces.len() - 1;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            if i < last || template.is_empty() {
                json!({ "text": piece })
            } else {
                json!({
                    "text": piece,
                    "attachment": {
                        "type": "template",
                        "payload": { "buttons": template },
                    },
                })
            }
        })
        .collect()
}

/// The form Zalo shows for a user to share their name and phone (`user_submit_info`
/// answers it): Zalo's share-contact button.
pub fn request_info(title_text: &str, subtitle: &str, image_url: Option<&str>) -> Value {
    let mut element = json!({ "title": title(title_text), "subtitle": subtitle });
    if let Some(url) = image_url {
        element["image_url"] = Value::String(url.to_owned());
    }
    json!({
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "request_user_info",
                "elements": [element],
            },
        },
    })
}

fn title(text: &str) -> String {
    text.chars().take(MAX_TITLE_CHARS).collect()
}

/// A link to a person's Zalo (a member's Zalo number on a card) says whose; others show the
/// address itself.
fn link_title(url: &str) -> String {
    match url
        .strip_prefix("https://zalo.me/")
        .and_then(|number| PhoneNumber::parse(number).ok())
    {
        Some(number) => format!("💬 Zalo {}", number.national()),
        None => title(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn a_few_buttons_become_template_buttons_that_send_their_payload_back() {
        let messages = text_messages(&reply("Đồng ý <b>công khai</b>?", &["Có", "Không"]), "");
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0]["text"], "Đồng ý công khai?");
        let buttons = &messages[0]["attachment"]["payload"]["buttons"];
        assert_eq!(buttons[0]["type"], "oa.query.hide");
        assert_eq!(buttons[0]["payload"], format!("{PAYLOAD_PREFIX}4:b0"));
        assert_eq!(buttons[1]["title"], "Không");
    }

    #[test]
    fn a_members_zalo_link_becomes_a_button_that_opens_their_zalo() {
        let card = "• <b>Lê Văn Cường</b> — 0987 654 321 · Zalo: \
                    <a href=\"https://zalo.me/0977111222\">0977 111 222</a>";
        let messages = text_messages(&reply(card, &[]), "");
        let buttons = messages[0]["attachment"]["payload"]["buttons"]
            .as_array()
            .expect("buttons");
        let zalo = buttons
            .iter()
            .find(|b| b["type"] == "oa.open.url")
            .expect("a link button");
        assert_eq!(zalo["title"], "💬 Zalo 0977 111 222");
        assert_eq!(zalo["payload"]["url"], "https://zalo.me/0977111222");
        assert!(!messages[0]["text"].as_str().expect("text").contains("href"));
    }

    #[test]
    fn more_buttons_than_the_template_holds_become_numbered_options() {
        let labels = ["A", "B", "C", "D", "E", "F", "G"];
        let r = reply("Vai trò?", &labels);
        let messages = text_messages(&r, "(gõ số)");
        let text = messages[0]["text"].as_str().expect("text");
        assert!(
            text.contains("1. A\n2. B") && text.ends_with("7. G\n(gõ số)"),
            "{text}"
        );
        assert!(messages[0].get("attachment").is_none());
        let remembered = choices(std::slice::from_ref(&r));
        assert!(remembered.numbered);
        assert_eq!(remembered.buttons.len(), 7);
    }

    #[test]
    fn a_cards_callable_numbers_become_call_buttons() {
        let card = Reply {
            callable: vec!["0912345678".into()],
            ..reply("Tổ trưởng: An, 0912 345 678", &[])
        };
        let messages = text_messages(&card, "");
        let buttons = &messages[0]["attachment"]["payload"]["buttons"];
        assert_eq!(buttons[0]["type"], "oa.open.phone");
        assert_eq!(buttons[0]["title"], "📞 0912345678");
        assert_eq!(buttons[0]["payload"]["phone_code"], "0912345678");
    }

    #[test]
    fn a_number_in_a_questions_example_is_no_call_button() {
        let question = reply(
            "Số điện thoại di động? Ví dụ: 0912 345 678",
            &["« Quay lại"],
        );
        let messages = text_messages(&question, "");
        let buttons = messages[0]["attachment"]["payload"]["buttons"]
            .as_array()
            .expect("buttons");
        assert!(
            buttons.iter().all(|b| b["type"] != "oa.open.phone"),
            "{buttons:?}"
        );
    }

    #[test]
    fn a_list_the_text_numbers_already_is_numbered_once() {
        let villages: Vec<String> = (1..=40).map(|i| format!("{i}. Thôn số {i}")).collect();
        let mut labels: Vec<&str> = villages.iter().map(String::as_str).collect();
        labels.push("➕ Thêm thôn");
        let text = format!(
            "40 thôn:\n{}",
            (1..=40)
                .map(|i| format!("{i}. Thôn số {i} — chưa có tổ"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let list = Reply {
            listed: 40,
            ..reply(&text, &labels)
        };
        let messages = text_messages(&list, "(gõ số)");
        assert_eq!(messages.len(), 1, "one message under Zalo's limit");
        let shown = messages[0]["text"].as_str().expect("text");
        assert_eq!(shown.matches("Thôn số 7").count(), 1, "{shown}");
        assert!(!shown.contains("1. 1."), "{shown}");
        assert!(shown.ends_with("\n\n41. ➕ Thêm thôn\n(gõ số)"), "{shown}");
        assert!(choices(std::slice::from_ref(&list)).numbered);
    }

    #[test]
    fn the_share_info_form_shows_the_configured_picture() {
        let form = request_info(
            "Chia sẻ số điện thoại",
            "Bấm vào đây",
            Some("https://x/y.png"),
        );
        let element = &form["attachment"]["payload"]["elements"][0];
        assert_eq!(
            form["attachment"]["payload"]["template_type"],
            "request_user_info"
        );
        assert_eq!(element["image_url"], "https://x/y.png");
        let bare = request_info("Chia sẻ", "Bấm", None);
        assert!(bare["attachment"]["payload"]["elements"][0]
            .get("image_url")
            .is_none());
    }

    #[test]
    fn a_long_text_carries_its_buttons_on_its_last_piece() {
        let long = vec!["Dòng chữ dài."; 400].join("\n");
        let messages = text_messages(&reply(&long, &["Xong"]), "");
        assert!(messages.len() > 1);
        assert!(messages[0].get("attachment").is_none());
        assert!(messages.last().expect("last")["attachment"].is_object());
    }
}
