//! `name`, `tag` and `crate` options.
#![deny(warnings)]

use hamilton_core::node;

mod reexport {
    pub use hamilton_core as ham;
}

#[node(name = "marketing.spend", tag(owner = "growth", pii = "no"), tag(tier = "1"))]
fn spend() -> f64 {
    1.0
}

#[node(crate = "crate::reexport::ham")]
fn via_string_path() -> f64 {
    1.0
}

#[node(crate = reexport::ham, name = "renamed")]
fn via_path() -> f64 {
    1.0
}

#[node(crate = ::hamilton_core)]
fn via_absolute_path() -> f64 {
    1.0
}

/// A node that keeps the name of a primitive by renaming.
#[node(name = "f64")]
fn f64_node() -> f64 {
    1.0
}

fn main() {
    let def = <spend>::DEF;
    assert_eq!(def.name, "marketing.spend");
    assert_eq!(def.function, "spend");
    assert_eq!(def.tags, [("owner", "growth"), ("pii", "no"), ("tier", "1")]);
    assert_eq!(<via_string_path>::DEF.name, "via_string_path");
    assert_eq!(<via_path>::DEF.name, "renamed");
    assert_eq!(<via_absolute_path>::DEF.name, "via_absolute_path");
    assert_eq!(<f64_node>::DEF.name, "f64");
}
