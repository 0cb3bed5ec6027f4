//! A dependency-free SVG drawing of a DAG: layers by longest path, top to bottom, each layer
//! ordered by the barycenter of its neighbours, edges as simple curves.
//!
//! The layout is linear in nodes and edges (plus one sort per layer and sweep), so graphs of
//! ten thousand nodes lay out in milliseconds; the UI and the command line draw with it.

use std::fmt::Write;

/// One node of an [`SvgGraph`]: its name, what its box shows and how it is styled.
///
/// ```
/// use hamilton_core::diagram::SvgNode;
/// let n = SvgNode::new("total").sublabel("12 ms").class("success").fill("#b4d8e4");
/// assert_eq!(n.id, "total");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SvgNode {
    /// The node's name: its `data-node` attribute and, unless [`label`](Self::label) is set,
    /// its label.
    pub id: String,
    /// The first line of its box (cut to 32 characters; the whole text is in the tooltip).
    pub label: String,
    /// A second, smaller line (a type, a duration).
    pub sublabel: Option<String>,
    /// The tooltip shown on hover; the label when `None`.
    pub tooltip: Option<String>,
    /// CSS classes added to the node's `<g class="node ...">`.
    pub class: String,
    /// The box's fill colour (any CSS colour); the stylesheet's when `None`.
    pub fill: Option<String>,
    /// A link the box leads to.
    pub href: Option<String>,
}

impl SvgNode {
    /// A node labelled with its name.
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").label, "a");
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        Self {
            label: id.clone(),
            id,
            ..Self::default()
        }
    }

    /// With this first line instead of the name.
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").label("A").label, "A");
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// With a second line.
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").sublabel("i64").sublabel.as_deref(), Some("i64"));
    /// ```
    pub fn sublabel(mut self, sublabel: impl Into<String>) -> Self {
        self.sublabel = Some(sublabel.into());
        self
    }

    /// With this tooltip.
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").tooltip("doc").tooltip.as_deref(), Some("doc"));
    /// ```
    pub fn tooltip(mut self, tooltip: impl Into<String>) -> Self {
        self.tooltip = Some(tooltip.into());
        self
    }

    /// With these CSS classes (space separated).
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").class("failure").class, "failure");
    /// ```
    pub fn class(mut self, class: impl Into<String>) -> Self {
        self.class = class.into();
        self
    }

    /// With this fill colour.
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").fill("#fff").fill.as_deref(), Some("#fff"));
    /// ```
    pub fn fill(mut self, fill: impl Into<String>) -> Self {
        self.fill = Some(fill.into());
        self
    }

    /// Linking to `href`.
    ///
    /// ```
    /// use hamilton_core::diagram::SvgNode;
    /// assert_eq!(SvgNode::new("a").href("/a").href.as_deref(), Some("/a"));
    /// ```
    pub fn href(mut self, href: impl Into<String>) -> Self {
        self.href = Some(href.into());
        self
    }
}

/// A DAG to draw as SVG: nodes with their style, and edges between them.
///
/// Edges point from a dependency to the node that reads it, and are drawn downwards. An edge
/// naming a node that was never added, and an edge from a node to itself, are left out; the
/// nodes of a cycle are placed below the rest (the drawing stays readable, never fails).
///
/// ```
/// use hamilton_core::diagram::{SvgGraph, SvgNode};
/// let mut g = SvgGraph::new();
/// let a = g.node(SvgNode::new("a"));
/// let b = g.node(SvgNode::new("b").class("failure").sublabel("3 ms"));
/// g.edge(a, b);
/// let svg = g.render();
/// assert!(svg.starts_with("<svg"));
/// assert_eq!(svg.matches(" data-node=").count(), 2);
/// assert!(svg.contains("data-node=\"b\""));
/// ```
#[derive(Clone, Debug, Default)]
pub struct SvgGraph {
    /// The nodes, in the order added.
    pub nodes: Vec<SvgNode>,
    /// The edges, as indices into `nodes`: (dependency, dependent).
    pub edges: Vec<(usize, usize)>,
}

