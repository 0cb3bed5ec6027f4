use hamilton_core::node;

#[node]
fn label() -> &'static str {
    "x"
}

fn main() {}
