//! The marketing-spend features of Hamilton's original talk, with Polars.
//!
//! ```text
//! cargo run --release --example marketing_features                 # eager: Series nodes
//! cargo run --release --example marketing_features -- --lazy        # expression mode: Expr nodes, one plan
//! cargo run --release --example marketing_features -- --region US   # another holiday calendar
//! cargo run --release --example marketing_features -- --data my.csv # another file (year,week,signups,spend)
//! cargo run --release --example marketing_features -- --track runs.sqlite # record the run
//! ```
//!
//! Loads `examples/data/marketing_spend.csv`, extracts its columns as nodes, checks them, computes
//! the features, saves them as Parquet through the materialization API and prints them, and
//! writes the dataflow as DOT (and SVG when Graphviz's `dot` is on the PATH), all next to the
//! example's binary. With `--track FILE`, the run, each node's status, timing and a summary of
//! its value are recorded in the SQLite file `FILE` (see `hamilton_core::track`).

mod calendar;
mod features;
mod lazy_features;
mod pipeline;
#[cfg(test)]
mod tests;

use hamilton_core::diagram::{Draw, Format};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

use hamilton_core::Driver;
use hamilton_core::track::Tracker;
use pipeline::Mode;
use polars::prelude::DataFrame;

/// The command line.
struct Args {
    mode: Mode,
    region: String,
    data: PathBuf,
    /// The tracker database to record the run in, if any.
    track: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        mode: Mode::Eager,
        region: "UK".to_string(),
        data: Path::new(env!("CARGO_MANIFEST_DIR")).join("data/marketing_spend.csv"),
        track: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--lazy" => args.mode = Mode::Lazy,
            "--eager" => args.mode = Mode::Eager,
            "--region" => {
                args.region = it
                    .next()
                    .ok_or("--region needs a value, e.g. `--region UK`")?
            }
            "--data" => args.data = it.next().ok_or("--data needs a path to a CSV file")?.into(),
            "--track" => {
                args.track = Some(
                    it.next()
                        .ok_or("--track needs a path to a SQLite file, e.g. `--track runs.sqlite`")?
                        .into(),
                )
            }
            "-h" | "--help" => {
                println!(
                    "usage: marketing_features [--lazy] [--region UK|US|..] [--data FILE.csv] [--track FILE.sqlite]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`; try --help")),
        }
    }
    Ok(args)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let mut builder = pipeline::builder(args.mode, &args.region)?;
    let tracker = match &args.track {
        Some(path) => Some(Tracker::open(path)?),
        None => None,
    };
    if let Some(tracker) = &tracker {
        builder = builder.with_tracker(tracker.clone());
    }
    let dr = builder.build()?;
    let saved_to = output_dir().join("marketing_features.parquet");
    let (features, saved) = pipeline::materialize(&dr, args.mode, &args.data, &saved_to)?;

    println!(
        "mode: {:?}, region: {}, data: {}",
        args.mode,
        args.region,
        args.data.display()
    );
    print_features(&features.frame)?;
    for report in &features.checks {
        println!("{report}");
    }
    println!(
        "features saved: {saved} (content hash {})",
        saved.content_hash
    );
    write_diagram(&dr)?;
    if let Some(tracker) = tracker {
        tracker.flush();
        println!("run recorded in {}", tracker.path().display());
    }
    Ok(())
}

/// Where the example writes its files: next to its binary.
fn output_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Prints the weekly features, then the spend statistics, so each view fits a terminal.
fn print_features(frame: &DataFrame) -> Result<(), Box<dyn Error>> {
    let weekly = frame.select([
        "year",
        "week",
        "holidays",
        "spend",
        "signups",
        "avg_3wk_spend",
        "spend_per_signup",
    ])?;
    let scaled = frame.select([
        "spend_shift_3weeks",
        "spend_shift_3weeks_per_signup",
        "spend_zero_mean",
        "spend_zero_mean_unit_variance",
    ])?;
    let scalar = |name: &str| -> Result<f64, Box<dyn Error>> {
        Ok(frame.column(name)?.f64()?.get(0).unwrap_or(f64::NAN))
    };
    println!("{weekly}");
    println!("{scaled}");
    println!(
        "spend_mean = {:.2}, spend_std_dev = {:.2} ({} rows)",
        scalar("spend_mean")?,
        scalar("spend_std_dev")?,
        frame.height()
    );
    Ok(())
}

/// Writes the dataflow as DOT, and as SVG when Graphviz is installed, next to the binary.
fn write_diagram(dr: &Driver) -> Result<(), Box<dyn Error>> {
    let dot_path = output_dir().join("marketing_features.dot");
    std::fs::write(&dot_path, dr.diagram(Draw::Graph, Format::Dot))?;
    println!("dataflow (DOT): {}", dot_path.display());
    let svg_path = dot_path.with_extension("svg");
    match Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_path)
        .arg("-o")
        .arg(&svg_path)
        .status()
    {
        Ok(status) if status.success() => println!("dataflow (SVG): {}", svg_path.display()),
        Ok(status) => println!("note: `dot -Tsvg` failed ({status}); no SVG written"),
        Err(_) => println!(
            "note: Graphviz `dot` is not on the PATH; no SVG written (the DOT file is enough for any Graphviz viewer)"
        ),
    }
    Ok(())
}
