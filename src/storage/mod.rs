//! Persistence. Every SQL statement of cnscd lives under this module, written with `$n`
//! placeholders and portable types so the PostgreSQL backend can share it.
//!
//! The store is the only way the rest of the code reaches the database: adapters and the
//! conversation core never see a connection.

/// In a module's tests: runs each named `async fn(Store)` on a scratch SQLite, and again on a
/// scratch PostgreSQL when the tests have a server (reported as skipped otherwise). The
/// calling module provides `store(&ScratchDb) -> Store` (its seed) and `report_skipped`.
/// Defined before the modules below, so each of them can use it.
#[cfg(test)]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let db = ScratchDb::sqlite().expect("a scratch SQLite");
                super::$name(store(&db).await).await;
                match ScratchDb::postgres_from_env().await.expect("a scratch PostgreSQL") {
                    Some(db) => {
                        super::$name(store(&db).await).await;
                        db.destroy().await;
                    }
                    None => report_skipped(stringify!($name)),
                }
            }
        )*
    };
}

pub mod account_admin;
pub mod accounts;
pub mod activities;
pub mod announcements;
pub mod audit;
pub mod bulk;
pub mod campaigns;
pub mod chats;
pub mod consent;
pub mod database_url;
pub mod delivery_journal;
pub mod directory;
pub mod erasure;
pub mod fields;
pub mod help_followups;
pub mod help_requests;
pub mod inbox;
pub mod invitations;
pub mod limits;
pub mod listing;
pub mod outbox;
pub mod outbox_view;
pub mod people;
pub mod period_reports;
pub mod proofs;
pub mod reorganize;
pub mod report;
pub mod retention;
pub mod scans;
#[cfg(any(test, feature = "test-databases"))]
pub mod scratch;
pub mod sessions;
pub mod teams;
pub mod unit_status;
pub mod units;
pub mod zalo_tokens;

pub use accounts::Account;
pub use audit::AuditEntry;

pub use invitations::{InvitationRecord, NewInvitation};
pub use listing::{ListedMember, ListedTeam};
pub use outbox::OutboxMessage;
pub use report::{Sweep, TeamSummary};
pub use teams::{StoredMember, StoredTeam, TeamStatus};
pub use unit_status::{stored_team_status, summary_status};
pub use units::{NewUnit, Unit, UnitLevel};

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};

use database_url::redact_url;
use sqlx::{Any, AnyPool, Executor, Transaction};

