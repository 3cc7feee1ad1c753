//! `cnscd zalo token set|info`: seed the Official Account's tokens and show their state.
//! Neither ever prints a token. `cnscd zalo resume`: send again after Zalo refused the
//! Official Account and an operator fixed it.

use std::io::Write;

use chrono::{DateTime, Utc};

use super::CliError;
use crate::clock::vietnam;
use crate::engine::Engine;
use crate::ops::metrics::Metrics;
use crate::storage::Store;
use crate::zalo::config::{ZaloCommand, ZaloSettings, ZaloTokenCommand};
use crate::zalo::tokens::{RefreshError, SetTokenError, Tokens};

/// What `zalo token set` needs, when Zalo is not configured at all.
pub const NOT_CONFIGURED: &str = "Zalo is not configured. Set ZALO_APP_ID, ZALO_APP_SECRET \
and ZALO_OA_SECRET_KEY (from the app and the Official Account at developers.zalo.me), and \
ZALO_REFRESH_TOKEN (or ZALO_REFRESH_TOKEN_FILE) to the Official Account's refresh token, then \
run: cnscd zalo token set";

/// What `zalo token set` needs, when the refresh token is missing.
pub const NO_REFRESH_TOKEN: &str = "ZALO_REFRESH_TOKEN is not set. Get a refresh token for the \
Official Account (developers.zalo.me: your app, then Official Account, then the API explorer \
or the OA's OAuth flow) and run: ZALO_REFRESH_TOKEN=... cnscd zalo token set (or put it in a \
file named by ZALO_REFRESH_TOKEN_FILE)";

pub async fn run(
    engine: &Engine,
    command: ZaloCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match command {
        ZaloCommand::Token(ZaloTokenCommand::Set { zalo }) => {
            let settings = zalo
                .settings()
                .map_err(|error| CliError::Refused(error.to_string()))?;
            set(engine, settings.as_ref(), out).await
        }
        ZaloCommand::Token(ZaloTokenCommand::Info) => info(engine.store(), engine.now(), out).await,
        ZaloCommand::Resume => resume(engine.store(), out).await,
    }
}

/// `zalo resume`: lifts the pause, tokens untouched; the replicas send what waited within
/// seconds.
pub async fn resume(store: &Store, out: &mut impl Write) -> Result<(), CliError> {
    let resumed = store
        .resume_zalo_sending()
        .await
        .map_err(|source| CliError::Store {
            what: "resume Zalo sending",
            source,
        })?;
    match resumed {
        true => writeln!(
            out,
            "Zalo sending resumed: the messages that waited go out now. If Zalo refuses the \
             Official Account again, sending pauses again and the admin chats are told."
        )?,
        false => writeln!(out, "Zalo sending was not paused; nothing changed.")?,
    }
    Ok(())
}

/// `zalo token set`: exchanges the refresh token of `settings` for a pair at once, stores
/// it and lifts a pause.
pub async fn set(
    engine: &Engine,
    settings: Option<&ZaloSettings>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let settings = settings.ok_or_else(|| CliError::Refused(NOT_CONFIGURED.into()))?;
    let refresh_token = settings
        .secrets
        .refresh_token
        .as_ref()
        .ok_or_else(|| CliError::Refused(NO_REFRESH_TOKEN.into()))?;
    let tokens = Tokens::new(engine.clone(), settings, "cli", Metrics::new())
        .map_err(|error| CliError::Refused(error.to_string()))?;
    let issued = match tokens.set_refresh_token(refresh_token).await {
        Ok(issued) => issued,
        Err(SetTokenError::Refresh(RefreshError::Refused(why))) => {
            return Err(CliError::Refused(format!(
                "Zalo refused this refresh token ({why}); nothing was changed. Get a new one \
                 for the Official Account and run this again."
            )))
        }
        Err(SetTokenError::Refresh(RefreshError::Unreachable(why))) => {
            return Err(CliError::Refused(format!(
                "Zalo's token endpoint ({}) could not be used ({why}); nothing was changed. \
                 Try again; if it keeps failing, check ZALO_OAUTH_URL and the network.",
                settings.oauth_url
            )))
        }
        Err(SetTokenError::Storage(source)) => {
            return Err(CliError::Store {
                what: "store the tokens Zalo issued (the refresh token given is now used up: \
                       get a new one and run this again)",
                source,
            })
        }
    };
    writeln!(out, "Zalo tokens stored; Zalo sending may go on.")?;
    writeln!(out, "  issued:        {}", when(issued.issued_at))?;
    writeln!(
        out,
        "  access token:  expires {}",
        when(issued.access_expires_at)
    )?;
    writeln!(
        out,
        "  refresh token: expires about {}",
        when(issued.refresh_expires_at)
    )?;
    Ok(())
}

/// `zalo token info`: when the tokens were issued and expire, the lease, the pause.
pub async fn info(store: &Store, now: DateTime<Utc>, out: &mut impl Write) -> Result<(), CliError> {
    let stored = store
        .zalo_tokens()
        .await
        .map_err(|source| CliError::Store {
            what: "read the Zalo tokens",
            source,
        })?;
    let expiry = |at: Option<DateTime<Utc>>| match at {
        Some(at) if at > now => format!("expires {} (in {})", when(at), span(at - now)),
        Some(at) => format!("EXPIRED {} ({} ago)", when(at), span(now - at)),
        None => "expiry unknown".to_owned(),
    };
    writeln!(out, "Zalo tokens")?;
    match stored.issued_at {
        Some(at) => writeln!(out, "  issued:        {}", when(at))?,
        None => writeln!(out, "  issued:        never")?,
    }
    match stored.access_token {
        Some(_) => writeln!(out, "  access token:  {}", expiry(stored.access_expires_at))?,
        None => writeln!(out, "  access token:  none")?,
    }
    match stored.refresh_token {
        Some(_) if stored.refresh_expires_at.is_none() => {
            writeln!(out, "  refresh token: stored (a first seed, not used yet)")?
        }
        Some(_) => writeln!(
            out,
            "  refresh token: {}",
            expiry(stored.refresh_expires_at).replacen("expires", "expires about", 1)
        )?,
        None => writeln!(
            out,
            "  refresh token: none (run: ZALO_REFRESH_TOKEN=... cnscd zalo token set)"
        )?,
    }
    match (stored.lease_owner, stored.lease_until) {
        (Some(owner), Some(until)) if until > now => writeln!(
            out,
            "  refresh lease: held by {owner} until {}",
            when(until)
        )?,
        _ => writeln!(out, "  refresh lease: free")?,
    }
    match (stored.paused_reason, stored.paused_at) {
        (Some(reason), at) => writeln!(
            out,
            "  sending:       PAUSED{}: {reason}. Nothing is lost; run `cnscd zalo token set` \
             with a new ZALO_REFRESH_TOKEN to resume (or `cnscd zalo resume` once the \
             Official Account is fixed, when Zalo refused the account itself).",
            at.map(|at| format!(" since {}", when(at)))
                .unwrap_or_default()
        )?,
        (None, _) => writeln!(out, "  sending:       on")?,
    }
    Ok(())
}

fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

fn span(length: chrono::Duration) -> String {
    let minutes = length.num_minutes();
    match (minutes / (24 * 60), minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}
