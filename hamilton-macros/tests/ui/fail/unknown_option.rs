use hamilton_core::node;

#[node(when = "x", name = "ok", extract_columns(a, b), cache)]
fn spend(a: &f64) -> f64 {
    *a
}

fn main() {}
