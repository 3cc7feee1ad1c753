//! What a step does after its transaction has committed: long jobs an official asked for.

use super::effects::Job;
use super::import_messages::import_failure;
use super::{Engine, EngineError};
use crate::chat::ChatKey;
use crate::conversation::{notices, Reply, ReportFile};
use crate::i18n::{Html, Lang, K};

impl Engine {
    /// An official's report: the summary, the coverage chart and the spreadsheet (or the
    /// document, where the channel takes no spreadsheet).
    pub(super) async fn report_reply(
        &self,
        scope: &str,
        lang: Lang,
        file: ReportFile,
    ) -> Result<Reply, EngineError> {
        let now = self.clock.now();
        let (store, rules, texts) = (&self.store, &self.rules, &self.texts);
        match crate::report::chat_report(store, rules, texts, scope, lang, now, file).await {
            Ok(reply) => Ok(reply),
            Err(error) => {
                tracing::error!(%error, scope, "report failed");
                Ok(notices::internal_error(&self.texts, lang))
            }
        }
    }

    /// The teams' work in `scope` during `period`: the summary, the chart of people helped,
    /// and the file the channel takes (XLSX, or DOCX where spreadsheets are not taken).
    pub(super) async fn period_report_reply(
        &self,
        scope: &str,
        period: crate::domain::Period,
        lang: Lang,
        file: ReportFile,
    ) -> Result<Reply, EngineError> {
        use crate::report::period::{chat_period_report, PeriodAsk};
        let ask = PeriodAsk {
            scope,
            period,
            lang,
            now: self.clock.now(),
        };
        let (store, rules, texts) = (&self.store, &self.rules.activity, &self.texts);
        match chat_period_report(store, rules, texts, ask, file).await {
            Ok(reply) => Ok(reply),
            Err(error) => {
                tracing::error!(%error, scope, %period, "period report failed");
                Ok(notices::internal_error(&self.texts, lang))
            }
        }
    }

    /// The founding decision drafted for `unit_code`, as a Word document (every channel takes
    /// DOCX, Zalo's file upload included).
    pub(super) async fn decision_reply(
        &self,
        unit_code: &str,
        lang: Lang,
    ) -> Result<Reply, EngineError> {
        use crate::report::decision::{decision_docx, DecisionError};
        let drafted = match self.store.decision_draft(&self.texts, unit_code).await {
            Ok(drafted) => drafted,
            Err(DecisionError::Storage(error)) => return Err(error.into()),
            Err(error) => {
                // The unit changed since the button was made (its team removed, the unit
                // ended): said plainly, nothing drafted.
                tracing::info!(%error, unit_code, "no decision drafted");
                return Ok(notices::decision_not_drafted(&self.texts, lang));
            }
        };
        match decision_docx(&drafted.draft, &self.decision_template) {
            Ok(docx) => {
                let draft = &drafted.draft;
                let (unit, teams) = match (draft.commune_wide, draft.teams.as_slice()) {
                    (false, [team]) => (team.name.as_str(), 1),
                    _ => (draft.issuer.name.as_str(), draft.teams.len()),
                };
                let file_name = format!("du-thao-quyet-dinh-{unit_code}.docx");
                let left_out = &drafted.without_team;
                Ok(notices::decision_drafted(
                    &self.texts,
                    lang,
                    unit,
                    teams,
                    left_out,
                    file_name,
                    docx,
                ))
            }
            Err(error) => {
                tracing::error!(%error, unit_code, "the founding decision was not written");
                Ok(notices::internal_error(&self.texts, lang))
            }
        }
    }

    /// A village list sent in chat (CSV or spreadsheet): imported in its own transaction,
    /// all or nothing, only for the official's commune, and answered in the chat's language.
    pub(super) async fn after_commit(
        &self,
        chat: &ChatKey,
        lang: Lang,
        job: Job,
        file: ReportFile,
    ) -> Result<Reply, EngineError> {
        let (commune, csv) = match job {
            Job::ImportVillages { commune, csv } => (commune, csv),
            Job::Report {
                scope,
                period: None,
            } => return self.report_reply(&scope, lang, file).await,
            Job::Report {
                scope,
                period: Some(period),
            } => return self.period_report_reply(&scope, period, lang, file).await,
            Job::Decision { unit_code } => return self.decision_reply(&unit_code, lang).await,
        };
        let result = crate::import::import_villages_of_commune(
            &self.store,
            &commune,
            &csv,
            self.clock.now(),
        )
        .await;
        match result {
            Ok(report) => {
                let codes: Vec<String> = report.villages.iter().map(|v| v.code.clone()).collect();
                self.refresh_index(&codes).await?;
                let (inserted, updated) = (report.inserted, report.updated);
                let mut reply = notices::villages_imported(
                    &self.texts,
                    lang,
                    inserted,
                    updated,
                    report.unchanged,
                );
                if report.assumed_commune {
                    let name = self.store.unit(&commune).await?.map(|unit| unit.name);
                    let name = Html::text(name.as_deref().unwrap_or(&commune));
                    let into = self
                        .texts
                        .fill(lang, K::VillagesImportedInto, &[("commune", name)]);
                    reply.text = Html::markup(format!("{}\n{}", reply.text, into));
                }
                Ok(reply)
            }
            Err(error) => {
                tracing::info!(chat = %chat.id, %error, "villages file refused");
                match import_failure(&self.texts, lang, &error) {
                    Some(errors) => Ok(notices::villages_import_failed(&self.texts, lang, errors)),
                    None => Ok(notices::internal_error(&self.texts, lang)),
                }
            }
        }
    }
}
