//! Issue 25 §2, the outbox's side: an announcement's rows (the bulk lane) never hide a reply
//! from the sender's read, and a poll claims the bulk rows it takes in one statement, on both
//! engines.

use chrono::{Duration, Utc};
use cnscd::conversation::Reply;
use cnscd::i18n::Html;
use cnscd::storage::outbox::{self, Lane};
use cnscd::storage::Backend;
use cnscd::storage::Store;

use crate::support::app::scratch;

async fn the_reply_lane_is_read_first_and_bulk_rows_are_claimed_once(store: &Store) {
    // Arrange: 600 rows of an announcement (more than a poll reads), then a notice.
    let now = Utc::now();
    let stale = now - Duration::seconds(15);
    let mut tx = store.begin().await.expect("tx");
    let announcement = Reply::text(Html::text("Lịch tập huấn"));
    let mut bulk = Vec::new();
    for n in 0..600 {
        let chat = format!("{}", 9000 + n);
        let id = outbox::enqueue_bulk(&mut tx, "telegram", &chat, &announcement, now)
            .await
            .expect("queued");
        bulk.push(id);
    }
    let notice = Reply::text(Html::text("Đội đã được duyệt"));
    outbox::enqueue(&mut tx, "telegram", "42", &notice, None, now)
        .await
        .expect("queued");
    tx.commit().await.expect("commit");

    // Act
    let replies = store
        .unclaimed_outbox("telegram", Lane::Reply, stale, 500)
        .await
        .expect("read");
    let first_bulk = store
        .unclaimed_outbox("telegram", Lane::Bulk, stale, 10)
        .await
        .expect("read");
    let ids: Vec<i64> = first_bulk.iter().map(|row| row.id).collect();
    let claimed = store
        .claim_outbox_many(&ids, "replica-a", now, stale)
        .await
        .expect("claimed");
    let again = store
        .claim_outbox_many(&ids, "replica-b", now, stale)
        .await
        .expect("claimed");
    let left = store
        .unclaimed_outbox("telegram", Lane::Bulk, stale, 10)
        .await
        .expect("read");

    // Assert: the notice alone in the reply lane, found past the 600 older bulk rows; the
    // oldest bulk rows in order, claimed by the first replica only; the next read goes on.
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].chat_id, "42");
    assert_eq!(replies[0].lane, Lane::Reply);
    assert_eq!(ids, bulk[..10]);
    assert!(first_bulk.iter().all(|row| row.lane == Lane::Bulk));
    let mut claimed = claimed;
    claimed.sort_unstable();
    assert_eq!(claimed, ids);
    assert!(again.is_empty(), "a fresh claim is not taken: {again:?}");
    let next: Vec<i64> = left.iter().map(|row| row.id).collect();
    assert_eq!(next, bulk[10..20]);
}

#[tokio::test]
async fn the_reply_lane_is_read_first_and_bulk_rows_are_claimed_once_on_sqlite() {
    let db = scratch(Backend::Sqlite, "sqlite").await.expect("SQLite");
    let store = Store::connect(db.url()).await.expect("store");
    the_reply_lane_is_read_first_and_bulk_rows_are_claimed_once(&store).await;
    store.close().await;
}

#[tokio::test]
async fn the_reply_lane_is_read_first_and_bulk_rows_are_claimed_once_on_postgresql() {
    let test = "the_reply_lane_is_read_first_and_bulk_rows_are_claimed_once_on_postgresql";
    let Some(db) = scratch(Backend::Postgres, test).await else {
        return;
    };
    let store = Store::connect(db.url()).await.expect("store");
    the_reply_lane_is_read_first_and_bulk_rows_are_claimed_once(&store).await;
    store.close().await;
    db.destroy().await;
}
