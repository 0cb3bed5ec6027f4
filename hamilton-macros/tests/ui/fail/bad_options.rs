use hamilton_core::node;

#[node(name = "1st", tag(owner = "a", owner = "b"), tag(tier = 1), crate = "not a path")]
fn spend(a: &f64) -> f64 {
    *a
}

#[node(name = "a", name = "b")]
fn other(a: &f64) -> f64 {
    *a
}

fn main() {}
