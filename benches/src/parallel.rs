//! The parallel scenario: 8 independent CPU-bound nodes, sequential vs `with_parallelism(2)`; and
//! the parallel executor's own cost per node on a wide graph of trivial nodes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use serde_json::{Value, json};

use crate::dags::{Shape, Workload};
use crate::measure::{batch_size, median, median_paired, paired, time_per_call};

/// Integer hashing: `iters` rounds of a SplitMix64-style mix, seeded.
pub fn hash_work(seed: u64, iters: u64) -> u64 {
    let mut z = seed;
    let mut acc = 0u64;
    for i in 0..iters {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15 ^ i);
        let mut y = z;
        y = (y ^ (y >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        y = (y ^ (y >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        acc ^= y ^ (y >> 31);
    }
    acc
}

/// The number of [`hash_work`] rounds that take about `target` on this machine.
pub fn calibrate(target: Duration) -> u64 {
    let probe = 2_000_000;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let started = Instant::now();
        black_box(hash_work(black_box(1), probe));
        best = best.min(started.elapsed().as_secs_f64());
    }
    ((target.as_secs_f64() / best) * probe as f64) as u64
}

/// `count` independent nodes `work_i(seed)`, each `iters` rounds of hashing.
pub fn work_nodes(count: usize, iters: u64) -> Vec<Node> {
    (0..count)
        .map(|i| {
            Node::builder(format!("work_{i}"))
                .param::<u64>("seed")
                .build(move |a: &Args| Ok(hash_work(a.get::<u64>(0)? + i as u64, iters)))
        })
        .collect()
}

/// A driver over `nodes`, with a pool of `threads` threads (`None`: sequential).
fn driver(nodes: Vec<hamilton_core::node::Node>, threads: Option<usize>) -> Driver {
    let b = Driver::builder().with_nodes(nodes);
    let b = match threads {
        Some(t) => b.with_parallelism(t),
        None => b,
    };
    b.build().expect("builds")
}

/// Speed-up of `with_parallelism(threads)` over the sequential executor on `count` independent
/// nodes of about `per_node` each: median over `reps` pairs of sequential / parallel.
pub fn speedup(count: usize, per_node: Duration, threads: usize, reps: usize) -> Value {
    let iters = calibrate(per_node);
    let outputs: Vec<String> = (0..count).map(|i| format!("work_{i}")).collect();
    let seq = driver(work_nodes(count, iters), None);
    let par = driver(work_nodes(count, iters), Some(threads));
    let run = |dr: &Driver| {
        dr.execute(&outputs, Inputs::new().set("seed", 7_u64))
            .expect("runs")
    };
    let a = run(&seq);
    let b = run(&par);
    for o in &outputs {
        assert_eq!(a.get::<u64>(o).ok(), b.get::<u64>(o).ok(), "same results");
    }
    let (ts, tp) = paired(reps, 1, || run(&seq), || run(&par));
    json!({
        "scenario": "cpu-bound",
        "nodes": count,
        "threads": threads,
        "iters_per_node": iters,
        "reps": reps,
        "sequential_median_s": median(&ts),
        "parallel_median_s": median(&tp),
        "speedup_median_of_paired": median_paired(&ts, &tp, |s, p| s / p),
    })
}

/// Per-node overhead of the sequential and the parallel executor (hooks off) on a wide graph of
/// `n` trivial scalar nodes, against the same hand-written loop: two paired measurements made
/// alternately.
pub fn executor_overhead(n: usize, threads: usize, reps: usize, min_sample: Duration) -> Value {
    let wl = Workload::new(Shape::Wide, n).expect("valid");
    let seq = Driver::builder()
        .with_modules([wl.module::<f64>()])
        .build()
        .expect("builds");
    let par = Driver::builder()
        .with_modules([wl.module::<f64>()])
        .with_parallelism(threads)
        .build()
        .expect("builds");
    let run = |dr: &Driver| {
        dr.execute(&wl.outputs, Inputs::new().set("x", 0.0_f64))
            .expect("runs")
    };
    let hand = || wl.handwritten(&0.0_f64);
    let started = Instant::now();
    drop(run(&seq));
    let calls = batch_size(started.elapsed(), min_sample);
    let mut seq_s = Vec::new();
    let mut par_s = Vec::new();
    let mut hand_s = Vec::new();
    // Three-way rotation, so that each of the three runs first, second and third alike.
    for i in 0..=reps {
        let mut t = [0.0; 3];
        for k in 0..3 {
            let which = (i + k) % 3;
            t[which] = match which {
                0 => time_per_call(calls, || run(&seq)),
                1 => time_per_call(calls, || run(&par)),
                _ => time_per_call(calls, hand),
            };
        }
        if i > 0 {
            seq_s.push(t[0]);
            par_s.push(t[1]);
            hand_s.push(t[2]);
        }
    }
    let per_node = |a: &[f64]| median_paired(a, &hand_s, |e, h| 1e6 * (e - h) / n as f64);
    let seq_oh = per_node(&seq_s);
    let par_oh = per_node(&par_s);
    json!({
        "scenario": "executor-overhead",
        "shape": "wide",
        "n": n,
        "threads": threads,
        "reps": reps,
        "sequential_median_s": median(&seq_s),
        "parallel_median_s": median(&par_s),
        "handwritten_median_s": median(&hand_s),
        "sequential_overhead_per_node_us": seq_oh,
        "parallel_overhead_per_node_us": par_oh,
        "parallel_over_sequential_overhead": par_oh / seq_oh,
        "parallel_over_sequential_execute": median_paired(&par_s, &seq_s, |p, s| p / s),
    })
}
