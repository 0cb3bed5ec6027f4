//! What each subcommand does, on the user's driver builder.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use serde_json::json;

use super::Cli;
use super::args::{DiagramArgs, DiagramFormat, ExecuteArgs, ListArgs, Setup, UiArgs};
use super::file::{RunFile, set_config, set_value};
use super::parse::{ParseFailure, Raw, is_none};
use crate::cli_error::CliError;
use crate::diagram::{Draw, Format};
use crate::introspect::{NodeInfo, NodeKind};
use crate::{BuildError, Config, Driver, Error, Inputs, RequestError};

/// Writes to the command's output.
fn write(out: &mut dyn Write, text: &str) -> Result<(), Error> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Write(e).into())
}

/// The names given twice in `pairs` (`--input`, `--set`) refused; the pairs otherwise.
fn once(flag: &'static str, pairs: &[(String, String)]) -> Result<(), Error> {
    for (i, (name, first)) in pairs.iter().enumerate() {
        if let Some((_, second)) = pairs[i + 1..].iter().find(|(n, _)| n == name) {
            return Err(CliError::GivenTwice {
                flag,
                name: name.clone(),
                first: first.clone(),
                second: second.clone(),
            }
            .into());
        }
    }
    Ok(())
}

impl Cli {
    /// The `--config` file (if any), and the driver built with its config and `--set`.
    fn build(&mut self, setup: &Setup) -> Result<(Driver, RunFile), Error> {
        once("--set", &setup.set)?;
        let file = match &setup.config {
            Some(path) => RunFile::load(path)?,
            None => RunFile::default(),
        };
        let mut given: BTreeMap<&str, (Raw, &str)> = BTreeMap::new();
        for (key, value) in &file.config {
            given.insert(
                key,
                (Raw::Toml(value.clone()), "the file's `[config]` table"),
            );
        }
        for (key, text) in &setup.set {
            given.insert(key, (Raw::Text(text.clone()), "`--set`"));
        }
        let mut config = Config::new();
        for (key, (raw, _)) in &given {
            let value = match raw {
                Raw::Toml(value) => value.clone(),
                Raw::Text(text) => set_value(text),
            };
            config = set_config(config, key, &value);
        }
        let config = self.retype_config(config, &given)?;
        let builder = std::mem::take(&mut self.builder);
        Ok((builder.with_config(config).build()?, file))
    }

    /// `config` with each value given as text that a node reads at another built-in type
    /// (`--set window=3` read as `usize`) read as that type.
    fn retype_config(
        &self,
        mut config: Config,
        given: &BTreeMap<&str, (Raw, &str)>,
    ) -> Result<Config, Error> {
        if given.is_empty() {
            return Ok(config);
        }
        for problem in self.builder.probe_config(&config) {
            let BuildError::ConfigType {
                key,
                consumer,
                expected,
                ..
            } = problem
            else {
                continue;
            };
            let Some((raw, origin)) = given.get(key.as_str()) else {
                continue;
            };
            let Some((parsed, set)) = self.parsers.parse_named(&expected, raw) else {
                continue;
            };
            match parsed {
                Ok(value) => config = set(config, &key, value),
                Err(ParseFailure::Invalid { message, example }) => {
                    return Err(CliError::BadConfig {
                        key,
                        origin: origin.to_string(),
                        consumer,
                        ty: expected,
                        text: raw.text(),
                        message,
                        example,
                    }
                    .into());
                }
                Err(ParseFailure::NoParser) => {}
            }
        }
        Ok(config)
    }

