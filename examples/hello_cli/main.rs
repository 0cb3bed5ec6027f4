//! A dataflow binary with a command line: `validate`, `list`, `diagram` and `execute` come from
//! `hamilton_core::cli::main`.
//!
//! ```text
//! cargo run -p examples --bin hello_cli -- list
//! cargo run -p examples --bin hello_cli -- execute --output receipt \
//!     --input name=Ada --input prices=1.5,2.5 --input quantity=2 --input discount=0.25
//! cargo run -p examples --bin hello_cli -- execute --config examples/hello_cli/order.toml --set language=fr
//! cargo run -p examples --bin hello_cli -- diagram --format mermaid --output receipt
//! ```

pub mod dataflow;

use hamilton_core::{Config, Driver};

fn main() -> std::process::ExitCode {
    // The builder holds the dataflow and its defaults; the command line adds the config of
    // `--config` and `--set` (which win), builds it, and runs the command.
    let builder = Driver::builder()
        .with_modules([dataflow::MODULE])
        .with_config(Config::new().set("language", "en"));
    hamilton_core::cli::main(builder)
}
