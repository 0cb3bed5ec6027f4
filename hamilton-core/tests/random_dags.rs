//! Random dataflows compute what a naive recursive evaluator computes, for random requested
//! outputs and random overrides, and run exactly the ancestors of the request (stopping at
//! overrides), sequentially and in parallel.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hamilton_core::{
    Driver, Inputs, Overrides, RequestError,
    node::{Args, Node},
};
use proptest::prelude::*;

/// How many inputs (`in0`, `in1`, ...) nodes may read.
const INPUTS: usize = 3;

/// A dependency of a node: an input or an earlier node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dep {
    Input(usize),
    Node(usize),
}

impl Dep {
    fn name(self) -> String {
        match self {
            Dep::Input(i) => format!("in{i}"),
            Dep::Node(i) => format!("n{i}"),
        }
    }
}

/// A random dataflow: node `i` computes `constant + sum(deps)` (wrapping), reading each
/// dependency by reference or by value.
#[derive(Clone, Debug)]
struct Dag {
    nodes: Vec<DagNode>,
    inputs: [i64; INPUTS],
    outputs: Vec<usize>,
    overrides: BTreeMap<usize, i64>,
}

#[derive(Clone, Debug)]
struct DagNode {
    constant: i64,
    /// Dependencies, distinct, with whether each is taken by value.
    deps: Vec<(Dep, bool)>,
}

fn dag() -> impl Strategy<Value = Dag> {
    (1usize..24)
        .prop_flat_map(|n| {
            let nodes: Vec<_> = (0..n)
                .map(|i| {
                    let deps = proptest::collection::btree_map(0..INPUTS + i, any::<bool>(), 0..4)
                        .prop_map(|deps| {
                            deps.into_iter()
                                .map(|(d, owned)| {
                                    let dep = if d < INPUTS {
                                        Dep::Input(d)
                                    } else {
                                        Dep::Node(d - INPUTS)
                                    };
                                    (dep, owned)
                                })
                                .collect::<Vec<_>>()
                        });
                    (any::<i64>(), deps).prop_map(|(constant, deps)| DagNode { constant, deps })
                })
                .collect();
            (
                nodes,
                any::<[i64; INPUTS]>(),
                proptest::collection::vec(0..n, 1..4),
                proptest::collection::btree_map(0..n, any::<i64>(), 0..3),
            )
        })
        .prop_map(|(nodes, inputs, outputs, overrides)| Dag {
            nodes,
            inputs,
            outputs,
            overrides,
        })
}

/// The dataflow's nodes, each counting its calls in `calls[i]`.
fn build_nodes(dag: &Dag, calls: &[Arc<AtomicUsize>]) -> Vec<Node> {
    dag.nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let mut builder = Node::builder(format!("n{i}"));
            for (dep, owned) in &node.deps {
                builder = if *owned {
                    builder.owned_param::<i64>(dep.name())
                } else {
                    builder.param::<i64>(dep.name())
                };
            }
            let owned: Vec<bool> = node.deps.iter().map(|(_, o)| *o).collect();
            let constant = node.constant;
            let calls = calls[i].clone();
            builder.build(move |args: &Args| {
                calls.fetch_add(1, Ordering::SeqCst);
                let mut total = constant;
                for (k, owned) in owned.iter().enumerate() {
                    let v = if *owned {
                        args.take::<i64>(k)?
                    } else {
                        *args.get::<i64>(k)?
                    };
                    total = total.wrapping_add(v);
                }
                Ok(total)
            })
        })
        .collect()
}

/// The reference: a naive recursive evaluation straight from the definition.
fn reference_value(dag: &Dag, i: usize) -> i64 {
    if let Some(v) = dag.overrides.get(&i) {
        return *v;
    }
    let node = &dag.nodes[i];
    node.deps.iter().fold(node.constant, |acc, (dep, _)| {
        acc.wrapping_add(match *dep {
            Dep::Input(k) => dag.inputs[k],
            Dep::Node(j) => reference_value(dag, j),
        })
    })
}

/// The nodes a run must compute: ancestors of the outputs (included), not going through
/// overridden nodes, which are not computed.
fn reference_computed(dag: &Dag) -> BTreeSet<usize> {
    let mut computed = BTreeSet::new();
    let mut stack = dag.outputs.clone();
    while let Some(i) = stack.pop() {
        if dag.overrides.contains_key(&i) || !computed.insert(i) {
            continue;
        }
        for (dep, _) in &dag.nodes[i].deps {
            if let Dep::Node(j) = dep {
                stack.push(*j);
            }
        }
    }
    computed
}

