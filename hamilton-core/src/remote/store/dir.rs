//! The result store in a directory every machine mounts (NFS, a shared disk).

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{BlobKey, ResultStore, StoreError, check_run};

/// A [`ResultStore`] in a directory: a blob is the file `<dir>/<run>/<key>`, written to a
/// temporary file in the run's directory and renamed into place, so that a reader never sees
/// part of it. Blobs are not synced to the disk: they live as long as their run, which a machine
/// crash ends anyway, and a blob damaged by one is found when read (its hash is checked), never
/// used. For workers on other machines, the directory must be one they all mount at the same
/// path (a network file system whose renames are atomic, as NFS's are).
///
/// ```
/// use hamilton_core::remote::{BlobKey, DirStore, ResultStore};
/// let dir = std::env::temp_dir().join(format!("hamilton-doc-dir-{}", std::process::id()));
/// let store = DirStore::new(&dir)?;
/// let key = store.put("run-1", b"payload")?;
/// assert_eq!(key, BlobKey::of(b"payload"));
/// assert!(dir.join("run-1").join(key.to_string()).is_file());
/// assert_eq!(store.get("run-1", &key)?, b"payload");
/// assert_eq!(store.describe(), format!("directory `{}`", dir.display()));
/// store.remove_run("run-1")?;
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), hamilton_core::remote::StoreError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DirStore {
    dir: PathBuf,
}

