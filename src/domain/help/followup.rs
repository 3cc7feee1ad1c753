//! When a help request is followed up, decided from its facts alone (no I/O, no clock): an
//! open request nobody took reminds the team, then goes to the head, then to the commune's
//! officials; a taken one not closed reminds its owner, then returns to the team. Each step
//! is due at most once: the step done is visible in the facts it leaves (the stage moved on,
//! a follow-up after the wait began), so the same facts asked again say nothing more is due
//! until the next step's time. A step falling in the quiet hours waits for their end.
//!
//! Steps are never skipped: after downtime or a night, the steps left come one by one, each
//! spaced from the one before as the rules space them.

use chrono::{DateTime, Duration, Utc};

use super::{HelpRules, RequestStatus, Stage};
use crate::domain::schedule::Schedule;

/// What the follow-up of a request knows of it (`help_requests`' columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: RequestStatus,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    /// When its current wait began again (returned to the team, reopened); `None`: asked.
    pub waiting_since: Option<DateTime<Utc>>,
    pub taken_at: Option<DateTime<Utc>>,
    pub last_followup_at: Option<DateTime<Utc>>,
}

impl Facts {
    /// When the open request's current wait began.
    fn waiting_from(&self) -> DateTime<Utc> {
        self.waiting_since
            .map_or(self.created_at, |since| since.max(self.created_at))
    }

    /// Whether a follow-up was done after `from` (a reminder, since a wait or a taking).
    fn followed_up_after(&self, from: DateTime<Utc>) -> bool {
        self.last_followup_at.is_some_and(|at| at > from)
    }
}

/// A follow-up of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowUp {
    /// Nobody took it yet: the team it was offered to is reminded.
    RemindTeam,
    /// Nobody took it in time: offered to the head, or to the commune's officials.
    Escalate(Stage),
    /// Its owner has not closed it: reminded.
    RemindOwner,
    /// Its owner did not close it in time: open again for the team, owner cleared.
    ReturnToTeam,
}

/// The next follow-up of `facts` and the moment it is due (outside the quiet hours), if any
/// is left: closed requests and those already at the commune are not followed up.
///
/// Each step comes at its time from the start of the wait (or the taking), and never sooner
/// after the step before than the rules space them: a reminder held back by the night (or by
/// downtime) until 07:00 is followed by the head's turn three hours later, not at 07:15.
pub fn next(
    facts: &Facts,
    rules: &HelpRules,
    schedule: &Schedule,
) -> Option<(FollowUp, DateTime<Utc>)> {
    let spaced = |from: DateTime<Utc>, after: Duration, before: Duration| {
        let on_time = from + after;
        let at = match facts.last_followup_at {
            Some(last) if last > from => on_time.max(last + (after - before)),
            _ => on_time,
        };
        schedule.outside_quiet(at)
    };
    match facts.status {
        RequestStatus::Open => {
            let from = facts.waiting_from();
            if facts.stage == Stage::Team && !facts.followed_up_after(from) {
                let at = spaced(from, rules.remind_team_after(), Duration::zero());
                return Some((FollowUp::RemindTeam, at));
            }
            let stage = facts.stage.next()?;
            let after = rules.escalate_after(stage)?;
            let before = rules
                .escalate_after(facts.stage)
                .unwrap_or_else(|| rules.remind_team_after());
            Some((FollowUp::Escalate(stage), spaced(from, after, before)))
        }
        RequestStatus::Taken => {
            let taken = facts.taken_at.unwrap_or(facts.created_at);
            let remind = rules.remind_owner_after();
            if facts.followed_up_after(taken) {
                let at = spaced(taken, rules.return_to_team_after(), remind);
                Some((FollowUp::ReturnToTeam, at))
            } else {
                Some((
                    FollowUp::RemindOwner,
                    spaced(taken, remind, Duration::zero()),
                ))
            }
        }
        RequestStatus::Solved | RequestStatus::Unsolved | RequestStatus::Abuse => None,
    }
}

/// The follow-up due at `now`, if any: none in the quiet hours.
pub fn due(
    facts: &Facts,
    rules: &HelpRules,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Option<FollowUp> {
    if schedule.outside_quiet(now) != now {
        return None;
    }
    next(facts, rules, schedule)
        .filter(|(_, at)| *at <= now)
        .map(|(step, _)| step)
}

#[cfg(test)]
mod tests;
