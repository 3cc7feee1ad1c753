//! Logging: human-readable lines on stderr (stdout belongs to command output and the
//! console dialogue), or appended to a file, filtered like `RUST_LOG`. The console logs to
//! a file: its stderr is the terminal the dialogue is typed in.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    // The parse error is shown, not chained: its own source repeats its message.
    #[error("the log filter {0:?} is not valid: {1}")]
    Filter(String, tracing_subscriber::filter::ParseError),
    #[error("the log file {0} cannot be opened")]
    File(String, #[source] std::io::Error),
    #[error("logging was set up already")]
    AlreadySet(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Installs the global subscriber with `filter` (`info`, `cnscd=debug,sqlx=warn`…), writing
/// to `file` (appended) or, without one, to stderr.
pub fn init(filter: &str, file: Option<&Path>) -> Result<(), TelemetryError> {
    let env_filter =
        EnvFilter::try_new(filter).map_err(|e| TelemetryError::Filter(filter.to_owned(), e))?;
    let (writer, ansi) = writer(file)?;
    tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(writer)
        .with_ansi(ansi)
        .try_init()
        .map_err(TelemetryError::AlreadySet)
}

/// Where log lines go, and whether they may be coloured (a terminal only).
fn writer(file: Option<&Path>) -> Result<(BoxMakeWriter, bool), TelemetryError> {
    let Some(path) = file else {
        return Ok((
            BoxMakeWriter::new(std::io::stderr),
            std::io::stderr().is_terminal(),
        ));
    };
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .map_err(|e| TelemetryError::File(path.display().to_string(), e))?;
    Ok((BoxMakeWriter::new(Mutex::new(file)), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_go_to_the_file_when_one_is_given() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("cnscd-console.log");
        let (writer, ansi) = writer(Some(&path)).unwrap();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(ansi)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("no folder to keep decision scans in");
        });
        let logged = std::fs::read_to_string(&path).unwrap();
        assert!(
            logged.contains("WARN") && logged.contains("no folder to keep decision scans in"),
            "{logged:?}"
        );
    }
}
