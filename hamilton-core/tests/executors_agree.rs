//! The sequential, parallel (2 threads) and async executors give the same outcome for random
//! dataflows with a fan-out block, failing and panicking nodes, and parameters read by
//! reference, by value and through a registered conversion (by reference and by value): the same
//! values, the same error naming the same node (and item), and the same hook calls per node. A
//! sequential run without hooks (which calls plain steps directly) gives the same outcome too.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Once};

use hamilton_core::fanout::Collect;
use hamilton_core::hooks::{Hook, HookError, NodeContext, NodeOutcome};
use hamilton_core::{
    Driver, Error, Inputs,
    node::{Args, Conversion, Node, NodeError},
};
use proptest::prelude::*;

/// How many inputs (`in0`, `in1`, ...) nodes may read.
const INPUTS: usize = 3;

/// How a parameter reads its dependency (an `i64`).
#[derive(Clone, Copy, Debug)]
enum Read {
    /// `&i64`
    Ref,
    /// `i64`
    Value,
    /// `&i128`, through the registered `i64 -> i128` conversion.
    ConvertedRef,
    /// `i128`, through the registered conversion.
    ConvertedValue,
}

/// What a node does besides computing.
#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    Error,
    Panic,
}

/// A node computing `constant + sum(deps)` (wrapping); `deps` index the names available where
/// the node stands (taken modulo their count).
#[derive(Clone, Debug)]
struct Spec {
    constant: i64,
    deps: Vec<(usize, Read)>,
    fault: Fault,
    /// Inside a block: the item the fault happens for (the others compute).
    fault_item: usize,
}

#[derive(Clone, Debug)]
struct Dag {
    before: Vec<Spec>,
    /// The fan-out: which earlier value gives its item count base, how many items, the block.
    fan: Option<(usize, usize, Vec<Spec>)>,
    after: Vec<Spec>,
    inputs: [i64; INPUTS],
    /// Indexes into the requestable nodes.
    outputs: Vec<usize>,
}

fn read() -> impl Strategy<Value = Read> {
    prop_oneof![
        Just(Read::Ref),
        Just(Read::Value),
        Just(Read::ConvertedRef),
        Just(Read::ConvertedValue),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![8 => Just(Fault::None), 1 => Just(Fault::Error), 1 => Just(Fault::Panic)]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        -100i64..100,
        proptest::collection::vec((any::<usize>(), read()), 0..4),
        fault(),
        0usize..4,
    )
        .prop_map(|(constant, deps, fault, fault_item)| Spec {
            constant,
            deps,
            fault,
            fault_item,
        })
}

fn dag() -> impl Strategy<Value = Dag> {
    (
        proptest::collection::vec(spec(), 0..8),
        proptest::option::of((
            any::<usize>(),
            0usize..5,
            proptest::collection::vec(spec(), 1..4),
        )),
        proptest::collection::vec(spec(), 1..6),
        any::<[i8; INPUTS]>(),
        proptest::collection::vec(any::<usize>(), 1..4),
    )
        .prop_map(|(before, fan, after, inputs, outputs)| Dag {
            before,
            fan,
            after,
            inputs: inputs.map(i64::from),
            outputs,
        })
}

/// Adds the parameters of `spec` reading from `available` and returns the builder and how
/// each is read.
fn params(
    mut builder: hamilton_core::node::NodeBuilder,
    spec: &Spec,
    available: &[String],
) -> (hamilton_core::node::NodeBuilder, Vec<Read>) {
    let mut reads = Vec::new();
    let mut seen = Vec::new();
    for (dep, read) in &spec.deps {
        if available.is_empty() {
            break;
        }
        let name = available[dep % available.len()].clone();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        // A fan-out's item is read as itself (conversions apply to values, not items).
        let read = match read {
            Read::ConvertedRef | Read::ConvertedValue if name == "fan" => &Read::Ref,
            other => other,
        };
        builder = match read {
            Read::Ref => builder.param::<i64>(name),
            Read::Value => builder.owned_param::<i64>(name),
            Read::ConvertedRef => builder.param::<i128>(name),
            Read::ConvertedValue => builder.owned_param::<i128>(name),
        };
        reads.push(*read);
    }
    (builder, reads)
}

/// `constant + sum(args)`, failing or panicking as `spec` says (inside a block: only for its
/// `fault_item`, which the node learns from its `item` argument, the first one).
fn body(
    spec: &Spec,
    reads: Vec<Read>,
    in_block: bool,
) -> impl Fn(&Args) -> Result<i64, NodeError> + Send + Sync + 'static {
    let (constant, fault, fault_item) = (spec.constant, spec.fault, spec.fault_item);
    move |args: &Args| {
        let mut total = constant;
        for (k, read) in reads.iter().enumerate() {
            let v = match read {
                Read::Ref => *args.get::<i64>(k)?,
                Read::Value => args.take::<i64>(k)?,
                Read::ConvertedRef => *args.get::<i128>(k)? as i64,
                Read::ConvertedValue => args.take::<i128>(k)? as i64,
            };
            total = total.wrapping_add(v);
        }
        let item = if in_block {
            Some(*args.get::<i64>(reads.len())? as usize)
        } else {
            None
        };
        if item.is_none_or(|i| i == fault_item) {
            match fault {
                Fault::None => {}
                Fault::Error => return Err(format!("boom ({total})").into()),
                Fault::Panic => panic!("bang ({total})"),
            }
        }
        Ok(total)
    }
}

