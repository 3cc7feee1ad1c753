//! Announcements on both engines: who they reach, once; acknowledgements; reminders once a
//! Vietnam day; counts read from the outbox.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::domain::UnitLevel;
use crate::i18n::Html;
use crate::storage::scratch::{report_skipped, ScratchDb};
use crate::storage::units::{upsert_units, NewUnit};
use crate::storage::Store;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 8, 2, 0, 0).unwrap()
}

fn quiet_since() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 8).unwrap()
}

/// Tỉnh 30 → Xã 11083 (Thôn 01: An heads, Bình; Thôn 02: Cường heads, Bình again; Thôn 03:
/// Dũng heads, never wrote) and Xã 11086 (Thôn 01: Em heads, outside the scope).
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
        unit("11086", UnitLevel::Commune, Some("30")),
        unit("11083-01", UnitLevel::Village, Some("11083")),
        unit("11083-02", UnitLevel::Village, Some("11083")),
        unit("11083-03", UnitLevel::Village, Some("11083")),
        unit("11086-01", UnitLevel::Village, Some("11086")),
    ];
    let mut tx = store.begin().await.unwrap();
    upsert_units(&mut tx, &units, now()).await.unwrap();
    let teams = [
        (
            "11083-01",
            "Nguyễn Văn An",
            "+84912000001",
            &[("Trần Thị Bình", "+84912000002")][..],
        ),
        (
            "11083-02",
            "Lê Văn Cường",
            "+84912000003",
            &[("Trần Thị Bình", "+84912000002")][..],
        ),
        ("11083-03", "Phạm Văn Dũng", "+84912000004", &[][..]),
        ("11086-01", "Hồ Thị Em", "+84912000005", &[][..]),
    ];
    let at = now_text(now() - Duration::days(300));
    for (code, leader, phone, members) in teams {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO teams (unit_code, status, leader_name, leader_phone, created_at,
                 updated_at, registered_at)
             VALUES ($1, 'registered', $2, $3, $4, $4, $4) RETURNING id",
        )
        .bind(code)
        .bind(leader)
        .bind(phone)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        for (position, (name, phone)) in members.iter().enumerate() {
            sqlx::query(
                "INSERT INTO members (team_id, position, full_name, role, phone, created_at)
                 VALUES ($1, $2, $3, 'other', $4, $5)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(name)
            .bind(phone)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    // An wrote from Telegram, then later from Zalo; Bình from the console; Cường is the
    // village head's account of Thôn 02; Dũng never wrote.
    let chats = [
        ("+84912000001", "telegram", "1", 5),
        ("+84912000001", "zalo", "9", 1),
        ("+84912000002", "console", "b", 2),
    ];
    for (phone, channel, chat, days_ago) in chats {
        let seen = now_text(now() - Duration::days(days_ago));
        sqlx::query(
            "INSERT INTO member_chats (phone, channel, chat_id, seen_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(phone)
        .bind(channel)
        .bind(chat)
        .bind(&seen)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO chat_activity (channel, chat_id, last_seen_at) VALUES ($1, $2, $3)",
        )
        .bind(channel)
        .bind(chat)
        .bind(&seen)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO accounts (channel, external_id, role, unit_code, created_at)
         VALUES ('console', 'c', 'village-head', '11083-02', $1)",
    )
    .bind(&at)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    store
}

fn message(id: i64) -> Reply {
    Reply::text(Html::text(&format!("announcement {id}")))
}

fn new(audience: Audience, key: Option<&str>) -> NewAnnouncement {
    NewAnnouncement {
        sender: "console:xa".into(),
        scope_code: "11083".into(),
        audience,
        text: "Tập huấn thứ Hai".into(),
        file: None,
        dedup_key: key.map(Into::into),
    }
}

async fn send_now(store: &Store, new: &NewAnnouncement) -> (Sent, Vec<Recipient>) {
    let mut tx = store.begin().await.unwrap();
    let people = recipients(&mut tx, &new.scope_code, new.audience, quiet_since())
        .await
        .unwrap();
    let sent = send(&mut tx, new, &people, &message, now()).await.unwrap();
    tx.commit().await.unwrap();
    (sent, people)
}

async fn counts_of(store: &Store, id: i64) -> Counts {
    let mut tx = store.begin().await.unwrap();
    let counts = announcement_counts(&mut tx, id).await.unwrap().unwrap();
    tx.rollback().await.unwrap();
    counts
}

async fn bulk_rows(store: &Store) -> Vec<(String, String)> {
    sqlx::query_as("SELECT channel, chat_id FROM outbox WHERE lane = 'bulk' ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

/// A chat, or why there is none.
type Reach = Result<(String, String), Unreachable>;

async fn each_person_is_reached_once_on_the_chat_they_wrote_from_last(store: Store) {
    let (sent, people) = send_now(&store, &new(Audience::All, None)).await;
    assert!(matches!(sent, Sent::New(_)));
    let reached: Vec<(&str, Reach)> = people
        .iter()
        .map(|p| (p.name.as_str(), p.chat.clone()))
        .collect();
    let chat = |c: &str, id: &str| Ok((c.to_owned(), id.to_owned()));
    assert_eq!(
        reached,
        [
            ("Nguyễn Văn An", chat("zalo", "9")),
            ("Trần Thị Bình", chat("console", "b")),
            ("Lê Văn Cường", chat("console", "c")),
            ("Phạm Văn Dũng", Err(Unreachable::NoChat)),
        ]
    );
    assert_eq!(
        bulk_rows(&store).await.len(),
        3,
        "one bulk message per reachable person"
    );
}

async fn leaders_only_reaches_the_heads(store: Store) {
    let (_, people) = send_now(&store, &new(Audience::Leaders, None)).await;
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Nguyễn Văn An", "Lê Văn Cường", "Phạm Văn Dũng"]);
    assert!(people.iter().all(|p| p.is_leader));
}

async fn the_same_update_twice_sends_once(store: Store) {
    let (first, _) = send_now(&store, &new(Audience::All, Some("telegram:1:42"))).await;
    let (again, _) = send_now(&store, &new(Audience::All, Some("telegram:1:42"))).await;
    let Sent::New(id) = first else {
        panic!("the first is new: {first:?}")
    };
    assert_eq!(again, Sent::Again(id));
    assert_eq!(bulk_rows(&store).await.len(), 3);
}

async fn a_press_counts_once_and_only_for_a_chat_it_was_sent_to(store: Store) {
    let (Sent::New(id) | Sent::Again(id)) = send_now(&store, &new(Audience::All, None)).await.0;
    let ack = |channel: &'static str, chat: &'static str| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let ack = acknowledge(&mut tx, id, channel, chat, now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            ack
        }
    };
    assert_eq!(ack("console", "b").await, Ack::First);
    assert_eq!(ack("console", "b").await, Ack::Again);
    assert_eq!(
        ack("telegram", "1").await,
        Ack::NotYours,
        "An's older chat got nothing"
    );
    let counts = counts_of(&store, id).await;
    assert_eq!(counts.acknowledged, 1);
    assert_eq!(counts.queued, 3);
    assert_eq!(
        counts.unreachable.get(&Unreachable::NoChat).unwrap(),
        &["Dũng"]
    );
}

async fn a_reminder_goes_once_a_day_to_those_who_have_not_pressed(store: Store) {
    let (Sent::New(id) | Sent::Again(id)) = send_now(&store, &new(Audience::All, None)).await.0;
    let mut tx = store.begin().await.unwrap();
    acknowledge(&mut tx, id, "console", "b", now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let remind_at = |at| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let done = remind(&mut tx, id, &message(id), at).await.unwrap();
            tx.commit().await.unwrap();
            done
        }
    };
    assert_eq!(remind_at(now()).await, Reminded::Queued(2));
    // 02:00 UTC is 09:00 in Vietnam: the next day starts at 17:00 UTC.
    let midnight = Utc.with_ymd_and_hms(2026, 12, 8, 17, 0, 0).unwrap();
    assert_eq!(
        remind_at(now() + Duration::hours(8)).await,
        Reminded::TooSoon(midnight)
    );
    assert_eq!(remind_at(midnight).await, Reminded::Queued(2));
    assert_eq!(bulk_rows(&store).await.len(), 3 + 2 + 2);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        remind(&mut tx, 999, &message(999), now()).await.unwrap(),
        Reminded::NoSuchAnnouncement
    );
}

