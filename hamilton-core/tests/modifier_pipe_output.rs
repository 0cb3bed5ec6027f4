//! `pipe_output(step(f), ..)`: `x` becomes `x.raw`, the steps `x.with_<f>`, and the last step is
//! the node `x` itself; `.when` steps; type-changing steps; with `parameterize`.

use hamilton_core::modifiers::{Modifier, Step};
use hamilton_core::{
    Config, Driver, Inputs, node,
    node::{Args, Node},
    nodes,
};

#[node(exclude)]
fn add_one(x: &i64) -> i64 {
    x + 1
}

#[node(exclude)]
fn double(x: i64) -> i64 {
    x * 2
}

#[node(exclude)]
fn describe(x: &i64, unit: &str) -> String {
    format!("{x} {unit}")
}

#[node(pipe_output(step(add_one), step(double), step(add_one).when(extra = true)))]
fn count(n: &i64) -> i64 {
    *n
}

#[node]
fn report(count: &i64) -> String {
    format!("count = {count}")
}

fn names(dr: &Driver, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = dr
        .nodes()
        .iter()
        .map(|n| n.name().to_string())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

fn build(config: Config) -> Driver {
    Driver::builder()
        .with_modules([nodes![count, report, add_one, double, describe]])
        .with_config(config)
        .build()
        .unwrap()
}

#[test]
fn the_node_becomes_raw_then_steps_and_the_last_step_keeps_the_name() {
    let dr = build(Config::new());
    assert_eq!(
        names(&dr, "count"),
        ["count", "count.raw", "count.with_add_one"]
    );
    let out = dr
        .execute(&["report", "count.raw"], Inputs::new().set("n", 4_i64))
        .unwrap();
    assert_eq!(out.get::<String>("report").unwrap(), "count = 10");
    assert_eq!(
        out.get::<i64>("count.raw").unwrap(),
        &4,
        "the original value stays available"
    );
}

#[test]
fn conditional_steps_join_when_their_config_matches() {
    let dr = build(Config::new().set("extra", true));
    assert_eq!(
        names(&dr, "count"),
        [
            "count",
            "count.raw",
            "count.with_add_one",
            "count.with_double"
        ]
    );
    let out = dr
        .execute(&["count"], Inputs::new().set("n", 4_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("count").unwrap(), &11);
}

#[node(pipe_output(step(describe, unit = value("items"))))]
fn stock(level: &i64) -> i64 {
    *level
}

#[test]
fn a_step_may_change_the_type() {
    let dr = Driver::builder()
        .with_modules([nodes![stock, describe]])
        .build()
        .unwrap();
    assert_eq!(dr.node("stock").unwrap().type_name(), "String");
    let out = dr
        .execute(&["stock"], Inputs::new().set("level", 3_i64))
        .unwrap();
    assert_eq!(out.get::<String>("stock").unwrap(), "3 items");
}

#[node(parameterize(a_plus(n = source("a")), b_plus(n = source("b"))), pipe_output(step(add_one)))]
fn plus(n: &i64) -> i64 {
    *n
}

#[test]
fn each_parameterized_output_gets_its_own_steps() {
    let dr = Driver::builder()
        .with_modules([nodes![plus, add_one]])
        .build()
        .unwrap();
    assert_eq!(names(&dr, "a_plus"), ["a_plus", "a_plus.raw"]);
    let out = dr
        .execute(
            &["a_plus", "b_plus"],
            Inputs::new().set("a", 1_i64).set("b", 10_i64),
        )
        .unwrap();
    assert_eq!(
        (
            out.get::<i64>("a_plus").unwrap(),
            out.get::<i64>("b_plus").unwrap()
        ),
        (&2, &11)
    );
}

#[test]
fn hand_built_pipe_output_with_no_active_step_leaves_the_node_alone() {
    let inc = Node::builder("inc")
        .param::<i64>("x")
        .build(|a: &Args| Ok(a.get::<i64>(0)? + 1));
    let n = Node::builder("n")
        .modifier(Modifier::pipe_output([
            Step::new(inc.clone()).when("on", true)
        ]))
        .build(|_: &Args| Ok(1_i64));
    let dr = Driver::builder().with_nodes([n]).build().unwrap();
    assert_eq!(names(&dr, "n"), ["n"]);
    let n = Node::builder("n")
        .modifier(Modifier::pipe_output([
            Step::new(inc.clone()),
            Step::new(inc).named("again"),
        ]))
        .build(|_: &Args| Ok(1_i64));
    let dr = Driver::builder().with_nodes([n]).build().unwrap();
    assert_eq!(names(&dr, "n"), ["n", "n.raw", "n.with_inc"]);
    let out = dr.execute(&["n"], Inputs::new()).unwrap();
    assert_eq!(out.get::<i64>("n").unwrap(), &3);
}

#[node(pipe_input(step(add_one)), pipe_output(step(add_one), step(double)))]
fn both(n: &i64) -> i64 {
    *n
}

#[test]
fn input_and_output_steps_of_one_function_get_distinct_names() {
    let dr = Driver::builder()
        .with_modules([nodes![both, add_one, double]])
        .build()
        .unwrap();
    assert_eq!(
        names(&dr, "both"),
        [
            "both",
            "both.raw",
            "both.with_add_one",
            "both.with_add_one_1"
        ]
    );
    let out = dr
        .execute(&["both"], Inputs::new().set("n", 1_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("both").unwrap(), &6, "((1 + 1) + 1) * 2");
}
