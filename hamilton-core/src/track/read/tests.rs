use super::*;
use crate::track::fixture::{self, V1, V2};

fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture::write(dir.path());
    let db = Db::open(&file).unwrap();
    (dir, db)
}

#[test]
fn runs_come_newest_first_with_their_cache_counts() {
    let (_dir, db) = db();
    let runs = db.runs(&RunFilter::default()).unwrap();
    let ids: Vec<i64> = runs.iter().map(|r| r.id).collect();
    assert_eq!(ids, [4, 3, 2, 1]);
    let first = runs.iter().find(|r| r.id == 1).unwrap();
    assert_eq!(
        (first.node_runs, first.cache_hits, first.cache_misses),
        (3, 1, 2)
    );
    assert_eq!(first.tags.get("env").map(String::as_str), Some("prod"));
    assert_eq!(first.config.get("region").map(String::as_str), Some("eu"));
    assert_eq!(first.outputs, ["model"]);
    assert_eq!(first.inputs[0].name, "raw");
    assert_eq!(first.duration_ms(), Some(50));
}

#[test]
fn runs_filter_by_tag_status_and_date() {
    let (_dir, db) = db();
    let ids = |f: RunFilter| -> Vec<i64> { db.runs(&f).unwrap().iter().map(|r| r.id).collect() };
    let tag = |k: &str, v: &str| Some((k.to_string(), v.to_string()));
    assert_eq!(
        ids(RunFilter {
            tag: tag("env", "dev"),
            ..Default::default()
        }),
        [2]
    );
    assert_eq!(
        ids(RunFilter {
            tag: tag("env", "qa"),
            ..Default::default()
        }),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(RunFilter {
            status: Some("success".into()),
            ..Default::default()
        }),
        [1]
    );
    assert_eq!(
        ids(RunFilter {
            status: Some("interrupted".into()),
            ..Default::default()
        }),
        [3]
    );
    assert_eq!(
        ids(RunFilter {
            from_ms: Some(1_700_000_000_001),
            to_ms: Some(1_750_000_000_000),
            ..Default::default()
        }),
        [2]
    );
    assert_eq!(
        ids(RunFilter {
            limit: 1,
            ..Default::default()
        })
        .len(),
        1
    );
}

#[test]
fn a_run_that_never_ended_reads_as_interrupted_once_its_process_is_gone() {
    let (_dir, db) = db();
    assert_eq!(db.run(3).unwrap().status, RunStatus::Interrupted);
    assert_eq!(db.run(4).unwrap().status, RunStatus::Running);
    assert_eq!(db.run(2).unwrap().status, RunStatus::Failure);
    assert_eq!(db.run(2).unwrap().error.len(), 2);
}

#[test]
fn a_stale_run_reads_as_interrupted_even_where_its_process_cannot_be_checked() {
    let (_dir, db) = db();
    let mut run = db.run(4).unwrap();
    run.host = "another-host".into();
    run.status = RunStatus::Running;
    let now = run.started_ms + STALE_AFTER_MS + 1;
    assert_eq!(settle(&run, now), RunStatus::Interrupted);
    assert_eq!(settle(&run, run.started_ms + 10), RunStatus::Running);
}

#[test]
fn node_runs_come_in_run_order_with_their_summaries() {
    let (_dir, db) = db();
    let nodes = db.node_runs(1).unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n.node.as_str()).collect();
    assert_eq!(names, ["clean", "features", "model"]);
    assert!(matches!(nodes[1].summary, Some(Summary::Frame(ref f)) if f.rows == 3));
    assert!(matches!(nodes[2].summary, Some(Summary::Scalar { ref value, .. }) if value == "0.93"));
    let failed = db.node_runs(2).unwrap();
    assert_eq!(failed[2].error[1], "denominator was 0");
}

