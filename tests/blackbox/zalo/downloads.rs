//! Where the files users send are downloaded from: Zalo's file hosts over https, or the
//! configured API's own origin (the fake here), never another server on this machine, not
//! even through a redirect.

use std::sync::Arc;

use cnscd::pipeline::FetchError;
use cnscd::zalo::api::ZaloApi;

use crate::support::fake_zalo::FakeZalo;
use crate::support::zalo_app::FixedToken;

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
