//! What a chat remembers between two messages. Serialized as JSON in `dialogue_states`, so
//! the variants only grow: removing or renaming one would strand chats that are in it.

use serde::{Deserialize, Serialize};

pub use crate::domain::team::{ConsentSource, Decision, DecisionFile, FileKind, Member, Team};
use crate::domain::PhoneNumber;
use crate::i18n::Lang;

pub use super::field::{DecisionField, LeaderField, MemberField};
pub use draft::{Draft, PendingMember};
pub use step::Step;

mod draft;
mod step;

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
    /// A commune official asked which period to report on (a button, or typed).
    ChoosingPeriod,
    /// A province official asked why they return a commune's report of `version`.
    ReturningPeriod {
        commune: String,
        commune_name: String,
        period: crate::domain::Period,
        version: i64,
    },
    /// A member or the head logging what their team did (`conversation/activity.rs`).
    Logging(Box<Logging>),
    /// A resident asking a village's team for help (`conversation/help.rs`).
    AskingHelp(Box<HelpDraft>),
    /// An official writing an announcement to the teams of `scope`: its text asked for
    /// (`text` none), then previewed with how many it reaches (`conversation/official/announce.rs`).
    Announcing(Box<Announcing>),
}

/// A request for help being written: the village, then what the resident chose so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpDraft {
    pub unit: String,
    pub unit_name: String,
    pub step: HelpStep,
    /// An activity kind code, once picked.
    pub need: Option<String>,
    pub description: Option<String>,
    /// A number the resident agreed to share for this request only.
    pub phone: Option<PhoneNumber>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpStep {
    Need,
    Description,
    /// This chat, or a phone number.
    Contact,
    Phone,
    /// Share the number typed with the team, for this request only?
    Consent,
    Confirm,
}

/// An announcement being written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcing {
    pub scope: String,
    pub scope_name: String,
    pub audience: crate::domain::announcement::Audience,
    pub text: Option<String>,
}

/// An activity being logged: who logs it and the step reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logging {
    /// A member's proven number (their menu); `None` for the head's account.
    pub member: Option<PhoneNumber>,
    pub step: LogStep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum LogStep {
    /// A person in several teams picks the team first.
    Team,
    Kind {
        unit: String,
    },
    People {
        unit: String,
        kind: String,
    },
    /// Saved: the confirmation offers to complete it.
    Saved(SavedEntry),
    /// Completing the entry just saved: a typed answer is awaited.
    Households(SavedEntry),
    Day(SavedEntry),
    Note(SavedEntry),
}

/// The entry this dialogue saved, as it stands; `key` names it in storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedEntry {
    pub unit: String,
    pub key: String,
    pub kind: String,
    pub people: u32,
    pub households: Option<u32>,
    pub day: chrono::NaiveDate,
    pub note: Option<String>,
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
