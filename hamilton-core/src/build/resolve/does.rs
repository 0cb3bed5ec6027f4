//! (3) `does`: the function computes with another function's code.

use super::Resolver;
use crate::modifiers::{Kind, Modifier};
use crate::node::{Node, Param};

impl Resolver<'_> {
    /// `base` computed by the implementation of each `does` in `modifiers`, in turn.
    pub(super) fn does(&mut self, mut base: Node, modifiers: &[Modifier]) -> Node {
        for m in modifiers {
            if let Kind::Does(implementation) = &m.kind {
                base = self.computed_by(base, implementation);
            }
        }
        base
    }

    /// `base` computed by `implementation`, which must take and produce the same types.
    fn computed_by(&mut self, base: Node, implementation: &Node) -> Node {
        let types = |n: &Node| {
            n.params()
                .iter()
                .map(|p| p.ty().name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let same = base.params().len() == implementation.params().len()
            && base
                .params()
                .iter()
                .zip(implementation.params())
                .all(|(a, b)| a.ty() == b.ty())
            && base.output() == implementation.output();
        if !same {
            self.error(
                &base,
                "does",
                format!(
                    "`{}` takes ({}) and produces `{}`, but this node takes ({}) and produces `{}`; give them the same parameter types, in the same order, and the same output type",
                    implementation.function(),
                    types(implementation),
                    implementation.output(),
                    types(&base),
                    base.output()
                ),
            );
            return base;
        }
        let params = base
            .params()
            .iter()
            .zip(implementation.params())
            .map(|(own, theirs)| Param::new(own.name(), own.ty(), theirs.kind()))
            .collect();
        base.with_code_of(implementation).with_params(params)
    }
}
