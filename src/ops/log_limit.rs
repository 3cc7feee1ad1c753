//! At most one log line per period for an event that may come in floods (refused webhook
//! requests, connections over the cap): a flood must not fill the disk or bury the rest of
//! the log. Every event is still counted, and the line says how many it stands for.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lets one event in each `period` be logged; counts the others.
#[derive(Debug)]
pub(crate) struct LogLimit {
    period: Duration,
    state: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    /// When the last line was written.
    last: Option<Instant>,
    /// Events since that line, not logged.
    held: u64,
}

impl LogLimit {
    pub(crate) fn new(period: Duration) -> LogLimit {
        LogLimit {
            period,
            state: Mutex::new(Window::default()),
        }
    }

    /// One line a minute.
    pub(crate) fn per_minute() -> LogLimit {
        LogLimit::new(Duration::from_secs(60))
    }

    /// An event at `now`: `Some(n)` when a line should be written for it and the `n - 1`
    /// events held back since the last line, `None` when it is only counted.
    pub(crate) fn event(&self, now: Instant) -> Option<u64> {
        // A poisoned lock: better a line too many than none.
        let Ok(mut window) = self.state.lock() else {
            return Some(1);
        };
        window.held += 1;
        let due = match window.last {
            None => true,
            Some(last) => now.saturating_duration_since(last) >= self.period,
        };
        if !due {
            return None;
        }
        window.last = Some(now);
        Some(std::mem::take(&mut window.held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_events_gives_one_line_a_minute_that_counts_them_all() {
        let limit = LogLimit::per_minute();
        let start = Instant::now();
        let second = Duration::from_secs(1);

        // 1000 events over 150 seconds, one every 150 ms.
        let lines: Vec<(u64, u64)> = (0..1000u64)
            .map(|i| {
                let at = start + Duration::from_millis(150 * i);
                (i, limit.event(at))
            })
            .filter_map(|(i, line)| line.map(|n| (i, n)))
            .collect();

        // At 0 s, 60 s (event 400) and 120 s (event 800); each counts the events since the last.
        assert_eq!(lines, [(0, 1), (400, 400), (800, 400)]);
        assert_eq!(limit.event(start + 200 * second), Some(200));
    }

    #[test]
    fn a_quiet_event_after_a_quiet_minute_is_logged_at_once() {
        let limit = LogLimit::per_minute();
        let start = Instant::now();

        assert_eq!(limit.event(start), Some(1));
        assert_eq!(limit.event(start + Duration::from_secs(59)), None);
        assert_eq!(limit.event(start + Duration::from_secs(61)), Some(2));
        assert_eq!(limit.event(start + Duration::from_secs(300)), Some(1));
    }
}
