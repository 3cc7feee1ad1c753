//! Refreshing: ahead of expiry, once for all replicas, paused on a refused refresh token,
//! tried again later when Zalo does not answer.

use std::sync::Arc;
use std::time::Duration;

use cnscd::clock::ManualClock;
use cnscd::i18n::to_plain;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::Backend;
use cnscd::zalo::{AccessTokens, TokenUnavailable};

use super::{hours, info, metric, replica, settings, t0};
use crate::support::app::scratch;
use crate::support::fake_zalo_oauth::FakeZaloOauth;

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
