use hamilton_core::node;

#[node]
fn count(rows: &Vec<String>) -> usize {
    rows.len()
}

#[node(wired)]
fn mean_count(count: &f64) -> f64 {
    *count / 2.0
}

fn main() {}
