//! `cnscd import units|villages FILE`: what was inserted, updated or left unchanged.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::engine::Engine;
use crate::import::{import_units, import_villages, ImportReport};

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

pub async fn villages(engine: &Engine, file: &Path, out: &mut impl Write) -> Result<(), CliError> {
    let reader = open(file)?;
    let report = import_villages(engine.store(), reader, engine.now())
        .await
        .map_err(|source| CliError::Import {
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
    Ok(())
}
