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

/// Finds each fan-out's block and checks the shapes; fills `block_of` for every vertex.
pub(crate) fn analyze(
    vertices: &[Vertex],
    edges: &[Source],
    consumers: &Consumers,
) -> (Vec<Block>, Vec<Option<u32>>, Vec<BuildError>) {
    let mut errors = Vec::new();
    let mut blocks = Vec::new();
    let mut block_of: Vec<Option<u32>> = vec![None; vertices.len()];
    // Whether `consumer` reads `source` through a `Collect` parameter (`gathering`) or a plain one.
    let reads = |consumer: usize, source: usize, gathering: bool| -> bool {
        let v = &vertices[consumer];
        let Kind::Function(node) = &v.kind else {
            return false;
        };
        v.sources
            .of(edges)
            .iter()
            .zip(node.params())
            .any(|(s, p)| s.node == source && p.gather().is_some() == gathering)
    };
    for (e, vertex) in vertices.iter().enumerate() {
        if vertex.function().and_then(|n| n.fan_out()).is_none() {
            continue;
        }
        let id = blocks.len() as u32;
        blocks.push(Block { expand: e });
        let mut queue = VecDeque::from([e]);
        let mut seen = HashSet::from([e]);
        while let Some(at) = queue.pop_front() {
            for c in consumers.of(at).iter().map(|&c| c as usize) {
                if at == e && reads(c, e, true) {
                    errors.push(BuildError::CollectOfFanOutItself {
                        node: vertices[c].name.to_string(),
                        fan_out: vertex.name.to_string(),
                    });
                }
                if !reads(c, at, false) || !seen.insert(c) {
                    continue;
                }
                if vertices[c].function().and_then(|n| n.fan_out()).is_some() {
                    errors.push(BuildError::NestedFanOut {
                        outer: vertex.name.to_string(),
                        inner: vertices[c].name.to_string(),
                    });
                    continue;
                }
                match block_of[c] {
                    Some(other) if other != id => errors.push(BuildError::TwoFanOuts {
                        node: vertices[c].name.to_string(),
                        first: vertices[blocks[other as usize].expand].name.to_string(),
                        second: vertex.name.to_string(),
                    }),
                    _ => block_of[c] = Some(id),
                }
                queue.push_back(c);
            }
        }
    }
    // Every `Collect` must read a node inside a block, from outside that block.
    for (c, v) in vertices.iter().enumerate() {
        let Kind::Function(node) = &v.kind else {
            continue;
        };
        for (s, p) in v.sources.of(edges).iter().zip(node.params()) {
            if p.gather().is_none() {
                continue;
            }
            let is_fan_out = vertices[s.node]
                .function()
                .and_then(|n| n.fan_out())
                .is_some();
            match block_of[s.node] {
                None if !is_fan_out => errors.push(BuildError::CollectWithoutFanOut {
                    node: v.name.to_string(),
                    param: p.name().to_string(),
                }),
                Some(b) if block_of[c] == Some(b) => errors.push(BuildError::CollectInsideBlock {
                    node: v.name.to_string(),
                    fan_out: vertices[blocks[b as usize].expand].name.to_string(),
                }),
                _ => {}
            }
        }
    }
    (blocks, block_of, errors)
}
