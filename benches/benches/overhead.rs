//! Criterion benches of the framework's own cost: graph build, sequential and parallel execute
//! on the synthetic DAGs (scalar nodes, N = 1000), and a 100,000-node graph built and executed.
//!
//! `cargo bench -p hamilton-benches --bench overhead`

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use hamilton_benches::dags::{Shape, Workload};
use hamilton_benches::macro_chain;
use hamilton_core::{Driver, Inputs};

const SHAPES: [Shape; 3] = [Shape::Chain, Shape::Wide, Shape::Diamond];

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    for shape in SHAPES {
        let module = Workload::new(shape, 1000).unwrap().module::<f64>();
        group.bench_function(BenchmarkId::new(shape.as_str(), 1000), |b| {
            b.iter(|| {
                Driver::builder()
                    .with_modules([module.clone()])
                    .build()
                    .unwrap()
            })
        });
    }
    group.bench_function(BenchmarkId::new("macro-chain", 1000), |b| {
        b.iter(|| {
            Driver::builder()
                .with_modules([macro_chain::MODULE])
                .build()
                .unwrap()
        })
    });
    group.finish();
}

fn execute(c: &mut Criterion) {
    let mut group = c.benchmark_group("execute");
    for shape in SHAPES {
        let wl = Workload::new(shape, 1000).unwrap();
        for (mode, threads) in [("sequential", None), ("parallel-2", Some(2))] {
            let builder = Driver::builder().with_modules([wl.module::<f64>()]);
            let builder = match threads {
                Some(t) => builder.with_parallelism(t),
                None => builder,
            };
            let dr = builder.build().unwrap();
            group.bench_function(BenchmarkId::new(format!("{shape}/{mode}"), 1000), |b| {
                b.iter(|| {
                    dr.execute(&wl.outputs, Inputs::new().set("x", black_box(0.0_f64)))
                        .unwrap()
                })
            });
        }
        group.bench_function(
            BenchmarkId::new(format!("{shape}/handwritten"), 1000),
            |b| b.iter(|| wl.handwritten(&black_box(0.0_f64))),
        );
    }
    group.finish();
}

fn large(c: &mut Criterion) {
    let mut group = c.benchmark_group("large");
    group.sample_size(10);
    for shape in [Shape::Chain, Shape::Wide] {
        let wl = Workload::new(shape, 100_000).unwrap();
        let module = wl.module::<f64>();
        group.bench_function(
            BenchmarkId::new(format!("{shape}/build+execute"), 100_000),
            |b| {
                b.iter(|| {
                    let dr = Driver::builder()
                        .with_modules([module.clone()])
                        .build()
                        .unwrap();
                    dr.execute(&wl.outputs, Inputs::new().set("x", 0.0_f64))
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

// `criterion_main!` without `criterion_group!`, whose generated `pub fn` has no doc.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    build(&mut c);
    execute(&mut c);
    large(&mut c);
    c.final_summary();
}
