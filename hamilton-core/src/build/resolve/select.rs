//! (1) Config selection: `when*`, `default` and `exclude` keep a function or drop it, one
//! variant per node name; a needed node none of whose variants could be chosen for want of
//! config is reported once every module is resolved.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::Resolver;
use crate::error::BuildError;
use crate::modifiers::messages::origin;
use crate::modifiers::{Condition, Kind};
use crate::module::EmptyModuleReason;
use crate::node::Node;
use crate::values::Config;

/// A node name none of whose variants was selected.
pub(super) struct Dropped {
    pub(super) name: String,
    /// (function, where it is defined, conditions) of each variant.
    variants: Vec<(String, String, String)>,
    /// Config keys that are not set and that a variant needs.
    missing: Vec<String>,
}

/// A `when` variant: a node with conditions, or the default.
struct Variant {
    node: Node,
    conditions: Vec<Condition>,
    default: bool,
}

impl Variant {
    fn describe(&self) -> String {
        if self.default {
            "`default`".to_string()
        } else {
            self.conditions
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

impl Resolver<'_> {
    /// Keeps the nodes whose `when` conditions hold, one variant per name.
    pub(super) fn select(&mut self, nodes: Vec<Node>) -> Vec<Node> {
        let mut keep = Vec::with_capacity(nodes.len());
        let mut groups: BTreeMap<String, Vec<Variant>> = BTreeMap::new();
        for node in nodes {
            let mut conditions = Vec::new();
            let mut default = false;
            let mut exclude = false;
            for m in node.modifiers() {
                match &m.kind {
                    Kind::When(c) => conditions.push(c.clone()),
                    Kind::Default => default = true,
                    Kind::Exclude => exclude = true,
                    _ => {}
                }
            }
            if exclude {
                continue;
            }
            if default && !conditions.is_empty() {
                self.error(
                    &node,
                    "default",
                    "a `default` variant is used when no other variant matches, so it takes no `when` condition; remove the conditions or `default`",
                );
                continue;
            }
            if conditions.is_empty() && !default {
                keep.push(node);
                continue;
            }
            groups
                .entry(node.name().to_string())
                .or_default()
                .push(Variant {
                    node,
                    conditions,
                    default,
                });
        }
        for (name, variants) in groups {
            let matching: Vec<usize> = (0..variants.len())
                .filter(|&i| {
                    !variants[i].default
                        && variants[i].conditions.iter().all(|c| c.holds(self.config))
                })
                .collect();
            let defaults: Vec<usize> = (0..variants.len())
                .filter(|&i| variants[i].default)
                .collect();
            let chosen = match (matching.len(), defaults.len()) {
                (1, _) => Some(matching[0]),
                (0, 1) => Some(defaults[0]),
                (0, 0) => {
                    let mut missing: Vec<String> = variants
                        .iter()
                        .flat_map(|v| &v.conditions)
                        .filter_map(|c| c.missing_key(self.config))
                        .map(str::to_string)
                        .collect();
                    missing.sort();
                    missing.dedup();
                    self.dropped.push(Dropped {
                        name: name.clone(),
                        variants: variants
                            .iter()
                            .map(|v| (v.node.function().to_string(), origin(&v.node), v.describe()))
                            .collect(),
                        missing,
                    });
                    None
                }
                _ => {
                    let clashing = if matching.len() > 1 {
                        &matching
                    } else {
                        &defaults
                    };
                    let mut described: Vec<(String, String, String)> = clashing
                        .iter()
                        .map(|&i| {
                            let v = &variants[i];
                            (v.node.function().to_string(), origin(&v.node), v.describe())
                        })
                        .collect();
                    described.sort();
                    self.errors.push(BuildError::ConflictingVariants {
                        name: name.clone(),
                        variants: described,
                    });
                    Some(clashing[0])
                }
            };
            if let Some(i) = chosen {
                keep.push(variants.into_iter().nth(i).expect("chosen index").node);
            }
        }
        keep
    }
}

/// Reports each `dropped` name that a node of `resolved` needs (not optionally) and that
/// neither a node nor the config provides, when config keys its variants test are not set.
pub(super) fn report_missing_config(
    dropped: Vec<Dropped>,
    resolved: &[Result<Vec<Arc<Node>>, EmptyModuleReason>],
    config: &Config,
    errors: &mut Vec<BuildError>,
) {
    if dropped.is_empty() {
        return;
    }
    let all = || resolved.iter().flatten().flatten();
    let provided: HashSet<&str> = all().map(|n| n.name()).chain(config.keys()).collect();
    for d in dropped {
        if d.missing.is_empty() || provided.contains(d.name.as_str()) {
            continue;
        }
        let mut needed_by: Vec<(String, String)> = all()
            .filter(|n| {
                n.params()
                    .iter()
                    .any(|p| p.name() == d.name && !p.is_optional())
            })
            .map(|n| (n.name().to_string(), origin(n)))
            .collect();
        if needed_by.is_empty() {
            continue;
        }
        needed_by.sort();
        errors.push(BuildError::MissingConfig {
            name: d.name,
            needed_by,
            variants: d.variants,
            keys: d.missing,
        });
    }
}
