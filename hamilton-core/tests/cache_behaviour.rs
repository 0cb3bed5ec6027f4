//! Result caching: hits, misses, invalidation by data and by code, behaviours, introspection.
#![cfg(feature = "cache")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hamilton_core::cache::{Behavior, CacheOptions, CacheStatus, CacheType};
use hamilton_core::{
    Driver, Inputs, Overrides, node,
    node::{Args, AsyncArgs, Node},
};

/// Counts how many times each node body ran.
#[derive(Clone, Default)]
struct Calls(Arc<std::sync::Mutex<Vec<String>>>);

impl Calls {
    fn hit(&self, name: &str) {
        self.0.lock().unwrap().push(name.to_string());
    }
    fn take(&self) -> Vec<String> {
        let mut v = std::mem::take(&mut *self.0.lock().unwrap());
        v.sort();
        v
    }
}

/// `a = x + 1`, `b = y * 2`, `c = a + b`, `d = c * 10`, `e = b - 1` (all `i64`), each counting its
/// calls. `c` has code version `c_version` and adds `c_offset`.
fn nodes(calls: &Calls, c_version: u64, c_offset: i64) -> Vec<Node> {
    let unary = |name: &'static str, dep: &'static str, f: fn(i64) -> i64| {
        let calls = calls.clone();
        Node::builder(name)
            .code_version(1)
            .param::<i64>(dep)
            .build(move |a: &Args| {
                calls.hit(name);
                Ok(f(*a.get::<i64>(0)?))
            })
    };
    let c_calls = calls.clone();
    vec![
        unary("a", "x", |x| x + 1),
        unary("b", "y", |y| y * 2),
        Node::builder("c")
            .code_version(c_version)
            .param::<i64>("a")
            .param::<i64>("b")
            .build(move |a: &Args| {
                c_calls.hit("c");
                Ok(a.get::<i64>(0)? + a.get::<i64>(1)? + c_offset)
            }),
        unary("d", "c", |c| c * 10),
        unary("e", "b", |b| b - 1),
    ]
}

fn driver(dir: &std::path::Path, nodes: Vec<Node>) -> Driver {
    Driver::builder()
        .with_nodes(nodes)
        .with_cache(dir)
        .build()
        .unwrap()
}

fn inputs(x: i64, y: i64) -> Inputs {
    Inputs::new().set("x", x).set("y", y)
}

const ALL: [&str; 5] = ["a", "b", "c", "d", "e"];

fn values(dr: &Driver, x: i64, y: i64) -> Vec<i64> {
    let out = dr.execute(&ALL, inputs(x, y)).unwrap();
    ALL.iter().map(|n| *out.get::<i64>(n).unwrap()).collect()
}

fn sorted(v: Vec<&str>) -> Vec<&str> {
    let mut v = v;
    v.sort();
    v
}

#[test]
fn an_unchanged_second_run_is_all_hits_with_equal_values() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let first = values(&driver(dir.path(), nodes(&calls, 1, 0)), 2, 3);
    assert_eq!(first, [3, 6, 9, 90, 5]);
    assert_eq!(calls.take(), ["a", "b", "c", "d", "e"]);

    // A new driver on the same directory: nothing runs.
    let dr = driver(dir.path(), nodes(&calls, 1, 0));
    assert_eq!(values(&dr, 2, 3), first);
    assert!(calls.take().is_empty());
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(sorted(run.hits()), ALL);
    assert!(run.success);
    assert!(run.notes.is_empty(), "{:?}", run.notes);
}

#[test]
fn changing_an_input_recomputes_exactly_its_descendants() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(dir.path(), nodes(&calls, 1, 0));
    values(&dr, 2, 3);
    calls.take();
    // `x` feeds a -> c -> d; `y` (b, e) is unchanged.
    assert_eq!(values(&dr, 5, 3), [6, 6, 12, 120, 5]);
    assert_eq!(calls.take(), ["a", "c", "d"]);
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(sorted(run.misses()), ["a", "c", "d"]);
    assert_eq!(sorted(run.hits()), ["b", "e"]);
    // Back to the first input: everything was stored, all hits.
    assert_eq!(values(&dr, 2, 3), [3, 6, 9, 90, 5]);
    assert!(calls.take().is_empty());
}

