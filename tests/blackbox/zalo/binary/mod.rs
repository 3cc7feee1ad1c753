//! `cnscd serve` as an operator runs it: Zalo alone, from its environment variables.

mod heads;
mod readme;
mod sigkills;

use std::time::Duration;

use crate::support::fake_zalo::{FakeZalo, User, APP_ID};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

#[tokio::test]
async fn serve_with_neither_telegram_nor_zalo_says_exactly_what_to_set() {
    // Arrange
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .arg("serve")
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("ZALO_APP_ID")
        .env_remove("ZALO_APP_SECRET")
        .env_remove("ZALO_OA_SECRET_KEY")
        .env("DATABASE_URL", &database)
        .output()
        .await
        .expect("cnscd runs");
    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for var in [
        "TELOXIDE_TOKEN",
        "ZALO_APP_ID",
        "ZALO_APP_SECRET",
        "ZALO_OA_SECRET_KEY",
    ] {
        assert!(stderr.contains(var), "names {var}: {stderr}");
    }
    assert!(
        !dir.path().join("cnscd.db").exists(),
        "refused before the database"
    );
}

#[tokio::test]
async fn serve_with_half_of_zalos_settings_names_the_missing_ones() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .arg("serve")
        .env_remove("TELOXIDE_TOKEN")
        .env("ZALO_APP_ID", APP_ID)
        .env_remove("ZALO_APP_SECRET")
        .env_remove("ZALO_OA_SECRET_KEY")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/x.db", dir.path().display()),
        )
        .output()
        .await
        .expect("cnscd runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ZALO_APP_SECRET, ZALO_OA_SECRET_KEY"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_with_zalo_but_no_picture_for_its_form_names_what_to_set() {
    // Arrange: Zalo configured, but neither a public URL nor a picture of its own.
    let dir = tempfile::tempdir().expect("temporary directory");
    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .arg("serve")
        .env_remove("TELOXIDE_TOKEN")
        .env("ZALO_APP_ID", APP_ID)
        .env("ZALO_APP_SECRET", "secret")
        .env("ZALO_OA_SECRET_KEY", "key")
        .env_remove("CNSCD_PUBLIC_URL")
        .env_remove("ZALO_FORM_IMAGE_URL")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/x.db", dir.path().display()),
        )
        .output()
        .await
        .expect("cnscd runs");
    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("CNSCD_PUBLIC_URL") && stderr.contains("ZALO_FORM_IMAGE_URL"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("x.db").exists(),
        "refused before the database"
    );
}

#[tokio::test]
async fn serve_on_zalo_alone_answers_a_signed_event_through_the_fake_zalo() {
    // Arrange: the real binary, seeded with a refresh token, webhooks on a free port.
    let zalo = FakeZalo::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let (listen, ops) = (free_port(), free_port());
    let database = format!("sqlite://{}/cnscd.db", dir.path().display());
    let mut bot = sigkills::spawn_bot(&zalo, &database, listen, ops);
    let http = reqwest::Client::new();
    let user = User::new("701");
    let event = user.follow();
    // Act: post until the server listens (it opens the database first).
    let mut status = 0;
    for _ in 0..200 {
        let sent = http
            .post(format!("http://127.0.0.1:{listen}/zalo/webhook"))
            .header("X-ZEvent-Signature", &event.signature)
            .body(event.body.clone())
            .send()
            .await;
        if let Ok(response) = sent {
            status = response.status().as_u16();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = zalo.wait_for("701", 1).await;
    let health = http
        .get(format!("http://127.0.0.1:{ops}/healthz"))
        .send()
        .await
        .expect("ops answers");
    // Assert
    assert_eq!(status, 200);
    assert!(sent[0]["text"]
        .as_str()
        .expect("text")
        .contains("Tổ Công nghệ số"));
    assert_eq!(
        zalo.refreshes(),
        1,
        "the seed refresh token was exchanged once"
    );
    assert!(health.status().is_success());
    bot.kill().await.expect("stopped");
}
