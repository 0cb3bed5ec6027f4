//! Config selection: `when`, `when_not`, `when_in`, `when_not_in`, `when_fn`, `default`,
//! `exclude`; variant names (`foo__uk` → `foo`, `name = ".."`); and the errors: two matching
//! variants, a needed node whose config keys are missing, a `default` with conditions.

use hamilton_core::modifiers::Modifier;
use hamilton_core::{
    BuildError, Config, Driver, Error, Inputs, Module, node,
    node::{Args, Node},
    nodes,
};

/// VAT in the UK.
#[node(when(region = "UK"))]
fn vat__uk() -> f64 {
    0.2
}

/// VAT in the US (none at federal level).
#[node(when(region = "US"))]
fn vat__us() -> f64 {
    0.0
}

/// VAT anywhere else.
#[node(default)]
fn vat__other() -> f64 {
    0.5
}

#[node]
fn price(vat: &f64, net: &f64) -> f64 {
    net * (1.0 + vat)
}

fn vat_module() -> Module {
    nodes![vat__uk, vat__us, vat__other, price]
}

fn build(modules: impl IntoIterator<Item = Module>, config: Config) -> Result<Driver, Error> {
    Driver::builder()
        .with_modules(modules)
        .with_config(config)
        .build()
}

fn price_for(config: Config) -> f64 {
    let dr = build([vat_module()], config).unwrap();
    let out = dr
        .execute(&["price"], Inputs::new().set("net", 100.0_f64))
        .unwrap();
    *out.get::<f64>("price").unwrap()
}

#[test]
fn the_matching_variant_is_the_node_named_before_the_last_double_underscore() {
    assert_eq!(price_for(Config::new().set("region", "UK")), 120.0);
    assert_eq!(price_for(Config::new().set("region", "US")), 100.0);
    let dr = build([vat_module()], Config::new().set("region", "UK")).unwrap();
    let names: Vec<String> = dr.nodes().iter().map(|n| n.name().to_string()).collect();
    assert!(names.contains(&"vat".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("vat__")), "{names:?}");
}

#[test]
fn the_default_variant_is_used_when_no_other_matches() {
    assert_eq!(price_for(Config::new().set("region", "FR")), 150.0);
    assert_eq!(price_for(Config::new()), 150.0);
}

#[node(when_not(mode = "fast"))]
fn accuracy__slow() -> i64 {
    3
}

#[node(when(mode = "fast"))]
fn accuracy__fast() -> i64 {
    1
}

#[node(when_in(tier = [1, 2]), name = "discount")]
fn discount_for_small_tiers() -> f64 {
    0.0
}

#[node(when_not_in(tier = [1, 2]), name = "discount")]
fn discount_for_large_tiers() -> f64 {
    0.1
}

fn wide_window(config: &Config) -> bool {
    config.get::<i64>("window").is_some_and(|w| *w > 10)
}

#[node(when_fn(wide_window))]
fn smoothing__wide() -> String {
    "wide".into()
}

#[node(when(debug = true), when(region = "UK"))]
fn debug_dump() -> String {
    "dump".into()
}

fn value<T: hamilton_core::node::NodeValue + Clone>(dr: &Driver, name: &str) -> T {
    dr.execute(&[name], Inputs::new())
        .unwrap()
        .get::<T>(name)
        .unwrap()
        .clone()
}

#[test]
fn when_not_when_in_when_not_in_and_when_fn() {
    let modules = || {
        [nodes![
            accuracy__slow,
            accuracy__fast,
            discount_for_small_tiers,
            discount_for_large_tiers,
            smoothing__wide
        ]]
    };
    let dr = build(
        modules(),
        Config::new().set("tier", 2_i64).set("window", 20_i64),
    )
    .unwrap();
    assert_eq!(
        value::<i64>(&dr, "accuracy"),
        3,
        "mode not set: when_not holds"
    );
    assert_eq!(value::<f64>(&dr, "discount"), 0.0);
    assert_eq!(value::<String>(&dr, "smoothing"), "wide");

    let dr = build(
        modules(),
        Config::new()
            .set("mode", "fast")
            .set("tier", 7_u8)
            .set("window", 3_i64),
    )
    .unwrap();
    assert_eq!(value::<i64>(&dr, "accuracy"), 1);
    assert_eq!(value::<f64>(&dr, "discount"), 0.1);
    assert!(
        dr.nodes().iter().all(|n| n.name() != "smoothing"),
        "a custom predicate that fails drops the node"
    );
}

#[test]
fn every_condition_must_hold() {
    let dr = build(
        [nodes![debug_dump]],
        Config::new().set("debug", true).set("region", "UK"),
    )
    .unwrap();
    assert_eq!(value::<String>(&dr, "debug_dump"), "dump");
    // Not needed by anything: an unmatched, unneeded node is simply left out.
    let dr = build(
        [nodes![debug_dump, accuracy__fast]],
        Config::new().set("debug", true),
    )
    .unwrap();
    assert!(dr.nodes().iter().all(|n| n.name() != "debug_dump"));
}

#[node(when(region = "UK"))]
fn rate__uk() -> f64 {
    1.0
}

#[node(when_in(region = ["UK", "IE"]))]
fn rate__islands() -> f64 {
    2.0
}

#[node]
fn cost(rate: &f64) -> f64 {
    *rate
}

