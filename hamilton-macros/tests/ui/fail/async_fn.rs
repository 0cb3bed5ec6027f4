use hamilton_core::node;

#[node]
async fn fetch(url: &str) -> String {
    url.to_owned()
}

fn main() {}
