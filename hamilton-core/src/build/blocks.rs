//! Fan-out blocks: the nodes that run once per item of each fan-out, found and checked when the
//! graph is built (see [`fanout`](crate::fanout) for the shapes allowed).

use std::collections::{HashSet, VecDeque};

use crate::edges::Consumers;
use crate::error::BuildError;
use crate::graph::{Kind, Source, Vertex};

/// The nodes that run once per item of one fan-out.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// The fan-out vertex.
    pub(crate) expand: usize,
}

/// Which fan-out's block each vertex belongs to, if any: four bytes a vertex (`u32::MAX` for
/// none) rather than the eight of an `Option<u32>`.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockOf(Vec<u32>);

impl BlockOf {
    const NONE: u32 = u32::MAX;

    /// `n` vertices, none in a block.
    pub(crate) fn new(n: usize) -> Self {
        Self(vec![Self::NONE; n])
    }

    /// The block of vertex `v`.
    pub(crate) fn of(&self, v: usize) -> Option<u32> {
        Some(self.0[v]).filter(|&b| b != Self::NONE)
    }

    /// Puts vertex `v` in block `b`.
    pub(crate) fn set(&mut self, v: usize, b: u32) {
        self.0[v] = b;
    }

    /// The number of vertices.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The blocks of the vertices that are in one.
    pub(crate) fn blocks(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().copied().filter(|&b| b != Self::NONE)
    }
}

#[cfg(test)]
impl From<&[Option<u32>]> for BlockOf {
    fn from(blocks: &[Option<u32>]) -> Self {
        Self(blocks.iter().map(|b| b.unwrap_or(Self::NONE)).collect())
    }
}

/// Finds each fan-out's block and checks the shapes; fills `block_of` for every vertex.
/// `fan_outs` are the fan-out vertices and `collectors` the vertices with a `Collect` parameter,
/// each in ascending order (the graph's build lists them as it wires each node, so that this
/// pass visits them alone, not every node).
pub(crate) fn analyze(
    vertices: &[Vertex],
    edges: &[Source],
    consumers: &Consumers,
    fan_outs: &[usize],
    collectors: &[usize],
) -> (Vec<Block>, BlockOf, Vec<BuildError>) {
    let mut errors = Vec::new();
    let mut blocks = Vec::new();
    let mut block_of = BlockOf::new(vertices.len());
    // Whether `consumer` reads `source` through a `Collect` parameter (`gathering`) or a plain one.
    let reads = |consumer: usize, source: usize, gathering: bool| -> bool {
        let v = &vertices[consumer];
        let Kind::Function(node) = v.kind() else {
            return false;
        };
        v.sources
            .of(edges)
            .iter()
            .zip(node.params())
            .any(|(s, p)| s.node() == source && p.gather().is_some() == gathering)
    };
    for &e in fan_outs {
        let vertex = &vertices[e];
        let id = blocks.len() as u32;
        blocks.push(Block { expand: e });
        let mut queue = VecDeque::from([e]);
        let mut seen = HashSet::from([e]);
        while let Some(at) = queue.pop_front() {
            for c in consumers.of(at).iter().map(|&c| c as usize) {
                if at == e && reads(c, e, true) {
                    errors.push(BuildError::CollectOfFanOutItself {
                        node: vertices[c].name().to_string(),
                        fan_out: vertex.name().to_string(),
                    });
                }
                if !reads(c, at, false) || !seen.insert(c) {
                    continue;
                }
                if vertices[c].function().and_then(|n| n.fan_out()).is_some() {
                    errors.push(BuildError::NestedFanOut {
                        outer: vertex.name().to_string(),
                        inner: vertices[c].name().to_string(),
                    });
                    continue;
                }
                match block_of.of(c) {
                    Some(other) if other != id => errors.push(BuildError::TwoFanOuts {
                        node: vertices[c].name().to_string(),
                        first: vertices[blocks[other as usize].expand].name().to_string(),
                        second: vertex.name().to_string(),
                    }),
                    _ => block_of.set(c, id),
                }
                queue.push_back(c);
            }
        }
    }
    // Every `Collect` must read a node inside a block, from outside that block.
    for &c in collectors {
        let v = &vertices[c];
        let Kind::Function(node) = v.kind() else {
            continue;
        };
        for (s, p) in v.sources.of(edges).iter().zip(node.params()) {
            if p.gather().is_none() {
                continue;
            }
            let is_fan_out = vertices[s.node()]
                .function()
                .and_then(|n| n.fan_out())
                .is_some();
            match block_of.of(s.node()) {
                None if !is_fan_out => errors.push(BuildError::CollectWithoutFanOut {
                    node: v.name().to_string(),
                    param: p.name().to_string(),
                }),
                Some(b) if block_of.of(c) == Some(b) => {
                    errors.push(BuildError::CollectInsideBlock {
                        node: v.name().to_string(),
                        fan_out: vertices[blocks[b as usize].expand].name().to_string(),
                    })
                }
                _ => {}
            }
        }
    }
    (blocks, block_of, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_of_reads_back_what_was_set_and_none_elsewhere_in_four_bytes_a_vertex() {
        let mut block_of = BlockOf::new(4);
        block_of.set(1, 0);
        block_of.set(3, 7);
        assert_eq!(
            (0..4).map(|v| block_of.of(v)).collect::<Vec<_>>(),
            [None, Some(0), None, Some(7)]
        );
        assert_eq!(block_of.blocks().collect::<Vec<_>>(), [0, 7]);
        assert_eq!(block_of.len(), 4);
        assert_eq!(
            block_of.0.capacity() * std::mem::size_of_val(&block_of.0[0]),
            16
        );
    }
}
