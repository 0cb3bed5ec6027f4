//! Hooks around the nodes of a fan-out's block: called once per item, told which item, layered
//! as everywhere; a hook failing inside a block ends the run; the built-in hooks count a block
//! node once.

use std::sync::{Arc, Mutex};

use hamilton_core::fanout::Collect;
use hamilton_core::hooks::{
    AsyncNodeRun, Hook, HookError, NodeContext, NodeOutcome, NodeStatus, PrintHook, RunInfo,
    RunRecorder, TimingReport,
};
use hamilton_core::{
    Driver, Error, Inputs,
    node::{Args, AsyncArgs, Node, NodeError, Value},
};

type Log = Arc<Mutex<Vec<String>>>;

/// Logs every node-level call as `tag:phase node item position/total`.
struct Recorder {
    tag: &'static str,
    log: Log,
}

/// `node item position/total`, with `-` for a node outside blocks.
fn describe(node: &NodeContext<'_>) -> String {
    let item = node.item.map_or_else(|| "-".to_string(), |i| i.to_string());
    format!("{} {item} {}/{}", node.name, node.position + 1, node.total)
}

impl Recorder {
    fn push(&self, phase: &str, node: &NodeContext<'_>) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}:{phase} {}", self.tag, describe(node)));
    }
}

impl Hook for Recorder {
    fn name(&self) -> &str {
        self.tag
    }
    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}:run {:?}", self.tag, run.nodes));
        Ok(())
    }
    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        self.push("before", node);
        Ok(())
    }
    fn after_node(
        &self,
        node: &NodeContext<'_>,
        _outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        self.push("after", node);
        Ok(())
    }
    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        self.push("enter", node);
        let r = run();
        self.push("leave", node);
        r
    }
    fn around_async_node<'a>(
        &'a self,
        node: &NodeContext<'_>,
        run: AsyncNodeRun<'a>,
    ) -> AsyncNodeRun<'a> {
        let (tag, log, line) = (self.tag, self.log.clone(), describe(node));
        Box::pin(async move {
            log.lock().unwrap().push(format!("{tag}:enter {line}"));
            let r = run.await;
            log.lock().unwrap().push(format!("{tag}:leave {line}"));
            r
        })
    }
}

fn urls() -> Node {
    Node::builder("urls")
        .param::<u64>("n")
        .build_fan_out(|a: &Args| Ok((0..*a.get::<u64>(0)?).map(|i| format!("u{i}")).collect()))
}

/// The first node of the block; fails for `u1` when the input `fail` is true.
fn length() -> Node {
    Node::builder("length")
        .param::<String>("urls")
        .param::<bool>("fail")
        .build(|a: &Args| {
            let url = a.get::<String>(0)?;
            if *a.get::<bool>(1)? && url == "u1" {
                return Err("cannot measure u1".into());
            }
            Ok(url.len() as u64)
        })
}

/// The second node of the block.
fn weight() -> Node {
    Node::builder("weight")
        .param::<u64>("length")
        .build(|a: &Args| Ok(a.get::<u64>(0)? * 10))
}

fn total() -> Node {
    Node::builder("total")
        .collect_param::<u64>("weight")
        .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>()))
}

fn inputs(n: u64) -> Inputs {
    Inputs::new().set("n", n).set("fail", false)
}

fn recorder(tag: &'static str, log: &Log) -> Recorder {
    Recorder {
        tag,
        log: log.clone(),
    }
}

/// What two layered recorders log around one sync node run.
fn layered(node: &str) -> Vec<String> {
    [
        "outer:before",
        "inner:before",
        "outer:enter",
        "inner:enter",
        "inner:leave",
        "outer:leave",
        "inner:after",
        "outer:after",
    ]
    .iter()
    .map(|phase| format!("{phase} {node}"))
    .collect()
}

#[test]
fn hooks_run_once_per_item_for_every_block_node_with_its_item_and_position() {
    let log = Log::default();
    let dr = Driver::builder()
        .with_nodes([urls(), length(), weight(), total()])
        .with_hook(recorder("outer", &log))
        .with_hook(recorder("inner", &log))
        .build()
        .unwrap();
    let out = dr.execute(&["total"], inputs(2)).unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &40);
    let mut expected = vec![
        r#"outer:run ["urls", "length", "weight", "total"]"#.to_string(),
        r#"inner:run ["urls", "length", "weight", "total"]"#.to_string(),
    ];
    expected.extend(layered("urls - 1/4"));
    for item in 0..2 {
        expected.extend(layered(&format!("length {item} 2/4")));
        expected.extend(layered(&format!("weight {item} 3/4")));
    }
    expected.extend(layered("total - 4/4"));
    assert_eq!(*log.lock().unwrap(), expected);
}