#[test]
fn a_node_whose_result_is_unchanged_lets_its_readers_hit() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(dir.path(), nodes(&calls, 1, 0));
    values(&dr, 2, 3);
    calls.take();
    // Both inputs change, but `c = (x + 1) + 2y` stays 9: x = 4, y = 2 -> a = 5, b = 4.
    assert_eq!(values(&dr, 4, 2), [5, 4, 9, 90, 3]);
    // `c` ran (its inputs changed) but produced the same value, so `d` hit.
    assert_eq!(calls.take(), ["a", "b", "c", "e"]);
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(run.status("d"), Some(CacheStatus::Hit));
}

#[test]
fn changing_a_nodes_code_recomputes_it_and_what_its_change_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    values(&driver(dir.path(), nodes(&calls, 1, 0)), 2, 3);
    calls.take();

    // Same name, new code version, same result: only `c` runs.
    let dr = driver(dir.path(), nodes(&calls, 2, 0));
    assert_eq!(values(&dr, 2, 3), [3, 6, 9, 90, 5]);
    assert_eq!(calls.take(), ["c"]);

    // New code version and a different result: `c` and `d` run.
    let dr = driver(dir.path(), nodes(&calls, 3, 100));
    assert_eq!(values(&dr, 2, 3), [3, 6, 109, 1090, 5]);
    assert_eq!(calls.take(), ["c", "d"]);
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(sorted(run.misses()), ["c", "d"]);

    // A `cache_version` tag is part of the code version: a manual bump.
    let mut bumped = nodes(&calls, 3, 100);
    bumped[2] = bumped[2].clone().with_tag("cache_version", "2");
    let dr = driver(dir.path(), bumped);
    assert_eq!(values(&dr, 2, 3), [3, 6, 109, 1090, 5]);
    assert_eq!(calls.take(), ["c"]);
    assert_eq!(
        dr.cache().unwrap().code_version("c"),
        Some("0000000000000003+2")
    );
}

/// Doubles its input. (The macro computes the code version from these tokens.)
#[node]
fn doubled_by_macro(base: &i64) -> i64 {
    base * 2
}

