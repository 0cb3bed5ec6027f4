use hamilton_core::check::{Validator, check_fn};
use hamilton_core::node;
use std::sync::Arc;

fn positive() -> Arc<dyn Validator<f64>> {
    check_fn("positive", |v: &f64| if *v > 0.0 { Ok(()) } else { Err("not positive".into()) })
}

fn short(s: &String) -> Result<(), String> {
    if s.len() < 3 { Ok(()) } else { Err("long".into()) }
}

#[node(check(positive(), importance = "error"))]
fn bad_importance() -> f64 {
    1.0
}

#[node(check(importance = "fail"))]
fn no_validator() -> f64 {
    1.0
}

#[node(check(positive(), importance = "warn"), check(positive(), importance = "fail"))]
fn two_importances() -> f64 {
    1.0
}

#[node(check(positive(), custom = short))]
fn wrong_types() -> i64 {
    1
}

fn main() {}
