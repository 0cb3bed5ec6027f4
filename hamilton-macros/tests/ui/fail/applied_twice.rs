use hamilton_core::node;

#[node]
#[node(name = "other")]
fn spend(a: &f64) -> f64 {
    *a
}

fn main() {}