/// Where [`SvgGraph::layout`] put one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// Its layer, 0 at the top: one more than the deepest of its dependencies.
    pub layer: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The layout of an [`SvgGraph`]: each node's box, in the order of [`SvgGraph::nodes`].
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Each node's box.
    pub nodes: Vec<Placed>,
    /// The drawing's width.
    pub width: f64,
    /// The drawing's height.
    pub height: f64,
}

const MAX_LABEL: usize = 32;
const CHAR_WIDTH: f64 = 7.0;
const PAD: f64 = 16.0;
const MIN_WIDTH: f64 = 60.0;
const LINE: f64 = 16.0;
const H_GAP: f64 = 18.0;
const V_GAP: f64 = 56.0;
const MARGIN: f64 = 10.0;
/// Barycenter sweeps (each one down and one up).
const SWEEPS: usize = 4;

impl SvgGraph {
    /// An empty graph.
    ///
    /// ```
    /// assert!(hamilton_core::diagram::SvgGraph::new().nodes.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node; returns its index, for [`edge`](Self::edge).
    ///
    /// ```
    /// use hamilton_core::diagram::{SvgGraph, SvgNode};
    /// let mut g = SvgGraph::new();
    /// assert_eq!(g.node(SvgNode::new("a")), 0);
    /// assert_eq!(g.node(SvgNode::new("b")), 1);
    /// ```
    pub fn node(&mut self, node: SvgNode) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Adds an edge from `from` (a dependency) to `to` (the node reading it).
    ///
    /// ```
    /// use hamilton_core::diagram::{SvgGraph, SvgNode};
    /// let mut g = SvgGraph::new();
    /// let (a, b) = (g.node(SvgNode::new("a")), g.node(SvgNode::new("b")));
    /// g.edge(a, b);
    /// assert_eq!(g.edges, [(0, 1)]);
    /// ```
    pub fn edge(&mut self, from: usize, to: usize) {
        self.edges.push((from, to));
    }