#[test]
fn macro_nodes_are_cached_under_their_compile_time_code_version() {
    let dir = tempfile::tempdir().unwrap();
    let build = || {
        Driver::builder()
            .with_modules([hamilton_core::nodes![doubled_by_macro]])
            .with_cache(dir.path())
            .build()
            .unwrap()
    };
    let dr = build();
    let code = dr
        .cache()
        .unwrap()
        .code_version("doubled_by_macro")
        .unwrap();
    assert_eq!(code.len(), 16, "{code}");
    dr.execute(&["doubled_by_macro"], Inputs::new().set("base", 4_i64))
        .unwrap();
    let dr = build();
    let out = dr
        .execute(&["doubled_by_macro"], Inputs::new().set("base", 4_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("doubled_by_macro").unwrap(), &8);
    assert_eq!(
        dr.cache().unwrap().last_run().unwrap().hits(),
        ["doubled_by_macro"]
    );
}

#[test]
fn nodes_without_code_version_always_run_but_their_readers_can_hit() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let (c1, c2) = (calls.clone(), calls.clone());
    let build = || {
        let (c1, c2) = (c1.clone(), c2.clone());
        driver(
            dir.path(),
            vec![
                // Built by hand without a code version: its code is unknown to the cache.
                Node::builder("raw")
                    .param::<i64>("x")
                    .build(move |a: &Args| {
                        c1.hit("raw");
                        Ok(a.get::<i64>(0)? % 10)
                    }),
                Node::builder("cooked")
                    .code_version(1)
                    .param::<i64>("raw")
                    .build(move |a: &Args| {
                        c2.hit("cooked");
                        Ok(a.get::<i64>(0)? + 1)
                    }),
            ],
        )
    };
    let dr = build();
    dr.execute(&["cooked"], Inputs::new().set("x", 13_i64))
        .unwrap();
    assert_eq!(calls.take(), ["cooked", "raw"]);
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(run.status("raw"), Some(CacheStatus::Uncached));
    assert!(
        run.event("raw")
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("no code version")
    );
    // 23 % 10 == 13 % 10: `raw` runs again, `cooked` hits on its unchanged result.
    let dr = build();
    let out = dr
        .execute(&["cooked"], Inputs::new().set("x", 23_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("cooked").unwrap(), &4);
    assert_eq!(calls.take(), ["raw"]);
}

/// A type the cache does not know.
#[derive(Clone, Debug, PartialEq)]
struct Opaque(i64);

#[test]
fn a_type_without_fingerprint_is_never_cached_nor_makes_a_downstream_hit() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let (c1, c2) = (calls.clone(), calls.clone());
    let build = || {
        let (c1, c2) = (c1.clone(), c2.clone());
        driver(
            dir.path(),
            vec![
                Node::builder("opaque")
                    .code_version(1)
                    .param::<i64>("x")
                    .build(move |a: &Args| {
                        c1.hit("opaque");
                        Ok(Opaque(*a.get::<i64>(0)?))
                    }),
                Node::builder("plain")
                    .code_version(1)
                    .param::<Opaque>("opaque")
                    .build(move |a: &Args| {
                        c2.hit("plain");
                        Ok(a.get::<Opaque>(0)?.0 + 1)
                    }),
            ],
        )
    };
    for _ in 0..2 {
        let dr = build();
        let out = dr
            .execute(&["plain"], Inputs::new().set("x", 1_i64))
            .unwrap();
        assert_eq!(out.get::<i64>("plain").unwrap(), &2);
        assert_eq!(calls.take(), ["opaque", "plain"]);
        let run = dr.cache().unwrap().last_run().unwrap();
        assert_eq!(run.status("opaque"), Some(CacheStatus::Uncached));
        assert_eq!(run.status("plain"), Some(CacheStatus::Uncached));
        let note = run.event("plain").unwrap().note.clone().unwrap();
        assert!(note.contains("`opaque` has no data version"), "{note}");
        assert!(
            run.event("opaque")
                .unwrap()
                .note
                .as_deref()
                .unwrap()
                .contains("no fingerprint"),
            "{run}"
        );
    }
    // Registering the type for this driver makes both cacheable.
    let build = || {
        let (c1, c2) = (c1.clone(), c2.clone());
        Driver::builder()
            .with_nodes(vec![
                Node::builder("opaque")
                    .code_version(1)
                    .param::<i64>("x")
                    .build(move |a: &Args| {
                        c1.hit("opaque");
                        Ok(Opaque(*a.get::<i64>(0)?))
                    }),
                Node::builder("plain")
                    .code_version(1)
                    .param::<Opaque>("opaque")
                    .build(move |a: &Args| {
                        c2.hit("plain");
                        Ok(a.get::<Opaque>(0)?.0 + 1)
                    }),
            ])
            .with_cache(CacheOptions::new(dir.path()).with_type(
                CacheType::fingerprint_with(|o: &Opaque, f| f.write_value(&o.0)).with_format(
                    "opaque",
                    |o: &Opaque| Ok(o.0.to_le_bytes().to_vec()),
                    |b: &[u8]| Ok(Opaque(i64::from_le_bytes(b.try_into()?))),
                ),
            ))
            .build()
            .unwrap()
    };
    build()
        .execute(&["plain"], Inputs::new().set("x", 1_i64))
        .unwrap();
    calls.take();
    let dr = build();
    dr.execute(&["plain"], Inputs::new().set("x", 1_i64))
        .unwrap();
    assert!(calls.take().is_empty());
}

