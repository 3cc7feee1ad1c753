//! Residents' requests for help, as tickets with an owner: the words of their life cycle and
//! the timings a province sets for them. The timings differ between provinces (a mountain
//! commune answers slower than a ward), so they come from the `[help]` section of the rules
//! file; without one, the defaults below apply. What a request may be asked for is the list
//! of activity kinds (`[activity]`): a solved request counts as that kind of work.

use chrono::Duration;
use serde::Deserialize;

pub mod followup;

/// Where a request is in its life (`help_requests.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Asked, and nobody has taken it yet.
    Open,
    /// A member took it and owns it.
    Taken,
    /// Closed by its owner: the resident was helped (counted as an activity).
    Solved,
    /// Closed by its owner: the resident could not be helped.
    Unsolved,
    /// Closed by the team as abuse (not a real request); counted apart, never as work.
    Abuse,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Open,
        RequestStatus::Taken,
        RequestStatus::Solved,
        RequestStatus::Unsolved,
        RequestStatus::Abuse,
    ];

    /// The text in `help_requests.status`.
    pub const fn stored(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Taken => "taken",
            RequestStatus::Solved => "solved",
            RequestStatus::Unsolved => "unsolved",
            RequestStatus::Abuse => "abuse",
        }
    }

    pub fn from_stored(text: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|s| s.stored() == text)
    }

    /// Closed: nobody is asked any more; the resident may rate it, and reopen it for
    /// [`HelpRules::reopen_days`] (not an abuse).
    pub const fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Solved | RequestStatus::Unsolved | RequestStatus::Abuse
        )
    }
}

/// Who is asked to take an open request now (`help_requests.stage`): the team first, then,
/// when nobody takes it in time, its head, then the commune's officials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Team,
    Head,
    Commune,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Team, Stage::Head, Stage::Commune];

    /// The text in `help_requests.stage` and `help_request_offers.stage`.
    pub const fn stored(self) -> &'static str {
        match self {
            Stage::Team => "team",
            Stage::Head => "head",
            Stage::Commune => "commune",
        }
    }

    pub fn from_stored(text: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.stored() == text)
    }

    /// The stage a request not taken in time escalates to; `None` from the last.
    pub const fn next(self) -> Option<Stage> {
        match self {
            Stage::Team => Some(Stage::Head),
            Stage::Head => Some(Stage::Commune),
            Stage::Commune => None,
        }
    }
}

/// The `[help]` section of the rules file. Times are in minutes (a follow-up falling in the
/// quiet hours of the alert schedule waits for their end).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HelpRules {
    /// An open request nobody took is reminded to the team after this long…
    pub remind_team_after_minutes: u32,
    /// …escalated to the head this long after it was asked…
    pub escalate_to_head_after_minutes: u32,
    /// …and to the commune's officials this long after it was asked.
    pub escalate_to_commune_after_minutes: u32,
    /// A taken request not closed: its owner is reminded this long after taking it…
    pub remind_owner_after_minutes: u32,
    /// …and it returns to the team (open again, owner cleared) this long after.
    pub return_to_team_after_minutes: u32,
    /// A closed request may be reopened by its resident for this many days.
    pub reopen_days: u32,
    /// Requests one resident (chat) may have open or taken at once.
    pub max_open_per_resident: u32,
    /// Requests one resident may ask in a day (Vietnam's day).
    pub max_per_day_per_resident: u32,
    /// The longest description a resident may write.
    pub description_max_chars: u32,
    /// Days after closing after which what names the resident (chat, phone, description) is
    /// blanked; the counts, times and rating stay.
    pub retention_days: u32,
}

impl Default for HelpRules {
    fn default() -> HelpRules {
        HelpRules {
            remind_team_after_minutes: 60,
            escalate_to_head_after_minutes: 4 * 60,
            escalate_to_commune_after_minutes: 24 * 60,
            remind_owner_after_minutes: 24 * 60,
            return_to_team_after_minutes: 72 * 60,
            reopen_days: 7,
            max_open_per_resident: 2,
            max_per_day_per_resident: 3,
            description_max_chars: 300,
            retention_days: 30,
        }
    }
}

