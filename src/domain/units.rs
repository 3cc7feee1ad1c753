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
