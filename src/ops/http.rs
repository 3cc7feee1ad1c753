//! The HTTP side shared by both modes: `/healthz` and `/metrics`, and serving a router until
//! a shutdown future completes, answering the requests in flight first.

use std::future::{Future, IntoFuture};
use std::pin::pin;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::metrics::Metrics;
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

/// Serves `router` until `shutdown` completes; then stops accepting connections and waits
/// until every request in flight has been answered (axum's graceful shutdown).
pub(crate) async fn serve_until(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    // axum wants a `Send + 'static` signal; ours may borrow, so it is relayed.
    let (stop, stopped) = oneshot::channel::<()>();
    let graceful = async move {
        let _ = stopped.await;
    };
    let server = axum::serve(listener, router)
        .with_graceful_shutdown(graceful)
        .into_future();
    let mut server = pin!(server);
    tokio::select! {
        result = &mut server => result,
        () = shutdown => {
            tracing::info!("stopping: answering the requests in flight");
            let _ = stop.send(());
            server.await
        }
    }
}

/// `/healthz` and `/metrics` beside long polling, in a task of their own.
pub(crate) struct OpsServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl OpsServer {
    pub(crate) fn spawn(listener: TcpListener, engine: &Engine, metrics: &Metrics) -> OpsServer {
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve_until(listener, ops_routes(engine, metrics), shutdown));
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
