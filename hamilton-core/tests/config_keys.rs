//! A misspelt config key is not silent: `when` keys no config sets, and config keys nothing
//! reads, are reported at build with a did-you-mean (warnings by default, errors in strict mode).

use hamilton_core::modifiers::{Condition, Modifier};
use hamilton_core::{
    BuildError, Config, Driver, Inputs,
    node::{Args, Node},
};

#[path = "common/pricing.rs"]
mod pricing;

use pricing::{build, rate_de_at};

#[test]
fn a_misspelt_key_in_strict_mode_is_reported_both_ways_with_a_did_you_mean() {
    let err = build(Config::new().set("home_marekt", "DE"), true).unwrap_err();
    let at = rate_de_at();
    assert_eq!(
        err.build_errors(),
        [
            BuildError::UnsetConfigKey {
                key: "home_market".into(),
                tested_by: vec![("rate__de".into(), at.clone())],
                suggestion: Some("home_marekt".into()),
            },
            BuildError::UnreadConfigKey {
                key: "home_marekt".into(),
                suggestion: Some("home_market".into()),
            },
        ]
    );
    assert_eq!(
        err.build_errors()[0].to_string(),
        format!(
            "config key `home_market` is tested by `when` of `rate__de` ({at}) but no config sets it; did you mean config key `home_marekt`? Fix the spelling of one of the two"
        )
    );
    assert_eq!(
        err.build_errors()[1].to_string(),
        "config key `home_marekt` is read by no node and tested by no `when` condition; did you mean `home_market`? Fix the spelling of the key"
    );
}

#[test]
fn by_default_a_misspelt_key_builds_and_the_default_variant_is_used() {
    let dr = build(Config::new().set("home_marekt", "DE"), false).unwrap();
    let out = dr
        .execute(&["price"], Inputs::new().set("net", 100.0_f64))
        .unwrap();
    assert_eq!(out.get::<f64>("price").unwrap(), &150.0);
}

#[test]
fn keys_spelt_right_and_read_pass_strict_mode() {
    let dr = build(Config::new().set("home_market", "DE"), true).unwrap();
    let out = dr
        .execute(&["price"], Inputs::new().set("net", 100.0_f64))
        .unwrap();
    assert_eq!(out.get::<f64>("price").unwrap(), &119.0);
}

#[test]
fn an_unset_key_with_nothing_close_asks_for_it_to_be_set() {
    let err = build(Config::new(), true).unwrap_err();
    let [
        BuildError::UnsetConfigKey {
            key,
            suggestion: None,
            ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!(key, "home_market");
    assert!(
        err.to_string()
            .ends_with("but no config sets it; set `home_market` in the config"),
        "{err}"
    );
}

#[test]
fn a_config_key_a_node_reads_is_read() {
    let scaled = Node::builder("scaled")
        .param::<f64>("factor")
        .build(|a: &Args| Ok(*a.get::<f64>(0)? * 2.0));
    let dr = Driver::builder()
        .with_nodes([scaled])
        .with_config(Config::new().set("factor", 2.0_f64))
        .strict()
        .build();
    assert!(dr.is_ok(), "{:?}", dr.err());
}

#[test]
fn an_unread_key_with_nothing_close_asks_for_it_to_be_removed() {
    let one = Node::builder("one").build(|_: &Args| Ok(1_i64));
    let err = Driver::builder()
        .with_nodes([one])
        .with_config(Config::new().set("verbose", true))
        .strict()
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot build the dataflow: 1 problem(s)\n  - config key `verbose` is read by no node and tested by no `when` condition; remove it from the config"
    );
}

#[test]
fn a_custom_predicate_may_read_any_key_so_none_is_called_unread() {
    let custom = Node::builder("one")
        .modifier(Modifier::condition(Condition::custom(
            "verbose_set",
            |c: &Config| c.contains("verbose"),
        )))
        .build(|_: &Args| Ok(1_i64));
    let dr = Driver::builder()
        .with_nodes([custom])
        .with_config(Config::new().set("verbose", true))
        .strict()
        .build();
    assert!(dr.is_ok(), "{:?}", dr.err());
}
