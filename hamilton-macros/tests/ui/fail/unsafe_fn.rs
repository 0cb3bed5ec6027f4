use hamilton_core::node;

#[node]
unsafe fn spend(a: &f64) -> f64 {
    *a
}

fn main() {}
