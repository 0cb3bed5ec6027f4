//! An override replaces a node for one run: the node and everything only it needed are not run,
//! and inputs only that upstream needed are not required.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::Counters;
use hamilton_core::{Driver, Inputs, Overrides, RequestError};

/// Counted by statics: each node counts its calls.
pub mod counted {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use hamilton_core::node;

    hamilton_core::module!();

    /// Calls of `c`.
    pub static C_CALLS: AtomicUsize = AtomicUsize::new(0);
    /// Calls of `d`.
    pub static D_CALLS: AtomicUsize = AtomicUsize::new(0);

    /// `a` plus `b`.
    #[node]
    pub fn c(a: &f64, b: &f64) -> f64 {
        C_CALLS.fetch_add(1, Ordering::SeqCst);
        a + b
    }

    /// `c` times ten.
    #[node]
    pub fn d(c: &f64) -> f64 {
        D_CALLS.fetch_add(1, Ordering::SeqCst);
        c * 10.0
    }
}

static ONLY_ONE_TEST_USES_COUNTED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn an_overridden_macro_node_is_not_run_nor_are_its_inputs_required() {
    assert_eq!(ONLY_ONE_TEST_USES_COUNTED.fetch_add(1, Ordering::SeqCst), 0);
    let dr = Driver::builder()
        .with_modules([counted::MODULE])
        .build()
        .unwrap();
    let out = dr
        .request(&["d"])
        .overrides(Overrides::new().set("c", 5.0_f64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &50.0);
    assert_eq!(counted::C_CALLS.load(Ordering::SeqCst), 0);
    assert_eq!(counted::D_CALLS.load(Ordering::SeqCst), 1);

    // The override held for that run only.
    let out = dr
        .execute(&["d"], Inputs::new().set("a", 1.0_f64).set("b", 2.0_f64))
        .unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &30.0);
    assert_eq!(counted::C_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(counted::D_CALLS.load(Ordering::SeqCst), 2);
}

/// raw -> cleaned -> features -> score, and `score` also reads `weight`.
fn pipeline(counters: &Counters) -> Driver {
    Driver::builder()
        .with_nodes([
            counters.sum_node("cleaned", &["raw"], 1),
            counters.sum_node("features", &["cleaned"], 10),
            counters.sum_node("score", &["features", "weight"], 100),
        ])
        .build()
        .unwrap()
}

#[test]
fn upstream_of_an_override_is_not_computed() {
    let counters = Counters::default();
    let dr = pipeline(&counters);
    let out = dr
        .request(&["score"])
        .inputs(Inputs::new().set("weight", 2_i64))
        .overrides(Overrides::new().set("features", 1000_i64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<i64>("score").unwrap(), &1102);
    assert_eq!(counters.calls("cleaned"), 0);
    assert_eq!(counters.calls("features"), 0);
    assert_eq!(counters.calls("score"), 1);
}

#[test]
fn inputs_only_the_overridden_upstream_needs_are_not_required() {
    let counters = Counters::default();
    let dr = pipeline(&counters);
    // No `raw`: only `cleaned` (upstream of the override) reads it.
    assert!(
        dr.request(&["score"])
            .inputs(Inputs::new().set("weight", 2_i64))
            .overrides(Overrides::new().set("cleaned", 0_i64))
            .validate()
            .is_ok()
    );
    // `weight` is read by `score` itself, so it is still required.
    let err = dr
        .request(&["score"])
        .overrides(Overrides::new().set("cleaned", 0_i64))
        .execute()
        .unwrap_err();
    assert_eq!(
        err.request_errors(),
        [RequestError::MissingInput {
            name: "weight".into(),
            ty: "i64".into(),
            needed_by: vec!["score".into()],
            did_you_mean: None,
        }]
    );
    assert_eq!(counters.total(), 0);
}

#[test]
fn an_overridden_node_requested_as_an_output_returns_the_override() {
    let counters = Counters::default();
    let dr = pipeline(&counters);
    let out = dr
        .request(&["features", "score"])
        .inputs(Inputs::new().set("weight", 0_i64))
        .overrides(Overrides::new().set("features", 7_i64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<i64>("features").unwrap(), &7);
    assert_eq!(out.get::<i64>("score").unwrap(), &107);
    assert_eq!(counters.ran(), ["score"]);
}

#[test]
fn an_override_still_computes_what_other_paths_need() {
    let counters = Counters::default();
    let dr = Driver::builder()
        .with_nodes([
            counters.sum_node("left", &["base"], 1),
            counters.sum_node("right", &["base"], 2),
            counters.sum_node("base", &["seed"], 0),
            counters.sum_node("top", &["left", "right"], 0),
        ])
        .build()
        .unwrap();
    let out = dr
        .request(&["top"])
        .inputs(Inputs::new().set("seed", 10_i64))
        .overrides(Overrides::new().set("left", 100_i64))
        .execute()
        .unwrap();
    // `base` is still needed by `right`.
    assert_eq!(out.get::<i64>("top").unwrap(), &112);
    assert_eq!(counters.ran(), ["base", "right", "top"]);
}

#[test]
fn an_input_can_be_overridden() {
    let counters = Counters::default();
    let dr = pipeline(&counters);
    let out = dr
        .request(&["cleaned"])
        .overrides(Overrides::new().set("raw", 41_i64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<i64>("cleaned").unwrap(), &42);
}

#[test]
fn overriding_the_requested_node_runs_nothing() {
    let counters = Counters::default();
    let dr = pipeline(&counters);
    let out = dr
        .request(&["score"])
        .overrides(Overrides::new().set("score", -1_i64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<i64>("score").unwrap(), &-1);
    assert_eq!(counters.total(), 0);
}

#[test]
fn an_override_off_the_requested_path_is_ignored() {
    let counters = Counters::default();
    let dr = pipeline(&counters);
    let out = dr
        .request(&["cleaned"])
        .inputs(Inputs::new().set("raw", 1_i64))
        .overrides(Overrides::new().set("score", 0_i64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<i64>("cleaned").unwrap(), &2);
    assert_eq!(counters.ran(), ["cleaned"]);
}
