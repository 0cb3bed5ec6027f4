//! Binding parameters, for phase (4) and for steps: `source` renames what a parameter reads,
//! `value` and `group` add helper nodes.

use std::collections::HashSet;
use std::sync::Arc;

use super::Resolver;
use crate::modifiers::binding::{BindingKind, Bindings};
use crate::modifiers::messages::quoted;
use crate::node::{Node, Param};
use crate::types::ParamKind;

impl Resolver<'_> {
    /// Binds parameters of `base` (by their names in `base`) and names the result `name`;
    /// literal and group bindings become helper nodes `<name>.<param>`, pushed to `out`.
    pub(super) fn bind(
        &mut self,
        base: &Node,
        name: &str,
        bindings: &Bindings,
        option: &str,
        owner: &Node,
        out: &mut Vec<Node>,
    ) -> Option<Node> {
        let mut params = base.params().to_vec();
        let mut bound: HashSet<&str> = HashSet::new();
        let mut ok = true;
        for (param, binding) in bindings {
            let Some(i) = base.params().iter().position(|p| p.name() == &**param) else {
                let subject = if base.function() == owner.function() {
                    "the function".to_string()
                } else {
                    format!("step `{}`", base.function())
                };
                self.error(
                    owner,
                    option,
                    format!(
                        "{subject} has no parameter `{param}` to bind; its parameters are {}",
                        quoted(base.params().iter().map(Param::name))
                    ),
                );
                ok = false;
                continue;
            };
            if !bound.insert(param) {
                self.error(
                    owner,
                    option,
                    format!("parameter `{param}` is bound twice; bind it once"),
                );
                ok = false;
                continue;
            }
            let helper = format!("{name}.{param}");
            match &binding.0 {
                BindingKind::Source(source) => params[i] = params[i].renamed(source.clone()),
                BindingKind::Value { ty, make, text } => {
                    if *ty != params[i].ty() {
                        self.error(
                            owner,
                            option,
                            format!(
                                "`{param} = value({text})` is a `{ty}`, but parameter `{param}` reads a `{}`; give a `{}`",
                                params[i].ty(),
                                params[i].ty()
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    let make = make.clone();
                    out.push(
                        base.derived(helper.clone())
                            .doc(format!("`{param}` of `{name}`: {text}."))
                            .build_erased(*ty, Arc::new(move |_| Ok(make()))),
                    );
                    params[i] = Param::new(helper, *ty, params[i].kind());
                }
                BindingKind::Group {
                    elem,
                    ty,
                    expected,
                    members,
                    duplicate,
                    combine,
                    ..
                } => {
                    if let Some(key) = duplicate {
                        self.error(
                            owner,
                            option,
                            format!(
                                "`{param} = group(..)` gives key `{key}` twice; give each key once"
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    if *ty != params[i].ty() {
                        self.error(
                            owner,
                            option,
                            format!(
                                "`{param} = group(..)` gathers a `{ty}`, but parameter `{param}` reads a `{}`; read {expected}",
                                params[i].ty()
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    let mut builder = base
                        .derived(helper.clone())
                        .doc(format!("`{param}` of `{name}`: {}.", binding));
                    for m in members {
                        builder =
                            builder.with_param(Param::new(m.clone(), *elem, ParamKind::Owned));
                    }
                    out.push(builder.build_erased(*ty, combine.clone()));
                    params[i] = Param::new(helper, *ty, params[i].kind());
                }
            }
        }
        ok.then(|| base.clone().renamed(name).with_params(params))
    }
}