/// A name no other writer (thread or process) of the directory uses at the same time.
fn temp_name(key: &BlobKey) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        ".{key}.{nanos:x}-{:x}-{:x}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl DirStore {
    /// The store in `dir`, created if needed. A directory that cannot be created or written is
    /// an error naming it.
    ///
    /// ```
    /// use hamilton_core::remote::DirStore;
    /// let dir = std::env::temp_dir().join(format!("hamilton-doc-new-{}", std::process::id()));
    /// let store = DirStore::new(dir.join("results"))?;
    /// assert_eq!(store.dir(), dir.join("results"));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), hamilton_core::remote::StoreError>(())
    /// ```
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let store = Self { dir: dir.into() };
        fs::create_dir_all(&store.dir).map_err(|e| store.io(&store.dir, e))?;
        let probe = store.dir.join(format!(".probe{}", temp_name(&BlobKey(0))));
        fs::write(&probe, b"").map_err(|e| store.io(&probe, e))?;
        let _ = fs::remove_file(&probe);
        Ok(store)
    }

    /// The directory.
    ///
    /// ```
    /// use hamilton_core::remote::DirStore;
    /// let dir = std::env::temp_dir().join(format!("hamilton-doc-dir-of-{}", std::process::id()));
    /// assert_eq!(DirStore::new(&dir)?.dir(), dir);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), hamilton_core::remote::StoreError>(())
    /// ```
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn io(&self, path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            store: self.describe(),
            path: path.to_path_buf(),
            source,
        }
    }

    fn run_dir(&self, run: &str) -> Result<PathBuf, StoreError> {
        check_run(run)?;
        Ok(self.dir.join(run))
    }

    /// Writes `bytes` to `path` through a temporary file in `run_dir`.
    fn write_atomically(
        &self,
        run_dir: &Path,
        path: &Path,
        key: &BlobKey,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let tmp = run_dir.join(temp_name(key));
        let written = (|| {
            let mut file = fs::File::create_new(&tmp).map_err(|e| self.io(&tmp, e))?;
            file.write_all(bytes).map_err(|e| self.io(&tmp, e))?;
            drop(file);
            fs::rename(&tmp, path).map_err(|e| self.io(path, e))
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// When a run last changed: the newest modification time of its files (its directory's,
    /// when it has none).
    fn last_change(run_dir: &Path) -> std::io::Result<SystemTime> {
        let mut newest: Option<SystemTime> = None;
        for entry in fs::read_dir(run_dir)? {
            let Ok(modified) = entry.and_then(|e| e.metadata()).and_then(|m| m.modified()) else {
                continue;
            };
            newest = Some(newest.map_or(modified, |n| n.max(modified)));
        }
        match newest {
            Some(newest) => Ok(newest),
            None => fs::metadata(run_dir)?.modified(),
        }
    }
}

impl ResultStore for DirStore {
    fn put(&self, run: &str, bytes: &[u8]) -> Result<BlobKey, StoreError> {
        let run_dir = self.run_dir(run)?;
        let key = BlobKey::of(bytes);
        let path = run_dir.join(key.to_string());
        // The same bytes already there: kept (a damaged copy is found by `get`).
        if fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
            return Ok(key);
        }
        fs::create_dir_all(&run_dir).map_err(|e| self.io(&run_dir, e))?;
        self.write_atomically(&run_dir, &path, &key, bytes)?;
        Ok(key)
    }

    fn get(&self, run: &str, key: &BlobKey) -> Result<Vec<u8>, StoreError> {
        let path = self.run_dir(run)?.join(key.to_string());
        let missing = || StoreError::Missing {
            store: self.describe(),
            run: run.to_string(),
            key: *key,
        };
        // Only a regular file is opened: a FIFO would wait for a writer forever.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(missing()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
            Err(e) => return Err(self.io(&path, e)),
        }
        let mut bytes = Vec::new();
        match fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
            Err(e) => return Err(self.io(&path, e)),
        }
        let found = BlobKey::of(&bytes);
        if found != *key {
            return Err(StoreError::Corrupt {
                store: self.describe(),
                run: run.to_string(),
                key: *key,
                expected: *key,
                found,
            });
        }
        Ok(bytes)
    }

    fn remove_run(&self, run: &str) -> Result<(), StoreError> {
        let run_dir = self.run_dir(run)?;
        match fs::remove_dir_all(&run_dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io(&run_dir, e)),
        }
    }

    fn sweep(&self, older_than: Duration) -> Result<usize, StoreError> {
        let cutoff = SystemTime::now()
            .checked_sub(older_than)
            .unwrap_or(UNIX_EPOCH);
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir).map_err(|e| self.io(&self.dir, e))? {
            let entry = entry.map_err(|e| self.io(&self.dir, e))?;
            let name = entry.file_name();
            // Only the directories of runs: nothing else in the directory is the store's.
            let Some(run) = name.to_str().filter(|n| check_run(n).is_ok()) else {
                continue;
            };
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let run_dir = entry.path();
            let last_change = match Self::last_change(&run_dir) {
                Ok(t) => t,
                // Removed meanwhile (by its driver, or another sweep).
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(self.io(&run_dir, e)),
            };
            if last_change < cutoff {
                self.remove_run(run)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn describe(&self) -> String {
        format!("directory `{}`", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::store::contract;

    fn store() -> (tempfile::TempDir, DirStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path().join("results")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_blob_reads_back_as_it_was_put() {
        contract::round_trip(&store().1);
    }

    #[test]
    fn putting_the_same_bytes_twice_gives_the_same_key() {
        contract::same_bytes_twice(&store().1);
    }

    #[test]
    fn a_blob_never_put_is_missing() {
        contract::missing(&store().1);
    }

    #[test]
    fn removing_a_run_removes_its_blobs_only() {
        contract::remove_run(&store().1);
    }

    #[test]
    fn invalid_run_names_are_refused_by_every_call() {
        contract::invalid_runs(&store().1);
    }

    #[test]
    fn a_blob_is_the_file_run_slash_key() {
        let (_tmp, store) = store();
        let key = store.put("r1", b"bytes").unwrap();
        let path = store.dir().join("r1").join(key.to_string());
        assert_eq!(fs::read(path).unwrap(), b"bytes");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(store.dir().join("r1")).unwrap().count(), 1);
    }

    #[test]
    fn a_flipped_byte_in_the_file_is_corrupt() {
        let (_tmp, store) = store();
        let key = store.put("r1", b"some bytes").unwrap();
        let path = store.dir().join("r1").join(key.to_string());
        let mut bytes = fs::read(&path).unwrap();
        bytes[3] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let e = store.get("r1", &key).unwrap_err();
        let StoreError::Corrupt {
            expected, found, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*expected, key);
        assert_eq!(*found, BlobKey::of(&bytes));
        assert!(e.to_string().contains(&key.to_string()), "{e}");
    }

    #[test]
    fn a_leftover_temporary_file_is_never_read() {
        let (_tmp, store) = store();
        let bytes = b"the whole blob";
        let key = BlobKey::of(bytes);
        let run_dir = store.dir().join("r1");
        fs::create_dir_all(&run_dir).unwrap();
        // A writer that died mid-write leaves part of the blob under a temporary name.
        fs::write(run_dir.join(temp_name(&key)), &bytes[..5]).unwrap();
        assert!(matches!(
            store.get("r1", &key),
            Err(StoreError::Missing { .. })
        ));
        assert_eq!(store.put("r1", bytes).unwrap(), key);
        assert_eq!(store.get("r1", &key).unwrap(), bytes);
    }

    #[test]
    fn something_else_at_a_blobs_path_is_missing_not_read() {
        let (_tmp, store) = store();
        let key = BlobKey::of(b"x");
        fs::create_dir_all(store.dir().join("r1").join(key.to_string())).unwrap();
        assert!(matches!(
            store.get("r1", &key),
            Err(StoreError::Missing { .. })
        ));
    }

    fn age(path: &Path, by: Duration) {
        let when = SystemTime::now() - by;
        for entry in fs::read_dir(path).unwrap() {
            let file = fs::File::options()
                .write(true)
                .open(entry.unwrap().path())
                .unwrap();
            file.set_modified(when).unwrap();
        }
    }

    #[test]
    fn sweep_removes_only_the_runs_not_written_for_longer_than_the_age() {
        let (_tmp, store) = store();
        let hour = Duration::from_secs(3600);
        store.put("old", b"a").unwrap();
        store.put("old", b"b").unwrap();
        store.put("new", b"a").unwrap();
        store.put("half", b"a").unwrap();
        store.put("half", b"b").unwrap();
        age(&store.dir().join("old"), 3 * hour);
        age(&store.dir().join("half"), 3 * hour);
        // One recent blob keeps its run.
        store.put("half", b"c").unwrap();
        fs::write(store.dir().join("not-a-run.txt"), b"kept").unwrap();
        assert_eq!(store.sweep(hour).unwrap(), 1);
        assert!(!store.dir().join("old").exists());
        assert!(store.get("new", &BlobKey::of(b"a")).is_ok());
        assert!(store.get("half", &BlobKey::of(b"a")).is_ok());
        assert!(store.dir().join("not-a-run.txt").exists());
        assert_eq!(store.sweep(hour).unwrap(), 0);
    }

    #[test]
    fn a_directory_that_cannot_be_created_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        fs::write(&file, b"").unwrap();
        let e = DirStore::new(file.join("results")).unwrap_err();
        assert!(matches!(e, StoreError::Io { .. }), "{e:?}");
        assert!(e.to_string().contains("a-file"), "{e}");
    }
}
