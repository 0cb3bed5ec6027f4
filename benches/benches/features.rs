//! Criterion bench of the marketing-spend features workload at 100,000 rows: the library eager
//! and in expression mode, against the same work hand-written.
//!
//! `cargo bench -p hamilton-benches --bench features`

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use criterion::Criterion;
use hamilton_benches::features::{Drivers, VARIANTS, make_frame};

fn features(c: &mut Criterion) {
    let drivers = Drivers::new();
    let raw = make_frame(100_000, 42);
    let mut group = c.benchmark_group("features-100k");
    group.sample_size(30);
    for variant in VARIANTS {
        group.bench_function(variant, |b| b.iter(|| drivers.run(variant, &raw).unwrap()));
    }
    group.finish();
}

// `criterion_main!` without `criterion_group!`, whose generated `pub fn` has no doc.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    features(&mut c);
    c.final_summary();
}
