use std::sync::Mutex;

use hamilton_core::{Driver, Error as CoreError, Inputs, node::Args};

use super::*;

fn series<T, P: ?Sized>(values: T) -> Series
where
    Series: NamedFrom<T, P>,
{
    Series::new("x".into(), values)
}

#[test]
fn dtype_passes_on_the_dtype_and_fails_naming_both() {
    let s = series(&[1_i64, 2]);
    assert!(dtype(DataType::Int64).run(&s).passed);
    let r = dtype(DataType::Float64).run(&s);
    assert!(!r.passed);
    assert_eq!(r.check, "dtype f64");
    assert!(
        r.message.contains("dtype is i64, expected f64"),
        "{}",
        r.message
    );
}

#[test]
fn range_is_inclusive() {
    let s = series(&[0.0, 50.0, 100.0]);
    assert!(range(0.0, 100.0).run(&s).passed);
}

#[test]
fn range_fails_quoting_the_offending_rows() {
    let s = series(&[1_i64, -3, 7, 200]);
    let r = range(0.0, 100.0).run(&s);
    assert!(!r.passed);
    assert_eq!(
        r.message,
        "2 of 4 value(s) outside [0, 100], e.g. -3 (row 1), 200 (row 3)"
    );
    assert_eq!(r.diagnostics["outside"], "2");
    assert_eq!(r.diagnostics["min_found"], "-3");
    assert_eq!(r.diagnostics["max_found"], "200");
}

#[test]
fn range_counts_nulls_as_failures_unless_allowed_and_nan_always() {
    let s = series(&[Some(0.5), None]);
    let r = range(0.0, 1.0).run(&s);
    assert!(!r.passed);
    assert_eq!(r.diagnostics["nulls"], "1");
    assert!(range(0.0, 1.0).allow_nulls().run(&s).passed);
    assert!(
        !range(0.0, 1.0)
            .allow_nulls()
            .run(&series(&[0.5, f64::NAN]))
            .passed
    );
}

#[test]
fn a_null_failure_joins_the_checks_own_failure() {
    let s = series(&[Some(5.0), None, None]);
    let r = range(0.0, 1.0).run(&s);
    assert_eq!(
        r.message,
        "1 of 3 value(s) outside [0, 1], e.g. 5 (row 0); and 2 null(s) of 3 value(s) (rows 1, 2); this check counts nulls as failures: allow them with `.allow_nulls()`"
    );
    assert_eq!(r.diagnostics["outside"], "1");
}

#[test]
fn checks_that_see_nulls_themselves_are_unchanged_by_allow_nulls() {
    let s = series(&[Some(1), None]);
    for check in [max_nulls(0), not_null(), dtype(DataType::Int32)] {
        let allowed = check.allow_nulls();
        assert_eq!(allowed.name(), check.name());
        assert_eq!(allowed.run(&s), check.run(&s));
    }
}

#[test]
fn unique_leaves_allowed_nulls_out_however_many() {
    let s = series(&[Some(1), None, Some(2), None]);
    assert!(!unique().run(&s).passed);
    let r = unique().allow_nulls().run(&s);
    assert!(r.passed, "{}", r.message);
    assert_eq!(r.message, "all 2 value(s) are distinct");
    let r = unique()
        .allow_nulls()
        .run(&series(&[Some(3), None, Some(3)]));
    assert_eq!(
        r.message,
        "1 value(s) repeat an earlier one (1 distinct of 2), e.g. 3 (rows 0 and 2)"
    );
}

#[test]
fn no_nans_finds_nan_in_floats_and_passes_other_dtypes() {
    assert!(no_nans().run(&series(&[Some(1.0), None])).passed);
    let r = no_nans().run(&series(&[f64::NAN, 1.0, f64::NAN]));
    assert_eq!(
        (r.passed, r.message.as_str()),
        (false, "2 NaN(s) of 3 value(s), e.g. rows 0, 2")
    );
    assert!(no_nans().run(&series(&["a"])).passed);
}

