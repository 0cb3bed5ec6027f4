use hamilton_core::node;

#[node(cache, name = "ok", schema(a), otherwise = "x")]
fn spend(a: &f64) -> f64 {
    *a
}

fn main() {}
