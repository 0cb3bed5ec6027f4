//! `#[node] async fn`: async nodes written as functions, run by `execute_async` beside sync
//! `#[node]`s, with their errors, panics and modifiers.

use std::sync::Arc;
use std::time::Duration;

use hamilton_core::{Config, Driver, Error, Inputs, RequestError, node, node::Node, nodes};
use tokio::sync::Barrier;

mod pipeline {
    use hamilton_core::node;
    hamilton_core::module!();

    /// Fetched from a remote store.
    #[node(tag(source = "remote"))]
    pub(crate) async fn fetched(id: &i64, delay_ms: Option<&u64>) -> i64 {
        if let Some(ms) = delay_ms {
            tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
        }
        tokio::task::yield_now().await;
        id * 10
    }

    /// Sync, reading the async node.
    #[node]
    pub(crate) fn doubled(fetched: &i64) -> i64 {
        fetched * 2
    }

    /// Async again, reading the sync node by value, the async one by reference, and a `&str`.
    #[node]
    pub(crate) async fn summary(
        doubled: i64,
        fetched: &i64,
        label: Option<&str>,
    ) -> Result<String, std::fmt::Error> {
        tokio::task::yield_now().await;
        Ok(format!("{}{doubled} {fetched}", label.unwrap_or("")))
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([pipeline::MODULE])
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_and_sync_node_functions_feed_each_other() {
    let out = driver()
        .execute_async(
            &["summary", "doubled"],
            Inputs::new()
                .set("id", 4_i64)
                .set("label", "n=".to_string()),
        )
        .await
        .unwrap();
    assert_eq!(out.get::<String>("summary").unwrap(), "n=80 40");
    assert_eq!(out.get::<i64>("doubled").unwrap(), &80);
}

#[tokio::test]
async fn the_function_stays_an_ordinary_async_fn_and_the_node_keeps_its_options() {
    assert_eq!(pipeline::fetched(&2, None).await, 20);
    assert!(Node::from_def(<pipeline::fetched>::DEF).is_async());
    assert!(!Node::from_def(<pipeline::doubled>::DEF).is_async());
    let dr = driver();
    let fetched = dr.node("fetched").unwrap();
    assert_eq!(fetched.doc(), "Fetched from a remote store.");
    assert_eq!(
        fetched.tags().get("source").map(String::as_str),
        Some("remote")
    );
}

#[tokio::test]
async fn the_run_is_a_send_future_that_can_be_spawned() {
    let dr = Arc::new(driver());
    let handle = tokio::spawn({
        let dr = dr.clone();
        async move {
            dr.execute_async(&["summary"], Inputs::new().set("id", 1_i64))
                .await
        }
    });
    let out = handle.await.unwrap().unwrap();
    assert_eq!(out.get::<String>("summary").unwrap(), "20 10");
}

#[test]
fn sync_execute_of_an_async_node_function_is_a_request_error() {
    let err = driver()
        .execute(&["summary"], Inputs::new().set("id", 1_i64))
        .unwrap_err();
    assert!(
        matches!(&err.request_errors()[0], RequestError::NeedsAsync { nodes } if nodes == &["fetched", "summary"]),
        "{err}"
    );
    assert!(err.to_string().contains("`execute_async`"));
}

#[test]
fn calling_the_sync_shim_says_to_use_execute_async() {
    let fetched = Node::from_def(<pipeline::fetched>::DEF);
    let slots = [
        hamilton_core::__private::Arg::owned(hamilton_core::node::Value::new(1_i64)),
        hamilton_core::__private::Arg::Absent,
    ];
    let err = fetched
        .call(&hamilton_core::node::Args::new(&slots))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "node `fetched` is an `async fn`; run the dataflow with `Driver::execute_async` (and not per item of a fan-out, whose nodes run synchronously)"
    );
}

static BARRIER: std::sync::LazyLock<Barrier> = std::sync::LazyLock::new(|| Barrier::new(2));

#[node]
async fn left(x: &i64) -> i64 {
    BARRIER.wait().await;
    x + 1
}

#[node]
async fn right(x: &i64) -> i64 {
    BARRIER.wait().await;
    x + 2
}

#[tokio::test]
async fn independent_async_node_functions_run_concurrently() {
    let dr = Driver::builder()
        .with_modules([nodes![left, right]])
        .build()
        .unwrap();
    let run = dr.execute_async(&["left", "right"], Inputs::new().set("x", 1_i64));
    let out = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the two nodes waited for each other: they ran one after the other")
        .unwrap();
    assert_eq!(out.get::<i64>("left").unwrap(), &2);
    assert_eq!(out.get::<i64>("right").unwrap(), &3);
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "connection refused by {}", self.0)
    }
}

