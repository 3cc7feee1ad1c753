//! Zalo's access token, shared by the replicas through the database, against a fake OAuth
//! endpoint: refreshed ahead of expiry, once however many replicas are due, paused (admins
//! told once) when Zalo refuses the refresh token, resumed by `zalo token set`, and never
//! printed. The replica tests run on SQLite and, when `CNSCD_TEST_POSTGRES_URL` names a
//! server, on PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cnscd::clock::ManualClock;
use cnscd::config::{Secret, ZaloSecrets, ZaloSettings};
use cnscd::domain::CompositionRules;
use cnscd::engine::Engine;
use cnscd::i18n::{to_plain, Texts};
use cnscd::ops::metrics::Metrics;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::{Backend, Store};
use cnscd::zalo::tokens::{TokenPolicy, Tokens};
use cnscd::zalo::{AccessTokens, TokenUnavailable};

use crate::support::app::scratch;
use crate::support::fake_zalo_oauth::{FakeZaloOauth, APP_ID, APP_SECRET};

const ADMINS: [&str; 2] = ["telegram:111", "zalo:222"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap()
}

fn hours(h: f64) -> chrono::Duration {
    chrono::Duration::seconds((h * 3600.0) as i64)
}

fn settings(oauth: &url::Url, seed: Option<&str>) -> ZaloSettings {
    let url = |u: &str| url::Url::parse(u).expect("URL");
    ZaloSettings {
        app_id: APP_ID.to_owned(),
        secrets: ZaloSecrets {
            app_secret: Secret::from(APP_SECRET.to_owned()),
            oa_secret_key: Secret::from("fake-oa-secret-key".to_owned()),
            refresh_token: seed.map(|s| Secret::from(s.to_owned())),
        },
        openapi_url: url("http://127.0.0.1:9/"),
        oauth_url: oauth.clone(),
        oa_url: None,
        form_image_url: None,
        event_max_age: Duration::from_secs(3600),
        free_window: Duration::from_secs(48 * 3600),
        window: Duration::from_secs(168 * 3600),
        admin_chats: ADMINS.iter().map(|c| c.to_string()).collect(),
    }
}

/// One replica: its own pool on the shared database, its own engine, tokens and metrics.
struct Replica {
    engine: Engine,
    tokens: Tokens,
    metrics: Metrics,
}

async fn replica(
    db: &str,
    name: &str,
    clock: &Arc<ManualClock>,
    oauth: &url::Url,
    seed: Option<&str>,
) -> Replica {
    let store = Store::connect(db).await.expect("database opens");
    let engine = Engine::new(
        store,
        Arc::new(Texts::load().expect("texts")),
        Arc::new(CompositionRules::default_rules().expect("rules")),
        clock.clone(),
    );
    let metrics = Metrics::new();
    let policy = TokenPolicy {
        poll: Duration::from_millis(20),
        request_timeout: Duration::from_secs(3),
        ..TokenPolicy::default()
    };
    let tokens = Tokens::new(
        engine.clone(),
        &settings(oauth, seed),
        name,
        metrics.clone(),
    )
    .expect("tokens")
    .with_policy(policy)
    .expect("policy");
    Replica {
        engine,
        tokens,
        metrics,
    }
}

fn metric(metrics: &Metrics, line: &str) -> bool {
    metrics
        .render()
        .expect("metrics")
        .lines()
        .any(|l| l == line)
}

async fn info(engine: &Engine) -> String {
    let mut out = Vec::new();
    cnscd::cli::zalo::info(engine.store(), engine.now(), &mut out)
        .await
        .expect("info");
    String::from_utf8(out).expect("UTF-8")
}

#[tokio::test]
async fn a_first_seed_is_exchanged_and_the_token_is_refreshed_an_hour_before_it_expires() {
    // Arrange
    let oauth = FakeZaloOauth::start().await;
    let db = ScratchDb::sqlite().expect("scratch");
    let clock = Arc::new(ManualClock::new(t0()));
    let seed = oauth.issue_refresh_token();
    let a = replica(db.url(), "a", &clock, &oauth.url(), Some(&seed)).await;

    // Act
    let first = a.tokens.current().await.expect("a token from the seed");
    clock.set(t0() + hours(23.9));
    let still = a.tokens.current().await.expect("the same token");
    clock.set(t0() + hours(24.1));
    let refreshed = a.tokens.current().await.expect("a refreshed token");

    // Assert
    assert_eq!(still, first, "more than an hour left: no refresh");
    assert_ne!(refreshed, first, "less than an hour left: refreshed");
    assert_eq!(oauth.calls(), 2, "the seed's exchange, then one refresh");
    let stored = a.engine.store().zalo_tokens().await.expect("stored");
    assert_eq!(stored.access_token.as_deref(), Some(refreshed.as_str()));
    assert_eq!(
        stored.access_expires_at,
        Some(t0() + hours(24.1) + hours(25.0))
    );
    assert_eq!(stored.lease_owner, None, "the lease was given back");
    let shown = info(&a.engine).await;
    assert!(shown.contains("  sending:       on\n"), "{shown}");
    assert!(shown.contains("  refresh lease: free\n"), "{shown}");
    assert!(
        shown.contains("  access token:  expires 2026-12-05 09:06 +07:00 (in 1 d 1 h)\n"),
        "{shown}"
    );
}

