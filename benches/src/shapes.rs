//! The `shapes` measurement: many distinct request shapes on one driver, and the cost of
//! planning one request.
//!
//! On the scalar DAG of `shape` and `n` nodes, `k` distinct one-output requests (evenly spread
//! over the nodes) are executed round-robin, after one warm-up round; their mean time per
//! execute is compared with the same single request executed as many times (its plan always
//! cached). A driver that re-plans when it sees more distinct shapes than its cache holds
//! shows the difference. `plan_us` is the median time to plan a one-output request never seen
//! before (`Driver::prepare`, which always plans).

use std::time::Instant;

use hamilton_core::{Driver, Inputs};
use serde_json::{Value, json};

use crate::dags::{Shape, Workload};
use crate::measure::median;

/// One row: `shape`, `n`, `k` distinct requests; medians over `reps` rounds.
pub fn measure(shape: Shape, n: usize, k: usize, reps: usize) -> Result<Value, String> {
    let wl = Workload::new(shape, n)?;
    let dr = Driver::builder()
        .with_modules([wl.module::<f64>()])
        .build()
        .map_err(|e| e.to_string())?;
    let k = k.clamp(1, wl.specs.len());
    // Evenly spread, so that chain requests are of every length.
    let requests: Vec<[&str; 1]> = (0..k)
        .map(|i| [wl.specs[(i * wl.specs.len()) / k].name.as_str()])
        .collect();
    let execute = |outputs: &[&str; 1]| {
        drop(std::hint::black_box(
            dr.execute(outputs, Inputs::new().set("x", 1.0_f64))
                .expect("the workload runs"),
        ))
    };
    let mut distinct = Vec::new();
    let mut same = Vec::new();
    for round in 0..=reps.max(1) {
        let started = Instant::now();
        for r in &requests {
            execute(r);
        }
        let d = started.elapsed().as_secs_f64() / k as f64;
        // The same requests, each timed right after a run of its own (its plan surely cached).
        let mut cached = 0.0;
        for r in &requests {
            execute(r);
            let started = Instant::now();
            execute(r);
            cached += started.elapsed().as_secs_f64();
        }
        if round > 0 {
            distinct.push(d);
            same.push(cached / k as f64);
        }
    }
    // Planning alone: a one-output request of a node spread over the graph, never cached.
    let mut plans = Vec::new();
    for r in requests.iter().take(200) {
        let started = Instant::now();
        let prepared = dr.prepare(r, &["x"]).map_err(|e| e.to_string())?;
        plans.push(started.elapsed().as_secs_f64());
        drop(prepared);
    }
    Ok(json!({
        "shape": shape.as_str(),
        "n": n,
        "distinct_requests": k,
        "round_robin_us_per_execute": 1e6 * median(&distinct),
        "cached_us_per_execute": 1e6 * median(&same),
        "round_robin_over_cached": median(&distinct) / median(&same),
        "plan_one_output_us": 1e6 * median(&plans),
    }))
}
