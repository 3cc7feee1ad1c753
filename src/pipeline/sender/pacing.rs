//! The bulk lane's pace: an announcement's messages go out at a rate the channel allows, with
//! at most [`BULK_IN_FLIGHT`] of them on their way at once, so a dialogue's reply always finds
//! room in flight and at the channel (see migration `0089_outbox_lane`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::MAX_IN_FLIGHT;
use crate::chat::ChannelName;

/// Bulk messages on their way to one channel at once: half of [`MAX_IN_FLIGHT`], the other
/// half is the replies' whatever the announcements.
pub const BULK_IN_FLIGHT: usize = MAX_IN_FLIGHT / 2;

/// How many seconds of bulk messages, at the channel's rate, the sender holds in memory at
/// once (the rest waits in the outbox). Well under the claims' staleness (15 s), so no other
/// replica takes over a row that merely waits for its turn here.
pub const BULK_AHEAD_SECONDS: f64 = 4.0;

/// Bulk messages held in memory per channel when the channel is not paced.
const BULK_HELD_UNPACED: usize = 100;

/// Messages per second of the bulk lane, per channel. The defaults:
/// - Telegram: 25 (its Bot API FAQ: "no more than 30 messages per second" in bulk
///   notifications; 5 a second are left to replies);
/// - Zalo OA and the Zalo Bot: 5. Zalo documents no figure, only an error (−32, "exceeded
///   the rate limit") that cnscd answers by waiting a minute; 5 a second sends 10,000 members
///   an announcement in 34 minutes, and is easily lowered with `--bulk-rate zalo=2`;
/// - the console: not paced (it prints).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRates {
    rates: HashMap<ChannelName, f64>,
}

impl Default for BulkRates {
    fn default() -> BulkRates {
        BulkRates {
            rates: HashMap::from([
                (ChannelName::Telegram, 25.0),
                (ChannelName::Zalo, 5.0),
                (ChannelName::ZaloBot, 5.0),
            ]),
        }
    }
}

impl BulkRates {
    /// Messages per second on `channel`; `None` when it is not paced.
    pub fn of(&self, channel: ChannelName) -> Option<f64> {
        self.rates.get(&channel).copied()
    }

    /// The same rates with `channel`'s set to `per_second`.
    pub fn with(mut self, channel: ChannelName, per_second: f64) -> BulkRates {
        self.rates.insert(channel, per_second);
        self
    }

    /// How many bulk messages of `channel` the sender holds in memory at once.
    pub fn held(&self, channel: ChannelName) -> usize {
        match self.of(channel) {
            // At least what the bulk lane may have in flight, so it is never starved.
            Some(rate) => ((rate * BULK_AHEAD_SECONDS).ceil() as usize).max(BULK_IN_FLIGHT),
            None => BULK_HELD_UNPACED,
        }
    }
}

/// Why `--bulk-rate` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulkRateError {
    #[error("{0:?} is not CHANNEL=RATE (e.g. telegram=25,zalo=5)")]
    Shape(String),
    #[error(transparent)]
    Channel(#[from] crate::chat::UnknownChannel),
    #[error("{0:?} is not a rate: messages per second, more than 0 and at most 1000")]
    Rate(String),
}

impl FromStr for BulkRates {
    type Err = BulkRateError;

    /// `telegram=25,zalo=2.5`: the channels named get these rates, the others their default.
    fn from_str(text: &str) -> Result<BulkRates, BulkRateError> {
        let mut rates = BulkRates::default();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (channel, rate) = item
                .split_once('=')
                .ok_or_else(|| BulkRateError::Shape(item.to_owned()))?;
            let channel: ChannelName = channel.trim().parse()?;
            let rate = rate.trim();
            let per_second = rate
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0 && *r <= 1000.0)
                .ok_or_else(|| BulkRateError::Rate(rate.to_owned()))?;
            rates = rates.with(channel, per_second);
        }
        Ok(rates)
    }
}

impl fmt::Display for BulkRates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rates: Vec<(&str, f64)> =
            self.rates.iter().map(|(c, r)| (c.as_str(), *r)).collect();
        rates.sort_by(|a, b| a.0.cmp(b.0));
        let written: Vec<String> = rates.iter().map(|(c, r)| format!("{c}={r}")).collect();
        f.write_str(&written.join(","))
    }
}

/// One channel's bulk pace: a turn every `1 / rate` seconds, handed out in the order asked
/// for, on tokio's clock (so a test with the clock paused counts turns per simulated second).
pub(super) struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Instant>,
    /// See [`BULK_IN_FLIGHT`].
    pub(super) room: tokio::sync::Semaphore,
}

impl Pacer {
    pub(super) fn new(per_second: Option<f64>) -> Pacer {
        Pacer {
            interval: per_second.map(|rate| Duration::from_secs_f64(1.0 / rate)),
            next: Mutex::new(Instant::now()),
            room: tokio::sync::Semaphore::new(BULK_IN_FLIGHT),
        }
    }

    /// Waits for the next turn. Never two turns closer than the interval: in any second at
    /// most `rate` of them.
    pub(super) async fn turn(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let at = (*next).max(Instant::now());
            *next = at + interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_per_channel_and_the_others_keep_their_default() {
        let rates: BulkRates = " telegram=10, zalo_bot = 2.5 ".parse().expect("rates");
        assert_eq!(rates.of(ChannelName::Telegram), Some(10.0));
        assert_eq!(rates.of(ChannelName::ZaloBot), Some(2.5));
        assert_eq!(rates.of(ChannelName::Zalo), Some(5.0));
        assert_eq!(rates.of(ChannelName::Console), None);
        assert_eq!(rates.to_string(), "telegram=10,zalo=5,zalo_bot=2.5");
        assert_eq!(BulkRates::default().held(ChannelName::Telegram), 100);
        assert_eq!(BulkRates::default().held(ChannelName::Zalo), 20);
    }

    #[test]
    fn a_rate_that_is_not_a_positive_number_of_a_known_channel_is_refused() {
        for wrong in [
            "telegram",
            "telegram=0",
            "telegram=-1",
            "telegram=fast",
            "viber=3",
        ] {
            assert!(wrong.parse::<BulkRates>().is_err(), "{wrong}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn turns_asked_for_at_once_never_come_more_than_the_rate_in_a_second() {
        // Arrange: 25 a second; 100 tasks want a turn at the same instant.
        let pacer = std::sync::Arc::new(Pacer::new(Some(25.0)));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move {
                pacer.turn().await;
                Instant::now() - start
            }));
        }

        // Act
        let mut at = Vec::new();
        for task in tasks {
            at.push(task.await.expect("a turn"));
        }

        // Assert: counted per simulated second, never more than 25; all 100 within 4 s.
        let mut per_second = HashMap::<u64, usize>::new();
        for t in &at {
            *per_second.entry(t.as_millis() as u64 / 1000).or_default() += 1;
        }
        assert!(per_second.values().all(|n| *n <= 25), "{per_second:?}");
        assert_eq!(per_second.values().sum::<usize>(), 100);
        assert!(at.iter().all(|t| *t < Duration::from_secs(4)), "{at:?}");
    }
}
