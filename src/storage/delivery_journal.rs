//! Which outbox rows a channel took, written the instant it took them, beside a SQLite
//! database.
//!
//! On SQLite a "sent" mark is a write, and writes wait for the one write lock behind the
//! worker's rounds (and their fsync): a process killed meanwhile loses every mark not yet
//! committed, and the next start sends those messages again — old questions with live
//! buttons, in bursts. The journal is a plain file appended with one `write(2)` per message:
//! it survives the process being killed (the kernel holds the bytes), never waits for a
//! lock, and is folded into the outbox at the next start. What it does not survive is the
//! machine losing power before the kernel wrote the page; then a message is sent twice,
//! which is the old behaviour, not a loss.
//!
//! Two files take turns, so that the journal never grows: appends go to one while the
//! other's ids are written to the outbox, and it is emptied once they are committed.
//! PostgreSQL has no journal: its marks lock only their own rows and commit in a
//! millisecond, and a replica may be restarted on another machine.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::files::PRIVATE_FILE;

/// The journal of a SQLite file `cnscd.db` is `cnscd.db-delivered-0` and `-1`, beside
/// SQLite's own `-wal` and `-shm`.
pub fn default_base(url: &str) -> Option<PathBuf> {
    let mut name = crate::files::sqlite_file(url)?.into_os_string();
    name.push("-delivered");
    Some(PathBuf::from(name))
}

/// The two files of a journal and which one takes appends.
#[derive(Debug)]
pub struct DeliveryJournal {
    paths: [PathBuf; 2],
    open: Mutex<Open>,
}

#[derive(Debug)]
struct Open {
    files: [File; 2],
    /// The file appends go to.
    current: usize,
    /// Bytes in each file.
    lengths: [u64; 2],
}

/// A file whose ids are being written to the outbox: emptied with [`DeliveryJournal::forget`]
/// once they are committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retired(usize);

impl DeliveryJournal {
    /// Opens (or creates, owner-only) the journal at `base`; what earlier runs wrote stays
    /// until [`DeliveryJournal::written`] is read and [`DeliveryJournal::clear`]ed.
    pub fn open(base: &Path) -> io::Result<DeliveryJournal> {
        let paths = [0, 1].map(|n| {
            let mut name = base.as_os_str().to_owned();
            name.push(format!("-{n}"));
            PathBuf::from(name)
        });
        let open = |path: &Path| {
            OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .mode(PRIVATE_FILE)
                .open(path)
        };
        let files = [open(&paths[0])?, open(&paths[1])?];
        let lengths = [files[0].metadata()?.len(), files[1].metadata()?.len()];
        Ok(DeliveryJournal {
            paths,
            open: Mutex::new(Open {
                files,
                current: 0,
                lengths,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // A panic while holding the lock leaves two open files behind: still usable.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that the outbox row `id` was delivered, then runs `then` before any rotation
    /// can happen: the caller hands the mark to the writer there, so that every id of a
    /// retired file is in the writer's hands when the file is retired.
    pub fn record(&self, id: i64, then: impl FnOnce()) -> io::Result<()> {
        let mut open = self.lock();
        let line = format!("{id}\n");
        let current = open.current;
        open.files[current].write_all(line.as_bytes())?;
        open.lengths[current] += line.len() as u64;
        then();
        Ok(())
    }

    /// Sends appends to the other file, if it is empty, and returns the one retired; `None`
    /// when the current file is empty or the other still waits to be forgotten.
    pub fn retire(&self) -> Option<Retired> {
        let mut open = self.lock();
        let (current, other) = (open.current, 1 - open.current);
        if open.lengths[current] == 0 || open.lengths[other] != 0 {
            return None;
        }
        open.current = other;
        Some(Retired(current))
    }

    /// Empties a retired file: its ids are in the outbox now.
    pub fn forget(&self, retired: Retired) -> io::Result<()> {
        let mut open = self.lock();
        open.files[retired.0].set_len(0)?;
        open.lengths[retired.0] = 0;
        Ok(())
    }

    /// Every id recorded and not forgotten, in both files. A line cut short by the process
    /// dying mid-write (or anything else unreadable) is skipped: its message is sent again.
    pub fn written(&self) -> io::Result<Vec<i64>> {
        let _open = self.lock();
        let mut ids = Vec::new();
        for path in &self.paths {
            let mut text = String::new();
            File::open(path)?.read_to_string(&mut text)?;
            // Only whole lines: what follows the last newline was cut short.
            let whole = text.rfind('\n').map_or("", |end| &text[..end]);
            ids.extend(
                whole
                    .split('\n')
                    .filter_map(|line| line.trim().parse::<i64>().ok()),
            );
        }
        Ok(ids)
    }

    /// Empties both files, once what [`DeliveryJournal::written`] returned is committed.
    pub fn clear(&self) -> io::Result<()> {
        let mut open = self.lock();
        // Which file takes appends is left as it is: a file retired before stays the one
        // to forget, and forgetting it can never empty the file taking appends.
        for n in 0..2 {
            open.files[n].set_len(0)?;
            open.lengths[n] = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(dir: &tempfile::TempDir) -> DeliveryJournal {
        DeliveryJournal::open(&dir.path().join("cnscd.db-delivered")).unwrap()
    }

    #[test]
    fn what_was_recorded_is_read_back_by_the_next_process() {
        let dir = tempfile::tempdir().unwrap();
        let first = journal(&dir);
        for id in [3, 4, 9] {
            first.record(id, || {}).unwrap();
        }
        // The process dies here: nothing closes or flushes the journal.
        std::mem::forget(first);

        let next = journal(&dir);
        assert_eq!(next.written().unwrap(), vec![3, 4, 9]);
        next.clear().unwrap();
        assert!(journal(&dir).written().unwrap().is_empty());
    }

    #[test]
    fn a_line_cut_short_by_the_kill_is_skipped_and_the_rest_read() {
        let dir = tempfile::tempdir().unwrap();
        let first = journal(&dir);
        first.record(17, || {}).unwrap();
        drop(first);
        let path = dir.path().join("cnscd.db-delivered-0");
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"18\n1x\n2").unwrap();

        let ids = journal(&dir).written().unwrap();

        // "2" may be the start of "21": only whole lines count, and "1x" is no id.
        assert_eq!(ids, vec![17, 18]);
    }

    #[test]
    fn a_retired_file_is_emptied_only_when_forgotten_and_appends_go_to_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let journal = journal(&dir);
        journal.record(1, || {}).unwrap();
        let retired = journal.retire().expect("the first file retires");
        journal.record(2, || {}).unwrap();
        assert_eq!(
            journal.retire(),
            None,
            "the retired file is not forgotten yet: appends stay where they are"
        );
        assert_eq!(journal.written().unwrap(), vec![1, 2]);

        journal.forget(retired).unwrap();

        assert_eq!(journal.written().unwrap(), vec![2]);
        assert!(journal.retire().is_some(), "now the second file retires");
    }

    #[test]
    fn an_empty_journal_retires_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(journal(&dir).retire(), None);
    }

    #[test]
    fn the_journal_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let _journal = journal(&dir);
        for n in 0..2 {
            let path = dir.path().join(format!("cnscd.db-delivered-{n}"));
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, PRIVATE_FILE);
        }
    }
}
