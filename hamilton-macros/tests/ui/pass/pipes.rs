//! `pipe_input`, `pipe_output`, `mutate`, `does`, `check`, `tag_outputs`, `resolve`.
#![deny(warnings)]

use std::sync::Arc;

use hamilton_core::check::{Validator, check_fn};
use hamilton_core::modifiers::Modifier;
use hamilton_core::{Config, node};

mod steps {
    use hamilton_core::node;

    /// Adds `k`.
    #[node(exclude)]
    pub fn add(x: &f64, k: &f64, label: &str) -> f64 {
        let _ = label;
        x + k
    }
}

fn positive() -> Arc<dyn Validator<f64>> {
    check_fn("positive", |v: &f64| if *v > 0.0 { Ok(()) } else { Err("no".into()) })
}

fn finite(v: &f64) -> Result<(), String> {
    if v.is_finite() { Ok(()) } else { Err("no".into()) }
}

fn from_config(_: &Config) -> Result<Vec<Modifier>, String> {
    Ok(vec![])
}

#[node(
    pipe_input(step(steps::add, k = value(1.0), label = value("in")).when(mode = "x").named("first"), on_input = y),
    pipe_output(steps::add, step(steps::add, k = source("other")).when_in(mode = ["a", "b"])),
    check(positive(), custom = finite, importance = "fail"),
    tag_outputs(piped(owner = "me")),
    resolve(from_config),
)]
fn piped(x: &f64, y: &f64) -> f64 {
    x + y
}

#[node(mutate(piped, k = value(2.0)), when_not(mode = "off"))]
fn bump(x: &f64, k: &f64) -> f64 {
    x + k
}

fn sum(xs: &[&f64]) -> f64 {
    xs.iter().copied().sum()
}

#[node(does(sum, slice))]
fn total(a: &f64, b: &f64) -> f64 {}

fn main() {
    let text = format!("{:?}", (<piped>::DEF.modifiers)());
    assert_eq!(
        text,
        "[resolve(from_config), \
         pipe_input(step(add, k = value(1.0), label = value(in)).when(mode = \"x\").named(\"first\"), on_input = y), \
         pipe_output(step(add), step(add, k = source(\"other\")).when(mode in [\"a\", \"b\"])), \
         check(positive, finite, importance = Fail), \
         tag_outputs(piped(owner = \"me\"))]"
    );
    assert_eq!(
        format!("{:?}", (<bump>::DEF.modifiers)()),
        "[when(mode != \"off\"), mutate(piped, k = value(2.0))]"
    );
    assert_eq!(total(&1.0, &2.0), 3.0);
}
