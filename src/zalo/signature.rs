//! Is a webhook request Zalo's? Zalo signs each event with
//! `X-ZEvent-Signature: mac=<hex>`, the hex being SHA-256 (plain, not HMAC) of
//! `app_id + raw body + timestamp + OA secret key`, the timestamp being the body's own
//! `timestamp` field (milliseconds). The hash is compared in constant time.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::secrets::Secret;

/// The header Zalo signs its events in.
pub const SIGNATURE_HEADER: &str = "x-zevent-signature";

/// Why an event was refused. Nothing of it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("no signature")]
    Missing,
    #[error("the signature does not match")]
    WrongSignature,
    #[error("the body is not a Zalo event")]
    Unreadable,
    #[error("the event is for another app")]
    OtherApp,
    #[error("the event's timestamp is too old")]
    Stale,
}

/// What signatures are checked against.
#[derive(Debug, Clone)]
pub struct Verifier {
    app_id: String,
    oa_secret_key: Secret,
    max_age: Duration,
}

/// The fields the check needs from the body; the rest is read by [`super::event`].
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "super::event::id_string")]
    app_id: Option<String>,
    #[serde(default, deserialize_with = "super::event::id_string")]
    timestamp: Option<String>,
}

impl Verifier {
    pub fn new(app_id: &str, oa_secret_key: Secret, max_age: Duration) -> Verifier {
        Verifier {
            app_id: app_id.to_owned(),
            oa_secret_key,
            max_age,
        }
    }

    /// `Ok` when `body` was signed by Zalo for this app, recently. The signature is checked
    /// first: nothing else of an unsigned body is trusted.
    pub fn check(
        &self,
        header: Option<&[u8]>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), Refused> {
        let given = header.ok_or(Refused::Missing)?;
        let given = std::str::from_utf8(given).map_err(|_| Refused::WrongSignature)?;
        let given = given.trim();
        let given = given.strip_prefix("mac=").unwrap_or(given);
        let envelope: Envelope = serde_json::from_slice(body).map_err(|_| Refused::Unreadable)?;
        let app_id = envelope.app_id.ok_or(Refused::Unreadable)?;
        let timestamp = envelope.timestamp.ok_or(Refused::Unreadable)?;
        let expected = mac(&app_id, body, &timestamp, self.oa_secret_key.expose());
        if !bool::from(
            given
                .to_ascii_lowercase()
                .as_bytes()
                .ct_eq(expected.as_bytes()),
        ) {
            return Err(Refused::WrongSignature);
        }
        if app_id != self.app_id {
            return Err(Refused::OtherApp);
        }
        let millis: i64 = timestamp.parse().map_err(|_| Refused::Unreadable)?;
        let sent = DateTime::<Utc>::from_timestamp_millis(millis).ok_or(Refused::Unreadable)?;
        let max_age = chrono::Duration::from_std(self.max_age).unwrap_or(chrono::Duration::MAX);
        if now - sent > max_age {
            return Err(Refused::Stale);
        }
        Ok(())
    }
}

/// The hex SHA-256 Zalo puts after `mac=`.
pub fn mac(app_id: &str, body: &[u8], timestamp: &str, oa_secret_key: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(app_id.as_bytes());
    hash.update(body);
    hash.update(timestamp.as_bytes());
    hash.update(oa_secret_key.as_bytes());
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "oa-secret";

    fn verifier() -> Verifier {
        Verifier::new(
            "111",
            Secret::from(KEY.to_owned()),
            Duration::from_secs(600),
        )
    }

    fn body(app_id: &str, timestamp: i64) -> Vec<u8> {
        format!(
            r#"{{"app_id":"{app_id}","event_name":"user_send_text","timestamp":"{timestamp}","sender":{{"id":"9"}},"message":{{"msg_id":"m1","text":"Hi"}}}}"#
        )
        .into_bytes()
    }

    fn signed(body: &[u8], app_id: &str, timestamp: i64) -> String {
        format!("mac={}", mac(app_id, body, &timestamp.to_string(), KEY))
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_700_000_000_000).expect("valid")
    }

    #[test]
    fn an_event_signed_with_the_oa_key_for_this_app_is_accepted() {
        let t = now().timestamp_millis() - 1_000;
        let body = body("111", t);
        let header = signed(&body, "111", t);
        assert_eq!(
            verifier().check(Some(header.as_bytes()), &body, now()),
            Ok(())
        );
    }

    #[test]
    fn a_missing_or_wrong_signature_is_refused() {
        let t = now().timestamp_millis();
        let body = body("111", t);
        assert_eq!(verifier().check(None, &body, now()), Err(Refused::Missing));
        let wrong = format!("mac={}", mac("111", &body, &t.to_string(), "guess"));
        assert_eq!(
            verifier().check(Some(wrong.as_bytes()), &body, now()),
            Err(Refused::WrongSignature)
        );
        let mut tampered = body.clone();
        tampered.extend_from_slice(b" ");
        let header = signed(&body, "111", t);
        assert_eq!(
            verifier().check(Some(header.as_bytes()), &tampered, now()),
            Err(Refused::WrongSignature)
        );
    }

    #[test]
    fn another_apps_event_is_refused_even_when_well_signed() {
        let t = now().timestamp_millis();
        let body = body("222", t);
        let header = signed(&body, "222", t);
        assert_eq!(
            verifier().check(Some(header.as_bytes()), &body, now()),
            Err(Refused::OtherApp)
        );
    }

    #[test]
    fn an_event_older_than_the_window_is_refused() {
        let t = now().timestamp_millis() - 601_000;
        let body = body("111", t);
        let header = signed(&body, "111", t);
        assert_eq!(
            verifier().check(Some(header.as_bytes()), &body, now()),
            Err(Refused::Stale)
        );
    }
}
