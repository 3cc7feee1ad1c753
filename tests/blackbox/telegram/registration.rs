//! The registration dialogue as a village head lives it in the Telegram app.

use chrono::NaiveDate;
use cnscd::conversation::FileKind;
use cnscd::storage::TeamStatus;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::*;
use crate::support::fake_telegram::{document_update, inline_buttons, DEFAULT_WAIT};
use crate::support::telegram_app::{spawn_app, text_of, CHAT};

#[tokio::test]
async fn a_village_head_registers_a_whole_team_over_telegram() {
    // Arrange
    let mut app = spawn_app().await;
    let scan = b"%PDF-1.4 quyet dinh thanh lap to CNSCD".to_vec();
    app.tg.add_file("decision-pdf", scan.clone());

    // Act
    start_and_enter_the_leader(&mut app).await;
    app.say("Trần Thị Bình", ASK_ROLE).await;
    let roles = app.last_keyboard();
    assert!(
        roles.iter().any(|(label, data)| label == "Bí thư Chi đoàn"
            && data.ends_with(":role:youth_union_secretary")),
        "the role question has a button per role: {roles:?}"
    );
    app.press(
        "Bí thư Chi đoàn",
        "Số điện thoại di động của Trần Thị Bình?",
    )
    .await;
    app.say("0987.654.321", ASK_CONSENT).await;
    app.press("Đã ký giấy đồng ý", ASK_WORKPLACE).await;
    app.press("Bỏ qua", ASK_ADD_MORE).await;
    app.press("Thêm thành viên", "Thành viên thứ 2").await;
    enter_member(&mut app, &TEACHER).await;
    let review = app.press("Xong", REVIEW).await;
    app.press("Xác nhận", ASK_DECISION).await;
    app.press("Có, nhập quyết định", "Số quyết định?").await;
    app.say("125/QĐ-UBND", "Ngày ký quyết định").await;
    app.say("15/04/2022", ASK_DECISION_FILE).await;
    let pdf = document_update(app.id(), CHAT, "decision-pdf", "qd.pdf", "application/pdf");
    let saved = app.push(pdf, SAVED).await;

    // Assert: what the head saw
    let review = joined(&review);
    for expected in [
        "Nguyễn Văn An",
        "0912 345 678",
        "Trần Thị Bình",
        "Lê Văn Cường",
    ] {
        assert!(
            review.contains(expected),
            "review lacks {expected:?}: {review}"
        );
    }
    let saved = joined(&saved);
    assert!(
        saved.contains("125/QĐ-UBND") && saved.contains("15/04/2022"),
        "the saved team shows the decision: {saved}"
    );
    let sent = app.tg.sent_messages();
    assert!(
        sent.iter().all(|m| m["parse_mode"] == "HTML"),
        "every message is sent as HTML"
    );
    assert!(sent.iter().all(|m| m["chat_id"] == json!(CHAT)));
    assert_eq!(app.tg.calls("getFile")[0].body["file_id"], "decision-pdf");
    let answered = app.tg.calls("answerCallbackQuery").len();
    assert_eq!(answered, 10, "every button press is answered");

    // Assert: what was stored
    let team = app.team().await;
    assert_eq!(team.status, TeamStatus::Registered);
    let draft = &team.team;
    assert_eq!(
        draft.leader_name.as_ref().unwrap().as_str(),
        "Nguyễn Văn An"
    );
    assert_eq!(draft.leader_phone.as_ref().unwrap().e164(), "+84912345678");
    let phones: Vec<&str> = draft.members.iter().map(|m| m.phone.e164()).collect();
    assert_eq!(phones, ["+84987654321", "+84903123456"]);
    assert_eq!(draft.members[0].fields.named("workplace"), None, "skipped");
    assert_eq!(
        draft.members[1].fields.named("workplace"),
        Some(TEACHER.workplace)
    );
    let decision = &draft.decision;
    assert_eq!(decision.number.as_ref().unwrap().as_str(), "125/QĐ-UBND");
    assert_eq!(decision.date, NaiveDate::from_ymd_opt(2022, 4, 15));
    let file = decision.file.as_ref().expect("the scan is stored");
    assert_eq!(
        (file.file_id.as_str(), file.kind),
        ("decision-pdf", FileKind::Pdf)
    );
    let expected_hash = hex::encode(Sha256::digest(&scan));
    assert_eq!(file.sha256.as_deref(), Some(expected_hash.as_str()));
    // Kept beside the database, as on Zalo: the report's "scan received" needs no Telegram.
    assert!(file.kept, "the scan is kept");
    let kept = app
        .store
        .scan_path(&expected_hash)
        .expect("in the files folder");
    assert_eq!(std::fs::read(kept).expect("readable"), scan);
}

