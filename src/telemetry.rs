//! Logging: human-readable lines on stderr (stdout belongs to command output and the
//! console dialogue), filtered like `RUST_LOG`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    // The parse error is shown, not chained: its own source repeats its message.
    #[error("the log filter {0:?} is not valid: {1}")]
    Filter(String, tracing_subscriber::filter::ParseError),
    #[error("logging was set up already")]
    AlreadySet(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Installs the global subscriber with `filter` (`info`, `cnscd=debug,sqlx=warn`…).
pub fn init(filter: &str) -> Result<(), TelemetryError> {
    let env_filter =
        EnvFilter::try_new(filter).map_err(|e| TelemetryError::Filter(filter.to_owned(), e))?;
    tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .map_err(TelemetryError::AlreadySet)
}
