//! The conversation core: `(session, incoming, context) -> (session, replies, effects)`.
//!
//! It is pure and channel-agnostic: adapters (Telegram, console, later Zalo) translate their
//! updates into [`Incoming`] and [`Reply`] back; the [`crate::engine`] loads the [`Context`]
//! from the database, calls [`handle`] and applies the [`Effect`]s in the same transaction
//! that stores the new [`Session`].

mod action;
mod field;
mod idle;
mod input;
pub mod lookup;
mod member;
mod menu;
pub mod notices;
mod official;
mod registration;
mod resident;
mod router;
pub mod state;
pub mod summary;
mod turn;

use chrono::NaiveDate;

pub use crate::wording::role_key;
pub use action::{anytime_button, Action};
pub use input::{parse_command, Command};
pub use lookup::{Lookup, Need};
pub use state::{
    Decision, DecisionFile, Draft, FileKind, Member, Registration, Session, State, Team,
};

use crate::domain::{AccountRole, CompositionRules, PhoneNumber};
use crate::i18n::{Html, Texts};

/// One thing a user did, as any channel can express it. Stored in the inbox as JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Incoming {
    /// Typed text, commands included (`/start abc`).
    Text(String),
    /// A button press; the payload is what [`Button::payload`] held.
    Button(String),
    /// A shared phone contact; `own` when it is the sender's own number.
    Contact {
        phone: String,
        own: bool,
    },
    File(FileUpload),
    /// Something the bot cannot read here (sticker, voice note, location…).
    Unsupported(UnsupportedKind),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileUpload {
    pub file_id: String,
    pub kind: FileKind,
    pub sha256: Option<String>,
    /// The bytes of a small text file (a CSV of villages); adapters fill it for CSV files.
    #[serde(default, with = "crate::base64_bytes::option")]
    pub content: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnsupportedKind {
    Sticker,
    Voice,
    Location,
    Video,
    Other,
}

/// A message from the bot: markup text (see [`crate::i18n`]) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    pub text: Html,
    pub buttons: Vec<Vec<Button>>,
    /// Ask the user to share their own phone contact (Telegram shows a one-tap button).
    #[serde(default)]
    pub ask_contact: Option<String>,
    /// A PNG picture sent after the text (the QR code of an invitation, a chart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Attachment>,
    /// A file sent after the text (a report's spreadsheet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Attachment>,
}

impl Reply {
    pub fn text(text: Html) -> Reply {
        Reply {
            text,
            buttons: Vec::new(),
            ask_contact: None,
            image: None,
            document: None,
        }
    }
}

/// A file sent with a reply: a picture (an invitation's QR code, a chart) or a document
/// (a report's spreadsheet).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub file_name: String,
    #[serde(with = "crate::base64_bytes")]
    pub bytes: Vec<u8>,
    /// Shown under the picture or file, so it still says what it is when forwarded alone.
    pub caption: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Button {
    /// Plain text shown on the button.
    pub label: String,
    /// What comes back as [`Incoming::Button`] when it is pressed (at most 64 bytes).
    pub payload: String,
}

/// A unit as the conversation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitView {
    pub code: String,
    pub name: String,
}

/// Who the chat belongs to, once an invitation bound it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    pub role: AccountRole,
    pub unit: UnitView,
    pub parent: Option<UnitView>,
}

/// The village head's team as stored, for `/myteam` and resuming a cancelled registration.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedTeam {
    pub registered: bool,
    /// Bumped by every save: an edit remembers the version it started from.
    pub version: i64,
    pub team: Team,
    /// A paused registration is a dialogue state, so it stays one.
    pub unfinished: Option<Registration>,
}

/// What the engine found for the code of a `/start CODE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationCheck {
    Valid {
        code_sha256: String,
        role: AccountRole,
        unit: UnitView,
        parent: Option<UnitView>,
    },
    Unknown,
    Used,
    Expired,
}

