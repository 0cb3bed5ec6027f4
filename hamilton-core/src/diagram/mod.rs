//! Diagrams: DOT, Mermaid and SVG text of the dataflow ([`Driver::diagram`], [`svg`]), of a
//! recorded run, or of the part one request runs ([`Request::diagram`](crate::Request::diagram)).
//!
//! SVG is drawn here, without Graphviz: [`SvgGraph`] lays out any DAG (layers by longest path,
//! ordered by barycenter) with a style per node; the UI colours it by status and duration.

use std::collections::HashSet;
use std::fmt::Write;

use crate::driver::Driver;
use crate::error::Error;
use crate::graph::Kind;
use crate::hooks::{NodeStatus, RunRecord};
use crate::values::{Inputs, Overrides};

mod svg;

pub use svg::{Layout, Placed, SvgGraph, SvgNode, escape};

/// The whole dataflow as a standalone SVG drawing (the same as
/// `driver.diagram(Draw::Graph, Format::Svg)`): one box per node labelled with its type,
/// inputs dashed, config as notes.
///
/// ```
/// use hamilton_core::{Driver, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)?))])
///     .build().unwrap();
/// let svg = hamilton_core::diagram::svg(&dr);
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("data-node=\"a\"") && svg.contains("data-node=\"b\""));
/// ```
pub fn svg(driver: &Driver) -> String {
    driver.diagram(Draw::Graph, Format::Svg)
}

/// How a vertex is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Function,
    Input,
    Config,
    Output,
    Override,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Self::Function => "function",
            Self::Input => "input",
            Self::Config => "config",
            Self::Output => "output",
            Self::Override => "override",
        }
    }
}

struct Box_ {
    index: usize,
    name: String,
    ty: &'static str,
    class: Class,
    /// Extra line (a config value, a duration).
    note: Option<String>,
    /// For recorded runs: how the node ended.
    status: Option<NodeStatus>,
}

/// What to draw: vertices with their classes, and the edges between them.
pub(crate) struct Diagram {
    boxes: Vec<Box_>,
    /// (from, to, optional)
    edges: Vec<(usize, usize, bool)>,
}

impl Driver {
    fn graph_diagram(
        &self,
        only: Option<(&HashSet<usize>, &HashSet<usize>, &HashSet<usize>)>,
    ) -> Diagram {
        let graph = &self.graph;
        let mut boxes = Vec::new();
        for (i, v) in graph.vertices.iter().enumerate() {
            let mut class = match v.kind() {
                Kind::Function(_) => Class::Function,
                Kind::Input => Class::Input,
                Kind::Config => Class::Config,
            };
            if let Some((members, outputs, overrides)) = only {
                if !members.contains(&i) {
                    continue;
                }
                if overrides.contains(&i) {
                    class = Class::Override;
                } else if outputs.contains(&i) {
                    class = Class::Output;
                }
            }
            let note = match v.kind() {
                Kind::Config => graph
                    .config
                    .display_value(v.name())
                    .map(|v| format!("= {v}")),
                _ => None,
            };
            boxes.push(Box_ {
                index: i,
                name: v.name().to_string(),
                ty: v.ty_name(),
                class,
                note,
                status: None,
            });
        }
        let shown: HashSet<usize> = boxes.iter().map(|b| b.index).collect();
        let mut edges = Vec::new();
        for (to, v) in graph.vertices.iter().enumerate() {
            if !shown.contains(&to) {
                continue;
            }
            if only.is_some_and(|(_, _, overrides)| overrides.contains(&to)) {
                continue;
            }
            if let Kind::Function(node) = v.kind() {
                for (s, p) in graph.sources_of(v).iter().zip(node.params()) {
                    if shown.contains(&s.node()) {
                        edges.push((s.node(), to, p.is_optional()));
                    }
                }
            }
        }
        Diagram { boxes, edges }
    }

