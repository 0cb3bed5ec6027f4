use hamilton_core::node;

#[node]
fn longest<'a>(a: &'a str) -> String {
    a.to_owned()
}

fn main() {}
