//! The ready-made validators of single values (`in_range`, `not_nan`, `is_some`, `one_of`)
//! work as `#[node(check(..))]` options without a closure of one's own.

use hamilton_core::check::{in_range, is_some, not_nan, one_of};
use hamilton_core::{Driver, Error, Inputs, node, nodes};

/// The conversion rate.
#[node(check(in_range(0.0, 1.0), not_nan(), importance = "fail"))]
fn rate(signups: &f64, visits: &f64) -> f64 {
    signups / visits
}

/// The region, if known.
#[node(check(is_some(), importance = "fail"))]
fn region(code: &i64) -> Option<String> {
    (*code == 44).then(|| "UK".to_string())
}

/// The week of the year.
#[node(check(in_range(1_i64, 53), one_of([1_i64, 2, 3]), importance = "warn"))]
fn week(day: &i64) -> i64 {
    day / 7 + 1
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([nodes![rate, region, week]])
        .build()
        .unwrap()
}

#[test]
fn scalar_checks_pass_and_fail_as_node_checks() {
    let dr = driver();
    let ok = Inputs::new().set("signups", 1.0).set("visits", 4.0);
    assert_eq!(
        dr.execute(&["rate"], ok)
            .unwrap()
            .get::<f64>("rate")
            .unwrap(),
        &0.25
    );
    let nan = Inputs::new().set("signups", 0.0).set("visits", 0.0);
    let err = dr.execute(&["rate"], nan).unwrap_err();
    let Error::DataCheck { node, report } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(node, "rate");
    let failed: Vec<&str> = report.failures().map(|r| r.check.as_str()).collect();
    assert_eq!(failed, ["range [0, 1]", "no NaN"]);
}

#[test]
fn is_some_fails_a_missing_value_and_warnings_let_the_run_go_on() {
    let dr = driver();
    assert!(
        dr.execute(&["region"], Inputs::new().set("code", 44_i64))
            .is_ok()
    );
    let err = dr
        .execute(&["region"], Inputs::new().set("code", 1_i64))
        .unwrap_err();
    assert!(err.to_string().contains("the value is `None`"), "{err}");
    let out = dr
        .execute(&["week"], Inputs::new().set("day", 60_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("week").unwrap(), &9);
    let report = &out.check_reports()[0];
    let failed: Vec<&str> = report.failures().map(|r| r.message.as_str()).collect();
    assert_eq!(failed, ["9 is not one of [1, 2, 3]"]);
}
