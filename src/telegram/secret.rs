//! The webhook's secret token: Telegram sends it in the `X-Telegram-Bot-Api-Secret-Token`
//! header of every update, and a request without it did not come from Telegram.

use std::fmt;

use subtle::ConstantTimeEq;

/// The longest secret Telegram accepts.
const MAX_LEN: usize = 256;

/// A secret token as Telegram allows it: 1–256 characters of `A-Z`, `a-z`, `0-9`, `_`, `-`.
/// Printed and logged as `[redacted]`.
#[derive(Clone)]
pub struct WebhookSecret(String);

/// Why a text is not a valid secret token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("it is empty")]
    Empty,
    #[error("it is {0} characters long; Telegram allows at most 256")]
    TooLong(usize),
    #[error("it contains characters other than A-Z, a-z, 0-9, _ and -")]
    BadCharacter,
}

impl WebhookSecret {
    pub fn parse(text: &str) -> Result<WebhookSecret, SecretError> {
        if text.is_empty() {
            return Err(SecretError::Empty);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if !text.chars().all(allowed) {
            return Err(SecretError::BadCharacter);
        }
        if text.len() > MAX_LEN {
            return Err(SecretError::TooLong(text.len()));
        }
        Ok(WebhookSecret(text.to_owned()))
    }

    /// The token, for `setWebhook`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether a request's header value is this secret. The comparison takes the same time
    /// wherever the first difference is, so timing the 401s does not reveal the secret a
    /// character at a time (only its length can leak, and that is no help to a guesser).
    pub fn matches(&self, header: Option<&[u8]>) -> bool {
        header.is_some_and(|given| bool::from(given.ct_eq(self.0.as_bytes())))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_one_to_256_letters_digits_underscores_or_dashes() {
        let longest = "a".repeat(256);
        for good in ["x", "abc_DEF-123", longest.as_str()] {
            assert!(
                WebhookSecret::parse(good).is_ok(),
                "{good:?} is a valid secret"
            );
        }
        let cases = [
            ("", SecretError::Empty),
            ("with space", SecretError::BadCharacter),
            ("dấu", SecretError::BadCharacter),
            ("a+b/c=", SecretError::BadCharacter),
        ];
        for (bad, expected) in cases {
            assert_eq!(WebhookSecret::parse(bad).err(), Some(expected), "{bad:?}");
        }
        let too_long = "a".repeat(257);
        assert_eq!(
            WebhookSecret::parse(&too_long).err(),
            Some(SecretError::TooLong(257))
        );
    }

    #[test]
    fn only_the_exact_secret_matches() {
        let secret = WebhookSecret::parse("s3cret_token").unwrap();
        assert!(secret.matches(Some(b"s3cret_token")));
        for wrong in [&b""[..], b"s3cret_toke", b"s3cret_token2", b"S3CRET_TOKEN"] {
            assert!(!secret.matches(Some(wrong)), "{wrong:?}");
        }
        assert!(!secret.matches(None), "a missing header never matches");
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let secret = WebhookSecret::parse("very-secret").unwrap();
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
