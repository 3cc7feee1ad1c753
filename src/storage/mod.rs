//! Persistence. Every SQL statement of cnscd lives under this module, written with `$n`
//! placeholders and portable types so the PostgreSQL backend can share it.
//!
//! The store is the only way the rest of the code reaches the database: adapters and the
//! conversation core never see a connection.

pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod campaigns;
pub mod directory;
pub mod invitations;
pub mod listing;
pub mod outbox;
pub mod report;
pub mod sessions;
pub mod teams;
pub mod units;

pub use accounts::Account;
pub use audit::AuditEntry;

pub use invitations::{InvitationRecord, NewInvitation};
pub use listing::{ListedMember, ListedTeam};
pub use outbox::OutboxMessage;
pub use report::{Sweep, TeamSummary};
pub use teams::{StoredMember, StoredTeam, TeamStatus};
pub use units::{NewUnit, Unit, UnitLevel};

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// Errors of the storage boundary. Callers log them; users only ever see a polite apology.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database URL {0:?} is not supported (use sqlite://FILE)")]
    UnsupportedUrl(String),
    #[error("failed to open the database")]
    Connect(#[source] sqlx::Error),
    #[error("failed to apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database query failed")]
    Query(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StorageResult<T> = Result<T, StorageError>;
pub type Tx<'a> = Transaction<'a, Sqlite>;

/// Rows buffered between SQLite's worker thread and the reading task (sqlx's default: 50).
const ROW_BUFFER_SIZE: usize = 1024;

/// A handle to the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and applies pending migrations.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> StorageResult<Store> {
        if !url.starts_with("sqlite:") {
            return Err(StorageError::UnsupportedUrl(url.to_owned()));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StorageError::Connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a step acknowledged to the user survives a power cut, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Rows are handed from SQLite's thread to ours through a channel: a deeper one
            // saves a thread switch every few rows when a report reads the whole country.
            .row_buffer_size(ROW_BUFFER_SIZE);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(StorageError::Connect)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(StorageError::Migrate)?;
        Ok(Store { pool })
    }

    /// Starts a write transaction. `BEGIN IMMEDIATE` takes SQLite's write lock up front, so a
    /// read-then-write step never fails half-way with `SQLITE_BUSY`.
    pub async fn begin(&self) -> StorageResult<Tx<'static>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn now_text(now: chrono::DateTime<chrono::Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
