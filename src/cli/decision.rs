//! `cnscd decision draft --unit CODE --out FILE`: the founding decision of a village's team,
//! or one for all of a commune's villages, as a DOCX for the commune's chairman to sign.

use std::io::Write;

use super::CliError;
use crate::config::DecisionCommand;
use crate::engine::Engine;
use crate::report::decision::decision_docx;

pub async fn run(
    engine: &Engine,
    command: DecisionCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let DecisionCommand::Draft { unit, out: path } = command;
    let drafted = engine
        .store()
        .decision_draft(engine.texts(), unit.as_str())
        .await?;
    let bytes = decision_docx(&drafted.draft, engine.decision_template())?;
    // It names people and their numbers: the file is its owner's only.
    crate::files::write_private(&path, &bytes).map_err(|source| CliError::WriteFile {
        path: path.display().to_string(),
        source,
    })?;
    let draft = &drafted.draft;
    let people: usize = draft.teams.iter().map(|t| t.people.len()).sum();
    match draft.commune_wide {
        true => writeln!(
            out,
            "Wrote the draft decision of {} for {} village teams ({people} people, in its annex) to {}",
            draft.issuer.name,
            draft.teams.len(),
            path.display()
        )?,
        false => writeln!(
            out,
            "Wrote the draft decision of {} ({}, {people} people) to {}",
            draft.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
            draft.issuer.name,
            path.display()
        )?,
    }
    if !drafted.without_team.is_empty() {
        writeln!(
            out,
            "Not in it, without a registered team: {}",
            drafted.without_team.join(", ")
        )?;
    }
    writeln!(
        out,
        "Number and date are left blank, to fill in when it is signed."
    )?;
    Ok(())
}
