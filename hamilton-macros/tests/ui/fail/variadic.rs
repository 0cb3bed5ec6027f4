use hamilton_core::node;

#[node]
fn sum(first: f64, ...) -> f64 {
    first
}

fn main() {}
