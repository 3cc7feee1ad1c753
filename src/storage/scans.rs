//! The founding decisions' scans, kept as files: a chat channel's link to a file may stop
//! working (Zalo's attachment links do), so the pipeline downloads a scan before the step
//! reads it and keeps it here, named by its SHA-256. The folder is `CNSCD_FILES_DIR`, or
//! `cnscd-files` beside a SQLite database; files are 0600 in a 0700 folder, like the database.
//!
//! A scan no team and no draft or dialogue names any more (replaced, cancelled, erased with
//! its draft) is deleted by the purge a day after it was written.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{StorageResult, Store};

/// The folder's name beside a SQLite database file.
pub const DEFAULT_FOLDER: &str = "cnscd-files";

/// Scans written less than this long ago are never purged: the step that names one may not
/// be committed yet.
const GRACE: chrono::Duration = chrono::Duration::days(1);

/// The default files folder of a database URL: beside a SQLite file; none for PostgreSQL
/// or an in-memory database (`CNSCD_FILES_DIR` then names one).
pub fn default_dir(url: &str) -> Option<PathBuf> {
    let file = crate::files::sqlite_file(url)?;
    let parent = file.parent().unwrap_or(Path::new(""));
    Some(parent.join(DEFAULT_FOLDER))
}

/// Whether `name` is a kept scan's name: 64 lowercase hex digits.
fn is_scan_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Store {
    /// Keeps the files of this store in `dir` (created when the first file is kept).
    pub fn with_files_dir(mut self, dir: PathBuf) -> Store {
        self.files_dir = Some(std::sync::Arc::new(dir));
        self
    }

    /// Where kept files go; `None` when there is no such folder (nothing is kept).
    pub fn files_dir(&self) -> Option<&Path> {
        self.files_dir.as_deref().map(PathBuf::as_path)
    }

    /// The kept scan with this SHA-256, if it is there.
    pub fn scan_path(&self, sha256: &str) -> Option<PathBuf> {
        let path = self.files_dir()?.join(sha256);
        (is_scan_name(sha256) && path.is_file()).then_some(path)
    }

    /// Writes `bytes` to the files folder under their SHA-256 (0600, through a temporary
    /// file, so a crash never leaves half a scan under a real name); the hash. `None` when
    /// the store has no files folder.
    pub async fn keep_scan(&self, bytes: Vec<u8>) -> std::io::Result<Option<String>> {
        let Some(dir) = self.files_dir().map(Path::to_path_buf) else {
            return Ok(None);
        };
        tokio::task::spawn_blocking(move || {
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let path = dir.join(&sha256);
            if !path.is_file() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(crate::files::PRIVATE_DIR)
                    .create(&dir)?;
                let partial = dir.join(format!("{sha256}.part"));
                crate::files::write_private(&partial, &bytes)?;
                std::fs::rename(&partial, &path)?;
            }
            Ok(Some(sha256))
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Deletes the kept scans no team, draft or dialogue names any more, written before
    /// `now` less a day; how many.
    pub async fn purge_scans(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let Some(dir) = self.files_dir().map(Path::to_path_buf) else {
            return Ok(0);
        };
        let cutoff = std::time::SystemTime::from(now - GRACE);
        let candidates: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| {
                    e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|at| at < cutoff)
                })
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| is_scan_name(name))
                .collect(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(error) => {
                tracing::warn!(%error, "the files folder could not be read");
                return Ok(0);
            }
        };
        let mut deleted = 0;
        for sha256 in candidates {
            let named: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM teams WHERE decision_file_sha256 = $1
                            OR draft_json LIKE '%' || $1 || '%')
                      + (SELECT COUNT(*) FROM dialogue_states WHERE session LIKE '%' || $1 || '%')",
            )
            .bind(&sha256)
            .fetch_one(self.pool())
            .await?;
            if named == 0 && std::fs::remove_file(dir.join(&sha256)).is_ok() {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_files_folder_of_a_sqlite_database_is_beside_it() {
        assert_eq!(
            default_dir("sqlite:///var/lib/cnscd/cnscd.db"),
            Some(PathBuf::from("/var/lib/cnscd/cnscd-files"))
        );
        assert_eq!(default_dir("postgres://db/cnscd"), None);
    }

    #[tokio::test]
    async fn a_kept_scan_is_private_named_by_its_hash_and_purged_once_nothing_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
        let store = Store::connect(&url).await.unwrap();
        let scan = b"%PDF-1.4 the signed decision".to_vec();

        let sha256 = store.keep_scan(scan.clone()).await.unwrap().expect("kept");

        let path = store.scan_path(&sha256).expect("there");
        assert_eq!(path, dir.path().join("cnscd-files").join(&sha256));
        assert_eq!(std::fs::read(&path).unwrap(), scan);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&path), mode(path.parent().unwrap())), (0o600, 0o700));
        let now = Utc::now();
        assert_eq!(store.purge_scans(now).await.unwrap(), 0, "within a day");
        assert_eq!(store.purge_scans(now + GRACE * 2).await.unwrap(), 1);
        assert!(store.scan_path(&sha256).is_none());
        store.close().await;
    }
}
