//! Creating invitations: an unguessable code for a role at a unit, single-use and expiring,
//! stored by its hash.

use chrono::{DateTime, Duration, Utc};

use crate::domain::invitation_code::{generate_code, hash_code};
use crate::domain::{AccountRole, UnitLevel};
use crate::storage::{NewInvitation, StorageError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedInvitation {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("there is no unit with code {0:?}")]
    UnknownUnit(String),
    #[error("a {role} is invited to a {expected}, but {unit} is a {actual}")]
    WrongLevel {
        role: &'static str,
        expected: &'static str,
        unit: String,
        actual: &'static str,
    },
    #[error("{unit} ({name}) ended on {ended_on}: invite someone to the unit that took it over{}", merged_into.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Ended {
        unit: String,
        name: String,
        ended_on: String,
        merged_into: Option<String>,
    },
    #[error("province {0} still has districts: province officials serve provinces whose communes sit directly under them (since 1 July 2025; see `cnscd units reorganize`)")]
    ProvinceWithDistricts(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Creates an invitation for `role` in `unit_code`, valid for `valid_for`.
pub async fn create_invitation(
    store: &Store,
    role: AccountRole,
    unit_code: &str,
    valid_for: Duration,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<CreatedInvitation, InviteError> {
    let unit = store
        .unit(unit_code)
        .await?
        .ok_or_else(|| InviteError::UnknownUnit(unit_code.to_owned()))?;
    let expected = role.unit_level();
    if unit.level != expected {
        return Err(InviteError::WrongLevel {
            role: role.code(),
            expected: expected.as_str(),
            unit: unit.code,
            actual: unit.level.as_str(),
        });
    }
    if let Some(ended_on) = unit.ended_on.clone() {
        return Err(InviteError::Ended {
            unit: unit.code,
            name: unit.name,
            ended_on,
            merged_into: unit.merged_into,
        });
    }
    if role == AccountRole::ProvinceOfficial {
        let districts = store.children(Some(&unit.code)).await?;
        if districts
            .iter()
            .any(|u| u.level == UnitLevel::District && u.is_current())
        {
            return Err(InviteError::ProvinceWithDistricts(unit.code));
        }
    }
    let code = generate_code();
    let expires_at = now + valid_for;
    let invitation = NewInvitation {
        code_sha256: hash_code(&code),
        role,
        unit_code: unit.code,
        created_by: created_by.to_owned(),
        expires_at,
    };
    store.create_invitation(&invitation, now).await?;
    Ok(CreatedInvitation { code, expires_at })
}
