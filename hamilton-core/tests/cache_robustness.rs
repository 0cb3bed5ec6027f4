//! Result caching when things go wrong: damaged or missing result files, a locked, corrupt or
//! truncated metadata database, faulty formats, and two processes sharing one cache. Every run
//! must return the right values; the damage shows in the run's notes.
#![cfg(feature = "cache")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hamilton_core::cache::{CacheOptions, CacheRun, CacheStatus, CacheType};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

#[path = "common/squares.rs"]
mod squares;

use squares::{Calls, driver};

fn expected(x: i64) -> f64 {
    (0..x).map(|i| (i * i) as f64).sum()
}

/// Runs `total` for `x`, checks the value, returns the cache's record of the run.
fn check(dr: &Driver, x: i64) -> CacheRun {
    let out = dr
        .execute(&["total", "sq"], Inputs::new().set("x", x))
        .unwrap();
    assert_eq!(out.get::<f64>("total").unwrap(), &expected(x));
    assert_eq!(out.get::<Vec<f64>>("sq").unwrap().len() as i64, x);
    dr.cache().unwrap().last_run().unwrap()
}

fn result_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&dir.join("results"), &mut out);
    out.sort();
    out
}

fn all_notes(run: &CacheRun) -> String {
    run.nodes
        .iter()
        .filter_map(|e| e.note.clone())
        .chain(run.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Damages every result file with `damage`, then checks that the next run recomputes, reports
/// what it found, and that the run after it hits again.
fn recovers_from(damage: impl Fn(&Path), expect_in_note: &str) {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    check(&dr, 1000);
    let files = result_files(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        damage(f);
    }
    let run = check(&dr, 1000);
    assert_eq!(*calls.lock().unwrap(), 2);
    assert_eq!(run.status("sq"), Some(CacheStatus::Miss));
    let notes = all_notes(&run);
    assert!(notes.contains("recovered"), "{notes}");
    assert!(notes.contains(expect_in_note), "{notes}");
    // Written afresh: the next run hits.
    let run = check(&dr, 1000);
    assert_eq!(run.hits().len(), 2, "{run}");
}

#[test]
fn a_truncated_result_file_is_recomputed() {
    recovers_from(
        |f| {
            let len = std::fs::metadata(f).unwrap().len();
            let file = std::fs::OpenOptions::new().write(true).open(f).unwrap();
            file.set_len(len / 2).unwrap();
        },
        "truncated",
    );
}

#[test]
fn a_corrupt_result_file_is_recomputed() {
    recovers_from(
        |f| {
            let mut bytes = std::fs::read(f).unwrap();
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
            std::fs::write(f, bytes).unwrap();
        },
        "checksum",
    );
}

#[test]
fn a_missing_result_file_is_recomputed() {
    recovers_from(|f| std::fs::remove_file(f).unwrap(), "missing");
}

#[test]
fn a_result_file_swapped_for_another_is_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    check(&dr, 10);
    let first = result_files(dir.path());
    check(&dr, 20);
    let all = result_files(dir.path());
    // Copy a result of x = 20 over the same node's result of x = 10: same type and format, a
    // valid checksum, but another value.
    let sq10 = first
        .iter()
        .find(|f| std::fs::metadata(f).unwrap().len() > 60)
        .unwrap();
    let sq20 = all
        .iter()
        .filter(|f| !first.contains(f))
        .find(|f| std::fs::metadata(f).unwrap().len() > 60)
        .unwrap();
    std::fs::copy(sq20, sq10).unwrap();
    let run = check(&dr, 10);
    assert!(all_notes(&run).contains("data version"), "{run}");
}

#[test]
fn a_garbage_database_is_set_aside_and_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    check(&driver(CacheOptions::new(dir.path()), &calls), 100);
    let db = dir.path().join("cache.sqlite");
    // Checkpoint-free garbage: replace the database and drop its WAL files.
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("cache.sqlite{ext}")));
    }
    std::fs::write(&db, vec![0x42; 16384]).unwrap();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    let run = check(&dr, 100);
    let notes = all_notes(&run);
    assert!(notes.contains("set aside"), "{notes}");
    assert_eq!(run.status("sq"), Some(CacheStatus::Miss));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("corrupt"))
    );
    assert_eq!(check(&dr, 100).hits().len(), 2);
}

