//! Issue 25 §1, follow-up: residents' help requests nobody takes are reminded and passed up,
//! taken ones not closed are reminded and returned, what names the resident is forgotten after
//! the retention, and officials count the requests in the period report. On both engines;
//! requests are seeded with plain SQL (asking and taking are another feature's).
//!
//! A pass killed mid-way cannot half-do a step: the guarded UPDATE, its offers, audit row and
//! outbox rows commit together (`storage::help_followups`), so a restart finds the step either
//! done or still due; running the pass twice at one moment is the test of that guard.

use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::{DateTime, Duration, Utc};
use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::Incoming;
use cnscd::domain::period::Period;
use cnscd::domain::AccountRole;
use cnscd::i18n::{Lang, Texts};
use cnscd::report::period::HEADER_ROW;
use cnscd::report::{ReportFormat, ReportJob};
use cnscd::storage::retention::Retention;
use cnscd::storage::{Backend, Store};

use crate::support::app::{invitation, scratch, today, TestApp, VILLAGE};

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            use cnscd::storage::Backend;
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(Backend::Sqlite, stringify!($name)).await;
                }
            )*
        }
        mod on_postgresql {
            use cnscd::storage::Backend;
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(Backend::Postgres, stringify!($name)).await;
                }
            )*
        }
    };
}

on_both_engines!(
    the_follow_up_pass_run_twice_at_the_same_moment_queues_once,
    a_request_nobody_takes_goes_to_the_head_then_the_commune_and_the_resident_hears_once,
    a_taken_request_left_open_reminds_its_owner_then_returns_to_the_team,
    retention_blanks_what_names_the_resident_and_keeps_the_counts,
    the_period_report_counts_requests_by_state_with_mean_times_and_ratings,
    the_digest_names_villages_with_requests_nobody_took_for_a_day,
);

fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A moment in Vietnam's time, "2022-04-20 10:00".
fn vn(moment: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(&format!("{moment} +07:00"), "%Y-%m-%d %H:%M %z")
        .expect("a Vietnam time")
        .with_timezone(&Utc)
}

async fn app(backend: Backend, test: &str, villages: Option<&str>) -> Option<TestApp> {
    let db = scratch(backend, test).await?;
    let builder = TestApp::builder().on(db);
    let builder = match villages {
        Some(csv) => builder.villages(csv),
        None => builder,
    };
    Some(builder.build().await)
}

/// A request of `unit` asked at `created` by the console chat "resident", offered to the
/// team's chats "binh" and "cuong"; `status`, and the owner "binh" when it is taken.
async fn request(store: &Store, unit: &str, created: DateTime<Utc>, status: &str) -> i64 {
    let owner = (status != "open").then_some("binh");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO help_requests (unit_code, need, description, resident_channel,
             resident_chat, resident_phone, status, owner_channel, owner_chat, owner_name,
             created_at, taken_at)
         VALUES ($1, 'vneid', 'Cài VNeID cho mẹ tôi', 'console', 'resident', '+84987654321',
             $2, $3, $4, $5, $6, $7)
         RETURNING id",
    )
    .bind(unit)
    .bind(status)
    .bind(owner.map(|_| "console"))
    .bind(owner)
    .bind(owner.map(|_| "Trần Thị Bình"))
    .bind(text(created))
    .bind(owner.map(|_| text(created)))
    .fetch_one(store.pool())
    .await
    .expect("request");
    for chat in ["binh", "cuong"] {
        sqlx::query(
            "INSERT INTO help_request_offers (request_id, channel, chat_id, stage, offered_at)
             VALUES ($1, 'console', $2, 'team', $3)",
        )
        .bind(id)
        .bind(chat)
        .bind(text(created))
        .execute(store.pool())
        .await
        .expect("offer");
    }
    id
}

/// The outbox's messages to the console chat `chat`.
async fn outbox_of(store: &Store, chat: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM outbox WHERE chat_id = $1 ORDER BY id")
        .bind(chat)
        .fetch_all(store.pool())
        .await
        .expect("outbox")
}

async fn audited(store: &Store, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(store.pool())
        .await
        .expect("audit")
}

async fn row(store: &Store, id: i64) -> (String, String, Option<String>, i64, i64) {
    sqlx::query_as(
        "SELECT status, stage, owner_chat, followups, returned FROM help_requests WHERE id = $1",
    )
    .bind(id)
    .bind(id)
    .fetch_one(store.pool())
    .await
    .expect("request row")
}

