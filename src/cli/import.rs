//! `cnscd import units|villages FILE`: what was inserted, updated or left unchanged.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::engine::Engine;
use crate::import::activities::import_activities;
use crate::import::{
    import_units, import_villages, import_villages_renaming, ImportReport, Renamed,
};

pub async fn units(engine: &Engine, file: &Path, out: &mut impl Write) -> Result<(), CliError> {
    let reader = open(file)?;
    let report = import_units(engine.store(), reader, engine.now())
        .await
        .map_err(|source| CliError::Import {
            what: "units",
            path: file.display().to_string(),
            source,
        })?;
    summary(out, "units", file, &report)
}

pub async fn villages(
    engine: &Engine,
    file: &Path,
    rename: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let reader = open(file)?;
    let imported = match rename {
        true => import_villages_renaming(engine.store(), reader, engine.now()).await,
        false => import_villages(engine.store(), reader, engine.now()).await,
    };
    let report = imported.map_err(|source| CliError::Import {
        what: "villages",
        path: file.display().to_string(),
        source,
    })?;
    summary(out, "villages", file, &report)?;
    let width = report
        .villages
        .iter()
        .map(|v| v.code.len())
        .max()
        .unwrap_or(0);
    for village in &report.villages {
        let generated = if village.generated_code {
            "  (code generated)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:<width$}  {}  (commune {}){generated}",
            village.code, village.name, village.commune_code
        )?;
    }
    for renamed in &report.renamed {
        let Renamed { code, stored, file } = renamed;
        writeln!(out, "Renamed {code}: {stored:?} is now {file:?}.")?;
    }
    if !report.names_kept.is_empty() {
        writeln!(
            out,
            "Kept the stored names of {} village(s) the file spells otherwise (--rename renames them):",
            report.names_kept.len()
        )?;
        for Renamed { code, stored, file } in &report.names_kept {
            writeln!(out, "  {code}  {stored:?} (file: {file:?})")?;
        }
    }
    Ok(())
}

/// `cnscd activity import FILE`.
pub async fn activities(
    engine: &Engine,
    file: &Path,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let reader = open(file)?;
    let rules = &engine.rules().activity;
    let report = import_activities(engine.store(), rules, reader, engine.now())
        .await
        .map_err(|source| CliError::Import {
            what: "activities",
            path: file.display().to_string(),
            source,
        })?;
    writeln!(
        out,
        "Imported activities from {}: {} added, {} already imported before (nothing added for them).",
        file.display(),
        report.added,
        report.already
    )?;
    Ok(())
}

fn open(file: &Path) -> Result<std::fs::File, CliError> {
    std::fs::File::open(file).map_err(|source| CliError::ReadFile {
        path: file.display().to_string(),
        source,
    })
}

fn summary(
    out: &mut impl Write,
    what: &str,
    file: &Path,
    report: &ImportReport,
) -> Result<(), CliError> {
    writeln!(
        out,
        "Imported {what} from {}: {} inserted, {} updated, {} unchanged.",
        file.display(),
        report.inserted,
        report.updated,
        report.unchanged
    )?;
    if report.replaced_example {
        writeln!(
            out,
            "The 2022 example (Huyện Tứ Kỳ, Tỉnh Hải Dương), which nothing used, was replaced."
        )?;
    }
    Ok(())
}
