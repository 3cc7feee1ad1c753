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
