//! The parallel executor computes what the sequential one does, on any DAG, and fails the same
//! way.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use hamilton_core::{Args, Driver, Error, Inputs, Node, Overrides};
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
        .execute_with_overrides(names, Inputs::new().set("x", 7_u64), o)
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
