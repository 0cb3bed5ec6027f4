use hamilton_core::node;

#[node]
fn numbers() -> impl Iterator<Item = u8> {
    0..3
}

fn main() {}
