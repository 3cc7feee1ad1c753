//! The question a registration is at. Saved by name in `dialogue_states`: the names only
//! grow, and `every_step_keeps_its_saved_name` pins each one.

use serde::{Deserialize, Serialize};

use super::super::field::{DecisionField, LeaderField, MemberField};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    AddMore,
    Review,
    ChooseEdit,
    ChooseRemove,
    /// Whether the team has a founding decision (kept with one tap when it has one).
    DecisionOffer,
    /// Which field of the person being edited to change.
    ChooseField,
    /// "Remove this member?" before they go.
    ConfirmRemove,
    // The questions: each saved under its own name (`leader_phone`, `member_phone`,
    // `decision_date`), the names these steps had before they were tables.
    #[serde(untagged)]
    Leader(LeaderField),
    #[serde(untagged)]
    Member(MemberField),
    #[serde(untagged)]
    Decision(DecisionField),
}

/// A registration begins with the leader's first question.
impl Default for Step {
    fn default() -> Step {
        Step::Leader(LeaderField::Name)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Registration, State};
    use super::*;

    /// The name each step was saved under before the questions were tables; a declared
    /// field's, its person's prefix and its key. A new step must be named here: the match has
    /// no catch-all.
    fn saved_name(step: Step) -> String {
        let name = match step {
            Step::AddMore => "add_more",
            Step::Review => "review",
            Step::ChooseEdit => "choose_edit",
            Step::ChooseRemove => "choose_remove",
            Step::DecisionOffer => "decision_offer",
            Step::ChooseField => "choose_field",
            Step::ConfirmRemove => "confirm_remove",
            Step::Leader(LeaderField::Name) => "leader_name",
            Step::Leader(LeaderField::Phone) => "leader_phone",
            Step::Leader(LeaderField::Consent) => "leader_consent",
            Step::Member(MemberField::Name) => "member_name",
            Step::Member(MemberField::Role) => "member_role",
            Step::Member(MemberField::RoleOther) => "member_role_other",
            Step::Member(MemberField::Phone) => "member_phone",
            Step::Member(MemberField::Consent) => "member_consent",
            Step::Leader(LeaderField::Declared(key)) => return format!("leader_{}", key.as_str()),
            Step::Member(MemberField::Declared(key)) => return format!("member_{}", key.as_str()),
            Step::Member(MemberField::Zalo) => "member_zalo",
            Step::Decision(DecisionField::Number) => "decision_number",
            Step::Decision(DecisionField::Date) => "decision_date",
            Step::Decision(DecisionField::File) => "decision_file",
        };
        name.to_owned()
    }

    /// Every step: the choices one by one (a new one goes here too), the questions from
    /// their enums.
    fn every_step() -> Vec<Step> {
        let mut steps = vec![
            Step::AddMore,
            Step::Review,
            Step::ChooseEdit,
            Step::ChooseRemove,
            Step::DecisionOffer,
            Step::ChooseField,
            Step::ConfirmRemove,
        ];
        steps.extend(LeaderField::all().iter().copied().map(Step::Leader));
        steps.extend(MemberField::all().iter().copied().map(Step::Member));
        steps.extend(DecisionField::ALL.iter().copied().map(Step::Decision));
        steps
    }

    #[test]
    fn every_step_keeps_its_saved_name() {
        for step in every_step() {
            let name = saved_name(step);
            let saved = serde_json::to_value(step).unwrap();
            assert_eq!(saved, serde_json::json!(name), "{step:?}");
            let read: Step = serde_json::from_value(saved).unwrap();
            assert_eq!(read, step, "{name}");
            // As stored: inside the internally tagged state, read through serde's buffer.
            let state = State::Registering(Box::new(Registration {
                step,
                ..Registration::default()
            }));
            let stored = serde_json::to_string(&state).unwrap();
            assert!(stored.contains(&format!("\"step\":\"{name}\"")), "{stored}");
            assert_eq!(serde_json::from_str::<State>(&stored).unwrap(), state);
        }
    }

    #[test]
    fn a_new_registration_starts_at_the_leaders_name() {
        assert_eq!(saved_name(Step::default()), "leader_name");
    }

    #[test]
    fn the_workplace_is_still_saved_as_member_workplace() {
        let workplace = crate::domain::FieldKey::parse("workplace").expect("declared");
        assert_eq!(
            serde_json::to_value(Step::Member(MemberField::Declared(workplace))).unwrap(),
            serde_json::json!("member_workplace")
        );
    }
}
