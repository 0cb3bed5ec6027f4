//! One run's page: its facts, its DAG coloured by status and shaded by duration (one box per
//! module for large graphs), a timeline of its nodes, and its node table. The self-contained
//! report is the same page with every node's panel inlined and no links to the server.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use super::html::{badge, chips, duration_ms, duration_us, escape, short, time_ms, url};
use super::node;
use crate::diagram::{SvgGraph, SvgNode};
use crate::track::read::{Graph, NodeRun, Run};

/// Graphs with more nodes than this are drawn one box per module unless asked otherwise.
pub(crate) const MODULE_VIEW_OVER: usize = 300;
/// The most rows the timeline and the node table show.
const MAX_ROWS: usize = 1000;

/// Where links lead: the server's pages, or anchors inside the report.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Server,
    Report,
}

/// How the DAG is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum View {
    /// Decided by size: nodes up to [`MODULE_VIEW_OVER`], modules above.
    Auto,
    /// Every node.
    Nodes,
    /// One box per module.
    Modules,
    /// The nodes of one module.
    Module(String),
}

/// One node's runs, added up.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeTotal {
    pub(crate) failed: bool,
    pub(crate) ran: bool,
    pub(crate) duration_us: i64,
    pub(crate) hits: usize,
    pub(crate) runs: usize,
}

pub(crate) fn totals(runs: &[NodeRun]) -> HashMap<&str, NodeTotal> {
    let mut t: HashMap<&str, NodeTotal> = HashMap::new();
    for r in runs {
        let e = t.entry(r.node.as_str()).or_default();
        e.ran = true;
        e.failed |= r.status == "failure";
        e.duration_us += r.duration_us;
        e.runs += 1;
        e.hits += usize::from(r.cache.as_deref() == Some("hit"));
    }
    t
}

/// A box's fill: red when failed, blue when served from the cache, grey when it did not run,
/// white for inputs, else green, darker the longer it took (relative to the slowest).
pub(crate) fn fill(
    total: Option<&NodeTotal>,
    is_input: bool,
    slowest: i64,
) -> (&'static str, String) {
    match total {
        _ if is_input => ("input", "#ffffff".into()),
        None => ("notrun", "#e4e6ea".into()),
        Some(t) if t.failed => ("failure", "#ea5556".into()),
        Some(t) if t.hits == t.runs => ("hit", "#a9d4f5".into()),
        Some(t) => {
            let share = if slowest > 0 {
                t.duration_us as f64 / slowest as f64
            } else {
                0.0
            };
            (
                "success",
                format!("hsl(140,45%,{:.0}%)", 88.0 - 40.0 * share.clamp(0.0, 1.0)),
            )
        }
    }
}

fn node_link(mode: Mode, run: i64, name: &str) -> String {
    match mode {
        Mode::Server => format!("/runs/{run}/nodes/{}", url(name)),
        Mode::Report => format!("#node-{}", url(name)),
    }
}

/// The DAG of `graph` as this run coloured it.
pub(crate) fn dag(run: &Run, graph: &Graph, runs: &[NodeRun], view: &View, mode: Mode) -> String {
    let totals = totals(runs);
    let slowest = totals.values().map(|t| t.duration_us).max().unwrap_or(0);
    let modules = match view {
        View::Modules => true,
        View::Auto => graph.nodes.len() > MODULE_VIEW_OVER,
        _ => false,
    };
    if modules {
        return module_dag(run, graph, &totals, mode);
    }
    let only = match view {
        View::Module(m) => Some(m.as_str()),
        _ => None,
    };
    let mut g = SvgGraph::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for n in &graph.nodes {
        if only.is_some_and(|m| m != n.module) {
            continue;
        }
        let total = totals.get(n.name.as_str());
        let (class, colour) = fill(total, n.is_input, slowest);
        let sub = match total {
            _ if n.is_input => "input".to_string(),
            None => "not run".to_string(),
            Some(t) if t.hits == t.runs && t.duration_us == 0 => "cache hit".to_string(),
            Some(t) if t.hits == t.runs => format!("cache hit · {}", duration_us(t.duration_us)),
            Some(t) => duration_us(t.duration_us),
        };
        let tip = format!(
            "{}: {}{}",
            n.name,
            n.output_type,
            if n.doc.is_empty() {
                String::new()
            } else {
                format!("\n{}", n.doc)
            }
        );
        let svg_node = SvgNode::new(n.name.clone())
            .sublabel(sub)
            .tooltip(tip)
            .class(class)
            .fill(colour)
            .href(node_link(mode, run.id, &n.name));
        at.insert(n.name.as_str(), g.node(svg_node));
    }
    for e in &graph.edges {
        if let (Some(&a), Some(&b)) = (at.get(e.source.as_str()), at.get(e.target.as_str())) {
            g.edge(a, b);
        }
    }
    g.render()
}

