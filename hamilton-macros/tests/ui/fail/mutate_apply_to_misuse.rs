use hamilton_core::node;

#[node]
fn prices() -> Vec<f64> {
    vec![]
}

#[node(mutate(apply_to()))]
fn no_target(xs: Vec<f64>) -> Vec<f64> {
    xs
}

#[node(mutate(apply_to(prices, 2.0)))]
fn positional(xs: Vec<f64>, k: &f64) -> Vec<f64> {
    let _ = k;
    xs
}

#[node(mutate(apply_to(prices, xs = value(vec![]))))]
fn binds_the_first(xs: Vec<f64>) -> Vec<f64> {
    xs
}

#[node(mutate(apply_to(prices, kk = value(1.0)), kk = value(2.0)))]
fn unknown_param(xs: Vec<f64>, k: &f64) -> Vec<f64> {
    let _ = k;
    xs
}

#[node(mutate(apply_to(prices).rename("x")))]
fn unknown_method(xs: Vec<f64>) -> Vec<f64> {
    xs
}

#[node(mutate(appli_to(prices)))]
fn misspelled(xs: Vec<f64>) -> Vec<f64> {
    xs
}

#[node(mutate(apply_to(prices, k = value("one"))))]
fn wrong_literal(xs: Vec<f64>, k: &f64) -> Vec<f64> {
    let _ = k;
    xs
}

fn main() {}
