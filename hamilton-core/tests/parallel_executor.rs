//! The parallel executor computes what the sequential one does, on any DAG, and fails the same
//! way.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use hamilton_core::check::{Importance, check_fn};
use hamilton_core::hooks::{Hook, HookError, NodeContext, RunInfo, RunOutcome};
use hamilton_core::modifiers::Modifier;
use hamilton_core::{
    Driver, Error, Inputs, Overrides,
    node::{Args, Node},
};
use proptest::prelude::*;

/// A DAG: node `i` reads the nodes listed in `deps[i]` (all `< i`) and the input `x`.
fn nodes(deps: &[Vec<usize>], fail_at: Option<usize>, panic_at: Option<usize>) -> Vec<Node> {
    deps.iter()
        .enumerate()
        .map(|(i, ds)| {
            let mut b = Node::builder(format!("n{i}")).param::<u64>("x");
            for d in ds {
                b = b.param::<u64>(format!("n{d}"));
            }
            b.build(move |a: &Args| {
                if Some(i) == fail_at {
                    return Err(format!("n{i} refuses").into());
                }
                if Some(i) == panic_at {
                    panic!("n{i} panics");
                }
                let mut acc = a.get::<u64>(0)?.wrapping_mul(31).wrapping_add(i as u64);
                for k in 1..a.len() {
                    acc = acc.wrapping_mul(1_000_003).wrapping_add(*a.get::<u64>(k)?);
                }
                Ok(acc)
            })
        })
        .collect()
}

fn dag() -> impl Strategy<Value = Vec<Vec<usize>>> {
    (1usize..40).prop_flat_map(|n| {
        (0..n)
            .map(|i| {
                proptest::collection::vec(0..i.max(1), 0..4.min(i + 1)).prop_map(move |v| {
                    let mut v: Vec<usize> = v.into_iter().filter(|&d| d < i).collect();
                    v.sort();
                    v.dedup();
                    v
                })
            })
            .collect::<Vec<_>>()
    })
}

fn outputs_of(
    driver: &Driver,
    names: &[String],
    overrides: &BTreeMap<String, u64>,
) -> Result<Vec<u64>, String> {
    let mut o = Overrides::new();
    for (k, v) in overrides {
        o = o.set(k.clone(), *v);
    }
    let out = driver
        .request(names)
        .inputs(Inputs::new().set("x", 7_u64))
        .overrides(o)
        .execute()
        .map_err(|e| e.to_string())?;
    Ok(names.iter().map(|n| *out.get::<u64>(n).unwrap()).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn parallel_results_equal_sequential_results(
        deps in dag(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..5),
        override_picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
    ) {
        let n = deps.len();
        let names: Vec<String> = picks.iter().map(|p| format!("n{}", p.index(n))).collect();
        let overrides: BTreeMap<String, u64> = override_picks.iter().map(|p| (format!("n{}", p.index(n)), 99)).collect();
        let sequential = Driver::builder().with_nodes(nodes(&deps, None, None)).build().unwrap();
        let parallel = Driver::builder().with_nodes(nodes(&deps, None, None)).with_parallelism(2).build().unwrap();
        prop_assert_eq!(outputs_of(&sequential, &names, &overrides), outputs_of(&parallel, &names, &overrides));
    }

    #[test]
    fn parallel_fails_with_the_same_node_error_as_sequential(deps in dag(), at in any::<prop::sample::Index>(), panics in any::<bool>()) {
        let n = deps.len();
        let at = at.index(n);
        let (fail, panic) = if panics { (None, Some(at)) } else { (Some(at), None) };
        let last = vec![format!("n{}", n - 1)];
        let sequential = Driver::builder().with_nodes(nodes(&deps, fail, panic)).build().unwrap();
        let parallel = Driver::builder().with_nodes(nodes(&deps, fail, panic)).with_parallelism(2).build().unwrap();
        let none = BTreeMap::new();
        // Several nodes may fail only if several are bad; here one is, so both report it (or both succeed
        // when it is not upstream of the request).
        prop_assert_eq!(outputs_of(&sequential, &last, &none), outputs_of(&parallel, &last, &none));
    }
}

#[test]
fn independent_nodes_run_at_the_same_time() {
    // Both nodes wait for each other: this only finishes if they run at once.
    let barrier = Arc::new(Barrier::new(2));
    let waiting = |name: &str| {
        let barrier = barrier.clone();
        Node::builder(name)
            .param::<u64>("x")
            .build(move |a: &Args| {
                barrier.wait();
                Ok(*a.get::<u64>(0)?)
            })
    };
    let dr = Driver::builder()
        .with_nodes([waiting("a"), waiting("b")])
        .with_parallelism(2)
        .build()
        .unwrap();
    let out = dr
        .execute(&["a", "b"], Inputs::new().set("x", 3_u64))
        .unwrap();
    assert_eq!(out.get::<u64>("b").unwrap(), &3);
}

#[test]
fn a_failing_node_stops_new_nodes_from_starting() {
    let started = Arc::new(AtomicUsize::new(0));
    let counted = |name: String, reads: Option<String>| {
        let started = started.clone();
        let mut b = Node::builder(name.clone()).param::<u64>("x");
        if let Some(r) = reads {
            b = b.param::<u64>(r);
        }
        b.build(move |a: &Args| {
            started.fetch_add(1, Ordering::SeqCst);
            if name == "bad" {
                return Err("bad input".into());
            }
            Ok(*a.get::<u64>(0)?)
        })
    };
    let mut all = vec![counted("bad".into(), None)];
    for i in 0..20 {
        all.push(counted(
            format!("after{i}"),
            Some(if i == 0 {
                "bad".into()
            } else {
                format!("after{}", i - 1)
            }),
        ));
    }
    let dr = Driver::builder()
        .with_nodes(all)
        .with_parallelism(2)
        .build()
        .unwrap();
    let err = dr
        .execute(&["after19"], Inputs::new().set("x", 1_u64))
        .unwrap_err();
    assert!(matches!(&err, Error::NodeFailed { node, .. } if node == "bad"));
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "nothing downstream of a failure starts"
    );
}

