//! When deadline alerts go out. Pure: given a campaign's deadline, the schedule and a moment,
//! which slot is due. A slot is named by its day relative to the deadline ("D-7", "D+2"), so
//! recording (campaign, recipient, slot) makes every alert go exactly once.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use crate::clock::vietnam;

/// The alert schedule (configuration; the default follows the issue that asked for it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Days before the deadline that get a reminder.
    pub days_before: Vec<u32>,
    /// A reminder on the deadline itself.
    pub on_the_day: bool,
    /// After the deadline, every this many days while anything is overdue.
    pub overdue_every_days: u32,
    /// Local time (Asia/Ho_Chi_Minh) at which a day's alerts go out.
    pub send_at: NaiveTime,
    /// No alerts from this local time…
    pub quiet_from: NaiveTime,
    /// …until this one.
    pub quiet_until: NaiveTime,
    /// A village still missing this many days after the deadline is named in the district
    /// digest too.
    pub escalate_after_days: u32,
}

impl Default for Schedule {
    fn default() -> Schedule {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        Schedule {
            days_before: vec![7, 3, 1],
            on_the_day: true,
            overdue_every_days: 2,
            send_at: at(8),
            quiet_from: at(21),
            quiet_until: at(7),
            escalate_after_days: 3,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("cannot read the alert schedule {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the alert schedule {path} is not valid")]
    Syntax {
        path: String,
        #[source]
        source: toml::de::Error,
    },
}

impl Schedule {
    pub fn from_file(path: &std::path::Path) -> Result<Schedule, ScheduleError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScheduleError::Read {
            path: shown.clone(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ScheduleError::Syntax {
            path: shown,
            source,
        })
    }
}

/// One alert day of a campaign: its offset from the deadline in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot(pub i64);

impl Slot {
    /// "D-7", "D", "D+2".
    pub fn name(self) -> String {
        match self.0 {
            0 => "D".to_owned(),
            n if n < 0 => format!("D{n}"),
            n => format!("D+{n}"),
        }
    }

    pub fn date(self, deadline: NaiveDate) -> NaiveDate {
        deadline + Duration::days(self.0)
    }
}

impl Schedule {
    fn is_slot(&self, offset: i64) -> bool {
        match offset {
            0 => self.on_the_day,
            n if n < 0 => self.days_before.iter().any(|d| i64::from(*d) == -n),
            n => self.overdue_every_days > 0 && n % i64::from(self.overdue_every_days) == 0,
        }
    }

    fn quiet(&self, time: NaiveTime) -> bool {
        if self.quiet_from <= self.quiet_until {
            time >= self.quiet_from && time < self.quiet_until
        } else {
            time >= self.quiet_from || time < self.quiet_until
        }
    }

    /// `at`, or the end of the quiet hours it falls in: the first moment from `at` on when
    /// a message may be sent (help requests' follow-ups wait for it).
    pub fn outside_quiet(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let local = at.with_timezone(&vietnam());
        if !self.quiet(local.time()) {
            return at;
        }
        let day = if local.time() >= self.quiet_until {
            local.date_naive() + Duration::days(1)
        } else {
            local.date_naive()
        };
        match vietnam()
            .from_local_datetime(&day.and_time(self.quiet_until))
            .single()
        {
            Some(end) => end.with_timezone(&Utc),
            None => at,
        }
    }

    /// When a slot's alerts go out.
    pub fn slot_time(&self, deadline: NaiveDate, slot: Slot) -> DateTime<Utc> {
        let local = slot.date(deadline).and_time(self.send_at);
        match vietnam().from_local_datetime(&local).single() {
            Some(at) => at.with_timezone(&Utc),
            None => Utc.from_utc_datetime(&local),
        }
    }

