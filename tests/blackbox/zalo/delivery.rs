//! How answers reach Zalo users: held while Zalo refuses them for now, files and pictures
//! uploaded first (a report as a Word document, which Zalo takes; one it refuses anyway is
//! replaced by a notice), a message Zalo refuses for good given up without blocking the next.

use serde_json::Value;

use crate::support::fake_zalo::User;
use crate::support::zalo_app::spawn_zalo_app;

async fn held(app: &crate::support::zalo_app::ZaloApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT chat_id, held_reason FROM outbox WHERE held_at IS NOT NULL ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .expect("outbox")
}

#[tokio::test]
async fn an_answer_zalo_refuses_outside_the_window_waits_and_goes_when_the_user_writes_again() {
    // Arrange
    let app = spawn_zalo_app().await;
    let user = User::new("601");
    app.zalo.script_errors("601", &[-230]);
    // Act
    app.say(&user.text("Thôn Đông Sơn")).await;
    let waiting = held(&app).await;
    let sent_while_held = app.zalo.sent_to("601").len();
    app.say(&user.text("Thôn Tây Sơn")).await;
    // Assert
    assert_eq!(sent_while_held, 0);
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(
        waiting[0].1.contains("-230"),
        "the reason is kept: {waiting:?}"
    );
    assert!(held(&app).await.is_empty(), "released when the user wrote");
    let sent = app.zalo.sent_to("601");
    let texts: Vec<&str> = sent.iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(
        texts.len(),
        2,
        "both answers, the held one first: {texts:?}"
    );
    assert!(
        texts[0].contains("Đông Sơn") && texts[1].contains("Tây Sơn"),
        "{texts:?}"
    );
    app.destroy().await;
}

#[tokio::test]
async fn a_message_zalo_refuses_for_good_is_given_up_and_the_next_one_goes() {
    // Arrange
    let app = spawn_zalo_app().await;
    let user = User::new("602");
    app.zalo.script_errors("602", &[-999]);
    // Act
    app.say(&user.text("Thôn Đông Sơn")).await;
    app.say(&user.text("Thôn Tây Sơn")).await;
    // Assert
    let failed: Vec<String> =
        sqlx::query_scalar("SELECT error FROM outbox WHERE failed_at IS NOT NULL")
            .fetch_all(app.store.pool())
            .await
            .expect("outbox");
    assert_eq!(failed, vec!["zalo error -999".to_owned()]);
    let sent = app.zalo.sent_to("602");
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["text"].as_str().expect("text").contains("Tây Sơn"));
    app.destroy().await;
}

/// A commune official of Zalo chat `user`, registered by invitation.
async fn commune_official(app: &crate::support::zalo_app::ZaloApp, user: &str) -> User {
    let code = cnscd::invitation::create_invitation(
        &app.store,
        cnscd::domain::AccountRole::CommuneOfficial,
        "11083",
        chrono::Duration::days(14),
        "test",
        crate::support::zalo_app::today(),
    )
    .await
    .expect("invitation")
    .code;
    let official = User::new(user);
    app.say(&official.text(&format!("/start {code}"))).await;
    official
}

#[tokio::test]
async fn a_report_arrives_as_a_word_document_zalo_takes_and_a_chart_as_a_picture() {
    // Arrange: the fake takes PDF, DOC and DOCX files only, as Zalo does.
    let app = spawn_zalo_app().await;
    let official = commune_official(&app, "603").await;
    let before = app.zalo.sent_to("603").len();
    // Act
    app.say(&official.text("/baocao")).await;
    // Assert
    let sent: Vec<Value> = app.zalo.sent_to("603").split_off(before);
    let file = sent.iter().find(|m| m["attachment"]["type"] == "file");
    let picture = sent
        .iter()
        .find(|m| m["attachment"]["payload"]["template_type"] == "media");
    assert!(file.is_some(), "a file message: {sent:#?}");
    assert!(picture.is_some(), "a picture: {sent:#?}");
    assert!(app.zalo.uploads() >= 2, "both uploaded first");
    assert!(file.expect("file")["attachment"]["payload"]["token"].is_string());
    let files = app.zalo.uploaded_files();
    assert_eq!(
        files.len(),
        1,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let (name, bytes) = &files[0];
    assert!(
        name.starts_with("bao-cao-11083-") && name.ends_with(".docx"),
        "{name}"
    );
    assert!(bytes.starts_with(b"PK"), "a DOCX is a zip");
    app.destroy().await;
}

#[tokio::test]
async fn a_report_zalo_refuses_anyway_is_replaced_by_a_notice_saying_how_else_to_get_it() {
    // Arrange
    let app = spawn_zalo_app().await;
    let official = commune_official(&app, "606").await;
    let before = app.zalo.sent_to("606").len();
    app.zalo.script_upload_errors(&[-210]);
    // Act
    app.say(&official.text("/baocao")).await;
    // Assert
    let sent: Vec<Value> = app.zalo.sent_to("606").split_off(before);
    let texts: Vec<&str> = sent.iter().filter_map(|m| m["text"].as_str()).collect();
    assert!(
        sent.iter().all(|m| m["attachment"]["type"] != "file"),
        "no file went: {sent:#?}"
    );
    assert!(texts.len() >= 2, "the summary, then the notice: {texts:?}");
    let notice = texts.last().expect("a notice");
    assert!(
        notice.contains("bao-cao-11083-") && notice.contains("cnscd report"),
        "the official is told, with how else to get it: {notice}"
    );
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
        .fetch_one(app.store.pool())
        .await
        .expect("outbox");
    assert_eq!(failed, 0, "nothing given up");
    app.destroy().await;
}

#[tokio::test]
async fn a_picture_sent_where_none_is_expected_is_never_downloaded() {
    // Arrange
    let app = spawn_zalo_app().await;
    let user = User::new("604");
    let url = app.zalo.host_file("holiday.jpg", vec![0xff, 0xd8, 1, 2, 3]);
    // Act
    app.say(&user.image(&url)).await;
    // Assert
    assert_eq!(app.zalo.downloads(), 0);
    assert!(
        !app.zalo.sent_to("604").is_empty(),
        "the polite stray-input answer"
    );
    app.destroy().await;
}

#[tokio::test]
async fn a_founding_decision_scan_is_downloaded_and_hashed_when_the_step_asks_for_it() {
    // Arrange: a head at the decision step, the quickest way there being the golden path.
    let app = spawn_zalo_app().await;
    let head = User::new("605");
    for line in [
        format!("/start {}", app.invitation),
        "Nguyễn Văn An".into(),
        "0912 345 678".into(),
    ] {
        app.say(&head.text(&line)).await;
    }
    let url = app.zalo.host_file("qd.pdf", b"%PDF-1.4 decision".to_vec());
    let state_before: String = sqlx::query_scalar(
        "SELECT session FROM dialogue_states WHERE channel = 'zalo' AND chat_id = '605'",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("session");
    // Act: a file at a step that expects text is not downloaded either.
    app.say(&head.file(&url, "qd.pdf", "pdf")).await;
    // Assert
    assert_eq!(
        app.zalo.downloads(),
        0,
        "the leader-consent step expects no file"
    );
    let state_after: String = sqlx::query_scalar(
        "SELECT session FROM dialogue_states WHERE channel = 'zalo' AND chat_id = '605'",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("session");
    assert_eq!(state_before, state_after, "a stray file changes nothing");
    app.destroy().await;
}