    /// The edges that are drawn: both ends known, not a loop.
    fn drawn_edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let n = self.nodes.len();
        self.edges
            .iter()
            .copied()
            .filter(move |&(a, b)| a < n && b < n && a != b)
    }

    /// Where each node goes: layers by longest path from the nodes with no dependency, each
    /// layer ordered by the mean position of its neighbours, then packed and centred.
    ///
    /// ```
    /// use hamilton_core::diagram::{SvgGraph, SvgNode};
    /// let mut g = SvgGraph::new();
    /// let (a, b, c) = (g.node(SvgNode::new("a")), g.node(SvgNode::new("b")), g.node(SvgNode::new("c")));
    /// g.edge(a, b);
    /// g.edge(b, c);
    /// g.edge(a, c);
    /// let layout = g.layout();
    /// let layers: Vec<usize> = layout.nodes.iter().map(|p| p.layer).collect();
    /// assert_eq!(layers, [0, 1, 2]);
    /// ```
    pub fn layout(&self) -> Layout {
        let n = self.nodes.len();
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (a, b) in self.drawn_edges() {
            succs[a].push(b);
            preds[b].push(a);
        }
        let layer = longest_path_layers(&preds, &succs);
        let depth = layer.iter().copied().max().map_or(0, |m| m + 1);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
        for (v, &l) in layer.iter().enumerate() {
            rows[l].push(v);
        }
        order_by_barycenter(&mut rows, &preds, &succs, &layer);

        let sizes: Vec<(f64, f64)> = self.nodes.iter().map(box_size).collect();
        let row_widths: Vec<f64> = rows
            .iter()
            .map(|r| {
                r.iter().map(|&v| sizes[v].0).sum::<f64>()
                    + H_GAP * r.len().saturating_sub(1) as f64
            })
            .collect();
        let width = row_widths.iter().copied().fold(0.0, f64::max) + 2.0 * MARGIN;
        let mut placed = vec![
            Placed {
                layer: 0,
                x: 0.0,
                y: 0.0,
                width: 0.0,
                height: 0.0
            };
            n
        ];
        let mut y = MARGIN;
        for (l, row) in rows.iter().enumerate() {
            let row_height = row.iter().map(|&v| sizes[v].1).fold(0.0, f64::max);
            let mut x = (width - row_widths[l]) / 2.0;
            for &v in row {
                let (w, h) = sizes[v];
                placed[v] = Placed {
                    layer: l,
                    x,
                    y: y + (row_height - h) / 2.0,
                    width: w,
                    height: h,
                };
                x += w + H_GAP;
            }
            y += row_height + V_GAP;
        }
        let height = if rows.is_empty() {
            2.0 * MARGIN
        } else {
            y - V_GAP + MARGIN
        };
        Layout {
            nodes: placed,
            width,
            height,
        }
    }

    /// The SVG text: a standalone `<svg>` element with its own small stylesheet, one
    /// `<g class="node CLASS" data-node="ID">` per node (a `<title>` tooltip, a `<rect>`, its
    /// text) and one `<path class="edge">` per edge. All text is escaped.
    ///
    /// ```
    /// use hamilton_core::diagram::{SvgGraph, SvgNode};
    /// let mut g = SvgGraph::new();
    /// g.node(SvgNode::new("<b>").href("/n?a=1&b=2"));
    /// let svg = g.render();
    /// assert!(svg.contains("&lt;b&gt;"));
    /// assert!(svg.contains("href=\"/n?a=1&amp;b=2\""));
    /// ```
    pub fn render(&self) -> String {
        let layout = self.layout();
        let mut out = String::with_capacity(256 + self.nodes.len() * 300 + self.edges.len() * 90);
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="hamilton-dag" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="Helvetica, Arial, sans-serif" font-size="12"><style>{STYLE}</style><defs><marker id="hamilton-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs><g class="edges">"##,
            w = layout.width,
            h = layout.height,
        );
        for (a, b) in self.drawn_edges() {
            let (pa, pb) = (&layout.nodes[a], &layout.nodes[b]);
            let (x1, y1) = (pa.x + pa.width / 2.0, pa.y + pa.height);
            let (x2, y2) = (pb.x + pb.width / 2.0, pb.y);
            let bend = ((y2 - y1).abs() / 2.0).max(20.0);
            let _ = write!(
                out,
                r#"<path class="edge" d="M{x1:.1} {y1:.1} C{x1:.1} {:.1} {x2:.1} {:.1} {x2:.1} {y2:.1}"/>"#,
                y1 + bend,
                y2 - bend
            );
        }
        out.push_str("</g><g class=\"nodes\">");
        for (node, p) in self.nodes.iter().zip(&layout.nodes) {
            let _ = write!(
                out,
                r#"<g class="node {}" data-node="{}">"#,
                escape(&node.class),
                escape(&node.id)
            );
            if let Some(href) = &node.href {
                let _ = write!(out, r#"<a href="{}">"#, escape(href));
            }
            let _ = write!(
                out,
                "<title>{}</title>",
                escape(node.tooltip.as_deref().unwrap_or(&node.label))
            );
            let fill = node
                .fill
                .as_deref()
                .map(|f| format!(r#" style="fill:{}""#, escape(f)))
                .unwrap_or_default();
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6"{fill}/>"#,
                p.x, p.y, p.width, p.height
            );
            let cx = p.x + p.width / 2.0;
            let first = if node.sublabel.is_some() {
                p.y + 18.0
            } else {
                p.y + 20.0
            };
            let _ = write!(
                out,
                r#"<text class="label" x="{cx:.1}" y="{first:.1}" text-anchor="middle">{}</text>"#,
                escape(&cut_label(&node.label))
            );
            if let Some(sub) = &node.sublabel {
                let _ = write!(
                    out,
                    r#"<text class="sublabel" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    first + LINE,
                    escape(&cut_label(sub))
                );
            }
            if node.href.is_some() {
                out.push_str("</a>");
            }
            out.push_str("</g>");
        }
        out.push_str("</g></svg>");
        out
    }
}