    /// The inputs of the file and of `--input` (which win), each read as the type the
    /// dataflow reads it as.
    fn inputs(
        &self,
        driver: &Driver,
        file: &RunFile,
        given: &[(String, String)],
    ) -> Result<Inputs, Error> {
        once("--input", given)?;
        let mut raw: BTreeMap<&str, (Raw, &str)> = BTreeMap::new();
        for (name, value) in &file.inputs {
            raw.insert(
                name,
                (Raw::Toml(value.clone()), "the file's `[inputs]` table"),
            );
        }
        for (name, text) in given {
            raw.insert(name, (Raw::Text(text.clone()), "`--input`"));
        }
        let mut inputs = Inputs::new();
        for (name, (raw, origin)) in raw {
            let node = self.input_node(driver, name)?;
            // Read only by `Option<..>` parameters: `none` (or nothing) leaves it out.
            if node.is_optional_input()
                && let Raw::Text(t) | Raw::Toml(toml::Value::String(t)) = &raw
                && is_none(t)
            {
                continue;
            }
            match self.parsers.parse(node.type_id(), &raw) {
                Ok(value) => inputs = inputs.set_value(name, value),
                Err(ParseFailure::NoParser) => {
                    return Err(CliError::NoParser {
                        input: name.to_string(),
                        ty: node.type_name().to_string(),
                    }
                    .into());
                }
                Err(ParseFailure::Invalid { message, example }) => {
                    return Err(CliError::BadInput {
                        input: name.to_string(),
                        origin: origin.to_string(),
                        ty: node.type_name().to_string(),
                        text: raw.text(),
                        message,
                        example,
                    }
                    .into());
                }
            }
        }
        Ok(inputs)
    }

