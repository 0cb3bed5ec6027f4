//! `check(...)`: validators as expressions and `custom = fn`, importance, the generated
//! `x.raw` / `x.checks` / `x` nodes, checks after `pipe_output`, and the build errors.

use std::sync::Arc;

use hamilton_core::check::{CheckResult, Importance, Validator, check_fn};
use hamilton_core::modifiers::{Modifier, Step};
use hamilton_core::{
    BuildError, Driver, Error, Inputs, Module, node,
    node::{Args, Node},
    nodes,
};

/// Values within `[lo, hi]`.
pub struct InRange(f64, f64);

impl Validator<f64> for InRange {
    fn name(&self) -> String {
        "in_range".into()
    }
    fn validate(&self, v: &f64) -> CheckResult {
        if (self.0..=self.1).contains(v) {
            CheckResult::pass("in_range", "ok")
        } else {
            CheckResult::fail(
                "in_range",
                format!("{v} is outside [{}, {}]", self.0, self.1),
            )
        }
    }
}

fn in_range(lo: f64, hi: f64) -> Arc<dyn Validator<f64>> {
    Arc::new(InRange(lo, hi))
}

fn finite(v: &f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{v} is not finite"))
    }
}

/// The conversion rate.
#[node(check(in_range(0.0, 1.0), custom = finite, importance = "fail"))]
fn rate(signups: &f64, visits: &f64) -> f64 {
    signups / visits
}

#[node(check(check_fn("short", |s: &String| if s.len() < 5 { Ok(()) } else { Err("too long".into()) })))]
fn label(name: &str) -> String {
    name.to_uppercase()
}

fn build(modules: impl IntoIterator<Item = Module>) -> Driver {
    Driver::builder().with_modules(modules).build().unwrap()
}

#[test]
fn check_splits_the_node_into_raw_checks_and_the_checked_value() {
    let dr = build([nodes![rate]]);
    for name in ["rate.raw", "rate.checks", "rate"] {
        assert!(dr.node(name).is_some(), "{name}");
    }
    assert_eq!(dr.node("rate").unwrap().doc(), "The conversion rate.");
    let out = dr
        .execute(
            &["rate"],
            Inputs::new().set("signups", 1.0_f64).set("visits", 4.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("rate").unwrap(), &0.25);
    let report = &out.check_reports()[0];
    assert_eq!(
        (report.node.as_str(), report.importance),
        ("rate", Importance::Fail)
    );
    let checks: Vec<&str> = report.results.iter().map(|r| r.check.as_str()).collect();
    assert_eq!(checks, ["in_range", "finite"]);
}

#[test]
fn a_failing_fail_check_stops_the_run_with_every_failure() {
    let dr = build([nodes![rate]]);
    let err = dr
        .execute(
            &["rate"],
            Inputs::new().set("signups", 1.0_f64).set("visits", 0.0_f64),
        )
        .unwrap_err();
    let Error::DataCheck { node, report } = &err else {
        panic!("{err}");
    };
    assert_eq!(node, "rate");
    assert_eq!(report.failures().count(), 2, "{err}");
    assert!(err.to_string().contains("inf is not finite"), "{err}");
}

#[test]
fn a_failing_warn_check_is_reported_and_the_run_goes_on() {
    let dr = build([nodes![label]]);
    let out = dr
        .execute(&["label"], Inputs::new().set("name", "growth"))
        .unwrap();
    assert_eq!(out.get::<String>("label").unwrap(), "GROWTH");
    let report = &out.check_reports()[0];
    assert_eq!(report.importance, Importance::Warn);
    assert!(!report.passed());
}

#[node(exclude)]
fn clamp(x: &f64) -> f64 {
    x.clamp(0.0, 1.0)
}

#[node(
    pipe_output(step(clamp)),
    check(in_range(0.0, 1.0), importance = "fail")
)]
fn share(part: &f64, whole: &f64) -> f64 {
    part / whole
}

#[test]
fn with_pipe_output_the_checks_see_the_piped_value() {
    let dr = build([nodes![share, clamp]]);
    let mut names: Vec<String> = dr
        .nodes()
        .iter()
        .map(|n| n.name().to_string())
        .filter(|n| n.starts_with("share"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["share", "share.checks", "share.raw", "share.with_clamp"]
    );
    let out = dr
        .execute(
            &["share"],
            Inputs::new().set("part", 3.0_f64).set("whole", 2.0_f64),
        )
        .unwrap();
    assert_eq!(
        out.get::<f64>("share").unwrap(),
        &1.0,
        "clamped, then checked"
    );
}

#[test]
fn validators_of_another_type_than_the_node_are_a_build_error() {
    let n = Node::builder("n")
        .modifier(Modifier::check::<i64>(
            vec![check_fn("pos", |v: &i64| {
                if *v > 0 { Ok(()) } else { Err("neg".into()) }
            })],
            Importance::Warn,
        ))
        .build(|_: &Args| Ok(1.0_f64));
    let err = Driver::builder().with_nodes([n]).build().unwrap_err();
    let [
        BuildError::Modifier {
            option, problem, ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!(option, "check");
    assert!(
        problem.starts_with("the validators check a `i64`, but node `n` produces `f64`"),
        "{problem}"
    );
}

#[test]
fn a_check_after_a_type_changing_step_is_a_build_error() {
    let to_text = Node::builder("to_text")
        .param::<f64>("x")
        .build(|a: &Args| Ok(a.get::<f64>(0)?.to_string()));
    let n = Node::builder("n")
        .modifier(Modifier::pipe_output([Step::new(to_text)]))
        .modifier(Modifier::check::<f64>(
            vec![Arc::new(InRange(0.0, 1.0))],
            Importance::Warn,
        ))
        .build(|_: &Args| Ok(1.0_f64));
    let err = Driver::builder().with_nodes([n]).build().unwrap_err();
    assert!(
        err.to_string()
            .contains("produces `String` after its `pipe_output`/`mutate` steps"),
        "{err}"
    );
}

#[test]
fn two_check_modifiers_are_a_build_error() {
    let v = || Modifier::check::<f64>(vec![Arc::new(InRange(0.0, 1.0))], Importance::Warn);
    let n = Node::builder("n")
        .modifier(v())
        .modifier(v())
        .build(|_: &Args| Ok(1.0_f64));
    let err = Driver::builder().with_nodes([n]).build().unwrap_err();
    assert!(
        err.to_string()
            .contains("give every validator of a node in one `check(...)`"),
        "{err}"
    );
}