#[test]
fn under_the_parallel_executor_hooks_run_once_per_item_for_every_block_node() {
    let log = Log::default();
    let dr = Driver::builder()
        .with_nodes([urls(), length(), weight(), total()])
        .with_hook(recorder("outer", &log))
        .with_hook(recorder("inner", &log))
        .with_parallelism(2)
        .build()
        .unwrap();
    let out = dr.execute(&["total"], inputs(3)).unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &60);
    let log = log.lock().unwrap().clone();
    // Items may run at once: each item's calls, taken apart, are in order.
    for item in 0..3 {
        let mine: Vec<String> = log
            .iter()
            .filter(|l| l.contains(&format!(" {item} ")))
            .cloned()
            .collect();
        let mut expected = layered(&format!("length {item} 2/4"));
        expected.extend(layered(&format!("weight {item} 3/4")));
        assert_eq!(mine, expected, "item {item}");
    }
    let outside: Vec<&String> = log.iter().filter(|l| l.contains(" - ")).collect();
    let mut expected = layered("urls - 1/4");
    expected.extend(layered("total - 4/4"));
    assert_eq!(outside, expected.iter().collect::<Vec<_>>());
}

/// An async first node for the block: `fetched = url.to_uppercase()`.
fn fetched() -> Node {
    Node::builder("fetched")
        .param::<String>("urls")
        .build_async(|a: AsyncArgs| async move {
            tokio::task::yield_now().await;
            Ok(a.get::<String>(0)?.to_uppercase())
        })
}

fn fetched_length() -> Node {
    Node::builder("length")
        .param::<String>("fetched")
        .build(|a: &Args| Ok(a.get::<String>(0)?.len() as u64))
}

#[tokio::test]
async fn hooks_see_every_item_of_an_async_block_with_async_nodes_wrapped_too() {
    let log = Log::default();
    let dr = Driver::builder()
        .with_nodes([urls(), fetched(), fetched_length(), weight(), total()])
        .with_hook(recorder("outer", &log))
        .with_hook(recorder("inner", &log))
        .build()
        .unwrap();
    let out = dr.execute_async(&["total"], inputs(3)).await.unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &60);
    let log = log.lock().unwrap();
    // Items run at once, so only each item's own calls keep a fixed order.
    for item in 0..3 {
        let own: Vec<&String> = log
            .iter()
            .filter(|l| l.contains(&format!(" {item} ")))
            .collect();
        let mut expected = layered(&format!("fetched {item} 2/5"));
        expected.extend(layered(&format!("length {item} 3/5")));
        expected.extend(layered(&format!("weight {item} 4/5")));
        assert_eq!(own, expected.iter().collect::<Vec<_>>(), "item {item}");
    }
    assert_eq!(log.iter().filter(|l| l.contains(" - ")).count(), 16);
}

/// Fails in `phase` for item 1 of any node: with an error, or a panic when `panics`.
struct FailsForItemOne {
    phase: &'static str,
    panics: bool,
}

impl FailsForItemOne {
    fn fail(&self, phase: &str, node: &NodeContext<'_>) -> Result<(), HookError> {
        if phase != self.phase || node.item != Some(1) {
            return Ok(());
        }
        if self.panics {
            panic!("hook bug at item 1");
        }
        Err("quota exceeded at item 1".into())
    }
}

impl Hook for FailsForItemOne {
    fn name(&self) -> &str {
        "FailsForItemOne"
    }
    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        self.fail("before_node", node)
    }
    fn after_node(
        &self,
        node: &NodeContext<'_>,
        _outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        self.fail("after_node", node)
    }
    fn around_async_node<'a>(
        &'a self,
        node: &NodeContext<'_>,
        run: AsyncNodeRun<'a>,
    ) -> AsyncNodeRun<'a> {
        let fails = self.phase == "around_async_node" && node.item == Some(1);
        Box::pin(async move {
            let value = run.await;
            if fails {
                panic!("hook bug at item 1");
            }
            value
        })
    }
}

fn failing_driver(phase: &'static str, panics: bool) -> Driver {
    Driver::builder()
        .with_nodes([urls(), length(), weight(), total()])
        .with_hook(FailsForItemOne { phase, panics })
        .build()
        .unwrap()
}

#[test]
fn a_hook_error_inside_a_block_ends_the_run_as_a_hook_error_naming_the_node() {
    let err = failing_driver("before_node", false)
        .execute(&["total"], inputs(3))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Hook { hook, phase: "before_node", node: Some(node), message }
                if hook == "FailsForItemOne" && node == "length" && message == "quota exceeded at item 1"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_hook_error_inside_a_block_ends_an_async_run_too() {
    let err = failing_driver("after_node", false)
        .execute_async(&["total"], inputs(3))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Hook { phase: "after_node", node: Some(node), .. } if node == "length"),
        "{err}"
    );
}

