//! The HTTP servers' limits and layout: `/healthz` and `/metrics` only on the ops address,
//! half-sent and stalled connections closed after their timeouts, a connection cap, a cap per
//! client address and room kept for the known senders.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use cnscd::ops::limits::HttpLimits;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::fake_telegram::text_update;
use crate::support::telegram_app::{spawn_app_without_bot, CHAT};
use crate::support::webhook::{start_replica, start_replica_with, Replica, PATH, SECRET};

/// Short deadlines so the test does not wait ten seconds.
fn quick_limits() -> HttpLimits {
    HttpLimits {
        header_read: Duration::from_secs(1),
        body_read: Duration::from_secs(1),
        request: Duration::from_secs(5),
        drain: Duration::from_secs(5),
        ..HttpLimits::default()
    }
}

/// A connection to `server` from the loopback address `from` (Linux routes all of
/// 127.0.0.0/8 to this machine): another client, as far as the server can tell.
async fn connect_from(from: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    let from: IpAddr = from.parse().expect("address");
    socket.bind(SocketAddr::new(from, 0)).expect("bind");
    socket.connect(server).await.expect("connect")
}

/// Whether the server closes `stream` within `within`: it reads to the end (a 408 or nothing
/// first) or the connection is reset.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

/// Opens a connection to the webhook port from `from` and sends `bytes`, never the rest.
async fn half_sent(replica: &Replica, from: &str, bytes: &str) -> TcpStream {
    let mut stream = connect_from(from, replica.addr).await;
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
    // the right secret, so the body is waited for), from ten addresses (30 each, within the
    // per-client share).
    let mut app = spawn_app_without_bot().await;
    let replica = start_replica_with(&app, quick_limits()).await;
    app.deliver_to(replica.target());
    let clients: Vec<String> = (1..=10).map(|n| format!("127.0.1.{n}")).collect();
    let mut stalled = Vec::new();
    for n in 0..150 {
        let head = format!("POST {PATH} HTTP/1.1\r\nHost: bot\r\nContent-Type: appl");
        stalled.push(half_sent(&replica, &clients[n % 10], &head).await);
    }
    for n in 0..150 {
        let head = format!(
            "POST {PATH} HTTP/1.1\r\nHost: bot\r\n{}: {SECRET}\r\nContent-Type: \
             application/json\r\nContent-Length: 1000\r\n\r\n{{\"update_id\":",
            cnscd::telegram::SECRET_HEADER
        );
        stalled.push(half_sent(&replica, &clients[n % 10], &head).await);
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
        reserved: 0,
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
    let head = format!("POST {PATH} HTTP/1.1\r\nHost: b");
    let mut slow = half_sent(&replica, "127.0.0.1", &head).await;
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

#[tokio::test]
async fn one_client_reopening_connections_holds_only_its_share_and_real_updates_still_get_in() {
    // Arrange: a cap of 16, at most 4 per client. One client keeps opening idle connections,
    // and opens a new one as each is closed (the 1,100 for a cap of 1,024).
    let mut app = spawn_app_without_bot().await;
    let limits = HttpLimits {
        header_read: Duration::from_secs(30),
        max_connections: 16,
        per_client: 4,
        reserved: 0,
        ..quick_limits()
    };
    let replica = start_replica_with(&app, limits).await;
    app.deliver_to(replica.target());
    let mut held = Vec::new();
    let mut closed = 0;
    for _ in 0..20 {
        let mut stream = connect_from("127.0.0.2", replica.addr).await;
        if closed_within(&mut stream, Duration::from_millis(200)).await {
            closed += 1;
        } else {
            held.push(stream);
        }
    }

    // Act: real updates from another address (the test's own, 127.0.0.1).
    let mut answers = Vec::new();
    for _ in 0..5 {
        let update = text_update(app.id(), CHAT, "xin chào");
        let answered = tokio::time::timeout(Duration::from_secs(3), app.post_update(&update));
        answers.push(answered.await.ok());
    }

    // Assert
    assert_eq!(held.len(), 4, "the client holds its share of 4 and no more");
    assert_eq!(closed, 16, "its other connections are closed at once");
    assert!(
        answers.iter().all(|a| *a == Some(StatusCode::OK)),
        "every real update answered 200: {answers:?}"
    );
    replica.shutdown().await;
}

#[tokio::test]
async fn the_room_kept_for_known_senders_stays_free_when_everyone_else_fills_the_server() {
    // Arrange: a cap of 6, 2 of them kept for 127.0.0.9 (as for Telegram's ranges); four
    // clients take the 4 others.
    let app = spawn_app_without_bot().await;
    let limits = HttpLimits {
        header_read: Duration::from_secs(30),
        max_connections: 6,
        per_client: 1,
        reserved: 2,
        known_senders: vec!["127.0.0.9/32".parse().expect("range")].into(),
        ..quick_limits()
    };
    let replica = start_replica_with(&app, limits).await;
    let mut others = Vec::new();
    for client in ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"] {
        others.push(connect_from(client, replica.addr).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Act
    let mut fifth = connect_from("127.0.0.6", replica.addr).await;
    let fifth_refused = closed_within(&mut fifth, Duration::from_millis(500)).await;
    let mut known = Vec::new();
    for _ in 0..2 {
        known.push(connect_from("127.0.0.9", replica.addr).await);
    }
    let mut known_refused = 0;
    for stream in &mut known {
        if closed_within(stream, Duration::from_millis(300)).await {
            known_refused += 1;
        }
    }

    // Assert
    assert!(
        fifth_refused,
        "a fifth client finds only the reserved room left"
    );
    assert_eq!(
        known_refused, 0,
        "the known sender gets both reserved connections"
    );
    replica.shutdown().await;
}
