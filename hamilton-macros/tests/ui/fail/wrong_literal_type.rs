use hamilton_core::node;

#[node(parameterize(a(k = value(2)), b(k = value("two"))))]
fn scale(x: &f64, k: f64) -> f64 {
    x * k
}

#[node(inject(label = value(3), sizes = value(vec!["a"])))]
fn labelled(label: &str, sizes: &[u8]) -> usize {
    label.len() + sizes.len()
}

fn main() {}
