//! `mutate(apply_to(target, k = ..).named("..").when(..), ..)`: one mutating function, with
//! bindings, a step name and conditions of its own for each target (Hamilton's `apply_to`).

use hamilton_core::modifiers::{ApplyTo, Binding, Modifier};
use hamilton_core::{
    Config, Driver, Inputs, Module, node,
    node::{Args, Node},
    nodes,
};

#[node]
fn prices(raw: &[f64]) -> Vec<f64> {
    raw.to_vec()
}

#[node]
fn costs(raw: &[f64]) -> Vec<f64> {
    raw.iter().map(|x| x * 2.0).collect()
}

#[node]
fn taxes(raw: &[f64]) -> Vec<f64> {
    raw.iter().map(|x| x * 0.5).collect()
}

#[node]
fn fees(raw: &[f64]) -> Vec<f64> {
    raw.to_vec()
}

/// Adds `k` to each value.
#[node(mutate(
    apply_to(prices, k = value(10.0)).named("plus_ten"),
    apply_to(costs).when(boost = true),
    apply_to(fees, k = source("fee")),
    taxes,
    k = value(1.0),
))]
fn add(xs: Vec<f64>, k: &f64) -> Vec<f64> {
    xs.into_iter().map(|x| x + k).collect()
}

/// Doubles each value: the last step of every target, so that `add`'s steps keep their names
/// (the last step is the target's node itself).
#[node(mutate(prices, costs, taxes, fees))]
fn double(xs: Vec<f64>) -> Vec<f64> {
    xs.into_iter().map(|x| x * 2.0).collect()
}

fn module() -> Module {
    nodes![prices, costs, taxes, fees, add, double]
}

fn run(config: Config, output: &str) -> (Driver, Vec<f64>) {
    let dr = Driver::builder()
        .with_modules([module()])
        .with_config(config)
        .build()
        .unwrap();
    let out = dr
        .execute(
            &[output],
            Inputs::new().set("raw", vec![1.0, 2.0]).set("fee", 100.0),
        )
        .unwrap();
    let values = out.get::<Vec<f64>>(output).unwrap().clone();
    (dr, values)
}

#[test]
fn a_target_binding_replaces_the_shared_one_and_names_its_step() {
    let (dr, prices) = run(Config::new(), "prices");
    assert_eq!(prices, [22.0, 24.0]);
    assert!(dr.node("prices.plus_ten").is_some());
    assert!(dr.node("prices.with_add").is_none());
    // The other targets keep the shared binding and the default step name.
    let (dr, taxes) = run(Config::new(), "taxes");
    assert_eq!(taxes, [3.0, 4.0]);
    assert!(dr.node("taxes.with_add").is_some());
}

#[test]
fn a_target_binding_may_read_another_node() {
    let (dr, fees) = run(Config::new(), "fees");
    assert_eq!(fees, [202.0, 204.0]);
    let step = dr.node("fees.with_add").unwrap();
    let deps: Vec<&str> = step.dependencies().iter().map(|d| d.name).collect();
    assert!(deps.contains(&"fee"), "{deps:?}");
}

#[test]
fn a_target_condition_decides_whether_that_target_gets_the_step() {
    let (dr, costs) = run(Config::new().set("boost", false), "costs");
    assert_eq!(costs, [4.0, 8.0]);
    assert!(dr.node("costs.with_add").is_none());
    let (dr, costs) = run(Config::new().set("boost", true), "costs");
    assert_eq!(costs, [6.0, 10.0]);
    assert!(dr.node("costs.with_add").is_some());
    // Conditions are per target: the others get their step either way.
    assert!(dr.node("taxes.with_add").is_some());
}

#[test]
fn hand_built_apply_to_targets_carry_their_own_bindings() {
    let base = Node::builder("base").build(|_: &Args| Ok(1.0_f64));
    let other = Node::builder("other").build(|_: &Args| Ok(2.0_f64));
    let scale = Node::builder("scale")
        .param::<f64>("x")
        .param::<f64>("k")
        .modifier(Modifier::mutate(
            [
                ApplyTo::new("base").bind("k", Binding::value(3.0_f64)),
                ApplyTo::new("other").named("scaled"),
            ],
            [("k", Binding::value(10.0_f64))],
        ))
        .build(|a: &Args| Ok(a.get::<f64>(0)? * a.get::<f64>(1)?));
    // Hand-built mutators apply in name order: `z_plus_one` last.
    let plus_one = Node::builder("z_plus_one")
        .param::<f64>("x")
        .modifier(Modifier::mutate(
            ["base", "other"],
            Vec::<(&str, Binding)>::new(),
        ))
        .build(|a: &Args| Ok(a.get::<f64>(0)? + 1.0));
    let dr = Driver::builder()
        .with_modules([Module::from_nodes("m", [base, other, scale, plus_one])])
        .build()
        .unwrap();
    let out = dr.execute(&["base", "other"], Inputs::new()).unwrap();
    assert_eq!(out.get::<f64>("base").unwrap(), &4.0);
    assert_eq!(out.get::<f64>("other").unwrap(), &21.0);
    assert!(dr.node("other.scaled").is_some());
}
