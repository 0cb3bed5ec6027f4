//! What `#[node]` generates: the `NodeDef` of each node, and its call shim.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use hamilton_core::__private::{Arg, Args, AsyncArg, AsyncArgs, ParamKind, Value};
use hamilton_core::fanout::{Collect, Parallel};
use hamilton_core::node;

/// A type standing in for a Polars series.
#[derive(Clone, Debug, PartialEq)]
pub struct Series(Vec<f64>);

/// An error standing in for a Polars error.
#[derive(Debug)]
pub struct PolarsError(String);

impl std::fmt::Display for PolarsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolarsError {}

/// A `Result` alias named like Polars'.
pub type PolarsResult<T> = Result<T, PolarsError>;

/// Three-week rolling average.
///
///  Scaled by `k`.
#[node]
pub fn avg(
    spend: &Series,
    k: Option<&f64>,
    n: usize,
    label: &str,
    xs: &[f64],
) -> PolarsResult<Series> {
    if n == 0 {
        return Err(PolarsError(format!("{label}: empty window")));
    }
    let k = k.copied().unwrap_or(1.0);
    let extra: f64 = xs.iter().sum();
    Ok(Series(
        spend.0.iter().map(|v| v * k / n as f64 + extra).collect(),
    ))
}

#[node(
    name = "marketing.total",
    tag(owner = "growth", tier = "1"),
    tag(pii = "no")
)]
fn total(a: &i64, b: Option<i64>, name: Option<&str>, bytes: Option<&[u8]>) -> i64 {
    a + b.unwrap_or(0) + name.map_or(0, |s| s.len() as i64) + bytes.map_or(0, |b| b.len() as i64)
}

#[node]
fn one() -> i64 {
    1
}

#[node]
fn two() -> i64 {
    2
}

