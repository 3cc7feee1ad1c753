//! What a chat remembers between two messages. Serialized as JSON in `dialogue_states`, so
//! the variants only grow: removing or renaming one would strand chats that are in it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{DecisionNumber, MemberRole, PersonName, PhoneNumber};
use crate::i18n::Lang;

pub use super::field::MemberField;

/// Everything kept for one chat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub lang: Lang,
    /// Bumped whenever the state changes; buttons carry it, so a button from an older message
    /// is recognised as stale instead of acting on a state it was not made for.
    pub rev: u32,
    pub state: State,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    #[default]
    Idle,
    Registering(Box<Registration>),
    /// A resident was asked for the name of their village or commune.
    Searching,
    /// Search results are shown, a page at a time.
    Results {
        query: String,
        page: usize,
    },
    /// A team member proved their number by sharing their own contact.
    Member {
        phone: PhoneNumber,
    },
    /// A commune official typing a new village's name.
    AddingVillage,
    /// A commune official typing a village's new name.
    RenamingVillage {
        code: String,
    },
    /// A commune official asked to send a CSV file of villages.
    AwaitingVillagesCsv,
}

/// A registration in progress: the question being asked and the answers so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub step: Step,
    pub draft: Draft,
    /// Village or commune team: which rules and roles apply.
    #[serde(default)]
    pub level: TeamLevel,
    /// The version of the registered team this edit started from (`None`: a first
    /// registration). Saving fails politely if someone else saved the team meanwhile.
    #[serde(default)]
    pub based_on: Option<i64>,
    /// A name without diacritics was just answered and the head asked whether to write it
    /// with them: the next answer to the name question is taken as it is.
    #[serde(default)]
    pub diacritics_asked: bool,
    /// The head kept a name without diacritics once: they are not asked again (their
    /// keyboard may have none).
    #[serde(default)]
    pub diacritics_declined: bool,
    /// The numbers the registered team already published on the head's word when this edit
    /// began: saving tells the head only about the new ones.
    #[serde(default)]
    pub head_word_before: Vec<PhoneNumber>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamLevel {
    #[default]
    Village,
    Commune,
}

impl TeamLevel {
    pub fn unit_level(self) -> crate::domain::UnitLevel {
        match self {
            TeamLevel::Village => crate::domain::UnitLevel::Village,
            TeamLevel::Commune => crate::domain::UnitLevel::Commune,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    LeaderName,
    LeaderPhone,
    AddMore,
    Review,
    ChooseEdit,
    ChooseRemove,
    DecisionOffer,
    DecisionNumber,
    DecisionDate,
    DecisionFile,
    /// Whether residents may see the leader's number.
    LeaderConsent,
    /// Which field of the person being edited to change.
    ChooseField,
    /// "Remove this member?" before they go.
    ConfirmRemove,
    /// A question about the member being entered (saved under its own name, as
    /// `member_phone`).
    #[serde(untagged)]
    Member(MemberField),
}

/// The team as entered so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub leader_name: Option<PersonName>,
    pub leader_phone: Option<PhoneNumber>,
    /// Whether residents may see the leader's number, and who said so (Decree 13/2023).
    #[serde(default)]
    pub leader_consent: Option<ConsentSource>,
    /// Whether the leader's consent question was answered (its answer may be "no").
    #[serde(default)]
    pub leader_consent_answered: bool,
    pub members: Vec<Member>,
    /// The member being entered or edited.
    #[serde(default)]
    pub pending: PendingMember,
    /// `Some(i)` while member `i` is edited; the leader is edited through `editing_leader`.
    #[serde(default)]
    pub editing: Option<usize>,
    #[serde(default)]
    pub editing_leader: bool,
    /// One field of the person being edited is changed, then back to the review.
    #[serde(default)]
    pub single_field: bool,
    /// `Some(i)` while the head is asked to confirm removing member `i`.
    #[serde(default)]
    pub removing: Option<usize>,
    #[serde(default)]
    pub decision: Decision,
    /// True once the head has seen the whole team (or it was registered before): from then
    /// on, adding or editing a member returns to the review instead of asking "add another?".
    #[serde(default)]
    pub reviewed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: PersonName,
    pub role: MemberRole,
    #[serde(default)]
    pub role_detail: Option<String>,
    pub phone: PhoneNumber,
    #[serde(default)]
    pub workplace: Option<String>,
    /// Their Zalo number, when it is not `phone`.
    #[serde(default)]
    pub zalo: Option<PhoneNumber>,
    /// Whether residents may see the phone number (Decree 13/2023), and who said so.
    #[serde(default)]
    pub consent: Option<ConsentSource>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The village head confirmed the member agreed.
    Head,
    /// The member confirmed in chat, from the phone number's own account.
    Member,
}

impl ConsentSource {
    pub fn code(self) -> &'static str {
        match self {
            ConsentSource::Head => "head",
            ConsentSource::Member => "member",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PendingMember {
    pub name: Option<PersonName>,
    pub role: Option<MemberRole>,
    pub role_detail: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub workplace: Option<String>,
    #[serde(default)]
    pub zalo: Option<PhoneNumber>,
    #[serde(default)]
    pub consent: Option<ConsentSource>,
    /// Whether the consent question was answered (its answer may be "not yet").
    #[serde(default)]
    pub consent_answered: bool,
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

impl PendingMember {
    pub fn from_member(member: &Member) -> PendingMember {
        PendingMember {
            name: Some(member.name.clone()),
            role: Some(member.role),
            role_detail: member.role_detail.clone(),
            phone: Some(member.phone.clone()),
            workplace: member.workplace.clone(),
            zalo: member.zalo.clone(),
            consent: member.consent,
            consent_answered: true,
        }
    }

    /// The finished member, once name, role and phone are known.
    pub fn complete(&self) -> Option<Member> {
        Some(Member {
            name: self.name.clone()?,
            role: self.role?,
            role_detail: self.role_detail.clone(),
            phone: self.phone.clone()?,
            workplace: self.workplace.clone(),
            zalo: self.zalo.clone(),
            consent: self.consent,
        })
    }
}

impl Draft {
    /// Who already uses `phone` in this team, other than the person being edited.
    pub fn phone_owner(&self, phone: &PhoneNumber) -> Option<&PersonName> {
        if !self.editing_leader && self.leader_phone.as_ref() == Some(phone) {
            return self.leader_name.as_ref();
        }
        self.members
            .iter()
            .enumerate()
            .filter(|(i, _)| self.editing != Some(*i))
            .find(|(_, m)| &m.phone == phone)
            .map(|(_, m)| &m.name)
    }

    pub fn roles(&self) -> Vec<MemberRole> {
        self.members.iter().map(|m| m.role).collect()
    }
}
