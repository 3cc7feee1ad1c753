//! Throw-away databases for tests and benchmarks: a SQLite file in a temporary folder, or a
//! fresh PostgreSQL database created on the server that [`POSTGRES_URL_VAR`] names.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

use super::Backend;

/// The environment variable naming a PostgreSQL server tests and benchmarks may create
/// databases on, e.g. `postgres://postgres@127.0.0.1:5432/test`.
pub const POSTGRES_URL_VAR: &str = "CNSCD_TEST_POSTGRES_URL";

/// Names of scratch databases start with this, so leftovers are easy to spot and drop.
const PREFIX: &str = "cnscd_scratch";

#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    #[error("cannot create a temporary folder")]
    Io(#[from] std::io::Error),
    #[error("cannot create a PostgreSQL database on {server}")]
    Postgres {
        server: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("{0:?} is not a postgres:// URL")]
    NotPostgres(String),
}

/// A database that exists until [`ScratchDb::destroy`] (PostgreSQL) or until dropped (SQLite).
#[derive(Debug)]
pub struct ScratchDb {
    url: String,
    backend: Backend,
    /// The server URL and the database name, to drop it afterwards.
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl ScratchDb {
    /// A new SQLite file in a temporary folder.
    pub fn sqlite() -> Result<ScratchDb, ScratchError> {
        let dir = tempfile::tempdir()?;
        Ok(ScratchDb {
            url: format!("sqlite://{}", dir.path().join("cnscd.db").display()),
            backend: Backend::Sqlite,
            postgres: None,
            _dir: Some(dir),
        })
    }

    /// A new, empty PostgreSQL database on the server of [`POSTGRES_URL_VAR`]; `None` when
    /// the variable is not set (the caller says the PostgreSQL part was skipped).
    pub async fn postgres_from_env() -> Result<Option<ScratchDb>, ScratchError> {
        match std::env::var(POSTGRES_URL_VAR) {
            Ok(server) if !server.is_empty() => Ok(Some(ScratchDb::postgres(&server).await?)),
            _ => Ok(None),
        }
    }

    /// A new, empty database on the PostgreSQL server `server` (any database URL on it).
    pub async fn postgres(server: &str) -> Result<ScratchDb, ScratchError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let mut url =
            url::Url::parse(server).map_err(|_| ScratchError::NotPostgres(server.into()))?;
        if Backend::of_url(server) != Some(Backend::Postgres) {
            return Err(ScratchError::NotPostgres(server.into()));
        }
        let name = format!(
            "{PREFIX}_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let failed = |source| ScratchError::Postgres {
            server: redact(server),
            source,
        };
        let mut admin = sqlx::PgConnection::connect(server).await.map_err(failed)?;
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .map_err(failed)?;
        let _ = admin.close().await;
        url.set_path(&format!("/{name}"));
        Ok(ScratchDb {
            url: url.to_string(),
            backend: Backend::Postgres,
            postgres: Some((server.to_owned(), name)),
            _dir: None,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Drops the PostgreSQL database (closing whatever is still connected to it); a SQLite
    /// file goes with its folder. Failure only leaves a database behind, so it is logged.
    pub async fn destroy(self) {
        let Some((server, name)) = &self.postgres else {
            return;
        };
        let dropped = async {
            let mut admin = sqlx::PgConnection::connect(server).await?;
            admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await?;
            admin.close().await
        };
        if let Err(error) = dropped.await {
            tracing::warn!(%error, name, "scratch database left behind");
        }
    }
}

/// Says that `what` did not run on PostgreSQL for want of [`POSTGRES_URL_VAR`]. Written to
/// the process's stderr itself, past the test harness's capture, so a green run still shows
/// what it skipped.
pub fn report_skipped(what: &str) {
    use std::io::Write;
    let line = format!("skipped: {what} on PostgreSQL ({POSTGRES_URL_VAR} is not set)\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
