//! `CacheOptions::max_size`: result files stay under the bound, the least recently used go
//! first, and a result a run in progress uses is never evicted.
#![cfg(feature = "cache")]

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use hamilton_core::cache::{CacheOptions, CacheStatus};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

const ROWS: usize = 10_000;

/// `big = [x; ROWS]` (80 kB stored), `total = sum(big)`.
fn driver(options: CacheOptions) -> Driver {
    Driver::builder()
        .with_nodes([
            Node::builder("big")
                .code_version(1)
                .param::<i64>("x")
                .build(|a: &Args| Ok(vec![*a.get::<i64>(0)? as f64; ROWS])),
            Node::builder("total")
                .code_version(1)
                .param::<Vec<f64>>("big")
                .build(|a: &Args| Ok(a.get::<Vec<f64>>(0)?.iter().sum::<f64>())),
        ])
        .with_cache(options)
        .build()
        .unwrap()
}

/// Runs `total` and `big` for `x`, checks them, returns `big`'s status.
fn run(dr: &Driver, x: i64) -> CacheStatus {
    let out = dr
        .execute(&["total", "big"], Inputs::new().set("x", x))
        .unwrap();
    assert_eq!(out.get::<f64>("total").unwrap(), &(x as f64 * ROWS as f64));
    assert_eq!(out.get::<Vec<f64>>("big").unwrap(), &vec![x as f64; ROWS]);
    dr.cache()
        .unwrap()
        .last_run()
        .unwrap()
        .status("big")
        .unwrap()
}

fn results_size(dir: &Path) -> u64 {
    fn walk(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p)
                } else {
                    std::fs::metadata(&p).unwrap().len()
                }
            })
            .sum()
    }
    walk(&dir.join("results"))
}

/// Room for three `big` results and their totals, not four.
const MAX: u64 = 3 * (ROWS as u64 * 8 + 1024) + 2048;

#[test]
fn result_files_stay_under_max_size_least_recently_used_evicted_first() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(CacheOptions::new(dir.path()).max_size(MAX));
    for x in 1..=3 {
        assert_eq!(run(&dr, x), CacheStatus::Miss);
    }
    assert_eq!(
        run(&dr, 1),
        CacheStatus::Hit,
        "1 is now the most recently used"
    );
    for x in 4..=8 {
        assert_eq!(run(&dr, x), CacheStatus::Miss);
        let size = results_size(dir.path());
        assert!(size <= MAX, "{size} > {MAX} after x = {x}");
    }
    let notes = dr.cache().unwrap().last_run().unwrap().notes.join("\n");
    assert!(notes.contains("evicted"), "{notes}");
    // The last three are kept; the older ones were evicted (and computed again, right).
    for x in [6, 7, 8] {
        assert_eq!(run(&dr, x), CacheStatus::Hit, "x = {x}");
    }
    assert_eq!(run(&dr, 2), CacheStatus::Miss);
}

#[test]
fn least_recently_used_means_used_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(CacheOptions::new(dir.path()).max_size(MAX));
    for x in 1..=3 {
        run(&dr, x);
    }
    // 1 was stored first but used last: 2 goes first.
    assert_eq!(run(&dr, 1), CacheStatus::Hit);
    run(&dr, 4);
    assert_eq!(run(&dr, 1), CacheStatus::Hit);
    assert_eq!(run(&dr, 2), CacheStatus::Miss);
}

/// The result file of `big` for `x`, as the cache of `dr` recorded it.
fn big_file(dr: &Driver, dir: &Path, x: i64) -> PathBuf {
    run(dr, x);
    let last = dr.cache().unwrap().last_run().unwrap();
    let dv = last.event("big").unwrap().data_version.clone().unwrap();
    std::fs::read_dir(dir.join("results").join(&dv[..2]))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&dv))
        .unwrap()
}

#[test]
fn a_result_a_run_in_progress_uses_is_never_evicted() {
    let dir = tempfile::tempdir().unwrap();
    let (release, wait) = mpsc::channel::<()>();
    let (started, running) = mpsc::channel::<()>();
    let wait = std::sync::Mutex::new(wait);
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("big")
                .code_version(1)
                .param::<i64>("x")
                .build(|a: &Args| Ok(vec![*a.get::<i64>(0)? as f64; ROWS])),
            Node::builder("total")
                .code_version(1)
                .param::<Vec<f64>>("big")
                .build(|a: &Args| Ok(a.get::<Vec<f64>>(0)?.iter().sum::<f64>())),
            Node::builder("held")
                .param::<Vec<f64>>("big")
                .build(move |a: &Args| {
                    started.send(()).unwrap();
                    wait.lock().unwrap().recv().unwrap();
                    Ok(a.get::<Vec<f64>>(0)?.len() as i64)
                }),
        ])
        .with_cache(
            CacheOptions::new(dir.path())
                .max_size(MAX)
                .disable(["held"]),
        )
        .build()
        .unwrap();
    let file = big_file(&dr, dir.path(), 1);
    std::thread::scope(|s| {
        // A run that loads `big` for 1 (a hit) and holds it.
        let holder = s.spawn(|| {
            dr.execute(&["held"], Inputs::new().set("x", 1_i64))
                .unwrap()
                .get::<i64>("held")
                .copied()
                .unwrap()
        });
        running.recv().unwrap();
        // Other runs fill the cache: 1 is the least recently used, but in use.
        for x in 2..=6 {
            run(&dr, x);
        }
        let kept = file.exists();
        release.send(()).unwrap();
        assert_eq!(holder.join().unwrap(), ROWS as i64);
        assert!(kept, "a result in use was evicted");
    });
    assert!(results_size(dir.path()) <= MAX);
}
