//! The three ways to run: a worker, a driver using the workers, and a local run.

use std::error::Error;
use std::time::{Duration, Instant};

use hamilton_core::remote::{DirStore, Remote, Worker};
use hamilton_core::{Driver, DriverBuilder};
use polars::prelude::DataFrame;

use crate::args::Args;
use crate::pipeline;

/// Takes partitions from the broker and computes them until the process is killed.
pub(crate) fn worker(args: &Args) -> Result<(), Box<dyn Error>> {
    let mut worker = Worker::new(args.broker.clone(), DirStore::new(&args.store)?)
        .with_builder(pipeline::builder())
        .name("distributed_features");
    if let Some(tasks) = args.concurrency {
        worker = worker.concurrency(tasks);
    }
    println!(
        "worker: taking partitions from {} (store {})",
        args.broker,
        args.store.display()
    );
    worker.run()?;
    Ok(())
}

/// Runs the dataflow with the partitions on the workers, and prints the features.
pub(crate) fn driver(args: &Args) -> Result<(), Box<dyn Error>> {
    let remote = Remote::new(args.broker.clone(), DirStore::new(&args.store)?)
        .items_per_task(args.items_per_task);
    run("driver", args, pipeline::builder().with_executor(remote))
}

/// Runs the dataflow in this process, and prints the features.
pub(crate) fn local(args: &Args) -> Result<(), Box<dyn Error>> {
    run("local", args, pipeline::builder())
}

fn run(mode: &str, args: &Args, builder: DriverBuilder) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let dr = builder.build()?;
    let built = started.elapsed();
    let (features, ran) = execute(&dr, args.rows, args.seed)?;
    let partitions = crate::partitions::plan(args.rows, args.seed).len();
    println!(
        "{mode}: {} rows in {partitions} partitions (seed {}) -> features {:?}",
        args.rows,
        args.seed,
        features.shape()
    );
    let head = features.head(Some(5));
    println!(
        "{}",
        head.select(["row", "region", "year", "week", "signups", "spend"])?
    );
    println!("{}", head.select(pipeline::FEATURES)?);
    println!(
        "{mode}: built in {:.3} s, ran in {:.3} s ({:.1} M rows/s)",
        built.as_secs_f64(),
        ran.as_secs_f64(),
        args.rows as f64 / ran.as_secs_f64().max(f64::EPSILON) / 1e6
    );
    Ok(())
}

/// The features of `rows` rows generated from `seed`, and how long the run took.
pub(crate) fn execute(
    dr: &Driver,
    rows: u64,
    seed: u64,
) -> Result<(DataFrame, Duration), Box<dyn Error>> {
    let started = Instant::now();
    let mut out = dr.execute(&[pipeline::OUTPUT], pipeline::inputs(rows, seed))?;
    let ran = started.elapsed();
    Ok((out.take::<DataFrame>(pipeline::OUTPUT)?, ran))
}
