//! Who may do what, where. Every command and button of the conversation core asks
//! [`authorize`] before acting; adapters never decide access.

use super::roles::AccountRole;
use super::units::UnitLevel;

/// Someone acting in a chat: a resident (no account) or an account bound to a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: Option<AccountRole>,
    /// The unit the account is bound to; `None` for residents.
    pub unit: Option<String>,
    /// The units whose teams list the chat's proven number (a member's own contact).
    pub member_of: Vec<String>,
}

impl Actor {
    pub fn resident() -> Actor {
        Actor {
            role: None,
            unit: None,
            member_of: Vec::new(),
        }
    }

    pub fn account(role: AccountRole, unit: impl Into<String>) -> Actor {
        Actor {
            role: Some(role),
            unit: Some(unit.into()),
            member_of: Vec::new(),
        }
    }

    /// The same actor, proven to be a member of the teams of `units`.
    pub fn member_of(mut self, units: impl IntoIterator<Item = String>) -> Actor {
        self.member_of.extend(units);
        self
    }
}

/// A unit acted upon, with its ancestors (nearest first), so scope needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub code: String,
    pub level: UnitLevel,
    pub ancestors: Vec<String>,
}

impl Target {
    /// True when `unit` is this unit or one of its ancestors.
    fn within(&self, unit: &str) -> bool {
        self.code == unit || self.ancestors.iter().any(|a| a == unit)
    }
}

/// What an account asks to do to a unit (the matrix's columns); not a button's
/// [`crate::conversation::Action`], which may ask for several or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See a team card (names, roles, consented phone numbers): public.
    ViewTeamCard,
    /// Register or edit the team of the target unit.
    RegisterTeam,
    /// Add or import villages in the target commune.
    ManageVillages,
    /// Rename or remove the target village: its own commune's official only, whatever
    /// other right over the village an account has (a district official may invite its
    /// head, not rename it).
    EditVillage,
    /// See the registration status of the target and the units below it.
    ViewStatus,
    /// Create an invitation for the head of the target village.
    InviteVillageHead,
    /// Create an invitation for an official of the target commune.
    InviteCommuneOfficial,
    /// End the access of the accounts bound to the target, one level below the actor's: the
    /// official above revokes, as the official above invites.
    RevokeAccess,
    /// Get the founding decision drafted for the target (a village's team, or a commune's
    /// villages): the commune's officials and the officials above it.
    DraftDecision,
    /// Submit the target commune's report of its teams' work for a period: its own
    /// officials.
    SubmitReport,
    /// Approve a commune's submitted report (the period locks for it): an official of the
    /// province above. District officials may not: since the 2025 reform the province
    /// decides, and where a district still stands it only watches.
    ApproveReport,
    /// Return a commune's submitted report with a reason, as [`Permission::ApproveReport`].
    ReturnReport,
    /// Log what the target's team did: a member of that team, or the account that leads it
    /// (the village head; the commune official for the commune's team).
    LogActivity,
    /// Take a resident's request for help to the target village's team (and so own it): a
    /// member of that team or its head; once it is escalated, the village's commune
    /// officials too. Whether the request is still open is the request's own rule.
    TakeRequest,
    /// Close (solved, not solved, abuse) or hand back a request of the target village: as
    /// [`Permission::TakeRequest`]; that only its owner closes it is the request's rule.
    CloseRequest,
    /// Pass a request of the target village up by hand, to the head and then the commune:
    /// a member of that team or its head.
    EscalateRequest,
    /// Send an announcement to the teams of the target area: an official of that area
    /// (a commune's to its own commune; a district's or province's to any unit within).
    Announce,
    /// Remind the recipients of an announcement to the target area who did not acknowledge
    /// it, as [`Permission::Announce`].
    RemindAnnouncement,
}

