use hamilton_core::node;

struct ScoreResult {
    score: f64,
}

#[node]
fn score(x: &f64) -> ScoreResult {
    ScoreResult { score: *x }
}

fn main() {}
