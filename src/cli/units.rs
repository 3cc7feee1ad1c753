//! `cnscd units example`: the 2022 example for a trial.
//! `cnscd units list [--parent CODE]`: one unit per line, code, kind and name (and, for a
//! unit kept as history, when it ended and into what). `cnscd units reorganize`: what moved.
//! `cnscd units population FILE`: residents and households.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::domain::UnitCode;
use crate::engine::Engine;
use crate::import::reorganize::{reorganize as run_reorganize, Options, Report};
use crate::storage::Store;

/// `cnscd units population FILE`: residents and households of the units the file names.
pub async fn population(
    engine: &Engine,
    file: &Path,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let reader = std::fs::File::open(file).map_err(|source| CliError::ReadFile {
        path: file.display().to_string(),
        source,
    })?;
    let set = crate::import::import_population(engine.store(), std::io::BufReader::new(reader))
        .await
        .map_err(|source| CliError::Import {
            what: "population",
            path: file.display().to_string(),
            source,
        })?;
    writeln!(
        out,
        "Set the residents and households of {set} unit(s) from {}.",
        file.display()
    )?;
    Ok(())
}

/// Loads the 2022 example (Tứ Kỳ district) into an empty database; a database with units of
/// its own is left alone, so a trial's example never mixes with a real deployment.
pub async fn example(engine: &Engine, out: &mut impl Write) -> Result<(), CliError> {
    let loaded = crate::import::load_default_units_if_empty(engine.store(), engine.now())
        .await
        .map_err(|source| CliError::Import {
            what: "units",
            path: "the built-in 2022 example".to_owned(),
            source,
        })?;
    match loaded {
        Some(report) => writeln!(
            out,
            "Loaded the 2022 example: Huyện Tứ Kỳ (Tỉnh Hải Dương) and its communes, {} units \
             (see: cnscd units list --parent 298). `cnscd import units FILE` replaces it while \
             nothing hangs on it.",
            report.inserted
        )?,
        None => {
            return Err(CliError::Refused(
                "The database already has units: the example is loaded only into an empty one \
                 (see: cnscd units list)."
                    .to_owned(),
            ))
        }
    }
    Ok(())
}

pub async fn list(
    store: &Store,
    parent: Option<&str>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if let Some(code) = parent {
        let unit = store.unit(code).await.map_err(CliError::Units)?;
        if unit.is_none() {
            return Err(CliError::UnknownUnit(code.to_owned()));
        }
    }
    let units = store.children(parent).await.map_err(CliError::Units)?;
    if units.is_empty() {
        match parent {
            Some(code) => writeln!(out, "No units under {code}.")?,
            None => writeln!(
                out,
                "No units yet (see: cnscd import units FILE; for a trial, cnscd units example)."
            )?,
        }
        return Ok(());
    }
    let code_width = units
        .iter()
        .map(|u| u.code.chars().count())
        .max()
        .unwrap_or(0);
    let kind_width = units
        .iter()
        .map(|u| u.kind.chars().count())
        .max()
        .unwrap_or(0);
    for unit in &units {
        let ended = match (&unit.ended_on, &unit.merged_into) {
            (Some(on), Some(into)) => format!("  (merged into {into} on {})", day(on)),
            (Some(on), None) => format!("  (ended on {})", day(on)),
            _ => String::new(),
        };
        writeln!(
            out,
            "{:<code_width$}  {:<kind_width$}  {}{ended}",
            unit.code, unit.kind, unit.name
        )?;
    }
    Ok(())
}

