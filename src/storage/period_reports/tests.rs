//! Period reports on both engines: the steps, the guards, decisions racing each other.

use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::UnitLevel;
use crate::storage::scratch::{report_skipped, ScratchDb};
use crate::storage::units::{upsert_units, NewUnit};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap()
}

fn november() -> Period {
    Period::parse("2026-11").unwrap()
}

/// Tỉnh 30 → Xã 11083 (Thôn 11083-01, 11083-02), Xã 11086; Tỉnh 31 → Xã 11074.
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
        unit("31", UnitLevel::Province, None),
        unit("11083", UnitLevel::Commune, Some("30")),
        unit("11086", UnitLevel::Commune, Some("30")),
        unit("11074", UnitLevel::Commune, Some("31")),
        unit("11083-01", UnitLevel::Village, Some("11083")),
        unit("11083-02", UnitLevel::Village, Some("11083")),
    ];
    let mut tx = store.begin().await.unwrap();
    upsert_units(&mut tx, &units, now()).await.unwrap();
    tx.commit().await.unwrap();
    store
}

async fn activity(store: &Store, unit: &str, people: i64, households: Option<i64>, day: &str) {
    sqlx::query(
        "INSERT INTO activities (unit_code, kind, people, households, done_on, source, recorded_at)
         VALUES ($1, 'public_services', $2, $3, $4, 'console', $5)",
    )
    .bind(unit)
    .bind(people)
    .bind(households)
    .bind(day)
    .bind(now_text(now()))
    .execute(store.pool())
    .await
    .unwrap();
}

async fn submit_now(store: &Store, based_on: Option<i64>) -> StorageResult<i64> {
    let mut tx = store.begin().await?;
    let version = submit(&mut tx, "11083", november(), based_on, "console:xa", now()).await?;
    tx.commit().await?;
    Ok(version)
}

async fn decide_now(store: &Store, version: i64, decision: &Decision) -> StorageResult<i64> {
    let mut tx = store.begin().await?;
    let by = "console:tinh";
    let version = decide(&mut tx, "11083", november(), version, decision, by, now()).await?;
    tx.commit().await?;
    Ok(version)
}

fn returned() -> Decision {
    Decision::Return {
        reason: "Thiếu số hộ".into(),
    }
}

async fn submit_return_resubmit_approve(store: Store) {
    assert_eq!(submit_now(&store, None).await.unwrap(), 1);
    // Submitted twice (a button pressed again): the second finds it there.
    assert!(matches!(
        submit_now(&store, None).await,
        Err(StorageError::ReportChanged)
    ));
    // Not returned: the commune cannot submit over a report waiting for a decision.
    assert!(matches!(
        submit_now(&store, Some(1)).await,
        Err(StorageError::ReportChanged)
    ));
    assert_eq!(decide_now(&store, 1, &returned()).await.unwrap(), 2);
    let read = store
        .period_report("11083", november())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.status, ReportStatus::Returned);
    assert_eq!(read.return_reason.as_deref(), Some("Thiếu số hộ"));
    assert_eq!(read.decided_by.as_deref(), Some("console:tinh"));
    // Approving the returned report, on the version it was returned at: refused.
    assert!(matches!(
        decide_now(&store, 2, &Decision::Approve).await,
        Err(StorageError::ReportChanged)
    ));
    assert_eq!(submit_now(&store, Some(2)).await.unwrap(), 3);
    let read = store
        .period_report("11083", november())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (read.status, read.submissions, read.return_reason),
        (ReportStatus::Submitted, 2, None)
    );
    // A decision made on the first submission reaches the second one: refused.
    assert!(matches!(
        decide_now(&store, 1, &Decision::Approve).await,
        Err(StorageError::ReportChanged)
    ));
    assert_eq!(decide_now(&store, 3, &Decision::Approve).await.unwrap(), 4);
    let read = store
        .period_report("11083", november())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read.status, read.version), (ReportStatus::Approved, 4));
    let actions: Vec<&str> = store
        .audit_of_unit("11083")
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.stored())
        .collect();
    assert_eq!(
        actions,
        [
            "period_report.submitted",
            "period_report.returned",
            "period_report.submitted",
            "period_report.approved"
        ]
    );
}

