//! Black-box tests: one binary, driving cnscd the way its users and Telegram do.

/// Runs each named `async fn(App)` of the calling module on SQLite, and again on PostgreSQL
/// when `CNSCD_TEST_POSTGRES_URL` names a server (reported as skipped otherwise). Defined
/// before the modules below, so each of them can use it.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                super::$name(App::sqlite().await).await;
            }
        )*
        mod on_postgresql {
            use super::{report_skipped, App};
            $(
                #[tokio::test]
                async fn $name() {
                    match App::postgres().await {
                        Some(app) => super::super::$name(app).await,
                        None => report_skipped(stringify!($name)),
                    }
                }
            )*
        }
    };
}

mod activities;
mod announcements;
mod crash;
mod decision;
mod engine;
mod erasure;
mod fake_telegram_smoke;
mod help_followups;
mod help_requests;
mod house;
mod outbox_lanes;
mod period_reports;
mod privacy;
mod readme;
mod reorganize;
mod replicas;
mod roles;
mod schema;
mod security;
mod support;
mod telegram;
mod transcripts;
mod typed_codes;
mod village_files;
mod zalo;
mod zalo_bot;
