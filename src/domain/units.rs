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
