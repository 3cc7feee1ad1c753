//! `cnscd announce`: the operator sends an announcement to an area's teams, sees what became
//! of it (`announce status`) and reminds those who have not pressed "Got it"
//! (`announce remind`), as an official does from chat.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::config::{AnnounceArgs, AnnounceCommand};
use crate::domain::announcement::Counts;
use crate::domain::announcement::{parse_text, AnnouncementFile, Audience, Unreachable};
use crate::domain::UnitLevel;
use crate::engine::{announce, Engine};
use crate::storage::announcements::{self, NewAnnouncement, Reminded, Sent};
use crate::storage::StorageError;

/// The operator, as the announcement's sender and in the audit log.
const OPERATOR: &str = "cli";

/// The largest file sent with an announcement (Telegram takes photos up to 10 MB).
const FILE_MAX: u64 = 10 * 1024 * 1024;

/// How many announcements `announce status` lists without `--id`.
const LISTED: i64 = 10;

fn failed(what: &'static str) -> impl Fn(StorageError) -> CliError {
    move |source| CliError::Store { what, source }
}

pub async fn run(
    engine: &Engine,
    args: AnnounceArgs,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match args.command {
        Some(AnnounceCommand::Status { id }) => status(engine, id, out).await,
        Some(AnnounceCommand::Remind { id }) => remind(engine, id, out).await,
        None => send(engine, args, out).await,
    }
}

fn reason(why: Unreachable) -> &'static str {
    match why {
        Unreachable::NoChat => "never shared their number with the bot",
        Unreachable::Blocked => "blocked the bot",
        Unreachable::ZaloWindow => "held until they write (Zalo's window)",
        Unreachable::Failed => "failed",
    }
}

fn audience_name(audience: Audience) -> &'static str {
    match audience {
        Audience::All => "all team members and heads",
        Audience::Leaders => "the heads (team leaders)",
        Audience::Behind => "the teams that are behind",
    }
}

fn read_file(path: &Path) -> Result<AnnouncementFile, CliError> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|source| CliError::ReadFile {
            path: shown.clone(),
            source,
        })?
        .len();
    if size > FILE_MAX {
        return Err(CliError::Refused(format!(
            "{shown} is larger than 10 MB: send a smaller file"
        )));
    }
    let bytes = std::fs::read(path).map_err(|source| CliError::ReadFile {
        path: shown.clone(),
        source,
    })?;
    let file_name = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let lower = file_name.to_lowercase();
    let photo = [".jpg", ".jpeg", ".png"].iter().any(|e| lower.ends_with(e));
    Ok(AnnouncementFile {
        photo,
        file_name,
        bytes,
    })
}

async fn send(engine: &Engine, args: AnnounceArgs, out: &mut impl Write) -> Result<(), CliError> {
    let (Some(scope), Some(text)) = (args.scope, args.text) else {
        return Err(CliError::Refused(
            "announce needs --scope CODE and --text TEXT".to_owned(),
        ));
    };
    let store = engine.store();
    let unit = match store.unit(&scope).await.map_err(failed("read the units"))? {
        None => return Err(CliError::UnknownUnit(scope.to_string())),
        Some(unit) if unit.level == UnitLevel::Village => {
            return Err(CliError::Refused(format!(
                "{} is a village: announce to a commune, district or province",
                unit.code
            )));
        }
        Some(unit) => unit,
    };
    let text = parse_text(&text).map_err(|e| {
        CliError::Refused(format!(
            "--text: {e}; an announcement needs letters and at most 2,000 characters"
        ))
    })?;
    let file = args.file.as_deref().map(read_file).transpose()?;
    let audience = match (args.leaders_only, args.behind) {
        (true, _) => Audience::Leaders,
        (_, true) => Audience::Behind,
        _ => Audience::All,
    };
    let new = NewAnnouncement {
        sender: OPERATOR.to_owned(),
        scope_code: unit.code.clone(),
        audience,
        text,
        file,
        dedup_key: None,
    };
    let (now, texts, rules) = (engine.now(), engine.texts(), engine.rules());
    let mut tx = store
        .begin()
        .await
        .map_err(failed("send the announcement"))?;
    let queued = announce::send(&mut tx, texts, rules, &new, &unit.name, OPERATOR, now)
        .await
        .map_err(failed("send the announcement"))?;
    tx.commit()
        .await
        .map_err(|e| failed("send the announcement")(e.into()))?;
    let (Sent::New(id) | Sent::Again(id)) = queued.sent;
    let not: usize = queued.unreachable.iter().map(|(_, n)| n).sum();
    writeln!(
        out,
        "announcement {id}: {} ({}), to {}",
        unit.name,
        unit.code,
        audience_name(audience)
    )?;
    writeln!(out, "queued for {}, not reachable {not}", queued.reachable)?;
    for (why, n) in &queued.unreachable {
        writeln!(out, "  {n} {}", reason(*why))?;
    }
    writeln!(
        out,
        "see what became of it: cnscd announce status --id {id}"
    )?;
    Ok(())
}

