//! A node's lineage: the nodes up to N hops up (what it reads) and down (what reads it).

use std::collections::HashMap;
use std::fmt::Write;

use super::html::{escape, url};
use super::run::{fill, totals};
use crate::diagram::{SvgGraph, SvgNode};
use crate::track::read::{Graph, Lineage, NodeRun, Run};

/// The lineage page's body.
pub(crate) fn body(run: &Run, graph: &Graph, runs: &[NodeRun], l: &Lineage, hops: usize) -> String {
    let totals = totals(runs);
    let slowest = totals.values().map(|t| t.duration_us).max().unwrap_or(0);
    let mut g = SvgGraph::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let names = std::iter::once(l.node.as_str()).chain(
        l.upstream
            .iter()
            .chain(&l.downstream)
            .map(|(n, _)| n.as_str()),
    );
    for name in names {
        let node = graph.node(name);
        let (class, colour) = fill(totals.get(name), node.is_some_and(|n| n.is_input), slowest);
        let class = if name == l.node {
            format!("{class} focus")
        } else {
            class.to_string()
        };
        let svg_node = SvgNode::new(name)
            .sublabel(node.map_or(String::new(), |n| n.output_type.clone()))
            .class(class)
            .fill(colour)
            .href(format!(
                "/runs/{}/lineage/{}?hops={hops}",
                run.id,
                url(name)
            ));
        at.insert(name, g.node(svg_node));
    }
    for e in &l.edges {
        if let (Some(&a), Some(&b)) = (at.get(e.source.as_str()), at.get(e.target.as_str())) {
            g.edge(a, b);
        }
    }
    let mut out = format!(
        r#"<h1>Lineage of <code>{0}</code> <span class="muted">in run <a href="/runs/{1}">{1}</a></span></h1><form class="filters" method="get"><label>hops<input type="number" min="1" max="1000" name="hops" value="{hops}"></label><button>Show</button> <a href="/runs/{1}/nodes/{2}">the node's panel</a></form>"#,
        escape(&l.node),
        run.id,
        url(&l.node)
    );
    let _ = write!(out, r#"<div class="dag" id="dag">{}</div>"#, g.render());
    let list = |title: &str, items: &[(String, usize)]| -> String {
        let mut s = format!(
            "<h2>{title} ({})</h2><table><tr><th>node</th><th class=\"num\">hops</th></tr>",
            items.len()
        );
        for (n, d) in items {
            let _ = write!(
                s,
                r#"<tr><td><a href="/runs/{}/nodes/{}">{}</a></td><td class="num">{d}</td></tr>"#,
                run.id,
                url(n),
                escape(n)
            );
        }
        s.push_str("</table>");
        s
    };
    out.push_str(&list("Upstream: what it reads", &l.upstream));
    out.push_str(&list("Downstream: what reads it", &l.downstream));
    out
}
