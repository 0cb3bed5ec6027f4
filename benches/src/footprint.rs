//! Memory per node: what a graph of N scalar nodes keeps alive, each variant measured in a
//! fresh child process as the growth of its resident set (`VmRSS`) from just after the
//! workload's description is made to just after the variant is built, and (with jemalloc) as
//! the growth of the allocator's live bytes over the same span (`allocated_bytes_per_node`),
//! which does not count pages the allocator kept from earlier frees. The resident set of a
//! variant that frees temporaries while it is built (the module's, reused by the driver's)
//! can grow less than what it keeps: the allocated figure is the one to compare.
//!
//! Variants:
//! - `floor`: the floor executor's compiled steps (one boxed closure, its argument slots and
//!   the slots it frees per node; see [`crate::floor`]);
//! - `module`: the nodes alone (a [`hamilton_core::Module`] of `Node`s, as the benches build
//!   them with `Node::builder`);
//! - `driver`: the module handed to a driver, the driver built, and the request of every
//!   output prepared (its plan made): what a program serving that request holds.
//!
//! `driver − module` is the driver and its plan beside the nodes a program defined anyway.

use std::any::Any;
use std::hint::black_box;

use hamilton_core::Driver;
use serde_json::{Value, json};

use crate::dags::{Shape, Workload};
use crate::floor::Floor;
use crate::measure::{allocated_bytes, rss_kib};

/// The variants, in report order.
pub const VARIANTS: [&str; 3] = ["floor", "module", "driver"];

/// Builds `variant` for a graph of `shape` and `n` nodes in this process; its growth of the
/// resident set, in bytes per node.
pub fn probe(variant: &str, shape: Shape, n: usize) -> Result<Value, String> {
    let wl = Workload::new(shape, n)?;
    let allocated_before = allocated_bytes();
    let before = rss_kib().ok_or("no /proc/self/status")?;
    let kept: Box<dyn Any> = match variant {
        "floor" => Box::new(Floor::new::<f64>(&wl)),
        "module" => Box::new(wl.module::<f64>()),
        "driver" => {
            let dr = Driver::builder()
                .with_modules([wl.module::<f64>()])
                .build()
                .map_err(|e| e.to_string())?;
            let built = allocated_bytes();
            let prepared = dr.prepare(&wl.outputs, &["x"]).map_err(|e| e.to_string())?;
            let after = rss_kib().ok_or("no /proc/self/status")?;
            let allocated = allocated_bytes().zip(allocated_before).map(|(a, b)| a - b);
            black_box((&dr, &prepared));
            let mut line = line(variant, shape, n, before, after, allocated);
            // What the plan and the prepared request add to the built driver.
            line["allocated_plan_bytes_per_node"] = json!(
                allocated_bytes()
                    .zip(built)
                    .map(|(a, b)| a.saturating_sub(b) as f64 / n as f64)
            );
            return Ok(line);
        }
        other => return Err(format!("unknown footprint variant `{other}`")),
    };
    let after = rss_kib().ok_or("no /proc/self/status")?;
    let allocated = allocated_bytes().zip(allocated_before).map(|(a, b)| a - b);
    black_box(&kept);
    Ok(line(variant, shape, n, before, after, allocated))
}

/// `allocated`: the growth of the allocator's live bytes over the same span (with jemalloc).
fn line(
    variant: &str,
    shape: Shape,
    n: usize,
    before: u64,
    after: u64,
    allocated: Option<u64>,
) -> Value {
    json!({
        "variant": variant,
        "shape": shape.to_string(),
        "n": n,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "bytes_per_node": (after.saturating_sub(before) * 1024) as f64 / n as f64,
        "allocated_bytes_per_node": allocated.map(|a| a as f64 / n as f64),
    })
}

/// Runs `variant` in a fresh child process (this executable, hidden `footprint-probe`
/// subcommand) and returns its JSON line.
///
/// The child runs jemalloc without thread caches (`tcache:false`): jemalloc counts the blocks a
/// thread cache holds as allocated, which added 130–200 KB to each variant (13–20 B per node at
/// N = 10,000; 1.3 KB at 100). Without them `allocated_bytes_per_node` is what the variant
/// keeps.
pub fn run_child(variant: &str, shape: Shape, n: usize) -> Result<Value, String> {
    let (shape, n) = (shape.to_string(), n.to_string());
    crate::measure::child_json_with_env(
        &[
            "footprint-probe",
            "--variant",
            variant,
            "--shape",
            &shape,
            "--n",
            &n,
        ],
        &[("_RJEM_MALLOC_CONF", "tcache:false")],
    )
}
