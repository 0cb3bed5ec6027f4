use hamilton_core::node;

#[node]
fn with_where(a: &f64) -> f64
where
    f64: Copy,
{
    *a
}

fn main() {}
