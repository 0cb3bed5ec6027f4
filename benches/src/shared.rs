//! The `shared` measurement: one `Driver` executed by one thread, then by several at once.
//!
//! The graph is the scalar `wide` DAG of `--n` nodes; a request asks for its first `k` nodes.
//! For each `k`, each of three runners counts the calls it completes in `--ms` on one thread,
//! then on `--threads` threads at once (all on the same driver, or the same prepared request):
//! the ratio of the two rates is the scaling (the floor executor, which shares nothing, scales
//! as well as the machine allows).

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hamilton_core::{Driver, Inputs};
use serde_json::{Value, json};

use crate::dags::{Shape, Workload};
use crate::floor::Floor;
use crate::measure::median;

/// Calls completed per second by `threads` threads each calling `f` for `duration`.
fn rate(threads: usize, duration: Duration, f: &(dyn Fn() + Sync)) -> f64 {
    let stop = AtomicBool::new(false);
    let start = Barrier::new(threads + 1);
    let calls: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let mut n = 0_usize;
                    while !stop.load(Ordering::Relaxed) {
                        f();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        start.wait();
        std::thread::sleep(duration);
        stop.store(true, Ordering::Relaxed);
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker"))
            .sum()
    });
    calls as f64 / duration.as_secs_f64()
}

/// One row per number of outputs: the 1-thread rate and the `threads`-thread scaling of plain
/// execute, a prepared request and the floor executor (medians of `reps` alternations).
pub fn measure(
    n: usize,
    outputs: &[usize],
    threads: usize,
    duration: Duration,
    reps: usize,
) -> Result<Vec<Value>, String> {
    let wl = Workload::new(Shape::Wide, n)?;
    let dr = Driver::builder()
        .with_modules([wl.module::<f64>()])
        .build()
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for &k in outputs {
        let k = k.clamp(1, n);
        let names = &wl.outputs[..k];
        let prepared = dr.prepare(names, &["x"]).map_err(|e| e.to_string())?;
        let floor = Floor::new::<f64>(&Workload::new(Shape::Wide, k)?);
        let execute = || {
            drop(std::hint::black_box(
                dr.execute(names, Inputs::new().set("x", 1.0_f64)).unwrap(),
            ))
        };
        let run_prepared = || {
            drop(std::hint::black_box(
                prepared.execute(Inputs::new().set("x", 1.0_f64)).unwrap(),
            ))
        };
        let run_floor = || drop(std::hint::black_box(floor.run(Box::new(1.0_f64))));
        let runners: [(&str, &(dyn Fn() + Sync)); 3] = [
            ("execute", &execute),
            ("prepared", &run_prepared),
            ("floor", &run_floor),
        ];
        let mut row = json!({ "n": n, "outputs": k, "threads": threads });
        for (name, f) in runners {
            let mut one = Vec::new();
            let mut many = Vec::new();
            let mut ratio = Vec::new();
            for _ in 0..reps.max(1) {
                let r1 = rate(1, duration, f);
                let rn = rate(threads, duration, f);
                one.push(r1);
                many.push(rn);
                ratio.push(rn / r1);
            }
            row[format!("{name}_calls_per_s_1_thread")] = json!(median(&one));
            row[format!("{name}_calls_per_s_{threads}_threads")] = json!(median(&many));
            row[format!("{name}_scaling")] = json!(median(&ratio));
        }
        rows.push(row);
    }
    Ok(rows)
}