fn call(
    def: &hamilton_core::__private::NodeDef,
    slots: &[Arg<'_>],
) -> Result<Value, hamilton_core::node::NodeError> {
    def.call.call(&Args::new(slots))
}

#[test]
fn def_describes_the_function() {
    let def = <avg>::DEF;
    assert_eq!(def.name, "avg");
    assert_eq!(def.function, "avg");
    assert_eq!(def.module, "expansion");
    assert_eq!(def.doc, "Three-week rolling average.\n\n Scaled by `k`.");
    assert!(
        def.location.file.ends_with("expansion.rs"),
        "{}",
        def.location
    );
    let line = include_str!("expansion.rs")
        .lines()
        .position(|line| line.starts_with("pub fn avg("))
        .unwrap()
        + 1;
    assert_eq!(
        def.location.line as usize, line,
        "the line of the function's name"
    );
    let params: Vec<_> = def
        .params
        .iter()
        .map(|p| (p.name, p.ty.name(), p.kind))
        .collect();
    assert_eq!(
        params,
        [
            ("spend", "Series", ParamKind::Ref),
            ("k", "f64", ParamKind::OptionalRef),
            ("n", "usize", ParamKind::Owned),
            ("label", "String", ParamKind::Ref),
            ("xs", "Vec<f64>", ParamKind::Ref),
        ]
    );
    assert_eq!(def.params[3].ty.id(), std::any::TypeId::of::<String>());
    assert_eq!(def.params[4].ty.id(), std::any::TypeId::of::<Vec<f64>>());
    assert_eq!(def.output.name(), "Series");
    assert_eq!(def.output.id(), std::any::TypeId::of::<Series>());
    assert!(def.tags.is_empty());
}

#[test]
fn options_set_name_and_tags() {
    let def = <total>::DEF;
    assert_eq!(def.name, "marketing.total");
    assert_eq!(def.function, "total");
    assert_eq!(def.doc, "");
    assert_eq!(
        def.tags,
        [("owner", "growth"), ("tier", "1"), ("pii", "no")]
    );
    let kinds: Vec<_> = def
        .params
        .iter()
        .map(|p| (p.name, p.ty.name(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a", "i64", ParamKind::Ref),
            ("b", "i64", ParamKind::OptionalOwned),
            ("name", "String", ParamKind::OptionalRef),
            ("bytes", "Vec<u8>", ParamKind::OptionalRef),
        ]
    );
    assert_eq!(def.output.name(), "i64");
}

#[node(tag(r#type = "metric", r#fn = "yes"))]
fn raw_tag_keys() -> i64 {
    1
}

#[test]
fn raw_tag_keys_are_stored_without_the_prefix() {
    let def = <raw_tag_keys>::DEF;
    assert_eq!(def.tags, [("type", "metric"), ("fn", "yes")]);
}

#[test]
fn code_version_follows_the_body() {
    let (one, two) = (<one>::DEF, <two>::DEF);
    assert_ne!(one.code_version, two.code_version);
    assert_ne!(one.code_version, 0);
}

#[test]
fn call_reads_arguments_and_wraps_the_result() {
    let spend = Series(vec![3.0, 6.0]);
    let k = 2.0_f64;
    let label = String::from("spend");
    let xs = vec![0.5, 0.5];
    let slots = [
        Arg::Ref(&spend),
        Arg::Ref(&k),
        Arg::owned(Value::new(3_usize)),
        Arg::Ref(&label),
        Arg::Ref(&xs),
    ];
    let value = call(<avg>::DEF, &slots).unwrap();
    assert_eq!(
        value.downcast_ref::<Series>(),
        Some(&Series(vec![3.0, 5.0]))
    );

    let absent = [
        Arg::Ref(&spend),
        Arg::Absent,
        Arg::owned(Value::new(3_usize)),
        Arg::Ref(&label),
        Arg::Ref(&xs),
    ];
    let value = call(<avg>::DEF, &absent).unwrap();
    assert_eq!(
        value.downcast_ref::<Series>(),
        Some(&Series(vec![2.0, 3.0]))
    );
}

#[test]
fn optional_arguments() {
    let a = 1_i64;
    let b = 10_i64;
    let name = String::from("abc");
    let bytes = vec![1_u8, 2];
    let all = [
        Arg::Ref(&a),
        Arg::Ref(&b),
        Arg::Ref(&name),
        Arg::Ref(&bytes),
    ];
    let value = call(<total>::DEF, &all).unwrap();
    assert_eq!(value.downcast_ref::<i64>(), Some(&16));
    let none = [Arg::Ref(&a), Arg::Absent, Arg::Absent, Arg::Absent];
    let value = call(<total>::DEF, &none).unwrap();
    assert_eq!(value.downcast_ref::<i64>(), Some(&1));
}

#[test]
fn err_is_returned_as_err() {
    let spend = Series(vec![1.0]);
    let label = String::from("spend");
    let xs: Vec<f64> = Vec::new();
    let slots = [
        Arg::Ref(&spend),
        Arg::Absent,
        Arg::owned(Value::new(0_usize)),
        Arg::Ref(&label),
        Arg::Ref(&xs),
    ];
    let error = call(<avg>::DEF, &slots).unwrap_err();
    assert_eq!(error.to_string(), "spend: empty window");
}

#[test]
fn wrong_argument_is_an_error() {
    let wrong = 1_i32;
    let slots = [Arg::Ref(&wrong), Arg::Absent, Arg::Absent, Arg::Absent];
    assert!(call(<total>::DEF, &slots).is_err());
}

#[test]
fn function_is_still_callable() {
    let series = avg(&Series(vec![4.0]), None, 2, "x", &[]).unwrap();
    assert_eq!(series, Series(vec![2.0]));
    assert_eq!(total(&1, Some(2), None, None), 3);
}

#[test]
fn nodes_inside_a_function_body() {
    /// Local.
    #[node]
    fn local(x: &f64) -> f64 {
        x * 2.0
    }
    let def = <local>::DEF;
    assert_eq!(def.name, "local");
    assert_eq!(def.doc, "Local.");
    let x = 1.5_f64;
    let value = def.call.call(&Args::new(&[Arg::Ref(&x)])).unwrap();
    assert_eq!(value.downcast_ref::<f64>(), Some(&3.0));
    assert_eq!(local(&2.0), 4.0);
}

#[test]
fn nodes_list_them() {
    let module = hamilton_core::nodes![one, two, avg];
    assert_eq!(module.name(), "nodes![one, two, avg]");
}

/// Async, reading every kind of parameter.
#[node]
pub async fn fetched_avg(
    spend: &Series,
    k: Option<f64>,
    label: &str,
    n: usize,
) -> PolarsResult<Series> {
    std::future::ready(()).await;
    if n == 0 {
        return Err(PolarsError(format!("{label}: empty window")));
    }
    let k = k.unwrap_or(1.0);
    Ok(Series(spend.0.iter().map(|v| v * k / n as f64).collect()))
}

/// Polls a future that never waits to completion.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future waited"),
    }
}

