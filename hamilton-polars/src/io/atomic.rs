//! Atomic file writes: a temporary file in the destination's directory (or, for writers that
//! open their own file, a file in a temporary directory there), renamed over the destination
//! once complete, removed on any failure.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
///
/// The temporary path is in a temporary directory of its own, removed with whatever it holds
/// on failure: a writer whose tasks still run after it returned an error (a streaming sink
/// opens its file from another thread) can then create nothing that outlives the failure.
pub(super) fn write_atomic_at(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), WriteError>,
) -> Result<u64, WriteError> {
    let (dir, file_name) = destination(path)?;
    let temp_dir = temporary_path(&dir, &file_name);
    fs::create_dir(&temp_dir).map_err(|e| {
        format!(
            "cannot create a temporary directory in `{}`: {e}",
            dir.display()
        )
    })?;
    let temp = temp_dir.join(&file_name);
    let written = write(&temp)
        .and_then(|()| Ok(File::open(&temp)?.sync_all()?))
        .and_then(|()| Ok(fs::rename(&temp, path)?));
    if written.is_err() {
        // Moved first, so that a file the writer creates by its path from now on has no
        // directory to go in, and one it created already goes with the directory.
        let trash = fresh_name(&dir, &file_name);
        let removed = if fs::rename(&temp_dir, &trash).is_ok() {
            trash
        } else {
            temp_dir
        };
        let _ = fs::remove_dir_all(removed);
    } else {
        let _ = fs::remove_dir(&temp_dir);
    }
    finish(path, &dir, &temp, written)
}

/// Checks `path`'s directory and creates a new temporary file beside it: the directory, the
/// temporary file's path, and the file.
fn reserve(path: &Path) -> Result<(PathBuf, PathBuf, File), WriteError> {
    let (dir, file_name) = destination(path)?;
    let temp = temporary_path(&dir, &file_name);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| format!("cannot create a temporary file in `{}`: {e}", dir.display()))?;
    Ok((dir, temp, file))
}

/// A new temporary name beside `file_name` in `dir`, hidden, naming this process. The first
/// time a process writes a destination, the temporaries that dead processes left for it are
/// removed, so that writes killed midway do not pile up (and a directory of many files is
/// not read again on every save).
fn temporary_path(dir: &Path, file_name: &OsStr) -> PathBuf {
    static SWEPT: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let first = SWEPT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(dir.join(file_name));
    if first {
        remove_left_by_dead_processes(dir, &temporary_prefix(file_name));
    }
    fresh_name(dir, file_name)
}

/// What the temporaries of `file_name` are named with first: `.{file_name}.`.
fn temporary_prefix(file_name: &OsStr) -> String {
    format!(".{}.", file_name.to_string_lossy())
}

/// A name for a temporary of `file_name` in `dir` that no other write uses:
/// `.{file_name}.{pid}-{n}.tmp`.
fn fresh_name(dir: &Path, file_name: &OsStr) -> PathBuf {
    dir.join(format!(
        "{}{}-{}.tmp",
        temporary_prefix(file_name),
        std::process::id(),
        next_id()
    ))
}

/// Removes the entries of `dir` named `{prefix}{pid}-{n}.tmp` whose process is known to have
/// ended (where the platform lists its processes under `/proc`; elsewhere none is removed).
fn remove_left_by_dead_processes(dir: &Path, prefix: &str) {
    let procs = Path::new("/proc/self");
    if !procs.exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.split_once('-'))
            .filter(|(_, n)| n.parse::<u64>().is_ok())
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
    }
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
    fn a_failed_write_at_a_path_leaves_nothing_even_if_its_writer_creates_the_file_late() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        fs::write(&path, "old").unwrap();
        let mut given = None;
        let err = write_atomic_at(&path, |temp| {
            fs::write(temp, "half")?;
            given = Some(temp.to_path_buf());
            Err(io::Error::other("sink failed").into())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "sink failed");
        // A task of the writer that outlived its error creates the file again: it cannot.
        assert!(fs::write(given.unwrap(), "late").is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["out.parquet"]);
    }

    #[test]
    fn a_complete_write_at_a_path_replaces_the_file_and_leaves_no_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        let bytes = write_atomic_at(&path, |temp| Ok(fs::write(temp, "new!")?)).unwrap();
        assert_eq!(bytes, 4);
        assert_eq!(fs::read_to_string(&path).unwrap(), "new!");
        assert_eq!(entries(dir.path()), ["out.parquet"]);
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        // No process has pid 4294967295; this process is alive.
        let dead_file = dir.path().join(".out.txt.4294967295-0.tmp");
        let dead_dir = dir.path().join(".out.txt.4294967295-1.tmp");
        let live = dir
            .path()
            .join(format!(".out.txt.{}-999.tmp", std::process::id()));
        let other = dir.path().join(".other.txt.4294967295-0.tmp");
        fs::write(&dead_file, "x").unwrap();
        fs::create_dir(&dead_dir).unwrap();
        fs::write(dead_dir.join("out.txt"), "x").unwrap();
        fs::write(&live, "x").unwrap();
        fs::write(&other, "x").unwrap();
        write_atomic(&path, |w| Ok(w.write_all(b"new")?)).unwrap();
        let mut expected = vec![
            ".other.txt.4294967295-0.tmp".to_string(),
            live.file_name().unwrap().to_string_lossy().into_owned(),
            "out.txt".to_string(),
        ];
        if !Path::new("/proc/self").exists() {
            expected.extend([
                ".out.txt.4294967295-0.tmp".to_string(),
                ".out.txt.4294967295-1.tmp".to_string(),
            ]);
        }
        expected.sort();
        assert_eq!(entries(dir.path()), expected);
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
