//! What the effects are applied with, and what applying them leaves for the step.

use chrono::{DateTime, Utc};

use crate::chat::{ChannelName, ChatKey};
use crate::conversation::Reply;
use crate::i18n::{Lang, Texts};

/// What the effects need besides the transaction.
pub(in crate::engine) struct EffectEnv<'a> {
    pub chat: &'a ChatKey,
    pub now: DateTime<Utc>,
    pub texts: &'a Texts,
    pub lang: Lang,
    pub bot_username: Option<&'a str>,
    /// The channel where invitation codes are sent as messages (no link carries them), and
    /// the link that opens the bot there.
    pub typed_codes: Option<(ChannelName, &'a str)>,
    /// What the notices' team status is computed with.
    pub rules: &'a crate::domain::CompositionRules,
    /// The words of the founding decision drafted for a commune.
    pub decision_template: &'a crate::domain::DecisionTemplate,
}

/// Work that must run after the step's transaction committed. Queued in the outbox with the
/// step's replies, so a crash before it ran loses nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    ImportVillages {
        commune: String,
        #[serde(with = "crate::base64_bytes")]
        csv: Vec<u8>,
    },
    Report {
        scope: String,
        /// The teams' work in this period; absent in jobs queued before periods existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period: Option<crate::domain::Period>,
    },
    /// The founding decision drafted for a village or a commune's villages.
    Decision { unit_code: String },
}

#[derive(Default)]
pub(in crate::engine) struct Applied {
    pub replies: Vec<Reply>,
    pub after: Vec<Job>,
    /// Units added, renamed or removed: the search index re-reads them.
    pub changed_units: Vec<String>,
}
