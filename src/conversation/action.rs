//! What a button (or a word meaning the same) asks for, and its compact payload: at most
//! 64 bytes, as Telegram's callback data allows.

use super::state::Field;
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
    EditField(Field),
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
            "ef" => Field::parse(arg).map(Action::EditField),
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
mod reorganisation_tests {
    use super::*;

    #[test]
    fn the_buttons_placing_villages_of_divided_communes_round_trip_and_refuse_forgeries() {
        for action in [
            Action::ToAssign,
            Action::AssignVillage("11086-01".into()),
            Action::AssignVillageTo("11086-01".into(), "11086".into()),
        ] {
            let payload = action.payload();
            assert!(payload.len() <= 64, "{payload}");
            assert_eq!(Action::parse(&payload), Some(action));
        }
        assert_eq!(Action::parse("avt:11086-01"), None);
        assert_eq!(Action::parse("avt:11086-01:<b>"), None);
    }
}
