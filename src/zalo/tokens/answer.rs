//! What Zalo's token endpoint answers, read: a new pair with its expiries, or a refusal
//! named by its code (never with the refresh token in it).

use chrono::{DateTime, Utc};

use super::{RefreshError, TokenPolicy, DEFAULT_ACCESS_LIFETIME};
use crate::storage::zalo_tokens::NewTokens;

/// The token endpoint's answer: `{"access_token", "refresh_token", "expires_in"}` (seconds,
/// as a string or a number), or `{"error": <negative>, "error_name", …}`.
#[derive(serde::Deserialize)]
struct Answer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<Seconds>,
    refresh_token_expires_in: Option<Seconds>,
    error: Option<serde_json::Value>,
    error_name: Option<String>,
    error_reason: Option<String>,
    error_description: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Seconds {
    Number(i64),
    Text(String),
}

impl Seconds {
    fn get(&self) -> Option<i64> {
        match self {
            Seconds::Number(n) => Some(*n),
            Seconds::Text(text) => text.trim().parse().ok(),
        }
        .filter(|n| *n > 0)
    }
}

pub(super) fn read_answer(
    body: &[u8],
    now: DateTime<Utc>,
    policy: &TokenPolicy,
) -> Result<NewTokens, RefreshError> {
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|_| RefreshError::Unreachable("an answer that is not JSON".into()))?;
    let code = answer.error.as_ref().and_then(|e| match e {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    if let Some(code) = code.filter(|c| *c != 0) {
        let name = [
            answer.error_name,
            answer.error_reason,
            answer.error_description,
        ]
        .into_iter()
        .flatten()
        .find(|text| !text.trim().is_empty())
        .unwrap_or_default();
        let name: String = name.chars().take(160).collect();
        return Err(RefreshError::Refused(
            format!("Zalo error {code} {name}").trim_end().to_owned(),
        ));
    }
    let (Some(access_token), Some(refresh_token)) = (
        answer.access_token.filter(|t| !t.is_empty()),
        answer.refresh_token.filter(|t| !t.is_empty()),
    ) else {
        return Err(RefreshError::Unreachable(
            "an answer without tokens nor error".into(),
        ));
    };
    let access = answer
        .expires_in
        .and_then(|s| s.get())
        .unwrap_or(DEFAULT_ACCESS_LIFETIME);
    let refresh = answer
        .refresh_token_expires_in
        .and_then(|s| s.get())
        .map(chrono::Duration::seconds)
        .unwrap_or_else(|| chrono::Duration::from_std(policy.refresh_lifetime).unwrap_or_default());
    Ok(NewTokens {
        access_token,
        access_expires_at: now + chrono::Duration::seconds(access),
        refresh_token,
        refresh_expires_at: now + refresh,
        issued_at: now,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap()
    }

    fn read(body: &str) -> Result<NewTokens, RefreshError> {
        read_answer(body.as_bytes(), now(), &TokenPolicy::default())
    }

    #[test]
    fn expires_in_is_read_as_a_string_or_a_number_of_seconds() {
        let text =
            read(r#"{"access_token":"a","refresh_token":"r","expires_in":"90000"}"#).unwrap();
        let number = read(r#"{"access_token":"a","refresh_token":"r","expires_in":3600}"#).unwrap();
        let missing = read(r#"{"access_token":"a","refresh_token":"r"}"#).unwrap();

        assert_eq!(text.access_expires_at, now() + chrono::Duration::hours(25));
        assert_eq!(number.access_expires_at, now() + chrono::Duration::hours(1));
        assert_eq!(
            missing.access_expires_at,
            now() + chrono::Duration::hours(25)
        );
        assert_eq!(text.refresh_expires_at, now() + chrono::Duration::days(90));
        assert_eq!(
            (text.access_token.as_str(), text.refresh_token.as_str()),
            ("a", "r")
        );
    }

    #[test]
    fn an_error_answer_is_a_refusal_named_by_its_code_and_anything_else_is_tried_again() {
        let refused = read(
            r#"{"error":-14014,"error_name":"Invalid refresh token","error_description":"x"}"#,
        );
        assert_eq!(
            refused,
            Err(RefreshError::Refused(
                "Zalo error -14014 Invalid refresh token".into()
            ))
        );
        assert!(matches!(
            read("<html>bad gateway</html>"),
            Err(RefreshError::Unreachable(_))
        ));
        assert!(matches!(
            read(r#"{"error":0}"#),
            Err(RefreshError::Unreachable(_))
        ));
        assert!(matches!(
            read(r#"{"error":"-118","error_reason":"expired"}"#),
            Err(RefreshError::Refused(why)) if why == "Zalo error -118 expired"
        ));
    }
}