#[test]
fn a_truncated_database_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    {
        let dr = driver(CacheOptions::new(dir.path()), &calls);
        for x in 0..40 {
            check(&dr, x);
        }
    }
    // Fold the WAL into the database, then cut the database in half.
    let db = dir.path().join("cache.sqlite");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    for x in 0..40 {
        check(&dr, x);
    }
    for x in 0..40 {
        check(&dr, x);
    }
}

#[test]
fn a_database_corrupted_under_a_running_driver_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    for x in 0..20 {
        check(&dr, x);
    }
    let db = dir.path().join("cache.sqlite");
    let len = std::fs::metadata(&db).unwrap().len() as usize;
    std::fs::write(&db, vec![0x17; len.max(8192)]).unwrap();
    for ext in ["-wal", "-shm"] {
        let p = dir.path().join(format!("cache.sqlite{ext}"));
        if p.exists() {
            let n = std::fs::metadata(&p).unwrap().len() as usize;
            std::fs::write(&p, vec![0x17; n]).unwrap();
        }
    }
    for x in 0..20 {
        check(&dr, x);
    }
    for x in 20..25 {
        check(&dr, x);
    }
    assert!(check(&dr, 24).hits().len() == 2);
}

#[test]
fn a_locked_database_makes_misses_not_failures() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let options = || CacheOptions::new(dir.path()).lock_timeout(Duration::from_millis(50));
    check(&driver(options(), &calls), 5);

    // Another process holds the write lock: lookups still work, writes wait and give up.
    let locker = rusqlite::Connection::open(dir.path().join("cache.sqlite")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let dr = driver(options(), &calls);
    assert_eq!(check(&dr, 5).hits().len(), 2);
    let run = check(&dr, 6);
    let notes = all_notes(&run);
    assert!(
        notes.contains("locked") || notes.contains("busy"),
        "{notes}"
    );
    assert!(run.hits().is_empty());
    locker.execute_batch("COMMIT;").unwrap();
    drop(dr);

    // A lock that keeps out readers too.
    locker
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .unwrap();
    let dr = driver(options(), &calls);
    let run = check(&dr, 5);
    assert!(run.hits().is_empty(), "{run}");
    drop(locker);

    // Lock released: back to normal.
    let dr = driver(options(), &calls);
    assert_eq!(check(&dr, 5).hits().len(), 2);
    check(&dr, 6);
    assert_eq!(check(&dr, 6).hits().len(), 2);
}

#[derive(Clone, Debug, PartialEq)]
struct Fragile(i64);

/// A driver with one node, `fragile = Fragile(x)` (counting its runs in `ran`), its type known
/// to the cache in `dir` as `t`.
fn fragile_driver(dir: &Path, ran: &Arc<Mutex<usize>>, t: CacheType) -> Driver {
    let ran = ran.clone();
    Driver::builder()
        .with_nodes([Node::builder("fragile")
            .code_version(1)
            .param::<i64>("x")
            .build(move |a: &Args| {
                *ran.lock().unwrap() += 1;
                Ok(Fragile(*a.get::<i64>(0)?))
            })])
        .with_cache(CacheOptions::new(dir).with_type(t))
        .build()
        .unwrap()
}