    pub(crate) fn execution_diagram<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: &Inputs,
        overrides: &Overrides,
    ) -> Result<Diagram, Error> {
        let plan = self.plan(outputs, inputs, overrides)?;
        let members: HashSet<usize> = plan.slot_vertex.iter().map(|&v| v as usize).collect();
        let out: HashSet<usize> = plan.output_vertices().collect();
        let over: HashSet<usize> = plan
            .loads
            .iter()
            .filter(|l| l.from == crate::plan::LoadFrom::Override)
            .map(|l| l.vertex)
            .collect();
        Ok(self.graph_diagram(Some((&members, &out, &over))))
    }

    fn run_diagram(&self, run: &RunRecord) -> Diagram {
        let graph = &self.graph;
        let mut members: HashSet<usize> = HashSet::new();
        for (name, _, _) in &run.nodes {
            if let Some(i) = graph.get(name) {
                members.insert(i);
                members.extend(graph.sources(i).iter().map(|s| s.node()));
            }
        }
        let outputs: HashSet<usize> = run.outputs.iter().filter_map(|n| graph.get(n)).collect();
        members.extend(outputs.iter().copied());
        let mut diagram = self.graph_diagram(Some((&members, &outputs, &HashSet::new())));
        for b in &mut diagram.boxes {
            if let Some((_, status, duration)) = run.nodes.iter().find(|(n, _, _)| *n == b.name) {
                b.status = Some(status.clone());
                b.note = Some(match status {
                    NodeStatus::NotRun => "not run".to_string(),
                    _ => format!("{duration:.2?}"),
                });
            }
        }
        diagram
    }

    /// A diagram of `what`, in `format`.
    ///
    /// ```
    /// use hamilton_core::diagram::{Draw, Format};
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)?))])
    ///     .build().unwrap();
    /// let dot = dr.diagram(Draw::Graph, Format::Dot);
    /// assert!(dot.starts_with("digraph hamilton {"));
    /// assert!(dot.contains("\"a\" -> \"b\""));
    /// assert!(dr.diagram(Draw::Graph, Format::Mermaid).starts_with("flowchart LR"));
    /// ```
    pub fn diagram(&self, what: Draw<'_>, format: Format) -> String {
        let diagram = match what {
            Draw::Graph => self.graph_diagram(None),
            Draw::Run(run) => self.run_diagram(run),
        };
        format.render(&diagram)
    }
}

/// What [`Driver::diagram`] draws. The part of the dataflow one request runs is drawn by
/// [`Request::diagram`](crate::Request::diagram).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Draw<'a> {
    /// The whole dataflow: functions as rounded boxes, inputs dashed, config as notes with
    /// their values, each labelled with its type.
    Graph,
    /// A recorded run (see [`RunRecorder`](crate::hooks::RunRecorder)): each node with its
    /// duration, failed nodes red, nodes that never ran grey.
    Run(&'a RunRecord),
}

/// The text format of a diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// A standalone SVG drawing, laid out here (see [`SvgGraph`]).
    Svg,
}

impl Format {
    pub(crate) fn render(self, diagram: &Diagram) -> String {
        match self {
            Self::Dot => dot(diagram),
            Self::Mermaid => mermaid(diagram),
            Self::Svg => svg_of(diagram).render(),
        }
    }
}

