//! A run computes the ancestors of the requested outputs and nothing else.

mod common;

use std::cell::RefCell;

use common::Counters;
use hamilton_core::{Driver, Inputs};

thread_local! {
    static CALLS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

fn record(name: &'static str) {
    CALLS.with(|c| c.borrow_mut().push(name));
}

fn calls() -> Vec<&'static str> {
    CALLS.with(|c| c.take())
}

/// Two branches from one input, joined at the end.
pub mod branches {
    use hamilton_core::node;

    use super::record;

    hamilton_core::module!();

    /// Spend, cleaned.
    #[node]
    pub fn clean_spend(spend: &[f64]) -> Vec<f64> {
        record("clean_spend");
        spend.iter().map(|x| x.max(0.0)).collect()
    }

    /// Total spend.
    #[node]
    pub fn total_spend(clean_spend: &[f64]) -> f64 {
        record("total_spend");
        clean_spend.iter().sum()
    }

    /// Mean spend.
    #[node]
    pub fn mean_spend(clean_spend: &[f64]) -> f64 {
        record("mean_spend");
        clean_spend.iter().sum::<f64>() / clean_spend.len() as f64
    }

    /// Signups, parsed.
    #[node]
    pub fn signup_count(signups: &[u32]) -> u32 {
        record("signup_count");
        signups.iter().sum()
    }

    /// Spend per signup.
    #[node]
    pub fn spend_per_signup(total_spend: &f64, signup_count: &u32) -> f64 {
        record("spend_per_signup");
        total_spend / f64::from(*signup_count)
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([branches::MODULE])
        .build()
        .unwrap()
}

#[test]
fn only_ancestors_of_the_requested_output_run() {
    calls();
    let out = driver()
        .execute(
            &["total_spend"],
            Inputs::new().set("spend", vec![1.0_f64, -2.0, 3.0]),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("total_spend").unwrap(), &4.0);
    assert_eq!(calls(), ["clean_spend", "total_spend"]);
}

#[test]
fn inputs_of_pruned_nodes_are_not_required() {
    calls();
    // `signups` is only read by `signup_count`, which `mean_spend` does not need.
    let out = driver()
        .execute(
            &["mean_spend"],
            Inputs::new().set("spend", vec![2.0_f64, 4.0]),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("mean_spend").unwrap(), &3.0);
    assert_eq!(calls(), ["clean_spend", "mean_spend"]);
}

#[test]
fn each_node_runs_once_however_many_outputs_need_it() {
    calls();
    let out = driver()
        .execute(
            &[
                "spend_per_signup",
                "mean_spend",
                "total_spend",
                "spend_per_signup",
            ],
            Inputs::new()
                .set("spend", vec![10.0_f64, 20.0])
                .set("signups", vec![1_u32, 2]),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("spend_per_signup").unwrap(), &10.0);
    assert_eq!(
        out.names().collect::<Vec<_>>(),
        ["spend_per_signup", "mean_spend", "total_spend"]
    );
    let mut ran = calls();
    assert_eq!(ran.len(), 5, "{ran:?}");
    // Producers before consumers.
    let pos = |n: &str| ran.iter().position(|r| *r == n).unwrap();
    assert!(pos("clean_spend") < pos("total_spend"));
    assert!(pos("total_spend") < pos("spend_per_signup"));
    assert!(pos("signup_count") < pos("spend_per_signup"));
    ran.sort_unstable();
    assert_eq!(
        ran,
        [
            "clean_spend",
            "mean_spend",
            "signup_count",
            "spend_per_signup",
            "total_spend"
        ]
    );
}

#[test]
fn requesting_only_an_input_runs_nothing() {
    calls();
    let out = driver()
        .execute(&["signups"], Inputs::new().set("signups", vec![1_u32]))
        .unwrap();
    assert_eq!(out.get::<Vec<u32>>("signups").unwrap(), &[1]);
    assert!(calls().is_empty());
}

#[test]
fn pruning_counts_calls_per_node_in_a_diamond_with_a_side_branch() {
    let counters = Counters::default();
    let dr = Driver::builder()
        .with_nodes([
            counters.sum_node("root", &["x"], 0),
            counters.sum_node("left", &["root"], 1),
            counters.sum_node("right", &["root"], 2),
            counters.sum_node("join", &["left", "right"], 0),
            counters.sum_node("side", &["root"], 3),
            counters.sum_node("unrelated", &["y"], 4),
        ])
        .build()
        .unwrap();
    let out = dr
        .execute(&["join"], Inputs::new().set("x", 5_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("join").unwrap(), &13);
    for (name, expected) in [
        ("root", 1),
        ("left", 1),
        ("right", 1),
        ("join", 1),
        ("side", 0),
        ("unrelated", 0),
    ] {
        assert_eq!(counters.calls(name), expected, "calls of `{name}`");
    }
    // A second run of the same request (from the plan cache) prunes the same way.
    counters.reset();
    dr.execute(&["join"], Inputs::new().set("x", 5_i64))
        .unwrap();
    assert_eq!(counters.ran(), ["join", "left", "right", "root"]);
}
