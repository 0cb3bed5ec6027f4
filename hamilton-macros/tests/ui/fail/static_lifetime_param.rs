use hamilton_core::node;

#[node]
fn label(name: &'static str) -> String {
    name.to_owned()
}

fn main() {}
