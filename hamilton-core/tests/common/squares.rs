//! A cached dataflow of two nodes for the cache tests: `sq` (a `Vec<f64>` of the squares of
//! `0..x`) and `total` (their sum), counting the calls of `sq`.

use std::sync::{Arc, Mutex};

use hamilton_core::cache::CacheOptions;
use hamilton_core::{
    Driver,
    node::{Args, Node},
};

/// How many times `sq` ran.
pub(crate) type Calls = Arc<Mutex<usize>>;

/// The dataflow, cached with `options`, counting `sq`'s calls in `calls`.
pub(crate) fn driver(options: CacheOptions, calls: &Calls) -> Driver {
    let calls = calls.clone();
    Driver::builder()
        .with_nodes([
            Node::builder("sq")
                .code_version(1)
                .param::<i64>("x")
                .build(move |a: &Args| {
                    *calls.lock().unwrap() += 1;
                    let x = *a.get::<i64>(0)?;
                    Ok((0..x).map(|i| (i * i) as f64).collect::<Vec<f64>>())
                }),
            Node::builder("total")
                .code_version(1)
                .param::<Vec<f64>>("sq")
                .build(|a: &Args| Ok(a.get::<Vec<f64>>(0)?.iter().sum::<f64>())),
        ])
        .with_cache(options)
        .build()
        .unwrap()
}
