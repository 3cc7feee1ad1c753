//! What a button (or a word meaning the same) asks for, and its compact payload: at most
//! 64 bytes, as Telegram's callback data allows. Each action is declared once below, with
//! its payload code and its arguments' names; [`codec`] derives the enum, its payload and
//! its reading back from that one list, exhaustively both ways.

#[macro_use]
mod codec;

pub use codec::Stamp;

use super::state::MemberField;
use crate::domain::announcement::Audience;
use crate::domain::{MemberRole, Period};
use crate::i18n::Lang;

actions! {
    Back = "back",
    Skip = "skip",
    Keep = "keep",
    Role(role: MemberRole) = "role",
    AddMember = "add",
    Done = "done",
    Confirm = "confirm",
    Edit = "edit",
    Remove = "remove",
    /// 0 is the leader, 1.. the members in order.
    EditWhich(index: usize) = "edit",
    RemoveWhich(index: usize) = "rm",
    /// "Yes, remove them" after [`Action::RemoveWhich`].
    ConfirmRemoveMember = "rmy",
    /// The field to change of the person chosen with [`Action::EditWhich`].
    EditField(field: MemberField) = "ef",
    DecisionYes = "dec:yes",
    DecisionNo = "dec:no",
    ConsentYes = "consent:yes",
    ConsentNo = "consent:no",
    Resume = "resume",
    Restart = "restart",
    MyTeam = "myteam",
    EditTeam = "editteam",
    Language(lang: Lang) = "lang",
    ChooseLanguage = "langs",
    Cancel = "cancel",
    Help = "help",
    /// Residents: look a village or commune up by name.
    Find = "find",
    /// Residents: walk the place tree from `parent` (the top when `None`), page `page`.
    Browse(parent: Option<String>, page: usize) = "br",
    /// Show the team card of a unit.
    ShowUnit(code: String) = "u",
    /// Another page of search results.
    Page(page: usize) = "pg",
    /// "I am a team member": prove it by sharing one's own contact.
    ImMember = "member",
    ShowMyNumber = "me:show",
    HideMyNumber = "me:hide",
    LeaveTeam(code: String) = "me:leave",
    /// `/dulieu`: what cnscd holds about the member and where it is shown.
    MyData = "me:data",
    /// Ask the head to correct what the team lists about oneself.
    CorrectMyData = "me:fix",
    /// Ask for erasure, then confirm it.
    EraseMyData = "me:erase",
    ConfirmEraseMyData = "me:erasey",
    /// Officials: the list of villages (commune) or communes (district).
    Units = "units",
    UnitMenu(code: String) = "um",
    RenameVillage(code: String) = "vr",
    RemoveVillage(code: String) = "vx",
    ConfirmRemoveVillage(code: String) = "vxy",
    AddVillage = "va",
    ImportVillages = "vi",
    InviteFor(code: String) = "inv",
    /// The villages of a commune with their status (district officials).
    ViewVillages(code: String) = "vv",
    NoticesOff = "notices:off",
    NoticesOn = "notices:on",
    /// Officials: end the access of the accounts bound to a unit below (the village head of
    /// a village, the officials of a commune), after a confirmation.
    RevokeAccess(code: String) = "rv",
    ConfirmRevokeAccess(code: String) = "rvy",
    /// Province officials: the villages of divided communes still to assign (after a
    /// reorganisation).
    ToAssign = "ta",
    /// Choose the new commune of a village to assign.
    AssignVillage(code: String) = "av",
    /// Put the village (first) in the commune (second).
    AssignVillageTo(village: String, commune: String) = "avt",
    /// The founding decision drafted for a village's team, or a commune's villages.
    DraftDecision(code: String) = "qd",
    /// Commune officials: the period report (which period?).
    PeriodReport = "pr",
    /// The commune's figures for a period, and where its report stands.
    ShowPeriod(period: Period) = "prs",
    /// Submit the commune's report for the period: `version` 0 the first time, else the
    /// version of the returned report submitted again.
    SubmitPeriod(period: Period, version: i64) = "prsub",
    /// Province officials, from the notice of a submission: approve, or return with a
    /// reason, the commune's report of that version (a later one is not decided by it).
    ApprovePeriod(commune: String, period: Period, version: i64) = "pra",
    ReturnPeriod(commune: String, period: Period, version: i64) = "prr",
    /// Members and heads: log what the team did (`conversation/activity.rs`).
    LogActivity = "log",
    /// The team to log for, when the person is in several.
    LogTeam(code: String) = "log:t",
    /// The kind, by its place in the rules' list.
    LogKind(index: usize) = "log:k",
    LogPeople(people: usize) = "log:n",
    /// The person's last entry again, for today, in one tap.
    LogRepeat = "log:r",
    LogHouseholds = "log:h",
    LogDay = "log:d",
    LogNote = "log:o",
    LogDone = "log:x",
    /// Residents: "cần hỗ trợ" typed with no village chosen: which village?
    HelpStart = "h:start",
    /// Residents: ask the team of the village for help (`conversation/help.rs`).
    HelpAsk(code: String) = "h:a",
    /// The need, by its place in the rules' list of activity kinds.
    HelpNeed(index: usize) = "h:n",
    HelpSkip = "h:k",
    HelpByChat = "h:c",
    HelpByPhone = "h:p",
    HelpConsentYes = "h:y",
    HelpConsentNo = "h:no",
    HelpSend = "h:s",
    /// The team, from the offer of request `id`: take it ("Tôi nhận").
    HelpTake(id: i64) = "h:t",
    /// The owner closes request `id`: solved, not solved, not a real request.
    HelpSolved(id: i64) = "h:ok",
    HelpUnsolved(id: i64) = "h:ko",
    HelpAbuse(id: i64) = "h:x",
    /// The resident rates request `id` (1–5 stars), or reopens it.
    HelpRate(id: i64, stars: usize) = "h:r",
    HelpReopen(id: i64) = "h:o",
    /// A recipient of an announcement: "👍 Got it".
    AckAnnouncement(id: i64) = "ack",
    /// Officials: an announcement to the teams of their area (to whom?).
    Announce = "an",
    AnnounceTo(audience: Audience) = "an:to",
    /// Send the announcement previewed.
    AnnounceSend = "an:go",
    /// Officials: where their last announcements stand.
    AnnouncementStatus = "an:st",
    /// Remind those who have not pressed "Got it" on announcement `id` of `scope`.
    RemindAnnouncement(scope: String, id: i64) = "an:rm",
}

