//! Help requests on both engines: created once per update, offered, taken by one, closed by
//! its owner only, rated once, reopened within the window, counted for the limits.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::domain::UnitLevel;
use crate::storage::scratch::{report_skipped, ScratchDb};
use crate::storage::units::{upsert_units, NewUnit};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap()
}

async fn store(db: &ScratchDb) -> Store {
    let store = Store::connect(db.url()).await.expect("a migrated database");
    let unit = |code: &str, level, parent: Option<&str>| NewUnit {
        code: code.into(),
        name: format!("U {code}"),
        kind: "x".into(),
        level,
        parent_code: parent.map(Into::into),
    };
    let units = [
        unit("30", UnitLevel::Province, None),
        unit("11083", UnitLevel::Commune, Some("30")),
        unit("11083-01", UnitLevel::Village, Some("11083")),
    ];
    let mut tx = store.begin().await.unwrap();
    upsert_units(&mut tx, &units, now()).await.unwrap();
    tx.commit().await.unwrap();
    store
}

fn asked(key: &str) -> NewRequest {
    NewRequest {
        unit_code: "11083-01".into(),
        need: "vneid".into(),
        description: Some("Quên mật khẩu".into()),
        resident_channel: "console".into(),
        resident_chat: "dan".into(),
        resident_lang: "vi".into(),
        resident_phone: Some(PhoneNumber::parse("0912345678").unwrap()),
        dedup_key: Some(key.into()),
    }
}

fn member(chat: &str) -> Owner {
    Owner {
        channel: "console".into(),
        chat: chat.into(),
        phone: Some("+84901000001".into()),
        name: format!("Member {chat}"),
        phone_shown: true,
    }
}

async fn create_now(store: &Store, key: &str) -> Option<i64> {
    let mut tx = store.begin().await.unwrap();
    let id = create(&mut tx, &asked(key), now()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn take_now(store: &Store, id: i64, version: i64, chat: &str) -> StorageResult<i64> {
    let mut tx = store.begin().await?;
    let version = take(&mut tx, id, version, &member(chat), now()).await?;
    tx.commit().await?;
    Ok(version)
}

async fn close_now(
    store: &Store,
    id: i64,
    version: i64,
    chat: &str,
    outcome: Outcome,
    at: DateTime<Utc>,
) -> StorageResult<i64> {
    let mut tx = store.begin().await?;
    let version = close(&mut tx, id, version, "console", chat, outcome, None, at).await?;
    tx.commit().await?;
    Ok(version)
}

async fn the_same_update_creates_one_request_offered_once_per_chat(store: Store) {
    let id = create_now(&store, "console:dan:1").await.unwrap();
    assert_eq!(create_now(&store, "console:dan:1").await, None);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        by_dedup(&mut tx, "console:dan:1")
            .await
            .unwrap()
            .map(|r| r.id),
        Some(id)
    );
    assert!(add_offer(&mut tx, id, "console", "a", Stage::Team, now())
        .await
        .unwrap());
    assert!(add_offer(&mut tx, id, "zalo", "b", Stage::Team, now())
        .await
        .unwrap());
    assert!(!add_offer(&mut tx, id, "console", "a", Stage::Team, now())
        .await
        .unwrap());
    assert!(was_offered(&mut tx, id, "zalo", "b").await.unwrap());
    assert!(!was_offered(&mut tx, id, "zalo", "a").await.unwrap());
    assert_eq!(offers(&mut tx, id).await.unwrap().len(), 2);
    tx.commit().await.unwrap();
    let read = store.help_request(id).await.unwrap().unwrap();
    assert_eq!(
        (read.status, read.stage, read.version, read.owner.clone()),
        (RequestStatus::Open, Stage::Team, 1, None)
    );
    assert_eq!(read.resident_phone.as_deref(), Some("+84912345678"));
    assert_eq!(read.resident_key().as_deref(), Some("console:dan"));
    assert_eq!(
        store.help_requests_of_unit("11083-01").await.unwrap().len(),
        1
    );
}

async fn two_members_taking_at_once_one_owns_it(store: Store) {
    let id = create_now(&store, "k").await.unwrap();
    let (first, second) = tokio::join!(take_now(&store, id, 1, "a"), take_now(&store, id, 1, "b"));
    assert_eq!(
        [first.is_ok(), second.is_ok()]
            .iter()
            .filter(|w| **w)
            .count(),
        1,
        "{first:?} {second:?}"
    );
    for lost in [first, second].into_iter().filter_map(Result::err) {
        assert!(matches!(lost, StorageError::Conflict), "{lost:?}");
    }
    let read = store.help_request(id).await.unwrap().unwrap();
    assert_eq!((read.status, read.version), (RequestStatus::Taken, 2));
    assert!(read.is_owned_by("console", "a") || read.is_owned_by("console", "b"));
    let taken = store
        .audit_of_unit("11083-01")
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == AuditAction::HelpTaken)
        .count();
    assert_eq!(taken, 1);
}

