use hamilton_core::node;

#[node]
fn constant(_: &f64) -> f64 {
    1.0
}

fn main() {}