async fn counts_read_sent_and_held_from_the_outbox(store: Store) {
    let (Sent::New(id) | Sent::Again(id)) = send_now(&store, &new(Audience::All, None)).await.0;
    let at = now_text(now());
    sqlx::query("UPDATE outbox SET sent_at = $1 WHERE channel = 'console' AND chat_id = 'b'")
        .bind(&at)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET held_at = $1, held_reason = 'window' WHERE channel = 'zalo'")
        .bind(&at)
        .execute(store.pool())
        .await
        .unwrap();
    let counts = counts_of(&store, id).await;
    assert_eq!((counts.recipients, counts.queued, counts.sent), (4, 1, 1));
    assert_eq!(
        counts.unreachable.get(&Unreachable::ZaloWindow).unwrap(),
        &["An"]
    );
    assert_eq!(
        counts.unreachable.get(&Unreachable::NoChat).unwrap(),
        &["Dũng"]
    );
    let mut tx = store.begin().await.unwrap();
    let stored = announcement(&mut tx, id).await.unwrap().unwrap();
    assert_eq!(stored.scope_name, "U 11083");
    assert_eq!(
        announcement_ids(&mut tx, Some("console:xa"), 5)
            .await
            .unwrap(),
        [id]
    );
}

mod on_both {
    use super::*;

    on_both_engines!(
        each_person_is_reached_once_on_the_chat_they_wrote_from_last,
        leaders_only_reaches_the_heads,
        the_same_update_twice_sends_once,
        a_press_counts_once_and_only_for_a_chat_it_was_sent_to,
        a_reminder_goes_once_a_day_to_those_who_have_not_pressed,
        counts_read_sent_and_held_from_the_outbox,
    );
}