fn print_counts(counts: &Counts, out: &mut impl Write) -> Result<(), CliError> {
    let audience = counts.audience.map_or("?", audience_name);
    writeln!(
        out,
        "announcement {} ({}, {audience}, {}): {}",
        counts.id, counts.scope_code, counts.created_at, counts.first_line
    )?;
    let not: usize = counts.unreachable.values().map(Vec::len).sum();
    writeln!(
        out,
        "  {} people: queued {}, sent {}, not reachable {not}, acknowledged {}",
        counts.recipients, counts.queued, counts.sent, counts.acknowledged
    )?;
    for (why, names) in &counts.unreachable {
        writeln!(
            out,
            "  {} {}: {}",
            names.len(),
            reason(*why),
            names.join(", ")
        )?;
    }
    if let Some(at) = counts.last_reminded_at {
        writeln!(out, "  last reminded {}", at.to_rfc3339())?;
    }
    Ok(())
}

async fn status(engine: &Engine, id: Option<i64>, out: &mut impl Write) -> Result<(), CliError> {
    let mut tx = engine
        .store()
        .begin()
        .await
        .map_err(failed("read the announcements"))?;
    let ids = match id {
        Some(id) => vec![id],
        None => announcements::announcement_ids(&mut tx, None, LISTED)
            .await
            .map_err(failed("read the announcements"))?,
    };
    if ids.is_empty() {
        writeln!(out, "No announcement was sent yet.")?;
    }
    for id in ids {
        match announcements::announcement_counts(&mut tx, id)
            .await
            .map_err(failed("read the announcements"))?
        {
            Some(counts) => print_counts(&counts, out)?,
            None => return Err(CliError::Refused(format!("There is no announcement {id}"))),
        }
    }
    Ok(())
}

async fn remind(engine: &Engine, id: i64, out: &mut impl Write) -> Result<(), CliError> {
    let store = engine.store();
    let mut tx = store.begin().await.map_err(failed("remind"))?;
    let reminded = announce::remind(&mut tx, engine.texts(), id, OPERATOR, engine.now())
        .await
        .map_err(failed("remind"))?;
    tx.commit().await.map_err(|e| failed("remind")(e.into()))?;
    match reminded {
        Reminded::Queued(n) => writeln!(out, "announcement {id}: reminder queued for {n}")?,
        Reminded::TooSoon(next) => {
            let local = next.with_timezone(&crate::clock::vietnam());
            return Err(CliError::Refused(format!(
                "announcement {id} was reminded today already: again from {}",
                local.format("%d/%m/%Y %H:%M")
            )));
        }
        Reminded::NoSuchAnnouncement => {
            return Err(CliError::Refused(format!("There is no announcement {id}")));
        }
    }
    Ok(())
}