#[test]
fn inputs_without_fingerprint_make_their_readers_run() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let c = calls.clone();
    let dr = driver(
        dir.path(),
        vec![
            Node::builder("n")
                .code_version(1)
                .param::<Opaque>("o")
                .build(move |a: &Args| {
                    c.hit("n");
                    Ok(a.get::<Opaque>(0)?.0)
                }),
        ],
    );
    for _ in 0..2 {
        dr.execute(&["n"], Inputs::new().set("o", Opaque(1)))
            .unwrap();
    }
    assert_eq!(calls.take(), ["n", "n"]);
    let note = dr.cache().unwrap().logs().join("\n");
    assert!(
        note.contains("n: uncached (`o` has no data version"),
        "{note}"
    );
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Settings {
    alpha: f64,
    label: String,
}

hamilton_core::register_cache_type!(CacheType::serde::<Settings>());

#[test]
fn registered_serde_types_are_fingerprinted_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let build = || {
        let c = calls.clone();
        driver(
            dir.path(),
            vec![
                Node::builder("settings")
                    .code_version(1)
                    .param::<f64>("alpha")
                    .build(move |a: &Args| {
                        c.hit("settings");
                        Ok(Settings {
                            alpha: *a.get::<f64>(0)?,
                            label: "x".into(),
                        })
                    }),
            ],
        )
    };
    build()
        .execute(&["settings"], Inputs::new().set("alpha", 0.5))
        .unwrap();
    let out = build()
        .execute(&["settings"], Inputs::new().set("alpha", 0.5))
        .unwrap();
    assert_eq!(
        out.get::<Settings>("settings").unwrap(),
        &Settings {
            alpha: 0.5,
            label: "x".into()
        }
    );
    assert_eq!(calls.take(), ["settings"]);
}

#[test]
fn behaviours_from_tags_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    // `client` is a connection-like value: tagged `ignore`, it never invalidates its readers.
    let build = |options: CacheOptions, client_id: i64| {
        let (c1, c2, c3) = (calls.clone(), calls.clone(), calls.clone());
        Driver::builder()
            .with_nodes([
                Node::builder("client")
                    .code_version(1)
                    .tag("cache", "ignore")
                    .build(move |_: &Args| {
                        c1.hit("client");
                        Ok(client_id)
                    }),
                Node::builder("fetched")
                    .code_version(1)
                    .param::<i64>("client")
                    .param::<i64>("x")
                    .build(move |a: &Args| {
                        c2.hit("fetched");
                        Ok(a.get::<i64>(1)? * 2)
                    }),
                Node::builder("report")
                    .code_version(1)
                    .param::<i64>("fetched")
                    .build(move |a: &Args| {
                        c3.hit("report");
                        Ok(a.get::<i64>(0)? + 1)
                    }),
            ])
            .with_cache(options)
            .build()
            .unwrap()
    };
    let run = |dr: &Driver| {
        let out = dr
            .execute(&["report"], Inputs::new().set("x", 5_i64))
            .unwrap();
        assert_eq!(out.get::<i64>("report").unwrap(), &11);
        dr.cache().unwrap().last_run().unwrap()
    };
    let r = run(&build(CacheOptions::new(dir.path()), 1));
    assert_eq!(r.status("client"), Some(CacheStatus::Ignored));
    calls.take();

    // Another client: ignored, so `fetched` and `report` still hit; and since they hit, the
    // client is not even created.
    let r = run(&build(CacheOptions::new(dir.path()), 2));
    assert_eq!(calls.take(), Vec::<String>::new());
    assert_eq!(sorted(r.hits()), ["fetched", "report"]);
    assert_eq!(r.status("client"), None, "did not run");

    // Per-run options win over tags and defaults.
    let dr = build(CacheOptions::new(dir.path()).recompute(["fetched"]), 2);
    assert_eq!(
        dr.cache().unwrap().behavior("fetched"),
        Some(Behavior::Recompute)
    );
    let r = run(&dr);
    assert_eq!(calls.take(), ["client", "fetched"]);
    assert_eq!(r.recomputed(), ["fetched"]);
    assert_eq!(
        r.status("report"),
        Some(CacheStatus::Hit),
        "same result, so a hit"
    );

    let r = run(&build(CacheOptions::new(dir.path()).disable(["report"]), 2));
    assert_eq!(
        calls.take(),
        ["report"],
        "`fetched` hits and is loaded for it"
    );
    assert_eq!(r.status("report"), Some(CacheStatus::Disabled));
    assert!(r.event("report").unwrap().data_version.is_some());

    let r = run(&build(
        CacheOptions::new(dir.path()).default_behavior(Behavior::Recompute),
        2,
    ));
    assert_eq!(calls.take(), ["client", "fetched", "report"]);
    assert_eq!(sorted(r.recomputed()), ["fetched", "report"]);
}

