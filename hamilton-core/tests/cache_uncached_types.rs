//! With the cache on, a node whose value type the cache does not know (it would run on every
//! run, and so would everything reading it) is reported at build: a note naming the node, the
//! type and the fix, and in strict mode a build error.
#![cfg(feature = "cache")]

use hamilton_core::cache::CacheOptions;
use hamilton_core::node::{Args, Node};
use hamilton_core::{BuildError, Driver, Error, Inputs};

/// A type the cache has no registration for.
#[derive(Debug)]
struct Report(#[allow(dead_code)] i64);

/// Named like Polars' frame, whose registration comes with hamilton-polars' `cache` feature.
#[derive(Debug)]
struct DataFrame;

fn nodes() -> Vec<Node> {
    vec![
        Node::builder("report")
            .code_version(1)
            .build(|_: &Args| Ok(Report(1))),
        Node::builder("frame")
            .code_version(1)
            .build(|_: &Args| Ok(DataFrame)),
        Node::builder("client")
            .code_version(1)
            .tag("cache", "ignore")
            .build(|_: &Args| Ok(Report(2))),
        Node::builder("count")
            .code_version(1)
            .build(|_: &Args| Ok(3_i64)),
    ]
}

#[test]
fn a_node_of_a_type_the_cache_does_not_know_is_noted_naming_the_type_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let dr = Driver::builder()
        .with_nodes(nodes())
        .with_cache(CacheOptions::new(dir.path()))
        .build()
        .unwrap();
    dr.execute(&["count"], Inputs::new()).unwrap();
    let notes = dr.cache().unwrap().last_run().unwrap().notes;
    let uncached: Vec<&String> = notes.iter().filter(|n| n.contains("can neither")).collect();
    assert_eq!(uncached.len(), 2, "{notes:#?}");
    let report = uncached
        .iter()
        .find(|n| n.starts_with("node `report`"))
        .unwrap();
    assert!(report.contains("produces `"), "{report}");
    assert!(report.contains("Report`"), "{report}");
    assert!(
        report.contains("register_cache_type!(CacheType::serde::<"),
        "{report}"
    );
    let frame = uncached
        .iter()
        .find(|n| n.starts_with("node `frame`"))
        .unwrap();
    assert!(
        frame.contains("enable feature `cache` of hamilton-polars"),
        "{frame}"
    );
}

#[test]
fn strict_mode_makes_each_uncached_type_a_build_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Driver::builder()
        .with_nodes(nodes())
        .with_cache(CacheOptions::new(dir.path()))
        .strict()
        .build()
        .err()
        .unwrap();
    let Error::Build(errors) = err else {
        panic!("{err:?}")
    };
    let mut nodes: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            BuildError::UncachedType { node, .. } => node.as_str(),
            other => panic!("{other}"),
        })
        .collect();
    nodes.sort();
    assert_eq!(nodes, ["frame", "report"]);
}

#[test]
fn known_types_ignored_nodes_and_drivers_without_cache_are_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let known = vec![
        Node::builder("count")
            .code_version(1)
            .build(|_: &Args| Ok(3_i64)),
    ];
    let dr = Driver::builder()
        .with_nodes(known)
        .with_cache(CacheOptions::new(dir.path()))
        .strict()
        .build()
        .unwrap();
    dr.execute(&["count"], Inputs::new()).unwrap();
    assert!(dr.cache().unwrap().last_run().unwrap().notes.is_empty());
    assert!(
        Driver::builder()
            .with_nodes(nodes())
            .strict()
            .build()
            .is_ok()
    );
}
