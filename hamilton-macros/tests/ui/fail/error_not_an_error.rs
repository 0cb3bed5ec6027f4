use hamilton_core::node;

#[node]
fn parse(text: &str) -> Result<f64, ()> {
    text.parse().map_err(|_| ())
}

fn main() {}
