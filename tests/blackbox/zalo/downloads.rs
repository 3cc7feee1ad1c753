//! Where the files users send are downloaded from: Zalo's file hosts over https, or the
//! configured API's own origin (the fake here), never another server on this machine, not
//! even through a redirect. And a slow one holds up its own chat only.

use std::sync::Arc;

use cnscd::pipeline::FetchError;
use cnscd::zalo::api::ZaloApi;

use crate::support::fake_zalo::{payload_of, FakeZalo, User};
use crate::support::zalo_app::{spawn_zalo_app, FixedToken};

async fn api_of(zalo: &FakeZalo) -> ZaloApi {
    let openapi = url::Url::parse(&zalo.base).expect("url");
    ZaloApi::new(openapi, Arc::new(FixedToken("token".into())))
}

#[tokio::test]
async fn a_file_on_the_configured_api_is_downloaded_and_one_elsewhere_on_this_machine_is_not() {
    // Arrange: the configured fake, and another server on 127.0.0.1 that is not it.
    let zalo = FakeZalo::start().await;
    let elsewhere = FakeZalo::start().await;
    let api = api_of(&zalo).await;
    let ours = zalo.host_file("qd.pdf", b"%PDF-1.4 ours".to_vec());
    let theirs = elsewhere.host_file("qd.pdf", b"%PDF-1.4 theirs".to_vec());
    let localhost = theirs.replace("127.0.0.1", "localhost");

    // Act
    let fetched = api.download(&ours, 1 << 20, true).await;
    let other = api.download(&theirs, 1 << 20, true).await;
    let other_by_name = api.download(&localhost, 1 << 20, true).await;

    // Assert
    assert_eq!(
        fetched.expect("downloaded").bytes.as_deref(),
        Some(&b"%PDF-1.4 ours"[..])
    );
    assert_eq!(other, Err(FetchError::Unavailable));
    assert_eq!(other_by_name, Err(FetchError::Unavailable));
    assert_eq!(elsewhere.downloads(), 0, "the other server was never asked");
}

#[tokio::test]
async fn a_redirect_to_a_host_files_are_not_fetched_from_is_not_followed() {
    // Arrange: the configured fake's link redirects to another server on this machine.
    let zalo = FakeZalo::start().await;
    let elsewhere = FakeZalo::start().await;
    let api = api_of(&zalo).await;
    let target = elsewhere.host_file("qd.pdf", b"%PDF-1.4 theirs".to_vec());
    let link = zalo.redirect_file("qd.pdf", &target);
    let inside = zalo.host_file("kept.pdf", b"%PDF-1.4 ours".to_vec());
    let link_inside = zalo.redirect_file("moved.pdf", &inside);

    // Act
    let redirected = api.download(&link, 1 << 20, true).await;
    let moved = api.download(&link_inside, 1 << 20, true).await;

    // Assert
    assert_eq!(redirected, Err(FetchError::Unavailable));
    assert_eq!(elsewhere.downloads(), 0, "the redirect was not followed");
    assert_eq!(
        moved
            .expect("a redirect within the allowed hosts is followed")
            .bytes
            .as_deref(),
        Some(&b"%PDF-1.4 ours"[..])
    );
}

/// What a Zalo user sends to press `label`: the button's payload where the last message with
/// buttons has it, else the label typed (numbered options read it as the button).
fn press(zalo: &FakeZalo, user_id: &str, label: &str) -> String {
    zalo.sent_to(user_id)
        .iter()
        .rev()
        .find_map(|message| payload_of(message, label))
        .unwrap_or_else(|| label.to_owned())
}

#[tokio::test]
async fn a_slow_zalo_download_holds_up_its_own_chat_only_and_is_applied_once() {
    // Arrange: a head at the decision scan; the file host holds downloads open.
    let app = spawn_zalo_app().await;
    let head = User::new("701");
    let start = format!("/start {}", app.invitation);
    app.say(&head.text(&start)).await;
    // What the head types, and whether it is a button's label.
    let steps: &[(&str, bool)] = &[
        ("Nguyễn Văn An", false),
        ("0912 345 678", false),
        ("✅ Đồng ý", true),
        ("Trần Thị Bình", false),
        ("Bí thư Chi đoàn", true),
        ("0912.345.679", false),
        ("📝 Đã ký giấy đồng ý", true),
        ("Bỏ qua »", true),
        ("➕ Thêm thành viên", true),
        ("Lê Văn Cường", false),
        ("Chi hội trưởng Nông dân", true),
        ("+84 912 345 680", false),
        ("📝 Đã ký giấy đồng ý", true),
        ("Bỏ qua »", true),
        ("Xong", true),
        ("✅ Xác nhận", true),
        ("Có, nhập quyết định", true),
        ("125/QĐ-UBND", false),
        ("15/04/2022", false),
    ];
    for &(said, button) in steps {
        let text = match button {
            true => press(&app.zalo, "701", said),
            false => said.to_owned(),
        };
        app.say(&head.text(&text)).await;
    }
    let asked = app.zalo.sent_to("701").len();
    let url = app
        .zalo
        .host_file("qd-125.pdf", b"%PDF-1.4 decision".to_vec());
    app.zalo.hold_downloads();

    // Act: the head's scan is downloading when a resident writes.
    assert_eq!(app.post(&head.file(&url, "qd-125.pdf", "pdf")).await, 200);
    app.zalo.wait_for_downloads(1).await;
    let resident = User::new("702");
    assert_eq!(app.post(&resident.text("Thôn Đông Sơn")).await, 200);
    let answered = app.zalo.wait_for("702", 1).await;

    // Assert: the resident is answered while the head's file is held open; the head's step
    // waits for it, then runs once.
    assert!(!answered.is_empty());
    assert_eq!(
        app.zalo.sent_to("701").len(),
        asked,
        "the head's step ran before its file was fetched"
    );
    app.zalo.release_downloads();
    app.settle().await;
    let team = app
        .store
        .team("11083-01")
        .await
        .expect("query")
        .expect("saved");
    let file = team.team.decision.file.expect("the scan is stored");
    assert!(file.kept, "the scan is kept");
    assert_eq!(app.zalo.downloads(), 1, "downloaded once");
    app.destroy().await;
}
