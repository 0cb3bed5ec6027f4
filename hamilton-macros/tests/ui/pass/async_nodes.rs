//! `async fn` nodes: every parameter form, fallible returns, and the options that apply to them.
#![deny(warnings, missing_docs)]

use hamilton_core::__private::{AsyncArg, AsyncArgs, Value};
use hamilton_core::node;

async fn tick() {}

/// Every parameter form; the borrows live across an `.await`.
#[node]
pub async fn all(
    borrowed: &Vec<f64>,
    owned: usize,
    optional: Option<&f64>,
    optional_owned: Option<String>,
    text: &str,
    slice: &[f64],
    mut mutable_binding: Vec<i64>,
) -> f64 {
    tick().await;
    mutable_binding.push(1);
    borrowed.iter().sum::<f64>()
        + owned as f64
        + optional.copied().unwrap_or_default()
        + optional_owned.map_or(0, |s| s.len()) as f64
        + text.len() as f64
        + slice.iter().sum::<f64>()
        + mutable_binding.len() as f64
}

/// Only borrowed parameters (the shim's arguments are then not `mut`).
#[node]
pub async fn borrowed_only(a: &i64, b: Option<&i64>) -> i64 {
    tick().await;
    a + b.copied().unwrap_or(0)
}

/// No parameters, fallible.
#[node]
pub async fn fallible() -> Result<i64, std::io::Error> {
    Ok(1)
}

/// Named like the shim's argument.
#[node]
pub async fn args(args: &i64) -> i64 {
    *args
}

/// A variant, renamed, tagged.
#[node(when(region = "UK"), name = "rate", tag(owner = "growth"))]
pub async fn rate_uk() -> f64 {
    0.2
}

/// The default variant.
#[node(default, name = "rate")]
pub async fn rate_other() -> f64 {
    0.0
}

/// Extracted, with its outputs tagged.
#[node(unpack(first, second), tag_outputs(first(kind = "head")))]
pub async fn pair(k: i64) -> (i64, i64) {
    (k, k * 2)
}

fn positive(v: &i64) -> Result<(), String> {
    if *v > 0 { Ok(()) } else { Err("not positive".into()) }
}

/// A step.
#[node]
pub fn plus_one(x: &i64) -> i64 {
    x + 1
}

/// Expanded, piped in and out, checked.
#[node(
    parameterize(low(k = value(1_i64)), high(k = value(2_i64))),
    inject(base = source("origin")),
    pipe_input(step(plus_one)),
    pipe_output(step(plus_one)),
    check(custom = positive)
)]
pub async fn scaled(base: &i64, k: i64) -> i64 {
    base * k
}

/// A `mutate` step, asynchronous.
#[node(mutate(scaled))]
pub async fn mutated(scaled: i64) -> i64 {
    scaled
}

fn main() {
    let def = <all>::DEF;
    assert!(def.async_call.is_some());
    assert!(def.call.call(&hamilton_core::node::Args::new(&[])).is_err());
    assert_eq!(<rate_uk>::DEF.name, "rate");
    assert!(<pair>::DEF.async_call.is_some());
    let inputs = AsyncArgs::new(vec![
        AsyncArg::Owned(Value::new(vec![1.0_f64])),
        AsyncArg::Owned(Value::new(2_usize)),
        AsyncArg::Absent,
        AsyncArg::Owned(Value::new("ab".to_string())),
        AsyncArg::Owned(Value::new("c".to_string())),
        AsyncArg::Owned(Value::new(vec![3.0_f64])),
        AsyncArg::Owned(Value::new(vec![7_i64])),
    ]);
    let future = (def.async_call.unwrap())(inputs);
    fn is_send<T: Send + 'static>(_: &T) {}
    is_send(&future);
    let _ = (borrowed_only, fallible, args, rate_other, scaled, mutated);
}