async fn two_replicas_due_at_once_refresh_once(backend: Backend) {
    // Arrange
    let test = "two Zalo token replicas due at once";
    let Some(db) = scratch(backend, test).await else {
        return;
    };
    let oauth = FakeZaloOauth::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let seed = oauth.issue_refresh_token();
    let a = replica(db.url(), "a", &clock, &oauth.url(), Some(&seed)).await;
    let b = replica(db.url(), "b", &clock, &oauth.url(), Some(&seed)).await;
    let old = a.tokens.current().await.expect("first token");
    assert_eq!(b.tokens.current().await.expect("b reads it"), old);
    // Expired: neither replica may go on with the old token, both need the new one.
    clock.set(t0() + hours(26.0));
    oauth.set_delay(Duration::from_millis(300));

    // Act
    let (a1, a2, b1, b2) = tokio::join!(
        a.tokens.current(),
        a.tokens.current(),
        b.tokens.current(),
        b.tokens.current()
    );

    // Assert
    let got: Vec<String> = [a1, a2, b1, b2]
        .into_iter()
        .map(|r| r.expect("a token"))
        .collect();
    assert_ne!(got[0], old);
    assert!(got.iter().all(|t| *t == got[0]), "one new token for all");
    assert_eq!(
        oauth.calls(),
        2,
        "the seed's exchange and exactly one refresh"
    );
    assert_eq!(oauth.refused(), 0, "no refresh token used twice");
    a.engine.store().close().await;
    b.engine.store().close().await;
    db.destroy().await;
}

