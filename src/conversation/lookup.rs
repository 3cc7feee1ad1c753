//! Data the core asks the engine for while handling a message: search results, a team card,
//! a commune's villages. The core stays pure: it names what it needs ([`Need`]), the engine
//! loads it and runs the same message again with the answer in the [`super::Context`].

use crate::domain::{MemberRole, PersonName, PhoneNumber, UnitLevel};

use super::state::Decision;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Units whose name matches `query` (residents looking for their team).
    Search { query: String },
    /// The units directly under `parent` (the whole top level when `None`).
    Children { parent: Option<String> },
    /// The public card of a unit's team, with the commune team below a village's.
    Card { code: String },
    /// A unit with its ancestors, to check access to it.
    Unit { code: String },
    /// A commune's villages with the state of their teams.
    Villages { commune: String },
    /// The campaigns whose area is `scope`, contains it or lies inside it.
    Campaigns { scope: String },
    /// A unit's registered team as its officials see it: every number.
    RegisteredTeam { code: String },
    /// The villages of divided communes whose main successor is in `province`, not yet
    /// assigned to a new commune.
    ToAssign { province: String },
    /// The people's own word on publishing these numbers, where they gave one.
    OwnWords { phones: Vec<PhoneNumber> },
    /// A commune's figures for a period and where its report stands.
    PeriodFigures {
        commune: String,
        period: crate::domain::Period,
    },
    /// How many people an announcement of `audience` in `scope` reaches, and why the
    /// others cannot be (villages quiet since `quiet_since` are behind).
    AnnouncementReach {
        scope: String,
        audience: crate::domain::announcement::Audience,
        quiet_since: chrono::NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Units(Vec<UnitEntry>),
    Card(Box<TeamCard>),
    Unit(Option<UnitTarget>),
    Villages(Vec<VillageState>),
    Campaigns(Vec<CampaignView>),
    /// `None`: no team, or only a draft.
    RegisteredTeam(Option<Box<super::Team>>),
    /// Villages to assign, each with the old commune it belonged to.
    ToAssign(Vec<(UnitEntry, String)>),
    /// Each number with an own word, and whether it says "show".
    OwnWords(Vec<(PhoneNumber, bool)>),
    /// Too many lookups from this chat in a short time.
    RateLimited,
    PeriodFigures(Box<PeriodView>),
    /// Reachable, and the others by why.
    AnnouncementReach(
        usize,
        Vec<(crate::domain::announcement::Unreachable, usize)>,
    ),
}

/// A commune's period as its officials see it before submitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodView {
    /// Entries of its villages done in the period.
    pub entries: i64,
    /// People and households helped.
    pub people: i64,
    pub households: i64,
    /// Its villages, and the names of those with no entry in the period.
    pub villages: i64,
    pub quiet: Vec<String>,
    /// Entries recorded after the period was approved, and the people they helped: not in
    /// the figures above.
    pub late_entries: i64,
    pub late_people: i64,
    /// Where its report stands; `None` before the first submission.
    pub report: Option<ReportView>,
}

/// A period report's state, as the commune's chat shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub status: crate::domain::ReportStatus,
    pub version: i64,
    /// How many times it was submitted.
    pub submissions: i64,
    pub return_reason: Option<String>,
}

/// A unit as lists and buttons show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEntry {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_name: Option<String>,
    /// Found by a former name (a commune merged into this one since): that name.
    pub formerly: Option<String>,
    /// A moved village sharing its name with another of its commune: the commune it came
    /// from ("Thôn Đông (Hưng Đạo cũ)").
    pub formerly_in: Option<String>,
}

/// A unit with what access checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTarget {
    pub entry: UnitEntry,
    /// Nearest first.
    pub ancestors: Vec<String>,
    /// In use: it has a team or an account (a village in use is not removed).
    pub has_team: bool,
    /// It has a team, draft or registered.
    pub team: bool,
    /// An account is bound to it (a village head, a commune official): something to revoke.
    pub accounts: bool,
}

/// A team as residents see it: phone numbers only where the member agreed.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicTeam {
    pub registered: bool,
    pub leader_name: Option<PersonName>,
    pub leader_phone: Option<PhoneNumber>,
    pub members: Vec<PublicMember>,
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PublicMember {
    pub name: PersonName,
    pub role: MemberRole,
    pub role_detail: Option<String>,
    /// `None` when the member has not agreed to publish it.
    pub phone: Option<PhoneNumber>,
    /// Their Zalo number when it is not their mobile, under the same agreement.
    pub zalo: Option<PhoneNumber>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamCard {
    pub unit: UnitEntry,
    pub team: Option<PublicTeam>,
    /// For a village: its commune and the commune's team, the next level of help.
    pub commune: Option<(UnitEntry, Option<PublicTeam>)>,
}

/// A deadline campaign over an area that overlaps the one asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignView {
    pub name: String,
    pub scope_name: String,
    pub deadline: chrono::NaiveDate,
    /// Its area is exactly the one asked about.
    pub same_area: bool,
}

/// Where a village's team stands, for the commune official's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageState {
    pub unit: UnitEntry,
    pub team: TeamProgress,
    /// For a commune: its villages with a registered team, and all its villages.
    pub coverage: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamProgress {
    NoTeam,
    Draft,
    Registered { members: usize },
    DecisionReceived { members: usize },
}

impl Need {
    /// Residents' lookups, which are rate-limited per chat.
    pub fn is_lookup(&self) -> bool {
        matches!(
            self,
            Need::Search { .. } | Need::Children { .. } | Need::Card { .. }
        )
    }
}
