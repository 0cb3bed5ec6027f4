use hamilton_core::node;

#[node]
extern "C" fn spend(a: f64) -> f64 {
    a
}

fn main() {}
