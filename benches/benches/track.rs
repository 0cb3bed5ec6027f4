//! Criterion bench of the run tracker's cost on the run: a 1,000-node chain of scalar nodes
//! executed without a tracker, with a hook that does nothing (what any hook costs), and with a
//! tracker: the run's own time (its records queued for the
//! writer thread); the writer catches up between runs, untimed.
//!
//! `cargo bench -p hamilton-benches --bench track`

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use hamilton_benches::dags::{Shape, Workload};
use hamilton_core::hooks::Hook;
use hamilton_core::track::Tracker;
use hamilton_core::{Driver, Inputs};

fn execute(c: &mut Criterion) {
    let wl = Workload::new(Shape::Chain, 1000).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(dir.path().join("runs.sqlite"))
        .unwrap()
        .keep_runs(100);
    let mut group = c.benchmark_group("track");
    for name in ["untracked", "no-op hook", "tracked"] {
        let tracked = name == "tracked";
        let builder = Driver::builder().with_modules([wl.module::<f64>()]);
        let builder = match name {
            "tracked" => builder.with_tracker(tracker.clone()),
            "no-op hook" => builder.with_hook(NoOp),
            _ => builder,
        };
        let dr = builder.build().unwrap();
        group.bench_function(BenchmarkId::new(format!("chain/{name}"), 1000), |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let started = Instant::now();
                    let out = dr
                        .execute(&wl.outputs, Inputs::new().set("x", black_box(0.0_f64)))
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
        });
    }
    group.finish();
}

/// A hook that does nothing: what any hook costs a run (the executor's hook path).
struct NoOp;

impl Hook for NoOp {}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    execute(&mut c);
    c.final_summary();
}