async fn only_the_owner_closes_and_a_resident_rates_once_then_reopens_in_time(store: Store) {
    let id = create_now(&store, "k").await.unwrap();
    let version = take_now(&store, id, 1, "a").await.unwrap();
    // Another member, or a stale version: refused.
    assert!(
        close_now(&store, id, version, "b", Outcome::Unsolved, now())
            .await
            .is_err()
    );
    assert!(close_now(&store, id, 1, "a", Outcome::Unsolved, now())
        .await
        .is_err());
    let version = close_now(&store, id, version, "a", Outcome::Unsolved, now())
        .await
        .unwrap();
    // Closed: nobody takes it any more, and it is not closed twice.
    assert!(take_now(&store, id, version, "b").await.is_err());
    assert!(close_now(&store, id, version, "a", Outcome::Solved, now())
        .await
        .is_err());
    let mut tx = store.begin().await.unwrap();
    assert!(!rate(&mut tx, id, 6, "console:dan", now()).await.unwrap());
    assert!(rate(&mut tx, id, 4, "console:dan", now()).await.unwrap());
    assert!(!rate(&mut tx, id, 5, "console:dan", now()).await.unwrap());
    // The window opened after it closed: too late to reopen.
    let late = reopen(
        &mut tx,
        id,
        version + 1,
        now() + Duration::seconds(1),
        "r",
        now(),
    )
    .await;
    assert!(matches!(late, Err(StorageError::Conflict)), "{late:?}");
    let version = reopen(
        &mut tx,
        id,
        version + 1,
        now() - Duration::days(7),
        "r",
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let read = store.help_request(id).await.unwrap().unwrap();
    assert_eq!(
        (
            read.status,
            read.owner,
            read.rating,
            read.reopened,
            read.version
        ),
        (RequestStatus::Open, None, None, 1, version)
    );
    // Taken again by another member.
    take_now(&store, id, version, "b").await.unwrap();
}

async fn an_abuse_is_neither_rated_nor_reopened(store: Store) {
    let id = create_now(&store, "k").await.unwrap();
    let version = take_now(&store, id, 1, "a").await.unwrap();
    let version = close_now(&store, id, version, "a", Outcome::Abuse, now())
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(!rate(&mut tx, id, 1, "console:dan", now()).await.unwrap());
    let reopened = reopen(&mut tx, id, version, now() - Duration::days(7), "r", now()).await;
    assert!(reopened.is_err());
    tx.commit().await.unwrap();
}

async fn the_limits_count_the_residents_open_requests_and_those_of_the_day(store: Store) {
    let first = create_now(&store, "1").await.unwrap();
    create_now(&store, "2").await.unwrap();
    let version = take_now(&store, first, 1, "a").await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(open_count(&mut tx, "console", "dan").await.unwrap(), 2);
    assert_eq!(open_count(&mut tx, "console", "other").await.unwrap(), 0);
    tx.commit().await.unwrap();
    close_now(&store, first, version, "a", Outcome::Solved, now())
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(open_count(&mut tx, "console", "dan").await.unwrap(), 1);
    let day = now() - Duration::hours(1);
    assert_eq!(
        asked_since(&mut tx, "console", "dan", day).await.unwrap(),
        2
    );
    let later = now() + Duration::hours(1);
    assert_eq!(
        asked_since(&mut tx, "console", "dan", later).await.unwrap(),
        0
    );
    tx.commit().await.unwrap();
}

mod on_both {
    use super::*;

    on_both_engines!(
        the_same_update_creates_one_request_offered_once_per_chat,
        two_members_taking_at_once_one_owns_it,
        only_the_owner_closes_and_a_resident_rates_once_then_reopens_in_time,
        an_abuse_is_neither_rated_nor_reopened,
        the_limits_count_the_residents_open_requests_and_those_of_the_day,
    );
}
