//! The webhook's secret token: Telegram sends it in the `X-Telegram-Bot-Api-Secret-Token`
//! header of every update, and a request without it did not come from Telegram.

use std::fmt;

use subtle::ConstantTimeEq;

/// The longest secret Telegram accepts.
const MAX_LEN: usize = 256;
/// The shortest secret cnscd accepts: Telegram takes one character, but the secret is all that
/// tells Telegram's requests from a forger's, so it must be too long to guess (32 random
/// characters of 64 kinds: 192 bits; `openssl rand -hex 32` gives 64 hex digits).
pub const MIN_LEN: usize = 32;

/// A secret token as Telegram allows it (`A-Z`, `a-z`, `0-9`, `_`, `-`, at most 256), and at
/// least [`MIN_LEN`] characters long. Printed and logged as `[redacted]`.
#[derive(Clone)]
pub struct WebhookSecret(String);

/// Why a text is not a valid secret token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("it is empty")]
    Empty,
    #[error("it is {0} characters long; Telegram allows at most 256")]
    TooLong(usize),
    #[error(
        "it is {0} characters long; use at least 32 random characters (e.g. openssl rand -hex 32)"
    )]
    TooShort(usize),
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
        if text.len() < MIN_LEN {
            return Err(SecretError::TooShort(text.len()));
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
    fn a_secret_is_32_to_256_letters_digits_underscores_or_dashes() {
        let longest = "a".repeat(256);
        let shortest = "abc_DEF-123".repeat(3)[..32].to_owned();
        for good in [shortest.as_str(), longest.as_str()] {
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
            ("x", SecretError::TooShort(1)),
            ("abc_DEF-123abc_DEF-123abc_DEF-1", SecretError::TooShort(31)),
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
        let secret = WebhookSecret::parse("s3cret_token_s3cret_token_s3cret").unwrap();
        assert!(secret.matches(Some(b"s3cret_token_s3cret_token_s3cret")));
        let wrong = [
            &b""[..],
            b"s3cret_token_s3cret_token_s3cre",
            b"s3cret_token_s3cret_token_s3cret2",
            b"S3CRET_TOKEN_S3CRET_TOKEN_S3CRET",
        ];
        for wrong in wrong {
            assert!(!secret.matches(Some(wrong)), "{wrong:?}");
        }
        assert!(!secret.matches(None), "a missing header never matches");
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let secret = WebhookSecret::parse("very-secret-very-secret-very-secret").unwrap();
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
