//! The command line: the mode, then flags; the broker and the store also from the environment.

use std::path::PathBuf;

/// What the process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Takes partitions from the broker and computes them, until killed.
    Worker,
    /// Runs the dataflow with its partitions on the workers.
    Driver,
    /// Runs the dataflow in this process, one partition after another.
    Local,
}

/// The command line.
#[derive(Debug)]
pub(crate) struct Args {
    pub(crate) mode: Mode,
    /// Rows of the generated data set.
    pub(crate) rows: u64,
    /// The data set's seed.
    pub(crate) seed: u64,
    /// The broker's URL.
    pub(crate) broker: String,
    /// The result store's directory, shared by the driver and its workers.
    pub(crate) store: PathBuf,
    /// Partitions a worker computes at once (default: its cores).
    pub(crate) concurrency: Option<usize>,
    /// Partitions per task sent to a worker.
    pub(crate) items_per_task: usize,
}

pub(crate) const USAGE: &str =
    "usage: distributed_features worker|driver|local [--rows N] [--seed N] \
[--broker redis://HOST:PORT] [--store DIR] [--concurrency N] [--items-per-task N]
  worker  takes partitions from the broker and computes them, until killed
  driver  runs the dataflow on the workers and prints the features
  local   runs the same dataflow in this process
The broker and the store default to $HAMILTON_BROKER (else redis://127.0.0.1:6379) and
$HAMILTON_STORE (else a directory in the system's temporary directory).";

/// Reads the command line from `args` (without the program's name), with defaults from `env`.
pub(crate) fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Args, String> {
    let mut it = args.into_iter();
    let mode = match it.next().as_deref() {
        Some("worker") => Mode::Worker,
        Some("driver") => Mode::Driver,
        Some("local") => Mode::Local,
        Some(other) => {
            return Err(format!(
                "unknown mode `{other}`: the first argument is `worker`, `driver` or `local`\n{USAGE}"
            ));
        }
        None => return Err(format!("no mode given\n{USAGE}")),
    };
    let mut args = Args {
        mode,
        rows: 20_000_000,
        seed: 42,
        broker: env("HAMILTON_BROKER").unwrap_or_else(|| "redis://127.0.0.1:6379".to_string()),
        store: env("HAMILTON_STORE").map_or_else(
            || std::env::temp_dir().join("hamilton-distributed-features"),
            PathBuf::from,
        ),
        concurrency: None,
        items_per_task: 1,
    };
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--rows" => args.rows = number(&flag, &value()?)?,
            "--seed" => args.seed = number(&flag, &value()?)?,
            "--broker" => args.broker = value()?,
            "--store" => args.store = value()?.into(),
            "--concurrency" => args.concurrency = Some(number(&flag, &value()?)?),
            "--items-per-task" => args.items_per_task = number(&flag, &value()?)?,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("{flag} takes a whole number, e.g. `{flag} 20000000`; got `{text}`"))
}
