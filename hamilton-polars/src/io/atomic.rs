//! Atomic file writes: a temporary file in the destination's directory, renamed over the
//! destination once complete, removed on any failure.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The error of one atomic write.
pub(super) type WriteError = Box<dyn std::error::Error + Send + Sync>;

/// Writes `path` with `write`, atomically: readers see the old file or the complete new one,
/// never a part. Returns the size of the written file.
pub(super) fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&mut File>) -> Result<(), WriteError>,
) -> Result<u64, WriteError> {
    let (dir, temp, mut file) = reserve(path)?;
    let written = fill(&mut file, write).and_then(|()| Ok(fs::rename(&temp, path)?));
    finish(path, &dir, &temp, written)
}

/// Writes `path` atomically through `write`, which is given a temporary path in the same
/// directory to write the whole file at (for writers that open their own file, such as Polars'
/// streaming sinks). Returns the size of the written file.
pub(super) fn write_atomic_at(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), WriteError>,
) -> Result<u64, WriteError> {
    let (dir, temp, file) = reserve(path)?;
    drop(file);
    let written = write(&temp)
        .and_then(|()| Ok(File::open(&temp)?.sync_all()?))
        .and_then(|()| Ok(fs::rename(&temp, path)?));
    finish(path, &dir, &temp, written)
}

/// Checks `path`'s directory and creates a new temporary file beside it: the directory, the
/// temporary file's path, and the file.
fn reserve(path: &Path) -> Result<(PathBuf, PathBuf, File), WriteError> {
    let (dir, file_name) = destination(path)?;
    let temp = dir.join(format!(
        ".{}.{}-{}.tmp",
        file_name.to_string_lossy(),
        std::process::id(),
        next_id()
    ));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| format!("cannot create a temporary file in `{}`: {e}", dir.display()))?;
    Ok((dir, temp, file))
}

/// After a write: on failure the temporary file is removed (it is ours and must not outlive
/// the failure); on success the rename is made durable and the file's size returned.
fn finish(
    path: &Path,
    dir: &Path,
    temp: &Path,
    written: Result<(), WriteError>,
) -> Result<u64, WriteError> {
    if let Err(e) = written {
        let _ = fs::remove_file(temp);
        return Err(e);
    }
    // Make the rename durable where the platform allows syncing a directory.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(fs::metadata(path)?.len())
}

/// The directory and file name of a destination, checked.
fn destination(path: &Path) -> Result<(PathBuf, std::ffi::OsString), WriteError> {
    if path.is_dir() {
        return Err(format!("`{}` is a directory; give a file path", path.display()).into());
    }
    let Some(file_name) = path.file_name() else {
        return Err(format!("`{}` names no file; give a file path", path.display()).into());
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "directory `{}` does not exist; create it first",
            dir.display()
        )
        .into());
    }
    Ok((dir, file_name.to_os_string()))
}

/// Writes the temporary file through a buffer and flushes it to disk.
fn fill(
    file: &mut File,
    write: impl FnOnce(&mut BufWriter<&mut File>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let mut buffered = BufWriter::new(&mut *file);
    write(&mut buffered)?;
    buffered.flush()?;
    drop(buffered);
    file.sync_all()?;
    Ok(())
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_complete_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        let bytes = write_atomic(&path, |w| Ok(w.write_all(b"new!")?)).unwrap();
        assert_eq!(bytes, 4);
        assert_eq!(fs::read_to_string(&path).unwrap(), "new!");
        assert_eq!(entries(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk on fire").into())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("out.txt");
        let err = write_atomic(&path, |_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("nope` does not exist"), "{err}");
    }

    #[test]
    fn a_directory_as_destination_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a directory"), "{err}");
        assert!(entries(dir.path()).is_empty());
    }
}
