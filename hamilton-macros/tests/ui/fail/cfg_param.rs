use hamilton_core::node;

#[node]
fn spend(a: &f64, #[cfg(not(debug_assertions))] b: &f64) -> f64 {
    *a
}

fn main() {}