#[test]
fn overrides_and_config_are_fingerprinted_like_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = Driver::builder()
        .with_nodes(nodes(&calls, 1, 0))
        .with_config(hamilton_core::Config::new().set("y", 3_i64))
        .with_cache(dir.path())
        .build()
        .unwrap();
    let go = |c: i64| {
        dr.request(&["d"])
            .overrides(Overrides::new().set("c", c))
            .execute()
            .unwrap()
            .get::<i64>("d")
            .copied()
            .unwrap()
    };
    assert_eq!(go(1), 10);
    assert_eq!(go(2), 20);
    assert_eq!(go(1), 10);
    assert_eq!(calls.take(), ["d", "d"]);
    dr.execute(&["e"], Inputs::new()).unwrap();
    dr.execute(&["e"], Inputs::new()).unwrap();
    assert_eq!(calls.take(), ["b", "e"]);
}

#[test]
fn the_parallel_executor_caches_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let build = || {
        Driver::builder()
            .with_nodes(nodes(&calls, 1, 0))
            .with_parallelism(2)
            .with_cache(dir.path())
            .build()
            .unwrap()
    };
    assert_eq!(values(&build(), 2, 3), [3, 6, 9, 90, 5]);
    calls.take();
    let dr = build();
    assert_eq!(values(&dr, 7, 3), [8, 6, 14, 140, 5]);
    assert_eq!(calls.take(), ["a", "c", "d"]);
}

#[test]
fn async_nodes_are_stored_and_hit_like_sync_ones() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let build = || {
        let (c1, c2) = (calls.clone(), calls.clone());
        driver(
            dir.path(),
            vec![
                Node::builder("fetched")
                    .code_version(1)
                    .param::<i64>("id")
                    .build_async(move |a: AsyncArgs| {
                        c1.hit("fetched");
                        async move { Ok(*a.get::<i64>(0)? * 10) }
                    }),
                Node::builder("plus_one")
                    .code_version(1)
                    .param::<i64>("fetched")
                    .build(move |a: &Args| {
                        c2.hit("plus_one");
                        Ok(a.get::<i64>(0)? + 1)
                    }),
            ],
        )
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let run = |output: &str, id: i64| {
        let dr = build();
        let out = rt
            .block_on(dr.execute_async(&[output], Inputs::new().set("id", id)))
            .unwrap();
        let value = *out.get::<i64>(output).unwrap();
        (value, dr.cache().unwrap().last_run().unwrap())
    };
    let (value, first) = run("plus_one", 4);
    assert_eq!(value, 41);
    assert_eq!(first.status("fetched"), Some(CacheStatus::Miss));
    assert_eq!(calls.take(), ["fetched", "plus_one"]);

    let (value, second) = run("plus_one", 4);
    assert_eq!(value, 41);
    assert_eq!(calls.take(), Vec::<String>::new());
    assert_eq!(sorted(second.hits()), ["fetched", "plus_one"]);

    // Requested itself: loaded from the store.
    let (value, third) = run("fetched", 4);
    assert_eq!(value, 40);
    assert_eq!(calls.take(), Vec::<String>::new());
    assert_eq!(third.hits(), ["fetched"]);

    // Another input: both run again.
    let (value, _) = run("plus_one", 5);
    assert_eq!(value, 51);
    assert_eq!(calls.take(), ["fetched", "plus_one"]);
}

