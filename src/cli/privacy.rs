//! `cnscd accounts`, `cnscd erase` and `cnscd purge`: ending accounts, erasing a person and
//! keeping personal data only as long as the README says.

use std::io::Write;

use super::CliError;
use crate::config::AccountsCommand;
use crate::domain::PhoneNumber;
use crate::engine::Engine;
use crate::storage::erasure::{erase_phone, Reach};
use crate::storage::retention::Retention;
use crate::storage::StorageError;

/// Who the command line's changes are audited as.
const CLI: &str = "cli";

pub async fn accounts(
    engine: &Engine,
    command: AccountsCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let store = engine.store();
    match command {
        AccountsCommand::List { unit } => {
            let listed = store
                .list_accounts(unit.as_deref())
                .await
                .map_err(failed("list the accounts"))?;
            for a in &listed {
                let expires = a.expires_at.as_deref().unwrap_or("-");
                let blocked = a.blocked_at.as_deref().unwrap_or("-");
                writeln!(
                    out,
                    "{}  {}  {}  since {}  expires {expires}  blocked {blocked}",
                    a.chat, a.role, a.unit_code, a.created_at
                )?;
            }
            writeln!(out, "{} accounts", listed.len())?;
        }
        AccountsCommand::Revoke { chat } => {
            let revoked = store
                .revoke_account(&chat, CLI, engine.now())
                .await
                .map_err(failed("revoke the account"))?;
            if !revoked {
                return Err(CliError::Refused(format!(
                    "There is no account for {chat:?} (see: cnscd accounts list)"
                )));
            }
            writeln!(out, "Revoked the account of {chat}.")?;
        }
    }
    Ok(())
}

pub async fn erase(engine: &Engine, phone: &str, out: &mut impl Write) -> Result<(), CliError> {
    let phone = PhoneNumber::parse(phone)
        .map_err(|error| CliError::Refused(format!("Not a mobile number: {error}")))?;
    let now = engine.now();
    let what = "erase the person";
    let mut tx = engine.store().begin().await.map_err(failed(what))?;
    let erased = erase_phone(&mut tx, &phone, Reach::Everywhere, None)
        .await
        .map_err(failed(what))?;
    let detail = serde_json::json!({
        "members": erased.members, "leaders": erased.leaders, "sessions": erased.sessions,
        "messages": erased.messages,
    });
    crate::storage::audit::audit(
        &mut tx,
        CLI,
        crate::domain::AuditAction::PersonErased,
        None,
        &detail,
        now,
    )
    .await
    .map_err(failed(what))?;
    tx.commit()
        .await
        .map_err(|e| failed(what)(StorageError::from(e)))?;
    writeln!(
        out,
        "Erased: {} member rows, {} leader entries, {} consents, {} sessions, {} drafts, \
         {} messages, {} invitation traces; {} audit rows pseudonymised.",
        erased.members,
        erased.leaders,
        erased.consents,
        erased.sessions,
        erased.drafts,
        erased.messages,
        erased.invitations,
        erased.audit_rows
    )?;
    Ok(())
}

/// `cnscd erase` after the database: the reports a console saved on this machine list
/// people, so they go too (a new report is made without the erased person).
pub fn erase_saved_reports(out: &mut impl Write) -> Result<(), CliError> {
    let dir = crate::files::private_dir().map_err(CliError::SavedReports)?;
    let deleted = crate::files::delete_saved_reports(&dir).map_err(CliError::SavedReports)?;
    writeln!(
        out,
        "Deleted {deleted} report files the console saved in {}.",
        dir.display()
    )?;
    Ok(())
}

pub async fn purge(engine: &Engine, out: &mut impl Write) -> Result<(), CliError> {
    let purged = engine
        .store()
        .purge(&Retention::with_help(&engine.rules().help), engine.now())
        .await
        .map_err(failed("purge"))?;
    writeln!(
        out,
        "Purged: {} messages, {} sessions, {} update ids, {} decision scans; {} accounts \
         revoked; {} help requests' residents forgotten.",
        purged.messages,
        purged.sessions,
        purged.updates,
        purged.scans,
        purged.accounts,
        purged.help_requests
    )?;
    Ok(())
}

fn failed(what: &'static str) -> impl Fn(StorageError) -> CliError {
    move |source| CliError::Store { what, source }
}
