//! (8) `check`: validators on each output's final value.

use std::sync::Arc;

use super::{Finals, Function, Resolver};
use crate::modifiers::{CheckSpec, Kind};
use crate::node::Node;

impl Resolver<'_> {
    /// `last`, the output's final node, named `name`: checked by the function's `check`, or
    /// as it is. The nodes are pushed to `out`, the output listed in `finals`.
    pub(super) fn checks(
        &mut self,
        last: Node,
        name: &Arc<str>,
        raw: Option<String>,
        function: &Function,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        let checks: Vec<&CheckSpec> = function
            .modifiers
            .iter()
            .filter_map(|m| match &m.kind {
                Kind::Check(spec) => Some(spec),
                _ => None,
            })
            .collect();
        match checks.as_slice() {
            [] => {
                finals.push(out.len());
                out.push(last.renamed(name.clone()));
            }
            [spec, rest @ ..] => {
                if !rest.is_empty() {
                    self.error(
                        &function.base,
                        "check",
                        "give every validator of a node in one `check(...)` (one `Modifier::check`)",
                    );
                }
                self.check(last, name, raw, spec, out, finals);
            }
        }
    }

    /// `last` (the function's computation, or its last `pipe_output` step named
    /// `raw`) checked, the checked value named `name`.
    fn check(
        &mut self,
        last: Node,
        name: &Arc<str>,
        raw: Option<String>,
        spec: &CheckSpec,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        if spec.ty != last.output() {
            self.error(
                &last,
                "check",
                format!(
                    "the validators check a `{}`, but node `{name}` produces `{}`{}; check the value the node produces",
                    spec.ty,
                    last.output(),
                    if raw.is_some() { " after its `pipe_output`/`mutate` steps" } else { "" }
                ),
            );
            finals.push(out.len());
            out.push(last.renamed(name.clone()));
            return;
        }
        let mut nodes = (spec.apply)(last.renamed(name.clone()));
        if let Some(raw) = raw {
            let default_raw = crate::check::raw_name(name);
            for n in &mut nodes {
                if n.name() == default_raw {
                    *n = n.clone().renamed(raw.as_str());
                } else if n.params().iter().any(|p| p.name() == default_raw) {
                    let params = n
                        .params()
                        .iter()
                        .map(|p| {
                            if p.name() == default_raw {
                                p.renamed(raw.as_str())
                            } else {
                                p.clone()
                            }
                        })
                        .collect();
                    *n = n.clone().with_params(params);
                }
            }
        }
        for n in nodes {
            if n.name() == &**name {
                finals.push(out.len());
            }
            out.push(n);
        }
    }
}
