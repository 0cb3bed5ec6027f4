//! A cached run killed (SIGKILL) at many points: every later run gets the right values, no
//! temporary file of a killed writer survives the next open, and the database stays whole.
#![cfg(all(feature = "cache", unix))]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

const CHILD_DIR: &str = "HAMILTON_CACHE_CRASH_CHILD_DIR";
const CHILD_SEED: &str = "HAMILTON_CACHE_CRASH_CHILD_SEED";
const KILLS: u64 = 16;

/// `sq = [i * i for i in 0..n]`, `total = sum(sq)`, `half = total / 2`, for `n = x * 5000`.
fn driver(dir: &Path) -> Driver {
    Driver::builder()
        .with_nodes([
            Node::builder("sq")
                .code_version(1)
                .param::<i64>("x")
                .build(|a: &Args| {
                    let n = *a.get::<i64>(0)? * 5000;
                    Ok((0..n).map(|i| (i * i) as f64).collect::<Vec<f64>>())
                }),
            Node::builder("total")
                .code_version(1)
                .param::<Vec<f64>>("sq")
                .build(|a: &Args| Ok(a.get::<Vec<f64>>(0)?.iter().sum::<f64>())),
            Node::builder("half")
                .code_version(1)
                .param::<f64>("total")
                .build(|a: &Args| Ok(*a.get::<f64>(0)? / 2.0)),
        ])
        .with_cache(dir)
        .build()
        .unwrap()
}

/// Runs `x` and checks every value.
fn check(dr: &Driver, x: i64) {
    let out = dr
        .execute(&["half", "total", "sq"], Inputs::new().set("x", x))
        .unwrap();
    let n = x * 5000;
    let total: f64 = (0..n).map(|i| (i * i) as f64).sum();
    assert_eq!(out.get::<Vec<f64>>("sq").unwrap().len() as i64, n);
    assert_eq!(out.get::<f64>("total").unwrap(), &total);
    assert_eq!(out.get::<f64>("half").unwrap(), &(total / 2.0));
}

/// The work of a child process: cached runs until it is killed (does nothing on its own).
#[test]
fn child_runs_until_killed() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let seed: i64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let dr = driver(Path::new(&dir));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut x = seed;
    while Instant::now() < deadline {
        check(&dr, 1 + x % 12);
        x += 7;
        if x % 5 == 0 {
            dr.cache().unwrap().clear_node("total").unwrap();
        }
    }
}

#[test]
fn runs_killed_at_any_point_leave_right_values_no_temp_files_and_a_whole_database() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    for kill in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_runs_until_killed",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_SEED, kill.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Kill points spread over startup, lookups, computing, writing and recording.
        std::thread::sleep(Duration::from_millis(15 + (kill * 37) % 400));
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("the child ended before it was killed ({status}):\n{err}");
        }
        child.kill().unwrap();
        child.wait().unwrap();

        // The next open removes what the killed writer left; every value is right.
        let dr = driver(dir.path());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "after kill {kill}: {left:?}");
        for x in [1 + kill as i64 % 12, 3] {
            check(&dr, x);
        }
    }
    let db = rusqlite::Connection::open(dir.path().join("cache.sqlite")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    // Everything recorded is served right.
    let dr = driver(dir.path());
    for x in 1..=12 {
        check(&dr, x);
    }
    assert!(started.elapsed() < Duration::from_secs(120));
}