#[test]
fn a_failing_node_is_reported_and_nothing_wrong_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(
        dir.path(),
        vec![
            Node::builder("boom")
                .code_version(1)
                .param::<i64>("x")
                .build(|a: &Args| {
                    if *a.get::<i64>(0)? < 0 {
                        Err("negative".into())
                    } else {
                        Ok(1_i64)
                    }
                }),
        ],
    );
    assert!(
        dr.execute(&["boom"], Inputs::new().set("x", -1_i64))
            .is_err()
    );
    let run = dr.cache().unwrap().last_run().unwrap();
    assert!(!run.success);
    assert_eq!(run.status("boom"), Some(CacheStatus::Failed));
    assert!(
        dr.execute(&["boom"], Inputs::new().set("x", -1_i64))
            .is_err()
    );
}

#[test]
fn runs_are_recorded_and_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(dir.path(), nodes(&calls, 1, 0));
    values(&dr, 2, 3);
    values(&dr, 5, 3);
    let cache = dr.cache().unwrap();
    let ids = cache.run_ids().unwrap();
    assert_eq!(ids.len(), 2);
    let last = cache.last_run().unwrap();
    assert_eq!(ids[1], last.run_id);
    let stored = cache.run(&last.run_id).unwrap().unwrap();
    assert_eq!(stored.nodes, last.nodes);
    assert!(stored.success);
    assert!(cache.run("nope").unwrap().is_none());
    let e = last.event("c").unwrap();
    assert!(e.inputs.as_deref().unwrap().starts_with("a="), "{e:?}");
    assert!(e.cache_key.as_deref().unwrap().starts_with("c-"));

    let logs = cache.logs();
    assert!(logs.contains(&"b: hit".to_string()), "{logs:?}");
    assert!(logs.contains(&"a: miss".to_string()), "{logs:?}");
    let dot = dr.cache_dot(&last);
    assert!(dot.contains("\"x\" -> \"a\""), "{dot}");
    assert!(dot.contains("#7fc97f") && dot.contains("#fdc086"), "{dot}");
    let mermaid = dr.cache_mermaid(&last);
    assert!(
        mermaid.contains(":::hit") && mermaid.contains(":::miss"),
        "{mermaid}"
    );
    assert!(last.to_string().contains("2 hit(s), 3 computed"), "{last}");
}

#[test]
fn clearing_by_node_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let dr = driver(dir.path(), nodes(&calls, 1, 0));
    values(&dr, 2, 3);
    calls.take();
    let cache = dr.cache().unwrap();
    let before = cache.size().unwrap();
    assert!(before > 0);
    assert_eq!(cache.clear_node("c").unwrap(), 1);
    values(&dr, 2, 3);
    // `c` ran again; same value, so `d` hit.
    assert_eq!(calls.take(), ["c"]);
    cache.clear().unwrap();
    values(&dr, 2, 3);
    assert_eq!(calls.take(), ALL);
}

#[test]
fn unknown_names_and_tags_are_noted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let dr = Driver::builder()
        .with_nodes([Node::builder("n")
            .code_version(1)
            .tag("cache", "sometimes")
            .build(|_: &Args| Ok(1_i64))])
        .with_cache(CacheOptions::new(dir.path()).ignore(["not_a_node"]))
        .build()
        .unwrap();
    dr.execute(&["n"], Inputs::new()).unwrap();
    let notes = dr.cache().unwrap().last_run().unwrap().notes.join("\n");
    assert!(
        notes.contains("unknown cache behaviour `sometimes`"),
        "{notes}"
    );
    assert!(notes.contains("`not_a_node`"), "{notes}");
}

#[test]
fn other_hooks_see_hits_as_fast_successes() {
    let dir = tempfile::tempdir().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let timing = hamilton_core::hooks::TimingReport::new();
    let build = || {
        let ran = ran.clone();
        Driver::builder()
            .with_nodes([Node::builder("slow")
                .code_version(1)
                .build(move |_: &Args| {
                    ran.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    Ok(1_i64)
                })])
            .with_hook(timing.clone())
            .with_cache(dir.path())
            .build()
            .unwrap()
    };
    build().execute(&["slow"], Inputs::new()).unwrap();
    build().execute(&["slow"], Inputs::new()).unwrap();
    assert_eq!(ran.load(Ordering::Relaxed), 1);
    assert!(timing.total() < std::time::Duration::from_millis(30));
}