#[test]
fn faulty_formats_and_fingerprints_never_fail_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let ran = Arc::new(Mutex::new(0));
    let build = |t: CacheType| fragile_driver(dir.path(), &ran, t);
    let fingerprint =
        |f: &Fragile, out: &mut hamilton_core::cache::Fingerprinter| out.write_value(&f.0);
    // Stored fine, but reading it back fails.
    let bad_decode = || {
        CacheType::fingerprint_with(fingerprint).with_format(
            "fragile",
            |f: &Fragile| Ok(f.0.to_le_bytes().to_vec()),
            |_: &[u8]| Err("cannot read this".into()),
        )
    };
    for round in 0..2 {
        let dr = build(bad_decode());
        let out = dr
            .execute(&["fragile"], Inputs::new().set("x", 3_i64))
            .unwrap();
        assert_eq!(out.get::<Fragile>("fragile").unwrap(), &Fragile(3));
        let notes = all_notes(&dr.cache().unwrap().last_run().unwrap());
        assert_eq!(
            notes.contains("could not be decoded"),
            round == 1,
            "{notes}"
        );
    }
    // Encoding and fingerprinting that panic.
    let panicky = CacheType::fingerprint_with(|_: &Fragile, _| panic!("fingerprint bug"))
        .with_format(
            "fragile2",
            |_: &Fragile| panic!("encode bug"),
            |_: &[u8]| Ok(Fragile(0)),
        );
    let dr = build(panicky);
    let out = dr
        .execute(&["fragile"], Inputs::new().set("x", 4_i64))
        .unwrap();
    assert_eq!(out.get::<Fragile>("fragile").unwrap(), &Fragile(4));
    let notes = all_notes(&dr.cache().unwrap().last_run().unwrap());
    assert!(notes.contains("fingerprint bug"), "{notes}");
    // An encoder that writes part of its payload and then panics: not stored, no partial file.
    let half_written = CacheType::fingerprint_with(fingerprint).with_mapped_format(
        "fragile3",
        |_: &Fragile, out: &mut dyn std::io::Write| {
            out.write_all(&[7; 100_000])?;
            panic!("encode bug")
        },
        |_: &std::fs::File| Err(std::io::Error::other("never read")),
        |_: hamilton_core::cache::StoredPayload| Ok(Fragile(0)),
    );
    let dr = build(half_written);
    let out = dr
        .execute(&["fragile"], Inputs::new().set("x", 5_i64))
        .unwrap();
    assert_eq!(out.get::<Fragile>("fragile").unwrap(), &Fragile(5));
    let notes = all_notes(&dr.cache().unwrap().last_run().unwrap());
    assert!(notes.contains("encode bug"), "{notes}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("tmp")).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(
        result_files(dir.path())
            .iter()
            .all(|f| f.extension().unwrap() != "fragile3")
    );
    assert_eq!(*ran.lock().unwrap(), 4);
}

/// What tells a file from one written anew in its place: its inode (Unix) and modification time.
fn identity(path: &Path) -> (std::time::SystemTime, u64) {
    let meta = std::fs::metadata(path).unwrap();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    (meta.modified().unwrap(), inode)
}

#[test]
fn mapped_formats_get_an_aligned_payload_and_a_failed_mapping_is_a_miss_that_keeps_the_file() {
    use hamilton_core::cache::{SharedBytes, StoredPayload};
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let ran = Arc::new(Mutex::new(0));
    let build = |map: fn(&std::fs::File) -> std::io::Result<SharedBytes>| {
        let t = CacheType::fingerprint_with(|f: &Fragile, out| out.write_value(&f.0))
            .with_mapped_format(
                "mapped",
                |f: &Fragile, out: &mut dyn std::io::Write| Ok(out.write_all(&f.0.to_le_bytes())?),
                map,
                |p: StoredPayload| {
                    assert_eq!(p.range().start % 64, 0, "payload not aligned");
                    Ok(Fragile(i64::from_le_bytes(p.as_bytes().try_into()?)))
                },
            );
        fragile_driver(dir.path(), &ran, t)
    };
    let read: fn(&std::fs::File) -> std::io::Result<SharedBytes> = |mut file| {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(Arc::new(bytes))
    };
    let failing: fn(&std::fs::File) -> std::io::Result<SharedBytes> =
        |_| Err(std::io::Error::other("no mapping today"));
    let panicking: fn(&std::fs::File) -> std::io::Result<SharedBytes> = |_| panic!("mapping bug");
    let run = |dr: &Driver| {
        let out = dr
            .execute(&["fragile"], Inputs::new().set("x", 7_i64))
            .unwrap();
        assert_eq!(out.get::<Fragile>("fragile").unwrap(), &Fragile(7));
        dr.cache().unwrap().last_run().unwrap()
    };
    run(&build(read));
    assert_eq!(run(&build(read)).hits(), ["fragile"]);
    assert_eq!(*ran.lock().unwrap(), 1);
    let files = result_files(dir.path());
    assert_eq!(files.len(), 1);
    let written = identity(&files[0]);
    for (map, expected) in [(failing, "no mapping today"), (panicking, "mapping bug")] {
        let record = run(&build(map));
        assert_eq!(
            record.status("fragile"),
            Some(CacheStatus::Miss),
            "{record}"
        );
        let notes = all_notes(&record);
        assert!(notes.contains(expected), "{notes}");
    }
    assert_eq!(*ran.lock().unwrap(), 3);
    // A file that could not be mapped is not damaged: it is kept as written, and hits again.
    assert_eq!(identity(&files[0]), written);
    assert_eq!(run(&build(read)).hits(), ["fragile"]);
    assert_eq!(*ran.lock().unwrap(), 3);
}