impl std::error::Error for Refused {}

#[node]
async fn remote(host: String) -> Result<i64, Refused> {
    tokio::task::yield_now().await;
    Err(Refused(host))
}

#[tokio::test]
async fn an_async_node_function_error_is_wrapped_with_its_name() {
    let dr = Driver::builder()
        .with_modules([nodes![remote]])
        .build()
        .unwrap();
    let err = dr
        .execute_async(&["remote"], Inputs::new().set("host", "db".to_string()))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::NodeFailed { node, .. } if node == "remote"));
    assert!(
        err.to_string().contains("connection refused by db"),
        "{err}"
    );
}

#[node]
async fn boom(explode: &bool) -> i64 {
    tokio::task::yield_now().await;
    if *explode {
        panic!("kaboom");
    }
    1
}

#[tokio::test]
async fn an_async_node_function_panic_is_caught_and_the_driver_stays_usable() {
    let dr = Driver::builder()
        .with_modules([nodes![boom]])
        .build()
        .unwrap();
    let err = dr
        .execute_async(&["boom"], Inputs::new().set("explode", true))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NodePanicked { node, message } if node == "boom" && message == "kaboom"),
        "{err}"
    );
    let out = dr
        .execute_async(&["boom"], Inputs::new().set("explode", false))
        .await
        .unwrap();
    assert_eq!(out.get::<i64>("boom").unwrap(), &1);
}

/// Rate in {region}.
#[node(
    when(region = "UK"),
    tag(kind = "lookup"),
    parameterize(rate_low(base = value(1.0)), rate_high(base = value(2.0)))
)]
async fn rate__uk(base: f64, factor: &f64) -> f64 {
    tokio::task::yield_now().await;
    base * factor
}

#[node(
    default,
    parameterize(rate_low(base = value(0.0)), rate_high(base = value(0.0)))
)]
fn rate__other(base: f64) -> f64 {
    base
}

fn below_100(v: &f64) -> Result<(), String> {
    if *v < 100.0 {
        Ok(())
    } else {
        Err(format!("{v} is not below 100"))
    }
}

#[node(pipe_output(step(halved)), check(custom = below_100, importance = "fail"))]
async fn capped(rate_high: &f64) -> f64 {
    tokio::task::yield_now().await;
    rate_high * 10.0
}

#[node]
fn halved(x: &f64) -> f64 {
    x / 2.0
}

#[tokio::test]
async fn async_node_functions_take_the_modifiers_that_apply_to_them() {
    let build = |region: &'static str| {
        Driver::builder()
            .with_modules([nodes![rate__uk, rate__other, capped, halved]])
            .with_config(Config::new().set("region", region))
            .build()
            .unwrap()
    };
    let uk = build("UK");
    let err = uk
        .execute(&["rate_high"], Inputs::new().set("factor", 1.0_f64))
        .unwrap_err();
    assert!(
        matches!(&err.request_errors()[0], RequestError::NeedsAsync { nodes } if nodes == &["rate_high"]),
        "{err}"
    );
    assert_eq!(uk.node("rate_high").unwrap().doc(), "Rate in {region}.");
    let out = uk
        .execute_async(
            &["rate_low", "rate_high", "capped"],
            Inputs::new().set("factor", 3.0_f64),
        )
        .await
        .unwrap();
    assert_eq!(out.get::<f64>("rate_low").unwrap(), &3.0);
    assert_eq!(out.get::<f64>("rate_high").unwrap(), &6.0);
    assert_eq!(out.get::<f64>("capped").unwrap(), &30.0);
    assert_eq!(
        uk.node("rate_high")
            .unwrap()
            .tags()
            .get("kind")
            .map(String::as_str),
        Some("lookup")
    );
    let err = uk
        .execute_async(&["capped"], Inputs::new().set("factor", 100.0_f64))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is not below 100"), "{err}");
    let other = build("US");
    let out = other.execute(&["rate_high"], Inputs::new()).unwrap();
    assert_eq!(out.get::<f64>("rate_high").unwrap(), &0.0);
}