/// The nodes of `dag` and the names a request may ask for.
fn nodes(dag: &Dag) -> (Vec<Node>, Vec<String>) {
    let mut available: Vec<String> = (0..INPUTS).map(|i| format!("in{i}")).collect();
    let mut requestable = Vec::new();
    let mut nodes = Vec::new();
    for (i, spec) in dag.before.iter().enumerate() {
        let name = format!("b{i}");
        let (builder, reads) = params(Node::builder(name.clone()), spec, &available);
        nodes.push(builder.build(body(spec, reads, false)));
        available.push(name.clone());
        requestable.push(name);
    }
    if let Some((source, items, block)) = &dag.fan {
        let source = available[source % available.len()].clone();
        let items = *items as i64;
        // The items are 0..items (the source only decides whether the fan-out runs).
        nodes.push(
            Node::builder("fan")
                .param::<i64>(source)
                .build_fan_out(move |_: &Args| Ok((0..items).collect())),
        );
        // Block nodes read the item (by their own `item` parameter too) and what is before.
        let mut inside = vec!["fan".to_string()];
        let outer = available.clone();
        for (j, spec) in block.iter().enumerate() {
            let name = format!("k{j}");
            let mut choices = inside.clone();
            choices.extend(outer.iter().cloned());
            let (builder, reads) = params(Node::builder(name.clone()), spec, &choices);
            // Every block node reads the item, so that it runs once per item.
            let builder = builder.param::<i64>("fan");
            nodes.push(builder.build(body(spec, reads, true)));
            inside.push(name);
        }
        let last = inside.last().cloned().expect("a block has a node");
        nodes.push(
            Node::builder("collected")
                .collect_param::<i64>(last)
                .build(|a: &Args| {
                    Ok(a.get::<Collect<i64>>(0)?
                        .iter()
                        .fold(0_i64, |t, v| t.wrapping_add(*v)))
                }),
        );
        available.push("collected".to_string());
        requestable.push("collected".to_string());
    }
    for (i, spec) in dag.after.iter().enumerate() {
        let name = format!("a{i}");
        let (builder, reads) = params(Node::builder(name.clone()), spec, &available);
        nodes.push(builder.build(body(spec, reads, false)));
        available.push(name.clone());
        requestable.push(name);
    }
    (nodes, requestable)
}

/// Every node-level hook call, per (node, item), in the order made.
type Calls = BTreeMap<(String, Option<usize>), Vec<String>>;

struct Recorder(Arc<Mutex<Calls>>);

impl Recorder {
    fn push(&self, node: &NodeContext<'_>, what: String) {
        self.0
            .lock()
            .unwrap()
            .entry((node.name.to_string(), node.item))
            .or_default()
            .push(what);
    }
}

impl Hook for Recorder {
    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        self.push(node, format!("before {}/{}", node.position, node.total));
        Ok(())
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        let what = match outcome {
            NodeOutcome::Success { value, .. } => {
                format!("ok {:?}", value.downcast_ref::<i64>())
            }
            NodeOutcome::Failure { error, .. } => format!("failed {error}"),
        };
        self.push(node, what);
        Ok(())
    }

    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<hamilton_core::node::Value, NodeError>,
    ) -> Result<hamilton_core::node::Value, NodeError> {
        self.push(node, "around".to_string());
        run()
    }
}

#[derive(Clone, Copy, Debug)]
enum Executor {
    Sequential,
    /// The sequential executor in a run without hooks, which calls plain steps directly.
    SequentialWithoutHooks,
    Parallel,
    Async,
}

/// What a run gave: each output's value, or the error's shape (variant, node, item).
type Outcome = Result<Vec<(String, i64)>, String>;

fn shape(error: &Error) -> String {
    match error {
        Error::NodeFailed { node, .. } => format!("failed `{node}`"),
        Error::NodePanicked { node, .. } => format!("panicked `{node}`"),
        Error::FanOutItem {
            fan_out,
            item,
            source,
        } => format!("`{fan_out}` item {item}: {}", shape(source)),
        other => format!("other: {other}"),
    }
}