#[test]
fn two_matching_variants_are_a_build_error_naming_both_functions() {
    let err = build(
        [nodes![rate__uk, rate__islands, cost]],
        Config::new().set("region", "UK"),
    )
    .unwrap_err();
    let [BuildError::ConflictingVariants { name, variants }] = err.build_errors() else {
        panic!("{err}");
    };
    assert_eq!(name, "rate");
    let functions: Vec<&str> = variants.iter().map(|(f, _, _)| f.as_str()).collect();
    assert_eq!(functions, ["rate__islands", "rate__uk"]);
    let text = err.to_string();
    assert!(text.contains("modifier_when.rs:"), "{text}");
    assert!(text.contains("`region = \"UK\"`"), "{text}");
    assert!(text.contains("`region in [\"UK\", \"IE\"]`"), "{text}");
    assert!(
        text.contains("make their `when` conditions exclusive"),
        "{text}"
    );
    // Only one matches for IE.
    assert!(
        build(
            [nodes![rate__uk, rate__islands, cost]],
            Config::new().set("region", "IE")
        )
        .is_ok()
    );
}

#[test]
fn a_needed_node_whose_when_keys_are_missing_from_config_is_a_build_error() {
    let err = build([nodes![rate__uk, cost]], Config::new()).unwrap_err();
    let [
        BuildError::MissingConfig {
            name,
            needed_by,
            keys,
            ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!(
        (name.as_str(), keys.as_slice()),
        ("rate", &["region".to_string()][..])
    );
    let [(reader, reader_at)] = needed_by.as_slice() else {
        panic!("{needed_by:?}");
    };
    assert_eq!(reader, "cost");
    assert!(reader_at.contains("modifier_when.rs:"), "{reader_at}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("needed by `cost` ({reader_at})")),
        "{text}"
    );
    let rate_at = text
        .split("`rate__uk` (")
        .nth(1)
        .and_then(|rest| rest.split(") needs `region = \"UK\"`").next())
        .unwrap_or_default();
    assert!(
        rate_at.contains("modifier_when.rs:") && rate_at != reader_at.as_str(),
        "{text}"
    );
    assert!(
        text.contains("or mark one variant `#[node(default)]`"),
        "{text}"
    );
    // With the key set but another value, the node is dropped: `cost` then reads an input.
    let dr = build([nodes![rate__uk, cost]], Config::new().set("region", "US")).unwrap();
    let out = dr
        .execute(&["cost"], Inputs::new().set("rate", 5.0_f64))
        .unwrap();
    assert_eq!(out.get::<f64>("cost").unwrap(), &5.0);
}

#[test]
fn two_defaults_conflict() {
    let a = Node::builder("k")
        .modifier(Modifier::default_variant())
        .build(|_: &Args| Ok(1_i64));
    let b = Node::builder("k")
        .function("k_again")
        .modifier(Modifier::default_variant())
        .build(|_: &Args| Ok(2_i64));
    let err = Driver::builder().with_nodes([a, b]).build().unwrap_err();
    assert!(
        matches!(&err.build_errors()[0], BuildError::ConflictingVariants { variants, .. } if variants.len() == 2),
        "{err}"
    );
    assert!(err.to_string().contains("with `default`"), "{err}");
}

#[test]
fn hand_built_variants_default_with_conditions_and_exclude() {
    let node = |v: i64| Node::builder("n").build(move |_: &Args| Ok(v));
    let dr = Driver::builder()
        .with_nodes([
            node(1).with_modifier(Modifier::when_in("k", [1, 2])),
            node(2).with_modifier(Modifier::when_not_in("k", [1, 2])),
            Node::builder("helper")
                .modifier(Modifier::exclude())
                .build(|_: &Args| Ok(3_i64)),
        ])
        .with_config(Config::new().set("k", 2_i32))
        .build()
        .unwrap();
    assert_eq!(value::<i64>(&dr, "n"), 1);
    assert_eq!(dr.nodes().len(), 2, "n and the config key k");

    let err = Driver::builder()
        .with_nodes([node(1)
            .with_modifier(Modifier::default_variant())
            .with_modifier(Modifier::when("k", 1))])
        .build()
        .unwrap_err();
    let [
        BuildError::Modifier {
            option, problem, ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!(option, "default");
    assert!(problem.contains("takes no `when` condition"), "{problem}");
}

#[node(exclude)]
fn helper_only(x: &f64) -> f64 {
    x + 1.0
}

#[test]
fn exclude_keeps_the_function_out_of_the_module() {
    let dr = build([nodes![helper_only, price]], Config::new()).unwrap();
    assert!(dr.nodes().iter().all(|n| n.name() != "helper_only"));
    assert_eq!(helper_only(&1.0), 2.0, "still an ordinary function");
}

#[test]
fn config_values_of_other_integer_types_and_bools_match() {
    let n = |m: Modifier| Node::builder("n").modifier(m).build(|_: &Args| Ok(1_i64));
    for (config, modifier, kept) in [
        (Config::new().set("k", 3_u64), Modifier::when("k", 3), true),
        (
            Config::new().set("k", 3_usize),
            Modifier::when("k", 3_i64),
            true,
        ),
        (
            Config::new().set("k", 3.5_f64),
            Modifier::when("k", 3.5),
            true,
        ),
        (
            Config::new().set("k", false),
            Modifier::when("k", false),
            true,
        ),
        (Config::new().set("k", "3"), Modifier::when("k", 3), false),
        (
            Config::new().set("k", 3_i64),
            Modifier::when_not("k", 3),
            false,
        ),
    ] {
        let dr = Driver::builder()
            .with_nodes([n(modifier.clone())])
            .with_config(config)
            .build()
            .unwrap();
        assert_eq!(
            dr.nodes().iter().any(|x| x.name() == "n"),
            kept,
            "{modifier:?}"
        );
    }
}
