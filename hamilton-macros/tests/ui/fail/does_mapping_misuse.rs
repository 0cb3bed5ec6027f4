use hamilton_core::node;

#[node(exclude)]
fn mean(values: &[f64], weights: &[f64]) -> f64 {
    values.iter().zip(weights).map(|(v, w)| v * w).sum()
}

#[node(does(mean, values = spend, weights = spned))]
fn unknown_own_param(spend: &[f64], importance: &[f64]) -> f64 {}

#[node(does(mean, values = spend, values = importance))]
fn mapped_twice(spend: &[f64], importance: &[f64]) -> f64 {}

#[node(does(mean, values = spend, slice))]
fn with_slice(spend: &[f64], importance: &[f64]) -> f64 {}

#[node(does(mean, weights = importance))]
fn two_into_one(weights: &[f64], importance: &[f64]) -> f64 {}

#[node(does(mean, valeus = spend, weights = importance))]
fn misspelt_target_param(spend: &[f64], importance: &[f64]) -> f64 {}

#[node(does(mean, values = spend))]
fn unmapped_param(spend: &[f64], importance: &[f64]) -> f64 {}

#[node(does(mean, values = spend, weights = importance))]
fn other_arity(spend: &[f64], importance: &[f64], extra: &f64) -> f64 {}

#[node(does(mean, values = spend, weights = importance))]
fn wrong_type(spend: &[f64], importance: &[i64]) -> f64 {}


fn main() {}
