//! What a chat remembers between two messages. Serialized as JSON in `dialogue_states`, so
//! the variants only grow: removing or renaming one would strand chats that are in it.

use serde::{Deserialize, Serialize};

pub use crate::domain::team::{ConsentSource, Decision, DecisionFile, FileKind, Member, Team};
use crate::domain::{MemberRole, PersonName, PhoneNumber};
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
    /// A saved team opened for editing: every question about it counts as answered and the
    /// head has seen it, so edits return to the review.
    pub fn from_team(team: &Team) -> Draft {
        Draft {
            leader_name: team.leader_name.clone(),
            leader_phone: team.leader_phone.clone(),
            leader_consent: team.leader_consent,
            leader_consent_answered: true,
            members: team.members.clone(),
            decision: team.decision.clone(),
            reviewed: true,
            ..Draft::default()
        }
    }

    /// The team as entered, without what the screens keep (the member being entered, what
    /// is being edited or removed).
    pub fn to_team(&self) -> Team {
        Team {
            leader_name: self.leader_name.clone(),
            leader_phone: self.leader_phone.clone(),
            leader_consent: self.leader_consent,
            members: self.members.clone(),
            decision: self.decision.clone(),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DecisionNumber;

    fn team() -> Team {
        Team {
            leader_name: Some(PersonName::parse("Nguyễn Văn An").unwrap()),
            leader_phone: Some(PhoneNumber::parse("0912 345 678").unwrap()),
            leader_consent: Some(ConsentSource::Head),
            members: vec![Member {
                name: PersonName::parse("Trần Thị Bình").unwrap(),
                role: MemberRole::Other,
                role_detail: Some("Loa".into()),
                phone: PhoneNumber::parse("0912 345 679").unwrap(),
                workplace: None,
                zalo: Some(PhoneNumber::parse("0912 345 680").unwrap()),
                consent: Some(ConsentSource::Member),
            }],
            decision: Decision {
                number: Some(DecisionNumber::parse("125/QĐ-UBND").unwrap()),
                date: chrono::NaiveDate::from_ymd_opt(2022, 4, 20),
                file: Some(DecisionFile {
                    file_id: "scan".into(),
                    kind: FileKind::Pdf,
                    sha256: None,
                }),
            },
        }
    }

    #[test]
    fn a_saved_team_opened_for_editing_saves_back_unchanged() {
        let draft = Draft::from_team(&team());
        assert!(draft.reviewed && draft.leader_consent_answered);
        assert_eq!(draft.to_team(), team());
    }

    #[test]
    fn what_the_screens_keep_is_not_saved() {
        let mut draft = Draft::from_team(&team());
        draft.pending.name = Some(PersonName::parse("Lê Văn Cường").unwrap());
        draft.editing = Some(0);
        draft.editing_leader = true;
        draft.single_field = true;
        draft.removing = Some(0);
        assert_eq!(draft.to_team(), team());
    }

    /// Paused registrations are stored as this JSON: the types moved to `domain::team`
    /// must keep writing it, field names and values.
    #[test]
    fn a_draft_is_stored_as_the_same_json() {
        let json = serde_json::to_value(Draft::from_team(&team())).unwrap();
        let expected = serde_json::json!({
            "leader_name": "Nguyễn Văn An",
            "leader_phone": "+84912345678",
            "leader_consent": "head",
            "leader_consent_answered": true,
            "members": [{
                "name": "Trần Thị Bình",
                "role": "other",
                "role_detail": "Loa",
                "phone": "+84912345679",
                "workplace": null,
                "zalo": "+84912345680",
                "consent": "member"
            }],
            "pending": {
                "name": null, "role": null, "role_detail": null, "phone": null,
                "workplace": null, "zalo": null, "consent": null, "consent_answered": false
            },
            "editing": null,
            "editing_leader": false,
            "single_field": false,
            "removing": null,
            "decision": {
                "number": "125/QĐ-UBND",
                "date": "2022-04-20",
                "file": { "file_id": "scan", "kind": "pdf", "sha256": null }
            },
            "reviewed": true
        });
        assert_eq!(json, expected);
    }
}