const STYLE: &str = ".hamilton-dag .edge{fill:none;stroke:#999;stroke-width:1.2;marker-end:url(#hamilton-arrow)}.hamilton-dag .node rect{fill:#b4d8e4;stroke:#333;stroke-width:1}.hamilton-dag .node .sublabel{fill:#444;font-size:10px}.hamilton-dag .node a{cursor:pointer}";

/// Escapes text for HTML and XML, in element content and in quoted attributes.
///
/// ```
/// assert_eq!(hamilton_core::diagram::escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cut_label(text: &str) -> String {
    match text.char_indices().nth(MAX_LABEL) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn box_size(node: &SvgNode) -> (f64, f64) {
    let chars = |s: &str| s.chars().count().min(MAX_LABEL + 1) as f64;
    let label = chars(&node.label);
    let sub = node.sublabel.as_deref().map_or(0.0, |s| chars(s) * 0.85);
    let width = (label.max(sub) * CHAR_WIDTH + PAD).max(MIN_WIDTH);
    let height = if node.sublabel.is_some() { 40.0 } else { 30.0 };
    (width, height)
}

/// Each node's layer: 0 for a node with no dependency, else one more than its deepest
/// dependency (Kahn's order). Nodes on a cycle go one layer below everything else.
fn longest_path_layers(preds: &[Vec<usize>], succs: &[Vec<usize>]) -> Vec<usize> {
    let n = preds.len();
    let mut waiting: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| waiting[v] == 0).collect();
    let mut done = vec![false; n];
    let mut head = 0;
    while head < ready.len() {
        let v = ready[head];
        head += 1;
        done[v] = true;
        for &s in &succs[v] {
            layer[s] = layer[s].max(layer[v] + 1);
            waiting[s] -= 1;
            if waiting[s] == 0 {
                ready.push(s);
            }
        }
    }
    if head < n {
        let below = layer.iter().copied().max().map_or(0, |m| m + 1);
        for (v, l) in layer.iter_mut().enumerate() {
            if !done[v] {
                *l = below;
            }
        }
    }
    layer
}

