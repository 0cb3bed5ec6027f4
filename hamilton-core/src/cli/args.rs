//! The command line's grammar (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Validate, inspect, draw and run this dataflow.
#[derive(Debug, clap::Parser)]
#[command(disable_version_flag = true)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Build the dataflow and report every problem, or its size.
    Validate(Setup),
    /// List the nodes, inputs and config values with their types, modules, tags and docs.
    List(ListArgs),
    /// Draw the dataflow (or the part that computes `--output`s).
    Diagram(DiagramArgs),
    /// Compute outputs from inputs given as text.
    Execute(ExecuteArgs),
    /// Serve the web UI over a tracker database.
    Ui(UiArgs),
}

/// What every command builds the driver with.
#[derive(Debug, clap::Args)]
pub(crate) struct Setup {
    /// A TOML file with a `[config]` table, an `[inputs]` table and `outputs = [..]`.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// A config value (repeatable; wins over the file): `3` is an integer, `0.5` a float,
    /// `true` a boolean, anything else a string.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = assignment)]
    pub(crate) set: Vec<(String, String)>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) setup: Setup,
    /// Only nodes with this tag (`key=value`, or `key` for any value); repeatable, all must
    /// match.
    #[arg(long, value_name = "KEY[=VALUE]")]
    pub(crate) tag: Vec<String>,
    /// Print a JSON array.
    #[arg(long)]
    pub(crate) json: bool,
}

/// A diagram's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiagramFormat {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// An SVG picture (feature `ui`).
    Svg,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DiagramArgs {
    #[command(flatten)]
    pub(crate) setup: Setup,
    /// The diagram's format.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Dot)]
    pub(crate) format: DiagramFormat,
    /// Draw only what computes this output (repeatable).
    #[arg(long, value_name = "NODE")]
    pub(crate) output: Vec<String>,
    /// An input of the drawn request (repeatable; only with `--output`).
    #[arg(long, value_name = "NAME=VALUE", value_parser = assignment, requires = "output")]
    pub(crate) input: Vec<(String, String)>,
    /// Write the diagram to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExecuteArgs {
    #[command(flatten)]
    pub(crate) setup: Setup,
    /// An output to compute (repeatable; replaces the file's `outputs`).
    #[arg(long, value_name = "NODE")]
    pub(crate) output: Vec<String>,
    /// An input, read as the type the dataflow reads it as (repeatable; wins over the file).
    #[arg(long, value_name = "NAME=VALUE", value_parser = assignment)]
    pub(crate) input: Vec<(String, String)>,
    /// Print the outputs as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct UiArgs {
    /// The tracker database (SQLite).
    #[arg(long, value_name = "FILE")]
    pub(crate) db: PathBuf,
    /// The address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
}

/// `name=value`, split at the first `=`.
fn assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        Some(_) => Err(format!(
            "expected `name=value`, found no name before `=`; write `name={}`",
            &text[1..]
        )),
        None => Err(format!(
            "expected `name=value`, found no `=`; write `{text}=<value>`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assignment_splits_at_the_first_equals_sign() {
        assert_eq!(
            assignment("where=a=b").unwrap(),
            ("where".to_string(), "a=b".to_string())
        );
        assert_eq!(assignment("a=").unwrap(), ("a".to_string(), String::new()));
    }

    #[test]
    fn an_assignment_without_name_or_equals_sign_is_refused_with_the_fix() {
        assert_eq!(
            assignment("a").unwrap_err(),
            "expected `name=value`, found no `=`; write `a=<value>`"
        );
        assert!(assignment("=3").unwrap_err().contains("no name before `=`"));
    }

    #[test]
    fn the_grammar_is_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
