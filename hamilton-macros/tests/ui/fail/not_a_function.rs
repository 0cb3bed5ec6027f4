use hamilton_core::node;

#[node]
struct Spend {
    total: f64,
}

fn main() {}
