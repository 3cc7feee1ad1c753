//! `zalo token set` and `zalo token info`: what they refuse, and that no secret is printed.

use std::sync::Arc;

use cnscd::clock::ManualClock;
use cnscd::storage::scratch::ScratchDb;
use cnscd::zalo::{AccessTokens, TokenUnavailable};

use super::{replica, settings, t0};
use crate::support::fake_zalo_oauth::{FakeZaloOauth, APP_ID, APP_SECRET};

#[tokio::test]
async fn without_a_refresh_token_there_is_no_token_and_token_set_says_what_to_set() {
    // Arrange
    let oauth = FakeZaloOauth::start().await;
    let db = ScratchDb::sqlite().expect("scratch");
    let clock = Arc::new(ManualClock::new(t0()));
    let a = replica(db.url(), "a", &clock, &oauth.url(), None).await;

    // Act
    let token = a.tokens.current().await;
    let mut out = Vec::new();
    let unconfigured = cnscd::cli::zalo::set(&a.engine, None, &mut out).await;
    let no_token =
        cnscd::cli::zalo::set(&a.engine, Some(&settings(&oauth.url(), None)), &mut out).await;
    let refused = cnscd::cli::zalo::set(
        &a.engine,
        Some(&settings(&oauth.url(), Some("REF-never-issued"))),
        &mut out,
    )
    .await;

    // Assert
    assert!(
        matches!(&token, Err(TokenUnavailable::NotNow(why)) if why.contains("zalo token set")),
        "{token:?}"
    );
    let message = |r: Result<(), cnscd::cli::CliError>| r.expect_err("refused").to_string();
    let unconfigured = message(unconfigured);
    assert!(unconfigured.contains("ZALO_APP_ID"), "{unconfigured}");
    let no_token = message(no_token);
    assert!(
        no_token.starts_with("ZALO_REFRESH_TOKEN is not set."),
        "{no_token}"
    );
    let refused = message(refused);
    assert!(
        refused.contains("Zalo refused this refresh token (Zalo error -14014"),
        "{refused}"
    );
    assert!(!refused.contains("REF-never-issued"), "{refused}");
    assert!(out.is_empty(), "nothing printed on refusal");
    assert_eq!(oauth.calls(), 1);
}

/// Runs the real binary with the fake's settings and `extra` environment.
async fn cnscd(
    database: &str,
    oauth: &FakeZaloOauth,
    args: &[&str],
    extra: &[(&str, &str)],
) -> (bool, String, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"));
    command
        .args(args)
        .env("DATABASE_URL", database)
        .env("RUST_LOG", "debug")
        .env("ZALO_APP_ID", APP_ID)
        .env("ZALO_APP_SECRET", APP_SECRET)
        .env("ZALO_OA_SECRET_KEY", "fake-oa-secret-key")
        .env("ZALO_OAUTH_URL", oauth.url().as_str())
        .env_remove("ZALO_REFRESH_TOKEN")
        .env_remove("ZALO_REFRESH_TOKEN_FILE");
    for (name, value) in extra {
        command.env(name, value);
    }
    let output = command.output().await.expect("cnscd runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn zalo_token_set_and_info_never_print_a_token_nor_the_app_secret() {
    // Arrange
    let oauth = FakeZaloOauth::start().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let fresh = oauth.issue_refresh_token();
    let unknown = "REF-never-issued-abcdef";

    // Act
    let missing = cnscd(&database, &oauth, &["zalo", "token", "set"], &[]).await;
    let refused = cnscd(
        &database,
        &oauth,
        &["zalo", "token", "set"],
        &[("ZALO_REFRESH_TOKEN", unknown)],
    )
    .await;
    let set = cnscd(
        &database,
        &oauth,
        &["zalo", "token", "set"],
        &[("ZALO_REFRESH_TOKEN", &fresh)],
    )
    .await;
    let info = cnscd(&database, &oauth, &["zalo", "token", "info"], &[]).await;

    // Assert
    assert!(!missing.0, "refused without a refresh token");
    assert!(
        missing.2.contains("ZALO_REFRESH_TOKEN is not set"),
        "{}",
        missing.2
    );
    assert!(!refused.0, "refused by Zalo");
    assert!(refused.2.contains("nothing was changed"), "{}", refused.2);
    assert!(set.0, "set works: {}", set.2);
    assert!(set.1.contains("  access token:  expires "), "{}", set.1);
    assert!(info.0, "info works: {}", info.2);
    assert!(info.1.contains("  sending:       on\n"), "{}", info.1);
    assert!(
        info.1.contains("  refresh token: expires about "),
        "{}",
        info.1
    );
    let mut secrets = oauth.tokens_made();
    secrets.extend([unknown.to_owned(), APP_SECRET.to_owned()]);
    assert!(secrets.len() >= 3, "the fake made a pair");
    for (what, output) in [
        ("missing", &missing),
        ("refused", &refused),
        ("set", &set),
        ("info", &info),
    ] {
        for secret in &secrets {
            assert!(
                !output.1.contains(secret.as_str()) && !output.2.contains(secret.as_str()),
                "`{what}` printed a secret:\n{}\n{}",
                output.1,
                output.2
            );
        }
    }
}
