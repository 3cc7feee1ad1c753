//! The conversation core: `(session, incoming, context) -> (session, replies, effects)`.
//!
//! It is pure and channel-agnostic: each channel (Telegram, Zalo, the console…) translates its
//! updates into [`Incoming`] and [`Reply`] back; the [`crate::engine`] loads the [`Context`]
//! from the database, calls [`handle`] and applies the [`Effect`]s in the same transaction
//! that stores the new [`Session`].

mod action;
mod activity;
mod choices;
mod effect;
mod field;
mod help;
mod idle;
mod input;
pub mod lookup;
mod member;
mod menu;
mod message;
pub mod notices;
mod official;
mod prefetch;
mod registration;
mod resident;
mod router;
pub mod state;
pub mod summary;
mod turn;

use chrono::NaiveDate;

pub use crate::wording::role_key;
pub use action::{anytime_button, Action, Stamp};
pub use choices::Choices;
pub use effect::{Effect, PrivacyRequestKind};
pub use input::{parse_command, Command};
pub use lookup::{Lookup, Need};
pub use message::{Attachment, Button, FileUpload, Incoming, Reply, ReportFile, UnsupportedKind};
pub use prefetch::{prefetch, Prefetch};
pub use state::{
    Announcing, Decision, DecisionFile, Draft, FileKind, HelpDraft, HelpStep, LogStep, Logging,
    Member, Registration, SavedEntry, Session, State, Team,
};

use crate::domain::{AccountRole, CompositionRules};
use crate::i18n::Texts;

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
    /// Its maker's account ended (revoked or expired) before it was redeemed.
    Revoked,
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
    /// The Telegram bot's username, when known: links into the bot name it.
    pub bot_username: Option<&'a str>,
    /// What the chat's person logged last (read with the memberships, or for a head's
    /// account): the menus offer it again in one tap.
    pub last_activity: Option<LastLogged>,
    /// How many entries the member whose number the chat proved logged (`/dulieu` says so).
    pub logged_count: u32,
    /// A key no other step has: the channel's update id where there is one, so an update
    /// delivered twice names the same entry and logs it once.
    pub step_key: String,
    /// The request a ticket's button names, as this chat may see it (read when a button
    /// of a request is pressed).
    pub help: Option<HelpView>,
}

/// A resident's request for help, as the chat pressing one of its buttons sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpView {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The village's ancestors, nearest first (access checks).
    pub ancestors: Vec<String>,
    /// An activity kind code.
    pub need: String,
    pub description: Option<String>,
    pub status: crate::domain::RequestStatus,
    pub version: i64,
    pub owner_name: Option<String>,
    /// This chat owns it.
    pub owned_here: bool,
    /// This chat asked it.
    pub asked_here: bool,
    /// The number the resident agreed to share (national form), for a chat it was offered
    /// to or its owner only.
    pub resident_phone: Option<String>,
    pub rated: bool,
    /// Closed as solved or not solved within the rules' reopen window.
    pub reopenable: bool,
}

/// What a person logged last, for the one-tap repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastLogged {
    pub unit_code: String,
    pub kind: String,
    pub people: u32,
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
    /// The mobile number the team lists for them (the shared one may be their Zalo number).
    pub phone: crate::domain::PhoneNumber,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub session: Session,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
    /// Data the core needs to finish; the engine loads it and runs the message again.
    pub need: Option<Need>,
}

/// The largest village list a chat may send (CSV or XLSX): a commune's list is a few
/// kilobytes; a megabyte holds tens of thousands of rows, far past the rows a chat may send.
pub const VILLAGES_FILE_MAX_BYTES: u64 = 1024 * 1024;

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
        State::Registering(reg)
            if reg.step == state::Step::Decision(state::DecisionField::File) =>
        {
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
            | State::ChoosingPeriod
            | State::Announcing(_)
    )
    // `ReturningPeriod` is a province official's: its answer checks access again.
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