const CHILD_DIR: &str = "HAMILTON_CACHE_TEST_CHILD_DIR";
const CHILD_ORDER: &str = "HAMILTON_CACHE_TEST_CHILD_ORDER";

/// The work of one child process of `two_processes_share_one_cache` (does nothing on its own).
#[test]
fn child_process_work() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let reverse = std::env::var(CHILD_ORDER).is_ok_and(|o| o == "reverse");
    let calls = Calls::default();
    let slow = Driver::builder()
        .with_nodes((0..8).map(|i| {
            Node::builder(format!("n{i}"))
                .code_version(1)
                .param::<i64>("x")
                .build(move |a: &Args| {
                    std::thread::sleep(Duration::from_millis(3));
                    Ok(vec![*a.get::<i64>(0)? + i; 1000])
                })
        }))
        .with_cache(CacheOptions::new(&dir))
        .build()
        .unwrap();
    let dr = driver(CacheOptions::new(&dir), &calls);
    let mut xs: Vec<i64> = (0..30).collect();
    if reverse {
        xs.reverse();
    }
    for round in 0..2 {
        for &x in &xs {
            check(&dr, x);
            let names: Vec<String> = (0..8).map(|i| format!("n{i}")).collect();
            let out = slow.execute(&names, Inputs::new().set("x", x)).unwrap();
            for (i, n) in names.iter().enumerate() {
                assert_eq!(out.get::<Vec<i64>>(n).unwrap(), &vec![x + i as i64; 1000]);
            }
            if round == 1 && x % 7 == 0 {
                slow.cache().unwrap().clear_node("n3").unwrap();
            }
        }
    }
}

#[test]
fn two_processes_share_one_cache() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let spawn = |order: &str| {
        Command::new(&exe)
            .args([
                "--exact",
                "child_process_work",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_ORDER, order)
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn("forward"));
        let b = s.spawn(|| spawn("reverse"));
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "child failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
    }
    // Everything both wrote is readable and right.
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    for x in 0..30 {
        assert_eq!(check(&dr, x).hits().len(), 2);
    }
    assert_eq!(*calls.lock().unwrap(), 0);
    let ids = dr.cache().unwrap().run_ids().unwrap();
    assert!(ids.len() >= 2 * 2 * 2 * 30, "{}", ids.len());
}

/// Runs `f` on another thread, failing if it takes longer than `limit` (a hang).
fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still running after {limit:?}: hung"))
}

#[cfg(unix)]
#[test]
fn a_result_path_replaced_by_a_fifo_does_not_hang_the_run_and_is_recomputed() {
    within(Duration::from_secs(60), || {
        recovers_from(
            |f| {
                std::fs::remove_file(f).unwrap();
                let made = Command::new("mkfifo").arg(f).status().unwrap();
                assert!(made.success());
            },
            "a FIFO",
        );
    });
}

#[test]
fn a_result_path_replaced_by_a_directory_is_set_aside_and_recomputed() {
    recovers_from(
        |f| {
            std::fs::remove_file(f).unwrap();
            std::fs::create_dir(f).unwrap();
            std::fs::write(f.join("someone's file"), b"kept").unwrap();
        },
        "a directory",
    );
}

#[cfg(unix)]
#[test]
fn a_result_path_replaced_by_a_link_to_dev_null_is_recomputed() {
    recovers_from(
        |f| {
            std::fs::remove_file(f).unwrap();
            std::os::unix::fs::symlink("/dev/null", f).unwrap();
        },
        "a character device",
    );
    assert!(Path::new("/dev/null").exists());
}