/// Everything the core may read besides the session. Loaded by the engine per update.
pub struct Context<'a> {
    pub texts: &'a Texts,
    pub rules: &'a CompositionRules,
    /// Today in Vietnam (UTC+7), for "not in the future" checks.
    pub today: NaiveDate,
    pub account: Option<AccountView>,
    pub team: Option<SavedTeam>,
    pub invitation: Option<InvitationCheck>,
    /// The teams a phone number shared as the sender's own contact belongs to.
    pub memberships: Vec<Membership>,
    /// Answers to the core's [`Need`]s so far in this turn.
    pub answers: Vec<(Need, Lookup)>,
}

/// A team the chat's own phone number is a member of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub unit: lookup::UnitEntry,
    pub name: String,
    /// Whether residents see the number now.
    pub visible: bool,
    /// The number is the team leader's (who does not ask the head to leave).
    pub leader: bool,
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
        registration: Registration,
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
    /// `/lienket CODE` typed here: this chat and the one that showed the code are one
    /// person's.
    LinkWith {
        code: String,
    },
    /// An action refused for role or scope: kept in the audit log.
    Denied {
        action: String,
        unit_code: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub session: Session,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
    /// Data the core needs to finish; the engine loads it and runs the message again.
    pub need: Option<Need>,
}

/// A file the chat's current question asks for: only then is a file a user sends fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedFile {
    /// The scan or photo of a team's founding decision.
    DecisionScan,
    /// A commune's village list (CSV).
    VillagesCsv,
}

pub fn expected_file(state: &State) -> Option<ExpectedFile> {
    match state {
        State::Registering(reg) if reg.step == state::Step::DecisionFile => {
            Some(ExpectedFile::DecisionScan)
        }
        State::AwaitingVillagesCsv => Some(ExpectedFile::VillagesCsv),
        _ => None,
    }
}

/// Handles one incoming event. Never panics on any input; never touches I/O.
pub fn handle(session: &Session, incoming: Incoming, ctx: &Context<'_>) -> Outcome {
    let mut turn = turn::Turn::new(session, ctx);
    // An account revoked or expired mid-dialogue takes its dialogue with it: the step is
    // read from the menu, as a resident's.
    let state = if needs_account(&session.state) && ctx.invitation_or_account_unit().is_none() {
        State::Idle
    } else {
        session.state.clone()
    };
    let state = router::route(&mut turn, state, incoming);
    turn.finish(session, state)
}

/// The question the chat's current state waits for, with its buttons, asked again as `/help`
/// would ask it; nothing changes (the revision stays, so its buttons work). For a channel that
/// lost what it showed: a console restarted in the middle of a dialogue.
pub fn current_question(session: &Session, ctx: &Context<'_>) -> Vec<Reply> {
    let mut turn = turn::Turn::new(session, ctx);
    let state = if needs_account(&session.state) && ctx.invitation_or_account_unit().is_none() {
        State::Idle
    } else {
        session.state.clone()
    };
    router::reprompt(&mut turn, &state);
    turn.finish(session, session.state.clone()).replies
}

/// States only an account may be in (they write to its unit).
fn needs_account(state: &State) -> bool {
    matches!(
        state,
        State::Registering(_)
            | State::AddingVillage
            | State::RenamingVillage { .. }
            | State::AwaitingVillagesCsv
    )
}

impl Context<'_> {
    /// The village this chat acts for: the one of an invitation being redeemed right now, or
    /// the village head's own.
    pub fn invitation_or_account_unit(&self) -> Option<UnitView> {
        if let Some(InvitationCheck::Valid {
            unit,
            role: AccountRole::VillageHead | AccountRole::CommuneOfficial,
            ..
        }) = &self.invitation
        {
            return Some(unit.clone());
        }
        self.account
            .as_ref()
            .filter(|a| {
                matches!(
                    a.role,
                    AccountRole::VillageHead | AccountRole::CommuneOfficial
                )
            })
            .map(|a| a.unit.clone())
    }

    /// The answer to `need`, if the engine already loaded it.
    pub fn answer(&self, need: &Need) -> Option<&Lookup> {
        self.answers.iter().find(|(n, _)| n == need).map(|(_, l)| l)
    }
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
