//! The founding decision on Zalo: `/quyetdinh`'s button pressed as a Zalo user presses it,
//! and the draft uploaded as a DOCX file, which Zalo's file upload takes.

use serde_json::Value;

use crate::support::fake_zalo::User;
use crate::support::zalo_app::spawn_zalo_app;

#[tokio::test]
async fn a_commune_official_on_zalo_gets_the_drafted_decision_as_an_uploaded_word_file() {
    // Arrange: Thôn Đông Sơn's team registered; a commune official on Zalo.
    let app = spawn_zalo_app().await;
    let team = cnscd::domain::Team {
        leader_name: Some(cnscd::domain::PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(cnscd::domain::PhoneNumber::parse("0912 345 678").expect("phone")),
        ..cnscd::domain::Team::default()
    };
    let mut tx = app.store.begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, chrono::Utc::now())
        .await
        .expect("saved");
    tx.commit().await.expect("commit");
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
    let official = User::new("611");
    app.say(&official.text(&format!("/start {code}"))).await;
    app.say(&official.text("/quyetdinh")).await;
    let sent = app.zalo.sent_to("611");
    let pressed = sent
        .iter()
        .flat_map(|m| {
            m["attachment"]["payload"]["buttons"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|b| b["title"].as_str().is_some_and(|t| t.contains("Cả xã")))
        .unwrap_or_else(|| panic!("the whole commune's button: {sent:#?}"));
    let before = app.zalo.sent_to("611").len();
    // Act
    app.say(&official.text(pressed["payload"].as_str().expect("payload")))
        .await;
    // Assert
    let sent: Vec<Value> = app.zalo.sent_to("611").split_off(before);
    let file = sent.iter().find(|m| m["attachment"]["type"] == "file");
    assert!(file.is_some(), "a file message: {sent:#?}");
    let files = app.zalo.uploaded_files();
    let (name, bytes) = files.last().expect("a file uploaded");
    assert_eq!(name, "du-thao-quyet-dinh-11083.docx");
    let text = docx_rs::read_docx(bytes).expect("a readable DOCX").json();
    assert!(text.contains("Nguyễn Văn An") && text.contains("PHỤ LỤC"));
    assert!(
        !text.contains("0912 345 678"),
        "the head never agreed to show it"
    );
    app.destroy().await;
}
