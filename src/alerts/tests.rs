use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tempfile::TempDir;

use super::*;
use crate::chat::{ChannelName, ChatKey};
use crate::clock::ManualClock;
use crate::conversation::Incoming;
use crate::domain::{AccountRole, CompositionRules, Period};
use crate::i18n::Texts;
use crate::import::load_default_units_if_empty;
use crate::invitation::create_invitation;
use crate::storage::Store;

/// Two campaigns as a database made before the one-campaign-per-area rule may hold them.
async fn insert_campaign(store: &Store, deadline: &str, scope: &str) {
    sqlx::query(
        "INSERT INTO campaigns (name, deadline, scope_code, created_by, created_at, updated_at)
         VALUES ('Quyết định', $1, $2, 'test', '2022-04-01T00:00:00Z', '2022-04-01T00:00:00Z')",
    )
    .bind(deadline)
    .bind(scope)
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn two_overlapping_campaigns_send_each_recipient_one_digest_per_slot_from_the_narrowest() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let store = Store::connect(&url).await.unwrap();
    // 18 April 2022, 08:00 in Vietnam: 7 days before the district's deadline, 3 before the
    // commune's.
    let now = Utc.with_ymd_and_hms(2022, 4, 18, 1, 0, 0).unwrap();
    load_default_units_if_empty(&store, now).await.unwrap();
    let engine = Engine::new(
        store,
        Arc::new(Texts::load().unwrap()),
        Arc::new(CompositionRules::default_rules().unwrap()),
        Arc::new(ManualClock::new(now)),
    );
    let store = engine.store();
    for (role, unit, chat) in [
        (AccountRole::DistrictOfficial, "298", "district"),
        (AccountRole::CommuneOfficial, "11083", "commune"),
    ] {
        let code = create_invitation(store, role, unit, chrono::Duration::days(14), "t", now)
            .await
            .unwrap()
            .code;
        let chat = ChatKey::new(ChannelName::Telegram, chat);
        let start = Incoming::Text(format!("/start {code}"));
        engine.handle(&chat, None, start).await.unwrap();
    }
    insert_campaign(store, "2022-04-25", "298").await;
    insert_campaign(store, "2022-04-21", "11083").await;

    let run = run_due(&engine, engine.schedule(), now).await.unwrap();

    assert_eq!(run.due.len(), 2, "{run:?}");
    assert_eq!(run.queued, 2, "one digest each: {run:?}");
    let waiting = store.pending_outbox("telegram", 100).await.unwrap();
    let alerts: Vec<_> = waiting.iter().filter(|m| m.is_alert).collect();
    let to = |chat: &str| -> Vec<&str> {
        alerts
            .iter()
            .filter(|m| m.chat_id == chat)
            .map(|m| m.reply.text.as_str())
            .collect()
    };
    let commune = to("commune");
    assert_eq!(commune.len(), 1, "{commune:?}");
    assert!(
        commune[0].contains("21/04/2022"),
        "the commune's own: {commune:?}"
    );
    let district = to("district");
    assert_eq!(district.len(), 1, "{district:?}");
    assert!(district[0].contains("25/04/2022"), "{district:?}");

    let again = run_due(&engine, engine.schedule(), now).await.unwrap();
    assert_eq!((again.queued, again.already_sent), (0, 2), "{again:?}");
}

/// The digest names the villages whose team (registered before the cut-off) logged nothing
/// for `quiet_months`, and, to the officials above communes, the communes with a team whose
/// report for last month is not submitted after the due day.
#[tokio::test]
async fn the_digest_names_the_quiet_villages_and_the_communes_late_with_their_report() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let store = Store::connect(&url).await.unwrap();
    // 18 April 2022, 08:00 in Vietnam: 7 days before the deadline, after the 5th (March's
    // report is due), two months after 18 February (the quiet cut-off).
    let now = Utc.with_ymd_and_hms(2022, 4, 18, 1, 0, 0).unwrap();
    load_default_units_if_empty(&store, now).await.unwrap();
    let village = |code: &str, name: &str, commune: &str| crate::storage::NewUnit {
        code: code.into(),
        name: name.into(),
        kind: "Thôn".into(),
        level: crate::domain::UnitLevel::Village,
        parent_code: Some(commune.into()),
    };
    let mut tx = store.begin().await.unwrap();
    let villages = [
        village("11083-01", "Thôn Lặng", "11083"),
        village("11083-02", "Thôn Chăm", "11083"),
        village("11086-01", "Thôn Mới", "11086"),
    ];
    crate::storage::units::upsert_units(&mut tx, &villages, now)
        .await
        .unwrap();
    // Lặng and Chăm registered in January, Mới a week ago; Chăm worked in March.
    for (unit, registered) in [
        ("11083-01", "2022-01-05T02:00:00.000Z"),
        ("11083-02", "2022-01-05T02:00:00.000Z"),
        ("11086-01", "2022-04-11T02:00:00.000Z"),
    ] {
        sqlx::query(
            "INSERT INTO teams (unit_code, status, created_at, updated_at, registered_at)
             VALUES ($1, 'registered', $2, $2, $2)",
        )
        .bind(unit)
        .bind(registered)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO activities (unit_code, kind, people, done_on, source, recorded_at)
         VALUES ('11083-02', 'vneid', 4, '2022-03-10', 'import', '2022-03-10T02:00:00.000Z')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    // Đại Sơn submitted March; Hưng Đạo (a team since a week) did not.
    let march = Period::parse("2022-03").unwrap();
    crate::storage::period_reports::submit(&mut tx, "11083", march, None, "t", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let engine = Engine::new(
        store,
        Arc::new(Texts::load().unwrap()),
        Arc::new(CompositionRules::default_rules().unwrap()),
        Arc::new(ManualClock::new(now)),
    );
    let store = engine.store();
    for (role, unit, chat) in [
        (AccountRole::DistrictOfficial, "298", "district"),
        (AccountRole::CommuneOfficial, "11083", "commune"),
    ] {
        let code = create_invitation(store, role, unit, chrono::Duration::days(14), "t", now)
            .await
            .unwrap()
            .code;
        let chat = ChatKey::new(ChannelName::Telegram, chat);
        let start = Incoming::Text(format!("/start {code}"));
        engine.handle(&chat, None, start).await.unwrap();
    }
    insert_campaign(store, "2022-04-25", "298").await;

    let run = run_due(&engine, engine.schedule(), now).await.unwrap();

    assert_eq!(run.queued, 2, "{run:?}");
    let waiting = store.pending_outbox("telegram", 100).await.unwrap();
    let digest = |chat: &str| -> String {
        let found = waiting.iter().find(|m| m.is_alert && m.chat_id == chat);
        found.expect("a digest").reply.text.as_str().to_owned()
    };
    let district = digest("district");
    assert!(
        district
            .contains("1 thôn có tổ chưa ghi hoạt động nào trong 2 tháng: Thôn Lặng (Xã Đại Sơn)"),
        "{district}"
    );
    assert!(
        district.contains("1 xã chưa nộp báo cáo tháng 3/2022 (hạn ngày 05/04/2022): Xã Hưng Đạo"),
        "{district}"
    );
    let commune = digest("commune");
    assert!(
        commune.contains("1 thôn có tổ chưa ghi hoạt động nào trong 2 tháng: Thôn Lặng\n")
            || commune.ends_with("trong 2 tháng: Thôn Lặng"),
        "{commune}"
    );
    assert!(!commune.contains("chưa nộp báo cáo"), "{commune}");
}
