//! The compile cost of `#[node]`: a generated crate of N `#[node]` functions against the same
//! crate without the attribute, each `cargo check`ed clean and again after one node's body is
//! edited (what an editor pays on every keystroke).
//!
//! Only the standard library is used, so that the file also builds on its own
//! (`rustc --edition 2024 -O --crate-type bin` over a two-line `main` calling [`run`]). CPU time
//! is read from `/proc/self/stat` (user + system time of waited-for children, which includes
//! rustc under cargo): Linux only.
//!
//! ```no_run
//! use hamilton_benches::macro_cost::{Options, run};
//! let options = Options { nodes: 1000, reps: 3, ..Options::default() };
//! let report = run(&options).expect("cargo check runs");
//! println!("{report}");
//! ```

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use std::{env, fs, io};

/// What to generate and how often to measure.
#[derive(Clone, Debug)]
pub struct Options {
    /// Number of functions in each crate.
    pub nodes: usize,
    /// Timed `cargo check`s of each kind; the median is reported.
    pub reps: usize,
    /// Where the crates and their target directory go (a fresh temporary directory when `None`).
    pub dir: Option<PathBuf>,
    /// The workspace whose `hamilton-core` the crates depend on.
    pub workspace: PathBuf,
    /// Build proc macros optimised (`[profile.dev.build-override] opt-level = 3` in both
    /// crates), as a project may choose to.
    pub optimized_macros: bool,
    /// Write `#[node(wired(except(x)))]` instead of `#[node]`: every node's parameter `n_{i-1}`
    /// is checked against its producer at compile time.
    pub wired: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            nodes: 1000,
            reps: 3,
            dir: None,
            workspace: PathBuf::from(option_env!("CARGO_MANIFEST_DIR").unwrap_or("benches"))
                .join(".."),
            optimized_macros: false,
            wired: false,
        }
    }
}

/// CPU and wall time of one `cargo check`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cost {
    /// User + system time of cargo and everything it ran.
    pub cpu: Duration,
    /// Elapsed time.
    pub wall: Duration,
}

/// The medians for one crate.
#[derive(Clone, Copy, Debug, Default)]
pub struct CrateCost {
    /// `cargo check` after `cargo clean -p` of the crate (dependencies already checked).
    pub clean: Cost,
    /// `cargo check` after one function body changed.
    pub incremental: Cost,
    /// `cargo check` with nothing to do (cargo's own fixed cost, included in the two above).
    pub noop: Cost,
}

/// The result of [`run`].
#[derive(Clone, Debug)]
pub struct Report {
    /// Number of functions in each crate.
    pub nodes: usize,
    /// The crate with `#[node]` on every function.
    pub with_macro: CrateCost,
    /// The same functions in a `#[node_module]` module (registered together).
    pub node_module: CrateCost,
    /// The same crate without the attribute.
    pub plain: CrateCost,
    /// Bytes of source of the crate with the attribute.
    pub source_bytes: usize,
}

/// Generates both crates, checks their dependencies once, then times `cargo check`.
pub fn run(options: &Options) -> io::Result<Report> {
    let dir = match &options.dir {
        Some(dir) => dir.clone(),
        None => env::temp_dir().join(format!("hamilton-macro-cost-{}", std::process::id())),
    };
    fs::create_dir_all(&dir)?;
    let core = fs::canonicalize(options.workspace.join("hamilton-core"))?;
    let with_macro = dir.join("with-macro");
    let node_module = dir.join("node-module");
    let plain = dir.join("plain");
    let source_bytes = write_crate(&with_macro, NODES, &core, options)?;
    write_crate(&node_module, NODE_MODULE, &core, options)?;
    write_crate(&plain, PLAIN, &core, options)?;
    let target = dir.join("target");
    Ok(Report {
        nodes: options.nodes,
        with_macro: measure(&with_macro, NODES, &target, options)?,
        node_module: measure(&node_module, NODE_MODULE, &target, options)?,
        plain: measure(&plain, PLAIN, &target, options)?,
        source_bytes,
    })
}

/// The crates measured: `#[node]` on each function, the same in a `#[node_module]`, none.
const NODES: &str = "macro_cost_nodes";
const NODE_MODULE: &str = "macro_cost_node_module";
const PLAIN: &str = "macro_cost_plain";

/// Writes crate `name` of `nodes` functions, a chain `n_i(n_{i-1}, x)`; returns the bytes of
/// `lib.rs`.
fn write_crate(dir: &Path, name: &str, core: &Path, options: &Options) -> io::Result<usize> {
    fs::create_dir_all(dir.join("src"))?;
    let mut manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nhamilton-core = {{ path = {core:?} }}\n\n[workspace]\n"
    );
    if options.optimized_macros {
        manifest.push_str("\n[profile.dev.build-override]\nopt-level = 3\n");
    }
    fs::write(dir.join("Cargo.toml"), manifest)?;
    let source = source(name, options, 0);
    fs::write(dir.join("src/lib.rs"), &source)?;
    Ok(source.len())
}

