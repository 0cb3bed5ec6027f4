//! A tracker database written by real runs of a small dataflow, and what the pages must show.

use std::path::{Path, PathBuf};

use hamilton_core::track::Tracker;
use hamilton_core::track::read::{Db, RunFilter};
use hamilton_core::{Driver, Inputs};

mod numbers {
    use hamilton_core::node;
    hamilton_core::module!();

    /// Twice the input.
    #[node]
    pub(super) fn doubled(x: i64) -> i64 {
        x * 2
    }

    /// The doubled value plus two.
    #[node]
    pub(super) fn total(doubled: i64) -> i64 {
        doubled + 2
    }
}

/// The database and what the test looks for.
pub(crate) struct Recorded {
    pub(crate) db: PathBuf,
    pub(crate) first: i64,
    pub(crate) second: i64,
    /// Nodes in the graph (inputs included).
    pub(crate) graph_nodes: usize,
    /// The nodes each run computed.
    pub(crate) computed: Vec<String>,
    /// A node whose summary is checked, and text of it the node page shows.
    pub(crate) summarised: String,
    pub(crate) summary_text: String,
}

/// Two runs of `numbers` (x = 20, then x = 21), recorded by a tracker into `dir/runs.sqlite`.
pub(crate) fn record(dir: &Path) -> Recorded {
    let file = dir.join("runs.sqlite");
    let tracker = Tracker::open(&file).unwrap();
    let dr = Driver::builder()
        .with_modules([numbers::MODULE])
        .with_tracker(tracker.clone())
        .build()
        .unwrap();
    for x in [20_i64, 21] {
        dr.execute(&["total"], Inputs::new().set("x", x)).unwrap();
    }
    tracker.flush();
    let runs = Db::open(&file)
        .unwrap()
        .runs(&RunFilter::default())
        .unwrap();
    assert_eq!(runs.len(), 2, "the tracker recorded two runs");
    Recorded {
        db: file,
        first: runs[1].id,
        second: runs[0].id,
        graph_nodes: 3,
        computed: vec!["doubled".into(), "total".into()],
        summarised: "total".into(),
        summary_text: r#"<code class="scalar">42</code>"#.into(),
    }
}
