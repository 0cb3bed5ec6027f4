//! This crate through `#[node]`'s options: `extract_columns(..)` reads Polars frames with the
//! registered column extractors, `check(..)` takes this crate's validators.

use hamilton_core::{Driver, Error as CoreError, Inputs, node, nodes};
use hamilton_polars::{Error, checks};
use polars::prelude::*;

mod eager {
    use super::*;

    /// The raw data; its columns become nodes.
    #[node(extract_columns(week, spend, clicks))]
    pub(crate) fn marketing() -> PolarsResult<DataFrame> {
        df!("week" => [1_i64, 2, 3], "spend" => [10.0, 20.0, 30.0])
    }

    /// Spend, checked.
    #[node(check(checks::range(0.0, 25.0), checks::max_nulls(0), importance = "fail"))]
    pub(crate) fn checked_spend(spend: &Series) -> Series {
        spend.clone()
    }
}

mod lazy {
    use super::*;

    /// The raw data as a plan; its columns become expressions.
    #[node(extract_columns(week, spend))]
    pub(crate) fn marketing() -> LazyFrame {
        df!("week" => [1_i64, 2, 3], "spend" => [10.0, 20.0, 30.0])
            .map(IntoLazy::lazy)
            .unwrap_or_default()
    }

    /// Twice the spend.
    #[node]
    pub(crate) fn double_spend(spend: &Expr) -> Expr {
        spend.clone() * lit(2.0)
    }
}

fn driver(module: hamilton_core::Module) -> Driver {
    Driver::builder().with_modules([module]).build().unwrap()
}

#[test]
fn extract_columns_on_a_dataframe_node_gives_series() {
    let dr = driver(nodes![eager::marketing]);
    let out = dr.execute(&["spend", "week"], Inputs::new()).unwrap();
    assert_eq!(
        out.get::<Series>("spend").unwrap().f64().unwrap().get(2),
        Some(30.0)
    );
    assert_eq!(out.get::<Series>("week").unwrap().len(), 3);
}

#[test]
fn extract_columns_of_a_missing_column_fails_naming_it_and_the_columns() {
    let dr = driver(nodes![eager::marketing]);
    let err = dr.execute(&["clicks"], Inputs::new()).unwrap_err();
    let CoreError::NodeFailed { node, source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(node, "clicks");
    let Some(Error::MissingColumn {
        column, available, ..
    }) = source.downcast_ref::<Error>()
    else {
        panic!("{source:?}")
    };
    assert_eq!(
        (column.as_str(), available.as_slice()),
        ("clicks", &["week".to_string(), "spend".to_string()][..])
    );
    assert!(
        err.to_string()
            .contains("the frame has no column `clicks`; its columns are: week, spend"),
        "{err}"
    );
}

#[test]
fn extract_columns_on_a_lazyframe_node_gives_expressions() {
    let dr = driver(nodes![lazy::marketing, lazy::double_spend]);
    let mut out = dr
        .execute(&["double_spend", "marketing"], Inputs::new())
        .unwrap();
    let base = out.take::<LazyFrame>("marketing").unwrap();
    let df = hamilton_polars::collect_exprs(base, out).unwrap();
    assert_eq!(
        df.column("double_spend").unwrap().f64().unwrap().get(2),
        Some(60.0)
    );
}

#[test]
fn check_takes_this_crates_validators() {
    let dr = driver(nodes![eager::marketing, eager::checked_spend]);
    let err = dr.execute(&["checked_spend"], Inputs::new()).unwrap_err();
    let CoreError::DataCheck { node, report } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(node, "checked_spend");
    let failed: Vec<&str> = report.failures().map(|r| r.check.as_str()).collect();
    assert_eq!(failed, ["range [0, 25]"]);
    assert!(
        err.to_string()
            .contains("1 of 3 value(s) outside [0, 25], e.g. 30 (row 2)"),
        "{err}"
    );
}
