//! What a button (or a word meaning the same) asks for, and its compact payload: at most
//! 64 bytes, as Telegram's callback data allows.

use super::state::MemberField;
use crate::domain::MemberRole;
use crate::i18n::Lang;

/// What a button (or a word meaning the same) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Back,
    Skip,
    Keep,
    Role(MemberRole),
    AddMember,
    Done,
    Confirm,
    Edit,
    Remove,
    /// 0 is the leader, 1.. the members in order.
    EditWhich(usize),
    RemoveWhich(usize),
    /// "Yes, remove them" after [`Action::RemoveWhich`].
    ConfirmRemoveMember,
    /// The field to change of the person chosen with [`Action::EditWhich`].
    EditField(MemberField),
    DecisionYes,
    DecisionNo,
    ConsentYes,
    ConsentNo,
    Resume,
    Restart,
    MyTeam,
    EditTeam,
    Language(Lang),
    ChooseLanguage,
    Cancel,
    Help,
    /// Residents: look a village or commune up by name.
    Find,
    /// Residents: walk the place tree from `parent` (the top when `None`), page `page`.
    Browse(Option<String>, usize),
    /// Show the team card of a unit.
    ShowUnit(String),
    /// Another page of search results.
    Page(usize),
    /// "I am a team member": prove it by sharing one's own contact.
    ImMember,
    ShowMyNumber,
    HideMyNumber,
    LeaveTeam(String),
    /// Officials: the list of villages (commune) or communes (district).
    Units,
    UnitMenu(String),
    RenameVillage(String),
    RemoveVillage(String),
    ConfirmRemoveVillage(String),
    AddVillage,
    ImportVillages,
    InviteFor(String),
    /// The villages of a commune with their status (district officials).
    ViewVillages(String),
    NoticesOff,
    NoticesOn,
    /// Officials: end the access of the accounts bound to a unit below (the village head of
    /// a village, the officials of a commune), after a confirmation.
    RevokeAccess(String),
    ConfirmRevokeAccess(String),
    /// Province officials: the villages of divided communes still to assign (after a
    /// reorganisation).
    ToAssign,
    /// Choose the new commune of a village to assign.
    AssignVillage(String),
    /// Put the village (first) in the commune (second).
    AssignVillageTo(String, String),
}

impl Action {
    pub fn payload(&self) -> String {
        match self {
            Action::Back => "back".into(),
            Action::Skip => "skip".into(),
            Action::Keep => "keep".into(),
            Action::Role(role) => format!("role:{}", role.code()),
            Action::AddMember => "add".into(),
            Action::Done => "done".into(),
            Action::Confirm => "confirm".into(),
            Action::Edit => "edit".into(),
            Action::Remove => "remove".into(),
            Action::EditWhich(i) => format!("edit:{i}"),
            Action::RemoveWhich(i) => format!("rm:{i}"),
            Action::ConfirmRemoveMember => "rmy".into(),
            Action::EditField(field) => format!("ef:{}", field.code()),
            Action::DecisionYes => "dec:yes".into(),
            Action::DecisionNo => "dec:no".into(),
            Action::ConsentYes => "consent:yes".into(),
            Action::ConsentNo => "consent:no".into(),
            Action::Resume => "resume".into(),
            Action::Restart => "restart".into(),
            Action::MyTeam => "myteam".into(),
            Action::EditTeam => "editteam".into(),
            Action::Language(lang) => format!("lang:{}", lang.code()),
            Action::ChooseLanguage => "langs".into(),
            Action::Cancel => "cancel".into(),
            Action::Help => "help".into(),
            Action::Find => "find".into(),
            Action::Browse(parent, page) => {
                format!("br:{}:{page}", parent.as_deref().unwrap_or(""))
            }
            Action::ShowUnit(code) => format!("u:{code}"),
            Action::Page(page) => format!("pg:{page}"),
            Action::ImMember => "member".into(),
            Action::ShowMyNumber => "me:show".into(),
            Action::HideMyNumber => "me:hide".into(),
            Action::LeaveTeam(code) => format!("me:leave:{code}"),
            Action::Units => "units".into(),
            Action::UnitMenu(code) => format!("um:{code}"),
            Action::RenameVillage(code) => format!("vr:{code}"),
            Action::RemoveVillage(code) => format!("vx:{code}"),
            Action::ConfirmRemoveVillage(code) => format!("vxy:{code}"),
            Action::AddVillage => "va".into(),
            Action::ImportVillages => "vi".into(),
            Action::InviteFor(code) => format!("inv:{code}"),
            Action::ViewVillages(code) => format!("vv:{code}"),
            Action::NoticesOff => "notices:off".into(),
            Action::NoticesOn => "notices:on".into(),
            Action::RevokeAccess(code) => format!("rv:{code}"),
            Action::ConfirmRevokeAccess(code) => format!("rvy:{code}"),
            Action::ToAssign => "ta".into(),
            Action::AssignVillage(code) => format!("av:{code}"),
            Action::AssignVillageTo(village, commune) => format!("avt:{village}:{commune}"),
        }
    }