#[test]
fn mean_in_range_and_max_std_read_the_values() {
    let s = series(&[1.0, 2.0, 3.0]);
    assert!(mean_in_range(1.5, 2.5).run(&s).passed);
    let r = mean_in_range(2.5, 3.0).run(&s);
    assert_eq!((r.passed, r.diagnostics["mean"].as_str()), (false, "2"));
    assert!(max_std(1.0).run(&s).passed);
    assert!(!max_std(0.5).run(&s).passed);
    assert!(max_std(0.0).run(&series(&[7.0])).passed);
    assert!(
        !mean_in_range(0.0, 10.0)
            .run(&series(&[1.0, f64::NAN]))
            .passed
    );
    assert!(!mean_in_range(0.0, 1.0).run(&series(&["a"])).passed);
    let with_null = series(&[Some(1.0), None, Some(3.0)]);
    assert!(!mean_in_range(0.0, 10.0).run(&with_null).passed);
    assert!(mean_in_range(2.0, 2.0).allow_nulls().run(&with_null).passed);
}

#[test]
fn a_frame_check_lists_every_failure_in_one_result() {
    let orders = df!(
        "id" => [1_i64, 2, 2, 3, 3],
        "day" => ["a", "b", "b", "c", "d"],
        "amount" => [Some(1.0), None, Some(2.0), None, Some(4.0)],
    )
    .unwrap();
    let check = frame()
        .columns(["id", "region"])
        .dtypes([
            ("id", DataType::Int64),
            ("day", DataType::Int64),
            ("region", DataType::String),
        ])
        .not_null(["amount", "id"])
        .unique_key(["id", "day"])
        .rows(10..=20);
    let r = check.validate(&orders);
    assert!(!r.passed);
    assert_eq!(
        r.message.split("; ").collect::<Vec<_>>(),
        [
            "missing column `region`",
            "column `day` has dtype str, expected i64",
            "column `amount` has 2 null(s) (rows 1, 3)",
            "key (`id`, `day`) is not unique: 2 row(s) share a key, e.g. (2, \"b\") in rows 1 and 2",
            "5 row(s), expected at least 10 and at most 20",
        ]
    );
    assert_eq!(r.diagnostics["problems"], "5");
    let fine = frame()
        .columns(["id"])
        .not_null(["id"])
        .unique_key(["id", "day", "amount"])
        .rows(..6)
        .validate(&orders);
    assert!(fine.passed, "{}", fine.message);
}

#[test]
fn a_frame_check_runs_as_a_nodes_check_failing_the_run() {
    let node = Node::builder("orders").build(|_: &Args| Ok(df!("id" => [1_i64, 1])?));
    let nodes = hamilton_core::check::checked::<DataFrame>(
        node,
        vec![frame().unique_key(["id"]).build()],
        Importance::Fail,
    );
    let dr = Driver::builder().with_nodes(nodes).build().unwrap();
    let err = dr.execute(&["orders"], Inputs::new()).unwrap_err();
    assert!(matches!(err, CoreError::DataCheck { .. }), "{err:?}");
    assert!(
        err.to_string().contains("key (`id`) is not unique"),
        "{err}"
    );
}

#[test]
fn range_on_strings_fails_instead_of_erroring() {
    let r = range(0.0, 1.0).run(&series(&["a"]));
    assert!(!r.passed);
    assert!(r.message.contains("numeric"), "{}", r.message);
}

#[test]
fn an_inverted_range_fails_saying_so() {
    let r = range(5.0, 1.0).run(&series(&[3.0]));
    assert!(!r.passed);
    assert!(r.message.contains("range is empty"), "{}", r.message);
}

#[test]
fn max_nulls_counts_nulls() {
    let s = series(&[Some(1_i64), None, None]);
    assert!(max_nulls(2).run(&s).passed);
    let r = max_nulls(1).run(&s);
    assert!(!r.passed);
    assert_eq!(r.diagnostics["nulls"], "2");
}

