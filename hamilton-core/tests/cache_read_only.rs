//! A populated cache that cannot be written (a read-only mount, or opened read-only) still
//! serves its stored results, stores nothing new, and says so once.
#![cfg(feature = "cache")]

use std::path::{Path, PathBuf};
use std::process::Command;

use hamilton_core::cache::{CacheOptions, CacheRun};
use hamilton_core::{Driver, Inputs};

const CHILD_DIR: &str = "HAMILTON_CACHE_READ_ONLY_CHILD_DIR";

#[path = "common/squares.rs"]
mod squares;

use squares::{Calls, driver};

fn check(dr: &Driver, x: i64) -> CacheRun {
    let out = dr
        .execute(&["total", "sq"], Inputs::new().set("x", x))
        .unwrap();
    let expected: f64 = (0..x).map(|i| (i * i) as f64).sum();
    assert_eq!(out.get::<f64>("total").unwrap(), &expected);
    dr.cache().unwrap().last_run().unwrap()
}

fn all_notes(run: &CacheRun) -> String {
    run.nodes
        .iter()
        .filter_map(|e| e.note.clone())
        .chain(run.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file under `dir` with its content, but SQLite's WAL files (a reader of a database in
/// WAL mode shares its index through them).
fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                walk(&p, out);
            } else if !name.ends_with("-shm") && !name.ends_with("-wal") {
                let content = std::fs::read(&p).unwrap();
                out.push((p, content));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// A cache in `dir` holding the results for `x = 5`.
fn populate(dir: &Path) {
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir), &calls);
    check(&dr, 5);
    assert_eq!(check(&dr, 5).hits().len(), 2);
}

/// Checks a driver on a cache that cannot be written: hits for what is stored, the note said
/// once (in `expect`), new results computed each time and never stored.
fn serves_without_storing(dr: &Driver, calls: &Calls, expect: &str) {
    let run = check(dr, 5);
    assert_eq!(run.hits().len(), 2, "{run}");
    assert_eq!(*calls.lock().unwrap(), 0);
    let notes = all_notes(&run);
    assert!(notes.contains(expect), "{notes}");
    assert!(notes.contains("nothing new will be stored"), "{notes}");
    assert_eq!(notes.lines().count(), 1, "{notes}");
    for _ in 0..2 {
        let run = check(dr, 6);
        assert!(run.hits().is_empty(), "{run}");
        assert!(all_notes(&run).is_empty(), "said once: {}", all_notes(&run));
    }
    assert_eq!(
        *calls.lock().unwrap(),
        2,
        "computed each time, never stored"
    );
    assert_eq!(check(dr, 5).hits().len(), 2);
}

/// The work of the child process of the read-only mount test (does nothing on its own).
#[test]
fn child_on_a_read_only_mount() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let probe = std::fs::write(dir.join("probe"), b"");
    assert!(probe.is_err(), "the mount is not read-only");
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(&dir), &calls);
    serves_without_storing(&dr, &calls, "cannot be written");
}

#[cfg(target_os = "linux")]
#[test]
fn a_populated_cache_on_a_read_only_mount_serves_hits_and_says_once_that_nothing_is_stored() {
    // A private mount namespace: the read-only bind mount is seen by the child alone.
    let usable = Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        eprintln!("skipped: no mount namespaces here (`unshare -m` failed)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let before = listing(dir.path());
    let out = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@""#,
            "sh",
        ])
        .arg(dir.path())
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_on_a_read_only_mount",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn a_cache_opened_read_only_serves_hits_stores_nothing_and_refuses_to_clear() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let runs = {
        let dr = driver(CacheOptions::new(dir.path()), &Calls::default());
        dr.cache().unwrap().run_ids().unwrap()
    };
    let before = listing(dir.path());
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()).read_only(true), &calls);
    serves_without_storing(&dr, &calls, "opened read-only");
    let cache = dr.cache().unwrap();
    assert_eq!(cache.run_ids().unwrap(), runs, "no history written");
    let err = cache.clear().unwrap_err().to_string();
    assert!(err.contains("read-only"), "{err}");
    assert!(cache.clear_node("sq").is_err());
    assert_eq!(listing(dir.path()), before);
}
