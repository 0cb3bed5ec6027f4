//! Expansion: `parameterize` (with `source`, `value`, `group`), `inject`; generated names, doc
//! templates, wiring, and the build errors of hand-built nodes.

use hamilton_core::modifiers::{Binding, Modifier, Parameterization};
use hamilton_core::{
    BuildError, Driver, Inputs, Module, node,
    node::{Args, Node},
    nodes,
};

/// {output_name}: {spend} scaled by {factor}, over a window of {window}.
#[node(parameterize(
    spend_uk(spend = source("uk_spend"), factor = value(1.5)),
    spend_us(spend = source(us_spend), factor = value(2.0), doc = "US spend times {factor}."),
))]
fn scaled(spend: &f64, factor: f64, window: Option<&usize>) -> f64 {
    spend * factor * window.copied().unwrap_or(1) as f64
}

fn dr(modules: impl IntoIterator<Item = Module>) -> Driver {
    Driver::builder().with_modules(modules).build().unwrap()
}

fn names(dr: &Driver) -> Vec<String> {
    let mut names: Vec<String> = dr.nodes().iter().map(|n| n.name().to_string()).collect();
    names.sort();
    names
}

#[test]
fn one_node_per_output_with_sources_renamed_and_literals_bound() {
    let dr = dr([nodes![scaled]]);
    assert_eq!(
        names(&dr),
        [
            "spend_uk",
            "spend_uk.factor",
            "spend_us",
            "spend_us.factor",
            "uk_spend",
            "us_spend",
            "window"
        ],
        "no node is named after the function; literals are `<output>.<param>`"
    );
    let out = dr
        .execute(
            &["spend_uk", "spend_us"],
            Inputs::new()
                .set("uk_spend", 10.0_f64)
                .set("us_spend", 10.0_f64)
                .set("window", 2_usize),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("spend_uk").unwrap(), &30.0);
    assert_eq!(out.get::<f64>("spend_us").unwrap(), &40.0);
    // `window` stayed an (optional) dependency.
    let out = dr
        .execute(&["spend_uk"], Inputs::new().set("uk_spend", 10.0_f64))
        .unwrap();
    assert_eq!(out.get::<f64>("spend_uk").unwrap(), &15.0);
}

#[test]
fn doc_templates_fill_params_and_output_name() {
    let dr = dr([nodes![scaled]]);
    let doc = |n: &str| dr.node(n).unwrap().doc().to_string();
    assert_eq!(
        doc("spend_uk"),
        "spend_uk: uk_spend scaled by 1.5, over a window of window."
    );
    assert_eq!(doc("spend_us"), "US spend times 2.0.");
}

#[test]
fn the_function_stays_callable() {
    assert_eq!(scaled(&2.0, 3.0, None), 6.0);
}

/// Total of the parts.
#[node(parameterize(
    total_ab(parts = group(a, b)),
    total_abc(parts = group(a, b, "c")),
))]
fn total(parts: &[f64]) -> f64 {
    parts.iter().sum()
}

#[node(inject(parts = group(a, b)))]
fn count(parts: Vec<f64>) -> usize {
    parts.len()
}

