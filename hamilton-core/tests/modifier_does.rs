//! `does(f)`: a function reuses another's implementation under its own signature (the body is
//! generated: `f(a, b, ..)`, or `f(&[a, b, ..])` with `slice`); `Modifier::does` for hand-built
//! nodes, with its signature check.

use std::ops::Add;

use hamilton_core::modifiers::Modifier;
use hamilton_core::{
    BuildError, Driver, Inputs, node,
    node::{Args, Node},
    nodes,
};

fn add<T: Add<Output = T> + Copy>(a: &T, b: &T) -> T {
    *a + *b
}

fn sum_all(xs: &[&f64]) -> f64 {
    xs.iter().copied().sum()
}

/// Spend plus signups bonus.
#[node(does(add))]
fn total_spend(spend: &f64, bonus: &f64) -> f64 {}

#[node(does(add))]
fn total_count(visits: &i64, signups: &i64) -> i64 {}

#[node(does(sum_all, slice))]
fn all_spend(tv: &f64, radio: &f64, search: &f64) -> f64 {}

#[test]
fn the_generated_body_calls_the_reused_function() {
    assert_eq!(total_spend(&1.0, &2.0), 3.0, "still an ordinary function");
    let dr = Driver::builder()
        .with_modules([nodes![total_spend, total_count, all_spend]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["total_spend", "total_count", "all_spend"],
            Inputs::new()
                .set("spend", 1.5_f64)
                .set("bonus", 0.5_f64)
                .set("visits", 10_i64)
                .set("signups", 2_i64)
                .set("tv", 1.0_f64)
                .set("radio", 2.0_f64)
                .set("search", 3.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("total_spend").unwrap(), &2.0);
    assert_eq!(out.get::<i64>("total_count").unwrap(), &12);
    assert_eq!(out.get::<f64>("all_spend").unwrap(), &6.0);
    assert_eq!(
        dr.node("total_spend").unwrap().doc(),
        "Spend plus signups bonus."
    );
}

fn product() -> Node {
    Node::builder("product")
        .param::<f64>("x")
        .param::<f64>("y")
        .build(|a: &Args| Ok(a.get::<f64>(0)? * a.get::<f64>(1)?))
}

#[test]
fn hand_built_does_keeps_names_and_takes_the_code() {
    let area = Node::builder("area")
        .param::<f64>("width")
        .param::<f64>("height")
        .modifier(Modifier::does(product()))
        .build(|_: &Args| Err::<f64, _>("not implemented".into()));
    let dr = Driver::builder().with_nodes([area]).build().unwrap();
    let out = dr
        .execute(
            &["area"],
            Inputs::new().set("width", 2.0_f64).set("height", 4.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("area").unwrap(), &8.0);
}

#[test]
fn an_incompatible_signature_is_a_build_error() {
    let area = Node::builder("area")
        .param::<f64>("width")
        .param::<i64>("height")
        .modifier(Modifier::does(product()))
        .build(|_: &Args| Ok(0.0_f64));
    let err = Driver::builder().with_nodes([area]).build().unwrap_err();
    let [
        BuildError::Modifier {
            node,
            option,
            problem,
            ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!((node.as_str(), option.as_str()), ("area", "does"));
    assert_eq!(
        problem,
        "`product` takes (f64, f64) and produces `f64`, but this node takes (f64, i64) and produces `f64`; give them the same parameter types, in the same order, and the same output type"
    );
}
