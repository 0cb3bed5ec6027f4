//! The graph's edges read forwards, and the order a run visits the vertices in.
//!
//! A vertex's sources (what it reads) live in the vertex; its consumers (what reads it) are
//! kept here for the whole graph in one array, compressed by rows: two `u32` arrays instead of
//! a vector per vertex.

use crate::graph::{Source, Vertex};

/// The vertices reading each vertex, each list sorted and without repeats.
#[derive(Clone, Debug, Default)]
pub(crate) struct Consumers {
    /// `list[starts[v]..starts[v + 1]]` read `v`.
    starts: Vec<u32>,
    list: Vec<u32>,
}

impl Consumers {
    /// The consumers of every vertex, from the vertices' sources.
    pub(crate) fn new(vertices: &[Vertex], edges: &[Source]) -> Self {
        let mut starts = vec![0_u32; vertices.len() + 1];
        for_each_edge(vertices, edges, |source, _| starts[source + 1] += 1);
        for v in 0..vertices.len() {
            starts[v + 1] += starts[v];
        }
        let mut list = vec![0_u32; starts[vertices.len()] as usize];
        let mut next: Vec<u32> = starts[..vertices.len()].to_vec();
        // Consumers come in increasing order, so each list is sorted.
        for_each_edge(vertices, edges, |source, consumer| {
            list[next[source] as usize] = consumer as u32;
            next[source] += 1;
        });
        Self { starts, list }
    }

    /// The vertices reading `vertex`, sorted.
    pub(crate) fn of(&self, vertex: usize) -> &[u32] {
        &self.list[self.starts[vertex] as usize..self.starts[vertex + 1] as usize]
    }
}

/// Calls `edge(source, consumer)` once per distinct source of each consumer, consumers in
/// increasing order.
fn for_each_edge(vertices: &[Vertex], edges: &[Source], mut edge: impl FnMut(usize, usize)) {
    for (consumer, v) in vertices.iter().enumerate() {
        let sources = v.sources.of(edges);
        for (i, s) in sources.iter().enumerate() {
            // A vertex read by two parameters of one consumer is one edge.
            if !sources[..i].iter().any(|t| t.node == s.node) {
                edge(s.node, consumer);
            }
        }
    }
}