fn module_name(m: &str) -> &str {
    if m.is_empty() {
        "(inputs and unnamed)"
    } else {
        m
    }
}

fn module_dag(run: &Run, graph: &Graph, totals: &HashMap<&str, NodeTotal>, mode: Mode) -> String {
    #[derive(Default)]
    struct M {
        nodes: usize,
        failed: usize,
        ran: usize,
        us: i64,
    }
    let mut mods: BTreeMap<&str, M> = BTreeMap::new();
    let mut module_of: HashMap<&str, &str> = HashMap::new();
    for n in &graph.nodes {
        module_of.insert(n.name.as_str(), n.module.as_str());
        let m = mods.entry(n.module.as_str()).or_default();
        m.nodes += 1;
        if let Some(t) = totals.get(n.name.as_str()) {
            m.ran += 1;
            m.failed += usize::from(t.failed);
            m.us += t.duration_us;
        }
    }
    let slowest = mods.values().map(|m| m.us).max().unwrap_or(0);
    let mut g = SvgGraph::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (name, m) in &mods {
        let (class, colour) = if m.failed > 0 {
            ("module failure", "#ea5556".to_string())
        } else if m.ran == 0 {
            ("module notrun", "#e4e6ea".to_string())
        } else {
            let share = if slowest > 0 {
                m.us as f64 / slowest as f64
            } else {
                0.0
            };
            (
                "module success",
                format!("hsl(140,45%,{:.0}%)", 88.0 - 40.0 * share),
            )
        };
        let mut node = SvgNode::new(module_name(name))
            .sublabel(format!(
                "{} nodes · {}{}",
                m.nodes,
                duration_us(m.us),
                if m.failed > 0 {
                    format!(" · {} failed", m.failed)
                } else {
                    String::new()
                }
            ))
            .class(class)
            .fill(colour);
        if mode == Mode::Server {
            node = node.href(format!("/runs/{}?module={}", run.id, url(name)));
        }
        at.insert(name, g.node(node));
    }
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    for e in &graph.edges {
        let (Some(a), Some(b)) = (
            module_of.get(e.source.as_str()),
            module_of.get(e.target.as_str()),
        ) else {
            continue;
        };
        if a != b && seen.insert((at[a], at[b])) {
            g.edge(at[a], at[b]);
        }
    }
    g.render()
}

