//! The changes to the world a turn asks the engine to apply with the new session.

use chrono::NaiveDate;

use super::{Registration, Team};
use crate::domain::{AccountRole, AuditAction, PhoneNumber};

/// A right a person exercised over their data (Personal Data Protection Law 91/2025/QH15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyRequestKind {
    /// To see what is held and where it is shown: answered at once.
    Access,
    /// To have the team's listing corrected: the head corrects it.
    Correction,
}

impl PrivacyRequestKind {
    /// The audit log's action.
    pub fn action(self) -> AuditAction {
        match self {
            PrivacyRequestKind::Access => AuditAction::PrivacyAccess,
            PrivacyRequestKind::Correction => AuditAction::PrivacyCorrectionRequested,
        }
    }
}

/// A change to the world the engine must apply with the new session, atomically.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    RedeemInvitation {
        code_sha256: String,
        role: AccountRole,
        unit_code: String,
    },
    /// Keep the unfinished registration (and its complete part) so officials see a draft
    /// and the head can resume it.
    SaveDraft {
        unit_code: String,
        /// Boxed: a registration is many times the size of the other effects.
        registration: Box<Registration>,
        /// The head paused (`/huy`), rather than a checkpoint after an answer.
        paused: bool,
    },
    /// The head confirmed the team.
    SaveTeam {
        unit_code: String,
        team: Team,
        /// See [`Registration::based_on`].
        based_on: Option<i64>,
    },
    /// A member's own word on publishing their number.
    SetPhoneConsent {
        phone: PhoneNumber,
        granted: bool,
    },
    /// A person used a right over their data from their own chat (`/dulieu`): logged with
    /// the date it is due by; a correction is sent to the heads of their teams.
    PrivacyRequest {
        kind: PrivacyRequestKind,
        phone: PhoneNumber,
        /// The teams that list the person: (unit code, the name it lists them under).
        listed: Vec<(String, String)>,
    },
    /// A person asked, from their own chat, to be erased: done at once, everywhere, as
    /// `cnscd erase --phone` does; the heads of their teams are told (without the name).
    ErasePerson {
        phone: PhoneNumber,
        /// The teams that listed the person.
        unit_codes: Vec<String>,
    },
    /// A member asks to leave a team: its head is told.
    RequestRemoval {
        phone: PhoneNumber,
        unit_code: String,
        name: String,
    },
    AddVillage {
        commune: String,
        name: String,
    },
    RenameVillage {
        code: String,
        name: String,
    },
    RemoveVillage {
        code: String,
    },
    /// Villages from a CSV file sent in chat, for the official's commune only.
    ImportVillages {
        commune: String,
        csv: Vec<u8>,
    },
    /// A one-time invitation; the engine makes the code and shows it with its link.
    CreateInvitation {
        role: AccountRole,
        unit_code: String,
        unit_name: String,
    },
    /// A commune official turns the notices of village team changes on or off.
    SetChangeNotices {
        on: bool,
    },
    /// The report of an official's area, sent as a summary, a chart and a spreadsheet.
    SendReport {
        scope: String,
        /// The teams' work in this period, rather than the founding report.
        period: Option<crate::domain::Period>,
    },
    /// The founding decision drafted for a village's team or a commune's villages, sent as
    /// a Word document.
    SendDecision {
        unit_code: String,
    },
    /// A district official sets the deadline of the district's campaign.
    SetDeadline {
        scope: String,
        deadline: NaiveDate,
    },
    /// A province official places a village of a divided commune in one of its communes.
    AssignVillage {
        village: String,
        commune: String,
    },
    /// The official above ends the access of the accounts of `role` bound to the unit.
    RevokeAccess {
        unit_code: String,
        role: AccountRole,
    },
    /// An invitation code that was unknown, used or expired: audited (without the code)
    /// and counted against the chat's limit of wrong codes.
    InvitationRefused {
        reason: &'static str,
    },
    /// `/lienket`: the engine makes a one-time code that links another chat to this one.
    ShowLinkCode,
    /// `/lienket CODE` typed here: the chat that showed the code is asked to confirm.
    LinkWith {
        code: String,
    },
    /// `/lienket ok` in the chat that showed a code: the chat that typed it holds this
    /// chat's account from now on, and both are one person's.
    ConfirmLink,
    /// A number given through a form that does not prove it: the engine shows the chat a
    /// one-time code for the head of the person's team to confirm.
    ProveNumber {
        phone: PhoneNumber,
    },
    /// `/xacnhan CODE` typed by a head: the chat shown the code is the number's person.
    ConfirmNumber {
        code: String,
    },
    /// A commune official submits the commune's report for `period` (`based_on`: the
    /// version of the returned report submitted again); the province's officials are told.
    SubmitPeriodReport {
        commune: String,
        period: crate::domain::Period,
        based_on: Option<i64>,
    },
    /// A province official approves (`reason` `None`) or returns the commune's report of
    /// `version`; the commune's officials are told.
    DecidePeriodReport {
        commune: String,
        period: crate::domain::Period,
        version: i64,
        reason: Option<String>,
    },
    /// A recipient pressed "Got it" on announcement `id` (recorded once; the engine answers).
    AcknowledgeAnnouncement {
        id: i64,
    },
    /// An official sends an announcement to `audience` in `scope` (once per `key`, the
    /// update's); the engine answers with what it queued.
    SendAnnouncement {
        scope: String,
        scope_name: String,
        audience: crate::domain::announcement::Audience,
        text: String,
        key: String,
    },
    /// An official asks where their last announcements stand (the engine answers).
    ShowAnnouncements,
    /// An official reminds those who have not pressed "Got it" on announcement `id`, which
    /// must be of `scope` (checked in the core); once a Vietnam day.
    RemindAnnouncement {
        scope: String,
        id: i64,
    },
    /// A member or head logged what their team did (the entry of `key`, once).
    LogActivity {
        unit_code: String,
        kind: String,
        people: u32,
        day: NaiveDate,
        /// A member's listed number and name; `None` for the head's account.
        by: Option<(PhoneNumber, String)>,
        key: String,
    },
    /// The entry just saved, completed from the dialogue that saved it.
    CompleteActivity {
        unit_code: String,
        key: String,
        completion: crate::domain::activity::entry::Completion,
    },
    /// A member proved their number in this chat (their own contact): the chat is where
    /// residents' requests to their teams reach them.
    RememberMemberChat {
        phone: PhoneNumber,
    },
    /// A resident asks the team of `unit_code` for help (once per `key`): stored, and
    /// offered to every reachable member of the team and its head.
    AskHelp {
        unit_code: String,
        need: String,
        description: Option<String>,
        phone: Option<PhoneNumber>,
        key: String,
    },
    /// A member (or the head) takes request `id` of `version`.
    TakeHelp {
        id: i64,
        version: i64,
        name: String,
        phone: Option<PhoneNumber>,
        /// Their number is published on the team card: the resident is shown it.
        phone_shown: bool,
    },
    /// The owner closes request `id` of `version`.
    CloseHelp {
        id: i64,
        version: i64,
        /// Solved, unsolved or abuse.
        outcome: crate::domain::RequestStatus,
    },
    /// The resident rates request `id`.
    RateHelp {
        id: i64,
        stars: u8,
    },
    /// The resident reopens request `id` of `version`: offered to the team again.
    ReopenHelp {
        id: i64,
        version: i64,
    },
    /// An action refused for role or scope: kept in the audit log.
    Denied {
        action: String,
        unit_code: String,
    },
}

impl Effect {
    /// Whether applying it may change a unit's team status (alerts are recomputed then).
    pub fn changes_status(&self) -> bool {
        matches!(
            self,
            Effect::SaveDraft { .. }
                | Effect::SaveTeam { .. }
                | Effect::AddVillage { .. }
                | Effect::RemoveVillage { .. }
                | Effect::ImportVillages { .. }
                | Effect::SetDeadline { .. }
        )
    }
}
