//! Creating invitation codes: unguessable, single-use, expiring.

use chrono::{DateTime, Duration, Utc};
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

use crate::domain::{AccountRole, UnitLevel};
use crate::storage::{NewInvitation, StorageError, Store};

/// 24 characters of [A-Za-z0-9] from the OS-seeded CSPRNG: about 143 bits, and valid in a
/// Telegram deep link (`?start=` takes at most 64 of `[A-Za-z0-9_-]`).
const CODE_LENGTH: usize = 24;

pub fn hash_code(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().as_bytes()))
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

/// A fresh invitation code.
pub fn generate_code() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, CODE_LENGTH)
}

/// The invitation code a typed or pasted message holds, with or without a word before it
/// ("MOI 8Jbt…", "Mã mời: 8Jbt…"): where a channel has no link that carries the code (Zalo),
/// the invited person sends the code as a message. Only what has the form of a code counts
/// (exactly [`CODE_LENGTH`] letters and digits, both present), so names, phone numbers and
/// place names never do.
pub fn code_in(text: &str) -> Option<&str> {
    let text = text.trim();
    let code = match text.rsplit_once(|c: char| c.is_whitespace() || c == ':') {
        Some((before, code)) => {
            let before = crate::domain::text::fold(before.trim_end_matches(':').trim());
            ["moi", "ma moi", "ma", "code", "invite", "invitation code"]
                .contains(&before.as_str())
                .then_some(code)?
        }
        None => text,
    };
    let well_formed = code.len() == CODE_LENGTH
        && code.chars().all(|c| c.is_ascii_alphanumeric())
        && code.chars().any(|c| c.is_ascii_digit())
        && code.chars().any(|c| c.is_ascii_alphabetic());
    well_formed.then_some(code)
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
    fn a_code_typed_alone_or_after_a_word_is_found() {
        let code = "8JbtQs4GuC2cLA1H0PXRkUQv";
        for typed in [
            code.to_owned(),
            format!("  {code} "),
            format!("MOI {code}"),
            format!("Mã mời: {code}"),
            format!("moi:{code}"),
        ] {
            assert_eq!(code_in(&typed), Some(code), "{typed}");
        }
    }

    #[test]
    fn names_numbers_places_and_other_sentences_are_not_codes() {
        for typed in [
            "Nguyễn Văn An",
            "0912345678",
            "Thôn Đông Sơn",
            "abcdefghijklmnopqrstuvwx",
            "123456789012345678901234",
            "toi muon tim 8JbtQs4GuC2cLA1H0PXRkUQv",
            "8JbtQs4GuC2cLA1H0PXRkUQ",
        ] {
            assert_eq!(code_in(typed), None, "{typed}");
        }
    }
}
