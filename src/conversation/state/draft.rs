//! The team as a registration enters it, and the member being entered.

use serde::{Deserialize, Serialize};

use super::{ConsentSource, Decision, Member, Team};
use crate::domain::{Fields, MemberRole, PersonName, PhoneNumber};

/// The team as entered so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub leader_name: Option<PersonName>,
    pub leader_phone: Option<PhoneNumber>,
    /// Whether residents may see the leader's number, and who said so (Law 91/2025/QH15).
    #[serde(default)]
    pub leader_consent: Option<ConsentSource>,
    /// Whether the leader's consent question was answered (its answer may be "no").
    #[serde(default)]
    pub leader_consent_answered: bool,
    /// The leader's optional fields ([`crate::domain::fields`]), beside these in the JSON.
    #[serde(flatten)]
    pub leader_fields: Fields,
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
    /// The optional fields ([`crate::domain::fields`]), beside these in the JSON.
    #[serde(flatten)]
    pub fields: Fields,
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
            fields: member.fields.clone(),
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
            fields: self.fields.clone(),
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
            leader_fields: team.leader_fields.clone(),
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
            leader_fields: self.leader_fields.clone(),
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
    use super::super::{DecisionFile, FileKind};
    use super::*;
    use crate::domain::DecisionNumber;

    fn team() -> Team {
        Team {
            leader_name: Some(PersonName::parse("Nguyễn Văn An").unwrap()),
            leader_phone: Some(PhoneNumber::parse("0912 345 678").unwrap()),
            leader_consent: Some(ConsentSource::Head),
            leader_fields: Fields::default(),
            members: vec![Member {
                name: PersonName::parse("Trần Thị Bình").unwrap(),
                role: MemberRole::Other,
                role_detail: Some("Loa".into()),
                phone: PhoneNumber::parse("0912 345 679").unwrap(),
                fields: Fields::default().with("workplace", "Trường Tiểu học Đại Sơn"),
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
                    kept: false,
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
                "workplace": "Trường Tiểu học Đại Sơn",
                "zalo": "+84912345680",
                "consent": "member"
            }],
            "pending": {
                "name": null, "role": null, "role_detail": null, "phone": null,
                "zalo": null, "consent": null, "consent_answered": false
            },
            "editing": null,
            "editing_leader": false,
            "single_field": false,
            "removing": null,
            "decision": {
                "number": "125/QĐ-UBND",
                "date": "2022-04-20",
                "file": { "file_id": "scan", "kind": "pdf", "sha256": null, "kept": false }
            },
            "reviewed": true
        });
        assert_eq!(json, expected);
        // Optional fields unanswered were written as null before they were declared fields.
        let mut with_nulls = expected.clone();
        with_nulls["pending"]["workplace"] = serde_json::Value::Null;
        let read: Draft = serde_json::from_value(with_nulls).expect("a draft with nulls reads");
        assert_eq!(read, Draft::from_team(&team()));
        // Drafts paused before scans were kept have no "kept": they read as not kept.
        let mut older = expected;
        older["decision"]["file"]
            .as_object_mut()
            .expect("file")
            .remove("kept");
        let read: Draft = serde_json::from_value(older).expect("an older draft reads");
        assert_eq!(read, Draft::from_team(&team()));
    }
}
