//! `subdag` and `parameterized_subdag`: modules re-used as namespaced sub-dataflows with their
//! own inputs and config, feeding one node; and the build errors.

use hamilton_core::modifiers::{Binding, Modifier, Subdag};
use hamilton_core::{
    BuildError, Config, Driver, Inputs, Module, node,
    node::{Args, Node},
    nodes,
};

mod features {
    use hamilton_core::node;
    hamilton_core::module!();

    /// Spend, scaled.
    #[node]
    pub(crate) fn scaled(spend: &f64, scale: &f64) -> f64 {
        spend * scale
    }

    #[node(when(region = "UK"))]
    pub(crate) fn vat__uk() -> f64 {
        0.25
    }

    #[node(default)]
    pub(crate) fn vat__other() -> f64 {
        0.5
    }

    #[node]
    pub(crate) fn with_vat(scaled: &f64, vat: &f64) -> f64 {
        scaled * (1.0 + vat)
    }
}

/// The UK figure.
#[node(subdag(
    modules = [features::MODULE],
    inputs(spend = source("uk_spend"), scale = value(2.0)),
    config(region = "UK"),
    namespace = "uk",
))]
fn uk_total(with_vat: &f64, bonus: &f64) -> f64 {
    with_vat + bonus
}

#[node(parameterized_subdag(
    modules = [features::MODULE],
    inputs(spend = source("raw_spend")),
    config(scale = 1.0),
    uk(config(region = "UK")),
    us(config(region = "US"), inputs(spend = source("us_spend"))),
))]
fn by_region(with_vat: &f64) -> f64 {
    *with_vat
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

#[test]
fn a_subdag_runs_its_modules_in_a_namespace_with_its_inputs_and_config() {
    let dr = Driver::builder()
        .with_modules([nodes![uk_total]])
        .build()
        .unwrap();
    assert_eq!(
        names(&dr, "uk"),
        [
            "uk.scale",
            "uk.scaled",
            "uk.vat",
            "uk.with_vat",
            "uk_spend",
            "uk_total"
        ]
    );
    let out = dr
        .execute(
            &["uk_total", "uk.scaled"],
            Inputs::new()
                .set("uk_spend", 10.0_f64)
                .set("bonus", 1.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("uk.scaled").unwrap(), &20.0);
    // 20 * 1.25 + 1
    assert_eq!(out.get::<f64>("uk_total").unwrap(), &26.0);
    assert_eq!(dr.node("uk.scaled").unwrap().doc(), "Spend, scaled.");
}

#[test]
fn parameterized_subdags_make_one_output_each() {
    let dr = Driver::builder()
        .with_modules([nodes![by_region]])
        .build()
        .unwrap();
    assert!(dr.node("by_region").is_none());
    let out = dr
        .execute(
            &["uk", "us"],
            Inputs::new()
                .set("raw_spend", 10.0_f64)
                .set("us_spend", 100.0_f64),
        )
        .unwrap();
    assert_eq!(
        out.get::<f64>("uk").unwrap(),
        &12.5,
        "UK variant, shared input"
    );
    assert_eq!(
        out.get::<f64>("us").unwrap(),
        &150.0,
        "default variant, own input"
    );
    assert!(dr.node("us.with_vat").is_some() && dr.node("uk.scale").is_some());
}

fn inner() -> Module {
    Module::from_nodes(
        "inner",
        [Node::builder("doubled")
            .param::<i64>("x")
            .build(|a: &Args| Ok(a.get::<i64>(0)? * 2))],
    )
}

fn outer(sd: Subdag) -> Node {
    Node::builder("outer")
        .param::<i64>("doubled")
        .modifier(Modifier::subdag(sd))
        .build(|a: &Args| Ok(*a.get::<i64>(0)?))
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
fn unbound_inner_inputs_read_the_outer_dataflow_and_global_config_applies() {
    let dr = Driver::builder()
        .with_nodes([outer(Subdag::new([inner()]))])
        .with_config(Config::new().set("x", 4_i64))
        .build()
        .unwrap();
    let out = dr.execute(&["outer"], Inputs::new()).unwrap();
    assert_eq!(out.get::<i64>("outer").unwrap(), &8);
    assert!(
        dr.node("outer.doubled").is_some(),
        "the namespace defaults to the node's name"
    );
}

#[test]
fn a_literal_input_of_the_wrong_type_is_a_build_error() {
    let errors = build_errors(outer(
        Subdag::new([inner()]).input("x", Binding::value(2_i32)),
    ));
    let [
        BuildError::Modifier {
            option, problem, ..
        },
    ] = errors.as_slice()
    else {
        panic!("{errors:?}");
    };
    assert_eq!(option, "subdag");
    assert_eq!(
        problem,
        "input `x = value(2)` is a `i32`, but node `doubled` of the sub-dataflow reads it as `i64`; give a `i64` (for example `value(2_i64)`)"
    );
}

#[test]
fn an_input_nothing_reads_and_a_config_value_of_the_wrong_type_are_build_errors() {
    let errors = build_errors(outer(
        Subdag::new([inner()]).input("y", Binding::source("z")),
    ));
    assert!(
        errors[0]
            .to_string()
            .contains("input `y` is not read by any node of the sub-dataflow; its inputs are `x`"),
        "{errors:?}"
    );
    let errors = build_errors(outer(
        Subdag::new([inner()]).config(Config::new().set("x", "four")),
    ));
    assert!(
        errors[0].to_string().contains(
            "config key `x` of the sub-dataflow holds a `String`, but node `doubled` reads it as `i64`"
        ),
        "{errors:?}"
    );
}

#[test]
fn a_subdag_of_an_empty_module_is_a_build_error() {
    let errors = build_errors(outer(Subdag::new([Module::from_nodes("none", [])])));
    assert!(
        errors[0].to_string().contains("module `none` has no nodes"),
        "{errors:?}"
    );
}
