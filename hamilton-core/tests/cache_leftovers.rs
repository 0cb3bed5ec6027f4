//! What writers killed mid-write leave behind: their temporary files are removed by the next
//! open of the cache, and a live writer's are never touched.
#![cfg(feature = "cache")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hamilton_core::cache::{CacheOptions, CacheType};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

const CHILD_DIR: &str = "HAMILTON_CACHE_LEFTOVERS_CHILD_DIR";

#[derive(Clone, Debug, PartialEq)]
struct Slow(i64);

/// A driver whose one node's result takes forever to encode when `stuck` (the writer is then
/// caught mid-write, its temporary file open).
fn driver(dir: &Path, stuck: bool) -> Driver {
    let t = CacheType::fingerprint_with(|s: &Slow, f| f.write_value(&s.0)).with_format(
        "slow",
        move |s: &Slow| {
            if stuck {
                loop {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            Ok(s.0.to_le_bytes().to_vec())
        },
        |b: &[u8]| Ok(Slow(i64::from_le_bytes(b.try_into()?))),
    );
    Driver::builder()
        .with_nodes([Node::builder("slow")
            .code_version(1)
            .param::<i64>("x")
            .build(|a: &Args| Ok(Slow(*a.get::<i64>(0)?)))])
        .with_cache(CacheOptions::new(dir).with_type(t))
        .build()
        .unwrap()
}

/// The work of a child process: a write that never finishes (does nothing on its own).
#[test]
fn child_writer_stuck_mid_write() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let dr = driver(Path::new(&dir), true);
    let _ = dr.execute(&["slow"], Inputs::new().set("x", 7_i64));
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("tmp"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The temporary files of process `pid`.
fn owned_by(dir: &Path, pid: u32) -> Vec<PathBuf> {
    temp_files(dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("p{pid}-"))
        })
        .collect()
}

/// A child process caught mid-write in `dir`, once its temporary file exists.
fn stuck_writer(dir: &Path) -> Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_writer_stuck_mid_write",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while owned_by(dir, child.id()).is_empty() {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("the child never started writing: {:?}", temp_files(dir));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn temp_files_of_killed_writers_are_removed_on_open_and_live_writers_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let mut killed = stuck_writer(dir.path());
    let mut live = stuck_writer(dir.path());
    let (killed_pid, live_pid) = (killed.id(), live.id());
    // SIGKILL mid-write: nothing of the writer's runs afterwards.
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert_eq!(owned_by(dir.path(), killed_pid).len(), 1);

    let dr = driver(dir.path(), false);
    assert!(
        owned_by(dir.path(), killed_pid).is_empty(),
        "{:?}",
        temp_files(dir.path())
    );
    assert_eq!(
        owned_by(dir.path(), live_pid).len(),
        1,
        "a live writer's temporary file was removed"
    );
    let out = dr
        .execute(&["slow"], Inputs::new().set("x", 7_i64))
        .unwrap();
    assert_eq!(out.get::<Slow>("slow").unwrap(), &Slow(7));
    let run = dr.cache().unwrap().last_run().unwrap();
    assert!(
        run.notes
            .iter()
            .any(|n| n.contains("removed 1 temporary file")),
        "{:?}",
        run.notes
    );

    live.kill().unwrap();
    live.wait().unwrap();
    let _reopened = driver(dir.path(), false);
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        temp_files(dir.path())
    );
}

#[test]
fn temp_files_named_by_earlier_versions_are_removed_once_their_writer_ended() {
    let dir = tempfile::tempdir().unwrap();
    drop(driver(dir.path(), false));
    // A process that has ended, and this one (alive).
    let mut ended = Command::new("true").spawn().unwrap();
    ended.wait().unwrap();
    let dv = "0123456789abcdef0123456789abcdef";
    let dead = dir
        .path()
        .join("tmp")
        .join(format!("{dv}.18f00aa-{:x}-0.tmp", ended.id()));
    let alive = dir
        .path()
        .join("tmp")
        .join(format!("{dv}.18f00aa-{:x}-1.tmp", std::process::id()));
    std::fs::write(&dead, b"partial").unwrap();
    std::fs::write(&alive, b"partial").unwrap();
    drop(driver(dir.path(), false));
    assert!(!dead.exists());
    assert!(alive.exists());
}