fn svg_of(d: &Diagram) -> SvgGraph {
    let mut g = SvgGraph::new();
    let mut at = std::collections::HashMap::new();
    for b in &d.boxes {
        let class = match &b.status {
            Some(NodeStatus::Failed(_)) => "failed",
            Some(NodeStatus::NotRun) => "notrun",
            _ => b.class.name(),
        };
        let fill = match class {
            "failed" => "#EA5556",
            "notrun" => "#dddddd",
            "output" => "#FFC857",
            "input" => "#ffffff",
            "config" | "override" => "#f0f0f0",
            _ => "#b4d8e4",
        };
        let sub = b.note.clone().unwrap_or_else(|| b.ty.to_string());
        let node = SvgNode::new(b.name.clone())
            .sublabel(sub)
            .tooltip(format!("{}: {}", b.name, b.ty))
            .class(class)
            .fill(fill);
        at.insert(b.index, g.node(node));
    }
    for (from, to, _) in &d.edges {
        if let (Some(&a), Some(&b)) = (at.get(from), at.get(to)) {
            g.edge(a, b);
        }
    }
    g
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dot(d: &Diagram) -> String {
    let mut out = String::from(
        "digraph hamilton {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", margin=0.15];\n",
    );
    for b in &d.boxes {
        let mut label = format!(
            "<b>{}</b><br/><i>{}</i>",
            html_escape(&b.name),
            html_escape(b.ty)
        );
        if let Some(note) = &b.note {
            let _ = write!(label, "<br/>{}", html_escape(note));
        }
        let style = match (&b.status, b.class) {
            (Some(NodeStatus::Failed(_)), _) => {
                "shape=box, style=\"rounded,filled\", fillcolor=\"#EA5556\""
            }
            (Some(NodeStatus::NotRun), _) => {
                "shape=box, style=\"rounded,filled,dashed\", fillcolor=\"#dddddd\""
            }
            (_, class) => class_style(class),
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=<{label}>, {style}, class=\"{}\"];",
            b.name.replace('"', "\\\""),
            b.class.name()
        );
    }
    edges_dot(d, &mut out);
    out.push_str("}\n");
    out
}

fn class_style(class: Class) -> &'static str {
    match class {
        Class::Function => "shape=box, style=\"rounded,filled\", fillcolor=\"#b4d8e4\"",
        Class::Output => "shape=box, style=\"rounded,filled\", fillcolor=\"#FFC857\"",
        Class::Input => "shape=box, style=dashed",
        Class::Config => "shape=note, style=filled, fillcolor=\"#f0f0f0\"",
        Class::Override => "shape=box, style=\"filled,diagonals\", fillcolor=\"#e8e8e8\"",
    }
}

fn edges_dot(d: &Diagram, out: &mut String) {
    for (from, to, optional) in &d.edges {
        let name = |i: &usize| {
            d.boxes
                .iter()
                .find(|b| b.index == *i)
                .map_or("", |b| b.name.as_str())
        };
        let style = if *optional { " [style=dashed]" } else { "" };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\"{style};",
            name(from).replace('"', "\\\""),
            name(to).replace('"', "\\\"")
        );
    }
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn mermaid(d: &Diagram) -> String {
    let mut out = String::from("flowchart LR\n");
    for b in &d.boxes {
        let mut label = format!(
            "<b>{}</b><br/><i>{}</i>",
            mermaid_escape(&b.name),
            mermaid_escape(b.ty)
        );
        if let Some(note) = &b.note {
            let _ = write!(label, "<br/>{}", mermaid_escape(note));
        }
        let (open, close) = match b.class {
            Class::Input => ("[/", "/]"),
            Class::Config => ("[(", ")]"),
            _ => ("(", ")"),
        };
        let _ = writeln!(
            out,
            "  n{}{open}\"{label}\"{close}:::{}",
            b.index,
            match &b.status {
                Some(NodeStatus::Failed(_)) => "failed",
                Some(NodeStatus::NotRun) => "notrun",
                _ => b.class.name(),
            }
        );
    }
    for (from, to, optional) in &d.edges {
        let arrow = if *optional { "-.->" } else { "-->" };
        let _ = writeln!(out, "  n{from} {arrow} n{to}");
    }
    out.push_str(
        "  classDef function fill:#b4d8e4,stroke:#333\n  classDef output fill:#FFC857,stroke:#333\n  classDef input fill:#fff,stroke:#333,stroke-dasharray:5 5\n  classDef config fill:#f0f0f0,stroke:#333\n  classDef override fill:#e8e8e8,stroke:#333,stroke-dasharray:2 2\n  classDef failed fill:#EA5556,stroke:#333\n  classDef notrun fill:#dddddd,stroke:#999,stroke-dasharray:3 3\n",
    );
    out
}