#[test]
fn max_null_fraction_compares_the_fraction() {
    let s = series(&[Some(1_i64), None, Some(3), Some(4)]);
    assert!(max_null_fraction(0.25).run(&s).passed);
    let r = max_null_fraction(0.2).run(&s);
    assert!(!r.passed);
    assert_eq!(r.diagnostics["fraction"], "0.25");
}

#[test]
fn max_null_fraction_of_an_empty_series_is_zero() {
    let s = Series::new_empty("x".into(), &DataType::Float64);
    assert!(max_null_fraction(0.0).run(&s).passed);
}

#[test]
fn values_in_passes_when_every_value_is_allowed_and_fails_on_nulls_unless_allowed() {
    let s = series(&[Some("UK"), None, Some("US")]);
    assert!(!values_in(&["UK", "US", "DE"]).run(&s).passed);
    assert!(values_in(&["UK", "US", "DE"]).allow_nulls().run(&s).passed);
}

#[test]
fn values_in_fails_quoting_the_values_not_allowed() {
    let s = series(&["UK", "FR", "US"]);
    let check = values_in(&["UK", "US"]);
    assert_eq!(check.name(), "values in {\"UK\", \"US\"}");
    let r = check.run(&s);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("1 of 3 value(s) not in the allowed set, e.g. \"FR\" (row 1)"),
        "{}",
        r.message
    );
}

#[test]
fn values_in_casts_the_allowed_values_to_the_series_dtype() {
    let s = series(&[1_i64, 2]);
    assert!(values_in(&[1_i32, 2]).run(&s).passed);
}

#[test]
fn values_in_with_uncastable_values_fails_naming_the_dtypes() {
    let r = values_in(&["a"]).run(&series(&[1_i64]));
    assert!(!r.passed);
    assert!(r.message.contains("dtype str"), "{}", r.message);
}

#[test]
fn unique_passes_on_distinct_values_and_names_the_first_repeat() {
    assert!(unique().run(&series(&[1_i64, 2, 3])).passed);
    let r = unique().run(&series(&[1_i64, 2, 1, 2]));
    assert!(!r.passed);
    assert_eq!(r.diagnostics["repeats"], "2");
    assert!(r.message.contains("e.g. 1 (rows 0 and 2)"), "{}", r.message);
}

#[test]
fn custom_checks_are_named_by_the_caller() {
    let check = custom("not empty", |s: &Series| {
        if s.is_empty() {
            Err("empty".into())
        } else {
            Ok(())
        }
    });
    let r = check.run(&series(&[1_i64]));
    assert_eq!((r.check.as_str(), r.passed), ("not empty", true));
    let r = check.run(&Series::new_empty("x".into(), &DataType::Int64));
    assert_eq!((r.passed, r.message.as_str()), (false, "empty"));
}

#[test]
fn a_check_validates_columns_like_series() {
    let c = Column::new("x".into(), &[1_i64, 1]);
    let r = Validator::<Column>::validate(&*unique(), &c);
    assert_eq!((r.check.as_str(), r.passed), ("unique", false));
    assert_eq!(Validator::<Column>::name(&*unique()), "unique");
}

fn spend_node(values: &'static [f64]) -> Node {
    Node::builder("spend")
        .doc("Spend per week.")
        .tag("owner", "growth")
        .build(move |_: &Args| Ok(Series::new("spend".into(), values)))
}

fn driver(nodes: Vec<Node>) -> Driver {
    Driver::builder().with_nodes(nodes).build().unwrap()
}

#[test]
fn checked_makes_raw_checks_and_final_nodes() {
    let nodes = checked(spend_node(&[1.0]), vec![unique()], Importance::Fail).unwrap();
    let names: Vec<&str> = nodes.iter().map(Node::name).collect();
    assert_eq!(names, ["spend.raw", "spend.checks", "spend"]);
    let last = &nodes[2];
    assert_eq!(last.doc(), "Spend per week.");
    assert_eq!(last.tags()["owner"], "growth");
    let deps: Vec<&str> = last.params().iter().map(|p| p.name()).collect();
    assert_eq!(deps, ["spend.raw", "spend.checks"]);
}

