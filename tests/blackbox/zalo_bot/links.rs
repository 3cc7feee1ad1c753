//! Pictures and files go to Zalo Bot chats as short-lived links signed by cnscd and served
//! on its public listener: the link works, a forged signature or an expired link does not.

use cnscd::secrets::Secret;
use cnscd::zalo_bot::links::{FileLinks, PICTURE_LIFETIME};
use cnscd_fakes::zalo_bot::{request, TOKEN};

use super::app::{spawn_zalo_bot_app, spawn_zalo_bot_app_on, Mode};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nchart";

async fn get(url: &str) -> (u16, Vec<u8>) {
    request("GET", url, &[], b"").await.expect("cnscd answers")
}

#[tokio::test]
async fn a_signed_link_serves_the_picture_until_it_expires() {
    link_serves_until_expiry(spawn_zalo_bot_app(Mode::Polling).await).await;
}

#[tokio::test]
async fn a_signed_link_serves_the_picture_until_it_expires_on_postgresql() {
    let test = "zalo_bot signed links on PostgreSQL";
    let Some(db) = crate::support::app::scratch(cnscd::storage::Backend::Postgres, test).await
    else {
        return;
    };
    let villages = crate::support::zalo_app::VILLAGES_CSV;
    link_serves_until_expiry(spawn_zalo_bot_app_on(db, villages, Mode::Polling).await).await;
}

async fn link_serves_until_expiry(app: super::app::ZaloBotApp) {
    let public = url::Url::parse(&app.public).expect("url");
    let links = FileLinks::new(
        app.engine.clone(),
        &Secret::from(TOKEN.to_owned()),
        Some(public),
    );
    let link = links
        .keep("chart.png", PNG, PICTURE_LIFETIME)
        .await
        .expect("kept");
    assert!(
        link.starts_with(&format!("{}/zalo-bot/file/", app.public)),
        "{link}"
    );
    assert_eq!(get(&link).await, (200, PNG.to_vec()));
    let lifetime = chrono::Duration::from_std(PICTURE_LIFETIME).expect("short");
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    app.clock.set(now + lifetime + chrono::Duration::seconds(1));
    assert_eq!(get(&link).await.0, 410, "expired");
    app.destroy().await;
}

#[tokio::test]
async fn an_erasure_stops_every_link_the_zalo_bot_still_serves() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let public = url::Url::parse(&app.public).expect("url");
    let links = FileLinks::new(
        app.engine.clone(),
        &Secret::from(TOKEN.to_owned()),
        Some(public),
    );
    let link = links
        .keep("report.xlsx", PNG, PICTURE_LIFETIME)
        .await
        .expect("kept");
    assert_eq!(get(&link).await.0, 200);
    let mut out = Vec::new();
    cnscd::cli::privacy::erase(&app.engine, "0912 345 678", &mut out)
        .await
        .expect("erased");
    let status = get(&link).await.0;
    assert!(status == 404 || status == 410, "{status}");
    app.destroy().await;
}

#[tokio::test]
async fn a_link_with_a_forged_signature_or_a_stretched_expiry_is_refused() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let public = url::Url::parse(&app.public).expect("url");
    let signed_by = |token: &str| {
        FileLinks::new(
            app.engine.clone(),
            &Secret::from(token.to_owned()),
            Some(public.clone()),
        )
    };
    let link = signed_by(TOKEN)
        .keep("chart.png", PNG, PICTURE_LIFETIME)
        .await
        .expect("kept");
    let (base, query) = link.split_once("?exp=").expect("a signed link");
    let (exp, sig) = query.split_once("&sig=").expect("a signature");
    let later: i64 = exp.parse::<i64>().expect("seconds") + 86_400;
    let forged_sig = format!("{base}?exp={exp}&sig={}", "0".repeat(sig.len()));
    let stretched = format!("{base}?exp={later}&sig={sig}");
    let other_key = signed_by("1:another-bots-token")
        .keep("chart.png", PNG, PICTURE_LIFETIME)
        .await
        .expect("kept");
    for forged in [forged_sig, stretched, other_key] {
        assert_eq!(get(&forged).await.0, 403, "{forged}");
    }
    app.destroy().await;
}

#[tokio::test]
async fn a_file_is_deleted_once_its_link_expired() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let public = url::Url::parse(&app.public).expect("url");
    let links = FileLinks::new(
        app.engine.clone(),
        &Secret::from(TOKEN.to_owned()),
        Some(public),
    );
    links
        .keep("report.xlsx", b"PK report", PICTURE_LIFETIME)
        .await
        .expect("kept");
    assert_eq!(
        links.delete_expired().await.expect("deleted"),
        0,
        "still linked"
    );
    let lifetime = chrono::Duration::from_std(PICTURE_LIFETIME).expect("short");
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    app.clock.set(now + lifetime + chrono::Duration::seconds(1));
    assert_eq!(links.delete_expired().await.expect("deleted"), 1);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM zalo_bot_files")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!(left, 0);
    app.destroy().await;
}
