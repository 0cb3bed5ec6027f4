//! `pipe_input(step(f), ..)`: steps run on the first parameter (or `on_input`) before the node;
//! names `<node>.with_<f>`, repeated steps `_1`, `.named`, `.when`, bound step parameters, and
//! the build errors.

use hamilton_core::modifiers::{Binding, Modifier, Step};
use hamilton_core::{
    BuildError, Config, Driver, Error, Inputs, Module, node,
    node::{Args, Node},
    nodes,
};

/// Adds `k`.
#[node(exclude)]
fn _add(x: &f64, k: &f64) -> f64 {
    x + k
}

/// Multiplies by `factor`.
#[node(exclude)]
fn mult(x: f64, factor: &f64) -> f64 {
    x * factor
}

#[node(pipe_input(
    step(_add, k = value(1.0)),
    step(mult, factor = source("scale")),
    step(_add, k = value(10.0)).when(mode = "big"),
    step(_add, k = value(100.0)).when_not(mode = "big").named("plus_hundred"),
))]
fn total(base: &f64, other: &f64) -> f64 {
    base + other
}

fn build(config: Config) -> Result<Driver, Error> {
    Driver::builder()
        .with_modules([nodes![total, _add, mult]])
        .with_config(config)
        .build()
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

fn inputs() -> Inputs {
    Inputs::new()
        .set("base", 1.0_f64)
        .set("other", 0.5_f64)
        .set("scale", 3.0_f64)
}

#[test]
fn steps_run_in_order_on_the_first_parameter() {
    let dr = build(Config::new()).unwrap();
    assert_eq!(
        names(&dr, "total"),
        [
            "total",
            "total.plus_hundred",
            "total.plus_hundred.k",
            "total.with_add",
            "total.with_add.k",
            "total.with_mult"
        ]
    );
    let out = dr.execute(&["total"], inputs()).unwrap();
    // ((1 + 1) * 3 + 100) + 0.5
    assert_eq!(out.get::<f64>("total").unwrap(), &106.5);
    let doc = dr.node("total.with_mult").unwrap().doc();
    assert_eq!(
        doc, "Multiplies by `factor`.",
        "a step keeps its function's doc"
    );
}

#[test]
fn when_conditions_choose_steps_and_a_repeated_function_is_numbered() {
    let dr = build(Config::new().set("mode", "big")).unwrap();
    assert_eq!(
        names(&dr, "total.with"),
        [
            "total.with_add",
            "total.with_add.k",
            "total.with_add_1",
            "total.with_add_1.k",
            "total.with_mult"
        ]
    );
    let out = dr.execute(&["total"], inputs()).unwrap();
    // ((1 + 1) * 3 + 10) + 0.5
    assert_eq!(out.get::<f64>("total").unwrap(), &16.5);
}

#[node(pipe_input(step(mult, factor = value(2.0)), on_input = other))]
fn pair(first: &f64, other: &f64) -> f64 {
    first - other
}

#[node(
    parameterize(left(first = source("a")), right(first = source("b"))),
    pipe_input(step(mult, factor = value(10.0)))
)]
fn scaled(first: &f64) -> f64 {
    *first
}

