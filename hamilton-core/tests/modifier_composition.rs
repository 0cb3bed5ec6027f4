//! The documented composition order, with many options on one function: selection, expansion,
//! `pipe_input`, fields, `pipe_output`, `check`, `tag_outputs` — whatever order they are
//! written in.

use std::sync::Arc;

use hamilton_core::check::{Validator, check_fn};
use hamilton_core::{Config, Driver, Inputs, node, nodes};

#[node(exclude)]
fn add(x: &f64, k: &f64) -> f64 {
    x + k
}

#[node(exclude)]
fn halve(pair: (f64, f64)) -> (f64, f64) {
    (pair.0 / 2.0, pair.1 / 2.0)
}

fn ordered() -> Arc<dyn Validator<(f64, f64)>> {
    check_fn("ordered", |p: &(f64, f64)| {
        if p.0 <= p.1 {
            Ok(())
        } else {
            Err(format!("{} > {}", p.0, p.1))
        }
    })
}

/// The bounds of {base}, widened by {width}.
#[node(
    tag_outputs(narrow(kind = "narrow")),
    check(ordered(), importance = "fail"),
    pipe_output(step(halve)),
    unpack(lo, hi),
    pipe_input(step(add, k = value(1.0))),
    parameterize(narrow(width = value(1.0)), wide(width = value(10.0))),
    when(mode = "bounds"),
    tag(team = "stats"),
)]
fn bounds__on(base: &f64, width: &f64) -> (f64, f64) {
    (base - width, base + width)
}

fn sorted_names(dr: &Driver) -> Vec<String> {
    let mut names: Vec<String> = dr.nodes().iter().map(|n| n.name().to_string()).collect();
    names.sort();
    names
}

#[test]
fn every_phase_applies_in_order() {
    let dr = Driver::builder()
        .with_modules([nodes![add, halve, bounds__on]])
        .with_config(Config::new().set("mode", "bounds"))
        .build()
        .unwrap();
    assert_eq!(
        sorted_names(&dr),
        [
            "base",
            "mode",
            // (4) one node per output; (5) the input step, its literal; (7) raw + output step
            // as the checked value's input; (8) checks; (6) fields, namespaced per output.
            "narrow",
            "narrow.checks",
            "narrow.hi",
            "narrow.lo",
            "narrow.raw",
            "narrow.width",
            "narrow.with_add",
            "narrow.with_add.k",
            "narrow.with_halve",
            "wide",
            "wide.checks",
            "wide.hi",
            "wide.lo",
            "wide.raw",
            "wide.width",
            "wide.with_add",
            "wide.with_add.k",
            "wide.with_halve",
        ]
    );
    let out = dr
        .execute(
            &["narrow.lo", "wide.hi", "narrow"],
            Inputs::new().set("base", 9.0_f64),
        )
        .unwrap();
    // base piped: 9 + 1 = 10; narrow = (9, 11) halved = (4.5, 5.5); wide = (0, 20) halved.
    assert_eq!(out.get::<f64>("narrow.lo").unwrap(), &4.5);
    assert_eq!(out.get::<f64>("wide.hi").unwrap(), &10.0);
    assert_eq!(out.get::<(f64, f64)>("narrow").unwrap(), &(4.5, 5.5));
    assert!(out.check_reports().iter().all(|r| r.passed()));

    let tag = |n: &str, k: &str| dr.node(n).unwrap().tags().get(k).cloned();
    assert_eq!(tag("narrow", "kind").as_deref(), Some("narrow"));
    assert_eq!(tag("wide", "kind").as_deref(), None);
    assert_eq!(
        tag("wide", "team").as_deref(),
        Some("stats"),
        "the checked value is the function's"
    );
    assert_eq!(tag("wide.raw", "team").as_deref(), Some("stats"));
    assert_eq!(
        tag("wide.with_halve", "team").as_deref(),
        Some("stats"),
        "the last step stands for the output"
    );
    assert_eq!(
        tag("wide.with_add", "team").as_deref(),
        None,
        "other steps keep their own"
    );
    assert_eq!(tag("wide.lo", "team").as_deref(), Some("stats"));
    assert_eq!(
        dr.node("wide").unwrap().doc(),
        "The bounds of base, widened by 10.0."
    );
}

#[test]
fn nothing_applies_to_an_unselected_variant() {
    let dr = Driver::builder()
        .with_modules([nodes![add, halve, bounds__on]])
        .with_config(Config::new().set("mode", "off"))
        .build()
        .unwrap();
    assert_eq!(sorted_names(&dr), ["mode"]);
}
