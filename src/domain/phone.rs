//! Vietnamese mobile phone numbers, parsed with libphonenumber's metadata and stored in E.164.

use std::fmt;

use phonenumber::{country, Mode, Type as PhoneNumberType};

/// A Vietnamese mobile number, always held in E.164 form (`+84912345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// Why a text is not a phone number we can store. Each variant has its own message for users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("no phone number given")]
    Empty,
    #[error("a phone number contains only digits, spaces, dots, dashes and a leading +")]
    NotDigits,
    #[error("too few digits for a mobile number")]
    TooShort,
    #[error("too many digits for a mobile number")]
    TooLong,
    #[error("not a Vietnamese number")]
    Foreign,
    #[error("a landline, not a mobile number")]
    Landline,
    #[error("not a valid Vietnamese mobile number")]
    Invalid,
}

const MAX_INPUT: usize = 32;

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }
        let allowed = |c: char| c.is_ascii_digit() || " .-()+".contains(c);
        if input.len() > MAX_INPUT || !input.chars().all(allowed) {
            return Err(PhoneError::NotDigits);
        }
        let digits = input.chars().filter(char::is_ascii_digit).count();
        if digits < 9 {
            return Err(PhoneError::TooShort);
        }
        if digits > 12 {
            return Err(PhoneError::TooLong);
        }
        let parsed =
            phonenumber::parse(Some(country::Id::VN), input).map_err(|_| PhoneError::Invalid)?;
        if parsed.country().code() != 84 {
            return Err(PhoneError::Foreign);
        }
        if !phonenumber::is_valid(&parsed) {
            return Err(wrong_length(input).unwrap_or(PhoneError::Invalid));
        }
        match parsed.number_type(&phonenumber::metadata::DATABASE) {
            PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile => {}
            PhoneNumberType::FixedLine => return Err(PhoneError::Landline),
            _ => return Err(PhoneError::Invalid),
        }
        Ok(PhoneNumber(parsed.format().mode(Mode::E164).to_string()))
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    /// International form with spaces, which Telegram makes tappable: `+84 912 345 678`.
    pub fn international(&self) -> String {
        let rest = &self.0[3..];
        match rest.len() {
            9 => format!("+84 {} {} {}", &rest[..3], &rest[3..6], &rest[6..]),
            _ => self.0.clone(),
        }
    }

    /// The way Vietnamese people write it: `0912 345 678`.
    pub fn national(&self) -> String {
        PhoneNumber::national_of(&self.0)
    }

    /// [`PhoneNumber::national`] of a stored E.164 text, without parsing it again (exports
    /// show hundreds of thousands); any other text comes back as it is.
    pub fn national_of(e164: &str) -> String {
        let Some(rest) = e164.strip_prefix("+84") else {
            return e164.to_owned();
        };
        let national = format!("0{rest}");
        if national.len() == 10 && national.is_ascii() {
            format!("{} {} {}", &national[..4], &national[4..7], &national[7..])
        } else {
            national
        }
    }
}

/// A mobile number has nine digits after its `0` (or `+84`): a number with one digit missed
/// or doubled deserves "too few"/"too many digits", not "not valid". `None` for the right
/// count (the digits themselves are wrong).
fn wrong_length(input: &str) -> Option<PhoneError> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let national = if input.starts_with('+') {
        digits.strip_prefix("84").unwrap_or(&digits)
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else if digits.len() >= 11 {
        digits.strip_prefix("84").unwrap_or(&digits)
    } else {
        &digits
    };
    match national.len() {
        0..=8 => Some(PhoneError::TooShort),
        9 => None,
        _ => Some(PhoneError::TooLong),
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> String {
        value.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_formats_people_write() {
        for input in [
            "0912 345 678",
            "0912.345.678",
            "0912-345-678",
            "+84 912 345 678",
            "84912345678",
            " 0912345678 ",
        ] {
            let phone = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(phone.e164(), "+84912345678", "{input:?}");
        }
    }

    #[test]
    fn shows_numbers_in_national_form() {
        let phone = PhoneNumber::parse("+84912345678").unwrap();
        assert_eq!(phone.national(), "0912 345 678");
    }

    #[test]
    fn refuses_what_is_not_a_mobile_number_and_says_why() {
        let cases = [
            ("", PhoneError::Empty),
            ("   ", PhoneError::Empty),
            ("12345", PhoneError::TooShort),
            ("không có", PhoneError::NotDigits),
            ("0912abc678", PhoneError::NotDigits),
            ("0912 345 678 999 12", PhoneError::TooLong),
            ("0220 3852 123", PhoneError::Landline),
            ("024 3825 1234", PhoneError::Landline),
            ("+1 202 555 0143", PhoneError::Foreign),
            ("0000 000 000", PhoneError::Invalid),
            // A digit missed or doubled: nine or eleven digits (issue 21, item 14).
            ("0912 345 67", PhoneError::TooShort),
            ("0912 345 6789", PhoneError::TooLong),
            ("+84 912 345 67", PhoneError::TooShort),
            ("+84 912 345 6789", PhoneError::TooLong),
            ("84 912 345 6789", PhoneError::TooLong),
        ];
        for (input, expected) in cases {
            assert_eq!(PhoneNumber::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn refuses_a_ten_thousand_character_input_without_parsing_it() {
        let long = "9".repeat(10_000);
        assert_eq!(PhoneNumber::parse(&long), Err(PhoneError::NotDigits));
    }
}
