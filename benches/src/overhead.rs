//! The `overhead` measurement: graph build, execute and the hand-written loop on a synthetic DAG.
//!
//! As in `../shared/bench/python/bench_overhead.py`: one warm-up, then the median of `reps`
//! samples of
//! - **build**: `Driver::builder().with_modules([module]).build()` (the module already exists);
//! - **execute**: `dr.execute(&outputs, Inputs::new().set("x", x.clone()))` on a driver built
//!   beforehand, the `Outputs` dropped inside the timed region;
//! - **hand-written**: [`Workload::handwritten`], the same node bodies by a plain loop;
//!
//! execute and hand-written alternating in pairs (E W, W E, ...). Overhead per node is the
//! median over pairs of (execute − hand-written) / N.
//!
//! One difference from the Python side: a sample is the mean over enough back-to-back calls to
//! last `min_sample` (10 ms by default), because a Rust execute of 10 nodes takes about a
//! microsecond, close to the clock's own cost. With `min_sample = 0` every sample is one call.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hamilton_core::{Driver, Inputs, Module};
use polars::prelude::Series;
use serde_json::{Value, json};

use crate::dags::{Lib, Shape, Val, Workload};
use crate::floor::Floor;
use crate::macro_chain;
use crate::measure::{
    batch_size, median, median_paired, paired, peak_rss_kib, reset_peak_rss, rotated,
    time_per_call_keep,
};

/// One row of the `overhead` JSON.
#[derive(Clone, Debug)]
pub struct Row {
    /// `scalar` or `polars`.
    pub lib: Lib,
    /// The shape.
    pub shape: Shape,
    /// Computed nodes.
    pub n: usize,
    /// Rows of `x` (polars).
    pub rows: usize,
    /// Timed samples of each kind.
    pub reps: usize,
    /// Build samples, seconds.
    pub build_s: Vec<f64>,
    /// Execute samples, seconds per call.
    pub execute_s: Vec<f64>,
    /// Hand-written samples, seconds per call, paired with `execute_s`.
    pub handwritten_s: Vec<f64>,
    /// Samples of a [`PreparedRequest`](hamilton_core::PreparedRequest)'s execute, seconds per
    /// call, paired with `execute_s`.
    pub prepared_s: Vec<f64>,
    /// Samples of the [floor executor](crate::floor), seconds per call, paired with
    /// `execute_s` (empty for macro-chain).
    pub floor_s: Vec<f64>,
    /// Calls per execute / hand-written sample.
    pub calls_per_sample: usize,
    /// Peak RSS while measuring this row (KiB; reset before the row when the kernel allows).
    pub peak_rss_kib: Option<u64>,
}

impl Row {
    /// Median over pairs of (execute − hand-written) / N, in µs.
    pub fn overhead_per_node_us(&self) -> f64 {
        median_paired(&self.execute_s, &self.handwritten_s, |e, h| {
            1e6 * (e - h) / self.n as f64
        })
    }

    /// Median build time per node, µs.
    pub fn build_per_node_us(&self) -> f64 {
        1e6 * median(&self.build_s) / self.n as f64
    }

    /// Median over pairs of execute / hand-written.
    pub fn execute_over_handwritten(&self) -> f64 {
        median_paired(&self.execute_s, &self.handwritten_s, |e, h| e / h)
    }

    /// Median execute time per node, ns.
    pub fn execute_per_node_ns(&self) -> f64 {
        1e9 * median(&self.execute_s) / self.n as f64
    }

    /// Median prepared-execute time per node, ns.
    pub fn prepared_per_node_ns(&self) -> f64 {
        1e9 * median(&self.prepared_s) / self.n as f64
    }

    /// Median floor-executor time per node, ns.
    pub fn floor_per_node_ns(&self) -> f64 {
        1e9 * median(&self.floor_s) / self.n as f64
    }

    /// Median over pairs of execute / floor.
    pub fn execute_over_floor(&self) -> f64 {
        median_paired(&self.execute_s, &self.floor_s, |e, f| e / f)
    }

    /// Median over pairs of prepared execute / floor.
    pub fn prepared_over_floor(&self) -> f64 {
        median_paired(&self.prepared_s, &self.floor_s, |e, f| e / f)
    }

    /// The row as the README documents it.
    pub fn to_json(&self) -> Value {
        json!({
            "lib": self.lib.as_str(),
            "shape": self.shape.as_str(),
            "n": self.n,
            "rows": self.rows,
            "reps": self.reps,
            "build_median_s": median(&self.build_s),
            "execute_median_s": median(&self.execute_s),
            "handwritten_median_s": median(&self.handwritten_s),
            "overhead_per_node_us_median": self.overhead_per_node_us(),
            "build_per_node_us": self.build_per_node_us(),
            "execute_over_handwritten": self.execute_over_handwritten(),
            "prepared_median_s": median(&self.prepared_s),
            "floor_median_s": median(&self.floor_s),
            "execute_per_node_ns": self.execute_per_node_ns(),
            "prepared_per_node_ns": self.prepared_per_node_ns(),
            "floor_per_node_ns": self.floor_per_node_ns(),
            "execute_over_floor": self.execute_over_floor(),
            "prepared_over_floor": self.prepared_over_floor(),
            "peak_rss_kib": self.peak_rss_kib,
        })
    }
}