async fn run(app: &TestApp, at: &str) -> cnscd::alerts::FollowUpRun {
    cnscd::alerts::run_help_followups(&app.engine, vn(at))
        .await
        .expect("the pass runs")
}

async fn the_follow_up_pass_run_twice_at_the_same_moment_queues_once(backend: Backend, test: &str) {
    let Some(app) = app(backend, test, None).await else {
        return;
    };
    let id = request(&app.store, VILLAGE, vn("2022-04-20 09:00"), "open").await;
    assert_eq!(run(&app, "2022-04-20 09:59").await.steps, 0, "not yet");
    let first = run(&app, "2022-04-20 10:00").await;
    let second = run(&app, "2022-04-20 10:00").await;
    assert_eq!((first.steps, first.queued), (1, 2), "both members reminded");
    assert_eq!((second.steps, second.queued), (0, 0), "nothing twice");
    assert_eq!(outbox_of(&app.store, "binh").await.len(), 1);
    assert_eq!(outbox_of(&app.store, "cuong").await.len(), 1);
    assert!(outbox_of(&app.store, "binh").await[0].contains("vẫn chưa có ai nhận"));
    assert_eq!(row(&app.store, id).await.3, 1, "one follow-up recorded");
    assert!(
        outbox_of(&app.store, "resident").await.is_empty(),
        "the resident is not told of a reminder to the team"
    );
}

async fn a_request_nobody_takes_goes_to_the_head_then_the_commune_and_the_resident_hears_once(
    backend: Backend,
    test: &str,
) {
    let Some(app) = app(backend, test, None).await else {
        return;
    };
    let official = invitation(&app.store, AccountRole::CommuneOfficial, "11083", today()).await;
    for (chat, code) in [("head", app.invitation.clone()), ("official", official)] {
        app.engine
            .handle(
                &ChatKey::new(ChannelName::Console, chat),
                None,
                Incoming::Text(format!("/start {code}")),
            )
            .await
            .expect("redeemed");
    }
    let before = |chat: &'static str| {
        let store = app.store.clone();
        async move { outbox_of(&store, chat).await.len() }
    };
    let (head_before, official_before) = (before("head").await, before("official").await);
    let id = request(&app.store, VILLAGE, vn("2022-04-20 09:00"), "open").await;
    run(&app, "2022-04-20 10:00").await;
    assert_eq!(run(&app, "2022-04-20 12:59").await.steps, 0);
    assert_eq!(run(&app, "2022-04-20 13:00").await.steps, 1);
    let head = outbox_of(&app.store, "head").await;
    assert_eq!(head.len(), head_before + 1, "the head is given the request");
    assert!(
        head[head_before].contains("Cài VNeID cho mẹ tôi"),
        "{head:?}"
    );
    assert_eq!(row(&app.store, id).await.1, "head");
    assert_eq!(audited(&app.store, "help.escalated").await, 1);
    // The head may now take it: they were offered it.
    let offered: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM help_request_offers WHERE request_id = $1 AND stage = 'head'",
    )
    .bind(id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(offered, 1);
    // The night is quiet; the commune's turn is the next morning at nine.
    assert_eq!(run(&app, "2022-04-20 22:00").await.steps, 0);
    assert_eq!(run(&app, "2022-04-21 08:59").await.steps, 0);
    assert_eq!(run(&app, "2022-04-21 09:00").await.steps, 1);
    let official = outbox_of(&app.store, "official").await;
    assert_eq!(
        official.len(),
        official_before + 1,
        "the commune official is asked"
    );
    assert_eq!(row(&app.store, id).await.1, "commune");
    let resident = outbox_of(&app.store, "resident").await;
    assert_eq!(resident.len(), 1, "the resident hears once: {resident:?}");
    assert!(resident[0].contains("cán bộ xã"), "{resident:?}");
    assert_eq!(
        run(&app, "2022-04-25 09:00").await.steps,
        0,
        "the last step"
    );
    assert_eq!(audited(&app.store, "help.escalated").await, 2);
}