async fn two_officials_deciding_at_once_one_wins(store: Store) {
    submit_now(&store, None).await.unwrap();
    // Both read version 1; both try in their own transaction, side by side.
    let returning = returned();
    let (approved, returned) = tokio::join!(
        decide_now(&store, 1, &Decision::Approve),
        decide_now(&store, 1, &returning)
    );
    let won = [approved.is_ok(), returned.is_ok()];
    assert_eq!(
        won.iter().filter(|w| **w).count(),
        1,
        "{approved:?} {returned:?}"
    );
    for lost in [approved, returned].into_iter().filter_map(Result::err) {
        assert!(matches!(lost, StorageError::ReportChanged), "{lost:?}");
    }
    let read = store
        .period_report("11083", november())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.version, 2);
    let decided = store.audit_of_unit("11083").await.unwrap().len();
    assert_eq!(
        decided, 2,
        "one submission and one decision in the audit log"
    );
}

async fn the_period_locks_on_approval_and_pending_reports_are_the_provinces(store: Store) {
    let day = NaiveDate::from_ymd_opt(2026, 11, 14).unwrap();
    assert_eq!(store.period_locked_at("11083", day).await.unwrap(), None);
    submit_now(&store, None).await.unwrap();
    assert_eq!(store.pending_period_reports("30").await.unwrap().len(), 1);
    assert!(store.pending_period_reports("31").await.unwrap().is_empty());
    assert_eq!(store.period_locked_at("11083", day).await.unwrap(), None);
    decide_now(&store, 1, &Decision::Approve).await.unwrap();
    assert!(store.pending_period_reports("30").await.unwrap().is_empty());
    assert_eq!(
        store.period_locked_at("11083", day).await.unwrap(),
        Some(now())
    );
    // Another month, another commune: not locked.
    let december = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    assert_eq!(
        store.period_locked_at("11083", december).await.unwrap(),
        None
    );
    assert_eq!(store.period_locked_at("11086", day).await.unwrap(), None);
    let reported = store.communes_reported("30", november()).await.unwrap();
    assert_eq!(reported.into_iter().collect::<Vec<_>>(), ["11083"]);
}

async fn the_figures_count_the_communes_villages_in_the_period(store: Store) {
    activity(&store, "11083-01", 12, Some(5), "2026-11-03").await;
    activity(&store, "11083-01", 3, None, "2026-11-30").await;
    // Outside the period, and another commune's village: not counted.
    activity(&store, "11083-02", 40, Some(9), "2026-10-31").await;
    let mut tx = store.begin().await.unwrap();
    let read = figures(&mut tx, "11083", november()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        read,
        PeriodFigures {
            entries: 2,
            people: 15,
            households: 5,
            villages: 2,
            quiet: vec!["U 11083-02".into()],
            late_entries: 0,
            late_people: 0,
        }
    );
}

async fn a_village_is_quiet_when_its_team_older_than_the_cut_off_logged_nothing_since(
    store: Store,
) {
    let team = |unit: &'static str, registered_at: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query(
                "INSERT INTO teams (unit_code, status, created_at, updated_at, registered_at)
                 VALUES ($1, 'registered', $2, $2, $2)",
            )
            .bind(unit)
            .bind(registered_at)
            .execute(store.pool())
            .await
            .unwrap();
        }
    };
    // 11083-01: registered long ago, last entry before the cut-off; 11083-02: registered
    // after the cut-off (not had the time); 11086's: none.
    team("11083-01", "2026-01-10T02:00:00.000Z").await;
    team("11083-02", "2026-11-20T02:00:00.000Z").await;
    activity(&store, "11083-01", 5, None, "2026-09-30").await;
    let since = NaiveDate::from_ymd_opt(2026, 10, 3).unwrap();
    let quiet = store.quiet_villages("30", since).await.unwrap();
    assert_eq!(quiet.into_iter().collect::<Vec<_>>(), ["11083-01"]);
    activity(&store, "11083-01", 5, None, "2026-10-03").await;
    assert!(store.quiet_villages("30", since).await.unwrap().is_empty());
}

mod on_both {
    use super::*;

    on_both_engines!(
        submit_return_resubmit_approve,
        two_officials_deciding_at_once_one_wins,
        the_period_locks_on_approval_and_pending_reports_are_the_provinces,
        the_figures_count_the_communes_villages_in_the_period,
        a_village_is_quiet_when_its_team_older_than_the_cut_off_logged_nothing_since,
    );
}
