//! `cnscd report`, `cnscd campaign …` and `cnscd alerts run-once`.

use std::io::Write;

use chrono::{DateTime, Utc};

use super::CliError;
use crate::config::{AlertsCommand, CampaignCommand, ReportArgs};
use crate::domain::decision::parse_date;
use crate::engine::Engine;
use crate::storage::campaigns::{CampaignCreated, Overlap, OverlappingCampaign};

const ADMIN: &str = "cli";

pub async fn report(engine: &Engine, args: ReportArgs) -> Result<(), CliError> {
    let store = engine.store();
    crate::report::run_report_cli(
        store,
        engine.rules(),
        engine.texts(),
        args.scope.map(|scope| scope.to_string()),
        args.format,
        args.out.clone(),
        crate::report::ReportWhen {
            as_of: args.as_of,
            period: args.period,
        },
    )
    .await
    .map_err(|e| CliError::Campaign(format!("{e:#}")))?;
    println!("{}", args.out.display());
    Ok(())
}

fn date(text: &str) -> Result<chrono::NaiveDate, CliError> {
    parse_date(text).map_err(|e| CliError::Campaign(format!("{text:?}: {e} (write dd/mm/yyyy)")))
}

/// Why a campaign for `scope` was refused: one area has at most one campaign.
fn clash(scope: &str, other: &OverlappingCampaign) -> String {
    let c = &other.campaign;
    let whose = match other.overlap {
        Overlap::Above => "contains",
        _ => "lies inside",
    };
    format!(
        "Campaign {} ({}, deadline {}) covers {} ({}), which {whose} area {scope}: one area has \
         one campaign, so recipients get one digest per slot. Move its deadline with \
         `cnscd campaign set-deadline --id {} --deadline dd/mm/yyyy`.",
        c.id,
        c.name,
        c.deadline.format("%d/%m/%Y"),
        other.scope_name,
        c.scope_code,
        c.id
    )
}

pub async fn campaign(
    engine: &Engine,
    command: CampaignCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let store = engine.store();
    let failed = |e: crate::storage::StorageError| {
        CliError::Campaign(format!("Failed to update the campaigns: {e}"))
    };
    match command {
        CampaignCommand::Create {
            name,
            deadline,
            scope,
        } => {
            match store.unit(&scope).await.map_err(failed)? {
                None => return Err(CliError::UnknownUnit(scope.to_string())),
                Some(unit) if !unit.is_current() => {
                    return Err(CliError::Campaign(format!(
                        "{} ({}) ended on {}: create the campaign for the area that took it over{}",
                        unit.code,
                        unit.name,
                        unit.ended_on.unwrap_or_default(),
                        unit.merged_into
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    )));
                }
                Some(_) => {}
            }
            let deadline = date(&deadline)?;
            let created = store
                .create_campaign(&name, deadline, &scope, ADMIN, engine.now())
                .await
                .map_err(failed)?;
            let day = deadline.format("%d/%m/%Y");
            match created {
                CampaignCreated::New(id) => {
                    writeln!(out, "campaign {id}: {name}, deadline {day}, area {scope}")?
                }
                CampaignCreated::Updated(id) => writeln!(
                    out,
                    "campaign {id} already covers area {scope}: now {name}, deadline {day}"
                )?,
                CampaignCreated::Refused(other) => {
                    return Err(CliError::Campaign(clash(&scope, &other)));
                }
            }
        }
        CampaignCommand::List => {
            for c in store.campaigns().await.map_err(failed)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    c.id,
                    c.deadline.format("%d/%m/%Y"),
                    c.scope_code,
                    c.name
                )?;
            }
        }
        CampaignCommand::SetDeadline { id, deadline } => {
            let deadline = date(&deadline)?;
            if !store
                .set_campaign_deadline(id, deadline, ADMIN, engine.now())
                .await
                .map_err(failed)?
            {
                return Err(CliError::Campaign(format!(
                    "There is no campaign {id} (see: cnscd campaign list)"
                )));
            }
            writeln!(
                out,
                "campaign {id}: deadline {}",
                deadline.format("%d/%m/%Y")
            )?;
        }
    }
    Ok(())
}

pub async fn alerts(
    engine: &Engine,
    command: AlertsCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let AlertsCommand::RunOnce { now } = command;
    let now = match now {
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map_err(|e| {
                CliError::Campaign(format!(
                    "--now {text:?}: {e} (e.g. 2022-04-22T08:00:00+07:00)"
                ))
            })?
            .with_timezone(&Utc),
        None => engine.now(),
    };
    let run = crate::alerts::run_due(engine, engine.schedule(), now)
        .await
        .map_err(|e| CliError::Campaign(format!("The alert run failed: {e}")))?;
    for (campaign, slot) in &run.due {
        writeln!(out, "due: {campaign} ({slot})")?;
    }
    writeln!(
        out,
        "{} alerts queued, {} sent before",
        run.queued, run.already_sent
    )?;
    Ok(())
}