async fn a_taken_request_left_open_reminds_its_owner_then_returns_to_the_team(
    backend: Backend,
    test: &str,
) {
    let Some(app) = app(backend, test, None).await else {
        return;
    };
    let id = request(&app.store, VILLAGE, vn("2022-04-20 09:00"), "taken").await;
    assert_eq!(run(&app, "2022-04-21 08:59").await.steps, 0);
    assert_eq!(
        run(&app, "2022-04-21 09:00").await.queued,
        1,
        "the owner only"
    );
    assert!(outbox_of(&app.store, "binh").await[0].contains("nhưng chưa đóng"));
    assert_eq!(run(&app, "2022-04-23 08:59").await.steps, 0);
    assert_eq!(run(&app, "2022-04-23 09:00").await.steps, 1);
    assert_eq!(
        row(&app.store, id).await,
        ("open".to_owned(), "team".to_owned(), None, 2, 1),
        "open again, owner cleared, counted as returned"
    );
    assert!(outbox_of(&app.store, "binh").await[1].contains("trả lại cho tổ"));
    assert!(outbox_of(&app.store, "cuong").await[0].contains("lại cần người giúp"));
    assert_eq!(audited(&app.store, "help.returned").await, 1);
    // Its ladder starts again from the return.
    assert_eq!(run(&app, "2022-04-23 09:59").await.steps, 0);
    assert_eq!(run(&app, "2022-04-23 10:00").await.steps, 1);
}

