//! The HTTP server under the webhook and ops routes: axum's router on hyper's HTTP/1
//! connections, with the limits `axum::serve` lacks, so idle, half-sent or stalled
//! connections cannot pile up until the process runs out of file descriptors:
//!
//! - headers must arrive within [`HttpLimits::header_read`]. hyper's timer starts whenever
//!   a connection waits for a request, so it also closes idle keep-alive connections;
//! - a body must arrive within [`HttpLimits::body_read`] (the webhook reads it with this
//!   deadline);
//! - a whole request is answered within [`HttpLimits::request`], or gets a 503;
//! - at most [`HttpLimits::max_connections`] connections at once, at most
//!   [`HttpLimits::per_client`] of them from one client address, and
//!   [`HttpLimits::reserved`] of them kept for the known senders (Telegram's webhook ranges,
//!   a load balancer): more are closed on accept (see [`super::admission`]).
//!
//! Stopping: no new connection is accepted, idle ones are closed, the requests in flight are
//! answered, then [`serve_until`] returns; connections still open after
//! [`HttpLimits::drain`] are closed.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::{Duration, Instant};

use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::admission::{Gate, Refusal, Slot};
use super::limits::HttpLimits;
use super::log_limit::LogLimit;

/// Serves `router` until `shutdown` completes; then stops accepting connections and waits
/// until every request in flight has been answered.
pub(crate) async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let gate = Gate::new(&limits);
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    let over_cap = LogLimit::per_minute();
    let over_client = LogLimit::per_minute();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, a connection reset before accept: wait a
                    // little rather than spin, and go on.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let slot = match gate.admit(peer.ip()) {
            Ok(slot) => slot,
            Err(refusal) => {
                // Closed at once: a client that waited in the backlog would only time out
                // later.
                refused(refusal, peer, &limits, &over_cap, &over_client);
                drop(stream);
                continue;
            }
        };
        let connection =
            serve_connection(stream, router.clone(), limits.clone(), closed.clone(), slot);
        connections.spawn(connection);
    }
    tracing::info!("stopping: answering the requests in flight");
    drop(listener);
    let _ = closing.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.drain, drained).await.is_err() {
        // Telegram gets no 200 for an update cut off here and delivers it again.
        tracing::warn!(
            open = connections.len(),
            "stopping: connections still open after the drain time closed"
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// Logs a refused connection, at most once a minute for each kind. The per-client line
/// names the address: behind a load balancer it is the balancer's, which then belongs among
/// the known senders.
fn refused(
    refusal: Refusal,
    peer: SocketAddr,
    limits: &HttpLimits,
    over_cap: &LogLimit,
    over_client: &LogLimit,
) {
    let now = Instant::now();
    match refusal {
        Refusal::ClientFull => {
            if let Some(count) = over_client.event(now) {
                tracing::warn!(
                    count,
                    client = %peer.ip(),
                    limit = limits.per_client,
                    "connections over the per-client limit closed (a load balancer's address \
                     belongs in --known-senders)"
                );
            }
        }
        Refusal::Full | Refusal::OnlyReservedLeft => {
            if let Some(count) = over_cap.event(now) {
                tracing::warn!(
                    count,
                    limit = limits.max_connections,
                    reserved = limits.reserved,
                    "connections over the limit closed"
                );
            }
        }
    }
}

/// One connection until the client closes it, a limit closes it, or the server stops.
async fn serve_connection(
    stream: TcpStream,
    router: Router,
    limits: HttpLimits,
    mut closing: watch::Receiver<bool>,
    _slot: Slot,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let router = router.clone();
        async move { Ok::<_, Infallible>(answer(router, request, limits.request).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stopping(&mut closing) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        // Timeouts and clients that hang up: routine, not worth more than debug.
        tracing::debug!(%error, "HTTP connection ended");
    }
}

/// Completes when the server stops (or is gone).
async fn stopping(closing: &mut watch::Receiver<bool>) {
    let _ = closing.wait_for(|closing| *closing).await;
}

/// The router's response, or a 503 once `within` has passed.
async fn answer(router: Router, request: Request<Incoming>, within: Duration) -> Response {
    match tokio::time::timeout(within, router.oneshot(request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            tracing::warn!("an HTTP request took too long and was given up");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
