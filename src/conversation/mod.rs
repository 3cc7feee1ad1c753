//! The conversation core: `(session, incoming, context) -> (session, replies, effects)`.
//!
//! It is pure and channel-agnostic: adapters (Telegram, console, later Zalo) translate their
//! updates into [`Incoming`] and [`Reply`] back; the [`crate::engine`] loads the [`Context`]
//! from the database, calls [`handle`] and applies the [`Effect`]s in the same transaction
//! that stores the new [`Session`].

mod idle;
mod input;
mod registration;
pub mod state;
mod summary;
mod turn;

use chrono::NaiveDate;

pub use input::{parse_command, Command};
pub use state::{Decision, DecisionFile, Draft, FileKind, Member, Registration, Session, State};
pub use summary::role_key;

use crate::domain::{AccountRole, CompositionRules};
use crate::i18n::{Html, Texts};

/// One thing a user did, as any channel can express it.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUpload {
    pub file_id: String,
    pub kind: FileKind,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedKind {
    Sticker,
    Voice,
    Location,
    Video,
    Other,
}

/// A message from the bot: markup text (see [`crate::i18n`]) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: Html,
    pub buttons: Vec<Vec<Button>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub team: Draft,
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
    },
    /// The head confirmed the team.
    SaveTeam { unit_code: String, team: Draft },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub session: Session,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
}

/// Handles one incoming event. Never panics on any input; never touches I/O.
pub fn handle(session: &Session, incoming: Incoming, ctx: &Context<'_>) -> Outcome {
    let mut turn = turn::Turn::new(session, ctx);
    let state = input::route(&mut turn, session.state.clone(), incoming);
    turn.finish(session, state)
}

impl Context<'_> {
    /// The village this chat acts for: the one of an invitation being redeemed right now, or
    /// the village head's own.
    pub fn invitation_or_account_unit(&self) -> Option<UnitView> {
        if let Some(InvitationCheck::Valid { unit, .. }) = &self.invitation {
            return Some(unit.clone());
        }
        self.account
            .as_ref()
            .filter(|a| a.role == AccountRole::VillageHead)
            .map(|a| a.unit.clone())
    }
}
