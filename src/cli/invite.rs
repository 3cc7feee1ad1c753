//! `cnscd invite`: creates an invitation and prints every way to redeem it.

use std::io::Write;

use chrono::Duration;

use super::{telegram, CliError};
use crate::chat::telegram_deep_link;
use crate::clock::vietnam;
use crate::config::{InviteArgs, DEFAULT_DATABASE_URL};
use crate::engine::Engine;
use crate::invitation::{create_invitation, InviteError};
use crate::storage::database_url::has_password;

/// Who the invitations of the command line are recorded as created by.
const CREATED_BY: &str = "cli";

pub async fn run(
    engine: &Engine,
    args: &InviteArgs,
    database_url: &str,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let store = engine.store();
    let valid_for = Duration::days(i64::from(args.valid_days));
    let created = create_invitation(
        store,
        args.role,
        &args.unit,
        valid_for,
        CREATED_BY,
        engine.now(),
    )
    .await
    .map_err(|error| match error {
        InviteError::UnknownUnit(code) => CliError::UnknownUnit(code),
        other => CliError::Invite(other),
    })?;
    if let Some(days) = args.account_days {
        let hash = crate::domain::invitation_code::hash_code(&created.code);
        store
            .set_invitation_account_days(&hash, days)
            .await
            .map_err(CliError::Units)?;
    }
    let unit = store.unit(&args.unit).await.map_err(CliError::Units)?;
    let unit_name = unit.map_or_else(
        || args.unit.to_string(),
        |u| format!("{} ({})", u.name, u.code),
    );
    let expires = created
        .expires_at
        .with_timezone(&vietnam())
        .format("%d/%m/%Y %H:%M");
    let code = &created.code;
    writeln!(
        out,
        "Invitation for the {} of {unit_name}",
        args.role.code()
    )?;
    writeln!(out, "  code:      {code}")?;
    writeln!(out, "  expires:   {expires} (Vietnam time, UTC+7)")?;
    let username = match &args.bot_username {
        Some(name) => Some(name.clone()),
        None => telegram::username(&args.telegram).await,
    };
    match username {
        Some(name) => writeln!(out, "  Telegram:  {}", telegram_deep_link(&name, code))?,
        None => writeln!(
            out,
            "  Telegram:  https://t.me/<bot>?start={code} (give --bot-username, set \
             CNSCD_BOT_USERNAME, or set TELOXIDE_TOKEN so the bot can be asked)"
        )?,
    }
    // A password never goes to the terminal (nor, through a copied command, to a shell
    // history): the console then reads the same DATABASE_URL from the environment.
    let database = if database_url == DEFAULT_DATABASE_URL || has_password(database_url) {
        String::new()
    } else {
        format!(" --database-url '{database_url}'")
    };
    // The code is pasted at the console's prompt: on the command line, the process list
    // (and the shell's history) would show it.
    writeln!(
        out,
        "  console:   cnscd console{database} --invite   (then paste the code)"
    )?;
    if has_password(database_url) {
        writeln!(
            out,
            "             (with the same DATABASE_URL in the environment)"
        )?;
    }
    Ok(())
}