#[test]
fn a_hook_panic_inside_a_block_is_a_hook_error_and_the_driver_stays_usable() {
    let dr = failing_driver("after_node", true);
    let err = dr.execute(&["total"], inputs(3)).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Hook { phase: "after_node", node: Some(node), message, .. }
                if node == "length" && message == "panicked: hook bug at item 1"
        ),
        "{err}"
    );
    // One item only: the hook does not fail.
    let out = dr.execute(&["total"], inputs(1)).unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &20);
}

#[tokio::test]
async fn a_panic_in_an_around_async_node_future_inside_a_block_is_a_hook_error() {
    let dr = Driver::builder()
        .with_nodes([urls(), fetched(), fetched_length(), weight(), total()])
        .with_hook(FailsForItemOne {
            phase: "around_async_node",
            panics: true,
        })
        .build()
        .unwrap();
    let err = dr.execute_async(&["total"], inputs(3)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Hook { phase: "around_async_node", node: Some(node), message, .. }
                if node == "fetched" && message == "panicked: hook bug at item 1"
        ),
        "{err}"
    );
}

#[test]
fn built_in_hooks_count_a_block_node_once_and_tell_its_items_apart() {
    let recorder = RunRecorder::new();
    let timing = TimingReport::new();
    let lines = Log::default();
    let sink = lines.clone();
    let dr = Driver::builder()
        .with_nodes([urls(), length(), weight(), total()])
        .with_hook(recorder.clone())
        .with_hook(timing.clone())
        .with_hook(PrintHook::new().to(move |line| sink.lock().unwrap().push(line.to_string())))
        .build()
        .unwrap();
    dr.execute(&["total"], inputs(3)).unwrap();

    let run = recorder.last_run().unwrap();
    let statuses: Vec<(&str, NodeStatus)> = run
        .nodes
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("urls", NodeStatus::Succeeded),
            ("length", NodeStatus::Succeeded),
            ("weight", NodeStatus::Succeeded),
            ("total", NodeStatus::Succeeded),
        ]
    );

    let mut timed: Vec<String> = timing.durations().into_iter().map(|(n, _)| n).collect();
    timed.sort();
    assert_eq!(timed, ["length", "total", "urls", "weight"]);
    assert_eq!(
        timing.items(),
        [("length".to_string(), 3), ("weight".to_string(), 3)]
    );
    assert!(timing.to_string().contains("(3 items)"), "{timing}");

    let lines = lines.lock().unwrap();
    let running: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("running node `length`"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        running,
        [
            "running node `length` for item 0 (2/4)",
            "running node `length` for item 1 (2/4)",
            "running node `length` for item 2 (2/4)",
        ]
    );
    assert!(lines.contains(&"running node `total` (4/4)".to_string()));
}

#[test]
fn the_run_record_marks_a_block_node_failed_with_its_failing_item() {
    let recorder = RunRecorder::new();
    let dr = Driver::builder()
        .with_nodes([urls(), length(), weight(), total()])
        .with_hook(recorder.clone())
        .build()
        .unwrap();
    let err = dr
        .execute(&["total"], inputs(3).set("fail", true))
        .unwrap_err();
    assert!(matches!(&err, Error::FanOutItem { item: 1, .. }), "{err}");
    let run = recorder.last_run().unwrap();
    let statuses: Vec<(&str, NodeStatus)> = run
        .nodes
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("urls", NodeStatus::Succeeded),
            (
                "length",
                NodeStatus::Failed("item 1: cannot measure u1".to_string())
            ),
            // Item 0 ran `weight`; item 2 may have too.
            ("weight", NodeStatus::Succeeded),
            ("total", NodeStatus::NotRun),
        ]
    );
}

#[test]
fn a_cached_driver_caches_block_items_by_their_values_and_gets_every_item_right() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Node::builder("weight")
        .code_version(1)
        .param::<u64>("length")
        .build({
            let calls = calls.clone();
            move |a: &Args| {
                calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(a.get::<u64>(0)? * 10)
            }
        });
    let dr = Driver::builder()
        .with_nodes([urls(), length(), counted, total()])
        .with_cache(dir.path())
        .build()
        .unwrap();
    for (n, expected) in [(3, 60), (4, 80), (3, 60)] {
        let out = dr.execute(&["total"], inputs(n)).unwrap();
        assert_eq!(out.get::<u64>("total").unwrap(), &expected, "n = {n}");
    }
    // Block nodes are cached per item, by the values read: every item reads length 2, so
    // `weight` computed once, in the first item of the first run; the rest hit.
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
}
