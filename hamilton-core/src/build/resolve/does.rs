//! (3) `does`: the function computes with another function's code.

use std::sync::Arc;

use super::Resolver;
use crate::modifiers::messages::quoted;
use crate::modifiers::{Kind, Modifier};
use crate::node::{Node, Param};

impl Resolver<'_> {
    /// `base` computed by the implementation of each `does` in `modifiers`, in turn.
    pub(super) fn does(&mut self, mut base: Node, modifiers: &[Modifier]) -> Node {
        for m in modifiers {
            if let Kind::Does(implementation, mapping) = &m.kind {
                base = if mapping.is_empty() {
                    self.computed_by(base, implementation)
                } else {
                    self.computed_by_name(base, implementation, mapping)
                };
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

    /// `base` computed by `implementation`, whose parameter `their` receives `base`'s `ours`
    /// for each `(their, ours)` of `mapping`, and each other one `base`'s parameter of its name.
    fn computed_by_name(
        &mut self,
        base: Node,
        implementation: &Node,
        mapping: &[(Arc<str>, Arc<str>)],
    ) -> Node {
        let f = implementation.function();
        let mut problems = Vec::new();
        let mut params = Vec::with_capacity(implementation.params().len());
        let mut used: Vec<&str> = Vec::new();
        for theirs in implementation.params() {
            let ours = mapping
                .iter()
                .find(|(their, _)| **their == *theirs.name())
                .map_or(theirs.name(), |(_, our)| &**our);
            match base.params().iter().find(|p| p.name() == ours) {
                None => problems.push(format!(
                    "`{f}`'s parameter `{}` receives `{ours}`, which this node does not take; map it to one of {}",
                    theirs.name(),
                    quoted(base.params().iter().map(Param::name))
                )),
                Some(own) if own.ty() != theirs.ty() => problems.push(format!(
                    "`{f}`'s parameter `{}` is a `{}`, but `{ours}` is a `{}`",
                    theirs.name(),
                    theirs.ty(),
                    own.ty()
                )),
                Some(own) if used.contains(&own.name()) => problems.push(format!(
                    "`{ours}` would be passed to two parameters of `{f}`; map each once"
                )),
                Some(own) => {
                    used.push(own.name());
                    params.push(Param::new(own.name(), own.ty(), theirs.kind()));
                }
            }
        }
        for (their, _) in mapping {
            if !implementation.params().iter().any(|p| p.name() == &**their) {
                problems.push(format!("`{f}` has no parameter `{their}`"));
            }
        }
        let unused: Vec<&str> = base
            .params()
            .iter()
            .map(Param::name)
            .filter(|p| !used.contains(p))
            .collect();
        if !unused.is_empty() && problems.is_empty() {
            problems.push(format!(
                "{} of this node would not be passed to `{f}`; map them: `their_param = {}`",
                quoted(unused.iter().copied()),
                unused[0]
            ));
        }
        if base.output() != implementation.output() {
            problems.push(format!(
                "`{f}` produces `{}`, but this node produces `{}`",
                implementation.output(),
                base.output()
            ));
        }
        if !problems.is_empty() {
            self.error(&base, "does", problems.join("; "));
            return base;
        }
        base.with_code_of(implementation).with_params(params)
    }
}