fn fetched_args(k: Option<f64>, n: usize) -> AsyncArgs {
    AsyncArgs::new(vec![
        AsyncArg::Shared(std::sync::Arc::new(Value::new(Series(vec![3.0, 6.0])))),
        k.map_or(AsyncArg::Absent, |k| AsyncArg::Owned(Value::new(k))),
        AsyncArg::Owned(Value::new(String::from("spend"))),
        AsyncArg::Owned(Value::new(n)),
    ])
}

#[test]
fn async_fns_get_an_async_call_and_a_sync_call_that_says_so() {
    let def = <fetched_avg>::DEF;
    let kinds: Vec<_> = def
        .params
        .iter()
        .map(|p| (p.name, p.ty.name(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("spend", "Series", ParamKind::Ref),
            ("k", "f64", ParamKind::OptionalOwned),
            ("label", "String", ParamKind::Ref),
            ("n", "usize", ParamKind::Owned),
        ]
    );
    assert_eq!(def.output.name(), "Series");
    let error = def.call.call(&Args::new(&[])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "node `fetched_avg` is an `async fn`; run the dataflow with `Driver::execute_async` (and not per item of a fan-out, whose nodes run synchronously)"
    );
    let call = def.async_call.expect("an async call");
    let value = ready(call(fetched_args(Some(2.0), 3))).unwrap();
    assert_eq!(
        value.downcast_ref::<Series>(),
        Some(&Series(vec![2.0, 4.0]))
    );
    let value = ready(call(fetched_args(None, 3))).unwrap();
    assert_eq!(
        value.downcast_ref::<Series>(),
        Some(&Series(vec![1.0, 2.0]))
    );
    let error = ready(call(fetched_args(None, 0))).unwrap_err();
    assert_eq!(error.to_string(), "spend: empty window");
    let missing = ready(call(AsyncArgs::new(vec![AsyncArg::Absent]))).unwrap_err();
    assert!(missing.to_string().contains("argument"), "{missing}");
}

#[test]
fn sync_fns_have_no_async_call_no_fan_out_and_no_gathering() {
    for def in [<avg>::DEF, <total>::DEF] {
        assert!(def.async_call.is_none());
        assert!(def.fan_out.is_none());
        assert!(def.params.iter().all(|p| p.gather.is_none()));
    }
}

/// Fans out.
#[node]
fn chunks(n: &u64) -> Result<Parallel<Vec<u8>>, PolarsError> {
    Ok((0..*n).map(|i| vec![i as u8]).collect())
}

#[node]
fn sizes(chunks: &[u8]) -> usize {
    chunks.len()
}

#[node]
fn total_size(sizes: &Collect<usize>, extra: Collect<usize>) -> usize {
    sizes.iter().sum::<usize>() + extra.len()
}

#[test]
fn parallel_returns_fan_out_and_collect_params_gather() {
    let def = <chunks>::DEF;
    assert_eq!(def.output.name(), "Parallel<Vec<u8>>");
    let fan_out = (def.fan_out.expect("a fan-out"))();
    assert_eq!(fan_out.item.id(), std::any::TypeId::of::<Vec<u8>>());
    let items = (fan_out.split)(&Value::new(Parallel(vec![vec![1_u8], vec![2, 3]]))).unwrap();
    assert_eq!(items[1].downcast_ref::<Vec<u8>>(), Some(&vec![2, 3]));
    assert!(<sizes>::DEF.fan_out.is_none());

    let def = <total_size>::DEF;
    let params: Vec<_> = def
        .params
        .iter()
        .map(|p| {
            (
                p.name,
                p.ty.name(),
                p.kind,
                p.gather.map(|g| g().item.name()),
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            ("sizes", "Collect<usize>", ParamKind::Ref, Some("usize")),
            ("extra", "Collect<usize>", ParamKind::Owned, Some("usize")),
        ]
    );
    let gather = (def.params[0].gather.unwrap())();
    let collected = (gather.gather)(vec![Value::new(1_usize), Value::new(2_usize)]).unwrap();
    assert_eq!(
        collected.downcast_ref::<Collect<usize>>(),
        Some(&Collect(vec![1, 2]))
    );
    let sizes = Collect(vec![1_usize, 2]);
    let slots = [
        Arg::Ref(&sizes),
        Arg::owned(Value::new(Collect(vec![0_usize]))),
    ];
    let value = def.call.call(&Args::new(&slots)).unwrap();
    assert_eq!(value.downcast_ref::<usize>(), Some(&4));
}
