//! The officials whose alerts wait unreached (their chats are outside their channel's window
//! or blocked the bot), named by the reports and digests of the officials above them.

use std::collections::{HashMap, HashSet};

use crate::storage::Unit;

/// The officials below `unit_code` (within `units`, the campaign's area) whose alerts wait,
/// unreached, as "unit name (role)" for a digest.
pub fn unreached_below(
    unit_code: &str,
    units: &[Unit],
    unreached: &[(String, String)],
) -> Vec<String> {
    let by_code: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let below = |code: &str| {
        let mut seen = HashSet::new();
        let mut at = by_code.get(code).and_then(|u| u.parent_code.as_deref());
        while let Some(parent) = at {
            if parent == unit_code {
                return true;
            }
            if !seen.insert(parent) {
                return false;
            }
            at = by_code.get(parent).and_then(|u| u.parent_code.as_deref());
        }
        false
    };
    unreached
        .iter()
        .filter(|(code, _)| below(code))
        .filter_map(|(code, _)| by_code.get(code.as_str()).map(|u| u.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UnitLevel;

    #[test]
    fn only_officials_below_are_named() {
        let unit = |code: &str, parent: Option<&str>, name: &str| Unit {
            code: code.into(),
            name: name.into(),
            kind: String::new(),
            level: UnitLevel::Commune,
            parent_code: parent.map(str::to_owned),
            ended_on: None,
            merged_into: None,
            moved_from: None,
        };
        let units = vec![
            unit("298", None, "Huyện Tứ Kỳ"),
            unit("11083", Some("298"), "Xã Đại Sơn"),
            unit("11083-01", Some("11083"), "Thôn Đông Sơn"),
        ];
        let unreached = vec![
            ("11083".to_owned(), "commune-official".to_owned()),
            ("298".to_owned(), "district-official".to_owned()),
        ];
        assert_eq!(
            unreached_below("298", &units, &unreached),
            vec!["Xã Đại Sơn"]
        );
        assert!(unreached_below("11083", &units, &unreached).is_empty());
    }
}
