//! Time, injected: production reads the system clock, tests set it.

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// Vietnam is UTC+7 all year (no daylight saving).
pub fn vietnam() -> FixedOffset {
    const SEVEN_HOURS: i32 = 7 * 3600;
    match FixedOffset::east_opt(SEVEN_HOURS) {
        Some(offset) => offset,
        None => unreachable!("+07:00 is a valid offset"),
    }
}

/// The date it is in Vietnam at `now`.
pub fn vietnam_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&vietnam()).date_naive()
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told otherwise.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vietnamese_date_turns_at_five_pm_utc() {
        let before = DateTime::parse_from_rfc3339("2022-04-24T16:59:59Z")
            .unwrap()
            .with_timezone(&Utc);
        let after = DateTime::parse_from_rfc3339("2022-04-24T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(vietnam_date(before).to_string(), "2022-04-24");
        assert_eq!(vietnam_date(after).to_string(), "2022-04-25");
    }
}
