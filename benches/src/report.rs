//! What the benchmark JSON records about the build that produced it.

use serde_json::{Value, json};

/// `{"rustc", "hamilton-rs", "polars", "build_profile", "allocator", "malloc_conf"}`: the
/// toolchain, this workspace's version, the Polars version from `Cargo.lock`, the cargo profile
/// (figures from a debug build are not comparable), and the allocator with its configuration.
pub fn versions() -> Value {
    json!({
        "rustc": env!("HAMILTON_BENCH_RUSTC"),
        "hamilton-rs": env!("CARGO_PKG_VERSION"),
        "polars": env!("HAMILTON_BENCH_POLARS"),
        "build_profile": env!("HAMILTON_BENCH_PROFILE"),
        "allocator": if cfg!(feature = "jemalloc") { "jemalloc" } else { "system" },
        "malloc_conf": std::env::var("_RJEM_MALLOC_CONF").ok(),
    })
}

/// Writes `value` as pretty JSON to `path`.
pub fn write_json(path: &std::path::Path, value: &Value) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}