#[test]
fn intermediates_are_freed_in_parallel_runs_too() {
    struct Tracked(Arc<AtomicUsize>);
    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("big").build(move |_: &Args| Ok(Tracked(d.clone()))),
            Node::builder("small")
                .param::<Tracked>("big")
                .build(|_: &Args| Ok(1_u8)),
            Node::builder("seen").param::<u8>("small").build({
                let drops = drops.clone();
                move |_: &Args| Ok(drops.load(Ordering::SeqCst))
            }),
        ])
        .with_parallelism(2)
        .build()
        .unwrap();
    let out = dr.execute(&["seen"], Inputs::new()).unwrap();
    assert_eq!(
        out.get::<usize>("seen").unwrap(),
        &1,
        "`big` was dropped before `seen` ran"
    );
}

/// Counts its drops and clones.
struct Counted {
    drops: Arc<AtomicUsize>,
    clones: Arc<AtomicUsize>,
}

impl Clone for Counted {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, Ordering::SeqCst);
        Counted {
            drops: self.drops.clone(),
            clones: self.clones.clone(),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// `big`, a [`Counted`] value, and `readers` nodes `r_i` that borrow it and return 1.
fn big_and_readers(
    readers: usize,
    drops: &Arc<AtomicUsize>,
    clones: &Arc<AtomicUsize>,
) -> Vec<Node> {
    let (d, c) = (drops.clone(), clones.clone());
    let mut nodes = vec![Node::builder("big").build(move |_: &Args| {
        Ok(Counted {
            drops: d.clone(),
            clones: c.clone(),
        })
    })];
    for i in 0..readers {
        nodes.push(
            Node::builder(format!("r_{i}"))
                .param::<Counted>("big")
                .build(|_: &Args| Ok(1_u64)),
        );
    }
    nodes
}

#[test]
fn a_value_read_by_many_nodes_is_freed_before_a_node_after_all_of_them_runs() {
    let (drops, clones) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let readers = 1000;
    let mut nodes = big_and_readers(readers, &drops, &clones);
    let mut after = Node::builder("after");
    for i in 0..readers {
        after = after.param::<u64>(format!("r_{i}"));
    }
    let seen = drops.clone();
    nodes.push(after.build(move |a: &Args| {
        let sum: u64 = (0..a.len()).map(|k| *a.get::<u64>(k).unwrap()).sum();
        Ok((sum, seen.load(Ordering::SeqCst)))
    }));
    let dr = Driver::builder()
        .with_nodes(nodes)
        .with_parallelism(2)
        .build()
        .unwrap();
    for _ in 0..20 {
        drops.store(0, Ordering::SeqCst);
        let out = dr.execute(&["after"], Inputs::new()).unwrap();
        assert_eq!(
            out.get::<(u64, usize)>("after").unwrap(),
            &(readers as u64, 1),
            "`big` was dropped before `after` ran"
        );
    }
    assert_eq!(clones.load(Ordering::SeqCst), 0);
}

#[test]
fn a_value_read_only_by_requested_nodes_is_freed_when_the_run_ends() {
    let (drops, clones) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let readers = 1000;
    let dr = Driver::builder()
        .with_nodes(big_and_readers(readers, &drops, &clones))
        .with_parallelism(2)
        .build()
        .unwrap();
    let names: Vec<String> = (0..readers).map(|i| format!("r_{i}")).collect();
    let out = dr.execute(&names, Inputs::new()).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "`big` is not kept");
    assert_eq!(out.len(), readers);
    assert!(names.iter().all(|n| out.get::<u64>(n).ok() == Some(&1)));
}

