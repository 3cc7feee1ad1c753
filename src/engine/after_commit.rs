//! What a step does after its transaction has committed: long jobs an official asked for.

use super::effects::Job;
use super::{ChatKey, Engine, EngineError};
use crate::conversation::{notices, Reply, ReportFile};
use crate::i18n::Lang;

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

    /// A CSV of villages sent in chat: imported in its own transaction, all or nothing, and
    /// only for the official's commune.
    pub(super) async fn after_commit(
        &self,
        chat: &ChatKey,
        lang: Lang,
        job: Job,
        file: ReportFile,
    ) -> Result<Reply, EngineError> {
        let (commune, csv) = match job {
            Job::ImportVillages { commune, csv } => (commune, csv),
            Job::Report { scope } => return self.report_reply(&scope, lang, file).await,
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
                Ok(notices::villages_imported(
                    &self.texts,
                    lang,
                    inserted,
                    updated,
                    report.unchanged,
                ))
            }
            Err(error) => {
                tracing::info!(chat = %chat.id, "villages CSV refused");
                let errors = error.to_string();
                Ok(notices::villages_import_failed(&self.texts, lang, &errors))
            }
        }
    }
}
