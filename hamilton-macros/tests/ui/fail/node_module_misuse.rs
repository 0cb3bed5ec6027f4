// `#[node_module]` goes on a module with its items in braces, and takes only `crate = path`.
use hamilton_core::node_module;

#[node_module]
fn not_a_module() -> i64 {
    1
}

#[node_module(wired)]
mod with_an_option {}

#[node_module(crate = "hamilton_core")]
mod crate_as_a_string {}

fn main() {}