#[test]
fn passing_checks_give_the_value_and_a_passing_report() {
    let nodes = checked(
        spend_node(&[1.0, 2.0]),
        vec![range(0.0, 10.0), unique()],
        Importance::Fail,
    )
    .unwrap();
    let out = driver(nodes)
        .execute(&["spend", "spend.checks"], Inputs::new())
        .unwrap();
    assert_eq!(out.get::<Series>("spend").unwrap().len(), 2);
    let report = out.get::<CheckReport>("spend.checks").unwrap();
    assert!(report.passed());
    assert_eq!(report.results.len(), 2);
    assert_eq!(out.check_reports(), std::slice::from_ref(report));
}

#[test]
fn fail_importance_fails_the_run_listing_every_failed_check() {
    let nodes = checked(
        spend_node(&[-1.0, -1.0]),
        vec![range(0.0, 10.0), max_nulls(0), unique()],
        Importance::Fail,
    )
    .unwrap();
    let err = driver(nodes)
        .execute(&["spend"], Inputs::new())
        .unwrap_err();
    let CoreError::DataCheck { node, report } = &err else {
        panic!("expected DataCheck, got {err:?}")
    };
    assert_eq!(node, "spend");
    let failed: Vec<&str> = report.failures().map(|r| r.check.as_str()).collect();
    assert_eq!(failed, ["range [0, 10]", "unique"]);
    let text = err.to_string();
    assert!(
        text.contains("2 of 2 value(s) outside [0, 10], e.g. -1 (row 0), -1 (row 1)"),
        "{text}"
    );
    assert!(text.contains("1 value(s) repeat an earlier one"), "{text}");
    assert!(
        !text.contains("null"),
        "passing checks are not listed: {text}"
    );
}

/// Collects `WARN` events.
struct WarnCounter(Mutex<Vec<String>>);

impl tracing::Subscriber for WarnCounter {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            self.0.lock().unwrap().push(format!("{event:?}"));
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn warn_importance_logs_each_failure_and_the_run_goes_on() {
    let nodes = checked(
        spend_node(&[-1.0, -1.0]),
        vec![range(0.0, 10.0), unique(), max_nulls(0)],
        Importance::Warn,
    )
    .unwrap();
    let dr = driver(nodes);
    let counter = Arc::new(WarnCounter(Mutex::new(Vec::new())));
    let out = tracing::subscriber::with_default(counter.clone(), || {
        dr.execute(&["spend"], Inputs::new()).unwrap()
    });
    assert_eq!(out.get::<Series>("spend").unwrap().len(), 2);
    assert_eq!(out.check_reports()[0].failures().count(), 2);
    let warnings = counter.0.lock().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("range [0, 10]"), "{warnings:?}");
}

#[test]
fn checks_run_when_only_the_checked_node_is_requested() {
    let nodes = checked(
        spend_node(&[50.0]),
        vec![range(0.0, 10.0)],
        Importance::Fail,
    )
    .unwrap();
    let err = driver(nodes)
        .execute(&["spend"], Inputs::new())
        .unwrap_err();
    assert!(matches!(err, CoreError::DataCheck { .. }), "{err:?}");
}

#[test]
fn column_nodes_can_be_checked() {
    let node =
        Node::builder("flag").build(|_: &Args| Ok(Column::new("flag".into(), &[true, true])));
    let nodes = checked(node, vec![unique()], Importance::Warn).unwrap();
    let out = driver(nodes).execute(&["flag"], Inputs::new()).unwrap();
    assert!(!out.check_reports()[0].passed());
}

#[test]
fn checking_a_node_of_another_type_is_an_error_naming_it() {
    let node = Node::builder("n").build(|_: &Args| Ok(1_i64));
    let err = checked(node, vec![unique()], Importance::Fail).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot check node `n`: it produces `i64`, expected `Series` or `Column`"
    );
}

#[test]
fn checking_with_no_checks_is_an_error() {
    let err = checked(spend_node(&[1.0]), vec![], Importance::Fail).unwrap_err();
    assert!(err.to_string().contains("no checks given for node `spend`"));
}
