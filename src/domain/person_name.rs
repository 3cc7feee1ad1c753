//! People's full names as typed by village heads.

use std::fmt;

use super::text::clean;

/// A person's full name: trimmed, NFC, 2–80 characters, made of letters, each word starting
/// with a capital ("nguyen van an" is kept as "Nguyen Van An").
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
    #[error("a full name has at least two words")]
    OneWord,
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
        let name = capitalised(&clean(input));
        let chars = name.chars().count();
        if chars == 0 {
            return Err(NameError::Empty);
        }
        // "🙂" is not too short, it is not a name: that reason comes first.
        if !name.chars().any(char::is_alphabetic) {
            return Err(NameError::NotLetters);
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

    /// A full name as typed in a registration: [`PersonName::parse`], and at least two words
    /// (family and given name). Stored names are read with `parse`, so an older one-word
    /// name still loads.
    pub fn parse_full(input: &str) -> Result<PersonName, NameError> {
        let name = PersonName::parse(input)?;
        if name.0.split(' ').count() < 2 {
            return Err(NameError::OneWord);
        }
        Ok(name)
    }

    /// Whether the name carries any Vietnamese diacritic ("Nguyen Van An" does not).
    pub fn has_diacritics(&self) -> bool {
        !self.0.is_ascii()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Each word starts with a capital. A word typed all in one case is written "Nguyễn";
/// a word already mixed ("H'Hen", "McLean") keeps its other letters as typed.
fn capitalised(name: &str) -> String {
    let words: Vec<String> = name.split(' ').map(capitalised_word).collect();
    words.join(" ")
}

fn capitalised_word(word: &str) -> String {
    let one_case =
        word.chars().all(|c| !c.is_uppercase()) || word.chars().all(|c| !c.is_lowercase());
    let mut out = String::with_capacity(word.len());
    let mut first = true;
    for c in word.chars() {
        if first && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            first = false;
        } else if one_case {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
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
    fn each_word_of_a_name_gets_its_capital() {
        let cases = [
            ("nguyen van an", "Nguyen Van An"),
            ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
            ("trần thị hoà", "Trần Thị Hoà"),
            ("H'Hen Niê", "H'Hen Niê"),
            ("đỗ thị thu thuỷ", "Đỗ Thị Thu Thuỷ"),
        ];
        for (input, expected) in cases {
            assert_eq!(PersonName::parse(input).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn a_full_name_has_two_words_and_an_emoji_is_not_a_name() {
        assert_eq!(PersonName::parse_full("An"), Err(NameError::OneWord));
        assert_eq!(PersonName::parse_full("🙂"), Err(NameError::NotLetters));
        assert_eq!(
            PersonName::parse_full("A"),
            Err(NameError::TooShort { min: 2 })
        );
        assert!(PersonName::parse_full("Lê Ý").is_ok());
        assert!(
            PersonName::parse("An").is_ok(),
            "stored one-word names still load"
        );
    }

    #[test]
    fn a_name_without_any_diacritic_is_noticed() {
        assert!(!PersonName::parse("Nguyen Van An").unwrap().has_diacritics());
        assert!(PersonName::parse("Nguyễn Văn An").unwrap().has_diacritics());
    }

    #[test]
    fn accepts_ordinary_vietnamese_names() {
        for input in ["Nguyễn Văn An", "Đỗ Thị Thu Thuỷ", "Lê Ý", "H'Hen Niê"] {
            assert!(PersonName::parse(input).is_ok(), "{input:?}");
        }
    }
}
