//! Result caching on the marketing-spend features workload (`hamilton_benches::features`, eager
//! variant) at 1,000,000 rows: the same DAG, its hand-built nodes given a `cache_version` tag so
//! the cache may store them.
//!
//! ```text
//! cargo bench -p hamilton-benches --bench cache               # 1,000,000 rows, 5 repetitions
//! cargo bench -p hamilton-benches --bench cache -- 100000 3   # rows, repetitions
//! cargo bench -p hamilton-benches --no-default-features --bench cache   # glibc, not jemalloc
//! ```
//!
//! Each repetition starts from an empty cache directory and times:
//! - `uncached`: a driver without cache;
//! - `first`: a cached driver's first run (computes, fingerprints, writes Arrow IPC files and
//!   SQLite);
//! - `second (memory)`: the same driver again (all hits, results kept in memory:
//!   `CacheOptions::keep_in_memory`);
//! - `second (disk)`: a new driver on the same directory without the memory layer (all hits,
//!   each result read back from its Arrow IPC file, memory-mapped, as another process would);
//! - `second (process)`: that run in a new process (this binary again, with `--child <dir>`):
//!   nothing of the first run is left in the address space; only the run is timed.
//!
//! `CACHE_BENCH_FORMAT=parquet` stores Series and DataFrames as Parquet instead of Arrow IPC.
//!
//! Every run's outputs are checked equal to the uncached ones, and every second run all hits.
//! Prints the medians, the ratios `first / second`, and one JSON line.

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::time::{Duration, Instant};

use hamilton_benches::features::{INPUT, OUTPUT_COLUMNS, eager_nodes, make_frame};
use hamilton_core::cache::{CacheOptions, CacheStatus};
use hamilton_core::{Driver, Inputs, node::Node};
use hamilton_polars::cache::{FrameFormat, cache_types_in};
use polars::prelude::*;

fn nodes() -> Vec<Node> {
    // Hand-built nodes have no compile-time code version; the tag gives them one.
    eager_nodes()
        .into_iter()
        .map(|n| n.with_tag("cache_version", "features-1"))
        .collect()
}

