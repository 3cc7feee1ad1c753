//! `GET /healthz`: 200 while the database answers, 503 otherwise, so a load balancer stops
//! sending updates to a replica that could not record them.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;

use crate::engine::Engine;

/// A health check that hangs is as bad as a failed one; load balancers give up after a few
/// seconds.
const TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) async fn healthz(State(engine): State<Engine>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(TIMEOUT, engine.store().ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::warn!("health check: the database took too long");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
