//! A team as it is registered: its leader, its members and its founding decision. Both the
//! conversation (which builds one through a registration) and storage (which keeps it) use
//! this record; nothing here is about a screen or a question being asked.
//!
//! The serde derives are the shape these values have inside a paused registration's JSON
//! (`dialogue_states`, `teams.draft_json`): renaming a field strands stored chats.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::Fields;
use super::{DecisionNumber, MemberRole, PersonName, PhoneNumber};

/// A saved team. The leader's fields are optional because a team still in draft is kept
/// with whatever part of it is complete.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Team {
    pub leader_name: Option<PersonName>,
    pub leader_phone: Option<PhoneNumber>,
    /// Whether residents may see the leader's number, and who said so (Law 91/2025/QH15).
    pub leader_consent: Option<ConsentSource>,
    /// The leader's optional fields declared in [`super::fields`].
    pub leader_fields: Fields,
    pub members: Vec<Member>,
    pub decision: Decision,
}

impl Team {
    pub fn roles(&self) -> Vec<MemberRole> {
        self.members.iter().map(|m| m.role).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: PersonName,
    pub role: MemberRole,
    #[serde(default)]
    pub role_detail: Option<String>,
    pub phone: PhoneNumber,
    /// The optional fields declared in [`super::fields`] (`"workplace": …` beside these).
    #[serde(flatten)]
    pub fields: Fields,
    /// Their Zalo number, when it is not `phone`.
    #[serde(default)]
    pub zalo: Option<PhoneNumber>,
    /// Whether residents may see the phone number (Law 91/2025/QH15), and who said so.
    #[serde(default)]
    pub consent: Option<ConsentSource>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The village head said the member agreed. Since the 2026 law only a record from
    /// before it: kept shown until the person is reached, the head's card asks for a paper
    /// consent or the person's own word instead.
    Head,
    /// The member confirmed in chat, from the phone number's own account (or a village head
    /// answered about their own number).
    Member,
    /// The head stated that the person signed a consent on paper; recorded as such, with the
    /// date of the statement (`phone_consent_at`).
    Paper,
}

impl ConsentSource {
    pub fn code(self) -> &'static str {
        match self {
            ConsentSource::Head => "head",
            ConsentSource::Member => "member",
            ConsentSource::Paper => "paper",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub number: Option<DecisionNumber>,
    pub date: Option<NaiveDate>,
    pub file: Option<DecisionFile>,
}

/// The signed decision as the chat channel stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFile {
    pub file_id: String,
    pub kind: FileKind,
    pub sha256: Option<String>,
    /// The file itself is kept in the files folder, named by its SHA-256 (the channel's
    /// link may stop working: Zalo's do). Scans recorded before files were kept are not.
    #[serde(default)]
    pub kept: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Photo,
    Pdf,
    Other,
}

impl FileKind {
    pub fn code(self) -> &'static str {
        match self {
            FileKind::Photo => "photo",
            FileKind::Pdf => "pdf",
            FileKind::Other => "other",
        }
    }
}
