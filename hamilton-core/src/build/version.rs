//! A graph's version: a hash of every node's name, kind, output type and code version, and of
//! every edge, with the rows the tracker keeps of it (`graph_versions`, `graph_nodes`,
//! `graph_edges`).

use crate::graph::{Graph, Kind, Vertex};

/// One node of a graph version, as `graph_nodes` keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NodeRow {
    pub(crate) name: String,
    pub(crate) module: String,
    pub(crate) output_type: String,
    pub(crate) code_version: String,
    pub(crate) doc: String,
    pub(crate) location: String,
    /// JSON object of string to string.
    pub(crate) tags: String,
    pub(crate) is_input: bool,
}

/// One edge: `target`'s parameter `param` reads `source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EdgeRow {
    pub(crate) source: String,
    pub(crate) target: String,
    pub(crate) param: String,
}

/// A graph's version and its rows (which only the tracker reads).
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "track"), allow(dead_code))]
pub(crate) struct GraphVersion {
    /// 32 hex digits.
    pub(crate) version: String,
    pub(crate) nodes: Vec<NodeRow>,
    pub(crate) edges: Vec<EdgeRow>,
}

/// A node's code version as the cache writes it: its code hash in hex, `+` the `cache_version`
/// tag where it has one; empty where it has neither.
pub(crate) fn code_version(vertex: &Vertex) -> String {
    let Some(node) = vertex.function() else {
        return String::new();
    };
    match (node.code_version(), node.tags().get("cache_version")) {
        (0, None) => String::new(),
        (0, Some(t)) => format!("+{t}"),
        (c, None) => format!("{c:016x}"),
        (c, Some(t)) => format!("{c:016x}+{t}"),
    }
}

impl GraphVersion {
    /// The version of `graph`: the same for two builds of the same code and wiring, another one
    /// after any change of a node's code version, output type or edges.
    pub(crate) fn of(graph: &Graph) -> Self {
        let mut nodes: Vec<NodeRow> = graph.vertices.iter().map(node_row).collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        let mut edges: Vec<EdgeRow> = graph
            .vertices
            .iter()
            .filter_map(|v| v.function().map(|n| (v, n)))
            .flat_map(|(v, node)| {
                node.params()
                    .iter()
                    .zip(graph.sources_of(v))
                    .map(move |(param, source)| EdgeRow {
                        source: graph.vertices[source.node()].name().to_string(),
                        target: v.name().to_string(),
                        param: param.name().to_string(),
                    })
            })
            .collect();
        edges.sort_by(|a, b| (&a.target, &a.param).cmp(&(&b.target, &b.param)));
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut field = |s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        field("hamilton-graph/1");
        for n in &nodes {
            field(&n.name);
            field(if n.is_input { "input" } else { "node" });
            field(&n.output_type);
            field(&n.code_version);
        }
        for e in &edges {
            field(&e.source);
            field(&e.target);
            field(&e.param);
        }
        Self {
            version: format!("{:032x}", h.digest128()),
            nodes,
            edges,
        }
    }
}

fn node_row(v: &Vertex) -> NodeRow {
    let node = v.function();
    NodeRow {
        name: v.name().to_string(),
        module: node.map_or("", |n| n.module()).to_string(),
        output_type: v.ty_name().to_string(),
        code_version: code_version(v),
        doc: node.map_or("", |n| n.doc()).to_string(),
        location: node
            .and_then(|n| n.location())
            .map_or_else(String::new, |l| l.to_string()),
        tags: node.map_or_else(
            || "{}".to_string(),
            |n| serde_json::to_string(n.tags()).unwrap_or_else(|_| "{}".to_string()),
        ),
        is_input: !matches!(v.kind(), Kind::Function(_)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Driver;
    use crate::args::Args;
    use crate::node::Node;

    fn version(code: u64, param: &str) -> GraphVersion {
        let dr = Driver::builder()
            .with_nodes([
                Node::builder("b")
                    .code_version(code)
                    .param::<i64>(param)
                    .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
                Node::builder("c")
                    .param::<i64>("b")
                    .build(|x: &Args| Ok(x.get::<i64>(0)? * 2)),
            ])
            .build()
            .unwrap();
        GraphVersion::of(&dr.graph)
    }

    #[test]
    fn the_same_graph_has_the_same_version_and_a_change_makes_another() {
        let v = version(1, "a");
        assert_eq!(v.version.len(), 32);
        assert_eq!(v.version, version(1, "a").version);
        assert_ne!(v.version, version(2, "a").version);
        assert_ne!(v.version, version(1, "x").version);
    }

    #[test]
    fn rows_list_inputs_and_every_edge() {
        let v = version(1, "a");
        let names: Vec<(&str, bool)> = v
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.is_input))
            .collect();
        assert_eq!(names, [("a", true), ("b", false), ("c", false)]);
        assert_eq!(v.nodes[1].code_version, "0000000000000001");
        let edges: Vec<(&str, &str, &str)> = v
            .edges
            .iter()
            .map(|e| (e.source.as_str(), e.target.as_str(), e.param.as_str()))
            .collect();
        assert_eq!(edges, [("a", "b", "a"), ("b", "c", "b")]);
    }
}
