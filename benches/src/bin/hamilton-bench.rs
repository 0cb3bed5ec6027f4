//! `hamilton-bench`: the Rust side of `../shared/bench` (see `BENCHMARKS.md`).
//!
//! ```text
//! hamilton-bench overhead --lib scalar --shapes chain,wide,diamond --sizes 10,100,1000 --out f.json
//! hamilton-bench features --rows 100000,1000000,10000000 --reps 9 --out g.json
//! hamilton-bench memory --n 50 --rows 10000000 --out m.json
//! hamilton-bench footprint --sizes 100000,1000000 --out fp.json
//! hamilton-bench parallel --out p.json
//! hamilton-bench once --variant hamilton-lazy --rows 1000000
//! hamilton-bench macro-cost --nodes 1000 --reps 3
//! hamilton-bench distributed --workers 2 --out d.json
//! ```

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use hamilton_benches::dags::{Lib, Shape};
use hamilton_benches::{
    distributed, features, footprint, macro_cost, measure, memory, overhead, parallel, report,
    shapes, shared,
};
use serde_json::{Value, json};

/// Benchmarks of hamilton-rs, speaking the JSON of ../shared/bench/README.md.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Framework overhead on synthetic DAGs: graph build, execute, hand-written loop.
    Overhead {
        /// `scalar` (plain f64) and/or `polars` (Float64 Series), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "scalar")]
        lib: Vec<Lib>,
        /// chain, wide, diamond, and macro-chain (1,000 generated `#[node]` functions; scalar,
        /// N = 1000 only).
        #[arg(long, value_delimiter = ',', default_value = "chain,wide,diamond")]
        shapes: Vec<Shape>,
        /// Numbers of computed nodes.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "10,100,1000,10000,100000"
        )]
        sizes: Vec<usize>,
        /// Rows of the input Series (polars).
        #[arg(long, default_value_t = 1)]
        rows: usize,
        /// Timed samples after one warm-up.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Least duration of one sample in ms: short calls are repeated back to back and
        /// averaged (0: one call per sample, as the Python side does).
        #[arg(long, default_value_t = 10.0)]
        min_sample_ms: f64,
        /// Measure the graph build only (for N up to 1,000,000 and beyond); execute figures are
        /// `null`.
        #[arg(long)]
        build_only: bool,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The marketing-spend feature workload: library vs hand-written, eager and lazy.
    Features {
        /// Row counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000,10000000")]
        rows: Vec<usize>,
        /// Timed reps after one warm-up.
        #[arg(long, default_value_t = 9)]
        reps: usize,
        /// Seed of the data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Peak RSS of a chain over a large Series: library vs hand-written, one child process per
    /// variant.
    Memory {
        /// Nodes in the chain.
        #[arg(long, default_value_t = 50)]
        n: usize,
        /// Rows of the Float64 Series.
        #[arg(long, default_value_t = 10_000_000)]
        rows: usize,
        /// Child processes per variant (the median peak is reported).
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Memory per node: what a graph of N scalar nodes keeps alive (the floor executor's steps,
    /// the nodes alone, the nodes with a built driver and a prepared plan), one child process per
    /// variant and size.
    Footprint {
        /// chain, wide and/or diamond, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "chain,wide,diamond")]
        shapes: Vec<Shape>,
        /// Numbers of computed nodes.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        sizes: Vec<usize>,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One footprint variant in this process (used by `footprint`).
    #[command(hide = true)]
    FootprintProbe {
        #[arg(long)]
        variant: String,
        #[arg(long)]
        shape: Shape,
        #[arg(long)]
        n: usize,
    },
    /// One memory variant in this process (used by `memory`).
    #[command(hide = true)]
    MemoryProbe {
        #[arg(long)]
        variant: String,
        #[arg(long)]
        n: usize,
        #[arg(long)]
        rows: usize,
    },
    /// Parallel executor: speed-up on CPU-bound nodes, and its own cost per node.
    Parallel {
        /// Independent CPU-bound nodes.
        #[arg(long, default_value_t = 8)]
        nodes: usize,
        /// Work per node, ms.
        #[arg(long, default_value_t = 30)]
        node_ms: u64,
        /// Threads of the parallel driver.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Timed pairs after one warm-up.
        #[arg(long, default_value_t = 7)]
        reps: usize,
        /// Nodes of the wide graph of trivial nodes.
        #[arg(long, default_value_t = 10_000)]
        wide_n: usize,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One driver executed by 1 thread, then by several at once (plain execute, a prepared
    /// request, the floor executor): the scaling of the call rate.
    Shared {
        /// Nodes of the scalar wide graph.
        #[arg(long, default_value_t = 1000)]
        n: usize,
        /// Numbers of requested outputs, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
        outputs: Vec<usize>,
        /// Threads sharing the driver.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Duration of one rate measurement, ms.
        #[arg(long, default_value_t = 300)]
        ms: u64,
        /// Alternations of 1-thread and many-thread measurements (the median is reported).
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Many distinct one-output requests on one driver, round-robin, against each one with its
    /// plan cached; and the time to plan a one-output request.
    Shapes {
        /// chain and/or wide, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "chain,wide")]
        shapes: Vec<Shape>,
        /// Numbers of computed nodes.
        #[arg(long, value_delimiter = ',', default_value = "1000,100000")]
        sizes: Vec<usize>,
        /// Distinct requests, round-robin.
        #[arg(long, default_value_t = 512)]
        requests: usize,
        /// Timed rounds after one warm-up.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Where to write the JSON.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One features variant, once, in a fresh process: data, driver build, one execute (time the
    /// whole process from outside).
    Once {
        /// hamilton-eager, hamilton-lazy, hand-eager or hand-lazy.
        #[arg(long, default_value = "hamilton-lazy")]
        variant: String,
        /// Rows of the frame.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Seed of the data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// The compile cost of `#[node]`: `cargo check` of a generated crate of N `#[node]` functions
    /// against the same crate without the attribute, clean and after editing one function.
    MacroCost {
        /// Functions in each crate.
        #[arg(long, default_value_t = 1000)]
        nodes: usize,
        /// Timed `cargo check`s of each kind (the median is reported).
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// Where to write the two crates and their target directory (default: a temporary
        /// directory).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Build proc macros optimised in both crates (`[profile.dev.build-override]
        /// opt-level = 3`).
        #[arg(long)]
        optimized_macros: bool,
        /// Write `#[node(wired(except(x)))]` instead of `#[node]`: the cost of the compile-time
        /// wiring check.
        #[arg(long)]
        wired: bool,
    },
    /// The same dataflow on worker processes through a real Redis server (`redis-server` must be
    /// installed): CPU-bound fan-out items against the local sequential executor, the round
    /// trip of an empty remote task, a 10 MB frame to a worker and back.
    Distributed {
        /// Worker processes (each runs one task at a time).
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Fan-out items.
        #[arg(long, default_value_t = 64)]
        tasks: u64,
        /// CPU time of one item, in ms.
        #[arg(long, default_value_t = 50)]
        task_ms: u64,
        /// Fan-out items per task.
        #[arg(long, default_value_t = 1)]
        items_per_task: usize,
        /// Timed runs of each kind (the median is reported).
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// Empty remote tasks timed.
        #[arg(long, default_value_t = 100)]
        pings: usize,
        /// Write the JSON results here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A worker of the `distributed` scenario (started by it).
    #[command(hide = true)]
    DistributedWorker {
        #[arg(long)]
        url: String,
        #[arg(long)]
        store: PathBuf,
    },
}

/// jemalloc's configuration for the benchmarks: never hand freed pages back to the OS. On this
/// kind of VM, touching fresh pages costs more than the work at 10M rows (about 0.13 s per
/// 800 MB), and jemalloc's default decay returns freed 80 MB buffers within seconds, so every
/// run would pay those page faults again. Python Polars tunes its jemalloc as well.
#[cfg(feature = "jemalloc")]
const JEMALLOC_CONF: &str = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

/// jemalloc reads its configuration from `_RJEM_MALLOC_CONF` when the process starts, so when it
/// is not set the binary runs itself again with it set (an `exec`: same process id, and `VmHWM`
/// starts afresh). Set `_RJEM_MALLOC_CONF` yourself (even to an empty string) to choose otherwise.
#[cfg(all(feature = "jemalloc", unix))]
fn reexec_with_jemalloc_conf() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("_RJEM_MALLOC_CONF").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("_RJEM_MALLOC_CONF", JEMALLOC_CONF)
        .exec();
    eprintln!("warning: could not re-run with _RJEM_MALLOC_CONF={JEMALLOC_CONF}: {err}");
}

fn main() -> ExitCode {
    #[cfg(all(feature = "jemalloc", unix))]
    reexec_with_jemalloc_conf();
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(out: Option<&PathBuf>, results: Vec<Value>) -> Result<(), String> {
    if let Some(path) = out {
        let doc = json!({ "versions": report::versions(), "results": results });
        report::write_json(path, &doc).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("JSON written to {}", path.display());
    }
    Ok(())
}

fn run(command: Command) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful figures");
    }
    match command {
        Command::Overhead {
            lib,
            shapes,
            sizes,
            rows,
            reps,
            min_sample_ms,
            build_only,
            out,
        } => {
            let min_sample = Duration::from_secs_f64(min_sample_ms.max(0.0) / 1e3);
            println!(
                "| lib | shape | N | build ms | build µs/node | execute ms | hand-written ms | execute/hand | overhead µs/node | execute ns/node | prepared ns/node | floor ns/node | execute/floor | prepared/floor | calls/sample | peak RSS MiB |"
            );
            println!(
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            );
            let mut results = Vec::new();
            for &l in &lib {
                for &shape in &shapes {
                    for &n in &sizes {
                        let row = match overhead::measure(
                            l, shape, n, rows, reps, min_sample, build_only,
                        ) {
                            Ok(row) => row,
                            Err(e) => {
                                eprintln!("skipped {l} {shape} {n}: {e}");
                                continue;
                            }
                        };
                        println!(
                            "| {l} | {shape} | {n} | {:.3} | {:.3} | {:.4} | {:.4} | {:.2} | {:.4} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} | {} | {:.1} |",
                            1e3 * measure::median(&row.build_s),
                            row.build_per_node_us(),
                            1e3 * measure::median(&row.execute_s),
                            1e3 * measure::median(&row.handwritten_s),
                            row.execute_over_handwritten(),
                            row.overhead_per_node_us(),
                            row.execute_per_node_ns(),
                            row.prepared_per_node_ns(),
                            row.floor_per_node_ns(),
                            row.execute_over_floor(),
                            row.prepared_over_floor(),
                            row.calls_per_sample,
                            row.peak_rss_kib.unwrap_or(0) as f64 / 1024.0,
                        );
                        results.push(row.to_json());
                    }
                }
            }
            write(out.as_ref(), results)
        }
        Command::Features {
            rows,
            reps,
            seed,
            out,
        } => {
            let drivers = features::Drivers::new();
            println!(
                "| rows | hamilton-eager ms | hamilton-lazy ms | hand-eager ms | hand-lazy ms | H-eager / hand-eager | H-lazy / hand-eager | H-lazy / hand-lazy |"
            );
            println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
            let mut results = Vec::new();
            let mut problems = Vec::new();
            for r in rows {
                let t = features::measure(&drivers, r, reps, seed);
                let ms = |v: &str| 1e3 * t.median_s(v);
                println!(
                    "| {r} | {:.2} | {:.2} | {:.2} | {:.2} | {:.3} | {:.3} | {:.3} |",
                    ms("hamilton-eager"),
                    ms("hamilton-lazy"),
                    ms("hand-eager"),
                    ms("hand-lazy"),
                    t.paired_ratio("hamilton-eager", "hand-eager"),
                    t.paired_ratio("hamilton-lazy", "hand-eager"),
                    t.paired_ratio("hamilton-lazy", "hand-lazy"),
                );
                problems.extend(t.problems.iter().map(|p| format!("rows={r}: {p}")));
                results.push(t.to_json());
            }
            write(out.as_ref(), results)?;
            if problems.is_empty() {
                eprintln!("correctness: all variants agree");
                Ok(())
            } else {
                Err(format!("the variants disagree: {problems:?}"))
            }
        }
        Command::Shared {
            n,
            outputs,
            threads,
            ms,
            reps,
            out,
        } => {
            let rows = shared::measure(n, &outputs, threads, Duration::from_millis(ms), reps)?;
            println!(
                "| outputs | execute calls/s | execute {threads}-thread scaling | prepared calls/s | prepared scaling | floor calls/s | floor scaling |"
            );
            println!("|---:|---:|---:|---:|---:|---:|---:|");
            for r in &rows {
                let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
                println!(
                    "| {} | {:.0} | {:.2} | {:.0} | {:.2} | {:.0} | {:.2} |",
                    r["outputs"],
                    f("execute_calls_per_s_1_thread"),
                    f("execute_scaling"),
                    f("prepared_calls_per_s_1_thread"),
                    f("prepared_scaling"),
                    f("floor_calls_per_s_1_thread"),
                    f("floor_scaling"),
                );
            }
            write(out.as_ref(), rows)
        }
        Command::Shapes {
            shapes: which,
            sizes,
            requests,
            reps,
            out,
        } => {
            println!(
                "| shape | N | distinct requests | round-robin µs/execute | cached µs/execute | ratio | plan one output µs |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|");
            let mut rows = Vec::new();
            for &shape in &which {
                for &n in &sizes {
                    let r = shapes::measure(shape, n, requests, reps)?;
                    let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
                    println!(
                        "| {shape} | {n} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                        r["distinct_requests"],
                        f("round_robin_us_per_execute"),
                        f("cached_us_per_execute"),
                        f("round_robin_over_cached"),
                        f("plan_one_output_us"),
                    );
                    rows.push(r);
                }
            }
            write(out.as_ref(), rows)
        }
        Command::Memory { n, rows, reps, out } => {
            println!(
                "| variant | peak RSS MiB (median of {reps}) | RSS before run MiB | peak / hand |"
            );
            println!("|---|---:|---:|---:|");
            let mut peaks = Vec::new();
            let mut results = Vec::new();
            for v in memory::VARIANTS {
                let mut runs = Vec::new();
                for _ in 0..reps.max(1) {
                    runs.push(memory::run_child(v, n, rows)?);
                }
                let kib = |r: &Value, k: &str| r[k].as_f64().unwrap_or(f64::NAN);
                let peak = measure::median(
                    &runs
                        .iter()
                        .map(|r| kib(r, "peak_rss_kib"))
                        .collect::<Vec<_>>(),
                );
                let before = measure::median(
                    &runs
                        .iter()
                        .map(|r| kib(r, "before_run_rss_kib"))
                        .collect::<Vec<_>>(),
                );
                peaks.push(peak);
                results.push(json!({
                    "scenario": "memory",
                    "variant": v,
                    "n": n,
                    "rows": rows,
                    "reps": reps,
                    "peak_rss_kib": peak,
                    "before_run_rss_kib": before,
                    "runs": runs,
                }));
            }
            let hand = peaks[memory::VARIANTS
                .iter()
                .position(|v| *v == "hand")
                .expect("hand")];
            for (i, v) in memory::VARIANTS.iter().enumerate() {
                let before = results[i]["before_run_rss_kib"]
                    .as_f64()
                    .unwrap_or(f64::NAN);
                println!(
                    "| {v} | {:.1} | {:.1} | {:.3} |",
                    peaks[i] / 1024.0,
                    before / 1024.0,
                    peaks[i] / hand
                );
                results[i]["peak_over_hand"] = json!(peaks[i] / hand);
            }
            write(out.as_ref(), results)
        }
        Command::Footprint { shapes, sizes, out } => {
            println!(
                "| shape | N | floor B/node | module B/node | driver (module, driver, plan) B/node | driver − module B/node | (driver − module) / floor | driver / floor | allocated: floor B/node | allocated: driver − module B/node | allocated: (driver − module) / floor |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            let mut results = Vec::new();
            for &shape in &shapes {
                for &n in &sizes {
                    let mut per_node = Vec::new();
                    let mut allocated = Vec::new();
                    for v in footprint::VARIANTS {
                        let r = footprint::run_child(v, shape, n)?;
                        per_node.push(r["bytes_per_node"].as_f64().unwrap_or(f64::NAN));
                        allocated.push(r["allocated_bytes_per_node"].as_f64().unwrap_or(f64::NAN));
                        results.push(r);
                    }
                    let (floor, module, driver) = (per_node[0], per_node[1], per_node[2]);
                    let (a_floor, a_module, a_driver) = (allocated[0], allocated[1], allocated[2]);
                    println!(
                        "| {shape} | {n} | {floor:.0} | {module:.0} | {driver:.0} | {:.0} | {:.2} | {:.2} | {a_floor:.0} | {:.0} | {:.2} |",
                        driver - module,
                        (driver - module) / floor,
                        driver / floor,
                        a_driver - a_module,
                        (a_driver - a_module) / a_floor,
                    );
                }
            }
            write(out.as_ref(), results)
        }
        Command::FootprintProbe { variant, shape, n } => {
            let v = footprint::probe(&variant, shape, n)?;
            println!("{v}");
            Ok(())
        }
        Command::MemoryProbe { variant, n, rows } => {
            let v = memory::probe(&variant, n, rows)?;
            println!("{v}");
            Ok(())
        }
        Command::Parallel {
            nodes,
            node_ms,
            threads,
            reps,
            wide_n,
            out,
        } => {
            let s = parallel::speedup(nodes, Duration::from_millis(node_ms), threads, reps);
            println!(
                "CPU-bound: {nodes} nodes of ~{node_ms} ms: sequential {:.1} ms, parallel({threads}) {:.1} ms, speed-up {:.2}×",
                1e3 * s["sequential_median_s"].as_f64().unwrap_or(f64::NAN),
                1e3 * s["parallel_median_s"].as_f64().unwrap_or(f64::NAN),
                s["speedup_median_of_paired"].as_f64().unwrap_or(f64::NAN),
            );
            let o = parallel::executor_overhead(wide_n, threads, reps, Duration::from_millis(5));
            println!(
                "Executor overhead, wide N={wide_n} of trivial nodes: sequential {:.4} µs/node, parallel({threads}) {:.4} µs/node ({:.2}× the sequential overhead)",
                o["sequential_overhead_per_node_us"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                o["parallel_overhead_per_node_us"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                o["parallel_over_sequential_overhead"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
            );
            write(out.as_ref(), vec![s, o])
        }
        Command::Distributed {
            workers,
            tasks,
            task_ms,
            items_per_task,
            reps,
            pings,
            out,
        } => {
            let r = distributed::run(workers, tasks, task_ms, items_per_task, reps, pings)?;
            println!(
                "{tasks} CPU-bound items of ~{task_ms} ms: local sequential {:.0} ms, {workers} workers {:.0} ms, speed-up {:.2}×; empty remote task {:.1} ms; 10 MB frame to a worker and back {:.1} ms",
                1e3 * r["local_sequential_median_s"].as_f64().unwrap_or(f64::NAN),
                1e3 * r["remote_median_s"].as_f64().unwrap_or(f64::NAN),
                r["speedup"].as_f64().unwrap_or(f64::NAN),
                r["empty_task_round_trip_median_ms"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                r["frame_10mb_round_trip_median_ms"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
            );
            write(out.as_ref(), vec![r])
        }
        Command::DistributedWorker { url, store } => {
            distributed::worker(&url, &store).map_err(|e| e.to_string())
        }
        Command::MacroCost {
            nodes,
            reps,
            dir,
            optimized_macros,
            wired,
        } => {
            let options = macro_cost::Options {
                nodes,
                reps,
                dir,
                optimized_macros,
                wired,
                ..macro_cost::Options::default()
            };
            let report = macro_cost::run(&options).map_err(|e| e.to_string())?;
            println!("{report}");
            Ok(())
        }
        Command::Once {
            variant,
            rows,
            seed,
        } => {
            let raw = features::make_frame(rows, seed);
            let df = match variant.as_str() {
                "hamilton-eager" => {
                    features::hamilton_eager(&features::driver(features::eager_nodes()), &raw)
                }
                "hamilton-lazy" => {
                    features::hamilton_lazy(&features::driver(features::lazy_nodes()), &raw)
                }
                "hand-eager" => features::hand_eager(&raw),
                "hand-lazy" => features::hand_lazy(&raw),
                _ => return Err(format!("unknown variant `{variant}`")),
            }
            .map_err(|e| e.to_string())?;
            println!("{variant}: {} rows x {} columns", df.height(), df.width());
            Ok(())
        }
    }
}
