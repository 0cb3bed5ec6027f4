//! `tag(...)` and `tag_outputs(...)`: the function's tags go on every node holding its value or
//! a part of it; `tag_outputs` tags one output; an unknown output is an error.

use hamilton_core::modifiers::{Binding, Modifier, Parameterization};
use hamilton_core::{
    BuildError, Driver, node,
    node::{Args, Node},
    nodes,
};

#[node(
    tag(team = "growth"),
    parameterize(uk(region = value("UK")), us(region = value("US"))),
    tag_outputs(uk(pii = "no"), us(pii = "yes", owner = "na")),
)]
fn revenue(region: &str) -> f64 {
    region.len() as f64
}

#[node(
    tag(team = "ml"),
    unpack(train, test),
    tag_outputs(test(holdout = "true"))
)]
fn split() -> (Vec<f64>, Vec<f64>) {
    (vec![1.0], vec![2.0])
}

#[node(unpack(left, right), tag_outputs(right(r#type = "side")))]
fn halves() -> (i64, i64) {
    (1, 2)
}

#[test]
fn raw_tag_keys_of_an_output_are_stored_without_the_prefix() {
    let dr = Driver::builder()
        .with_modules([nodes![halves]])
        .build()
        .unwrap();
    assert_eq!(tag(&dr, "right", "type"), Some("side"));
    assert_eq!(tag(&dr, "right", "r#type"), None);
}

fn tag<'a>(dr: &'a Driver, node: &str, key: &str) -> Option<&'a str> {
    dr.node(node)
        .unwrap_or_else(|| panic!("no node {node}"))
        .tags()
        .get(key)
        .map(String::as_str)
}

#[test]
fn tag_outputs_tags_each_named_output() {
    let dr = Driver::builder()
        .with_modules([nodes![revenue, split]])
        .build()
        .unwrap();
    assert_eq!(tag(&dr, "uk", "pii"), Some("no"));
    assert_eq!(tag(&dr, "us", "pii"), Some("yes"));
    assert_eq!(tag(&dr, "us", "owner"), Some("na"));
    assert_eq!(tag(&dr, "uk", "owner"), None);
    for n in ["uk", "us", "train", "test", "split"] {
        assert!(
            tag(&dr, n, "team").is_some(),
            "{n} carries the function's tags"
        );
    }
    assert_eq!(tag(&dr, "uk.region", "team"), None, "helper nodes do not");
    assert_eq!(tag(&dr, "test", "holdout"), Some("true"));
    assert_eq!(tag(&dr, "train", "holdout"), None);
    let tagged: Vec<&str> = dr
        .nodes_tagged("pii", Some("yes"))
        .iter()
        .map(|n| n.name())
        .collect();
    assert_eq!(tagged, ["us"]);
}

#[test]
fn tagging_an_unknown_output_is_a_build_error() {
    let n = Node::builder("n")
        .param::<i64>("k")
        .modifier(Modifier::parameterize([
            Parameterization::new("a").bind("k", Binding::value(1_i64))
        ]))
        .modifier(Modifier::tag_output("b", "x", "y"))
        .build(|a: &Args| Ok(*a.get::<i64>(0)?));
    let err = Driver::builder().with_nodes([n]).build().unwrap_err();
    let [
        BuildError::Modifier {
            option, problem, ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!(option, "tag_outputs");
    assert_eq!(
        problem,
        "`b` is not an output of this function; its outputs are `a`"
    );
}