impl HelpRules {
    pub fn remind_team_after(&self) -> Duration {
        minutes(self.remind_team_after_minutes)
    }

    pub fn escalate_after(&self, stage: Stage) -> Option<Duration> {
        match stage {
            Stage::Team => None,
            Stage::Head => Some(minutes(self.escalate_to_head_after_minutes)),
            Stage::Commune => Some(minutes(self.escalate_to_commune_after_minutes)),
        }
    }

    pub fn remind_owner_after(&self) -> Duration {
        minutes(self.remind_owner_after_minutes)
    }

    pub fn return_to_team_after(&self) -> Duration {
        minutes(self.return_to_team_after_minutes)
    }

    pub fn reopen_for(&self) -> Duration {
        Duration::days(i64::from(self.reopen_days))
    }

    pub fn retention(&self) -> Duration {
        Duration::days(i64::from(self.retention_days))
    }

    /// Why the section cannot be used, if it cannot.
    pub fn inconsistency(&self) -> Option<String> {
        if self.remind_team_after_minutes == 0 {
            return Some("[help] remind_team_after_minutes is 0".to_owned());
        }
        if !(self.remind_team_after_minutes < self.escalate_to_head_after_minutes
            && self.escalate_to_head_after_minutes < self.escalate_to_commune_after_minutes)
        {
            return Some(
                "[help] needs remind_team_after_minutes < escalate_to_head_after_minutes \
                 < escalate_to_commune_after_minutes"
                    .to_owned(),
            );
        }
        if !(0 < self.remind_owner_after_minutes
            && self.remind_owner_after_minutes < self.return_to_team_after_minutes)
        {
            return Some(
                "[help] needs 0 < remind_owner_after_minutes < return_to_team_after_minutes"
                    .to_owned(),
            );
        }
        if self.max_open_per_resident == 0 || self.max_per_day_per_resident == 0 {
            return Some("[help] a resident may ask for nothing (a limit is 0)".to_owned());
        }
        if !(10..=2000).contains(&self.description_max_chars) {
            return Some(format!(
                "[help] description_max_chars {} is not between 10 and 2000",
                self.description_max_chars
            ));
        }
        if self.retention_days == 0 || self.retention_days > 366 {
            return Some(format!(
                "[help] retention_days {} is not between 1 and 366",
                self.retention_days
            ));
        }
        None
    }
}

fn minutes(n: u32) -> Duration {
    Duration::minutes(i64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_timings_escalate_in_order_and_hold_together() {
        let rules = HelpRules::default();
        assert_eq!(rules.inconsistency(), None);
        assert!(rules.remind_team_after() < rules.escalate_after(Stage::Head).unwrap());
        assert!(
            rules.escalate_after(Stage::Head).unwrap()
                < rules.escalate_after(Stage::Commune).unwrap()
        );
        assert_eq!(Stage::Team.next(), Some(Stage::Head));
        assert_eq!(Stage::Commune.next(), None);
    }

    #[test]
    fn timings_out_of_order_or_a_zero_limit_are_refused() {
        let rules = HelpRules {
            escalate_to_head_after_minutes: 30,
            ..HelpRules::default()
        };
        assert!(rules.inconsistency().unwrap().contains("escalate"));
        let rules = HelpRules {
            max_open_per_resident: 0,
            ..HelpRules::default()
        };
        assert!(rules.inconsistency().is_some());
        let rules = HelpRules {
            retention_days: 0,
            ..HelpRules::default()
        };
        assert!(rules.inconsistency().is_some());
    }

    #[test]
    fn statuses_and_stages_read_back_as_stored() {
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_stored(status.stored()), Some(status));
        }
        for stage in Stage::ALL {
            assert_eq!(Stage::from_stored(stage.stored()), Some(stage));
        }
        assert!(RequestStatus::Abuse.is_closed());
        assert!(!RequestStatus::Taken.is_closed());
    }
}
