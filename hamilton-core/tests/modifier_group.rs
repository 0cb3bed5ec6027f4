//! `group(..)` with literals and keys: nodes and `value(..)`s gathered in order into a list, or
//! under keys into a `BTreeMap`/`HashMap` (Hamilton's `group(*deps)` / `group(**deps)`).

use std::collections::{BTreeMap, HashMap};

use hamilton_core::modifiers::{Binding, GroupMember, Modifier};
use hamilton_core::{
    BuildError, Driver, Inputs, node,
    node::{Args, Node},
    nodes,
};

#[node(inject(parts = group(value(1.0), source("uk"), us, value(4.0))))]
fn parts_in_order(parts: &[f64]) -> Vec<f64> {
    parts.to_vec()
}

#[node(inject(weights = group(uk = source("uk"), fixed = value(0.5), us = us)))]
fn by_key(weights: &BTreeMap<String, f64>) -> Vec<(String, f64)> {
    weights.iter().map(|(k, v)| (k.clone(), *v)).collect()
}

#[node(inject(labels = group(a = value("alpha"), b = source("b_label"))))]
fn hashed(labels: HashMap<String, String>) -> String {
    format!("{}-{}", labels["a"], labels["b"])
}

/// {output_name} from {parts}.
#[node(parameterize(
    low(parts = group(value(1.0), uk)),
    high(parts = group(value(100.0), uk)),
))]
fn total(parts: Vec<f64>) -> f64 {
    parts.iter().sum()
}

fn inputs() -> Inputs {
    Inputs::new().set("uk", 2.0_f64).set("us", 3.0_f64)
}

#[test]
fn a_list_group_mixes_literals_and_nodes_in_the_order_written() {
    let dr = Driver::builder()
        .with_modules([nodes![parts_in_order]])
        .build()
        .unwrap();
    let out = dr.execute(&["parts_in_order"], inputs()).unwrap();
    assert_eq!(
        out.get::<Vec<f64>>("parts_in_order").unwrap(),
        &[1.0, 2.0, 3.0, 4.0]
    );
    // Only the nodes are dependencies of the group's helper node.
    let helper = dr.node("parts_in_order.parts").unwrap();
    let deps: Vec<&str> = helper.dependencies().iter().map(|d| d.name).collect();
    assert_eq!(deps, ["uk", "us"]);
}

#[test]
fn a_keyed_group_gathers_a_btreemap_of_nodes_and_literals() {
    let dr = Driver::builder()
        .with_modules([nodes![by_key]])
        .build()
        .unwrap();
    let out = dr.execute(&["by_key"], inputs()).unwrap();
    let pairs: Vec<(&str, f64)> = out
        .get::<Vec<(String, f64)>>("by_key")
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(pairs, [("fixed", 0.5), ("uk", 2.0), ("us", 3.0)]);
    let bound: Vec<(&str, &str)> = dr
        .node("by_key")
        .unwrap()
        .bound()
        .iter()
        .map(|(p, b)| (&**p, &**b))
        .collect();
    assert_eq!(
        bound,
        [("weights", "group(uk = uk, fixed = value(0.5), us = us)")]
    );
}

#[test]
fn a_keyed_group_gathers_a_hashmap_with_string_literals() {
    let dr = Driver::builder()
        .with_modules([nodes![hashed]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["hashed"],
            Inputs::new().set("b_label", "beta".to_string()),
        )
        .unwrap();
    assert_eq!(out.get::<String>("hashed").unwrap(), "alpha-beta");
}

#[test]
fn each_parameterized_output_gathers_its_own_literals() {
    let dr = Driver::builder()
        .with_modules([nodes![total]])
        .build()
        .unwrap();
    let out = dr.execute(&["low", "high"], inputs()).unwrap();
    assert_eq!(out.get::<f64>("low").unwrap(), &3.0);
    assert_eq!(out.get::<f64>("high").unwrap(), &102.0);
    assert_eq!(
        dr.node("high").unwrap().doc(),
        "high from value(100.0), uk."
    );
}

fn report() -> hamilton_core::node::NodeBuilder {
    Node::builder("report").param::<BTreeMap<String, f64>>("by_region")
}

fn build_errors(n: Node) -> Vec<String> {
    Driver::builder()
        .with_nodes([n])
        .build()
        .unwrap_err()
        .build_errors()
        .iter()
        .map(BuildError::to_string)
        .collect()
}

fn size(a: &Args) -> Result<usize, hamilton_core::node::NodeError> {
    Ok(a.get::<BTreeMap<String, f64>>(0)?.len())
}

#[test]
fn a_key_given_twice_by_hand_is_a_build_error() {
    let errors = build_errors(
        report()
            .modifier(Modifier::inject(
                "by_region",
                Binding::group_map::<BTreeMap<String, f64>>([
                    ("uk", GroupMember::source("a")),
                    ("uk", GroupMember::value(1.0)),
                ]),
            ))
            .build(size),
    );
    assert!(
        errors[0].contains("`by_region = group(..)` gives key `uk` twice; give each key once"),
        "{errors:?}"
    );
}

#[test]
fn a_map_group_into_a_parameter_of_another_map_type_is_a_build_error() {
    let errors = build_errors(
        report()
            .modifier(Modifier::inject(
                "by_region",
                Binding::group_map::<HashMap<String, f64>>([("uk", GroupMember::source("a"))]),
            ))
            .build(size),
    );
    assert!(
        errors[0].contains(
            "`by_region = group(..)` gathers a `HashMap<String, f64>`, but parameter `by_region` reads a `BTreeMap<String, f64>`"
        ),
        "{errors:?}"
    );
}
