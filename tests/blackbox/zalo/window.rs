//! Zalo lets an OA write to a user only for a while after the user's last message. An alert
//! to an official outside that window goes to the official's other chat, linked with
//! `/lienket`; without one, the next digest of the official above (and the report) says who
//! was not reached.

use std::time::Duration;

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::Incoming;

use crate::support::fake_zalo::User;
use crate::support::zalo_app::{spawn_zalo_app, ZaloApp};

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&chrono::Utc)
}

async fn invite(app: &ZaloApp, role: cnscd::domain::AccountRole, unit: &str) -> String {
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    cnscd::invitation::create_invitation(
        &app.store,
        role,
        unit,
        chrono::Duration::days(14),
        "t",
        now,
    )
    .await
    .expect("invitation")
    .code
}

/// The chat wrote last `days` before the clock's now.
async fn last_wrote(app: &ZaloApp, chat: &str, days: i64) {
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let then =
        (now - chrono::Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query(
        "UPDATE chat_activity SET last_seen_at = $1 WHERE channel = 'zalo' AND chat_id = $2",
    )
    .bind(then)
    .bind(chat)
    .execute(app.store.pool())
    .await
    .expect("activity");
}

async fn campaign(app: &ZaloApp) {
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let deadline = cnscd::domain::decision::parse_date("25/04/2022").expect("date");
    app.store
        .create_campaign("Thành lập Tổ CNSCĐ", deadline, "298", "test", now)
        .await
        .expect("campaign");
}

async fn run_alerts(app: &ZaloApp, now: &str) {
    app.clock.set(at(now));
    let schedule = cnscd::domain::schedule::Schedule::default();
    cnscd::alerts::run_due(&app.engine, &schedule, at(now))
        .await
        .expect("alerts run");
}

async fn alerts_to(app: &ZaloApp) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT channel, chat_id, body FROM outbox WHERE dedup_key LIKE 'alert:%' ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .expect("outbox")
}

#[tokio::test]
async fn an_alert_outside_the_zalo_window_goes_to_the_officials_linked_telegram_chat() {
    // Arrange: a commune official on Zalo links a Telegram chat, then goes quiet on Zalo.
    let app = spawn_zalo_app().await;
    let official = User::new("801");
    let code = invite(&app, cnscd::domain::AccountRole::CommuneOfficial, "11083").await;
    app.say(&official.text(&format!("/start {code}"))).await;
    app.say(&official.text("/lienket")).await;
    let shown = app.zalo.sent_to("801");
    let text = shown.last().expect("the code")["text"]
        .as_str()
        .expect("text")
        .to_owned();
    let link_code: String = text
        .split_once("Mã liên kết: ")
        .expect("a code")
        .1
        .chars()
        .take(8)
        .collect();
    let telegram = ChatKey::new(ChannelName::Telegram, "9801".to_owned());
    app.engine
        .handle(
            &telegram,
            Some("1"),
            Incoming::Text(format!("/lienket {link_code}")),
        )
        .await
        .expect("typed");
    // The chat holding the role confirms (the Telegram chat's notice waits in the outbox:
    // this app runs no Telegram sender).
    let before = app.zalo.sent_to("801").len();
    assert_eq!(app.post(&official.text("/lienket ok")).await, 200);
    let linked = app.zalo.wait_for("801", before + 1).await;
    let role = app
        .store
        .account("telegram", "9801")
        .await
        .expect("account");
    campaign(&app).await;
    last_wrote(&app, "801", 8).await;
    // Act
    run_alerts(&app, "2022-04-24T08:30:00+07:00").await;
    // Assert
    let confirmed = linked.last().expect("an answer")["text"]
        .as_str()
        .expect("text");
    assert!(confirmed.contains("Đã liên kết"), "{confirmed:?}");
    assert_eq!(
        role.map(|a| (a.role, a.unit_code)),
        Some((
            cnscd::domain::AccountRole::CommuneOfficial,
            "11083".to_owned()
        )),
        "the linked chat holds the same role"
    );
    let alerts = alerts_to(&app).await;
    let chats: Vec<(&str, &str)> = alerts
        .iter()
        .map(|(c, id, _)| (c.as_str(), id.as_str()))
        .collect();
    assert_eq!(
        chats,
        vec![("telegram", "9801")],
        "one alert, to the chat that can be reached"
    );
    app.destroy().await;
}

#[tokio::test]
async fn a_linked_zalo_chat_inside_its_window_gets_the_alert_with_a_hint_to_keep_it_open() {
    // Arrange
    let app = spawn_zalo_app().await;
    let official = User::new("811");
    let code = invite(&app, cnscd::domain::AccountRole::CommuneOfficial, "11083").await;
    app.say(&official.text(&format!("/start {code}"))).await;
    campaign(&app).await;
    last_wrote(&app, "811", 1).await;
    // Act
    run_alerts(&app, "2022-04-24T08:30:00+07:00").await;
    // Assert
    let alerts = alerts_to(&app).await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].0.as_str(), alerts[0].1.as_str()),
        ("zalo", "811")
    );
    assert!(
        alerts[0].2.contains("để tiếp tục nhận thông báo qua Zalo"),
        "{}",
        alerts[0].2
    );
    app.destroy().await;
}

#[tokio::test]
async fn an_official_zalo_cannot_reach_is_named_in_the_next_digest_above() {
    // Arrange: a commune official only on Zalo, whose window closed; a district official
    // on Telegram.
    let app = spawn_zalo_app().await;
    let commune = User::new("821");
    let code = invite(&app, cnscd::domain::AccountRole::CommuneOfficial, "11083").await;
    app.say(&commune.text(&format!("/start {code}"))).await;
    let district_code = invite(&app, cnscd::domain::AccountRole::DistrictOfficial, "298").await;
    let district = ChatKey::new(ChannelName::Telegram, "9821".to_owned());
    app.engine
        .handle(
            &district,
            Some("1"),
            Incoming::Text(format!("/start {district_code}")),
        )
        .await
        .expect("district official");
    campaign(&app).await;
    last_wrote(&app, "821", 9).await;
    app.zalo.script_errors("821", &[-230]);
    // Act: the first digest is held by Zalo; the next one above names the commune.
    run_alerts(&app, "2022-04-18T08:00:00+07:00").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE chat_id = '821' AND held_at IS NOT NULL",
        )
        .fetch_one(app.store.pool())
        .await
        .expect("held");
        if held > 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the alert was not held"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    run_alerts(&app, "2022-04-24T08:30:00+07:00").await;
    let rules = cnscd::domain::CompositionRules::default_rules().expect("rules");
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let (_, report) = cnscd::report::load_report(&app.store, &rules, Some("298"), now)
        .await
        .expect("report");
    // Assert
    assert_eq!(
        report.unreached,
        vec!["Xã Đại Sơn".to_owned()],
        "the report lists them too"
    );
    let alerts = alerts_to(&app).await;
    let to_district: Vec<&String> = alerts
        .iter()
        .filter(|(c, id, _)| c == "telegram" && id == "9821")
        .map(|(_, _, body)| body)
        .collect();
    assert_eq!(to_district.len(), 2, "two digests to the district official");
    assert!(!to_district[0].contains("Chưa gửi được thông báo tới"));
    assert!(
        to_district[1].contains("Chưa gửi được thông báo tới")
            && to_district[1].contains("Xã Đại Sơn"),
        "{}",
        to_district[1]
    );
    app.destroy().await;
}
