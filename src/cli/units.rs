//! `cnscd units list [--parent CODE]`: one unit per line, code, kind and name.

use std::io::Write;

use super::CliError;
use crate::storage::Store;

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
            None => writeln!(out, "No units yet (see: cnscd import units FILE).")?,
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
        writeln!(
            out,
            "{:<code_width$}  {:<kind_width$}  {}",
            unit.code, unit.kind, unit.name
        )?;
    }
    Ok(())
}