#[test]
fn unknown_runs_versions_and_nodes_are_typed_not_found_errors_naming_the_file() {
    let (_dir, db) = db();
    let e = db.run(99).unwrap_err();
    assert!(e.is_not_found());
    assert!(e.to_string().contains("no run 99"), "{e}");
    assert!(e.to_string().contains("runs.sqlite"), "{e}");
    assert!(matches!(
        db.node_runs(99),
        Err(ReadError::NoSuchRun { id: 99, .. })
    ));
    assert!(matches!(
        db.graph("nope"),
        Err(ReadError::NoSuchVersion { .. })
    ));
    assert!(matches!(
        db.lineage(V1, "nope", 2),
        Err(ReadError::NoSuchNode { .. })
    ));
    let wrapped: Error = e.into();
    assert!(matches!(wrapped, Error::TrackerRead { .. }));
    assert!(wrapped.to_string().contains("no run 99"));
}

#[test]
fn a_file_that_is_not_sqlite_is_not_a_tracker_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "just some text, long enough to not be a database header at all....................................................").unwrap();
    let e = Db::open(&file).unwrap_err();
    assert!(matches!(e, ReadError::NotATrackerDb { .. }), "{e:?}");
    assert!(
        e.to_string().contains("notes.txt") && e.to_string().contains("with_tracker"),
        "{e}"
    );
}

#[test]
fn a_graph_reads_its_nodes_by_name_and_its_edges() {
    let (_dir, db) = db();
    let g = db.graph(V1).unwrap();
    assert_eq!(g.nodes.len(), 4);
    let clean = g.node("clean").unwrap();
    assert_eq!(
        (clean.module.as_str(), clean.location.as_str()),
        ("prep", "src/prep.rs:5")
    );
    assert_eq!(clean.tags.get("team").map(String::as_str), Some("data"));
    assert!(g.node("raw").unwrap().is_input);
    assert_eq!(g.edges.len(), 3);
    let versions = db.versions().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions.iter().find(|v| v.version == V1).unwrap().runs, 3);
}

#[test]
fn two_versions_compare_by_nodes_code_and_edges() {
    let (_dir, db) = db();
    let c = db.compare_versions(V1, V2).unwrap();
    assert_eq!(c.added, ["score"]);
    assert_eq!(c.removed, ["model"]);
    assert_eq!(c.changed.len(), 1);
    assert_eq!(
        (
            c.changed[0].node.as_str(),
            c.changed[0].a.as_str(),
            c.changed[0].b.as_str()
        ),
        ("clean", "c1", "c2")
    );
    assert_eq!(c.edges_added.len(), 1);
    assert_eq!(c.edges_added[0].target, "score");
    assert_eq!(c.edges_removed[0].target, "model");
    let same = db.compare_versions(V1, V1).unwrap();
    assert!(same.added.is_empty() && same.changed.is_empty() && same.edges_removed.is_empty());
}

#[test]
fn two_runs_compare_timings_biggest_change_first() {
    let (_dir, db) = db();
    let c = db.compare_runs(1, 2).unwrap();
    assert_eq!(c.graph.added, ["score"]);
    // `model` and `score` ran in one run only; of the rest, `features` changed most (+30 ms).
    let both: Vec<&TimingChange> = c
        .timings
        .iter()
        .filter(|t| t.delta_us().is_some())
        .collect();
    assert_eq!(both[0].node, "features");
    assert_eq!(both[0].delta_us(), Some(30_000));
    assert_eq!(both[1].delta_us(), Some(2_000));
    assert!(
        c.timings
            .iter()
            .any(|t| t.node == "model" && t.b_us.is_none())
    );
}

#[test]
fn lineage_walks_n_hops_up_and_down() {
    let (_dir, db) = db();
    let l = db.lineage(V1, "features", 1).unwrap();
    assert_eq!(l.upstream, [("clean".to_string(), 1)]);
    assert_eq!(l.downstream, [("model".to_string(), 1)]);
    assert_eq!(l.edges.len(), 2);
    let l = db.lineage(V1, "model", 5).unwrap();
    let up: Vec<(&str, usize)> = l.upstream.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    assert_eq!(up, [("features", 1), ("clean", 2), ("raw", 3)]);
    assert!(l.downstream.is_empty());
    assert!(db.lineage(V1, "model", 0).unwrap().upstream.is_empty());
}
