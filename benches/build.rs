//! Generates the `#[node]` chain used by the `macro-chain` overhead shape, and records the
//! toolchain and Polars versions for the benchmark JSON.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

/// Length of the generated chain (`n_0 = x + 1`, `n_i = n_{i-1} + 1`).
const MACRO_CHAIN_N: usize = 1000;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../Cargo.lock");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let mut src = String::new();
    writeln!(src, "/// Number of `#[node]` functions in this chain.").unwrap();
    writeln!(src, "pub const N: usize = {MACRO_CHAIN_N};").unwrap();
    writeln!(src, "#[node]\nfn n_0(x: &f64) -> f64 {{\n    x + 1.0\n}}").unwrap();
    for i in 1..MACRO_CHAIN_N {
        let p = i - 1;
        writeln!(
            src,
            "#[node]\nfn n_{i}(n_{p}: &f64) -> f64 {{\n    n_{p} + 1.0\n}}"
        )
        .unwrap();
    }
    // The same functions as a table, for the hand-written loop.
    writeln!(
        src,
        "/// The chain's functions in topological order, for the hand-written loop."
    )
    .unwrap();
    write!(
        src,
        "pub static FUNCTIONS: [fn(&f64) -> f64; {MACRO_CHAIN_N}] = ["
    )
    .unwrap();
    for i in 0..MACRO_CHAIN_N {
        write!(src, "n_{i}, ").unwrap();
    }
    writeln!(src, "];").unwrap();
    fs::write(out.join("macro_chain.rs"), src).expect("write macro_chain.rs");

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HAMILTON_BENCH_RUSTC={rustc_version}");

    let lock = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("../Cargo.lock");
    let polars = fs::read_to_string(lock)
        .ok()
        .and_then(|text| {
            let at = text.find("name = \"polars\"\nversion = \"")?;
            let rest = &text[at + "name = \"polars\"\nversion = \"".len()..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HAMILTON_BENCH_POLARS={polars}");
    let profile = env::var("PROFILE").unwrap_or_default();
    println!("cargo:rustc-env=HAMILTON_BENCH_PROFILE={profile}");
}
