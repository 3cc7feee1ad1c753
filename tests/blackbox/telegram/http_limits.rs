//! The HTTP servers' limits and layout: `/healthz` and `/metrics` only on the ops address,
//! half-sent and stalled connections closed after their timeouts, a connection cap.

use std::time::Duration;

use cnscd::ops::server::HttpLimits;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::fake_telegram::text_update;
use crate::support::telegram_app::{spawn_app_without_bot, CHAT};
use crate::support::webhook::{start_replica, start_replica_with, Replica, PATH, SECRET};

/// Short deadlines so the test does not wait ten seconds.
fn quick_limits() -> HttpLimits {
    HttpLimits {
        header_read: Duration::from_secs(1),
        body_read: Duration::from_secs(1),
        request: Duration::from_secs(5),
        max_connections: 1024,
        drain: Duration::from_secs(5),
    }
}

/// Whether the server closes `stream` within `within`: it reads to the end (a 408 or nothing
/// first) or the connection is reset.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

/// Opens a connection to the webhook port and sends `bytes`, never the rest.
async fn half_sent(replica: &Replica, bytes: &str) -> TcpStream {
    let mut stream = TcpStream::connect(replica.addr).await.expect("connect");
    stream.write_all(bytes.as_bytes()).await.expect("write");
    stream
}

#[tokio::test]
async fn health_and_metrics_answer_on_the_ops_address_and_404_on_the_webhook_port() {
    // Arrange
    let app = spawn_app_without_bot().await;
    let replica = start_replica(&app).await;

    // Act
    let public_health = replica.get_public("/healthz").await;
    let public_metrics = replica.get_public("/metrics").await;
    let (health, _) = replica.get("/healthz").await;
    let (metrics, text) = replica.get("/metrics").await;
    let (webhook_on_ops, _) = replica.get(PATH).await;

    // Assert
    assert_eq!(public_health.0, StatusCode::NOT_FOUND);
    assert_eq!(public_metrics.0, StatusCode::NOT_FOUND);
    assert_eq!(health, StatusCode::OK);
    assert_eq!(metrics, StatusCode::OK);
    assert!(text.contains("cnscd_webhook_unauthorized_total"), "{text}");
    assert_eq!(
        webhook_on_ops,
        StatusCode::NOT_FOUND,
        "updates are not taken on the ops address"
    );
    replica.shutdown().await;
}

#[tokio::test]
async fn a_slowloris_of_300_stalled_connections_does_not_keep_a_real_update_out_and_is_closed() {
    // Arrange: 150 connections whose headers never end, 150 whose body never comes (with
    // the right secret, so the body is waited for).
    let mut app = spawn_app_without_bot().await;
    let replica = start_replica_with(&app, quick_limits()).await;
    app.deliver_to(replica.target());
    let mut stalled = Vec::new();
    for _ in 0..150 {
        let head = format!("POST {PATH} HTTP/1.1\r\nHost: bot\r\nContent-Type: appl");
        stalled.push(half_sent(&replica, &head).await);
    }
    for _ in 0..150 {
        let head = format!(
            "POST {PATH} HTTP/1.1\r\nHost: bot\r\n{}: {SECRET}\r\nContent-Type: \
             application/json\r\nContent-Length: 1000\r\n\r\n{{\"update_id\":",
            cnscd::telegram::SECRET_HEADER
        );
        stalled.push(half_sent(&replica, &head).await);
    }

    // Act
    let update_id = app.id();
    let start = text_update(update_id, CHAT, &format!("/start {}", app.invitation));
    let answered = tokio::time::timeout(Duration::from_secs(3), app.post_update(&start)).await;

    // Assert: the update got through at once and was recorded.
    assert_eq!(answered.ok(), Some(StatusCode::OK), "answered 200 in time");
    let found: Option<String> =
        sqlx::query_scalar("SELECT update_id FROM inbox WHERE update_id = $1")
            .bind(update_id.to_string())
            .fetch_optional(app.store.pool())
            .await
            .expect("inbox query");
    assert!(found.is_some(), "the update is recorded");
    // Every stalled connection is closed once its timeout (1 s) has passed.
    let mut open = 0;
    for stream in &mut stalled {
        if !closed_within(stream, Duration::from_secs(3)).await {
            open += 1;
        }
    }
    assert_eq!(open, 0, "stalled connections still open after the timeout");
    replica.shutdown().await;
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once_and_the_rest_still_served() {
    // Arrange: a cap of 4 on each server, all 4 taken by idle connections.
    let app = spawn_app_without_bot().await;
    let limits = HttpLimits {
        header_read: Duration::from_secs(30),
        max_connections: 4,
        ..quick_limits()
    };
    let replica = start_replica_with(&app, limits).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(replica.addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Act
    let mut extra = TcpStream::connect(replica.addr).await.expect("connect");
    let refused = closed_within(&mut extra, Duration::from_secs(2)).await;
    drop(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (after, _) = replica.get_public("/healthz").await;

    // Assert
    assert!(refused, "the fifth connection is closed at once");
    assert_eq!(
        after,
        StatusCode::NOT_FOUND,
        "served again once slots are free"
    );
    replica.shutdown().await;
}

#[tokio::test]
async fn a_connection_half_way_through_its_headers_does_not_hold_the_stop_beyond_the_drain_time() {
    // Arrange: headers may take 30 s, a stop drains for 1 s.
    let app = spawn_app_without_bot().await;
    let limits = HttpLimits {
        header_read: Duration::from_secs(30),
        drain: Duration::from_secs(1),
        ..quick_limits()
    };
    let replica = start_replica_with(&app, limits).await;
    let mut slow = half_sent(&replica, &format!("POST {PATH} HTTP/1.1\r\nHost: b")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Act
    let began = std::time::Instant::now();
    replica.shutdown().await;

    // Assert
    assert!(
        began.elapsed() < Duration::from_secs(4),
        "stopped in {:?}",
        began.elapsed()
    );
    assert!(closed_within(&mut slow, Duration::from_secs(1)).await);
}
