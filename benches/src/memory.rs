//! The peak-memory scenario: a chain of 50 nodes over a 10M-row Float64 `Series`, each variant in
//! a fresh process so that its peak RSS (`VmHWM`) is its own.
//!
//! Variants:
//! - `hamilton`: the library, sequential executor (frees each value after its last use);
//! - `hamilton-parallel`: the library with `with_parallelism(2)`;
//! - `hand`: the hand-written loop that drops each intermediate after its last use;
//! - `hand-keep-all`: the hand-written loop that keeps every intermediate (what not freeing costs).

use hamilton_core::{Driver, Inputs};
use polars::prelude::Series;
use serde_json::{Value, json};

use crate::dags::{Shape, Val, Workload};
use crate::measure::{peak_rss_kib, reset_peak_rss, rss_kib};

/// The variants, in report order.
pub const VARIANTS: [&str; 4] = ["hamilton", "hamilton-parallel", "hand", "hand-keep-all"];

/// Runs one variant in this process and returns what it measured: `peak_rss_kib` (VmHWM at the
/// end; exec starts it afresh), `before_run_rss_kib` (RSS once the input exists and the driver is
/// built) and the input's own size.
pub fn probe(variant: &str, n: usize, rows: usize) -> Result<Value, String> {
    let wl = Workload::new(Shape::Chain, n)?;
    let x = Series::input(rows);
    let dr = match variant {
        "hamilton" => Some(
            Driver::builder()
                .with_modules([wl.module::<Series>()])
                .build(),
        ),
        "hamilton-parallel" => Some(
            Driver::builder()
                .with_modules([wl.module::<Series>()])
                .with_parallelism(2)
                .build(),
        ),
        "hand" | "hand-keep-all" => None,
        _ => {
            return Err(format!(
                "unknown variant `{variant}`; expected one of {VARIANTS:?}"
            ));
        }
    }
    .transpose()
    .map_err(|e| e.to_string())?;
    let before = rss_kib();
    let reset = reset_peak_rss();
    let last = match (&dr, variant) {
        (Some(dr), _) => {
            let mut out = dr
                .execute(&wl.outputs, Inputs::new().set("x", x.clone()))
                .map_err(|e| e.to_string())?;
            out.take::<Series>(&wl.outputs[0])
                .map_err(|e| e.to_string())?
        }
        (None, "hand") => wl.handwritten(&x).remove(0),
        _ => keep_all(&wl, &x),
    };
    let peak = peak_rss_kib();
    let expected = Workload::new(Shape::Chain, n)?.handwritten(&x.head(Some(3)));
    if !last.head(Some(3)).same(&expected[0]) {
        return Err("wrong result".into());
    }
    Ok(json!({
        "variant": variant,
        "n": n,
        "rows": rows,
        "peak_rss_kib": peak,
        "before_run_rss_kib": before,
        "peak_reset": reset,
        "series_kib": rows * 8 / 1024,
    }))
}

/// The hand-written chain keeping every intermediate alive until the end.
fn keep_all(wl: &Workload, x: &Series) -> Series {
    let mut all: Vec<Series> = Vec::with_capacity(wl.n);
    for i in 0..wl.n {
        let prev = if i == 0 { x } else { &all[i - 1] };
        let next = crate::dags::eval1(wl.specs[i].op, prev);
        all.push(next);
    }
    all.pop().expect("n > 0")
}

/// Runs `variant` in a fresh child process (this executable, hidden `memory-probe` subcommand)
/// and returns its JSON line.
pub fn run_child(variant: &str, n: usize, rows: usize) -> Result<Value, String> {
    let (n, rows) = (n.to_string(), rows.to_string());
    crate::measure::child_json(&[
        "memory-probe",
        "--variant",
        variant,
        "--n",
        &n,
        "--rows",
        &rows,
    ])
}