impl Permission {
    pub const ALL: [Permission; 18] = [
        Permission::ViewTeamCard,
        Permission::RegisterTeam,
        Permission::ManageVillages,
        Permission::EditVillage,
        Permission::ViewStatus,
        Permission::InviteVillageHead,
        Permission::InviteCommuneOfficial,
        Permission::RevokeAccess,
        Permission::DraftDecision,
        Permission::SubmitReport,
        Permission::ApproveReport,
        Permission::ReturnReport,
        Permission::LogActivity,
        Permission::TakeRequest,
        Permission::CloseRequest,
        Permission::EscalateRequest,
        Permission::Announce,
        Permission::RemindAnnouncement,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("this action needs an account with another role")]
    Role,
    #[error("the unit is outside the account's area")]
    Scope,
    #[error("this action does not apply to a unit of that level")]
    Level,
}

/// Where the target must be, relative to the account's unit.
enum Scope {
    /// The account's own unit.
    Own,
    /// A unit directly under the account's unit.
    Child,
    /// The account's unit or any unit below it.
    Within,
}

/// Decides whether `actor` may do `action` on `target`.
pub fn authorize(actor: &Actor, action: Permission, target: &Target) -> Result<(), Denied> {
    use AccountRole::*;
    use Permission::*;
    if action == ViewTeamCard {
        return Ok(());
    }
    let by_members = matches!(
        action,
        LogActivity | TakeRequest | CloseRequest | EscalateRequest
    );
    if by_members && actor.member_of.contains(&target.code) {
        return Ok(());
    }
    let (Some(role), Some(unit)) = (actor.role, actor.unit.as_deref()) else {
        return Err(Denied::Role);
    };
    let (scope, level) = match (role, action) {
        (VillageHead, RegisterTeam) => (Scope::Own, UnitLevel::Village),
        (CommuneOfficial, RegisterTeam) => (Scope::Own, UnitLevel::Commune),
        (CommuneOfficial, ManageVillages) => (Scope::Own, UnitLevel::Commune),
        (CommuneOfficial, EditVillage) => (Scope::Child, UnitLevel::Village),
        (_, ViewStatus) => (Scope::Within, target.level),
        (CommuneOfficial | DistrictOfficial | ProvinceOfficial, InviteVillageHead) => {
            (Scope::Within, UnitLevel::Village)
        }
        (DistrictOfficial | ProvinceOfficial, InviteCommuneOfficial) => {
            (Scope::Within, UnitLevel::Commune)
        }
        (CommuneOfficial, RevokeAccess) => (Scope::Child, UnitLevel::Village),
        // The communes of the level above, whichever it is: a district's, or (two levels
        // since 2025) a province's.
        (DistrictOfficial | ProvinceOfficial, RevokeAccess) => (Scope::Child, UnitLevel::Commune),
        (CommuneOfficial | DistrictOfficial | ProvinceOfficial, DraftDecision) => {
            match target.level {
                UnitLevel::Village | UnitLevel::Commune => (Scope::Within, target.level),
                UnitLevel::District | UnitLevel::Province => return Err(Denied::Level),
            }
        }
        (CommuneOfficial, SubmitReport) => (Scope::Own, UnitLevel::Commune),
        (ProvinceOfficial, ApproveReport | ReturnReport) => (Scope::Within, UnitLevel::Commune),
        (VillageHead, LogActivity) => (Scope::Own, UnitLevel::Village),
        (CommuneOfficial, LogActivity) => (Scope::Own, UnitLevel::Commune),
        (VillageHead, TakeRequest | CloseRequest | EscalateRequest) => {
            (Scope::Own, UnitLevel::Village)
        }
        (CommuneOfficial, TakeRequest | CloseRequest) => (Scope::Child, UnitLevel::Village),
        (CommuneOfficial, Announce | RemindAnnouncement) => (Scope::Own, UnitLevel::Commune),
        (DistrictOfficial | ProvinceOfficial, Announce | RemindAnnouncement) => {
            (Scope::Within, target.level)
        }
        _ => return Err(Denied::Role),
    };
    if target.level != level {
        return Err(Denied::Level);
    }
    let in_scope = match scope {
        Scope::Own => target.code == unit,
        Scope::Child => target.ancestors.first().map(String::as_str) == Some(unit),
        Scope::Within => target.within(unit),
    };
    if in_scope {
        Ok(())
    } else {
        Err(Denied::Scope)
    }
}

#[cfg(test)]
mod tests;