/// Errors of the storage boundary. Callers log them; users only ever see a polite apology.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database URL {0:?} is not supported (use sqlite://FILE or postgres://…)")]
    UnsupportedUrl(String),
    #[error("failed to open the database")]
    Connect(#[source] sqlx::Error),
    #[error("failed to apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database query failed")]
    Query(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the delivery journal could not be read or written")]
    Journal(#[source] std::io::Error),
    /// Someone else changed the row since it was read (optimistic concurrency).
    #[error("the data was changed by someone else meanwhile")]
    Conflict,
    /// Another chat redeemed the invitation between this step's read and its write.
    #[error("the invitation was redeemed by another chat meanwhile")]
    InvitationTaken,
    /// A period report is no longer where the step found it: submitted again, or decided by
    /// another official meanwhile (optimistic concurrency, as [`StorageError::Conflict`]).
    #[error("the period report was submitted or decided by someone else meanwhile")]
    ReportChanged,
    /// The chat reached a per-chat limit (see `storage::limits`); nothing is written.
    #[error("the chat made too many {} recently", .0.name())]
    RateLimited(limits::Limit),
    /// A request for help is no longer where the step found it (taken, closed, rated,
    /// reopened, or past its reopen window): optimistic concurrency, as [`StorageError::Conflict`].
    #[error("the request for help was changed meanwhile")]
    HelpChanged,
    /// A resident reached a limit of the rules' `[help]` section; nothing is written.
    #[error("the resident reached a limit of requests for help")]
    HelpLimited(help_requests::HelpLimit),
}

pub type StorageResult<T> = Result<T, StorageError>;
/// Both engines go through sqlx's `Any` driver, so every query is written once.
pub type Db = Any;
pub type DbRow = AnyRow;
pub type Tx<'a> = Transaction<'a, Db>;

/// Which database engine a [`Store`] talks to, for the few statements that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, one machine: the default.
    Sqlite,
    /// Shared by several replicas.
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// SQLite's settings, run on every new connection (the `Any` driver takes only a URL).
/// WAL lets readers work beside the writer; `synchronous = FULL` makes a step acknowledged to
/// the user survive a power cut, not just a crash.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// A handle to the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where kept files (decision scans) go: see [`scans`].
    files_dir: Option<std::sync::Arc<std::path::PathBuf>>,
    /// Where the sender records what the channels took: see [`delivery_journal`].
    delivery_journal: Option<std::sync::Arc<std::path::PathBuf>>,
}

impl Store {
    /// Opens the database at `url` (`sqlite://FILE`, created if missing, or `postgres://…`)
    /// and applies pending migrations.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> StorageResult<Store> {
        let backend =
            Backend::of_url(url).ok_or_else(|| StorageError::UnsupportedUrl(redact_url(url)))?;
        sqlx::any::install_default_drivers();
        let pool = match backend {
            Backend::Sqlite => connect_sqlite(url).await?,
            Backend::Postgres => connect_postgres(url).await?,
        };
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&pool).await.map_err(StorageError::Migrate)?;
        Ok(Store {
            pool,
            backend,
            files_dir: scans::default_dir(url).map(std::sync::Arc::new),
            delivery_journal: delivery_journal::default_base(url).map(std::sync::Arc::new),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The base name of the delivery journal: beside a SQLite file; none for PostgreSQL or
    /// an in-memory database.
    pub fn delivery_journal_base(&self) -> Option<&std::path::Path> {
        self.delivery_journal
            .as_deref()
            .map(std::path::PathBuf::as_path)
    }

    /// Starts a write transaction. On SQLite `BEGIN IMMEDIATE` takes the write lock up front,
    /// so a read-then-write step never fails half-way with `SQLITE_BUSY`; PostgreSQL runs
    /// READ COMMITTED and the callers lock what they change (see [`lock_chat`]).
    pub async fn begin(&self) -> StorageResult<Tx<'static>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers (for health checks).
    pub async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Takes the lease `key` if no other replica holds it.
    pub async fn try_lease(&self, key: i64) -> StorageResult<Option<Lease>> {
        if self.backend == Backend::Sqlite {
            return Ok(Some(Lease { held: None }));
        }
        let mut tx = self.pool.begin().await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        Ok(taken.then_some(Lease { held: Some(tx) }))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn connect_sqlite(url: &str) -> StorageResult<AnyPool> {
    // The file holds every member's phone: owner-only before SQLite creates it 0644.
    crate::files::prepare_sqlite_file(url)
        .map_err(|error| StorageError::Connect(sqlx::Error::Io(error)))?;
    // `mode=rwc` creates the file when it is missing.
    let url = if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(StorageError::Connect)
}

async fn connect_postgres(url: &str) -> StorageResult<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(StorageError::Connect)
}

/// Held while one replica runs a job the others must not run at the same time (the alert
/// sweep). On PostgreSQL it is a transaction-level advisory lock, released when the lease is
/// dropped or its replica dies; SQLite serves one machine and needs none. Correctness never
/// rests on it (alerts are recorded under a primary key); it saves the duplicate work.
#[derive(Debug)]
pub struct Lease {
    held: Option<Tx<'static>>,
}

impl Lease {
    /// Gives the lease back now. (Dropped instead, it is given back only when its connection
    /// is next used, which may be a while.)
    pub async fn release(self) {
        if let Some(tx) = self.held {
            if let Err(error) = tx.rollback().await {
                tracing::warn!(%error, "lease not released cleanly; its connection will");
            }
        }
    }
}

/// Serialises the steps of one chat across replicas: PostgreSQL holds a transaction-level
/// advisory lock keyed by the chat until commit. SQLite needs nothing: `BEGIN IMMEDIATE`
/// already lets one writer in at a time.
pub async fn lock_chat(tx: &mut Tx<'_>, backend: Backend, key: &str) -> StorageResult<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// `($1, $2), ($3, $4)…`: `rows` tuples of `columns` numbered placeholders, each passed
/// through `cell(column, placeholder)`. sqlx's query builder writes `?` for the Any driver,
/// which PostgreSQL does not read, so multi-row inserts number their own.
pub(crate) fn placeholder_rows(
    rows: usize,
    columns: usize,
    cell: impl Fn(usize, String) -> String,
) -> String {
    let mut next = 0;
    let mut tuples = Vec::with_capacity(rows);
    for _ in 0..rows {
        let cells: Vec<String> = (0..columns)
            .map(|column| {
                next += 1;
                cell(column, format!("${next}"))
            })
            .collect();
        tuples.push(format!("({})", cells.join(", ")));
    }
    tuples.join(", ")
}

pub(crate) fn now_text(now: chrono::DateTime<chrono::Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A time [`now_text`] wrote; `None` if it is not one.
pub(crate) fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}
