//! The scheduler: sleeps until the next alert may be due, wakes early when a write changed a
//! status, and runs [`super::run_due`] and the help requests' follow-ups
//! ([`super::run_help_followups`]), both idempotent. A follow-up is due within minutes of
//! its time: the longest sleep bounds how late.

use std::time::Duration;

use chrono::Utc;

use crate::domain::schedule::Schedule;
use crate::engine::Engine;
use crate::storage::retention::Retention;

/// The longest sleep: a deadline changed in chat is picked up within this time.
const MAX_SLEEP: Duration = Duration::from_secs(15 * 60);

/// How often `serve` deletes what is kept only for a while (see `storage::retention`).
const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Runs alerts, and the retention purge, until the task is dropped.
pub async fn run_scheduler(engine: Engine) {
    let schedule: Schedule = engine.schedule().clone();
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        let now = engine.now();
        if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            last_purge = Some(std::time::Instant::now());
            match engine
                .store()
                .purge(&Retention::with_help(&engine.rules().help), now)
                .await
            {
                Ok(purged) => tracing::info!(?purged, "retention purge"),
                Err(error) => tracing::warn!(%error, "retention purge failed; will retry"),
            }
        }
        match super::run_due(&engine, &schedule, now).await {
            Ok(run) if run.queued > 0 => tracing::info!(queued = run.queued, "alerts queued"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "alert run failed; will retry"),
        }
        match super::run_help_followups(&engine, now).await {
            Ok(run) if run.steps > 0 => {
                tracing::info!(steps = run.steps, queued = run.queued, "help follow-ups");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "help follow-ups failed; will retry"),
        }
        let next = match engine.store().campaigns().await {
            Ok(campaigns) => campaigns
                .iter()
                .filter_map(|c| schedule.next_time(c.deadline, now))
                .min(),
            Err(_) => None,
        };
        let sleep = next
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .map_or(MAX_SLEEP, |wait| wait.min(MAX_SLEEP));
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            () = engine.status_changed() => {}
        }
    }
}