#[test]
fn group_gathers_several_nodes_into_a_vec() {
    let dr = dr([nodes![total, count]]);
    let out = dr
        .execute(
            &["total_ab", "total_abc", "count"],
            Inputs::new()
                .set("a", 1.0_f64)
                .set("b", 2.0_f64)
                .set("c", 4.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("total_ab").unwrap(), &3.0);
    assert_eq!(out.get::<f64>("total_abc").unwrap(), &7.0);
    assert_eq!(out.get::<usize>("count").unwrap(), &2);
    let upstream: Vec<String> = dr
        .upstream_of(&["total_abc"])
        .unwrap()
        .iter()
        .map(|n| n.name().to_string())
        .collect();
    assert!(
        upstream.contains(&"total_abc.parts".to_string()),
        "{upstream:?}"
    );
}

/// Greeting for {who}.
#[node(inject(who = value("world"), punctuation = value('!')))]
fn greeting(who: &str, punctuation: char, prefix: Option<&str>) -> String {
    format!("{}hello {who}{punctuation}", prefix.unwrap_or(""))
}

#[node(inject(base = source("greeting")), parameterize(loud(times = value(3_usize)), quiet(times = value(1_usize))))]
fn repeated(base: &str, times: usize) -> String {
    base.repeat(times)
}

#[test]
fn inject_keeps_the_name_and_applies_to_every_parameterized_output() {
    let dr = dr([nodes![greeting, repeated]]);
    let out = dr
        .execute(&["greeting", "loud", "quiet"], Inputs::new())
        .unwrap();
    assert_eq!(out.get::<String>("greeting").unwrap(), "hello world!");
    assert_eq!(out.get::<String>("quiet").unwrap(), "hello world!");
    assert_eq!(
        out.get::<String>("loud").unwrap(),
        &"hello world!".repeat(3)
    );
    assert_eq!(
        dr.node("greeting").unwrap().doc(),
        "Greeting for {who}.",
        "inject does not template docs"
    );
}

fn scale_node() -> hamilton_core::node::NodeBuilder {
    Node::builder("scale").param::<f64>("x").param::<f64>("k")
}

fn mul(a: &Args) -> Result<f64, hamilton_core::node::NodeError> {
    Ok(a.get::<f64>(0)? * a.get::<f64>(1)?)
}

#[test]
fn hand_built_parameterize_and_inject() {
    let n = scale_node()
        .modifier(Modifier::parameterize([
            Parameterization::new("double")
                .bind("k", Binding::value(2.0_f64))
                .doc("{x} doubled"),
            Parameterization::new("scaled_by_y").bind("k", Binding::source("y")),
        ]))
        .modifier(Modifier::inject("x", Binding::source("base")))
        .build(mul);
    let dr = Driver::builder().with_nodes([n]).build().unwrap();
    let out = dr
        .execute(
            &["double", "scaled_by_y"],
            Inputs::new().set("base", 3.0_f64).set("y", 5.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("double").unwrap(), &6.0);
    assert_eq!(out.get::<f64>("scaled_by_y").unwrap(), &15.0);
    assert_eq!(dr.node("double").unwrap().doc(), "base doubled");
}

fn build_error(n: Node) -> Vec<BuildError> {
    Driver::builder()
        .with_nodes([n])
        .build()
        .unwrap_err()
        .build_errors()
        .to_vec()
}

#[test]
fn binding_a_parameter_that_does_not_exist_is_a_build_error() {
    let errors = build_error(
        scale_node()
            .modifier(Modifier::parameterize([
                Parameterization::new("a").bind("z", Binding::value(1.0_f64))
            ]))
            .build(mul),
    );
    let [
        BuildError::Modifier {
            node,
            option,
            problem,
            ..
        },
    ] = errors.as_slice()
    else {
        panic!("{errors:?}");
    };
    assert_eq!((node.as_str(), option.as_str()), ("scale", "parameterize"));
    assert_eq!(
        problem,
        "the function has no parameter `z` to bind; its parameters are `x`, `k`"
    );
}

#[test]
fn a_literal_of_the_wrong_type_is_a_build_error_for_hand_built_nodes() {
    let errors = build_error(
        scale_node()
            .modifier(Modifier::inject("k", Binding::value(2_i64)))
            .build(mul),
    );
    let text = errors[0].to_string();
    assert!(
        text.contains("`k = value(2)` is a `i64`, but parameter `k` reads a `f64`; give a `f64`"),
        "{text}"
    );
}

#[test]
fn a_group_into_a_non_vec_parameter_is_a_build_error() {
    let errors = build_error(
        scale_node()
            .modifier(Modifier::inject("k", Binding::group::<f64>(["a", "b"])))
            .build(mul),
    );
    let text = errors[0].to_string();
    assert!(
        text.contains("`k = group(..)` gathers a `Vec<f64>`, but parameter `k` reads a `f64`"),
        "{text}"
    );
}

#[test]
fn binding_twice_is_a_build_error() {
    let errors = build_error(
        scale_node()
            .modifier(Modifier::inject("k", Binding::value(1.0_f64)))
            .modifier(Modifier::parameterize([
                Parameterization::new("a").bind("k", Binding::value(2.0_f64))
            ]))
            .build(mul),
    );
    assert!(
        errors[0]
            .to_string()
            .contains("parameter `k` is bound twice"),
        "{errors:?}"
    );
}

#[test]
fn generated_names_that_collide_are_duplicate_node_errors() {
    let n = scale_node()
        .modifier(Modifier::parameterize([
            Parameterization::new("same"),
            Parameterization::new("same"),
        ]))
        .build(mul);
    let errors = build_error(n);
    assert!(
        matches!(&errors[0], BuildError::DuplicateNode { name, .. } if name == "same"),
        "{errors:?}"
    );
}

#[test]
fn parameterized_and_injected_nodes_expose_what_they_were_bound_to() {
    let dr = dr([nodes![scaled, total, count]]);
    let bound = |name: &str| -> Vec<(String, String)> {
        dr.node(name)
            .unwrap()
            .bound()
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_string()))
            .collect()
    };
    let pair = |p: &str, b: &str| (p.to_string(), b.to_string());
    assert_eq!(
        bound("spend_uk"),
        [
            pair("spend", "source(\"uk_spend\")"),
            pair("factor", "value(1.5)")
        ]
    );
    assert_eq!(bound("total_abc"), [pair("parts", "group(a, b, c)")]);
    assert_eq!(bound("count"), [pair("parts", "group(a, b)")]);
    assert!(bound("a").is_empty());
}
