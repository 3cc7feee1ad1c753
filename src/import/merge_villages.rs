//! `cnscd units merge-villages --into CODE CODE…`: villages of one commune become one. The
//! village that remains keeps one team — its own, or (when it has none) the only other one,
//! or the one `--keep-team` names — with that team's head; the others end ("merged into
//! CODE"), kept as history with their teams, and their heads' accounts end. One transaction;
//! `--dry-run` rolls it back.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::AccountRole;
use crate::storage::reorganize::{self as sql, BoundChat};
use crate::storage::units::unit_in_tx;
use crate::storage::{StorageError, Store, UnitLevel};

const BY: &str = "cli:merge-villages";

#[derive(Debug, Clone)]
pub struct MergeVillages {
    pub into: String,
    pub villages: Vec<String>,
    pub keep_team: Option<String>,
    pub dry_run: bool,
    pub on: NaiveDate,
}

/// What the merger did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// (code, name) of the village that remains.
    pub into: (String, String),
    /// (code, name) of each village merged into it.
    pub merged: Vec<(String, String)>,
    /// The village whose team the remaining village now has, if any.
    pub kept_team: Option<String>,
    /// Village heads whose accounts ended with their village.
    pub heads_ended: Vec<BoundChat>,
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Refused(String),
    #[error("could not merge the villages")]
    Storage(#[from] StorageError),
}

fn refused(text: impl Into<String>) -> MergeError {
    MergeError::Refused(text.into())
}

pub async fn merge_villages(
    store: &Store,
    args: &MergeVillages,
    now: DateTime<Utc>,
) -> Result<Merged, MergeError> {
    let mut tx = store.begin().await?;
    let into = unit_in_tx(&mut tx, &args.into)
        .await?
        .filter(|u| u.level == UnitLevel::Village && u.is_current())
        .ok_or_else(|| refused(format!("{} is not a current village", args.into)))?;
    let mut merged = Vec::new();
    for code in &args.villages {
        let village = unit_in_tx(&mut tx, code)
            .await?
            .filter(|u| u.level == UnitLevel::Village && u.is_current())
            .ok_or_else(|| refused(format!("{code} is not a current village")))?;
        if village.code == into.code || merged.iter().any(|(c, _)| c == code) {
            return Err(refused(format!("{code} is named twice")));
        }
        if village.parent_code != into.parent_code {
            return Err(refused(format!(
                "{code} is in {}, not in {}: villages merge within one commune",
                village.parent_code.unwrap_or_default(),
                into.parent_code.clone().unwrap_or_default()
            )));
        }
        merged.push((village.code, village.name));
    }
    let codes: Vec<String> = merged.iter().map(|(c, _)| c.clone()).collect();
    let into_has_team = sql::has_team(&mut tx, &into.code).await?;
    let mut with_teams = Vec::new();
    for code in &codes {
        if sql::has_team(&mut tx, code).await? {
            with_teams.push(code.clone());
        }
    }
    let kept = match (&args.keep_team, into_has_team) {
        (Some(keep), _) if *keep == into.code => Some(into.code.clone()),
        (Some(keep), true) => {
            return Err(refused(format!(
            "{} has a team of its own: it keeps it (choose --into {keep} to keep {keep}'s team)",
            into.code
        )))
        }
        (Some(keep), false) if with_teams.contains(keep) => Some(keep.clone()),
        (Some(keep), false) => return Err(refused(format!("{keep} has no team to keep"))),
        (None, true) => Some(into.code.clone()),
        (None, false) => match with_teams.as_slice() {
            [] => None,
            [only] => Some(only.clone()),
            several => {
                return Err(refused(format!(
                    "several villages have a team ({}): choose the one to keep with --keep-team",
                    several.join(", ")
                )))
            }
        },
    };
    let mut report = Merged {
        into: (into.code.clone(), into.name.clone()),
        merged,
        kept_team: kept.clone(),
        dry_run: args.dry_run,
        ..Merged::default()
    };
    if let Some(from) = kept.as_ref().filter(|k| **k != into.code) {
        sql::move_team_and_heads(&mut tx, from, &into.code).await?;
    }
    for code in &codes {
        let heads = sql::bound_chats(&mut tx, code, AccountRole::VillageHead).await?;
        sql::end_accounts(&mut tx, code, AccountRole::VillageHead, BY, now).await?;
        report.heads_ended.extend(heads);
        sql::end_unit(&mut tx, code, args.on, Some(&into.code)).await?;
    }
    if args.dry_run {
        tx.rollback().await.map_err(StorageError::from)?;
    } else {
        tx.commit().await.map_err(StorageError::from)?;
    }
    Ok(report)
}
