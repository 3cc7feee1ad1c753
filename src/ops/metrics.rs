//! What the pipeline and the channels count, in Prometheus' text format at `GET /metrics`. One
//! [`Metrics`] value is made when the adapter starts and handed to the handlers, the webhook
//! and the outbox worker; nothing is global, so two bots in one test process count apart.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

/// What became of an update that reached the engine.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    /// Recorded and answered.
    Applied,
    /// Seen before (a redelivery): acknowledged, nothing done.
    Duplicate,
    /// Older than an update of the same chat already applied: acknowledged, not applied.
    Late,
    /// Not recorded: the engine or the database failed.
    Failed,
}

/// Kinds of errors, as the `kind` label of `cnscd_errors_total`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ErrorKind {
    /// The engine could not apply an update (database trouble, a bug).
    Engine,
    /// A channel refused or did not answer a reply.
    Delivery,
    /// A webhook request with the right secret whose body is not an update.
    UnreadableUpdate,
}

type Labels = [(&'static str, &'static str); 1];

/// The adapter's counters. Cheap to clone: clones count into the same series.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Arc<Registry>,
    updates: Family<Labels, Counter>,
    errors: Family<Labels, Counter>,
    latency: Histogram,
    alerts_sent: Counter,
    unauthorized: Counter,
    zalo_paused: Gauge,
    zalo_refresh_failures: Family<Labels, Counter>,
    zalo_account_refusals: Family<Labels, Counter>,
}

/// Why a refresh of Zalo's access token failed, as the `kind` label of
/// `cnscd_zalo_token_refresh_failures_total`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RefreshFailure {
    /// Zalo refused the refresh token: sending is paused.
    Refused,
    /// Zalo did not answer, or not readably: tried again later.
    Unreachable,
    /// The database failed before or after the refresh.
    Storage,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let updates = Family::<Labels, Counter>::default();
        let errors = Family::<Labels, Counter>::default();
        // 1 ms to about 16 s: a step is a few milliseconds, a report with a chart seconds.
        let latency = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        let alerts_sent = Counter::default();
        let unauthorized = Counter::default();
        let zalo_paused = Gauge::default();
        let zalo_refresh_failures = Family::<Labels, Counter>::default();
        let zalo_account_refusals = Family::<Labels, Counter>::default();
        let mut registry = Registry::default();
        registry.register(
            "cnscd_updates",
            "Telegram updates that reached the engine, by outcome (applied, duplicate, failed)",
            updates.clone(),
        );
        registry.register(
            "cnscd_errors",
            "Errors, by kind (engine, delivery, unreadable_update)",
            errors.clone(),
        );
        registry.register_with_unit(
            "cnscd_update_duration",
            "Time to handle one update: the engine's transaction and the replies sent",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register(
            "cnscd_alerts_sent",
            "Messages the outbox delivered to other chats: deadline alerts, reminders and \
             notices to officials and heads",
            alerts_sent.clone(),
        );
        registry.register(
            "cnscd_webhook_unauthorized",
            "Webhook requests refused for a missing or wrong secret token",
            unauthorized.clone(),
        );
        registry.register(
            "cnscd_zalo_sending_paused",
            "1 while Zalo sending is paused because a token refresh was refused (until \
             `cnscd zalo token set`) or Zalo refused the Official Account (until \
             `cnscd zalo resume`), else 0",
            zalo_paused.clone(),
        );
        registry.register(
            "cnscd_zalo_token_refresh_failures",
            "Refreshes of Zalo's access token that failed, by kind (refused, unreachable, \
             storage)",
            zalo_refresh_failures.clone(),
        );
        registry.register(
            "cnscd_zalo_account_refusals",
            "Calls Zalo refused for the Official Account itself (its package, permissions or \
             status), by Zalo's error code; each pauses Zalo sending",
            zalo_account_refusals.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            updates,
            errors,
            latency,
            alerts_sent,
            unauthorized,
            zalo_paused,
            zalo_refresh_failures,
            zalo_account_refusals,
        }
    }

    pub(crate) fn update_handled(&self, outcome: Outcome, took: Duration) {
        let label = match outcome {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Late => "late",
            Outcome::Failed => "failed",
        };
        self.updates.get_or_create(&[("outcome", label)]).inc();
        self.latency.observe(took.as_secs_f64());
    }

    pub(crate) fn error(&self, kind: ErrorKind) {
        let label = match kind {
            ErrorKind::Engine => "engine",
            ErrorKind::Delivery => "delivery",
            ErrorKind::UnreadableUpdate => "unreadable_update",
        };
        self.errors.get_or_create(&[("kind", label)]).inc();
    }

    pub(crate) fn alerts_sent(&self, count: usize) {
        self.alerts_sent.inc_by(count as u64);
    }

    pub(crate) fn unauthorized(&self) {
        self.unauthorized.inc();
    }

    pub(crate) fn zalo_sending_paused(&self, paused: bool) {
        self.zalo_paused.set(i64::from(paused));
    }

    pub(crate) fn zalo_refresh_failed(&self, failure: RefreshFailure) {
        let label = match failure {
            RefreshFailure::Refused => "refused",
            RefreshFailure::Unreachable => "unreachable",
            RefreshFailure::Storage => "storage",
        };
        self.zalo_refresh_failures
            .get_or_create(&[("kind", label)])
            .inc();
    }

    /// Zalo refused the Official Account with `code`; codes outside the known few are
    /// counted together.
    pub(crate) fn zalo_account_refused(&self, code: i64) {
        let label = match code {
            -211 => "-211",
            -221 => "-221",
            -223 => "-223",
            -224 => "-224",
            -320 => "-320",
            -321 => "-321",
            _ => "other",
        };
        self.zalo_account_refusals
            .get_or_create(&[("code", label)])
            .inc();
    }

    /// Every series in the OpenMetrics text format (which Prometheus reads).
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// `GET /metrics`.
pub(crate) async fn serve_metrics(State(metrics): State<Metrics>) -> Response {
    match metrics.render() {
        Ok(text) => {
            let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
            ([(CONTENT_TYPE, content_type)], text).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "could not render the metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_show_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.update_handled(Outcome::Applied, Duration::from_millis(3));
        metrics.update_handled(Outcome::Applied, Duration::from_millis(5));
        metrics.update_handled(Outcome::Duplicate, Duration::from_millis(1));
        metrics.error(ErrorKind::Delivery);
        metrics.alerts_sent(3);
        metrics.unauthorized();
        metrics.zalo_sending_paused(true);
        metrics.zalo_refresh_failed(RefreshFailure::Refused);

        let text = metrics.render().unwrap();

        for line in [
            "cnscd_updates_total{outcome=\"applied\"} 2",
            "cnscd_updates_total{outcome=\"duplicate\"} 1",
            "cnscd_errors_total{kind=\"delivery\"} 1",
            "cnscd_update_duration_seconds_count 3",
            "cnscd_alerts_sent_total 3",
            "cnscd_webhook_unauthorized_total 1",
            "cnscd_zalo_sending_paused 1",
            "cnscd_zalo_token_refresh_failures_total{kind=\"refused\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
        }
    }
}