/// The inputs some computed node reads, with those readers.
fn reference_input_readers(dag: &Dag) -> BTreeMap<usize, BTreeSet<String>> {
    let mut readers: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for i in reference_computed(dag) {
        for (dep, _) in &dag.nodes[i].deps {
            if let Dep::Input(k) = dep {
                readers.entry(*k).or_default().insert(format!("n{i}"));
            }
        }
    }
    readers
}

fn inputs(dag: &Dag, skip: Option<usize>) -> Inputs {
    let mut inputs = Inputs::new();
    // Only inputs some node reads exist in the dataflow.
    let read: BTreeSet<usize> = dag
        .nodes
        .iter()
        .flat_map(|n| n.deps.iter())
        .filter_map(|(d, _)| match d {
            Dep::Input(k) => Some(*k),
            Dep::Node(_) => None,
        })
        .collect();
    for k in read {
        if Some(k) != skip {
            inputs = inputs.set(format!("in{k}"), dag.inputs[k]);
        }
    }
    inputs
}

fn overrides(dag: &Dag) -> Overrides {
    dag.overrides
        .iter()
        .fold(Overrides::new(), |o, (i, v)| o.set(format!("n{i}"), *v))
}

fn output_names(dag: &Dag) -> Vec<String> {
    dag.outputs.iter().map(|i| format!("n{i}")).collect()
}

fn check_run(dag: &Dag, parallel: bool) -> Result<(), TestCaseError> {
    let calls: Vec<Arc<AtomicUsize>> = (0..dag.nodes.len()).map(|_| Arc::default()).collect();
    let mut builder = Driver::builder().with_nodes(build_nodes(dag, &calls));
    if parallel {
        builder = builder.with_parallelism(3);
    }
    let dr = builder.build().unwrap();
    let expected_computed = reference_computed(dag);
    // Twice: the second run uses the cached plan.
    for _ in 0..2 {
        for c in &calls {
            c.store(0, Ordering::SeqCst);
        }
        let out = dr
            .request(&output_names(dag))
            .inputs(inputs(dag, None))
            .overrides(overrides(dag))
            .execute()
            .unwrap();
        for &i in &dag.outputs {
            prop_assert_eq!(
                out.get::<i64>(&format!("n{i}")).unwrap(),
                &reference_value(dag, i),
                "value of n{}",
                i
            );
        }
        for (i, c) in calls.iter().enumerate() {
            let expected = usize::from(expected_computed.contains(&i));
            prop_assert_eq!(c.load(Ordering::SeqCst), expected, "calls of n{}", i);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_dags_compute_the_reference_values_and_only_the_needed_nodes(dag in dag()) {
        check_run(&dag, false)?;
    }

    #[test]
    fn random_dags_run_in_parallel_like_sequentially(dag in dag()) {
        check_run(&dag, true)?;
    }

    #[test]
    fn a_missing_input_is_reported_exactly_when_a_computed_node_reads_it(
        dag in dag(),
        skip in 0..INPUTS,
    ) {
        let calls: Vec<Arc<AtomicUsize>> = (0..dag.nodes.len()).map(|_| Arc::default()).collect();
        let dr = Driver::builder().with_nodes(build_nodes(&dag, &calls)).build().unwrap();
        let result = dr
            .request(&output_names(&dag))
            .inputs(inputs(&dag, Some(skip)))
            .overrides(overrides(&dag))
            .validate();
        match reference_input_readers(&dag).remove(&skip) {
            None => prop_assert!(result.is_ok(), "{:?}", result),
            Some(readers) => {
                let err = result.unwrap_err();
                match err.request_errors() {
                    [RequestError::MissingInput { name, ty, needed_by, .. }] => {
                        prop_assert_eq!(name, &format!("in{skip}"));
                        prop_assert_eq!(ty, "i64");
                        let needed_by: BTreeSet<String> = needed_by.iter().cloned().collect();
                        prop_assert_eq!(needed_by, readers);
                    }
                    other => prop_assert!(false, "expected one MissingInput, got {:?}", other),
                }
            }
        }
        prop_assert!(calls.iter().all(|c| c.load(Ordering::SeqCst) == 0));
    }
}