#[test]
fn a_by_value_parameter_gets_the_value_moved_after_many_borrowing_readers() {
    let (drops, clones) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let readers = 200;
    let mut nodes = big_and_readers(readers, &drops, &clones);
    // `taker` runs after every reader, so it is the last reader of `big`.
    let mut taker = Node::builder("taker").owned_param::<Counted>("big");
    for i in 0..readers {
        taker = taker.param::<u64>(format!("r_{i}"));
    }
    nodes.push(taker.build(|a: &Args| {
        let big = a.take::<Counted>(0)?;
        drop(big);
        Ok(a.len() as u64 - 1)
    }));
    for parallel in [false, true] {
        clones.store(0, Ordering::SeqCst);
        let b = Driver::builder().with_nodes(nodes.clone());
        let dr = if parallel { b.with_parallelism(2) } else { b }
            .build()
            .unwrap();
        for _ in 0..10 {
            let out = dr.execute(&["taker"], Inputs::new()).unwrap();
            assert_eq!(out.get::<u64>("taker").unwrap(), &(readers as u64));
        }
        assert_eq!(
            clones.load(Ordering::SeqCst),
            0,
            "moved, not cloned (parallel: {parallel})"
        );
    }
}
#[test]
fn many_ready_nodes_give_the_same_values_as_sequentially() {
    let n = 5000;
    let wide = || -> Vec<Node> {
        (0..n)
            .map(|i| {
                Node::builder(format!("w_{i}"))
                    .param::<u64>("x")
                    .build(move |a: &Args| Ok(a.get::<u64>(0)? * i as u64))
            })
            .collect()
    };
    let names: Vec<String> = (0..n).map(|i| format!("w_{i}")).collect();
    let sequential = Driver::builder().with_nodes(wide()).build().unwrap();
    let parallel = Driver::builder()
        .with_nodes(wide())
        .with_parallelism(2)
        .build()
        .unwrap();
    let none = BTreeMap::new();
    let expected = outputs_of(&sequential, &names, &none);
    for _ in 0..5 {
        assert_eq!(outputs_of(&parallel, &names, &none), expected);
    }
}

#[test]
fn slow_ready_nodes_spread_over_every_thread_of_the_pool() {
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let nodes: Vec<Node> = (0..8)
        .map(|i| {
            let threads = threads.clone();
            Node::builder(format!("slow_{i}"))
                .param::<u64>("x")
                .build(move |a: &Args| {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    threads.lock().unwrap().insert(std::thread::current().id());
                    Ok(*a.get::<u64>(0)?)
                })
        })
        .collect();
    let dr = Driver::builder()
        .with_nodes(nodes)
        .with_parallelism(2)
        .build()
        .unwrap();
    let names: Vec<String> = (0..8).map(|i| format!("slow_{i}")).collect();
    dr.execute(&names, Inputs::new().set("x", 1_u64)).unwrap();
    assert_eq!(threads.lock().unwrap().len(), 2);
}

#[test]
fn data_check_reports_come_in_plan_order_as_sequentially() {
    let checked = |name: String| {
        Node::builder(name)
            .param::<u64>("x")
            .modifier(Modifier::check::<u64>(
                vec![check_fn("small", |v: &u64| {
                    if *v < 10 {
                        Ok(())
                    } else {
                        Err(format!("{v} is not small"))
                    }
                })],
                Importance::Warn,
            ))
            .build(|a: &Args| Ok(a.get::<u64>(0)? * 3))
    };
    let names: Vec<String> = (0..40).map(|i| format!("c_{i}")).collect();
    let reports = |parallel: bool| {
        let b = Driver::builder().with_nodes(names.iter().cloned().map(checked));
        let dr = if parallel { b.with_parallelism(2) } else { b }
            .build()
            .unwrap();
        let out = dr.execute(&names, Inputs::new().set("x", 5_u64)).unwrap();
        out.check_reports()
            .iter()
            .map(|r| (r.node.clone(), r.passed()))
            .collect::<Vec<_>>()
    };
    let sequential = reports(false);
    assert_eq!(sequential.len(), 40);
    for _ in 0..5 {
        assert_eq!(reports(true), sequential);
    }
}