#[tokio::test]
async fn user_text_is_escaped_in_html() {
    // Arrange
    let mut app = spawn_app().await;
    start_and_enter_the_leader(&mut app).await;
    app.say("Trần Thị Bình", ASK_ROLE).await;
    app.press("Khác", "ghi rõ vai trò").await;
    app.say(
        "Y tế <thôn> & dân số",
        "Số điện thoại di động của Trần Thị Bình?",
    )
    .await;
    app.say("0987.654.321", ASK_CONSENT).await;
    app.press("Đã ký giấy đồng ý", ASK_WORKPLACE).await;
    app.say("Trường <THCS> & Mầm non", ASK_ADD_MORE).await;

    // Act
    let review = app.press("Xong", REVIEW).await;

    // Assert
    let card = review.last().expect("a review message");
    let text = text_of(card);
    assert_eq!(card["parse_mode"], "HTML");
    assert!(
        text.contains("Y tế &lt;thôn&gt; &amp; dân số")
            && text.contains("Trường &lt;THCS&gt; &amp; Mầm non"),
        "user text is escaped: {text}"
    );
    assert!(!text.contains("<thôn>") && !text.contains("<THCS>"));
    assert!(
        !inline_buttons(card).is_empty(),
        "the review has its buttons"
    );
}

#[tokio::test]
async fn the_command_menu_is_set_in_vietnamese_and_english_at_start() {
    // Arrange / Act
    let app = spawn_app().await;
    let calls = app
        .tg
        .wait_for_calls("setMyCommands", 3, DEFAULT_WAIT)
        .await;

    // Assert
    let menu = |language: Option<&str>| -> Vec<(String, String)> {
        let call = calls
            .iter()
            .find(|c| c.body["language_code"].as_str() == language)
            .unwrap_or_else(|| panic!("no menu for language {language:?}"));
        let commands = call.body["commands"].as_array().expect("commands");
        let field = |c: &serde_json::Value, name: &str| c[name].as_str().unwrap().to_owned();
        commands
            .iter()
            .map(|c| (field(c, "command"), field(c, "description")))
            .collect()
    };
    let names = |menu: &[(String, String)]| -> Vec<String> {
        menu.iter().map(|(command, _)| command.clone()).collect()
    };
    let (vi, en) = (menu(Some("vi")), menu(Some("en")));
    assert_eq!(
        names(&vi),
        [
            "start",
            "tim",
            "myteam",
            "thanhvien",
            "dulieu",
            "moi",
            "baocao",
            "help",
            "huy",
            "lang",
            "back",
            "skip"
        ]
    );
    assert_eq!(
        names(&en),
        [
            "start", "find", "myteam", "member", "mydata", "invite", "report", "help", "cancel",
            "lang", "back", "skip"
        ]
    );
    assert_eq!(vi[0].1, "Bắt đầu");
    assert_eq!(en[8].1, "Pause what you are doing");
    assert_eq!(
        menu(None),
        vi,
        "apps in other languages get the Vietnamese menu"
    );
}