/// Crate `name`'s `lib.rs`: with `#[node]` (`#[node(wired(..))]` when `options.wired`), the
/// same inside `#[node_module]`, or plain functions; `edit` changes the body of the middle
/// function.
fn source(name: &str, options: &Options, edit: usize) -> String {
    let nodes = options.nodes;
    let mut src = String::from("//! Generated: the compile cost of `#[node]`.\n\n");
    let attr = match name {
        NODES => {
            src.push_str("use hamilton_core::node;\n\nhamilton_core::module!();\n\n");
            if options.wired {
                "#[node(wired(except(x)))]\n"
            } else {
                "#[node]\n"
            }
        }
        NODE_MODULE => {
            src.push_str(
                "#[hamilton_core::node_module]\npub mod nodes {\nuse hamilton_core::node;\n\n\
                 hamilton_core::module!();\n\n",
            );
            "#[node]\n"
        }
        _ => "",
    };
    let _ = writeln!(
        src,
        "/// Node 0.\n{attr}pub fn n_0(x: &f64) -> f64 {{\n    x + 1.0\n}}\n"
    );
    for i in 1..nodes {
        let p = i - 1;
        let k = if i == nodes / 2 { edit + 1 } else { 1 };
        let _ = writeln!(
            src,
            "/// Node {i}.\n{attr}pub fn n_{i}(n_{p}: &f64, x: &f64) -> f64 {{\n    n_{p} + x * {k}.0\n}}\n"
        );
    }
    if name == NODE_MODULE {
        src.push_str("}\n");
    }
    src
}

/// Times `cargo check` of one crate: clean, after an edit, and with nothing to do.
fn measure(dir: &Path, name: &str, target: &Path, options: &Options) -> io::Result<CrateCost> {
    // Dependencies, once (not timed).
    cargo(dir, target, &["check", "--quiet"])?;
    let mut clean = Vec::new();
    let mut incremental = Vec::new();
    let mut noop = Vec::new();
    for rep in 0..options.reps {
        cargo(dir, target, &["clean", "--quiet", "-p", name])?;
        clean.push(cargo(dir, target, &["check", "--quiet"])?);
        noop.push(cargo(dir, target, &["check", "--quiet"])?);
        fs::write(dir.join("src/lib.rs"), source(name, options, rep + 1))?;
        incremental.push(cargo(dir, target, &["check", "--quiet"])?);
    }
    Ok(CrateCost {
        clean: median(clean),
        incremental: median(incremental),
        noop: median(noop),
    })
}

/// Runs cargo in `dir` and returns what it cost.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> io::Result<Cost> {
    let cpu_before = children_cpu()?;
    let start = Instant::now();
    let status = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(io::Error::other(format!(
            "`cargo {}` failed in {}",
            args.join(" "),
            dir.display()
        )));
    }
    Ok(Cost {
        cpu: children_cpu()? - cpu_before,
        wall,
    })
}

/// User + system CPU time of this process's waited-for children (`cutime + cstime` of
/// `/proc/self/stat`, in clock ticks of 10 ms).
fn children_cpu() -> io::Result<Duration> {
    let stat = fs::read_to_string("/proc/self/stat")?;
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| io::Error::other("unexpected /proc/self/stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 16 and 17 of the file are 14 and 15 after field 2 (counting field 3 as index 0).
    let tick = |i: usize| -> io::Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| io::Error::other("unexpected /proc/self/stat"))
    };
    Ok(Duration::from_millis((tick(13)? + tick(14)?) * 10))
}

fn median(mut costs: Vec<Cost>) -> Cost {
    costs.sort_by_key(|c| c.cpu);
    let cpu = costs[costs.len() / 2].cpu;
    costs.sort_by_key(|c| c.wall);
    Cost {
        cpu,
        wall: costs[costs.len() / 2].wall,
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |d: Duration| d.as_secs_f64();
        writeln!(
            f,
            "cargo check of {} functions ({} bytes of source), median; CPU = user + system",
            self.nodes, self.source_bytes
        )?;
        writeln!(
            f,
            "{:<12} {:>12} {:>8} {:>15} {:>8} {:>12} {:>12} {:>12}",
            "",
            "#[node] CPU",
            "ratio",
            "node_module CPU",
            "ratio",
            "plain CPU",
            "#[node] wall",
            "plain wall"
        )?;
        let (m, g, p) = (&self.with_macro, &self.node_module, &self.plain);
        for (label, a, b, c) in [
            ("clean", m.clean, g.clean, p.clean),
            ("incremental", m.incremental, g.incremental, p.incremental),
            ("no-op", m.noop, g.noop, p.noop),
        ] {
            writeln!(
                f,
                "{label:<12} {:>11.2}s {:>7.1}x {:>14.2}s {:>7.1}x {:>11.2}s {:>11.2}s {:>11.2}s",
                s(a.cpu),
                ratio(a.cpu, c.cpu),
                s(b.cpu),
                ratio(b.cpu, c.cpu),
                s(c.cpu),
                s(a.wall),
                s(c.wall)
            )?;
        }
        writeln!(f, "without cargo's no-op cost (rustc's share):")?;
        for (label, a, b, c) in [
            ("clean", m.clean, g.clean, p.clean),
            ("incremental", m.incremental, g.incremental, p.incremental),
        ] {
            let a = a.cpu.saturating_sub(m.noop.cpu);
            let b = b.cpu.saturating_sub(g.noop.cpu);
            let c = c.cpu.saturating_sub(p.noop.cpu);
            writeln!(
                f,
                "{label:<12} {:>11.2}s {:>7.1}x {:>14.2}s {:>7.1}x {:>11.2}s",
                s(a),
                ratio(a, c),
                s(b),
                ratio(b, c),
                s(c)
            )?;
        }
        Ok(())
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(0.01)
}
