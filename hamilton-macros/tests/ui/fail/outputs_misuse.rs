use hamilton_core::{node, outputs};

mod features {
    use hamilton_core::node;

    #[node]
    pub fn spend(raw: &f64) -> f64 {
        *raw
    }
}

#[node(parameterize(a(x = value(1.0)), b(x = value(2.0))))]
fn scaled(x: f64) -> f64 {
    x
}

#[node(exclude)]
fn add(x: &f64) -> f64 {
    x + 1.0
}

#[node(pipe_output(add))]
fn piped(x: &f64) -> f64 {
    *x
}

#[node]
fn items(n: &u64) -> hamilton_core::fanout::Parallel<u64> {
    (0..*n).collect()
}

fn main() {
    let _ = outputs![features::spnd];
    let _ = outputs![features::spend, scaled];
    let _ = outputs![piped, items];
    let out = hamilton_core::Outputs::default();
    let _ = out.get_typed(scaled::OUTPUT);
}
