//! Criterion bench of the run tracker's cost on the run: a 1,000-node chain of scalar nodes
//! executed without a tracker, and with one: the run's own time (its records queued for the
//! writer thread); the writer catches up between runs, untimed (`flush` is not in the time).
//! The chain runs over `f64` (summarized on the run's thread: its text) and over `Plain`, a
//! type without a summarizer (its summary is its type's name: the tracker's cost without
//! summaries). Then the summary of a 1,000,000-row, 10-column `DataFrame`, as the tracker's
//! writer thread makes it.
//!
//! `cargo bench -p hamilton-benches --bench track`

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use hamilton_benches::dags::{Shape, Val, Workload};
use hamilton_core::track::Tracker;
use hamilton_core::{Driver, Inputs};
use polars::prelude::*;

/// An `f64` without a summarizer: the tracker records its type's name only.
#[derive(Clone, Debug)]
struct Plain(f64);

impl Val for Plain {
    fn add_const(&self, c: f64) -> Self {
        Plain(self.0 + c)
    }
    fn mul_const(&self, c: f64) -> Self {
        Plain(self.0 * c)
    }
    fn add(&self, other: &Self) -> Self {
        Plain(self.0 + other.0)
    }
    fn input(_rows: usize) -> Self {
        Plain(0.0)
    }
    fn same(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

fn execute(c: &mut Criterion) {
    execute_chain::<f64>(c, "f64");
    execute_chain::<Plain>(c, "unsummarized");
}

fn execute_chain<V: Val>(c: &mut Criterion, value: &str) {
    let wl = Workload::new(Shape::Chain, 1000).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(dir.path().join("runs.sqlite"))
        .unwrap()
        .keep_runs(100);
    let mut group = c.benchmark_group("track");
    for tracked in [false, true] {
        let builder = Driver::builder().with_modules([wl.module::<V>()]);
        let builder = if tracked {
            builder.with_tracker(tracker.clone())
        } else {
            builder
        };
        let dr = builder.build().unwrap();
        let name = if tracked { "tracked" } else { "untracked" };
        group.bench_function(
            BenchmarkId::new(format!("chain/{value}/{name}"), 1000),
            |b| {
                b.iter_custom(|iters| {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        let out = dr
                            .execute(&wl.outputs, Inputs::new().set("x", black_box(V::input(0))))
                            .unwrap();
                        timed += started.elapsed();
                        drop(black_box(out));
                        // Untimed: the writer catches up (it would drop records if it fell behind).
                        if tracked {
                            tracker.flush();
                        }
                    }
                    timed
                })
            },
        );
    }
    group.finish();
}

/// 1,000,000 rows: 3 `f64` and 3 `i64` columns (one row in 20 null), 4 string columns of a few
/// hundred distinct values (one row in 50 null).
fn frame(rows: usize) -> DataFrame {
    // A cheap deterministic spread (no rand dependency): an LCG step per value.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut columns = Vec::new();
    for i in 0..3 {
        let v: Vec<Option<f64>> = (0..rows)
            .map(|r| (r % 20 != 0).then(|| (next() % 1_000_000) as f64 / 100.0))
            .collect();
        columns.push(Column::new(format!("f{i}").into(), v));
    }
    for i in 0..3 {
        let v: Vec<Option<i64>> = (0..rows)
            .map(|r| (r % 20 != 1).then(|| (next() % 100_000) as i64 - 50_000))
            .collect();
        columns.push(Column::new(format!("i{i}").into(), v));
    }
    for i in 0..4 {
        let names: Vec<String> = (0..300).map(|k| format!("region_{i}_{k:03}")).collect();
        let v: Vec<Option<&str>> = (0..rows)
            .map(|r| (r % 50 != 2).then(|| names[(next() % 300) as usize].as_str()))
            .collect();
        columns.push(Column::new(format!("s{i}").into(), v));
    }
    DataFrame::new_infer_height(columns).unwrap()
}

fn summarize(c: &mut Criterion) {
    let rows = 1_000_000;
    let df = frame(rows);
    let mut group = c.benchmark_group("track");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("summary/frame-10-columns", rows), |b| {
        b.iter(|| black_box(hamilton_polars::track::summarize_frame(black_box(&df))))
    });
    for name in ["f0", "i0", "s0"] {
        let s = df.column(name).unwrap().as_materialized_series().clone();
        group.bench_function(
            BenchmarkId::new(format!("summary/column-{name}"), rows),
            |b| b.iter(|| black_box(hamilton_polars::track::summarize_series(black_box(&s)))),
        );
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    execute(&mut c);
    summarize(&mut c);
    c.final_summary();
}
