//! The graph's edges read forwards, and the order a run visits the vertices in.
//!
//! A vertex's sources (what it reads) live in the vertex; its consumers (what reads it) are
//! kept here for the whole graph in one array, compressed by rows: two `u32` arrays instead of
//! a vector per vertex.

use crate::blocks::BlockOf;
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
            if !sources[..i].iter().any(|t| t.node() == s.node()) {
                edge(s.node(), consumer);
            }
        }
    }
}

/// What the run order moves as one with `v`: `v` itself, or for a vertex of a fan-out's block,
/// the fan-out (which names the fan-out with its block).
pub(crate) fn unit_of(v: usize, block_of: &BlockOf, expands: &[usize]) -> usize {
    block_of.of(v).map_or(v, |b| expands[b as usize])
}

/// Each vertex's position in the order runs visit them, or `None` if the edges have a cycle
/// (taking each fan-out's block as one vertex).
///
/// Every vertex comes after its sources, and each fan-out with its block (`block_of`; `expands`
/// are the fan-out vertices, by block) is one stretch of the order, before any node collecting
/// from it. Among what is ready, what was made ready last goes first (Kahn's algorithm with a
/// stack): a run finishes what a value feeds before it starts on a sibling, so a value is freed
/// soon after it is made. Ties go to the lower vertex (the earlier module's node, then the name
/// that sorts first).
pub(crate) fn run_order(
    consumers: &Consumers,
    block_of: &BlockOf,
    expands: &[usize],
) -> Option<Vec<u32>> {
    let n = block_of.len();
    let unit = |v: usize| unit_of(v, block_of, expands);
    let mut block_at: Vec<Option<u32>> = vec![None; n];
    let mut members = vec![0_usize; expands.len()];
    for (b, &e) in expands.iter().enumerate() {
        block_at[e] = Some(b as u32);
    }
    for b in block_of.blocks() {
        members[b as usize] += 1;
    }
    // For a unit, its edges from other units; for a block's member, its edges from the block.
    let mut waiting = vec![0_u32; n];
    for s in 0..n {
        for &c in consumers.of(s) {
            let c = c as usize;
            match (unit(s) == unit(c), c == unit(c)) {
                (false, _) => waiting[unit(c)] += 1,
                (true, false) => waiting[c] += 1,
                // A vertex reading itself, or a fan-out reading its own block.
                (true, true) => return None,
            }
        }
    }
    let mut ready: Vec<u32> = (0..n as u32)
        .rev()
        .filter(|&v| unit(v as usize) == v as usize && waiting[v as usize] == 0)
        .collect();
    let mut pos = vec![u32::MAX; n];
    let mut next = 0_u32;
    let mut placed: Vec<usize> = Vec::new();
    let mut inner: Vec<u32> = Vec::new();
    let mut fresh: Vec<u32> = Vec::new();
    while let Some(u) = ready.pop() {
        let u = u as usize;
        // The unit's vertices: the vertex, or the fan-out then its block in order.
        placed.clear();
        inner.push(u as u32);
        while let Some(x) = inner.pop() {
            let x = x as usize;
            pos[x] = next;
            next += 1;
            placed.push(x);
            for &c in consumers.of(x).iter().rev() {
                if unit(c as usize) == u {
                    waiting[c as usize] -= 1;
                    if waiting[c as usize] == 0 {
                        inner.push(c);
                    }
                }
            }
        }
        if let Some(b) = block_at[u]
            && placed.len() != members[b as usize] + 1
        {
            // A cycle inside the block.
            return None;
        }
        // What the unit made ready, lowest on top.
        fresh.clear();
        for &x in &placed {
            for &c in consumers.of(x) {
                let cu = unit(c as usize);
                if cu != u {
                    waiting[cu] -= 1;
                    if waiting[cu] == 0 {
                        fresh.push(cu as u32);
                    }
                }
            }
        }
        fresh.sort_unstable();
        ready.extend(fresh.iter().rev());
    }
    (next as usize == n).then_some(pos)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use petgraph::algo::toposort;
    use petgraph::graph::{DiGraph, NodeIndex};
    use proptest::prelude::*;

    use super::*;
    use crate::graph::{Span, TypeDesc};

    /// The consumers of vertices reading `sources[v]` each (repeats allowed).
    fn consumers(sources: &[Vec<usize>]) -> Consumers {
        let mut edges = Vec::new();
        let vertices: Vec<Vertex> = sources
            .iter()
            .enumerate()
            .map(|(v, s)| {
                let start = edges.len();
                edges.extend(s.iter().map(|&node| Source::new(node)));
                let mut vertex = Vertex::input(
                    Arc::from(format!("v{v}")),
                    TypeDesc::from(crate::types::TypeInfo::of::<i64>()),
                );
                vertex.sources = Span::new(start, edges.len() - start);
                vertex
            })
            .collect();
        Consumers::new(&vertices, &edges)
    }

    /// The reference for cycles: petgraph's topological sort of the same edges.
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

    /// The order of vertices without fan-outs.
    fn order(sources: &[Vec<usize>]) -> Option<Vec<u32>> {
        run_order(&consumers(sources), &BlockOf::new(sources.len()), &[])
    }

    /// The vertices by position.
    fn sequence(pos: &[u32]) -> Vec<usize> {
        let mut seq = vec![0; pos.len()];
        for (v, &p) in pos.iter().enumerate() {
            seq[p as usize] = v;
        }
        seq
    }

    proptest! {
        #[test]
        fn every_vertex_runs_after_its_sources(sources in graphs(true)) {
            let pos = order(&sources);
            prop_assert!(pos.is_some());
            let pos = pos.unwrap();
            let mut seen = pos.clone();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..sources.len() as u32).collect::<Vec<_>>());
            for (c, s) in sources.iter().enumerate() {
                for &s in s {
                    prop_assert!(pos[s] < pos[c]);
                }
            }
        }

        #[test]
        fn there_is_no_run_order_exactly_when_petgraph_finds_a_cycle(sources in graphs(false)) {
            prop_assert_eq!(order(&sources).is_none(), petgraph_order(&sources).is_none());
        }
    }

    #[test]
    fn a_run_finishes_what_a_value_feeds_before_starting_a_sibling() {
        // 0 feeds two chains, 1 -> 2 and 3 -> 4; 5 reads both ends.
        let pos = order(&[vec![], vec![0], vec![1], vec![0], vec![3], vec![2, 4]]).unwrap();
        assert_eq!(sequence(&pos), [0, 1, 2, 3, 4, 5]);
        // 0 feeds the chain 2 -> 3 -> 1, and 4; 5 reads 1 and 4.
        let pos = order(&[vec![], vec![3], vec![0], vec![2], vec![0], vec![1, 4]]).unwrap();
        assert_eq!(sequence(&pos), [0, 2, 3, 1, 4, 5]);
    }

    #[test]
    fn nodes_made_ready_together_run_lowest_first() {
        // Three layers of width two, each node reading both of the layer before.
        let pos = order(&[
            vec![],
            vec![],
            vec![0, 1],
            vec![0, 1],
            vec![2, 3],
            vec![2, 3],
        ])
        .unwrap();
        assert_eq!(sequence(&pos), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_fan_out_and_its_block_run_as_one_stretch_before_their_collectors() {
        // 0 is a fan-out; 1 and 2 (reading 1) are its block; 3 collects 1, 4 collects 2;
        // 5 reads 0's source 6 and nothing of the block.
        let sources = [vec![6], vec![0], vec![1], vec![1], vec![2], vec![6], vec![]];
        let block_of = BlockOf::from(&[None, Some(0), Some(0), None, None, None, None][..]);
        let pos = run_order(&consumers(&sources), &block_of, &[0]).unwrap();
        let seq = sequence(&pos);
        let start = seq.iter().position(|&v| v == 0).unwrap();
        assert_eq!(seq[start..start + 3], [0, 1, 2]);
        assert!(pos[3] > pos[2] && pos[4] > pos[2]);
    }

    #[test]
    fn a_collector_feeding_its_block_is_a_cycle() {
        // 0 is a fan-out; 1 and 2 are its block; 3 collects 1 and 2 reads 3.
        let sources = [vec![], vec![0], vec![1, 3], vec![1]];
        let block_of = BlockOf::from(&[None, Some(0), Some(0), None][..]);
        assert_eq!(run_order(&consumers(&sources), &block_of, &[0]), None);
        // Without the block, the same edges have an order.
        assert!(order(&sources).is_some());
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
        assert_eq!(order(&[vec![], vec![1]]), None);
    }
}