async fn retention_blanks_what_names_the_resident_and_keeps_the_counts(
    backend: Backend,
    test: &str,
) {
    let Some(app) = app(backend, test, None).await else {
        return;
    };
    let now = vn("2022-06-01 09:00");
    let old = request(&app.store, VILLAGE, now - Duration::days(40), "solved").await;
    let recent = request(&app.store, VILLAGE, now - Duration::days(40), "unsolved").await;
    let abandoned = request(&app.store, VILLAGE, now - Duration::days(31), "open").await;
    for (id, closed) in [(old, 31), (recent, 29)] {
        sqlx::query("UPDATE help_requests SET closed_at = $1, rating = 4 WHERE id = $2")
            .bind(text(now - Duration::days(closed)))
            .bind(id)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    // Asked as long ago, but reopened two days ago: its last change is recent.
    let reopened = request(&app.store, VILLAGE, now - Duration::days(40), "open").await;
    sqlx::query("UPDATE help_requests SET waiting_since = $1 WHERE id = $2")
        .bind(text(now - Duration::days(2)))
        .bind(reopened)
        .execute(app.store.pool())
        .await
        .unwrap();
    let retention = Retention::with_help(&app.rules.help);
    let purged = app.store.purge(&retention, now).await.expect("purged");
    assert_eq!(purged.help_requests, 2);
    let again = app.store.purge(&retention, now).await.expect("purged");
    assert_eq!(again.help_requests, 0, "nothing twice");
    type Kept = (
        i64,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<Kept> = sqlx::query_as(
        "SELECT id, status, rating, resident_chat, resident_phone, description,
             CASE WHEN purged_at IS NULL THEN 0 ELSE 1 END FROM help_requests ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let blank =
        |id: i64, status: &str, rating| (id, status.to_owned(), rating, None, None, None, 1);
    assert_eq!(
        rows,
        vec![
            blank(old, "solved", Some(4)),
            (
                recent,
                "unsolved".to_owned(),
                Some(4),
                Some("resident".to_owned()),
                Some("+84987654321".to_owned()),
                Some("Cài VNeID cho mẹ tôi".to_owned()),
                0
            ),
            blank(abandoned, "open", None),
            (
                reopened,
                "open".to_owned(),
                None,
                Some("resident".to_owned()),
                Some("+84987654321".to_owned()),
                Some("Cài VNeID cho mẹ tôi".to_owned()),
                0
            ),
        ],
        "the old and the abandoned forget the resident; counts, status and rating stay"
    );
}

const VILLAGES: &str = "commune_code,name,code
11083,Thôn Đông Sơn,11083-01
11083,Thôn Tây Sơn,11083-02
";

async fn the_period_report_counts_requests_by_state_with_mean_times_and_ratings(
    backend: Backend,
    test: &str,
) {
    let Some(app) = app(backend, test, Some(VILLAGES)).await else {
        return;
    };
    let store = &app.store;
    let asked = vn("2026-11-03 09:00");
    let solved = request(store, "11083-01", asked, "solved").await;
    let unsolved = request(store, "11083-01", asked, "unsolved").await;
    for (id, taken, closed, rating) in [(solved, 30, 120, 4), (unsolved, 90, 240, 2)] {
        sqlx::query(
            "UPDATE help_requests SET taken_at = $1, closed_at = $2, rating = $3 WHERE id = $4",
        )
        .bind(text(asked + Duration::minutes(taken)))
        .bind(text(asked + Duration::minutes(closed)))
        .bind(rating)
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    }
    // 1 November 00:30 in Vietnam is November's; 1 December 00:30 is not.
    request(store, "11083-01", vn("2026-11-01 00:30"), "open").await;
    request(store, "11083-01", vn("2026-12-01 00:30"), "open").await;
    let abuse = request(store, "11083-02", asked, "abuse").await;
    sqlx::query("UPDATE help_requests SET taken_at = $1, closed_at = $1 WHERE id = $2")
        .bind(text(asked + Duration::minutes(60)))
        .bind(abuse)
        .execute(store.pool())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hoat-dong.xlsx");
    let job = ReportJob {
        scope: Some("11083"),
        format: ReportFormat::Xlsx,
        out: &out,
        lang: Lang::Vi,
        now: vn("2026-12-07 10:00"),
    };
    let texts = Texts::load().unwrap();
    let period = Period::parse("2026-11").unwrap();
    cnscd::report::period::write_period_report(store, &app.rules.activity, &texts, job, period)
        .await
        .expect("the report is written");
    let mut workbook: Xlsx<_> = open_workbook(&out).expect("a workbook");
    let range = workbook
        .worksheet_range("Thôn")
        .expect("the villages' sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[HEADER_ROW as usize]
        .iter()
        .map(|c| c.to_string())
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let dong_son = rows
        .iter()
        .find(|row| row[0] == "11083-01")
        .expect("Đông Sơn's row");
    let total = rows.last().expect("the totals row");
    let number = |cell: &Data| match cell {
        Data::Float(value) => *value,
        Data::Int(value) => *value as f64,
        other => panic!("{other:?} is not a number"),
    };
    for (name, village, all) in [
        ("Yêu cầu hỗ trợ", 3.0, 4.0),
        ("Yêu cầu chưa ai nhận", 1.0, 1.0),
        ("Yêu cầu đã giải quyết", 1.0, 1.0),
        ("Yêu cầu chưa giải quyết được", 1.0, 1.0),
        ("Yêu cầu lạm dụng", 0.0, 1.0),
        ("Được nhận sau (giờ, trung bình)", 1.0, 1.0),
        ("Đóng sau (giờ, trung bình)", 3.0, 3.0),
        ("Lượt đánh giá", 2.0, 2.0),
        ("Đánh giá trung bình (1–5)", 3.0, 3.0),
    ] {
        assert_eq!(number(&dong_son[column(name)]), village, "Đông Sơn: {name}");
        assert_eq!(number(&total[column(name)]), all, "total: {name}");
    }
    let report = cnscd::report::period::load_period_report(
        store,
        &app.rules.activity,
        Some("11083"),
        period,
        vn("2026-12-07 10:00"),
    )
    .await
    .unwrap();
    let summary = cnscd::report::period::period_summary(&report, &texts, Lang::Vi);
    assert!(
        summary
            .as_str()
            .contains("Yêu cầu hỗ trợ của người dân: <b>4</b>"),
        "{}",
        summary.as_str()
    );
    assert!(summary
        .as_str()
        .contains("được nhận sau 1 giờ, đóng sau 3 giờ"));
}

async fn the_digest_names_villages_with_requests_nobody_took_for_a_day(
    backend: Backend,
    test: &str,
) {
    let Some(app) = app(backend, test, None).await else {
        return;
    };
    let code = invitation(&app.store, AccountRole::CommuneOfficial, "11083", today()).await;
    app.engine
        .handle(
            &ChatKey::new(ChannelName::Console, "official"),
            None,
            Incoming::Text(format!("/start {code}")),
        )
        .await
        .expect("redeemed");
    let deadline = chrono::NaiveDate::from_ymd_opt(2022, 4, 25).unwrap();
    let name = cnscd::storage::campaigns::DEFAULT_CAMPAIGN_NAME;
    app.store
        .create_campaign(name, deadline, "11083", "test", today())
        .await
        .expect("campaign");
    // One asked two days before the digest, one an hour before (not yet a day), one taken.
    request(&app.store, VILLAGE, vn("2022-04-20 08:00"), "open").await;
    request(&app.store, VILLAGE, vn("2022-04-22 07:00"), "open").await;
    request(&app.store, VILLAGE, vn("2022-04-20 08:00"), "taken").await;
    let before = outbox_of(&app.store, "official").await.len();
    let schedule = cnscd::domain::schedule::Schedule::default();
    cnscd::alerts::run_due(&app.engine, &schedule, vn("2022-04-22 08:00"))
        .await
        .expect("alerts");
    let digest = outbox_of(&app.store, "official").await;
    assert_eq!(digest.len(), before + 1, "one digest");
    assert!(
        digest[before]
            .contains("1 yêu cầu hỗ trợ của người dân chưa ai nhận quá 1 ngày: Thôn Đông Sơn"),
        "{}",
        digest[before]
    );
}
