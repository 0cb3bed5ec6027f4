//! Lifecycle hooks: order, arguments, failures, layering.

use std::sync::{Arc, Mutex};

use hamilton_core::hooks::{
    AsyncNodeRun, Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome, TimingReport,
};
use hamilton_core::{
    Driver, Error, Inputs,
    node::{Args, AsyncArgs, Node, NodeError, Value},
};

type Log = Arc<Mutex<Vec<String>>>;

struct Recorder {
    tag: &'static str,
    log: Log,
}

impl Recorder {
    fn push(&self, line: String) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}:{line}", self.tag));
    }
}

impl Hook for Recorder {
    fn name(&self) -> &str {
        self.tag
    }
    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        self.push(format!("before_run {:?} {:?}", run.outputs, run.nodes));
        Ok(())
    }
    fn after_run(&self, _run: &RunInfo<'_>, outcome: &RunOutcome<'_>) -> Result<(), HookError> {
        let status = match outcome {
            RunOutcome::Success { .. } => "ok".to_string(),
            RunOutcome::Failure { error, .. } => format!("failed: {error}"),
        };
        self.push(format!("after_run {status}"));
        Ok(())
    }
    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        self.push(format!(
            "before_node {} {:?} -> {} {}/{}",
            node.name,
            node.input_types,
            node.output_type,
            node.position + 1,
            node.total
        ));
        Ok(())
    }
    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        let status = match outcome {
            NodeOutcome::Success { value, .. } => format!("ok {}", value.type_name()),
            NodeOutcome::Failure { error, .. } => format!("failed {error}"),
        };
        self.push(format!("after_node {} {status}", node.name));
        Ok(())
    }
    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        self.push(format!("enter {}", node.name));
        let r = run();
        self.push(format!("leave {}", node.name));
        r
    }
}

fn driver(
    hooks: Vec<Box<dyn FnOnce(hamilton_core::DriverBuilder) -> hamilton_core::DriverBuilder>>,
) -> Driver {
    let mut b = Driver::builder().with_nodes([
        Node::builder("c")
            .param::<i64>("a")
            .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
        Node::builder("d").param::<i64>("c").build(|x: &Args| {
            let c = *x.get::<i64>(0)?;
            if c < 0 {
                return Err("c must not be negative".into());
            }
            Ok(c * 2)
        }),
    ]);
    for h in hooks {
        b = h(b);
    }
    b.build().unwrap()
}

fn recorder(
    tag: &'static str,
    log: &Log,
) -> Box<dyn FnOnce(hamilton_core::DriverBuilder) -> hamilton_core::DriverBuilder> {
    let log = log.clone();
    Box::new(move |b| b.with_hook(Recorder { tag, log }))
}

#[test]
fn hooks_see_the_run_and_each_node_in_order_with_their_types() {
    let log = Log::default();
    let dr = driver(vec![recorder("h", &log)]);
    dr.execute(&["d"], Inputs::new().set("a", 1_i64)).unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "h:before_run [\"d\"] [\"c\", \"d\"]",
            "h:before_node c [(\"a\", \"i64\")] -> i64 1/2",
            "h:enter c",
            "h:leave c",
            "h:after_node c ok i64",
            "h:before_node d [(\"c\", \"i64\")] -> i64 2/2",
            "h:enter d",
            "h:leave d",
            "h:after_node d ok i64",
            "h:after_run ok",
        ]
    );
}

#[test]
fn several_hooks_layer_like_middleware() {
    let log = Log::default();
    let dr = driver(vec![recorder("outer", &log), recorder("inner", &log)]);
    dr.execute(&["c"], Inputs::new().set("a", 1_i64)).unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "outer:before_run [\"c\"] [\"c\"]",
            "inner:before_run [\"c\"] [\"c\"]",
            "outer:before_node c [(\"a\", \"i64\")] -> i64 1/1",
            "inner:before_node c [(\"a\", \"i64\")] -> i64 1/1",
            "outer:enter c",
            "inner:enter c",
            "inner:leave c",
            "outer:leave c",
            "inner:after_node c ok i64",
            "outer:after_node c ok i64",
            "inner:after_run ok",
            "outer:after_run ok",
        ]
    );
}