impl Action {
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
                // A draft to read: it changes nothing, and access is checked again.
                | Action::DraftDecision(_)
                | Action::PeriodReport
                | Action::ShowPeriod(_)
                | Action::Announce
                | Action::AnnouncementStatus
        )
    }

    /// Actions a button sent outside a turn (a notice) may carry: those that only open
    /// something, and a decision on a period report, which names the report's version and
    /// so is refused by storage once that version is gone (decided, or submitted again).
    pub fn valid_anytime(&self) -> bool {
        self.opens_something()
            || matches!(
                self,
                Action::ApprovePeriod(..)
                    | Action::ReturnPeriod(..)
                    | Action::AckAnnouncement(_)
                    // At most once a Vietnam day, and access is checked again.
                    | Action::RemindAnnouncement(..)
            )
            // A request's steps are guarded by its status, owner and version in storage.
            || self.is_help_ticket()
    }

    /// The buttons of a request sent to the team and the resident outside their turns.
    pub fn is_help_ticket(&self) -> bool {
        matches!(
            self,
            Action::HelpTake(_)
                | Action::HelpSolved(_)
                | Action::HelpUnsolved(_)
                | Action::HelpAbuse(_)
                | Action::HelpRate(..)
                | Action::HelpReopen(_)
        )
    }
}

/// Unit codes are digits with an optional `-NN` suffix; anything else in a payload is forged.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 16
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A button for a message sent outside a conversation turn (alerts, notices). It is valid at
/// any time, so only actions [`Action::valid_anytime`] names are accepted from it.
pub fn anytime_button(label: String, action: &Action) -> super::Button {
    super::Button {
        label,
        payload: Stamp::Anytime.write(&action.payload()),
    }
}

#[cfg(test)]
mod tests;
