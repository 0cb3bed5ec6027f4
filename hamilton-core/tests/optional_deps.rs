//! `Option<&T>` and `Option<T>` parameters are optional dependencies: `None` when the input is
//! not given, `Some` when it is; an optional dependency on a computed node is always computed.

use std::cell::RefCell;

use hamilton_core::{Driver, Error, Inputs, RequestError};

thread_local! {
    /// The nodes run on this thread, in order.
    static CALLS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

fn record(name: &'static str) {
    CALLS.with(|c| c.borrow_mut().push(name));
}

fn calls() -> Vec<&'static str> {
    CALLS.with(|c| c.take())
}

/// Nodes with optional parameters.
pub mod scaling {
    use hamilton_core::node;

    use super::record;

    hamilton_core::module!();

    /// `xs` times `factor`, 1 when no factor is given.
    #[node]
    pub fn scaled(xs: &[f64], factor: Option<&f64>) -> Vec<f64> {
        record("scaled");
        let k = factor.copied().unwrap_or(1.0);
        xs.iter().map(|x| x * k).collect()
    }

    /// A label, with an optional suffix taken by value.
    #[node]
    pub fn label(suffix: Option<String>) -> String {
        record("label");
        match suffix {
            Some(s) => format!("scaled-{s}"),
            None => "scaled".to_string(),
        }
    }

    /// The offset the data asks for.
    #[node]
    pub fn offset(xs: &[f64]) -> f64 {
        record("offset");
        xs.len() as f64
    }

    /// `scaled` shifted by `offset`; `offset` is a computed node, so it is always there.
    #[node]
    pub fn shifted(scaled: &[f64], offset: Option<&f64>) -> Vec<f64> {
        record("shifted");
        let d = offset.copied().unwrap_or(-1000.0);
        scaled.iter().map(|x| x + d).collect()
    }

    /// Requires `factor`.
    #[node]
    pub fn strict(factor: &f64) -> f64 {
        record("strict");
        *factor
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([scaling::MODULE])
        .build()
        .unwrap()
}

#[test]
fn optional_ref_input_is_none_when_absent() {
    let out = driver()
        .execute(&["scaled"], Inputs::new().set("xs", vec![1.0_f64, 2.0]))
        .unwrap();
    assert_eq!(out.get::<Vec<f64>>("scaled").unwrap(), &[1.0, 2.0]);
}

#[test]
fn optional_ref_input_is_some_when_given() {
    let out = driver()
        .execute(
            &["scaled"],
            Inputs::new()
                .set("xs", vec![1.0_f64, 2.0])
                .set("factor", 3.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<Vec<f64>>("scaled").unwrap(), &[3.0, 6.0]);
}

#[test]
fn optional_owned_input_is_none_when_absent_and_some_when_given() {
    let dr = driver();
    let out = dr.execute(&["label"], Inputs::new()).unwrap();
    assert_eq!(out.get::<String>("label").unwrap(), "scaled");
    let out = dr
        .execute(&["label"], Inputs::new().set("suffix", "x3"))
        .unwrap();
    assert_eq!(out.get::<String>("label").unwrap(), "scaled-x3");
}

#[test]
fn optional_dependency_on_a_computed_node_is_computed() {
    calls();
    let out = driver()
        .execute(&["shifted"], Inputs::new().set("xs", vec![1.0_f64, 2.0]))
        .unwrap();
    assert_eq!(out.get::<Vec<f64>>("shifted").unwrap(), &[3.0, 4.0]);
    let mut ran = calls();
    ran.sort_unstable();
    assert_eq!(ran, ["offset", "scaled", "shifted"]);
}

#[test]
fn an_input_read_only_optionally_is_listed_as_optional() {
    let dr = driver();
    assert!(dr.node("suffix").unwrap().is_optional_input());
    // `factor` is read by `scaled` optionally and by `strict` as required.
    assert!(!dr.node("factor").unwrap().is_optional_input());
    assert!(!dr.node("xs").unwrap().is_optional_input());
    let deps = dr.node("scaled").unwrap().dependencies();
    let deps: Vec<_> = deps
        .iter()
        .map(|d| (d.name, d.type_name, d.optional))
        .collect();
    assert_eq!(deps, [("xs", "Vec<f64>", false), ("factor", "f64", true)]);
}

#[test]
fn an_absent_input_is_missing_only_for_the_required_readers_in_the_run() {
    let dr = driver();
    // `scaled` alone tolerates no `factor`.
    assert!(
        dr.execute(&["scaled"], Inputs::new().set("xs", vec![1.0_f64]))
            .is_ok()
    );
    // With `strict` in the run, `factor` is missing, and only `strict` is said to need it.
    let err = dr
        .execute(
            &["scaled", "strict"],
            Inputs::new().set("xs", vec![1.0_f64]),
        )
        .unwrap_err();
    assert_eq!(
        err.request_errors(),
        [RequestError::MissingInput {
            name: "factor".into(),
            ty: "f64".into(),
            needed_by: vec!["strict".into()],
            did_you_mean: None,
        }]
    );
}

#[test]
fn an_optional_input_of_the_wrong_type_is_still_an_error() {
    let err = driver()
        .execute(
            &["scaled"],
            Inputs::new().set("xs", vec![1.0_f64]).set("factor", 3_i32),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::Request(e) if matches!(&e[..], [RequestError::InputType { name, .. }] if name == "factor")),
        "{err:?}"
    );
}
