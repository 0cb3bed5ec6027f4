//! `mutate(targets..)`: a transform function becomes a `pipe_output` step of functions of its
//! own module, in source order, after their own steps; the transform itself is not a node.

use hamilton_core::modifiers::{Binding, Modifier};
use hamilton_core::{
    BuildError, Config, Driver, Inputs, node,
    node::{Args, Node},
    nodes,
};

#[node]
fn prices(raw: &[f64]) -> Vec<f64> {
    raw.to_vec()
}

#[node(when(region = "UK"))]
fn costs__uk(raw: &[f64]) -> Vec<f64> {
    raw.iter().map(|x| x * 2.0).collect()
}

#[node(exclude)]
fn round(xs: Vec<f64>) -> Vec<f64> {
    xs.into_iter().map(f64::round).collect()
}

#[node(pipe_output(step(round)))]
fn taxes(raw: &[f64]) -> Vec<f64> {
    raw.iter().map(|x| x * 0.2).collect()
}

/// Adds a margin.
#[node(mutate(prices, costs__uk, taxes, margin = value(0.5)))]
fn add_margin(xs: Vec<f64>, margin: &f64) -> Vec<f64> {
    xs.into_iter().map(|x| x + margin).collect()
}

/// Clips negatives, only when asked to.
#[node(mutate(prices), when(clip = true))]
fn clip(xs: Vec<f64>) -> Vec<f64> {
    xs.into_iter().map(|x| x.max(0.0)).collect()
}

fn build(config: Config) -> Driver {
    Driver::builder()
        .with_modules([nodes![prices, costs__uk, round, taxes, add_margin, clip]])
        .with_config(config)
        .build()
        .unwrap()
}

fn names(dr: &Driver) -> Vec<String> {
    let mut names: Vec<String> = dr.nodes().iter().map(|n| n.name().to_string()).collect();
    names.sort();
    names
}

fn raw() -> Inputs {
    Inputs::new().set("raw", vec![-1.2, 2.0])
}

#[test]
fn mutate_appends_a_step_to_each_target_and_is_not_a_node_itself() {
    let dr = build(Config::new().set("region", "UK"));
    assert_eq!(
        names(&dr),
        [
            "costs",
            "costs.raw",
            "costs.with_add_margin.margin",
            "prices",
            "prices.raw",
            "prices.with_add_margin.margin",
            "raw",
            "region",
            "taxes",
            "taxes.raw",
            "taxes.with_add_margin.margin",
            "taxes.with_round"
        ]
    );
    let out = dr.execute(&["prices", "costs", "taxes"], raw()).unwrap();
    assert_eq!(out.get::<Vec<f64>>("prices").unwrap(), &[-0.7, 2.5]);
    assert_eq!(out.get::<Vec<f64>>("costs").unwrap(), &[-1.9, 4.5]);
    // Own steps first (round), then the mutation.
    assert_eq!(out.get::<Vec<f64>>("taxes").unwrap(), &[0.5, 0.5]);
}

#[test]
fn a_conditional_mutator_applies_when_its_config_matches_in_source_order() {
    let dr = build(Config::new().set("clip", true).set("region", "US"));
    let out = dr.execute(&["prices"], raw()).unwrap();
    // add_margin is written before clip: (-1.2 + 0.5).max(0) = 0
    assert_eq!(out.get::<Vec<f64>>("prices").unwrap(), &[0.0, 2.5]);
    assert!(dr.node("prices.with_add_margin").is_some());
    assert!(dr.node("costs").is_none(), "the UK variant is not selected");
}

#[test]
fn a_target_outside_the_module_is_a_build_error() {
    let m = Node::builder("m")
        .param::<i64>("x")
        .modifier(Modifier::mutate(
            ["elsewhere"],
            [("k", Binding::value(1_i64))],
        ))
        .build(|a: &Args| Ok(*a.get::<i64>(0)?));
    let other = Node::builder("other").build(|_: &Args| Ok(1_i64));
    let err = Driver::builder()
        .with_nodes([m, other])
        .build()
        .unwrap_err();
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
    assert_eq!((node.as_str(), option.as_str()), ("m", "mutate"));
    assert_eq!(
        problem,
        "no function `elsewhere` in this module; `mutate` applies to functions of its own module (here: `other`)"
    );
}