#[test]
fn on_input_and_parameterized_outputs() {
    let dr = Driver::builder()
        .with_modules([nodes![pair, scaled, mult]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["pair", "left", "right"],
            Inputs::new()
                .set("first", 10.0_f64)
                .set("other", 3.0_f64)
                .set("a", 1.0_f64)
                .set("b", 2.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("pair").unwrap(), &4.0);
    assert_eq!(out.get::<f64>("left").unwrap(), &10.0);
    assert_eq!(out.get::<f64>("right").unwrap(), &20.0);
    assert!(dr.node("left.with_mult").is_some() && dr.node("right.with_mult").is_some());
}

fn add_node() -> Node {
    Node::builder("add")
        .param::<f64>("x")
        .param::<f64>("k")
        .build(|a: &Args| Ok(a.get::<f64>(0)? + a.get::<f64>(1)?))
}

fn target(modifier: Modifier) -> Node {
    Node::builder("t")
        .param::<f64>("x")
        .modifier(modifier)
        .build(|a: &Args| Ok(*a.get::<f64>(0)?))
}

fn build_errors(n: Node) -> Vec<BuildError> {
    Driver::builder()
        .with_nodes([n])
        .build()
        .unwrap_err()
        .build_errors()
        .to_vec()
}

#[test]
fn hand_built_steps() {
    let dr = Driver::builder()
        .with_nodes([target(Modifier::pipe_input([
            Step::new(add_node()).bind("k", Binding::value(2.0_f64))
        ]))])
        .build()
        .unwrap();
    let out = dr.execute(&["t"], Inputs::new().set("x", 1.0_f64)).unwrap();
    assert_eq!(out.get::<f64>("t").unwrap(), &3.0);
}

#[test]
fn binding_the_piped_parameter_is_a_build_error() {
    let errors = build_errors(target(Modifier::pipe_input([
        Step::new(add_node()).bind("x", Binding::value(2.0_f64))
    ])));
    assert!(
        errors[0].to_string().ends_with(
            "`pipe_input`: `x` is the first parameter of step `add`: it receives the piped value and cannot be bound"
        ),
        "{errors:?}"
    );
}

#[test]
fn binding_an_unknown_step_parameter_is_a_build_error() {
    let errors = build_errors(target(Modifier::pipe_input([
        Step::new(add_node()).bind("kk", Binding::source("y"))
    ])));
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
    assert_eq!((node.as_str(), option.as_str()), ("t", "pipe_input"));
    assert_eq!(
        problem,
        "step `add` has no parameter `kk` to bind; its parameters are `x`, `k`"
    );
}

#[test]
fn a_step_without_parameters_and_an_unknown_on_input_are_build_errors() {
    let nullary = Node::builder("zero").build(|_: &Args| Ok(0.0_f64));
    let errors = build_errors(target(Modifier::pipe_input([Step::new(nullary)])));
    assert!(
        errors[0].to_string().contains(
            "step `zero` takes no parameter; its first parameter receives the piped value"
        ),
        "{errors:?}"
    );
    let errors = build_errors(target(Modifier::pipe_input_on(
        "y",
        [Step::new(add_node())],
    )));
    assert!(
        errors[0]
            .to_string()
            .contains("`on_input = y`: the function has no parameter `y`; its parameters are `x`"),
        "{errors:?}"
    );
}

#[test]
fn a_step_of_the_wrong_type_is_an_edge_type_error() {
    let text = Node::builder("text")
        .param::<String>("s")
        .build(|a: &Args| Ok(a.get::<String>(0)?.len() as f64));
    let x = Node::builder("x").build(|_: &Args| Ok(1.0_f64));
    let err = Driver::builder()
        .with_nodes([x, target(Modifier::pipe_input([Step::new(text)]))])
        .build()
        .unwrap_err();
    let errors = err.build_errors();
    assert!(
        matches!(&errors[0], BuildError::EdgeTypeMismatch { consumer, .. } if consumer == "t.with_text"),
        "{errors:?}"
    );
}

#[test]
fn steps_with_all_conditions_false_leave_the_node_unchanged() {
    let dr = Driver::builder()
        .with_nodes([target(Modifier::pipe_input([Step::new(add_node())
            .bind("k", Binding::value(1.0_f64))
            .when("on", true)]))])
        .build()
        .unwrap();
    assert_eq!(names(&dr, "t"), ["t"]);
    let _ = Module::from_nodes("unused", []);
}

#[node(pipe_input(step(_add, k = value(1.0)), step(_add, k = value(2.0)), on_input = other, namespace = "prep"))]
fn namespaced(base: &f64, other: &f64) -> f64 {
    base * other
}

#[test]
fn a_namespace_names_the_steps_in_it_instead_of_under_the_node() {
    let dr = Driver::builder()
        .with_modules([nodes![namespaced]])
        .build()
        .unwrap();
    assert_eq!(
        names(&dr, "prep"),
        [
            "prep.with_add",
            "prep.with_add.k",
            "prep.with_add_1",
            "prep.with_add_1.k"
        ]
    );
    assert!(names(&dr, "namespaced.").is_empty());
    let out = dr
        .execute(&["namespaced", "prep.with_add"], inputs())
        .unwrap();
    // base * ((other + 1) + 2)
    assert_eq!(out.get::<f64>("namespaced").unwrap(), &3.5);
    assert_eq!(out.get::<f64>("prep.with_add").unwrap(), &1.5);
}

#[node(
    parameterize(low(base = source("a")), high(base = source("b"))),
    pipe_input(step(_add, k = value(1.0)), namespace = "prep"),
)]
fn per_output(base: &f64) -> f64 {
    *base
}

#[test]
fn each_output_of_a_parameterized_function_gets_its_steps_under_the_namespace() {
    let dr = Driver::builder()
        .with_modules([nodes![per_output]])
        .build()
        .unwrap();
    assert_eq!(
        names(&dr, "prep"),
        [
            "prep.high.with_add",
            "prep.high.with_add.k",
            "prep.low.with_add",
            "prep.low.with_add.k"
        ]
    );
    let out = dr
        .execute(&["low", "high"], Inputs::new().set("a", 1.0).set("b", 5.0))
        .unwrap();
    assert_eq!(out.get::<f64>("low").unwrap(), &2.0);
    assert_eq!(out.get::<f64>("high").unwrap(), &6.0);
}

#[test]
fn two_functions_piping_into_one_namespace_collide_as_duplicate_nodes() {
    let one = Node::builder("one")
        .param::<f64>("x")
        .modifier(Modifier::pipe_input_in("prep", None, [Step::of(_add::DEF)]))
        .build(|a: &Args| Ok(*a.get::<f64>(0)?));
    let two = Node::builder("two")
        .param::<f64>("y")
        .modifier(Modifier::pipe_input_in(
            "prep",
            Some("y"),
            [Step::of(_add::DEF)],
        ))
        .build(|a: &Args| Ok(*a.get::<f64>(0)?));
    let err = Driver::builder()
        .with_nodes([one, two])
        .build()
        .unwrap_err();
    assert!(
        err.build_errors().iter().any(
            |e| matches!(e, BuildError::DuplicateNode { name, .. } if name == "prep.with_add")
        ),
        "{err}"
    );
}
