//! How build-error messages name things: where a node comes from, and lists of names.

use crate::node::Node;

/// Where a node comes from, for messages: "module m (src/m.rs:3)".
pub(crate) fn origin(node: &Node) -> String {
    let module = if node.module().is_empty() {
        "nodes built by hand".to_string()
    } else {
        format!("module `{}`", node.module())
    };
    match node.location() {
        Some(loc) => format!("{module} ({loc})"),
        None => module,
    }
}

/// Where a node is defined, shortest: "src/m.rs:3", or [`origin`] when its location is unknown.
pub(crate) fn place(node: &Node) -> String {
    node.location()
        .map_or_else(|| origin(node), |l| l.to_string())
}

/// "`a`, `b`", or "none".
pub(crate) fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
