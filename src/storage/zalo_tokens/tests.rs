//! Tests of the stored Zalo token pair: seeding, lease, refresh, pause.

use chrono::{Duration, TimeZone};

use super::*;
use crate::i18n::Html;
use crate::storage::scratch::ScratchDb;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, hour, 0, 0).unwrap()
}

fn pair(n: u32, now: DateTime<Utc>) -> NewTokens {
    NewTokens {
        access_token: format!("access-{n}"),
        access_expires_at: now + Duration::hours(25),
        refresh_token: format!("refresh-{n}"),
        refresh_expires_at: now + Duration::days(90),
        issued_at: now,
    }
}

async fn store() -> (ScratchDb, Store) {
    let db = ScratchDb::sqlite().unwrap();
    let store = Store::connect(db.url()).await.unwrap();
    (db, store)
}

#[tokio::test]
async fn the_pair_is_replaced_only_for_the_refresh_token_it_was_issued_for() {
    let (_db, store) = store().await;
    assert_eq!(store.zalo_tokens().await.unwrap(), StoredTokens::default());
    assert!(store.seed_zalo_refresh_token("seed").await.unwrap());
    assert!(!store.seed_zalo_refresh_token("another").await.unwrap());

    assert!(store
        .replace_zalo_tokens("seed", &pair(1, at(1)))
        .await
        .unwrap());
    assert!(!store
        .replace_zalo_tokens("seed", &pair(2, at(2)))
        .await
        .unwrap());

    let stored = store.zalo_tokens().await.unwrap();
    assert_eq!(stored.access_token.as_deref(), Some("access-1"));
    assert_eq!(stored.refresh_token.as_deref(), Some("refresh-1"));
    assert_eq!(stored.access_expires_at, Some(at(1) + Duration::hours(25)));
    assert_eq!(stored.issued_at, Some(at(1)));
    let shown = format!("{stored:?}");
    assert!(
        !shown.contains("access-1") && !shown.contains("refresh-1"),
        "{shown}"
    );
}

#[tokio::test]
async fn one_owner_holds_the_lease_until_it_gives_it_back_or_it_lapses() {
    let (_db, store) = store().await;
    let until = at(1) + Duration::seconds(30);
    assert!(store.take_zalo_lease("a", at(1), until).await.unwrap());
    assert!(!store.take_zalo_lease("b", at(1), until).await.unwrap());
    assert!(!store.take_zalo_lease("a", at(1), until).await.unwrap());
    store.release_zalo_lease("b").await.unwrap();
    assert!(!store.take_zalo_lease("b", at(1), until).await.unwrap());
    store.release_zalo_lease("a").await.unwrap();
    assert!(store.take_zalo_lease("b", at(1), until).await.unwrap());
    let later = until + Duration::seconds(1);
    assert!(store.take_zalo_lease("a", later, later).await.unwrap());
    assert_eq!(
        store.zalo_tokens().await.unwrap().lease_owner.as_deref(),
        Some("a")
    );
}

#[tokio::test]
async fn a_pause_is_written_once_with_its_notices_and_lifted_by_a_new_pair() {
    let (_db, store) = store().await;
    store.seed_zalo_refresh_token("old").await.unwrap();
    let notices = [AdminNotice {
        channel: "telegram".into(),
        chat_id: "42".into(),
        reply: Reply::text(Html::text("paused")),
    }];

    assert!(!store
        .pause_zalo_sending("other", "why", &notices, at(1))
        .await
        .unwrap());
    assert!(store
        .pause_zalo_sending("old", "why", &notices, at(1))
        .await
        .unwrap());
    assert!(!store
        .pause_zalo_sending("old", "why", &notices, at(2))
        .await
        .unwrap());

    let stored = store.zalo_tokens().await.unwrap();
    assert_eq!(stored.paused_reason.as_deref(), Some("why"));
    assert_eq!(stored.paused_at, Some(at(1)));
    assert_eq!(store.pending_outbox("telegram", 10).await.unwrap().len(), 1);

    store.set_zalo_tokens(&pair(1, at(3))).await.unwrap();
    let stored = store.zalo_tokens().await.unwrap();
    assert_eq!(stored.paused_reason, None);
    assert_eq!(stored.refresh_token.as_deref(), Some("refresh-1"));
}
