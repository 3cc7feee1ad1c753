//! Files that hold personal data (reports, pictures of invitation links, the database) are
//! readable by their owner only: created 0600, in a 0700 directory when cnscd picks the
//! place. Their names never carry a secret (an invitation code is a key to an account).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Owner read and write, nobody else.
pub const PRIVATE_FILE: u32 = 0o600;
/// Owner only.
pub const PRIVATE_DIR: u32 = 0o700;

/// Creates (or truncates) `path` for writing, readable by its owner only. An existing file
/// gets its permissions narrowed too: it may have been created before this rule.
pub fn create_private(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(PRIVATE_FILE)
        .open(path)?;
    file.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE))?;
    Ok(file)
}

/// Writes `bytes` to `path` with [`create_private`].
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = create_private(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// This user's own folder for files cnscd saves by itself (the console's pictures and
/// spreadsheets): `$TMPDIR/cnscd-<uid>`, 0700. A folder of that name that is a symlink or
/// belongs to someone else is refused rather than written into.
pub fn private_dir() -> io::Result<PathBuf> {
    let uid = rustix::process::getuid().as_raw();
    let dir = std::env::temp_dir().join(format!("cnscd-{uid}"));
    match fs::DirBuilder::new().mode(PRIVATE_DIR).create(&dir) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error),
    }
    let meta = fs::symlink_metadata(&dir)?;
    if !meta.is_dir() || meta.uid() != uid {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is not a folder of this user", dir.display()),
        ));
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(PRIVATE_DIR))?;
    Ok(dir)
}

/// The start of every report file's name (`bao-cao-<scope>-<date>.<ext>`).
pub const REPORT_PREFIX: &str = "bao-cao-";

/// Deletes the report files a console saved in `dir` (its [`private_dir`]): their listings
/// name people, and an erased person must not stay in them. Returns how many; a missing
/// folder holds none.
pub fn delete_saved_reports(dir: &Path) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut deleted = 0;
    for entry in entries {
        let entry = entry?;
        let is_report = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(REPORT_PREFIX));
        if is_report && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// The file of a `sqlite://FILE` URL, `None` for other databases and in-memory ones.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Creates the SQLite database file 0600 before SQLite does (it would use 0644), or narrows
/// an existing one. SQLite gives its `-wal` and `-shm` files the database file's mode.
pub fn prepare_sqlite_file(url: &str) -> io::Result<()> {
    let Some(path) = sqlite_file(url) else {
        return Ok(());
    };
    if path.exists() {
        // Files made before this rule, with their journal files.
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                fs::set_permissions(&file, fs::Permissions::from_mode(PRIVATE_FILE))?;
            }
        }
        Ok(())
    } else {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_FILE)
            .open(&path)
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_files_are_readable_by_their_owner_only_even_when_they_existed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.xlsx");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

        write_private(&path, b"new").unwrap();

        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn saved_reports_are_deleted_and_other_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "bao-cao-11083-20220418.xlsx",
            "bao-cao-298-20220418.png",
            "moi-11083.png",
        ] {
            write_private(&dir.path().join(name), b"x").unwrap();
        }

        let deleted = delete_saved_reports(dir.path()).unwrap();

        assert_eq!(deleted, 2);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec!["moi-11083.png"]);
        assert_eq!(delete_saved_reports(&dir.path().join("none")).unwrap(), 0);
    }

    #[test]
    fn the_private_folder_is_the_users_own() {
        let dir = private_dir().unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert!(dir.starts_with(std::env::temp_dir()));
    }

    #[tokio::test]
    async fn a_new_sqlite_database_file_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cnscd.db");
        let url = format!("sqlite://{}", path.display());

        let store = crate::storage::Store::connect(&url).await.unwrap();
        store.ping().await.unwrap();

        assert_eq!(mode(&path), 0o600);
        store.close().await;
    }

    #[test]
    fn only_sqlite_urls_name_a_file() {
        assert_eq!(sqlite_file("sqlite://cnscd.db"), Some("cnscd.db".into()));
        assert_eq!(
            sqlite_file("sqlite:/a/b.db?mode=rwc"),
            Some("/a/b.db".into())
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }
}
