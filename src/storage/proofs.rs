//! Numbers a chat proved are its person's, when the channel does not prove them (Zalo's
//! share-info form gives any number the user types): the chat is shown a one-time code, and
//! the head of a team that lists the number confirms it by typing the code.

use chrono::{DateTime, Utc};

use super::{now_text, StorageResult, Tx};
use crate::domain::PhoneNumber;

/// A pending proof: the number a chat claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub phone: PhoneNumber,
    pub channel: String,
    pub chat_id: String,
}

/// Keeps the code shown to `channel:chat_id` for `phone`; an earlier unused code of the chat
/// stops working.
pub async fn create_number_proof(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    phone: &PhoneNumber,
    (channel, chat_id): (&str, &str),
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE number_proofs SET used_at = $3
         WHERE channel = $1 AND chat_id = $2 AND used_at IS NULL",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO number_proofs (code_sha256, phone, channel, chat_id, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(code_sha256)
    .bind(phone.e164())
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(expires_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The claim a code stands for, if it is unused and unexpired.
pub async fn pending_claim(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    now: DateTime<Utc>,
) -> StorageResult<Option<Claim>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT phone, channel, chat_id FROM number_proofs
         WHERE code_sha256 = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(code_sha256)
    .bind(now_text(now))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.and_then(|(phone, channel, chat_id)| {
        Some(Claim {
            phone: PhoneNumber::parse(&phone).ok()?,
            channel,
            chat_id,
        })
    }))
}

/// The code was confirmed by `by`: the chat has proved the number.
pub async fn confirm_claim(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    claim: &Claim,
    by: &str,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query("UPDATE number_proofs SET used_at = $2 WHERE code_sha256 = $1")
        .bind(code_sha256)
        .bind(now_text(now))
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO proven_chats (phone, channel, chat_id, proven_by, proven_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (phone, channel, chat_id) DO NOTHING",
    )
    .bind(claim.phone.e164())
    .bind(&claim.channel)
    .bind(&claim.chat_id)
    .bind(by)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `channel:chat_id` proved `phone` earlier.
pub async fn is_proven(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
    channel: &str,
    chat_id: &str,
) -> StorageResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM proven_chats WHERE phone = $1 AND channel = $2 AND chat_id = $3",
    )
    .bind(phone.e164())
    .bind(channel)
    .bind(chat_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}
