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

/// `weighted_mean(values, weights, scale)`, reused under other names and another order.
#[node(exclude)]
fn weighted_mean(values: &[f64], weights: &[f64], scale: f64) -> f64 {
    let total: f64 = weights.iter().sum();
    scale * values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total
}

/// `spend` is passed as `values`, `importance` as `weights`; `scale` under its own name.
#[node(does(weighted_mean, weights = importance, values = spend))]
fn mean_spend(scale: f64, importance: &[f64], spend: &[f64]) -> f64 {}

#[test]
fn a_mapping_passes_parameters_to_the_reused_function_by_name_in_its_order() {
    assert_eq!(
        mean_spend(2.0, &[1.0, 3.0], &[10.0, 20.0]),
        35.0,
        "2 * (10 * 1 + 20 * 3) / 4"
    );
    let dr = Driver::builder()
        .with_modules([nodes![mean_spend]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["mean_spend"],
            Inputs::new()
                .set("scale", 1.0_f64)
                .set("importance", vec![1.0_f64, 1.0])
                .set("spend", vec![4.0_f64, 8.0]),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("mean_spend").unwrap(), &6.0);
    let params: Vec<&str> = dr
        .node("mean_spend")
        .unwrap()
        .dependencies()
        .iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        params,
        ["scale", "importance", "spend"],
        "its own signature"
    );
}

fn divided(mapping: &[(&str, &str)]) -> Node {
    let ratio = Node::builder("ratio")
        .param::<f64>("num")
        .param::<f64>("den")
        .build(|a: &Args| Ok(a.get::<f64>(0)? / a.get::<f64>(1)?));
    Node::builder("conversion")
        .param::<f64>("visits")
        .param::<f64>("signups")
        .modifier(Modifier::does_by_name(ratio, mapping.iter().copied()))
        .build(|_: &Args| Err::<f64, _>("not implemented".into()))
}

#[test]
fn hand_built_does_by_name_passes_each_parameter_where_it_is_mapped() {
    let dr = Driver::builder()
        .with_nodes([divided(&[("num", "signups"), ("den", "visits")])])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["conversion"],
            Inputs::new().set("visits", 8.0_f64).set("signups", 2.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("conversion").unwrap(), &0.25);
}

#[test]
fn a_mapping_naming_missing_or_unmapped_parameters_is_a_build_error_naming_them() {
    let problem = |mapping: &[(&str, &str)]| {
        let err = Driver::builder()
            .with_nodes([divided(mapping)])
            .build()
            .unwrap_err();
        match err.build_errors() {
            [BuildError::Modifier { problem, .. }] => problem.clone(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        problem(&[("num", "signups"), ("dem", "visits")]),
        "`ratio`'s parameter `den` receives `den`, which this node does not take; map it to one of `visits`, `signups`; `ratio` has no parameter `dem`"
    );
    assert_eq!(
        problem(&[("num", "signups"), ("den", "signups")]),
        "`signups` would be passed to two parameters of `ratio`; map each once"
    );
}