/// Orders each layer by the mean position of its neighbours in the layers above (down sweeps)
/// and below (up sweeps). Ties keep the earlier order, so the result is deterministic.
fn order_by_barycenter(
    rows: &mut [Vec<usize>],
    preds: &[Vec<usize>],
    succs: &[Vec<usize>],
    layer: &[usize],
) {
    let n = preds.len();
    let mut position = vec![0f64; n];
    let set_positions = |rows: &[Vec<usize>], position: &mut [f64]| {
        for row in rows {
            for (i, &v) in row.iter().enumerate() {
                position[v] = i as f64;
            }
        }
    };
    set_positions(rows, &mut position);
    let reorder = |row: &mut Vec<usize>,
                   neighbours: &[Vec<usize>],
                   position: &mut [f64],
                   other_side: &dyn Fn(usize) -> bool| {
        let mut keyed: Vec<(f64, usize)> = row
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (sum, count) = neighbours[v]
                    .iter()
                    .filter(|&&u| other_side(u))
                    .fold((0.0, 0usize), |(s, c), &u| (s + position[u], c + 1));
                (
                    if count == 0 {
                        i as f64
                    } else {
                        sum / count as f64
                    },
                    v,
                )
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (i, (_, v)) in keyed.into_iter().enumerate() {
            row[i] = v;
            position[v] = i as f64;
        }
    };
    for _ in 0..SWEEPS {
        for (l, row) in rows.iter_mut().enumerate().skip(1) {
            reorder(row, preds, &mut position, &|u| layer[u] < l);
        }
        for l in (0..rows.len().saturating_sub(1)).rev() {
            reorder(&mut rows[l], succs, &mut position, &|u| layer[u] > l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph of `n` nodes where node `i` reads nodes `i / 2` and `i - 1` (a binary tree with
    /// a chain through it), in modules of 50.
    fn big(n: usize) -> SvgGraph {
        let mut g = SvgGraph::new();
        for i in 0..n {
            g.node(SvgNode::new(format!("node_{i}")).sublabel("1 ms"));
        }
        for i in 1..n {
            g.edge(i / 2, i);
            if i % 7 != 0 {
                g.edge(i - 1, i);
            }
        }
        g
    }

    #[test]
    fn every_edge_goes_down_at_least_one_layer() {
        let g = big(500);
        let layout = g.layout();
        for &(a, b) in &g.edges {
            assert!(
                layout.nodes[b].layer > layout.nodes[a].layer,
                "{a} -> {b}: layers {} -> {}",
                layout.nodes[a].layer,
                layout.nodes[b].layer
            );
            assert!(layout.nodes[b].y > layout.nodes[a].y + layout.nodes[a].height);
        }
    }

    #[test]
    fn boxes_of_one_layer_never_overlap() {
        let layout = big(300).layout();
        let mut by_layer: Vec<Vec<Placed>> = Vec::new();
        for p in &layout.nodes {
            if by_layer.len() <= p.layer {
                by_layer.resize(p.layer + 1, Vec::new());
            }
            by_layer[p.layer].push(*p);
        }
        for row in &mut by_layer {
            row.sort_by(|a, b| a.x.total_cmp(&b.x));
            for pair in row.windows(2) {
                assert!(pair[0].x + pair[0].width <= pair[1].x, "{pair:?}");
            }
        }
        for p in &layout.nodes {
            assert!(p.x >= 0.0 && p.x + p.width <= layout.width);
            assert!(p.y >= 0.0 && p.y + p.height <= layout.height);
        }
    }

    #[test]
    fn ten_thousand_nodes_lay_out_and_render_one_box_each() {
        let g = big(10_000);
        let svg = g.render();
        assert_eq!(svg.matches(" data-node=").count(), 10_000);
        assert_eq!(svg.matches("<path class=\"edge\"").count(), g.edges.len());
    }

    #[test]
    fn the_same_graph_renders_the_same_text() {
        assert_eq!(big(200).render(), big(200).render());
    }

    #[test]
    fn the_barycenter_pass_uncrosses_two_parallel_chains() {
        // a1 -> a2, b1 -> b2, added so that the second layer starts crossed.
        let mut g = SvgGraph::new();
        let a1 = g.node(SvgNode::new("a1"));
        let b1 = g.node(SvgNode::new("b1"));
        let b2 = g.node(SvgNode::new("b2"));
        let a2 = g.node(SvgNode::new("a2"));
        g.edge(a1, a2);
        g.edge(b1, b2);
        let l = g.layout();
        assert_eq!(
            l.nodes[a1].x < l.nodes[b1].x,
            l.nodes[a2].x < l.nodes[b2].x,
            "{l:?}"
        );
    }

    #[test]
    fn cycles_unknown_ends_and_loops_are_drawn_without_failing() {
        let mut g = SvgGraph::new();
        let a = g.node(SvgNode::new("a"));
        let b = g.node(SvgNode::new("b"));
        let c = g.node(SvgNode::new("c"));
        g.edge(b, c);
        g.edge(c, b);
        g.edge(a, a);
        g.edge(a, 99);
        let layout = g.layout();
        assert_eq!(layout.nodes[a].layer, 0);
        assert!(layout.nodes[b].layer > 0 && layout.nodes[c].layer > 0);
        let svg = g.render();
        assert_eq!(svg.matches("<path class=\"edge\"").count(), 2);
    }

    #[test]
    fn long_labels_are_cut_and_kept_whole_in_the_tooltip() {
        let long = "x".repeat(100);
        let mut g = SvgGraph::new();
        g.node(SvgNode::new(long.clone()));
        let svg = g.render();
        assert!(svg.contains(&format!("<title>{long}</title>")));
        assert!(svg.contains(&format!(">{}…</text>", "x".repeat(MAX_LABEL))));
    }

    #[test]
    fn escape_replaces_the_five_special_characters() {
        assert_eq!(escape("a<b>&\"'c"), "a&lt;b&gt;&amp;&quot;&#39;c");
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn an_empty_graph_is_an_empty_drawing() {
        let svg = SvgGraph::new().render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains(" data-node="));
    }
}
