//! Which values cross between the driver and its workers, found at build time: each one's type
//! must have an encoder, or `build()` names the node and how to register one.

use std::any::TypeId;

use super::codec::{Codec, missing_encoder_hint};
use crate::error::BuildError;
use crate::graph::{Graph, Vertex};

/// Every crossing value without an encoder: what a fan-out block reads from outside it (the
/// items among them), what is collected from it, and what `remote_nodes` read and produce.
pub(crate) fn unencodable(graph: &Graph, remote_nodes: &[bool], codec: &Codec) -> Vec<BuildError> {
    let mut problems = Vec::new();
    let mut check = |vertex: &Vertex, role: String, id: TypeId, ty: &'static str| {
        if !codec.can_encode(id)
            && !problems
                .iter()
                .any(|p: &BuildError| matches!(p, BuildError::CannotCross { ty: t, .. } if t == ty))
        {
            problems.push(BuildError::CannotCross {
                node: vertex.name().to_string(),
                node_at: vertex
                    .function()
                    .and_then(|n| n.location())
                    .map_or_else(|| "built by hand".to_string(), |l| l.to_string()),
                role,
                ty: ty.to_string(),
                fix: missing_encoder_hint(ty),
            });
        }
    };
    for (v, vertex) in graph.vertices.iter().enumerate() {
        let Some(node) = vertex.function() else {
            continue;
        };
        let in_block = graph.block_of.of(v);
        if in_block.is_none() && !remote_nodes[v] {
            continue;
        }
        // What it reads from the driver's process.
        for (param, source) in node.params().iter().zip(graph.sources_of(vertex)) {
            let source_block = graph.block_of.of(source.node());
            let is_expand =
                in_block.is_some_and(|b| graph.blocks[b as usize].expand == source.node());
            if is_expand {
                check(
                    vertex,
                    format!(
                        "reads the fan-out's items through parameter `{}` as",
                        param.name()
                    ),
                    param.ty().id(),
                    param.ty().name(),
                );
            } else if remote_nodes[v] || source_block != in_block {
                let s = &graph.vertices[source.node()];
                check(
                    vertex,
                    format!(
                        "reads `{}` through parameter `{}`, a",
                        s.name(),
                        param.name()
                    ),
                    s.ty_id(),
                    s.ty_name(),
                );
            }
        }
        // What goes back: a remote node's value, a block value collected outside the block.
        let collected = in_block.is_some()
            && graph
                .consumers
                .of(v)
                .iter()
                .any(|&c| graph.block_of.of(c as usize) != in_block);
        if remote_nodes[v] || collected {
            check(
                vertex,
                "produces".to_string(),
                vertex.ty_id(),
                vertex.ty_name(),
            );
        }
    }
    problems
}