#[tokio::test]
async fn two_replicas_due_at_once_refresh_once_on_sqlite() {
    two_replicas_due_at_once_refresh_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_replicas_due_at_once_refresh_once_on_postgres() {
    two_replicas_due_at_once_refresh_once(Backend::Postgres).await;
}

async fn a_reused_refresh_token_pauses_sending_until_token_set(backend: Backend) {
    // Arrange: the stored refresh token was used already (by a replica that lost the answer).
    let test = "a reused Zalo refresh token pauses sending";
    let Some(db) = scratch(backend, test).await else {
        return;
    };
    let oauth = FakeZaloOauth::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let used = oauth.issue_refresh_token();
    let a = replica(db.url(), "a", &clock, &oauth.url(), Some(&used)).await;
    let b = replica(db.url(), "b", &clock, &oauth.url(), None).await;
    a.tokens.current().await.expect("first token");
    clock.set(t0() + hours(24.5));
    // Someone else (an old replica, a copy of the database) refreshed with the stored token.
    sqlx::query("UPDATE zalo_tokens SET refresh_token = $1")
        .bind(&used)
        .execute(a.engine.store().pool())
        .await
        .expect("reuse the first refresh token");

    // Act
    let first = a.tokens.current().await;
    let again = a.tokens.current().await;
    let other = b.tokens.current().await;
    let rejected = b.tokens.rejected("whatever").await;

    // Assert
    for result in [&first, &again, &other, &rejected] {
        assert!(
            matches!(result, Err(TokenUnavailable::Paused(why)) if why.contains("-14014")),
            "paused: {result:?}"
        );
    }
    assert_eq!(
        oauth.calls(),
        2,
        "one exchange, one refused refresh; no retry while paused"
    );
    let store = a.engine.store();
    let telegram = store.pending_outbox("telegram", 10).await.expect("outbox");
    let zalo = store.pending_outbox("zalo", 10).await.expect("outbox");
    assert_eq!(telegram.len(), 1, "the Telegram admin is told once");
    assert_eq!(zalo.len(), 1, "the Zalo admin is told once");
    assert_eq!(telegram[0].chat_id, "111");
    let text = to_plain(telegram[0].reply.text.as_str());
    assert!(text.contains("Tạm dừng gửi tin qua Zalo"), "{text}");
    assert!(text.contains("cnscd zalo token set"), "{text}");
    assert!(metric(&a.metrics, "cnscd_zalo_sending_paused 1"));
    assert!(metric(
        &a.metrics,
        "cnscd_zalo_token_refresh_failures_total{kind=\"refused\"} 1"
    ));
    assert!(
        metric(&b.metrics, "cnscd_zalo_sending_paused 1"),
        "b sees the pause"
    );
    let shown = info(&a.engine).await;
    assert!(shown.contains("  sending:       PAUSED since 2026-12-04 08:30 +07:00: Zalo error -14014 Invalid refresh token."), "{shown}");

    // Act: the operator gets a new refresh token and sets it.
    let fresh = oauth.issue_refresh_token();
    let mut out = Vec::new();
    cnscd::cli::zalo::set(
        &a.engine,
        Some(&settings(&oauth.url(), Some(&fresh))),
        &mut out,
    )
    .await
    .expect("token set");
    let resumed = b.tokens.current().await.expect("sending resumes");

    // Assert
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(
        out.starts_with("Zalo tokens stored; Zalo sending may go on.\n"),
        "{out}"
    );
    for token in oauth.tokens_made() {
        assert!(!out.contains(&token), "a token printed: {out}");
    }
    assert_eq!(
        store
            .zalo_tokens()
            .await
            .expect("stored")
            .access_token
            .as_deref(),
        Some(resumed.as_str())
    );
    assert!(metric(&b.metrics, "cnscd_zalo_sending_paused 0"));
    assert_eq!(
        store
            .pending_outbox("telegram", 10)
            .await
            .expect("outbox")
            .len(),
        1
    );
    a.engine.store().close().await;
    b.engine.store().close().await;
    db.destroy().await;
}

#[tokio::test]
async fn a_reused_refresh_token_pauses_sending_until_token_set_on_sqlite() {
    a_reused_refresh_token_pauses_sending_until_token_set(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_reused_refresh_token_pauses_sending_until_token_set_on_postgres() {
    a_reused_refresh_token_pauses_sending_until_token_set(Backend::Postgres).await;
}

#[tokio::test]
async fn a_token_rejected_after_another_replica_refreshed_is_not_refreshed_again() {
    // Arrange
    let oauth = FakeZaloOauth::start().await;
    let db = ScratchDb::sqlite().expect("scratch");
    let clock = Arc::new(ManualClock::new(t0()));
    let seed = oauth.issue_refresh_token();
    let a = replica(db.url(), "a", &clock, &oauth.url(), Some(&seed)).await;
    let b = replica(db.url(), "b", &clock, &oauth.url(), None).await;
    let old = a.tokens.current().await.expect("first token");
    assert_eq!(b.tokens.current().await.expect("b reads it"), old);

    clock.set(t0() + hours(2.0));

    // Act: Zalo answers -216 to both for the old token.
    let from_a = a.tokens.rejected(&old).await.expect("a refreshes");
    let from_b = b.tokens.rejected(&old).await.expect("b reads a's token");
    // …and at once for the new one: no second refresh within a minute.
    let again = a.tokens.rejected(&from_a).await;

    // Assert
    assert_ne!(from_a, old);
    assert_eq!(from_b, from_a);
    assert!(
        matches!(&again, Err(TokenUnavailable::NotNow(_))),
        "{again:?}"
    );
    assert_eq!(oauth.calls(), 2, "the seed's exchange and a's refresh only");
}

#[tokio::test]
async fn a_token_endpoint_that_does_not_answer_is_tried_again_later_without_pausing() {
    // Arrange: a port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let down = url::Url::parse(&format!("http://{closed}/")).expect("URL");
    let db = ScratchDb::sqlite().expect("scratch");
    let clock = Arc::new(ManualClock::new(t0()));
    let a = replica(db.url(), "a", &clock, &down, Some("REF-seed")).await;

    // Act
    let without = a.tokens.current().await;
    // A pair still valid for 30 minutes: due, but usable while Zalo does not answer.
    sqlx::query("UPDATE zalo_tokens SET access_token = 'ACC-old', access_expires_at = $1")
        .bind((t0() + hours(0.5)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .execute(a.engine.store().pool())
        .await
        .expect("store a token");
    let with_old = a.tokens.current().await;

    // Assert
    assert!(
        matches!(&without, Err(TokenUnavailable::NotNow(_))),
        "{without:?}"
    );
    assert_eq!(with_old, Ok("ACC-old".to_owned()));
    let stored = a.engine.store().zalo_tokens().await.expect("stored");
    assert_eq!(stored.paused_reason, None, "not paused");
    assert!(metric(&a.metrics, "cnscd_zalo_sending_paused 0"));
    assert!(metric(
        &a.metrics,
        "cnscd_zalo_token_refresh_failures_total{kind=\"unreachable\"} 2"
    ));
    let telegram = a.engine.store().pending_outbox("telegram", 10).await;
    assert_eq!(telegram.expect("outbox").len(), 0, "no admin told");
}

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
