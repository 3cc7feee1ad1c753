//! Loading what the conversation core may read: session, account, invitation, team.

use chrono::{DateTime, Utc};

use crate::chat::ChatKey;
use crate::conversation::{AccountView, InvitationCheck, SavedTeam, Session, UnitView};
use crate::domain::InvitationCode;
use crate::storage::{accounts, invitations, sessions, teams, units, StorageError, Tx};

pub(super) async fn load_session(tx: &mut Tx<'_>, chat: &ChatKey) -> Result<Session, StorageError> {
    sessions::load_session(tx, chat.channel.as_str(), &chat.id).await
}

pub(super) async fn unit_view(
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

pub(super) async fn account_view(
    tx: &mut Tx<'_>,
    chat: &ChatKey,
    now: DateTime<Utc>,
) -> Result<Option<AccountView>, StorageError> {
    // Writing again shows the chat no longer blocks the bot: its grace period stops.
    let found = accounts::account_of_writing_chat(tx, chat.channel.as_str(), &chat.id, now).await?;
    Ok(found.map(|found| AccountView {
        role: found.account.role,
        unit: UnitView {
            code: found.account.unit_code,
            name: found.unit_name,
        },
        parent: found.parent.map(|(code, name)| UnitView { code, name }),
    }))
}

pub(super) async fn check_invitation(
    tx: &mut Tx<'_>,
    code: &InvitationCode,
    now: DateTime<Utc>,
) -> Result<InvitationCheck, StorageError> {
    let code_sha256 = code.sha256();
    let Some(record) = invitations::invitation(tx, &code_sha256).await? else {
        return Ok(InvitationCheck::Unknown);
    };
    if record.used {
        return Ok(InvitationCheck::Used);
    }
    if record.expires_at <= now {
        return Ok(InvitationCheck::Expired);
    }
    if record.revoked || !maker_still_holds_a_role(tx, &record.created_by, now).await? {
        return Ok(InvitationCheck::Revoked);
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

/// An invitation made in chat works only while its maker's account does (not revoked, not
/// expired): a revoked official's codes give nothing. The command line's never end so.
async fn maker_still_holds_a_role(
    tx: &mut Tx<'_>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let Some((channel, id)) = created_by.split_once(':') else {
        return Ok(true);
    };
    Ok(accounts::account_with_unit_at(tx, channel, id, Some(now))
        .await?
        .is_some())
}

pub(super) async fn saved_team(
    tx: &mut Tx<'_>,
    unit_code: &str,
) -> Result<Option<SavedTeam>, StorageError> {
    Ok(teams::team_for_unit(tx, unit_code)
        .await?
        .map(|stored| SavedTeam {
            registered: stored.status == teams::TeamStatus::Registered,
            version: stored.version,
            team: stored.team,
            unfinished: stored.unfinished,
        }))
}
