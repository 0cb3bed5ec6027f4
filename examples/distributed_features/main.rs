//! The marketing features over a generated data set of tens of millions of rows, partitioned
//! by region and year, each partition generated and computed on a worker process.
//!
//! ```text
//! redis-server --port 6379 --save '' --daemonize yes
//! cargo run --release --example distributed_features -- worker &   # as many as you like,
//! cargo run --release --example distributed_features -- worker &   # on any machine
//! cargo run --release --example distributed_features -- driver --rows 20000000
//! cargo run --release --example distributed_features -- local --rows 20000000  # no workers
//! ```
//!
//! The driver fans out one small item per (region, year): the partition's row range and its
//! random stream, not its rows. The worker that takes an item generates the partition's rows
//! as a Polars `DataFrame`, computes the marketing features on it (the same `#[node]`
//! functions as `marketing_features`, whose module this example reuses) and hands the
//! partition's features back through the result store; the driver stacks them into one frame.
//! Workers and driver must share the broker (`--broker`, `$HAMILTON_BROKER`) and the store
//! directory (`--store`, `$HAMILTON_STORE`; a directory every machine mounts). See
//! `hamilton_core::remote` for how tasks, values and failures travel.

mod args;
#[path = "../marketing_features/calendar.rs"]
mod calendar;
#[path = "../marketing_features/features.rs"]
mod features;
mod generate;
mod modes;
mod partitions;
mod pipeline;
#[cfg(test)]
mod tests;

use args::Mode;

fn main() {
    let args = match args::parse(std::env::args().skip(1), |key| std::env::var(key).ok()) {
        Ok(args) => args,
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let result = match args.mode {
        Mode::Worker => modes::worker(&args),
        Mode::Driver => modes::driver(&args),
        Mode::Local => modes::local(&args),
    };
    if let Err(e) = result {
        // A broker that cannot be reached, workers that never came: the message says which,
        // and what to do.
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