fn run(dr: &Driver, raw: &DataFrame) -> (Duration, DataFrame) {
    let started = Instant::now();
    let out = dr
        .execute(&OUTPUT_COLUMNS, Inputs::new().set(INPUT, raw.clone()))
        .expect("the features DAG runs");
    let elapsed = started.elapsed();
    (
        elapsed,
        hamilton_polars::to_dataframe(out).expect("Series outputs"),
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn all_hits(dr: &Driver) {
    let run = dr.cache().expect("cached").last_run().expect("a run");
    let not_hit: Vec<String> = run
        .nodes
        .iter()
        .filter(|e| e.status != CacheStatus::Hit)
        .map(ToString::to_string)
        .collect();
    assert!(not_hit.is_empty(), "not all hits: {not_hit:?}");
}

/// The cache options of every driver: results in the format named by `CACHE_BENCH_FORMAT`
/// (`arrow`, the default, or `parquet`).
fn options(dir: impl AsRef<std::path::Path>) -> CacheOptions {
    let format = match std::env::var("CACHE_BENCH_FORMAT").as_deref() {
        Ok("parquet") => FrameFormat::Parquet,
        Ok("arrow") | Err(_) => FrameFormat::ArrowIpc,
        Ok(other) => panic!("CACHE_BENCH_FORMAT={other}: expected `arrow` or `parquet`"),
    };
    CacheOptions::new(dir.as_ref()).with_types(cache_types_in(format))
}

/// `--child <dir> <rows>`: one run on the cache in `dir`, its duration printed in nanoseconds.
fn child(dir: &str, rows: usize) {
    let raw = make_frame(rows, 42);
    let dr = Driver::builder()
        .with_nodes(nodes())
        .with_cache(options(dir))
        .build()
        .unwrap();
    let (t, _) = run(&dr, &raw);
    all_hits(&dr);
    println!("{}", t.as_nanos());
}

/// The duration of one run in a new process on the cache in `dir`.
fn in_new_process(dir: &std::path::Path, rows: usize) -> Duration {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--child")
        .arg(dir)
        .arg(rows.to_string())
        .output()
        .expect("the bench runs itself");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nanos: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("the child prints its run time");
    Duration::from_nanos(nanos)
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir, rows, ..] = &all[..]
        && flag == "--child"
    {
        return child(dir, rows.parse().unwrap());
    }
    let args: Vec<String> = all.into_iter().filter(|a| !a.starts_with("--")).collect();
    let rows: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let reps: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    // `CACHE_BENCH_VERBOSE=1`: print what the cache did per node (first run, disk run).
    let verbose = std::env::var_os("CACHE_BENCH_VERBOSE").is_some();
    let raw = make_frame(rows, 42);
    let plain = Driver::builder().with_nodes(nodes()).build().unwrap();
    let (_, expected) = run(&plain, &raw);

    let (mut uncached, mut first, mut memory, mut disk) = (vec![], vec![], vec![], vec![]);
    let mut process = vec![];
    let mut size = 0;
    for _ in 0..reps {
        uncached.push(run(&plain, &raw).0);
        let dir = tempfile::tempdir().unwrap();
        let dr = Driver::builder()
            .with_nodes(nodes())
            .with_cache(options(dir.path()).keep_in_memory(1 << 30))
            .build()
            .unwrap();
        let (t, out) = run(&dr, &raw);
        assert!(out.equals_missing(&expected));
        first.push(t);
        let first_run = dr.cache().unwrap().last_run().unwrap();
        let (t, out) = run(&dr, &raw);
        assert!(out.equals_missing(&expected));
        all_hits(&dr);
        memory.push(t);
        let fresh = Driver::builder()
            .with_nodes(nodes())
            .with_cache(options(dir.path()))
            .build()
            .unwrap();
        let (t, out) = run(&fresh, &raw);
        assert!(out.equals_missing(&expected));
        all_hits(&fresh);
        disk.push(t);
        process.push(in_new_process(dir.path(), rows));
        size = fresh.cache().unwrap().size().unwrap();
        if verbose {
            println!("{first_run}{}", fresh.cache().unwrap().last_run().unwrap());
        }
    }
    let (u, f, m, d, p) = (
        median(uncached),
        median(first),
        median(memory),
        median(disk),
        median(process),
    );
    println!("cache bench: features workload, {rows} rows, median of {reps}");
    println!("  uncached          {u:>10.2?}");
    println!(
        "  first (cold)      {f:>10.2?}   ({:.2}x uncached)",
        ratio(f, u)
    );
    println!(
        "  second (memory)   {m:>10.2?}   first / second = {:.1}x",
        ratio(f, m)
    );
    println!(
        "  second (disk)     {d:>10.2?}   first / second = {:.1}x",
        ratio(f, d)
    );
    println!(
        "  second (process)  {p:>10.2?}   first / second = {:.1}x",
        ratio(f, p)
    );
    println!(
        "  cache directory   {:.1} MiB",
        size as f64 / (1 << 20) as f64
    );
    println!(
        "{{\"bench\":\"cache\",\"rows\":{rows},\"reps\":{reps},\"uncached_s\":{},\"first_s\":{},\"second_memory_s\":{},\"second_disk_s\":{},\"second_process_s\":{},\"first_over_second_memory\":{:.2},\"first_over_second_disk\":{:.2},\"first_over_second_process\":{:.2},\"cache_bytes\":{size}}}",
        u.as_secs_f64(),
        f.as_secs_f64(),
        m.as_secs_f64(),
        d.as_secs_f64(),
        p.as_secs_f64(),
        ratio(f, m),
        ratio(f, d),
        ratio(f, p)
    );
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
