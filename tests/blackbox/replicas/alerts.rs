//! Two replicas running the alert scheduler at the same moment.

use cnscd::conversation::Incoming;
use cnscd::storage::Backend;

use super::{chat_key, seed, CHATS};
use crate::support::app::{scratch, today as start};

/// Both replicas run the alert scheduler at the same moment: every recipient gets one alert.
async fn alerts_go_out_once(backend: Backend, test: &str) {
    let Some(db) = scratch(backend, test).await else {
        return;
    };
    let (app, codes) = seed(db).await;
    let (a, b) = (app.engine.clone(), app.fresh_engine().await);
    // Each chat becomes a village head; none registers a team.
    for (chat, code) in codes.iter().enumerate() {
        let start = Incoming::Text(format!("/start {code}"));
        a.handle(&chat_key(chat), None, start).await.expect("start");
    }
    let deadline = chrono::NaiveDate::from_ymd_opt(2022, 4, 25).expect("date");
    let name = cnscd::storage::campaigns::DEFAULT_CAMPAIGN_NAME;
    a.store()
        .create_campaign(name, deadline, "11083", "test", start())
        .await
        .expect("campaign");
    let schedule = cnscd::domain::schedule::Schedule::default();
    let mut runs = Vec::new();
    for round in 0..3 {
        let now = start() + chrono::Duration::minutes(round);
        let (x, y) = tokio::join!(
            cnscd::alerts::run_due(&a, &schedule, now),
            cnscd::alerts::run_due(&b, &schedule, now),
        );
        runs.push(x.expect("alerts a"));
        runs.push(y.expect("alerts b"));
    }
    let queued: usize = runs.iter().map(|r| r.queued).sum();
    assert_eq!(
        queued, CHATS,
        "one reminder per village head, whoever ran: {runs:?}"
    );
    let outbox = a
        .store()
        .pending_outbox("console", 1000)
        .await
        .expect("outbox");
    let mut recipients: Vec<&str> = outbox.iter().map(|m| m.chat_id.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), outbox.len(), "a recipient got two alerts");
    assert_eq!(outbox.len(), CHATS);
    b.store().close().await;
    app.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_running_the_alerts_at_once_send_each_alert_once_on_sqlite() {
    alerts_go_out_once(Backend::Sqlite, "alerts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_running_the_alerts_at_once_send_each_alert_once_on_postgresql() {
    alerts_go_out_once(Backend::Postgres, "alerts").await;
}