fn run(dag: &Dag, executor: Executor) -> (Outcome, Calls) {
    let (nodes, requestable) = nodes(dag);
    let calls = Arc::new(Mutex::new(Calls::new()));
    let mut builder = Driver::builder()
        .with_nodes(nodes)
        .with_conversion(Conversion::new(|v: &i64| Ok(i128::from(*v))));
    if !matches!(executor, Executor::SequentialWithoutHooks) {
        builder = builder.with_hook(Recorder(calls.clone()));
    }
    if let Executor::Parallel = executor {
        builder = builder.with_parallelism(2);
    }
    let dr = builder.build().expect("random dataflows are well formed");
    let mut inputs = Inputs::new();
    for (i, v) in dag.inputs.iter().enumerate() {
        inputs = inputs.set(format!("in{i}"), *v);
    }
    let outputs: Vec<String> = if requestable.is_empty() {
        Vec::new()
    } else {
        dag.outputs
            .iter()
            .map(|o| requestable[o % requestable.len()].clone())
            .collect()
    };
    let result = match executor {
        Executor::Sequential | Executor::SequentialWithoutHooks | Executor::Parallel => {
            dr.execute(&outputs, inputs)
        }
        Executor::Async => tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(dr.execute_async(&outputs, inputs)),
    };
    let outcome = result
        .map(|out| {
            out.iter()
                .map(|(name, v)| (name.to_string(), *v.downcast_ref::<i64>().unwrap()))
                .collect()
        })
        .map_err(|e| shape(&e));
    let calls = calls.lock().unwrap().clone();
    (outcome, calls)
}

fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.payload().downcast_ref::<String>().map(String::as_str);
            if !message.is_some_and(|m| m.starts_with("bang")) {
                default(info);
            }
        }));
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_executor_gives_the_sequential_outcome_and_hook_calls(dag in dag()) {
        quiet_panics();
        let (expected, expected_calls) = run(&dag, Executor::Sequential);
        let (without_hooks, _) = run(&dag, Executor::SequentialWithoutHooks);
        prop_assert_eq!(&without_hooks, &expected, "without hooks");
        for executor in [Executor::Parallel, Executor::Async] {
            let (outcome, calls) = run(&dag, executor);
            prop_assert_eq!(&outcome, &expected, "{:?}", executor);
            if expected.is_ok() {
                prop_assert_eq!(&calls, &expected_calls, "{:?}", executor);
            } else {
                // Every node (and item) the sequential executor ran up to the failure got the
                // same calls; a node after it ran only if it had started, and then finished.
                for (node, made) in &expected_calls {
                    prop_assert_eq!(calls.get(node), Some(made), "{:?} {:?}", executor, node);
                }
                for (node, made) in &calls {
                    if !expected_calls.contains_key(node) {
                        prop_assert_eq!(made.len(), 3, "{:?} {:?} {:?}", executor, node, made);
                    }
                }
            }
        }
    }
}

/// The failure policy, pinned for a block under each executor: items after a failed one start
/// no node, the earliest failed item is reported.
#[test]
fn a_failed_item_is_reported_the_same_way_under_every_executor() {
    quiet_panics();
    let dag = Dag {
        before: vec![],
        fan: Some((
            0,
            4,
            vec![Spec {
                constant: 0,
                deps: vec![],
                fault: Fault::Error,
                fault_item: 1,
            }],
        )),
        after: vec![],
        inputs: [0; INPUTS],
        outputs: vec![0],
    };
    for executor in [Executor::Sequential, Executor::Parallel, Executor::Async] {
        let (outcome, calls) = run(&dag, executor);
        assert_eq!(
            outcome,
            Err("`fan` item 1: failed `k0`".to_string()),
            "{executor:?}"
        );
        // Item 0 ran before the failure; item 1 failed.
        assert_eq!(
            calls.get(&("k0".to_string(), Some(0))).map(Vec::len),
            Some(3),
            "{executor:?}"
        );
        assert_eq!(
            calls[&("k0".to_string(), Some(1))].last().unwrap(),
            "failed boom (0)",
            "{executor:?}"
        );
    }
    // The sequential executor starts no item after the failed one.
    let (_, calls) = run(&dag, Executor::Sequential);
    assert!(!calls.contains_key(&("k0".to_string(), Some(2))));
    assert!(!calls.contains_key(&("k0".to_string(), Some(3))));
}

/// A parameter read through a registered conversion binds alike under every executor, by
/// reference and by value.
#[test]
fn converted_parameters_bind_alike_under_every_executor() {
    let spec = |deps: Vec<(usize, Read)>| Spec {
        constant: 1,
        deps,
        fault: Fault::None,
        fault_item: 0,
    };
    let dag = Dag {
        before: vec![
            spec(vec![(0, Read::ConvertedRef), (1, Read::ConvertedValue)]),
            spec(vec![(3, Read::ConvertedValue), (2, Read::Ref)]),
        ],
        fan: None,
        after: vec![],
        inputs: [10, 20, 30],
        outputs: vec![0, 1],
    };
    for executor in [Executor::Sequential, Executor::Parallel, Executor::Async] {
        let (outcome, _) = run(&dag, executor);
        assert_eq!(
            outcome,
            Ok(vec![("b0".to_string(), 31), ("b1".to_string(), 62)]),
            "{executor:?}"
        );
    }
}