/// A Gantt chart of the node runs: each one's start and duration on the run's time line.
pub(crate) fn timeline(runs: &[NodeRun]) -> String {
    let end = runs
        .iter()
        .map(|r| r.start_us + r.duration_us)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut sorted: Vec<&NodeRun> = runs.iter().collect();
    sorted.sort_by_key(|r| (r.start_us, r.position));
    let mut out = String::from(r#"<div class="timeline" id="timeline">"#);
    for r in sorted.iter().take(MAX_ROWS) {
        let class = if r.status == "failure" {
            "failure"
        } else if r.cache.as_deref() == Some("hit") {
            "hit"
        } else {
            "success"
        };
        let name = match r.item {
            Some(i) => format!("{} [{i}]", r.node),
            None => r.node.clone(),
        };
        let _ = write!(
            out,
            r#"<div class="tl-row"><span class="tl-name" title="{0}">{0}</span><span class="tl-track"><span class="tl-bar {class}" style="left:{1:.2}%;width:{2:.2}%" title="{3}"></span></span><span class="tl-time node-time">{3}</span></div>"#,
            escape(&name),
            r.start_us as f64 / end * 100.0,
            (r.duration_us as f64 / end * 100.0).max(0.2),
            escape(&duration_us(r.duration_us)),
        );
    }
    if runs.len() > MAX_ROWS {
        let _ = write!(
            out,
            r#"<p class="muted">{} more node runs not shown.</p>"#,
            runs.len() - MAX_ROWS
        );
    }
    if runs.is_empty() {
        out.push_str(r#"<p class="muted">No node ran.</p>"#);
    }
    out.push_str("</div>");
    out
}

fn facts(run: &Run, graph: &Graph, mode: Mode) -> String {
    let mut out = String::from(r#"<dl class="facts">"#);
    let mut fact = |k: &str, v: String| {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    fact("status", badge(run.status.as_str()));
    fact("started", time_ms(run.started_ms));
    fact(
        "duration",
        run.duration_ms().map_or("–".into(), duration_ms),
    );
    let version = match mode {
        Mode::Server => format!(
            r#"<code>{1}</code> · <a href="/versions/compare?b={0}">compare with another version</a>"#,
            url(&graph.version),
            escape(short(&graph.version))
        ),
        Mode::Report => format!("<code>{}</code>", escape(&graph.version)),
    };
    fact(
        "graph version",
        format!(
            "{version} <span class=\"muted\">({} nodes, {} edges)</span>",
            graph.nodes.len(),
            graph.edges.len()
        ),
    );
    fact("executor", escape(&run.executor));
    fact(
        "host",
        format!(
            "{} <span class=\"muted\">pid {}</span>",
            escape(&run.host),
            run.pid
        ),
    );
    fact(
        "cache",
        format!(
            r#"<span id="cache-hits">{}</span> hits, {} misses, of {} node runs"#,
            run.cache_hits, run.cache_misses, run.node_runs
        ),
    );
    fact(
        "outputs",
        run.outputs
            .iter()
            .map(|o| format!("<code>{}</code>", escape(o)))
            .collect::<Vec<_>>()
            .join(" "),
    );
    if !run.inputs.is_empty() {
        fact(
            "inputs",
            run.inputs
                .iter()
                .map(|i| format!("<code>{}</code>: {}", escape(&i.name), escape(&i.r#type)))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !run.config.is_empty() {
        fact("config", chips(&run.config));
    }
    if !run.tags.is_empty() {
        fact("tags", chips(&run.tags));
    }
    out.push_str("</dl>");
    if !run.error.is_empty() {
        out.push_str("<h2>Error</h2>");
        out.push_str(&node::errors(&run.error));
    }
    out
}

const LEGEND: &str = r##"<p class="legend"><span><i style="background:hsl(140,45%,80%)"></i>succeeded (darker: slower)</span><span><i style="background:#ea5556"></i>failed</span><span><i style="background:#a9d4f5"></i>cache hit</span><span><i style="background:#e4e6ea"></i>not run</span><span><i style="background:#fff"></i>input</span></p>"##;

fn table(run: &Run, graph: &Graph, runs: &[NodeRun], mode: Mode) -> String {
    let mut out = String::from(
        r#"<table id="nodes"><tr><th>node</th><th>module</th><th>status</th><th class="num">start</th><th class="num">duration</th><th>cache</th><th>worker</th></tr>"#,
    );
    for r in runs.iter().take(MAX_ROWS) {
        let module = graph.node(&r.node).map_or("", |n| n.module.as_str());
        let _ = write!(
            out,
            r#"<tr><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td><td class="num">+{}</td><td class="num node-time">{}</td><td>{}</td><td>{}</td></tr>"#,
            node_link(mode, run.id, &r.node),
            escape(&r.node),
            r.item
                .map(|i| format!(" <span class=\"muted\">[{i}]</span>"))
                .unwrap_or_default(),
            escape(module),
            badge(&r.status),
            duration_us(r.start_us),
            duration_us(r.duration_us),
            escape(r.cache.as_deref().unwrap_or("–")),
            escape(&r.worker),
        );
    }
    out.push_str("</table>");
    if runs.len() > MAX_ROWS {
        let _ = write!(
            out,
            r#"<p class="muted">{} more node runs not shown.</p>"#,
            runs.len() - MAX_ROWS
        );
    }
    out
}

/// The run page's body.
pub(crate) fn body(run: &Run, graph: &Graph, runs: &[NodeRun], view: &View, mode: Mode) -> String {
    let mut out = format!("<h1>Run {} {}</h1>", run.id, badge(run.status.as_str()));
    out.push_str(&facts(run, graph, mode));
    if mode == Mode::Server {
        let _ = write!(
            out,
            r#"<p><a href="/runs/{0}/report.html" download="run-{0}.html">Download the report</a> · <a href="/compare?a={0}">Compare with another run</a></p>"#,
            run.id
        );
    }
    let many = graph.nodes.len() > MODULE_VIEW_OVER;
    let modules = matches!(view, View::Modules) || (many && *view == View::Auto);
    let _ = write!(out, "<h2>Graph</h2>");
    if mode == Mode::Server {
        let views = match view {
            View::Module(m) => format!(
                r#"Module <code>{}</code> · <a href="/runs/{}?view=modules">all modules</a>"#,
                escape(module_name(m)),
                run.id
            ),
            _ if modules => format!(
                r#"One box per module ({} nodes); click a module to open it · <a href="/runs/{}?view=nodes">draw every node</a>"#,
                graph.nodes.len(),
                run.id
            ),
            _ => format!(
                r#"<a href="/runs/{}?view=modules">one box per module</a>"#,
                run.id
            ),
        };
        let _ = write!(out, r#"<p class="muted">{views}</p>"#);
    }
    out.push_str(LEGEND);
    let _ = write!(
        out,
        r#"<div class="dag" id="dag">{}</div>"#,
        dag(run, graph, runs, view, mode)
    );
    out.push_str("<h2>Timeline</h2>");
    out.push_str(&timeline(runs));
    out.push_str("<h2>Nodes</h2>");
    out.push_str(&table(run, graph, runs, mode));
    if mode == Mode::Report {
        out.push_str("<h2>Node details</h2>");
        let mut by_node: BTreeMap<&str, Vec<&NodeRun>> = BTreeMap::new();
        for r in runs {
            by_node.entry(r.node.as_str()).or_default().push(r);
        }
        for (name, rs) in by_node {
            let _ = write!(
                out,
                r#"<details id="node-{}" open><summary>{}</summary>{}</details>"#,
                url(name),
                escape(name),
                node::panel(name, graph.node(name), &rs)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::fixture;
    use crate::track::read::{Db, GraphNode};

    fn data(id: i64) -> (tempfile::TempDir, Run, Graph, Vec<NodeRun>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(fixture::write(dir.path())).unwrap();
        let run = db.run(id).unwrap();
        let graph = db.graph(&run.graph_version).unwrap();
        let runs = db.node_runs(id).unwrap();
        (dir, run, graph, runs)
    }

    #[test]
    fn the_dag_has_one_box_per_node_coloured_by_status() {
        let (_d, run, graph, runs) = data(2);
        let svg = dag(&run, &graph, &runs, &View::Auto, Mode::Server);
        assert_eq!(svg.matches(" data-node=").count(), 4);
        assert!(
            svg.contains(r#"<g class="node failure" data-node="score">"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<g class="node input" data-node="raw">"#));
        assert!(svg.contains(r#"href="/runs/2/nodes/score""#));
    }

    #[test]
    fn a_cache_hit_and_a_node_that_did_not_run_have_their_own_colours() {
        let (_d, run, graph, runs) = data(1);
        let svg = dag(&run, &graph, &runs, &View::Nodes, Mode::Server);
        assert!(
            svg.contains(r#"<g class="node hit" data-node="clean">"#),
            "{svg}"
        );
        let (_d, run, graph, _) = data(3);
        let svg = dag(&run, &graph, &[], &View::Nodes, Mode::Server);
        assert!(svg.contains(r#"<g class="node notrun" data-node="model">"#));
    }

    #[test]
    fn slower_nodes_are_darker() {
        let t = |us| NodeTotal {
            ran: true,
            duration_us: us,
            runs: 1,
            ..Default::default()
        };
        let (_, fast) = fill(Some(&t(1)), false, 100);
        let (_, slow) = fill(Some(&t(100)), false, 100);
        assert_eq!(fast, "hsl(140,45%,88%)");
        assert_eq!(slow, "hsl(140,45%,48%)");
    }

    #[test]
    fn large_graphs_are_drawn_one_box_per_module() {
        let (_d, run, mut graph, runs) = data(1);
        for i in 0..=MODULE_VIEW_OVER {
            graph.nodes.push(GraphNode {
                name: format!("n{i:04}"),
                module: format!("m{}", i % 7),
                output_type: "i64".into(),
                code_version: String::new(),
                doc: String::new(),
                location: String::new(),
                tags: Default::default(),
                is_input: false,
            });
        }
        graph.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        let svg = dag(&run, &graph, &runs, &View::Auto, Mode::Server);
        // prep, train, "" and m0..m6.
        assert_eq!(svg.matches(" data-node=").count(), 10, "{svg}");
        assert!(svg.contains(r#"href="/runs/1?module=prep""#));
        let one = dag(
            &run,
            &graph,
            &runs,
            &View::Module("m3".into()),
            Mode::Server,
        );
        // n0003, n0010, ..., n0297.
        assert_eq!(one.matches(" data-node=").count(), 43);
    }

    #[test]
    fn the_timeline_places_each_node_run_by_start_and_duration() {
        let (_d, _run, _graph, runs) = data(1);
        let html = timeline(&runs);
        assert_eq!(html.matches(r#"class="tl-row""#).count(), 3);
        // features: 10 ms to 30 ms of 45 ms.
        assert!(html.contains("left:22.22%;width:44.44%"), "{html}");
    }

    #[test]
    fn the_report_links_nodes_inside_itself() {
        let (_d, run, graph, runs) = data(1);
        let html = body(&run, &graph, &runs, &View::Auto, Mode::Report);
        assert!(html.contains(r##"href="#node-features""##));
        assert!(html.contains(r#"<details id="node-features" open>"#));
        assert!(
            !html.contains("href=\"/"),
            "the report links to no server page"
        );
    }
}
