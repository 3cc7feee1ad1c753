//! The limits of one HTTP server: its deadlines, its connection caps, and the known senders
//! (Telegram's webhook ranges, and what the operator adds) whom the caps per client spare.

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

/// Telegram's webhook source ranges, as its Bot API documentation gives them.
pub const TELEGRAM_RANGES: [&str; 2] = ["149.154.160.0/20", "91.108.4.0/22"];

/// The ranges of [`TELEGRAM_RANGES`].
pub fn telegram_ranges() -> Vec<IpNet> {
    TELEGRAM_RANGES
        .iter()
        .map(|range| range.parse().expect("a valid range"))
        .collect()
}

/// The known senders: Telegram's webhook ranges and `more` (from `--known-senders`).
pub fn known_senders(more: &[IpNet]) -> Arc<[IpNet]> {
    let mut known = telegram_ranges();
    known.extend_from_slice(more);
    known.into()
}

/// Deadlines and the connection caps of one HTTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// From the moment a connection waits for a request (new or idle) to its last header.
    pub header_read: Duration,
    /// From the headers to the last byte of the body.
    pub body_read: Duration,
    /// From the headers to the response.
    pub request: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Connections open at once from one client address (an IPv6 client: its /64), except
    /// the known senders.
    pub per_client: usize,
    /// Of `max_connections`, how many only the known senders may take.
    pub reserved: usize,
    /// Addresses whose connections are not limited per client and may use the reserved
    /// room: Telegram's webhook ranges, and those `--known-senders` adds.
    pub known_senders: Arc<[IpNet]>,
    /// How long a stop waits for connections to finish before closing them: a client
    /// half-way through its headers would otherwise hold the stop for the header timeout.
    pub drain: Duration,
}

impl Default for HttpLimits {
    /// Telegram sends a few kilobytes over at most 100 connections (`webhook set
    /// --max-connections`) and answers within seconds; a load balancer's health check is one
    /// small GET. Ten seconds leave room for a slow mobile link without letting a slowloris
    /// hold a connection for long. One client may hold 64 connections (a load balancer not
    /// named among the known senders still carries Telegram's default 40); 128 are kept for
    /// the known senders, more than Telegram's 100 at most.
    fn default() -> HttpLimits {
        HttpLimits {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            max_connections: 1024,
            per_client: 64,
            reserved: 128,
            known_senders: known_senders(&[]),
            // Within the 10 s `serve` promises to stop in, with the outbox flush after it.
            drain: Duration::from_secs(5),
        }
    }
}
