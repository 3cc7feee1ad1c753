//! Levels of the place tree. The tree may have any depth; these are the levels the rules
//! and the dialogues know by name.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    Province,
    District,
    Commune,
    Village,
}

impl UnitLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
            UnitLevel::Village => "village",
        }
    }

    /// Distance from the top of the tree: provinces 0, villages 3. Lists of units sort by it.
    pub fn depth(self) -> u8 {
        match self {
            UnitLevel::Province => 0,
            UnitLevel::District => 1,
            UnitLevel::Commune => 2,
            UnitLevel::Village => 3,
        }
    }

    pub fn parse(text: &str) -> Option<UnitLevel> {
        match text {
            "province" => Some(UnitLevel::Province),
            "district" => Some(UnitLevel::District),
            "commune" => Some(UnitLevel::Commune),
            "village" => Some(UnitLevel::Village),
            _ => None,
        }
    }
}

/// A unit's code as an operator types it (`298`, `11083`, a village's `11083-01`): the codes
/// of Decision 19/2025/QĐ-TTg, and the ones `import villages` gives. Checked where it comes
/// in, so a stray space, quote or semicolon is refused with a reason instead of matching no
/// unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitCode(String);

/// Why a typed unit code is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("a unit code is empty")]
    Empty,
    #[error("a unit code has at most {UNIT_CODE_MAX} characters")]
    TooLong,
    #[error(
        "a unit code has only letters, digits, dashes, dots and underscores (e.g. 11083 or 11083-01)"
    )]
    Characters,
}

/// The longest code cnscd takes (national codes have 5 digits, villages add a few).
pub const UNIT_CODE_MAX: usize = 32;

impl UnitCode {
    pub fn parse(text: &str) -> Result<UnitCode, UnitCodeError> {
        let code = text.trim();
        if code.is_empty() {
            return Err(UnitCodeError::Empty);
        }
        if code.chars().count() > UNIT_CODE_MAX {
            return Err(UnitCodeError::TooLong);
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(UnitCodeError::Characters);
        }
        Ok(UnitCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for UnitCode {
    type Err = UnitCodeError;

    fn from_str(text: &str) -> Result<UnitCode, UnitCodeError> {
        UnitCode::parse(text)
    }
}

/// A checked code reads as the text it is wherever a code is looked up.
impl std::ops::Deref for UnitCode {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A commune's name without its kind word, as people say it: "Xã Hưng Đạo" → "Hưng Đạo".
pub fn short_name(name: &str) -> &str {
    ["Xã ", "Phường ", "Thị trấn ", "Đặc khu "]
        .iter()
        .find_map(|kind| name.strip_prefix(kind))
        .unwrap_or(name)
}

/// The longest village name accepted, in chat or in a CSV file.
pub const VILLAGE_NAME_MAX: usize = 80;

/// Why a village name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VillageNameError {
    #[error("a village name has 2 to {VILLAGE_NAME_MAX} characters")]
    Length,
    #[error("a village name needs letters")]
    NoLetters,
    #[error("a name has no control characters")]
    ControlCharacters,
}

/// A village name as typed in chat or written in an import file: cleaned (NFC, single
/// spaces), 2 to [`VILLAGE_NAME_MAX`] characters, with letters (not `12345` nor `---`).
/// No control characters: a name is printed raw in terminals and digests. One check for
/// both ways in, so a file cannot store what the chat would refuse.
pub fn parse_village_name(input: &str) -> Result<String, VillageNameError> {
    let trimmed = input.trim();
    if !trimmed.is_empty() && !trimmed.chars().any(char::is_alphabetic) {
        return Err(VillageNameError::NoLetters);
    }
    let name = super::decision::parse_short_text(input, VILLAGE_NAME_MAX)
        .map_err(|_| VillageNameError::Length)?;
    if super::text::has_control_characters(&name) {
        return Err(VillageNameError::ControlCharacters);
    }
    if name.chars().count() < 2 {
        return Err(VillageNameError::Length);
    }
    if !name.chars().any(char::is_alphabetic) {
        return Err(VillageNameError::NoLetters);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_code_is_trimmed_and_anything_but_letters_digits_and_dashes_is_refused_with_a_reason()
    {
        assert_eq!(
            UnitCode::parse(" 11083-01 ").map(|c| c.to_string()),
            Ok("11083-01".into())
        );
        assert_eq!(UnitCode::parse("  "), Err(UnitCodeError::Empty));
        assert_eq!(
            UnitCode::parse("11083; DROP"),
            Err(UnitCodeError::Characters)
        );
        assert_eq!(
            UnitCode::parse("Xã Đại Sơn"),
            Err(UnitCodeError::Characters)
        );
        assert_eq!(
            UnitCode::parse(&"1".repeat(33)),
            Err(UnitCodeError::TooLong)
        );
    }

    #[test]
    fn a_village_name_has_two_to_eighty_characters_with_letters() {
        assert_eq!(
            parse_village_name("  Thôn   Đông Sơn "),
            Ok("Thôn Đông Sơn".into())
        );
        assert_eq!(parse_village_name("Khu 5"), Ok("Khu 5".into()));
        assert_eq!(
            parse_village_name(&"a".repeat(81)),
            Err(VillageNameError::Length)
        );
        assert_eq!(
            parse_village_name(&"Thôn ".repeat(1000)),
            Err(VillageNameError::Length)
        );
        assert_eq!(parse_village_name("A"), Err(VillageNameError::Length));
        assert_eq!(
            parse_village_name("12345"),
            Err(VillageNameError::NoLetters)
        );
        assert_eq!(parse_village_name("--"), Err(VillageNameError::NoLetters));
    }

    #[test]
    fn a_village_name_with_control_characters_is_refused() {
        for name in [
            "Thôn\x07Chuông\x1b[31m Đỏ",
            "Thôn Đông\u{202E}nơS",
            "Thôn\u{0}Tây",
        ] {
            assert_eq!(
                parse_village_name(name),
                Err(VillageNameError::ControlCharacters),
                "{name:?}"
            );
        }
        assert_eq!(
            parse_village_name("Thôn\tĐông\nSơn"),
            Ok("Thôn Đông Sơn".into())
        );
    }
}
