//! The form that asks a member to share their name and phone: Zalo refuses it without a
//! picture, so it shows the one cnscd serves itself.

use crate::support::fake_zalo::{payload_of, User};
use crate::support::zalo_app::spawn_zalo_app;

#[tokio::test]
async fn the_share_info_form_shows_the_picture_cnscd_serves_so_zalo_takes_it() {
    // Arrange: the fake refuses a form without its picture, as Zalo does.
    let app = spawn_zalo_app().await;
    let member = User::new("611");
    app.say(&member.follow()).await;
    let menu = app.zalo.sent_to("611");
    let pressed = menu
        .iter()
        .find_map(|m| payload_of(m, "🙋 Tôi là thành viên tổ"))
        .unwrap_or_else(|| panic!("the welcome offers it: {menu:#?}"));
    // Act: "I am a team member" asks for their own number, with the form.
    app.say(&member.text(&pressed)).await;
    // Assert
    let sent = app.zalo.sent_to("611");
    let form = sent
        .iter()
        .find(|m| m["attachment"]["payload"]["template_type"] == "request_user_info")
        .unwrap_or_else(|| panic!("the form went: {sent:#?}"));
    let url = form["attachment"]["payload"]["elements"][0]["image_url"]
        .as_str()
        .expect("a picture");
    assert_eq!(url, app.form_image_url());
    let picture = reqwest::get(url).await.expect("cnscd serves it");
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["content-type"], "image/png");
    let bytes = picture.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    app.destroy().await;
}