/// Each vertex's position in the order runs visit them, or `None` if the edges have a cycle.
///
/// The order is petgraph's `toposort` on the same edges (a depth-first search from each vertex
/// in turn, consumers visited from the highest down; finished vertices, reversed), computed on
/// [`Consumers`] without copying the graph.
pub(crate) fn run_order(consumers: &Consumers) -> Option<Vec<u32>> {
    let n = consumers.starts.len() - 1;
    let mut discovered = vec![false; n];
    let mut finished = vec![false; n];
    let mut finish: Vec<u32> = Vec::with_capacity(n);
    let mut stack: Vec<u32> = Vec::new();
    for root in 0..n {
        if discovered[root] {
            continue;
        }
        stack.push(root as u32);
        while let Some(&at) = stack.last() {
            let at = at as usize;
            if !discovered[at] {
                discovered[at] = true;
                for &c in consumers.of(at).iter().rev() {
                    if !discovered[c as usize] {
                        stack.push(c);
                    }
                }
            } else {
                stack.pop();
                if !finished[at] {
                    finished[at] = true;
                    finish.push(at as u32);
                }
            }
        }
    }
    let mut pos = vec![0_u32; n];
    for (at, &v) in finish.iter().rev().enumerate() {
        pos[v as usize] = at as u32;
    }
    // A cycle shows as an edge going backwards.
    let forward = (0..n).all(|v| consumers.of(v).iter().all(|&c| pos[v] < pos[c as usize]));
    forward.then_some(pos)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use petgraph::algo::toposort;
    use petgraph::graph::{DiGraph, NodeIndex};
    use proptest::prelude::*;

    use super::*;
    use crate::graph::{Kind, Span, TypeDesc};

    /// The consumers of vertices reading `sources[v]` each (repeats allowed).
    fn consumers(sources: &[Vec<usize>]) -> Consumers {
        let mut edges = Vec::new();
        let vertices: Vec<Vertex> = sources
            .iter()
            .enumerate()
            .map(|(v, s)| {
                let start = edges.len();
                edges.extend(s.iter().map(|&node| Source {
                    node,
                    conversion: None,
                }));
                Vertex {
                    name: Arc::from(format!("v{v}")),
                    kind: Kind::Input,
                    ty: TypeDesc::from(crate::types::TypeInfo::of::<i64>()),
                    sources: Span::new(start, edges.len() - start),
                    optional: false,
                }
            })
            .collect();
        Consumers::new(&vertices, &edges)
    }

    /// The reference: petgraph's topological order of the same edges, added as the graph adds
    /// them (consumer by consumer, parameter by parameter).
    fn petgraph_order(sources: &[Vec<usize>]) -> Option<Vec<u32>> {
        let mut dag: DiGraph<(), ()> = DiGraph::new();
        for _ in sources {
            dag.add_node(());
        }
        for (c, s) in sources.iter().enumerate() {
            for &s in s {
                dag.add_edge(NodeIndex::new(s), NodeIndex::new(c), ());
            }
        }
        let order = toposort(&dag, None).ok()?;
        let mut pos = vec![0; sources.len()];
        for (at, ix) in order.into_iter().enumerate() {
            pos[ix.index()] = at as u32;
        }
        Some(pos)
    }

    /// Up to 40 vertices, each reading up to 4 others. `acyclic` sends every edge from a lower
    /// to a higher number, then shuffles the numbers, so that the order is not the numbering.
    fn graphs(acyclic: bool) -> impl Strategy<Value = Vec<Vec<usize>>> {
        (1_usize..40).prop_flat_map(move |n| {
            let edges = proptest::collection::vec(proptest::collection::vec((0..n, 0..n), 0..4), n);
            (edges, Just((0..n).collect::<Vec<_>>()).prop_shuffle()).prop_map(
                move |(edges, names)| {
                    let mut sources = vec![Vec::new(); edges.len()];
                    for (c, reads) in edges.into_iter().enumerate() {
                        for (a, b) in reads {
                            let (s, c) = if acyclic {
                                if a == b {
                                    continue;
                                }
                                (a.min(b), a.max(b))
                            } else {
                                (a, c)
                            };
                            sources[names[c]].push(names[s]);
                        }
                    }
                    sources
                },
            )
        })
    }

    proptest! {
        #[test]
        fn the_run_order_is_petgraphs_topological_order(sources in graphs(true)) {
            prop_assert_eq!(run_order(&consumers(&sources)), petgraph_order(&sources));
        }

        #[test]
        fn a_cycle_has_no_run_order_exactly_when_petgraph_finds_one(sources in graphs(false)) {
            let order = run_order(&consumers(&sources));
            prop_assert_eq!(order.is_none(), petgraph_order(&sources).is_none());
            if let Some(pos) = order {
                for (c, s) in sources.iter().enumerate() {
                    for &s in s {
                        prop_assert!(pos[s] < pos[c]);
                    }
                }
            }
        }
    }

    #[test]
    fn consumers_are_sorted_without_repeats() {
        // 2 reads 0 twice; 1 and 3 read 0; 3 reads 2.
        let consumers = consumers(&[vec![], vec![0], vec![0, 0], vec![2, 0]]);
        assert_eq!(consumers.of(0), [1, 2, 3]);
        assert_eq!(consumers.of(1), [] as [u32; 0]);
        assert_eq!(consumers.of(2), [3]);
        assert_eq!(consumers.of(3), [] as [u32; 0]);
    }

    #[test]
    fn a_vertex_reading_itself_is_a_cycle() {
        assert_eq!(run_order(&consumers(&[vec![], vec![1]])), None);
    }
}
