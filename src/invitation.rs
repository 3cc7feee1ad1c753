//! Creating invitation codes: unguessable, single-use, expiring.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::domain::invitation_code::{self, InvitationCode};
use crate::domain::{AccountRole, UnitLevel};
use crate::storage::{NewInvitation, StorageError, Store};

/// The SHA-256 a code is stored under: an invitation code's canonical form (however it was
/// typed), anything else (an 8-digit link code) trimmed.
pub fn hash_code(code: &str) -> String {
    match InvitationCode::parse(code) {
        Some(code) => code.sha256(),
        None => hex::encode(Sha256::digest(code.trim().as_bytes())),
    }
}

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

/// A fresh invitation code, as shown (`K7QM-2XPA-3BCD-4EFG-5HJK`): 20 symbols without
/// look-alikes from the OS-seeded CSPRNG, about 99 bits, typable from paper and valid in a
/// Telegram deep link (`?start=` takes at most 64 of `[A-Za-z0-9_-]`). The rare draw without
/// two digits and two letters is drawn again, so that a code never reads like a word.
pub fn generate_code() -> String {
    let alphabet = invitation_code::ALPHABET;
    loop {
        let symbols: String = (0..invitation_code::LENGTH)
            .map(|_| char::from(alphabet[rand::rngs::OsRng.gen_range(0..alphabet.len())]))
            .collect();
        if let Some(code) = InvitationCode::parse(&symbols) {
            return code.shown();
        }
    }
}

/// The link that opens the bot with the code: `https://t.me/<bot>?start=<code>`.
pub fn telegram_deep_link(bot_username: &str, code: &str) -> String {
    format!(
        "https://t.me/{}?start={code}",
        bot_username.trim_start_matches('@')
    )
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn fresh_codes_are_grouped_typable_and_distinct() {
        let codes: std::collections::HashSet<String> = (0..1000).map(|_| generate_code()).collect();
        assert_eq!(codes.len(), 1000);
        for code in &codes {
            assert_eq!(code.len(), 24, "{code}");
            assert_eq!(code.matches('-').count(), 4, "{code}");
            let parsed = InvitationCode::parse(code).expect("a code");
            assert_eq!(parsed.shown(), *code);
            assert_eq!(hash_code(&code.to_lowercase()), hash_code(code));
        }
    }

    #[test]
    fn a_link_code_is_hashed_as_typed() {
        assert_eq!(
            hash_code(" 12345678 "),
            hex::encode(Sha256::digest("12345678"))
        );
    }
}