#[test]
fn a_request_with_no_node_to_run_returns_the_given_values() {
    let dr = Driver::builder()
        .with_nodes(nodes(&[vec![], vec![0]], None, None))
        .with_parallelism(2)
        .build()
        .unwrap();
    let out = dr
        .request(&["n1", "x"])
        .inputs(Inputs::new().set("x", 7_u64))
        .overrides(Overrides::new().set("n1", 5_u64))
        .execute()
        .unwrap();
    assert_eq!(out.get::<u64>("n1").unwrap(), &5);
    assert_eq!(out.get::<u64>("x").unwrap(), &7);
}

/// Records each node hooks see: (name, position, total), and how many runs started and ended.
#[derive(Clone, Default)]
struct SeenNodes {
    nodes: Arc<Mutex<Vec<(String, usize, usize)>>>,
    runs: Arc<AtomicUsize>,
}

impl Hook for SeenNodes {
    fn before_run(&self, _: &RunInfo<'_>) -> Result<(), HookError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn after_run(&self, _: &RunInfo<'_>, _: &RunOutcome<'_>) -> Result<(), HookError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        self.nodes
            .lock()
            .unwrap()
            .push((node.name.to_string(), node.position, node.total));
        Ok(())
    }
}

#[test]
fn hooks_see_every_node_once_at_the_same_position_as_sequentially() {
    let deps = vec![vec![], vec![0], vec![0], vec![1, 2], vec![], vec![3, 4]];
    let seen = |parallel: bool| {
        let hook = SeenNodes::default();
        let b = Driver::builder()
            .with_nodes(nodes(&deps, None, None))
            .with_hook(hook.clone());
        let dr = if parallel { b.with_parallelism(2) } else { b }
            .build()
            .unwrap();
        dr.execute(&["n5", "n2"], Inputs::new().set("x", 1_u64))
            .unwrap();
        let mut nodes = hook.nodes.lock().unwrap().clone();
        nodes.sort();
        (nodes, hook.runs.load(Ordering::SeqCst))
    };
    let (sequential, runs) = seen(false);
    assert_eq!((sequential.len(), runs), (6, 2));
    assert_eq!(seen(true), (sequential, 2));
}

#[test]
fn converted_and_moved_arguments_give_the_same_values_as_sequentially() {
    use hamilton_core::node::Conversion;
    let nodes = || {
        vec![
            Node::builder("count")
                .param::<u64>("x")
                .build(|a: &Args| Ok(*a.get::<u64>(0)? as i32)),
            // Reads `count` (an `i32`) as an `f64`: converted.
            Node::builder("half")
                .param::<f64>("count")
                .build(|a: &Args| Ok(a.get::<f64>(0)? / 2.0)),
            Node::builder("label")
                .param::<u64>("x")
                .build(|a: &Args| Ok(format!("x = {}", a.get::<u64>(0)?))),
            // Takes `label` by value, after `shout` borrowed it.
            Node::builder("shout")
                .param::<String>("label")
                .build(|a: &Args| Ok(a.get::<String>(0)?.to_uppercase())),
            Node::builder("owned")
                .owned_param::<String>("label")
                .param::<String>("shout")
                .build(|a: &Args| Ok(a.take::<String>(0)? + " / " + a.get::<String>(1)?)),
        ]
    };
    let run = |parallel: bool| {
        let b = Driver::builder()
            .with_nodes(nodes())
            .with_conversion(Conversion::new(|v: &i32| Ok(f64::from(*v))));
        let dr = if parallel { b.with_parallelism(2) } else { b }
            .build()
            .unwrap();
        let out = dr
            .execute(&["half", "owned"], Inputs::new().set("x", 9_u64))
            .unwrap();
        (
            *out.get::<f64>("half").unwrap(),
            out.get::<String>("owned").unwrap().clone(),
        )
    };
    let sequential = run(false);
    assert_eq!(sequential, (4.5, "x = 9 / X = 9".to_string()));
    assert_eq!(run(true), sequential);
}