    /// The latest slot whose time has come at `now`, if any, and if `now` is outside the quiet
    /// hours. After downtime only this latest slot is due: missed ones are caught up once,
    /// not one message each. Slots after the deadline are due only while `overdue`.
    pub fn due(&self, deadline: NaiveDate, now: DateTime<Utc>, overdue: bool) -> Option<Slot> {
        let local = now.with_timezone(&vietnam());
        if self.quiet(local.time()) {
            return None;
        }
        let today = (local.date_naive() - deadline).num_days();
        let earliest = -i64::from(self.days_before.iter().copied().max().unwrap_or(0));
        (earliest..=today)
            .rev()
            .filter(|offset| self.is_slot(*offset))
            .filter(|offset| *offset <= 0 || overdue)
            .map(Slot)
            .find(|slot| self.slot_time(deadline, *slot) <= now)
    }

    /// The next moment an alert may become due after `now` (for the scheduler's sleep).
    pub fn next_time(&self, deadline: NaiveDate, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local_today = (now.with_timezone(&vietnam()).date_naive() - deadline).num_days();
        let earliest = -i64::from(self.days_before.iter().copied().max().unwrap_or(0));
        (earliest.max(local_today - 1)..=local_today.max(0) + 400)
            .filter(|offset| self.is_slot(*offset))
            .map(|offset| self.slot_time(deadline, Slot(offset)))
            .find(|at| *at > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deadline() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 4, 25).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn reminders_fall_seven_three_and_one_days_before_and_on_the_day_at_eight() {
        let schedule = Schedule::default();
        let due = |now| schedule.due(deadline(), at(now), true).map(Slot::name);
        assert_eq!(
            due("2022-04-18T07:59:00+07:00"),
            None,
            "before the first slot"
        );
        assert_eq!(due("2022-04-18T08:00:00+07:00").as_deref(), Some("D-7"));
        assert_eq!(
            due("2022-04-21T09:00:00+07:00").as_deref(),
            Some("D-7"),
            "D-4 is no slot"
        );
        assert_eq!(due("2022-04-22T08:00:00+07:00").as_deref(), Some("D-3"));
        assert_eq!(due("2022-04-24T08:30:00+07:00").as_deref(), Some("D-1"));
        assert_eq!(due("2022-04-25T08:00:00+07:00").as_deref(), Some("D"));
        assert_eq!(due("2022-04-27T08:00:00+07:00").as_deref(), Some("D+2"));
        assert_eq!(due("2022-04-28T08:00:00+07:00").as_deref(), Some("D+2"));
        assert_eq!(due("2022-04-29T10:00:00+07:00").as_deref(), Some("D+4"));
    }

    #[test]
    fn the_shipped_schedule_file_is_the_default() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/alerts.toml");
        assert_eq!(Schedule::from_file(&path).unwrap(), Schedule::default());
    }

    #[test]
    fn nothing_is_sent_in_the_quiet_hours() {
        let schedule = Schedule::default();
        assert_eq!(
            schedule.due(deadline(), at("2022-04-22T21:30:00+07:00"), true),
            None
        );
        assert_eq!(
            schedule.due(deadline(), at("2022-04-23T06:59:00+07:00"), true),
            None
        );
        assert!(schedule
            .due(deadline(), at("2022-04-23T07:00:00+07:00"), true)
            .is_some());
    }

    #[test]
    fn after_the_deadline_alerts_go_only_while_something_is_overdue() {
        let schedule = Schedule::default();
        let now = at("2022-04-27T08:00:00+07:00");
        assert_eq!(
            schedule.due(deadline(), now, false),
            Some(Slot(0)),
            "the deadline's own slot"
        );
        assert_eq!(schedule.due(deadline(), now, true), Some(Slot(2)));
    }

    #[test]
    fn the_scheduler_wakes_at_the_next_slot() {
        let schedule = Schedule::default();
        let next = schedule.next_time(deadline(), at("2022-04-18T09:00:00+07:00"));
        assert_eq!(next, Some(at("2022-04-22T08:00:00+07:00")));
        let next = schedule.next_time(deadline(), at("2022-04-25T09:00:00+07:00"));
        assert_eq!(next, Some(at("2022-04-27T08:00:00+07:00")));
    }
}