/// Directories and devices found where a result file is to be written are not taken for the
/// result: set aside, the result written, the next run a hit, reported once.
#[cfg(unix)]
#[test]
fn a_directory_or_device_in_the_way_of_a_new_result_is_set_aside_once() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    check(&dr, 40);
    let files = result_files(dir.path());
    assert_eq!(files.len(), 2);
    dr.cache().unwrap().clear().unwrap();
    // Where the two results will be written again: a directory and a link to /dev/null.
    std::fs::create_dir_all(files[0].parent().unwrap()).unwrap();
    std::fs::create_dir(&files[0]).unwrap();
    std::fs::create_dir_all(files[1].parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/null", &files[1]).unwrap();
    let run = check(&dr, 40);
    let notes = all_notes(&run);
    assert!(notes.contains("was a directory"), "{notes}");
    assert!(notes.contains("was a character device"), "{notes}");
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    let run = check(&dr, 40);
    assert_eq!(run.hits().len(), 2, "{run}");
    assert!(all_notes(&run).is_empty(), "{}", all_notes(&run));
    assert!(files.iter().all(|f| f.is_file()));
}

#[test]
fn a_run_waits_for_a_locked_database_at_most_the_lock_timeout_in_all_not_per_call() {
    let dir = tempfile::tempdir().unwrap();
    let timeout = Duration::from_millis(400);
    let names: Vec<String> = (0..7).map(|i| format!("n{i}")).collect();
    let build = || {
        Driver::builder()
            .with_nodes((0..7).map(|i| {
                Node::builder(format!("n{i}"))
                    .code_version(1)
                    .param::<i64>("x")
                    .build(move |a: &Args| Ok(vec![(*a.get::<i64>(0)? + i) as f64]))
            }))
            .with_cache(CacheOptions::new(dir.path()).lock_timeout(timeout))
            .build()
            .unwrap()
    };
    let run = |dr: &Driver, x: i64| {
        let started = std::time::Instant::now();
        let out = dr.execute(&names, Inputs::new().set("x", x)).unwrap();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(
                out.get::<Vec<f64>>(n).unwrap(),
                &vec![(x + i as i64) as f64]
            );
        }
        (started.elapsed(), dr.cache().unwrap().last_run().unwrap())
    };
    run(&build(), 1);
    // Another process keeps everyone out of the database, readers too.
    let locker = rusqlite::Connection::open(dir.path().join("cache.sqlite")).unwrap();
    locker
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .unwrap();
    let dr = build();
    for x in [1, 2] {
        // 7 lookups, 7 writes and the history: 15 calls, each of which would wait 400 ms.
        let (took, record) = run(&dr, x);
        assert!(
            took < timeout * 4,
            "the run took {took:?} with a lock timeout of {timeout:?}"
        );
        assert!(record.hits().is_empty(), "{record}");
        let notes = all_notes(&record);
        assert!(
            notes.contains("locked") || notes.contains("busy"),
            "{notes}"
        );
    }
    drop(locker);
    let (_, record) = run(&build(), 1);
    assert_eq!(record.hits().len(), 7, "{record}");
}

#[test]
fn a_database_with_another_schema_is_set_aside_and_recreated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let other = rusqlite::Connection::open(dir.path().join("cache.sqlite")).unwrap();
        other
            .execute_batch(
                "CREATE TABLE cache_keys (id INTEGER PRIMARY KEY, payload BLOB);
                 INSERT INTO cache_keys (payload) VALUES (x'00');
                 CREATE TABLE runs (anything TEXT);",
            )
            .unwrap();
    }
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    let run = check(&dr, 12);
    let notes = all_notes(&run);
    assert!(notes.contains("not the cache's schema"), "{notes}");
    assert!(notes.contains("set aside"), "{notes}");
    assert_eq!(check(&dr, 12).hits().len(), 2);
    // Said once; the other database kept beside.
    assert!(all_notes(&check(&dr, 12)).is_empty());
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("cache.sqlite.corrupt-")
        })
        .count();
    assert_eq!(aside, 1);
}

#[test]
fn a_file_in_place_of_the_temporary_directory_is_reported_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(CacheOptions::new(dir.path()), &calls);
    check(&dr, 3);
    let tmp = dir.path().join("tmp");
    std::fs::remove_dir_all(&tmp).unwrap();
    std::fs::write(&tmp, b"in the way").unwrap();
    let notes = all_notes(&check(&dr, 4));
    let tmp_text = format!("`{}`", tmp.display());
    assert!(notes.contains(&tmp_text), "{notes}");
    assert!(notes.contains("not a directory"), "{notes}");
    assert!(!notes.contains("results"), "{notes}");
}