#[test]
fn hooks_are_told_about_a_failing_node_and_the_failed_run() {
    let log = Log::default();
    let dr = driver(vec![recorder("h", &log)]);
    let err = dr
        .execute(&["d"], Inputs::new().set("a", -5_i64))
        .unwrap_err();
    assert!(matches!(err, Error::NodeFailed { ref node, .. } if node == "d"));
    let log = log.lock().unwrap();
    assert!(log.contains(&"h:after_node d failed c must not be negative".to_string()));
    assert_eq!(
        log.last().unwrap(),
        "h:after_run failed: node `d` failed: c must not be negative"
    );
}

struct Failing(&'static str);

impl Hook for Failing {
    fn name(&self) -> &str {
        "Failing"
    }
    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        match self.0 {
            "error" if node.name == "d" => Err("quota exceeded".into()),
            "panic" if node.name == "d" => panic!("hook bug"),
            _ => Ok(()),
        }
    }
}

#[test]
fn a_hook_error_stops_the_run_and_names_the_hook_phase_and_node() {
    let dr = driver(vec![Box::new(|b| b.with_hook(Failing("error")))]);
    let err = dr
        .execute(&["d"], Inputs::new().set("a", 1_i64))
        .unwrap_err();
    assert!(matches!(
        &err,
        Error::Hook { hook, phase: "before_node", node: Some(node), message }
            if hook == "Failing" && node == "d" && message == "quota exceeded"
    ));
}

#[test]
fn a_hook_panic_is_reported_as_a_hook_failure_and_the_driver_stays_usable() {
    let dr = driver(vec![Box::new(|b| b.with_hook(Failing("panic")))]);
    let err = dr
        .execute(&["d"], Inputs::new().set("a", 1_i64))
        .unwrap_err();
    assert!(matches!(&err, Error::Hook { message, .. } if message == "panicked: hook bug"));
    // `c` alone does not reach the panicking branch.
    let out = dr.execute(&["c"], Inputs::new().set("a", 1_i64)).unwrap();
    assert_eq!(out.get::<i64>("c").unwrap(), &2);
}

#[test]
fn a_node_panic_under_around_hooks_is_still_a_node_panic() {
    let log = Log::default();
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("p").build(|_: &Args| -> Result<i64, NodeError> { panic!("node bug") })
        ])
        .with_hook(Recorder {
            tag: "h",
            log: log.clone(),
        })
        .build()
        .unwrap();
    let err = dr.execute(&["p"], Inputs::new()).unwrap_err();
    assert!(
        matches!(&err, Error::NodePanicked { node, message } if node == "p" && message == "node bug")
    );
    assert!(log.lock().unwrap().contains(&"h:leave p".to_string()));
}

#[test]
fn timing_report_lists_every_node_of_the_last_run() {
    let timing = TimingReport::new();
    let dr = driver(vec![Box::new({
        let t = timing.clone();
        move |b| b.with_hook(t)
    })]);
    dr.execute(&["d"], Inputs::new().set("a", 1_i64)).unwrap();
    let mut names: Vec<String> = timing.durations().into_iter().map(|(n, _)| n).collect();
    names.sort();
    assert_eq!(names, ["c", "d"]);
    dr.execute(&["c"], Inputs::new().set("a", 1_i64)).unwrap();
    assert_eq!(
        timing.durations().len(),
        1,
        "the report holds the last run only"
    );
}

/// Logs around async nodes from inside the futures it returns; panics there when asked to.
struct AsyncRecorder {
    tag: &'static str,
    log: Log,
    panics_in_future: bool,
    panics_when_wrapping: bool,
}

