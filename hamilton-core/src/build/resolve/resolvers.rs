//! (2) `resolve`: modifiers computed from the config join the function's own, each in its
//! phase.

use std::sync::Arc;

use super::Resolver;
use crate::modifiers::{Kind, Modifier};
use crate::node::Node;

impl Resolver<'_> {
    /// `modifiers` with those the function's resolvers return; `None` when one of them excludes
    /// the function or fails (reported).
    pub(super) fn resolve(
        &mut self,
        base: &Node,
        mut modifiers: Vec<Modifier>,
    ) -> Option<Vec<Modifier>> {
        let resolvers: Vec<(Arc<str>, _)> = modifiers
            .iter()
            .filter_map(|m| match &m.kind {
                Kind::Resolve { name, f } => Some((name.clone(), f.clone())),
                _ => None,
            })
            .collect();
        for (name, f) in resolvers {
            match f(self.config) {
                Ok(more) => {
                    for m in more {
                        match m.kind {
                            Kind::Exclude => return None,
                            Kind::When(_)
                            | Kind::Default
                            | Kind::Resolve { .. }
                            | Kind::Mutate { .. } => self.error(
                                base,
                                "resolve",
                                format!(
                                    "resolver `{name}` returned `{}`, which cannot be decided after config selection; write it in the attribute instead",
                                    m.option()
                                ),
                            ),
                            _ => modifiers.push(m),
                        }
                    }
                }
                Err(problem) => {
                    self.error(
                        base,
                        "resolve",
                        format!("resolver `{name}` failed: {problem}"),
                    );
                    return None;
                }
            }
        }
        Some(modifiers)
    }
}
