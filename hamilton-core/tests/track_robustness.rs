//! A tracker that cannot write only warns (once), and the run returns its values; a file that
//! cannot be a database is an error when the tracker is opened; `keep_runs` bounds the file.

use std::sync::{Mutex, OnceLock};

use hamilton_core::fanout::Collect;
use hamilton_core::track::Tracker;
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use rusqlite::Connection;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, span};

/// Every warning logged in this test binary.
static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Collects warnings (and errors) into [`WARNINGS`].
struct Warnings;

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for Warnings {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::WARN
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut m = Message(String::new());
        event.record(&mut m);
        WARNINGS.lock().unwrap().push(m.0);
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

/// The warnings that name `path`.
fn warnings_about(path: &std::path::Path) -> Vec<String> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| tracing::subscriber::set_global_default(Warnings).unwrap());
    let path = path.display().to_string();
    WARNINGS
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.contains(&path))
        .cloned()
        .collect()
}

fn fan_out() -> Vec<Node> {
    vec![
        Node::builder("ids")
            .param::<u64>("n")
            .build_fan_out(|a: &Args| Ok((0..*a.get::<u64>(0)?).collect())),
        Node::builder("squared")
            .param::<u64>("ids")
            .build(|a: &Args| Ok(a.get::<u64>(0)? * a.get::<u64>(0)?)),
        Node::builder("total")
            .collect_param::<u64>("squared")
            .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
    ]
}

fn total_of_squares(n: u64) -> u64 {
    (0..n).map(|i| i * i).sum()
}

fn count(path: &std::path::Path, table: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_full_file_only_warns_once_and_the_run_returns_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite");
    warnings_about(&path);
    // No room beyond the tables themselves.
    let t = Tracker::open(&path).unwrap().max_size(1);
    let dr = Driver::builder()
        .with_nodes(fan_out())
        .with_tracker(t.clone())
        .build()
        .unwrap();
    for _ in 0..3 {
        let out = dr
            .execute(&["total"], Inputs::new().set("n", 3000_u64))
            .unwrap();
        assert_eq!(out.get::<u64>("total").unwrap(), &total_of_squares(3000));
    }
    t.flush();
    let warned = warnings_about(&path);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("full"), "{warned:?}");
    assert!(count(&path, "node_runs") < 3 * 3002);
}

#[test]
fn a_read_only_database_only_warns_and_the_run_returns_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite");
    drop(Tracker::open(&path).unwrap());
    let read_only = format!("file:{}?mode=ro", path.display());
    warnings_about(&path);
    let t = Tracker::open(&read_only).unwrap();
    let dr = Driver::builder()
        .with_nodes(fan_out())
        .with_tracker(t.clone())
        .build()
        .unwrap();
    let out = dr
        .execute(&["total"], Inputs::new().set("n", 10_u64))
        .unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &total_of_squares(10));
    t.flush();
    let warned = warnings_about(&path);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("readonly"), "{warned:?}");
    assert_eq!(count(&path, "runs"), 0);
}

#[test]
fn a_path_that_cannot_be_a_database_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "not a directory").unwrap();
    let err = Tracker::open(file.join("runs.sqlite")).unwrap_err();
    assert!(err.to_string().contains("notes.txt/runs.sqlite"), "{err}");
    let err = Tracker::open(&file).unwrap_err();
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert!(Tracker::open(dir.path()).is_err(), "a directory");
}

fn chain(code: u64) -> Vec<Node> {
    (0..20)
        .map(|i| {
            let name = format!("n{i}");
            let builder = Node::builder(name).code_version(code);
            if i == 0 {
                builder.param::<i64>("a")
            } else {
                builder.param::<i64>(format!("n{}", i - 1))
            }
            .build(|x: &Args| Ok(x.get::<i64>(0)? + 1))
        })
        .collect()
}

/// The size of the file and its write-ahead log.
fn size(path: &std::path::Path) -> u64 {
    let wal = path.with_extension("sqlite-wal");
    std::fs::metadata(path).map_or(0, |m| m.len()) + std::fs::metadata(wal).map_or(0, |m| m.len())
}

#[test]
fn keep_runs_keeps_the_newest_runs_and_bounds_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite");
    let runs = |code: u64, n: usize| {
        let t = Tracker::open(&path).unwrap().keep_runs(3);
        let dr = Driver::builder()
            .with_nodes(chain(code))
            .with_tracker(t.clone())
            .build()
            .unwrap();
        for _ in 0..n {
            let out = dr.execute(&["n19"], Inputs::new().set("a", 0_i64)).unwrap();
            assert_eq!(out.get::<i64>("n19").unwrap(), &20);
        }
        t.flush();
    };
    warnings_about(&path);
    runs(1, 30);
    let first = size(&path);
    assert_eq!(count(&path, "runs"), 3);
    assert_eq!(count(&path, "node_runs"), 3 * 20);
    runs(2, 300);
    assert_eq!(count(&path, "runs"), 3);
    assert_eq!(count(&path, "node_runs"), 3 * 20);
    assert_eq!(
        count(&path, "graph_versions"),
        1,
        "the first graph's version is no run's"
    );
    assert_eq!(count(&path, "graph_nodes"), 21);
    assert!(size(&path) <= 2 * first, "{} > 2 × {first}", size(&path));
    let newest: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT min(id) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(newest, 328, "the newest three of 330 runs");
    assert!(
        warnings_about(&path).is_empty(),
        "{:?}",
        warnings_about(&path)
    );
}
