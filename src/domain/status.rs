//! Where a unit stands with its team, computed from the team's facts alone. Reports, alerts
//! and the chat all ask [`unit_status`] (storage reads the facts of a stored team), so they
//! never disagree.

use serde::{Deserialize, Serialize};

use crate::domain::{CompositionRules, MemberRole, RuleBreach, UnitLevel};

/// What the status of a team is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamFacts<'a> {
    /// The village head (or commune official) confirmed the team; otherwise it is a draft.
    pub registered: bool,
    /// The team has a leader (name and number). A registration always sets one; erasing the
    /// leader's number (`cnscd erase --phone`) leaves the team without, and incomplete.
    pub leader: bool,
    /// The members' roles, leader excluded.
    pub roles: &'a [MemberRole],
    pub decision_number: bool,
    pub decision_date: bool,
    /// The signed decision's scan was received.
    pub decision_scan: bool,
}

/// The status of a unit's team, most pressing first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitStatus {
    NoTeam,
    /// Being entered, not confirmed yet.
    Draft,
    /// Registered, but breaks its level's composition rules: these ones.
    Incomplete(Vec<RuleBreach>),
    /// Registered and well formed; the founding decision's number, date or scan is missing.
    RegisteredWithoutDecision,
    /// Registered, well formed, with the decision's number, date and scan.
    Complete,
}

/// [`UnitStatus`] without its details: what reports count and serialize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    NoTeam,
    Draft,
    Incomplete,
    RegisteredWithoutDecision,
    Complete,
}

/// The status of a unit at `level` whose team is `team` (`None`: it has none).
/// A level without composition rules (a commune where commune teams are not configured)
/// breaks no rule.
pub fn unit_status(
    rules: &CompositionRules,
    level: UnitLevel,
    team: Option<&TeamFacts<'_>>,
) -> UnitStatus {
    let Some(team) = team else {
        return UnitStatus::NoTeam;
    };
    if !team.registered {
        return UnitStatus::Draft;
    }
    let mut breaches = Vec::new();
    if !team.leader {
        breaches.push(RuleBreach::NoLeader);
    }
    breaches.extend(
        rules
            .for_level(level)
            .map(|rules| rules.breaches(team.roles))
            .unwrap_or_default(),
    );
    if !breaches.is_empty() {
        return UnitStatus::Incomplete(breaches);
    }
    if team.decision_number && team.decision_date && team.decision_scan {
        UnitStatus::Complete
    } else {
        UnitStatus::RegisteredWithoutDecision
    }
}

impl UnitStatus {
    pub fn kind(&self) -> StatusKind {
        match self {
            UnitStatus::NoTeam => StatusKind::NoTeam,
            UnitStatus::Draft => StatusKind::Draft,
            UnitStatus::Incomplete(_) => StatusKind::Incomplete,
            UnitStatus::RegisteredWithoutDecision => StatusKind::RegisteredWithoutDecision,
            UnitStatus::Complete => StatusKind::Complete,
        }
    }

    /// The rules the team breaks; empty unless [`UnitStatus::Incomplete`].
    pub fn breaches(&self) -> &[RuleBreach] {
        match self {
            UnitStatus::Incomplete(breaches) => breaches,
            _ => &[],
        }
    }
}

impl StatusKind {
    /// Confirmed by the head, whether or not it is complete.
    pub fn is_registered(self) -> bool {
        matches!(
            self,
            StatusKind::Incomplete | StatusKind::RegisteredWithoutDecision | StatusKind::Complete
        )
    }
}

#[cfg(test)]
mod tests;
