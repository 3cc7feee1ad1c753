//! The HTTP side shared by both modes: `/healthz` and `/metrics` on an address of their own
//! (never the public webhook listener), served until shutdown.

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::limits::HttpLimits;
use super::metrics::Metrics;
pub(crate) use super::server::serve_until;
use super::{health, metrics};
use crate::engine::Engine;

/// `GET /healthz` and `GET /metrics`.
pub(crate) fn ops_routes(engine: &Engine, metrics: &Metrics) -> Router {
    let health = Router::new()
        .route("/healthz", get(health::healthz))
        .with_state(engine.clone());
    let metrics = Router::new()
        .route("/metrics", get(metrics::serve_metrics))
        .with_state(metrics.clone());
    health.merge(metrics)
}

/// `/healthz` and `/metrics` beside long polling or the webhook server, in a task of their
/// own.
pub(crate) struct OpsServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl OpsServer {
    pub(crate) fn spawn(
        listener: TcpListener,
        engine: &Engine,
        metrics: &Metrics,
        limits: HttpLimits,
    ) -> OpsServer {
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve_until(
            listener,
            ops_routes(engine, metrics),
            limits,
            shutdown,
        ));
        OpsServer { stop, task }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the health and metrics server failed"),
            Err(error) => tracing::warn!(%error, "the health and metrics server task failed"),
        }
    }
}