/// ISO yyyy-mm-dd → dd/mm/yyyy.
fn day(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

pub async fn reorganize(
    engine: &Engine,
    map: &Path,
    villages: Option<&Path>,
    options: &Options,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let error = |path: &Path, source| CliError::Import {
        what: "the reorganisation map",
        path: path.display().to_string(),
        source,
    };
    let map_file = std::fs::File::open(map).map_err(|e| error(map, e.into()))?;
    let mut village_file = match villages {
        Some(path) => Some(std::fs::File::open(path).map_err(|e| error(path, e.into()))?),
        None => None,
    };
    let report = run_reorganize(
        engine.store(),
        engine.texts(),
        std::io::BufReader::new(map_file),
        village_file.as_mut().map(|f| f as &mut dyn std::io::Read),
        options,
        engine.now(),
    )
    .await
    .map_err(|source| error(map, source))?;
    print_report(&report, options, out)?;
    Ok(())
}

fn print_report(report: &Report, options: &Options, out: &mut impl Write) -> std::io::Result<()> {
    let on = options.effective_on.format("%d/%m/%Y");
    if report.dry_run {
        writeln!(
            out,
            "Dry run: nothing was changed. This is what would happen on {on}."
        )?;
    }
    if !report.changed_anything() {
        writeln!(
            out,
            "Nothing to change: {} row(s) of the map done already, {} of districts this deployment does not have.",
            report.already_done, report.outside
        )?;
    }
    for commune in &report.new_communes {
        let state = if commune.created { "new" } else { "existing" };
        writeln!(
            out,
            "{} {} ({state}, {} {})",
            commune.code, commune.name, commune.province_code, commune.province_name
        )?;
        for from in &commune.from {
            let kept = if from.history_code != from.code {
                format!("; kept as {}", from.history_code)
            } else {
                String::new()
            };
            if from.split {
                writeln!(
                    out,
                    "  ← {} {} (divided: its villages are to assign one by one{kept})",
                    from.code, from.name
                )?;
            } else {
                writeln!(
                    out,
                    "  ← {} {}: {} village(s), {} registered team(s){kept}",
                    from.code, from.name, from.villages, from.teams
                )?;
            }
        }
    }
    if !report.new_communes.is_empty() {
        writeln!(
            out,
            "{} old commune(s) merged into {} commune(s); {} row(s) done already, {} of districts this deployment does not have.",
            report.new_communes.iter().map(|c| c.from.len()).sum::<usize>(),
            report.new_communes.len(),
            report.already_done,
            report.outside
        )?;
    }
    if !report.unmapped.is_empty() {
        writeln!(
            out,
            "Not in the map ({} commune(s); their district stays until a map row moves each):",
            report.unmapped.len()
        )?;
        for (code, name, district) in &report.unmapped {
            writeln!(out, "  {code} {name} (district {district})")?;
        }
    }
    for (village, commune) in &report.assigned {
        writeln!(out, "Village {village} assigned to {commune}.")?;
    }
    if !report.to_assign.is_empty() {
        writeln!(
            out,
            "To assign ({} village(s) of divided communes; give --villages FILE with village_code,new_commune_code):",
            report.to_assign.len()
        )?;
        for village in &report.to_assign {
            writeln!(
                out,
                "  {} {} (formerly {}; the map suggests {})",
                village.village_code, village.village_name, village.old_commune, village.suggested
            )?;
        }
    }
    for (chat, old, new) in &report.officials_moved {
        writeln!(
            out,
            "Commune official {chat} of {old} is now an official of {new}."
        )?;
    }
    for chat in &report.officials_revoked {
        writeln!(
            out,
            "Commune official {} of {}: account ended.",
            chat.chat, chat.unit_code
        )?;
    }
    for (code, name) in &report.units_ended {
        writeln!(out, "{code} {name} ended on {on}.")?;
    }
    for chat in &report.district_officials_ended {
        writeln!(
            out,
            "District official {} of {}: account ended (invite them again as a province official: cnscd invite --role province-official --unit …).",
            chat.chat, chat.unit_code
        )?;
    }
    for (id, commune) in &report.campaigns_moved {
        writeln!(out, "Campaign {id} now covers {commune}.")?;
    }
    for (id, name, area) in &report.campaigns_left {
        writeln!(
            out,
            "Campaign {id} ({name}) covers {area}, which ended: create one for the new area (cnscd campaign create --scope …)."
        )?;
    }
    Ok(())
}

pub async fn merge_villages(
    engine: &Engine,
    args: &crate::config::MergeVillagesArgs,
    out: &mut impl Write,
) -> Result<(), CliError> {
    use crate::import::merge_villages::{merge_villages as run, MergeError, MergeVillages};
    let today = crate::clock::vietnam_date(engine.now());
    let job = MergeVillages {
        into: args.into.to_string(),
        villages: args.villages.iter().map(UnitCode::to_string).collect(),
        keep_team: args.keep_team.as_ref().map(UnitCode::to_string),
        dry_run: args.dry_run,
        on: args.date.unwrap_or(today),
    };
    let merged = run(engine.store(), &job, engine.now())
        .await
        .map_err(|error| match error {
            MergeError::Refused(why) => CliError::Refused(format!("Nothing was merged: {why}")),
            MergeError::Storage(e) => CliError::Units(e),
        })?;
    if merged.dry_run {
        writeln!(out, "Dry run: nothing was changed.")?;
    }
    let (code, name) = &merged.into;
    writeln!(out, "{code} {name} remains.")?;
    for (code, name) in &merged.merged {
        writeln!(
            out,
            "  ← {code} {name}: merged, kept as history with its team"
        )?;
    }
    match &merged.kept_team {
        Some(kept) if kept == code => writeln!(out, "It keeps its own team.")?,
        Some(kept) => writeln!(out, "It keeps the team (and the head) of {kept}.")?,
        None => writeln!(out, "No village had a team.")?,
    }
    for head in &merged.heads_ended {
        writeln!(
            out,
            "Village head {} of {}: account ended.",
            head.chat, head.unit_code
        )?;
    }
    Ok(())
}
