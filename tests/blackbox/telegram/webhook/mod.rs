//! Webhooks end to end: updates POSTed to replicas as Telegram does, replies going to the fake
//! Bot API server, two replicas sharing one database.

mod delivery;
mod operations;
mod startup;

use reqwest::StatusCode;

use crate::support::telegram_app::TelegramApp;
use crate::support::webhook::Replica;

/// Rows in `table` (a table the test knows exists).
async fn count(app: &TelegramApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.store.pool())
        .await
        .expect("count query")
}

/// Whether `update_id` is recorded as processed.
/// Whether the update is in the inbox.
async fn recorded(app: &TelegramApp, update_id: i64) -> bool {
    let found: Option<String> =
        sqlx::query_scalar("SELECT update_id FROM inbox WHERE update_id = $1")
            .bind(update_id.to_string())
            .fetch_optional(app.store.pool())
            .await
            .expect("inbox query");
    found.is_some()
}

/// The `/metrics` line starting with `series`, e.g. `cnscd_alerts_sent_total`.
async fn metric(replica: &Replica, series: &str) -> Option<String> {
    let (status, text) = replica.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    text.lines()
        .find(|line| line.starts_with(&format!("{series} ")))
        .map(str::to_owned)
}