/// Measures one (lib, shape, N). `min_sample` is the least duration of one sample (see the module
/// doc); `build_only` skips execute and the hand-written loop (their figures are then NaN, `null`
/// in the JSON). Errors for combinations that do not exist (macro-chain other than scalar N = 1000,
/// diamond with N not a multiple of 10).
pub fn measure(
    lib: Lib,
    shape: Shape,
    n: usize,
    rows: usize,
    reps: usize,
    min_sample: Duration,
    build_only: bool,
) -> Result<Row, String> {
    let reps = reps.max(1);
    let reset = reset_peak_rss();
    let mut row = if shape == Shape::MacroChain {
        if lib != Lib::Scalar || n != macro_chain::N {
            return Err(format!(
                "macro-chain exists for --lib scalar and N = {} only",
                macro_chain::N
            ));
        }
        let outputs = vec![macro_chain::last_node()];
        let hand = |x: &f64| vec![macro_chain::handwritten(*x)];
        run(
            &macro_chain::MODULE,
            &outputs,
            0.0_f64,
            Baselines { hand, floor: None },
            reps,
            min_sample,
            build_only,
        )?
    } else {
        let wl = Workload::new(shape, n)?;
        match lib {
            Lib::Scalar => workload::<f64>(&wl, rows, reps, min_sample, build_only)?,
            Lib::Polars => workload::<Series>(&wl, rows, reps, min_sample, build_only)?,
        }
    };
    row.lib = lib;
    row.shape = shape;
    row.n = n;
    row.rows = if lib == Lib::Scalar { 1 } else { rows };
    row.peak_rss_kib = if reset { peak_rss_kib() } else { None };
    Ok(row)
}

fn workload<V: Val>(
    wl: &Workload,
    rows: usize,
    reps: usize,
    min_sample: Duration,
    build_only: bool,
) -> Result<Row, String> {
    let module = wl.module::<V>();
    let floor = Floor::new::<V>(wl);
    run(
        &module,
        &wl.outputs,
        V::input(rows),
        Baselines {
            hand: |x: &V| wl.handwritten(x),
            floor: Some(&floor),
        },
        reps,
        min_sample,
        build_only,
    )
}

/// What an execute is compared with: the hand-written loop, and the floor executor (none for
/// macro-chain).
struct Baselines<'a, H> {
    hand: H,
    floor: Option<&'a Floor>,
}

fn run<V: Val>(
    module: &Module,
    outputs: &[String],
    x: V,
    baselines: Baselines<'_, impl Fn(&V) -> Vec<V>>,
    reps: usize,
    min_sample: Duration,
    build_only: bool,
) -> Result<Row, String> {
    let build = || {
        Driver::builder()
            .with_modules([module.clone()])
            .build()
            .map_err(|e| e.to_string())
    };
    // Warm-up build, which also sizes the samples.
    let started = Instant::now();
    let dr = build()?;
    let calls = batch_size(started.elapsed(), min_sample);
    let build_s: Vec<f64> = (0..reps)
        .map(|_| time_per_call_keep(calls, build))
        .collect();
    if build_only {
        return Ok(Row {
            lib: Lib::Scalar,
            shape: Shape::Chain,
            n: 0,
            rows: 0,
            reps,
            build_s,
            execute_s: Vec::new(),
            handwritten_s: Vec::new(),
            prepared_s: Vec::new(),
            floor_s: Vec::new(),
            calls_per_sample: 0,
            peak_rss_kib: None,
        });
    }

    let Baselines { hand, floor } = baselines;
    let execute = || {
        dr.execute(outputs, Inputs::new().set("x", x.clone()))
            .expect("the workload runs")
    };
    // Correctness: the library and the hand-written loop agree.
    let out = execute();
    let expected = hand(&x);
    // In request order (`Outputs::get` looks names up one by one, quadratic over 100k outputs).
    if out.len() != expected.len() {
        return Err(format!(
            "{} outputs, expected {}",
            out.len(),
            expected.len()
        ));
    }
    for ((name, got), (want_name, want)) in out.iter().zip(outputs.iter().zip(&expected)) {
        let same = got.downcast_ref::<V>().is_some_and(|g| g.same(want));
        if name != want_name || !same {
            return Err(format!(
                "{name}: the library and the hand-written loop disagree"
            ));
        }
    }
    drop((out, expected));

    let prepared = dr.prepare(outputs, &["x"]).map_err(|e| e.to_string())?;
    let prepared_execute = || {
        prepared
            .execute(Inputs::new().set("x", x.clone()))
            .expect("the workload runs")
    };
    let started = Instant::now();
    drop(execute());
    let calls_per_sample = batch_size(started.elapsed(), min_sample);
    let (execute_s, handwritten_s, prepared_s, floor_s) = match floor {
        Some(floor) => {
            let mut samples = rotated(
                reps,
                calls_per_sample,
                &mut [
                    &mut || drop(black_box(execute())),
                    &mut || drop(black_box(hand(&x))),
                    &mut || drop(black_box(prepared_execute())),
                    &mut || drop(black_box(floor.run(Box::new(x.clone())))),
                ],
            )
            .into_iter();
            let mut next = || samples.next().expect("four series");
            (next(), next(), next(), next())
        }
        None => {
            let (e, h) = paired(reps, calls_per_sample, execute, || hand(&x));
            let (p, _) = paired(reps, calls_per_sample, prepared_execute, || ());
            (e, h, p, Vec::new())
        }
    };
    Ok(Row {
        lib: Lib::Scalar,
        shape: Shape::Chain,
        n: 0,
        rows: 0,
        reps,
        build_s,
        execute_s,
        handwritten_s,
        prepared_s,
        floor_s,
        calls_per_sample,
        peak_rss_kib: None,
    })
}
