//! A team's status as `teams.status` stores it.

use super::corrupt;
use crate::storage::StorageResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamStatus {
    Draft,
    Registered,
}

impl TeamStatus {
    /// The word stored in `teams.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamStatus::Draft => "draft",
            TeamStatus::Registered => "registered",
        }
    }

    /// A stored word read back; another word is a corrupt row, not a draft.
    pub fn parse(stored: &str) -> StorageResult<TeamStatus> {
        [TeamStatus::Draft, TeamStatus::Registered]
            .into_iter()
            .find(|status| status.as_str() == stored)
            .ok_or_else(|| corrupt("team status"))
    }
}