impl AsyncRecorder {
    fn new(tag: &'static str, log: &Log) -> Self {
        Self {
            tag,
            log: log.clone(),
            panics_in_future: false,
            panics_when_wrapping: false,
        }
    }
}

impl Hook for AsyncRecorder {
    fn name(&self) -> &str {
        self.tag
    }
    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        let line = format!("{}:sync {}", self.tag, node.name);
        self.log.lock().unwrap().push(line);
        run()
    }
    fn around_async_node<'a>(
        &'a self,
        node: &NodeContext<'_>,
        run: AsyncNodeRun<'a>,
    ) -> AsyncNodeRun<'a> {
        if self.panics_when_wrapping {
            panic!("cannot wrap");
        }
        let name = node.name.to_string();
        Box::pin(async move {
            self.log
                .lock()
                .unwrap()
                .push(format!("{}:enter {name}", self.tag));
            let result = run.await;
            if self.panics_in_future {
                panic!("hook future bug");
            }
            self.log
                .lock()
                .unwrap()
                .push(format!("{}:leave {name}", self.tag));
            result
        })
    }
}

fn async_driver(hooks: Vec<AsyncRecorder>, explode: bool) -> Driver {
    let mut b = Driver::builder().with_nodes([
        Node::builder("fetched")
            .param::<i64>("a")
            .build_async(move |x: AsyncArgs| async move {
                tokio::task::yield_now().await;
                if explode {
                    panic!("node bug");
                }
                Ok(*x.get::<i64>(0)? * 10)
            }),
        Node::builder("plus_one")
            .param::<i64>("fetched")
            .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
    ]);
    for h in hooks {
        b = b.with_hook(h);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn around_async_node_wraps_async_nodes_first_hook_outermost_and_around_node_the_sync_ones() {
    let log = Log::default();
    let dr = async_driver(
        vec![
            AsyncRecorder::new("outer", &log),
            AsyncRecorder::new("inner", &log),
        ],
        false,
    );
    let out = dr
        .execute_async(&["plus_one"], Inputs::new().set("a", 4_i64))
        .await
        .unwrap();
    assert_eq!(out.get::<i64>("plus_one").unwrap(), &41);
    assert_eq!(
        *log.lock().unwrap(),
        [
            "outer:enter fetched",
            "inner:enter fetched",
            "inner:leave fetched",
            "outer:leave fetched",
            "outer:sync plus_one",
            "inner:sync plus_one",
        ]
    );
}

#[tokio::test]
async fn an_async_node_panic_under_around_async_node_hooks_is_still_a_node_panic() {
    let log = Log::default();
    let dr = async_driver(vec![AsyncRecorder::new("h", &log)], true);
    let err = dr
        .execute_async(&["fetched"], Inputs::new().set("a", 1_i64))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NodePanicked { node, message } if node == "fetched" && message == "node bug"),
        "{err}"
    );
    assert!(log.lock().unwrap().contains(&"h:leave fetched".to_string()));
}

#[tokio::test]
async fn a_panic_in_around_async_node_is_a_hook_error_naming_the_node() {
    let log = Log::default();
    let wrapping = AsyncRecorder {
        panics_when_wrapping: true,
        ..AsyncRecorder::new("Wrapping", &log)
    };
    let err = async_driver(vec![wrapping], false)
        .execute_async(&["fetched"], Inputs::new().set("a", 1_i64))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Hook { hook, phase: "around_async_node", node: Some(node), message }
                if hook == "Wrapping" && node == "fetched" && message == "panicked: cannot wrap"
        ),
        "{err}"
    );
    let in_future = AsyncRecorder {
        panics_in_future: true,
        ..AsyncRecorder::new("InFuture", &log)
    };
    let err = async_driver(vec![in_future], false)
        .execute_async(&["fetched"], Inputs::new().set("a", 1_i64))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Hook { phase: "around_async_node", node: Some(node), message, .. }
                if node == "fetched" && message == "panicked: hook future bug"
        ),
        "{err}"
    );
}
