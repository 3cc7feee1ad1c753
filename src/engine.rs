//! One update in, replies out. The engine loads what the conversation core needs, runs it,
//! and stores the new session together with the core's effects in one transaction, so a
//! crash or restart at any point leaves either the whole step or none of it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::{vietnam_date, Clock};
use crate::conversation::{
    self, parse_command, AccountView, Command, Context, Effect, Incoming, InvitationCheck, Reply,
    SavedTeam, Session, UnitView,
};
use crate::domain::CompositionRules;
use crate::i18n::{Texts, K};
use crate::invitation::hash_code;
use crate::storage::{
    accounts, audit::audit, invitations, sessions, teams, units, Account, StorageError, Store, Tx,
};

/// A chat on a channel: `telegram` + chat id, `console` + a name…
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChatKey {
    pub channel: &'static str,
    pub id: String,
}

impl ChatKey {
    pub fn new(channel: &'static str, id: impl Into<String>) -> ChatKey {
        ChatKey {
            channel,
            id: id.into(),
        }
    }

    fn actor(&self) -> String {
        format!("{}:{}", self.channel, self.id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Everything an adapter needs to run conversations. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Engine {
    store: Store,
    texts: Arc<Texts>,
    rules: Arc<CompositionRules>,
    clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(
        store: Store,
        texts: Arc<Texts>,
        rules: Arc<CompositionRules>,
        clock: Arc<dyn Clock>,
    ) -> Engine {
        Engine {
            store,
            texts,
            rules,
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Applies one incoming event of `chat`. With an `update_id`, an update seen before is
    /// acknowledged and ignored (empty replies).
    #[tracing::instrument(skip_all, fields(channel = chat.channel, chat = %chat.id))]
    pub async fn handle(
        &self,
        chat: &ChatKey,
        update_id: Option<&str>,
        incoming: Incoming,
    ) -> Result<Vec<Reply>, EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(update_id) = update_id {
            if !sessions::mark_update_processed(&mut tx, chat.channel, update_id, now).await? {
                tracing::info!(update_id, "duplicate update ignored");
                return Ok(Vec::new());
            }
        }
        let session = load_session(&mut tx, chat).await?;
        let account = account_view(&mut tx, chat).await?;
        let invitation = match &incoming {
            Incoming::Text(text) => match parse_command(text) {
                Some(Command::Start(Some(code))) => {
                    Some(check_invitation(&mut tx, &code, now).await?)
                }
                _ => None,
            },
            _ => None,
        };
        let mut ctx = Context {
            texts: &self.texts,
            rules: &self.rules,
            today: vietnam_date(now),
            account,
            team: None,
            invitation,
        };
        if session.state == conversation::State::Idle {
            if let Some(unit) = ctx.invitation_or_account_unit() {
                ctx.team = saved_team(&mut tx, &unit.code).await?;
            }
        }
        // The core is pure and must not panic; if it ever does, the chat gets an apology and
        // keeps its state, and the bot keeps running.
        let outcome = match catch_unwind(AssertUnwindSafe(|| {
            conversation::handle(&session, incoming, &ctx)
        })) {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::error!("conversation core panicked; state left unchanged");
                drop(tx);
                let text = self.texts.get(session.lang, K::InternalError);
                return Ok(vec![Reply {
                    text,
                    buttons: Vec::new(),
                }]);
            }
        };
        for effect in &outcome.effects {
            apply_effect(&mut tx, chat, effect, now).await?;
        }
        let json = serde_json::to_string(&outcome.session)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        sessions::save_session(&mut tx, chat.channel, &chat.id, &json, now).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(outcome.replies)
    }

    /// The language a chat speaks (for texts sent outside a conversation turn).
    pub async fn session(&self, chat: &ChatKey) -> Result<Session, EngineError> {
        let mut tx = self
            .store
            .pool()
            .begin()
            .await
            .map_err(StorageError::from)?;
        let session = load_session(&mut tx, chat).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(session)
    }
}

async fn load_session(tx: &mut Tx<'_>, chat: &ChatKey) -> Result<Session, StorageError> {
    let Some(json) = sessions::load_session(tx, chat.channel, &chat.id).await? else {
        return Ok(Session::default());
    };
    Ok(serde_json::from_str(&json).unwrap_or_else(|error| {
        tracing::warn!(%error, "unreadable session replaced by a fresh one");
        Session::default()
    }))
}

async fn unit_view(
    tx: &mut Tx<'_>,
    code: &str,
) -> Result<Option<(UnitView, Option<UnitView>)>, StorageError> {
    let Some(unit) = units::unit_in_tx(tx, code).await? else {
        return Ok(None);
    };
    let parent = match &unit.parent_code {
        Some(parent) => units::unit_in_tx(tx, parent).await?.map(|p| UnitView {
            code: p.code,
            name: p.name,
        }),
        None => None,
    };
    Ok(Some((
        UnitView {
            code: unit.code,
            name: unit.name,
        },
        parent,
    )))
}

async fn account_view(
    tx: &mut Tx<'_>,
    chat: &ChatKey,
) -> Result<Option<AccountView>, StorageError> {
    let Some(account) = accounts::account(tx, chat.channel, &chat.id).await? else {
        return Ok(None);
    };
    Ok(unit_view(tx, &account.unit_code)
        .await?
        .map(|(unit, parent)| AccountView {
            role: account.role,
            unit,
            parent,
        }))
}

async fn check_invitation(
    tx: &mut Tx<'_>,
    code: &str,
    now: DateTime<Utc>,
) -> Result<InvitationCheck, StorageError> {
    let code_sha256 = hash_code(code);
    let Some(record) = invitations::invitation(tx, &code_sha256).await? else {
        return Ok(InvitationCheck::Unknown);
    };
    if record.used {
        return Ok(InvitationCheck::Used);
    }
    if record.expires_at <= now {
        return Ok(InvitationCheck::Expired);
    }
    Ok(match unit_view(tx, &record.unit_code).await? {
        Some((unit, parent)) => InvitationCheck::Valid {
            code_sha256,
            role: record.role,
            unit,
            parent,
        },
        None => InvitationCheck::Unknown,
    })
}

async fn saved_team(tx: &mut Tx<'_>, unit_code: &str) -> Result<Option<SavedTeam>, StorageError> {
    Ok(teams::team_for_unit(tx, unit_code)
        .await?
        .map(|stored| SavedTeam {
            registered: stored.status == teams::TeamStatus::Registered,
            team: stored.team,
            unfinished: stored.unfinished,
        }))
}

async fn apply_effect(
    tx: &mut Tx<'_>,
    chat: &ChatKey,
    effect: &Effect,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let actor = chat.actor();
    match effect {
        Effect::RedeemInvitation {
            code_sha256,
            role,
            unit_code,
        } => {
            if invitations::mark_invitation_used(tx, code_sha256, chat.channel, &chat.id, now)
                .await?
            {
                let account = Account {
                    role: *role,
                    unit_code: unit_code.clone(),
                };
                accounts::bind_account(tx, chat.channel, &chat.id, &account, now).await?;
                let detail = serde_json::json!({ "role": role.code() });
                audit(
                    tx,
                    &actor,
                    "invitation.redeemed",
                    Some(unit_code),
                    &detail,
                    now,
                )
                .await?;
            }
        }
        Effect::SaveDraft {
            unit_code,
            registration,
        } => {
            teams::save_draft(tx, unit_code, registration, now).await?;
            let detail = serde_json::json!({ "members": registration.draft.members.len() });
            audit(
                tx,
                &actor,
                "team.draft_saved",
                Some(unit_code),
                &detail,
                now,
            )
            .await?;
        }
        Effect::SaveTeam { unit_code, team } => {
            teams::save_team(tx, unit_code, team, now).await?;
            let detail = serde_json::json!({
                "members": team.members.len(),
                "decision": team.decision.number.is_some(),
            });
            audit(tx, &actor, "team.registered", Some(unit_code), &detail, now).await?;
        }
    }
    Ok(())
}