    /// The input vertex `name`, or why `name` is not one.
    fn input_node<'d>(&self, driver: &'d Driver, name: &str) -> Result<NodeInfo<'d>, Error> {
        let error = match driver.node(name) {
            Some(node) if node.kind() == NodeKind::Input => return Ok(node),
            Some(node) if node.kind() == NodeKind::Config => CliError::InputIsConfig {
                name: name.to_string(),
            },
            Some(_) => CliError::InputIsComputed {
                name: name.to_string(),
            },
            None => {
                let inputs: Vec<&str> = driver
                    .nodes()
                    .into_iter()
                    .filter(|n| n.kind() == NodeKind::Input)
                    .map(|n| n.name())
                    .collect();
                CliError::UnknownInput {
                    name: name.to_string(),
                    suggestion: crate::error::did_you_mean(name, inputs),
                }
            }
        };
        Err(error.into())
    }

    pub(super) fn validate(&mut self, setup: &Setup, out: &mut dyn Write) -> Result<(), Error> {
        let (driver, _) = self.build(setup)?;
        let nodes = driver.nodes();
        let count = |kind| nodes.iter().filter(|n| n.kind() == kind).count();
        write(
            out,
            &format!(
                "ok: {}, {}, {}\n",
                counted(count(NodeKind::Function), "node"),
                counted(count(NodeKind::Input), "input"),
                counted(count(NodeKind::Config), "config value")
            ),
        )
    }

    pub(super) fn list(&mut self, args: &ListArgs, out: &mut dyn Write) -> Result<(), Error> {
        let (driver, _) = self.build(&args.setup)?;
        let filters: Vec<(&str, Option<&str>)> = args
            .tag
            .iter()
            .map(|t| match t.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (t.as_str(), None),
            })
            .collect();
        let nodes: Vec<NodeInfo<'_>> = driver
            .nodes()
            .into_iter()
            .filter(|n| {
                filters.iter().all(|(k, v)| match (n.tags().get(*k), v) {
                    (Some(have), Some(want)) => have == want,
                    (Some(_), None) => true,
                    (None, _) => false,
                })
            })
            .collect();
        if args.json {
            let rows: Vec<serde_json::Value> = nodes
                .iter()
                .map(|n| {
                    json!({
                        "name": n.name(),
                        "kind": kind_name(n).trim_end_matches('?'),
                        "optional": n.is_optional_input(),
                        "type": n.type_name(),
                        "module": n.module(),
                        "tags": n.tags(),
                        "doc": first_line(n.doc()),
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&rows).unwrap_or_default();
            return write(out, &format!("{text}\n"));
        }
        let rows: Vec<[String; 6]> = nodes
            .iter()
            .map(|n| {
                let tags: Vec<String> = n.tags().iter().map(|(k, v)| format!("{k}={v}")).collect();
                [
                    n.name().to_string(),
                    kind_name(n).to_string(),
                    n.type_name().to_string(),
                    n.module().unwrap_or("").to_string(),
                    tags.join(","),
                    match n.kind() {
                        NodeKind::Config => driver
                            .config()
                            .display_value(n.name())
                            .map_or_else(String::new, |v| format!("= {v}")),
                        _ => first_line(n.doc()).to_string(),
                    },
                ]
            })
            .collect();
        write(
            out,
            &table(["NAME", "KIND", "TYPE", "MODULE", "TAGS", "DOC"], &rows),
        )
    }

    pub(super) fn diagram(&mut self, args: &DiagramArgs, out: &mut dyn Write) -> Result<(), Error> {
        let (driver, file) = self.build(&args.setup)?;
        let format = match args.format {
            DiagramFormat::Dot => Format::Dot,
            DiagramFormat::Mermaid => Format::Mermaid,
            DiagramFormat::Svg => Format::Svg,
        };
        let text = if args.output.is_empty() {
            driver.diagram(Draw::Graph, format)
        } else {
            let inputs = self.inputs(&driver, &file, &args.input)?;
            driver
                .request(&args.output)
                .inputs(inputs)
                .diagram(format)
                .map_err(missing_inputs)?
        };
        match &args.out {
            Some(path) => std::fs::write(path, text).map_err(|source| {
                CliError::File {
                    action: "write",
                    flag: "--out",
                    path: path.display().to_string(),
                    source,
                }
                .into()
            }),
            None => write(out, &text),
        }
    }

    pub(super) fn execute(&mut self, args: &ExecuteArgs, out: &mut dyn Write) -> Result<(), Error> {
        let (driver, file) = self.build(&args.setup)?;
        let outputs = if args.output.is_empty() {
            &file.outputs
        } else {
            &args.output
        };
        if outputs.is_empty() {
            return Err(CliError::NoOutputs.into());
        }
        let inputs = self.inputs(&driver, &file, &args.input)?;
        let results = driver.execute(outputs, inputs).map_err(missing_inputs)?;
        if args.json {
            let object: serde_json::Map<String, serde_json::Value> = results
                .iter()
                .map(|(name, value)| (name.to_string(), self.shows.json(value)))
                .collect();
            let text = serde_json::to_string_pretty(&object).unwrap_or_default();
            return write(out, &format!("{text}\n"));
        }
        let mut text = String::new();
        for (name, value) in results.iter() {
            text.push_str(&format!("{name} = {}\n", self.shows.text(value)));
        }
        write(out, &text)
    }

    pub(super) fn ui(&mut self, args: &UiArgs) -> Result<(), Error> {
        serve(&args.db, args.addr)
    }
}

/// The web UI over the tracker database `db`, served on `addr` (hamilton-core's feature `ui`).
#[cfg(feature = "ui")]
fn serve(db: &Path, addr: SocketAddr) -> Result<(), Error> {
    crate::ui::serve(db, addr)
}

/// Without hamilton-core's feature `ui`, the `ui` subcommand names the feature to enable.
#[cfg(not(feature = "ui"))]
fn serve(db: &Path, addr: SocketAddr) -> Result<(), Error> {
    let _ = (db, addr);
    Err(CliError::FeatureOff {
        command: "ui",
        feature: "ui",
    }
    .into())
}

/// A request's error with its missing inputs told the command line's way (`--input`), when
/// missing inputs are all that is wrong.
fn missing_inputs(error: Error) -> Error {
    let errors = error.request_errors();
    let missing: Option<Vec<(String, String, String)>> = errors
        .iter()
        .map(|e| match e {
            RequestError::MissingInput {
                name,
                ty,
                needed_by,
                did_you_mean: None,
            } => Some((name.clone(), ty.clone(), needed(needed_by))),
            _ => None,
        })
        .collect();
    match missing {
        Some(missing) if !missing.is_empty() => CliError::MissingInputs { missing }.into(),
        _ => error,
    }
}

fn needed(by: &[String]) -> String {
    match by {
        [] => "the request".to_string(),
        [one] => format!("node `{one}`"),
        many => format!(
            "nodes {}",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn kind_name(node: &NodeInfo<'_>) -> &'static str {
    match node.kind() {
        NodeKind::Function => "function",
        NodeKind::Input if node.is_optional_input() => "input?",
        NodeKind::Input => "input",
        NodeKind::Config => "config",
    }
}

/// `1 node`, `2 nodes`.
fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

fn first_line(doc: &str) -> &str {
    doc.lines().next().unwrap_or("").trim()
}

/// Rows under a header, in columns as wide as their widest cell.
fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 < N {
                l.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            } else {
                l.push_str(cell);
            }
        }
        text.push_str(l.trim_end());
        text.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    text
}
