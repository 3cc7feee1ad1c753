//! Tests of reading Zalo webhook events into incoming messages.

use super::*;

fn incoming(json: &str) -> (String, Option<String>, Incoming) {
    match translate(json.as_bytes()).expect("reads") {
        Translated::Event(event) => (
            event.chat_id,
            event.update_id,
            serde_json::from_str(&event.body).expect("an incoming"),
        ),
        other => panic!("not an event: {other:?}"),
    }
}

#[test]
fn a_text_message_is_text_from_the_sender_with_its_message_id() {
    let (chat, id, incoming) = incoming(
        r#"{"app_id":"1","event_name":"user_send_text","timestamp":"1700000000000",
                "sender":{"id":"2468"},"recipient":{"id":"1357"},
                "message":{"msg_id":"96d3cdf3af150460909","text":"Xin chào"}}"#,
    );
    assert_eq!(chat, "2468");
    assert_eq!(id.as_deref(), Some("m:96d3cdf3af150460909"));
    assert_eq!(incoming, Incoming::Text("Xin chào".into()));
}

#[test]
fn a_buttons_payload_coming_back_as_text_is_a_button_press() {
    let json = format!(
        r#"{{"event_name":"user_send_text","timestamp":1,"sender":{{"id":1}},
                "message":{{"msg_id":"x","text":"{PAYLOAD_PREFIX}3:vx"}}}}"#
    );
    let (chat, _, incoming) = incoming(&json);
    assert_eq!(chat, "1", "a numeric id is kept as a string");
    assert_eq!(incoming, Incoming::Button("3:vx".into()));
}

#[test]
fn pictures_and_pdfs_are_files_kept_by_their_url() {
    let (_, _, image) = incoming(
        r#"{"event_name":"user_send_image","timestamp":"1","sender":{"id":"9"},
                "message":{"msg_id":"a","attachments":[{"type":"image",
                "payload":{"thumbnail":"https://z/t.jpg","url":"https://z/full.jpg"}}]}}"#,
    );
    let Incoming::File(file) = image else {
        panic!("a file")
    };
    assert_eq!(
        (file.file_id.as_str(), file.kind),
        ("https://z/full.jpg", FileKind::Photo)
    );
    let (_, _, pdf) = incoming(
        r#"{"event_name":"user_send_file","timestamp":"1","sender":{"id":"9"},
                "message":{"msg_id":"b","attachments":[{"type":"file",
                "payload":{"url":"https://z/qd.pdf","name":"QĐ 12.pdf","size":"2048","type":"pdf"}}]}}"#,
    );
    assert!(matches!(
        pdf,
        Incoming::File(FileUpload {
            kind: FileKind::Pdf,
            ..
        })
    ));
}

#[test]
fn stickers_voice_video_and_locations_are_stray_input() {
    for (event, kind) in [
        ("user_send_sticker", UnsupportedKind::Sticker),
        ("user_send_gif", UnsupportedKind::Sticker),
        ("user_send_audio", UnsupportedKind::Voice),
        ("user_send_video", UnsupportedKind::Video),
        ("user_send_location", UnsupportedKind::Location),
        ("user_send_business_card", UnsupportedKind::Other),
    ] {
        let json = format!(
            r#"{{"event_name":"{event}","timestamp":"1","sender":{{"id":"9"}},
                    "message":{{"msg_id":"s","attachments":[{{"type":"x","payload":{{}}}}]}}}}"#
        );
        assert_eq!(incoming(&json).2, Incoming::Unsupported(kind), "{event}");
    }
}

#[test]
fn a_pasted_link_is_read_as_the_text_it_carries() {
    let (_, _, link) = incoming(
        r#"{"event_name":"user_send_link","timestamp":"1","sender":{"id":"9"},
                "message":{"msg_id":"l","text":"https://zalo.me/s/thon-dong-son",
                "attachments":[{"type":"link","payload":{"url":"https://zalo.me/s/thon-dong-son",
                "description":"Thôn Đông Sơn","thumbnail":"https://z/t.jpg"}}]}}"#,
    );
    assert_eq!(
        link,
        Incoming::Text("https://zalo.me/s/thon-dong-son".into())
    );
    let (_, _, bare) = incoming(
        r#"{"event_name":"user_send_link","timestamp":"1","sender":{"id":"9"},
                "message":{"msg_id":"m","attachments":[{"type":"link",
                "payload":{"url":"https://example.vn/a"}}]}}"#,
    );
    assert_eq!(bare, Incoming::Text("https://example.vn/a".into()));
}

#[test]
fn whatever_is_said_in_a_group_chat_is_ignored() {
    for event in [
        "user_send_group_text",
        "user_send_group_image",
        "user_send_group_link",
        "user_send_group_sticker",
    ] {
        let json = format!(
            r#"{{"event_name":"{event}","timestamp":"1","sender":{{"id":"9"}},
                    "recipient":{{"id":"g-1"}},"message":{{"msg_id":"g","text":"/thon",
                    "attachments":[{{"type":"x","payload":{{"url":"https://z/a.jpg"}}}}]}}}}"#
        );
        assert_eq!(
            translate(json.as_bytes()).expect("reads"),
            Translated::Ignored,
            "{event}"
        );
    }
}

#[test]
fn following_says_start_and_unfollowing_marks_the_chat() {
    let (chat, _, start) =
        incoming(r#"{"event_name":"follow","timestamp":"5","oa_id":"1","follower":{"id":"77"}}"#);
    assert_eq!(
        (chat.as_str(), start),
        ("77", Incoming::Text("/start".into()))
    );
    let gone = translate(
        br#"{"event_name":"unfollow","timestamp":"6","oa_id":"1","follower":{"id":"77"}}"#,
    )
    .expect("reads");
    assert_eq!(
        gone,
        Translated::Unfollowed {
            chat_id: "77".into()
        }
    );
}

#[test]
fn shared_info_is_a_number_the_user_claims_not_a_proven_contact() {
    let (_, id, contact) = incoming(
        r#"{"event_name":"user_submit_info","timestamp":"8","sender":{"id":"5"},
                "info":{"name":"Lan","phone":"84912345678","address":"Thôn Đông"}}"#,
    );
    assert_eq!(id.as_deref(), Some("info:5:8"));
    assert_eq!(
        contact,
        Incoming::ClaimedNumber {
            phone: "84912345678".into(),
        }
    );
}

#[test]
fn echoes_of_the_oas_own_messages_are_ignored() {
    let echo = br#"{"event_name":"oa_send_text","timestamp":"1","sender":{"id":"1"},
            "recipient":{"id":"9"},"message":{"msg_id":"e","text":"Xin chao"}}"#;
    assert_eq!(translate(echo).expect("reads"), Translated::Ignored);
}