    /// Actions that only open a view or a dialogue, safe from a message of any age.
    pub fn opens_something(&self) -> bool {
        matches!(
            self,
            Action::MyTeam
                | Action::Units
                | Action::UnitMenu(_)
                | Action::ViewVillages(_)
                | Action::ToAssign
                | Action::NoticesOff
                | Action::Find
                | Action::ShowUnit(_)
        )
    }

    pub fn parse(payload: &str) -> Option<Action> {
        let simple = match payload {
            "back" => Some(Action::Back),
            "skip" => Some(Action::Skip),
            "keep" => Some(Action::Keep),
            "add" => Some(Action::AddMember),
            "done" => Some(Action::Done),
            "confirm" => Some(Action::Confirm),
            "edit" => Some(Action::Edit),
            "remove" => Some(Action::Remove),
            "rmy" => Some(Action::ConfirmRemoveMember),
            "dec:yes" => Some(Action::DecisionYes),
            "dec:no" => Some(Action::DecisionNo),
            "consent:yes" => Some(Action::ConsentYes),
            "consent:no" => Some(Action::ConsentNo),
            "resume" => Some(Action::Resume),
            "restart" => Some(Action::Restart),
            "myteam" => Some(Action::MyTeam),
            "editteam" => Some(Action::EditTeam),
            "langs" => Some(Action::ChooseLanguage),
            "cancel" => Some(Action::Cancel),
            "help" => Some(Action::Help),
            "find" => Some(Action::Find),
            "member" => Some(Action::ImMember),
            "me:show" => Some(Action::ShowMyNumber),
            "me:hide" => Some(Action::HideMyNumber),
            "units" => Some(Action::Units),
            "va" => Some(Action::AddVillage),
            "vi" => Some(Action::ImportVillages),
            "notices:off" => Some(Action::NoticesOff),
            "notices:on" => Some(Action::NoticesOn),
            "ta" => Some(Action::ToAssign),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        let (kind, arg) = payload.split_once(':')?;
        let code = || valid_code(arg).then(|| arg.to_owned());
        match kind {
            "role" => MemberRole::parse(arg).map(Action::Role),
            "edit" => arg.parse().ok().map(Action::EditWhich),
            "rm" => arg.parse().ok().map(Action::RemoveWhich),
            "ef" => MemberField::parse(arg).map(Action::EditField),
            "lang" => Lang::parse(arg).map(Action::Language),
            "br" => {
                let (parent, page) = arg.split_once(':')?;
                let parent = match parent {
                    "" => None,
                    code if valid_code(code) => Some(code.to_owned()),
                    _ => return None,
                };
                Some(Action::Browse(parent, page.parse().ok()?))
            }
            "u" => code().map(Action::ShowUnit),
            "pg" => arg.parse().ok().map(Action::Page),
            "me" => arg
                .strip_prefix("leave:")
                .filter(|c| valid_code(c))
                .map(|c| Action::LeaveTeam(c.to_owned())),
            "um" => code().map(Action::UnitMenu),
            "vr" => code().map(Action::RenameVillage),
            "vx" => code().map(Action::RemoveVillage),
            "vxy" => code().map(Action::ConfirmRemoveVillage),
            "inv" => code().map(Action::InviteFor),
            "vv" => code().map(Action::ViewVillages),
            "rv" => code().map(Action::RevokeAccess),
            "rvy" => code().map(Action::ConfirmRevokeAccess),
            "av" => code().map(Action::AssignVillage),
            "avt" => {
                let (village, commune) = arg.split_once(':')?;
                (valid_code(village) && valid_code(commune))
                    .then(|| Action::AssignVillageTo(village.to_owned(), commune.to_owned()))
            }
            _ => None,
        }
    }
}

/// Unit codes are digits with an optional `-NN` suffix; anything else in a payload is forged.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 16
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A button for a message sent outside a conversation turn (alerts, notices). It is valid at
/// any time, so only actions that merely open something are accepted from it.
pub fn anytime_button(label: String, action: &Action) -> super::Button {
    super::Button {
        label,
        payload: format!("*:{}", action.payload()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Telegram's limit on callback data, less the revision stamp (`4294967295:`) and the
    /// anytime prefix (`*:`).
    const MAX_PAYLOAD: usize = 64 - 11 - 2;

    /// Every variant, with its widest arguments. The match below has no catch-all: a new
    /// variant does not compile until it is added here, and so round-trip-tested.
    fn every_action() -> Vec<Action> {
        let code = "11083-01".to_owned();
        let longest = "1234567890123456".to_owned();
        let mut all = vec![
            Action::Back,
            Action::Skip,
            Action::Keep,
            Action::AddMember,
            Action::Done,
            Action::Confirm,
            Action::Edit,
            Action::Remove,
            Action::EditWhich(usize::MAX),
            Action::RemoveWhich(12),
            Action::ConfirmRemoveMember,
            Action::DecisionYes,
            Action::DecisionNo,
            Action::ConsentYes,
            Action::ConsentNo,
            Action::Resume,
            Action::Restart,
            Action::MyTeam,
            Action::EditTeam,
            Action::ChooseLanguage,
            Action::Cancel,
            Action::Help,
            Action::Find,
            Action::Browse(None, 0),
            Action::Browse(Some(longest.clone()), usize::MAX),
            Action::ShowUnit(longest.clone()),
            Action::Page(usize::MAX),
            Action::ImMember,
            Action::ShowMyNumber,
            Action::HideMyNumber,
            Action::LeaveTeam(longest.clone()),
            Action::Units,
            Action::UnitMenu(code.clone()),
            Action::RenameVillage(code.clone()),
            Action::RemoveVillage(code.clone()),
            Action::ConfirmRemoveVillage(longest.clone()),
            Action::AddVillage,
            Action::ImportVillages,
            Action::InviteFor(code.clone()),
            Action::ViewVillages(code.clone()),
            Action::NoticesOff,
            Action::NoticesOn,
            Action::RevokeAccess(code.clone()),
            Action::ConfirmRevokeAccess(longest.clone()),
            Action::ToAssign,
            Action::AssignVillage(code.clone()),
            Action::AssignVillageTo(longest.clone(), longest),
        ];
        all.extend(MemberRole::ALL.into_iter().map(Action::Role));
        all.extend(MemberField::ALL.iter().copied().map(Action::EditField));
        all.extend([Lang::Vi, Lang::En].map(Action::Language));
        for action in &all {
            covered(action);
        }
        all
    }

    /// How many variants [`covered`] lists: a variant added there but not to
    /// [`every_action`] fails [`every_variant_has_a_sample`].
    const VARIANTS: usize = 49;

    fn covered(action: &Action) {
        match action {
            Action::Back
            | Action::Skip
            | Action::Keep
            | Action::Role(_)
            | Action::AddMember
            | Action::Done
            | Action::Confirm
            | Action::Edit
            | Action::Remove
            | Action::EditWhich(_)
            | Action::RemoveWhich(_)
            | Action::ConfirmRemoveMember
            | Action::EditField(_)
            | Action::DecisionYes
            | Action::DecisionNo
            | Action::ConsentYes
            | Action::ConsentNo
            | Action::Resume
            | Action::Restart
            | Action::MyTeam
            | Action::EditTeam
            | Action::Language(_)
            | Action::ChooseLanguage
            | Action::Cancel
            | Action::Help
            | Action::Find
            | Action::Browse(..)
            | Action::ShowUnit(_)
            | Action::Page(_)
            | Action::ImMember
            | Action::ShowMyNumber
            | Action::HideMyNumber
            | Action::LeaveTeam(_)
            | Action::Units
            | Action::UnitMenu(_)
            | Action::RenameVillage(_)
            | Action::RemoveVillage(_)
            | Action::ConfirmRemoveVillage(_)
            | Action::AddVillage
            | Action::ImportVillages
            | Action::InviteFor(_)
            | Action::ViewVillages(_)
            | Action::NoticesOff
            | Action::NoticesOn
            | Action::RevokeAccess(_)
            | Action::ConfirmRevokeAccess(_)
            | Action::ToAssign
            | Action::AssignVillage(_)
            | Action::AssignVillageTo(..) => {}
        }
    }

    #[test]
    fn every_action_survives_its_payload_round_trip_within_telegrams_limit() {
        for action in every_action() {
            let payload = action.payload();
            assert_eq!(Action::parse(&payload), Some(action.clone()), "{payload}");
            assert!(payload.len() <= MAX_PAYLOAD, "{payload} is too long");
        }
    }

    #[test]
    fn every_variant_has_a_sample() {
        let kinds: std::collections::HashSet<_> =
            every_action().iter().map(std::mem::discriminant).collect();
        assert_eq!(kinds.len(), VARIANTS);
    }

    #[test]
    fn no_two_actions_share_a_payload() {
        let all = every_action();
        let payloads: std::collections::HashSet<String> = all.iter().map(Action::payload).collect();
        assert_eq!(payloads.len(), all.len());
    }

    #[test]
    fn forged_payloads_are_refused() {
        for forged in [
            "role:mayor",
            "edit:x",
            "u:../../etc",
            "vx:",
            "br:1:x",
            "me:leave:a b",
            "u:12345678901234567",
            "avt:11086-01",
            "avt:11086-01:<b>",
            "nothing",
        ] {
            assert_eq!(Action::parse(forged), None, "{forged}");
        }
    }
}
