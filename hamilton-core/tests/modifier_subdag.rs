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
            "uk.region",
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

mod counts {
    use hamilton_core::node;
    hamilton_core::module!();

    #[node]
    pub(crate) fn window_sum(daily: &[u32], window: &u8, offset: &i16) -> i64 {
        daily
            .iter()
            .rev()
            .take(*window as usize)
            .map(|d| i64::from(*d))
            .sum::<i64>()
            + i64::from(*offset)
    }

    #[node]
    pub(crate) fn scaled_sum(window_sum: &i64, weight: &f32) -> f32 {
        *window_sum as f32 * weight
    }

    #[node]
    pub(crate) fn label(region: &str) -> String {
        format!("sales in {region}")
    }
}

/// Untyped literals take the types of the parameters reading them (`u8`, `i16`, `f32`).
#[node(subdag(
    modules = [counts::MODULE],
    inputs(window = value(2), offset = value(-1), weight = value(0.5)),
    namespace = "recent",
))]
fn recent_sales(scaled_sum: &f32) -> f32 {
    *scaled_sum
}

#[test]
fn untyped_literal_inputs_take_the_type_of_the_parameter_reading_them() {
    let dr = Driver::builder()
        .with_modules([nodes![recent_sales]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["recent_sales", "recent.window", "recent.offset"],
            Inputs::new().set("daily", vec![1_u32, 2, 3]),
        )
        .unwrap();
    // (3 + 2 - 1) * 0.5
    assert_eq!(out.get::<f32>("recent_sales").unwrap(), &2.0);
    assert_eq!(out.get::<u8>("recent.window").unwrap(), &2);
    assert_eq!(out.get::<i16>("recent.offset").unwrap(), &-1);
}

#[test]
fn an_untyped_number_its_reader_cannot_hold_is_a_build_error_naming_the_reader() {
    use hamilton_core::modifiers::Number;
    let errors = build_errors(outer(
        Subdag::new([inner()]).input_number("x", Number::Float(2.5)),
    ));
    assert_eq!(
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .len(),
        1,
        "{errors:?}"
    );
    assert!(
        errors[0].to_string().contains(
            "input `x = value(2.5)`: node `doubled` of the sub-dataflow reads it as `i64`, but a float literal cannot be read as `i64`"
        ),
        "{errors:?}"
    );
    let small = Module::from_nodes(
        "small",
        [Node::builder("doubled")
            .param::<u8>("x")
            .build(|a: &Args| Ok(i64::from(*a.get::<u8>(0)?) * 2))],
    );
    let errors = build_errors(outer(
        Subdag::new([small]).input_number("x", Number::Int(256)),
    ));
    assert!(
        errors[0]
            .to_string()
            .contains("but 256 does not fit in a `u8` (0..=255)"),
        "{errors:?}"
    );
}

/// The sub-dataflow reads the driver's `market` as its own `region`.
#[node(subdag(
    modules = [counts::MODULE],
    config(region = configuration("market"), unused = 3_u8),
    namespace = "local",
))]
fn local_label(label: &str) -> String {
    label.to_uppercase()
}

#[test]
fn configuration_reads_an_outer_config_key_under_the_sub_dataflows_own_name() {
    let dr = Driver::builder()
        .with_modules([nodes![local_label]])
        .with_config(Config::new().set("market", "DE"))
        // Strict: `market` counts as read (an unread key would be an error here).
        .with_inputs(["daily", "window", "offset", "weight"])
        .build()
        .unwrap();
    let out = dr
        .execute(&["local_label", "local.region"], Inputs::new())
        .unwrap();
    assert_eq!(out.get::<String>("local_label").unwrap(), "SALES IN DE");
    assert_eq!(out.get::<String>("local.region").unwrap(), "DE");
}

#[test]
fn every_own_config_key_of_a_subdag_is_a_namespaced_node_read_or_not() {
    let dr = Driver::builder()
        .with_modules([nodes![local_label]])
        .with_config(Config::new().set("market", "DE"))
        .build()
        .unwrap();
    assert_eq!(
        dr.node("local.unused").unwrap().doc(),
        "Config `unused` of sub-dataflow `local`."
    );
    let out = dr.execute(&["local.unused"], Inputs::new()).unwrap();
    assert_eq!(out.get::<u8>("local.unused").unwrap(), &3);
}

#[test]
fn configuration_of_an_outer_key_that_is_not_set_is_a_build_error_with_the_near_key() {
    let errors = Driver::builder()
        .with_modules([nodes![local_label]])
        .with_config(Config::new().set("markte", "DE"))
        .build()
        .unwrap_err()
        .build_errors()
        .to_vec();
    assert!(
        errors.iter().any(|e| e.to_string().contains(
            "`config(region = configuration(\"market\"))` of sub-dataflow `local` reads config key `market`, which the driver's config does not set (did you mean `markte`?)"
        )),
        "{errors:?}"
    );
}

#[test]
fn parameterized_subdag_outputs_replace_a_shared_config_key_given_either_way() {
    #[node(parameterized_subdag(
        modules = [counts::MODULE],
        config(region = configuration("market")),
        home(namespace = "home"),
        abroad(config(region = "FR")),
    ))]
    fn labels(label: &str) -> String {
        label.to_string()
    }
    let dr = Driver::builder()
        .with_modules([nodes![labels]])
        .with_config(Config::new().set("market", "DE"))
        .build()
        .unwrap();
    let out = dr.execute(&["home", "abroad"], Inputs::new()).unwrap();
    assert_eq!(out.get::<String>("home").unwrap(), "sales in DE");
    assert_eq!(out.get::<String>("abroad").unwrap(), "sales in FR");
}
