//! The report of a scope: counts per commune and in total, role composition, decisions.
//! Plain data (serde), built from a [`Sweep`](crate::storage::Sweep) by [`super::build`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::status::StatusKind;
use crate::domain::MemberRole;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `None`: the whole country.
    pub scope_code: Option<String>,
    pub scope_name: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// One row per commune of the scope (or the commune of a village scope), in tree order.
    pub communes: Vec<AreaRow>,
    /// One row per unit just under the scope when communes are further down (provinces of
    /// the country, districts of a province); empty otherwise.
    pub areas: Vec<AreaRow>,
    /// The villages of the scope and their teams.
    pub totals: Counts,
    /// The communes of the scope and their own (commune-level) teams.
    pub commune_teams: Counts,
    /// Members of registered teams per role, in the order of [`MemberRole::ALL`]; roles
    /// nobody holds are left out.
    pub roles: Vec<RoleCount>,
    /// Communes of the scope with no village listed: their coverage is unknown, not 0 %, and
    /// they are a gap of their own.
    #[serde(default)]
    pub communes_without_villages: usize,
    /// Villages of divided communes not yet assigned to a new commune (after a
    /// reorganisation), per old commune: (old name, villages). Counted in no commune above.
    #[serde(default)]
    pub to_assign: Vec<(String, usize)>,
    /// Units below the scope whose official a deadline alert could not reach (Zalo outside
    /// its window, no other chat).
    #[serde(default)]
    pub unreached: Vec<String>,
    /// The founding decisions received (registered teams with a number and a date), by unit
    /// code.
    pub decisions: Vec<DecisionEntry>,
}

/// A commune, or a larger area, and the teams of its villages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    /// The unit it belongs to (a commune's district or province).
    pub parent_name: Option<String>,
    /// A commune's own team; `None` for a larger area or a commune outside the scope.
    pub commune_team: Option<StatusKind>,
    pub counts: Counts,
}

/// Units and the state of their teams.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Villages (or communes, for commune teams).
    pub units: usize,
    /// Confirmed teams, complete or not.
    pub registered: usize,
    pub drafts: usize,
    /// Registered teams that break the composition rules.
    pub incomplete: usize,
    /// Registered teams whose decision number and date were given.
    pub with_decision: usize,
    /// Registered, well-formed teams with the decision's number, date and scan.
    pub complete: usize,
    /// Members of registered teams, leaders excluded.
    pub members: usize,
    /// Units with a registered team per 100 units, to one decimal.
    pub coverage_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCount {
    pub role: MemberRole,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionEntry {
    pub unit_code: String,
    pub unit_name: String,
    pub commune_name: Option<String>,
    pub number: String,
    pub date: NaiveDate,
    /// The signed scan was received.
    pub scan: bool,
}

/// What one team adds to the counts.
pub(crate) struct Tally {
    pub status: StatusKind,
    pub members: usize,
    pub with_decision: bool,
}

impl Counts {
    pub(crate) fn add(&mut self, team: &Tally) {
        self.units += 1;
        match team.status {
            StatusKind::NoTeam => {}
            StatusKind::Draft => self.drafts += 1,
            StatusKind::Incomplete => self.incomplete += 1,
            StatusKind::RegisteredWithoutDecision => {}
            StatusKind::Complete => self.complete += 1,
        }
        if team.status.is_registered() {
            self.registered += 1;
            self.members += team.members;
            self.with_decision += usize::from(team.with_decision);
        }
    }

    pub(crate) fn merge(&mut self, other: &Counts) {
        self.units += other.units;
        self.registered += other.registered;
        self.drafts += other.drafts;
        self.incomplete += other.incomplete;
        self.with_decision += other.with_decision;
        self.complete += other.complete;
        self.members += other.members;
    }

    /// Sets [`Counts::coverage_percent`] from the counts.
    pub(crate) fn finish(&mut self) {
        self.coverage_percent = match self.units {
            0 => 0.0,
            units => (self.registered as f64 * 1000.0 / units as f64).round() / 10.0,
        };
    }

    /// Units without any team, not even a draft.
    pub fn without_team(&self) -> usize {
        self.units - self.registered - self.drafts
    }
}

impl Report {
    /// The rows a short summary or a chart shows: areas when there are, communes otherwise.
    pub fn overview_rows(&self) -> &[AreaRow] {
        if self.areas.is_empty() {
            &self.communes
        } else {
            &self.areas
        }
    }
}
