//! A run as the cache saw it, drawn as DOT or Mermaid: hits green, computed nodes orange, nodes
//! not cached grey.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use super::{CacheRun, CacheStatus};
use crate::driver::Driver;
use crate::graph::Kind;

fn fill(status: Option<CacheStatus>) -> &'static str {
    match status {
        Some(CacheStatus::Hit) => "#7fc97f",
        Some(CacheStatus::Miss | CacheStatus::Recomputed) => "#fdc086",
        Some(CacheStatus::Ignored | CacheStatus::Disabled | CacheStatus::Uncached) => "#dddddd",
        Some(CacheStatus::Failed) => "#EA5556",
        None => "#ffffff",
    }
}

struct Drawing {
    /// (vertex index, name, label lines, status; None for inputs and config)
    boxes: Vec<(usize, String, Vec<String>, Option<CacheStatus>)>,
    edges: Vec<(usize, usize)>,
}

impl Driver {
    fn cache_drawing(&self, run: &CacheRun) -> Drawing {
        let graph = &self.graph;
        let events: HashMap<&str, _> = run.nodes.iter().map(|e| (e.node.as_str(), e)).collect();
        let mut members = BTreeSet::new();
        for e in &run.nodes {
            if let Some(i) = graph.get(&e.node) {
                members.insert(i);
                members.extend(graph.sources(i).iter().map(|s| s.node()));
            }
        }
        members.extend(run.outputs.iter().filter_map(|o| graph.get(o)));
        let mut boxes = Vec::new();
        for &i in &members {
            let v = &graph.vertices[i];
            let event = events.get(v.name());
            let mut lines = vec![v.ty_name().to_string()];
            let status = event.map(|e| e.status);
            match event {
                Some(e) => lines.push(format!("{} · {:.2?}", e.status, e.duration)),
                None => lines.push(
                    match v.kind() {
                        Kind::Input => "input",
                        Kind::Config => "config",
                        Kind::Function(_) => "given",
                    }
                    .to_string(),
                ),
            }
            boxes.push((i, v.name().to_string(), lines, status));
        }
        let mut edges = Vec::new();
        for &to in &members {
            if !events.contains_key(graph.vertices[to].name()) {
                continue;
            }
            for s in graph.sources(to) {
                if members.contains(&s.node()) {
                    edges.push((s.node(), to));
                }
            }
        }
        Drawing { boxes, edges }
    }

    /// A run of the cache (see [`Cache::last_run`](crate::cache::Cache::last_run)) as Graphviz
    /// DOT: hits green, computed nodes orange, nodes not cached grey, failures red, each with its
    /// status and duration.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dir = tempfile::tempdir().unwrap();
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").code_version(1).param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
    ///     .with_cache(dir.path())
    ///     .build()
    ///     .unwrap();
    /// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
    /// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
    /// let dot = dr.cache_dot(&dr.cache().unwrap().last_run().unwrap());
    /// assert!(dot.contains("hit") && dot.contains("#7fc97f"));
    /// assert!(dot.contains("\"a\" -> \"b\""));
    /// ```
    pub fn cache_dot(&self, run: &CacheRun) -> String {
        let d = self.cache_drawing(run);
        let mut out = String::from(
            "digraph hamilton_cache {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", margin=0.15];\n",
        );
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut names = HashMap::new();
        for (i, name, lines, status) in &d.boxes {
            names.insert(*i, name.clone());
            let mut label = format!("<b>{}</b>", esc(name));
            for l in lines {
                let _ = write!(label, "<br/>{}", esc(l));
            }
            let style = match status {
                None => "shape=box, style=dashed".to_string(),
                Some(s) => format!(
                    "shape=box, style=\"rounded,filled\", fillcolor=\"{}\", class=\"{}\"",
                    fill(Some(*s)),
                    s
                ),
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=<{label}>, {style}];",
                name.replace('"', "\\\"")
            );
        }
        for (from, to) in &d.edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\";",
                names[from].replace('"', "\\\""),
                names[to].replace('"', "\\\"")
            );
        }
        out.push_str("}\n");
        out
    }

    /// A run of the cache as a Mermaid flowchart, colored like [`cache_dot`](Self::cache_dot).
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dir = tempfile::tempdir().unwrap();
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").code_version(1).param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
    ///     .with_cache(dir.path())
    ///     .build()
    ///     .unwrap();
    /// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
    /// let mermaid = dr.cache_mermaid(&dr.cache().unwrap().last_run().unwrap());
    /// assert!(mermaid.starts_with("flowchart LR") && mermaid.contains(":::miss"));
    /// ```
    pub fn cache_mermaid(&self, run: &CacheRun) -> String {
        let d = self.cache_drawing(run);
        let esc = |s: &str| {
            s.replace('"', "#quot;")
                .replace('<', "#lt;")
                .replace('>', "#gt;")
        };
        let mut out = String::from("flowchart LR\n");
        for (i, name, lines, status) in &d.boxes {
            let mut label = format!("<b>{}</b>", esc(name));
            for l in lines {
                let _ = write!(label, "<br/>{}", esc(l));
            }
            let class = status.map_or("input", |s| s.as_str());
            let (open, close) = if status.is_some() {
                ("(", ")")
            } else {
                ("[/", "/]")
            };
            let _ = writeln!(out, "  n{i}{open}\"{label}\"{close}:::{class}");
        }
        for (from, to) in &d.edges {
            let _ = writeln!(out, "  n{from} --> n{to}");
        }
        for s in [
            CacheStatus::Hit,
            CacheStatus::Miss,
            CacheStatus::Recomputed,
            CacheStatus::Ignored,
            CacheStatus::Disabled,
            CacheStatus::Uncached,
            CacheStatus::Failed,
        ] {
            let _ = writeln!(out, "  classDef {s} fill:{},stroke:#333", fill(Some(s)));
        }
        out.push_str("  classDef input fill:#fff,stroke:#333,stroke-dasharray:5 5\n");
        out
    }
}
