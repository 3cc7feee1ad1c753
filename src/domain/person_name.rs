//! People's full names as typed by village heads.

use std::fmt;

use super::text::clean;

/// A person's full name: trimmed, NFC, 2–80 characters, made of letters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("no name given")]
    Empty,
    #[error("a name has at least {min} characters")]
    TooShort { min: usize },
    #[error("a name has at most {max} characters")]
    TooLong { max: usize },
    #[error("a name is made of letters, not digits or symbols")]
    NotLetters,
}

impl PersonName {
    pub const MIN_CHARS: usize = 2;
    pub const MAX_CHARS: usize = 80;

    pub fn parse(input: &str) -> Result<PersonName, NameError> {
        // Reject absurd input before normalising it: a 10,000-character paste costs nothing.
        if input.len() > Self::MAX_CHARS * 8 {
            return Err(NameError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let name = clean(input);
        let chars = name.chars().count();
        if chars == 0 {
            return Err(NameError::Empty);
        }
        if chars < Self::MIN_CHARS {
            return Err(NameError::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(NameError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let allowed = |c: char| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '.';
        let has_letter = name.chars().any(char::is_alphabetic);
        if !has_letter || !name.chars().all(allowed) {
            return Err(NameError::NotLetters);
        }
        Ok(PersonName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PersonName::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> String {
        value.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_nfd_input_as_nfc_and_trimmed() {
        let nfd = "  Tra\u{302}\u{300}n Thi\u{323}  Hoa\u{300} ";
        let name = PersonName::parse(nfd).unwrap();
        assert_eq!(name.as_str(), "Trần Thị Hoà");
    }

    #[test]
    fn refuses_names_of_the_wrong_length_or_made_of_digits() {
        let cases = [
            ("", NameError::Empty),
            ("   ", NameError::Empty),
            ("A", NameError::TooShort { min: 2 }),
            ("12345", NameError::NotLetters),
            ("Nguyễn Văn 3", NameError::NotLetters),
            ("😀😀", NameError::NotLetters),
        ];
        for (input, expected) in cases {
            assert_eq!(PersonName::parse(input), Err(expected), "{input:?}");
        }
        let long = "a".repeat(81);
        assert_eq!(
            PersonName::parse(&long),
            Err(NameError::TooLong { max: 80 })
        );
        let huge = "a".repeat(10_000);
        assert_eq!(
            PersonName::parse(&huge),
            Err(NameError::TooLong { max: 80 })
        );
    }

    #[test]
    fn accepts_ordinary_vietnamese_names() {
        for input in ["Nguyễn Văn An", "Đỗ Thị Thu Thuỷ", "Lê Ý", "H'Hen Niê"] {
            assert!(PersonName::parse(input).is_ok(), "{input:?}");
        }
    }
}
