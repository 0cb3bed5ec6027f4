//! The UI seen through a real browser: headless Chromium loads the pages served on 127.0.0.1
//! from a tracker database and the test reads the DOM it built. Screenshots of each page are
//! kept in `target/ui-screenshots/`.
//!
//! Needs `/usr/bin/chromium` (Debian's `chromium` package; `.ci/run` installs it). Without it the
//! test fails, saying so.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// How long one page load may take before Chromium is stopped (a hang, not a timing check).
const PAGE_LIMIT: Duration = Duration::from_secs(90);

fn chromium() -> &'static Path {
    let path = Path::new(CHROMIUM);
    assert!(
        path.exists(),
        "{CHROMIUM} is missing: the browser test needs headless Chromium; install it with `apt-get install -y chromium` (.ci/run does)"
    );
    path
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("ui-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs Chromium headless on `url` with `extra` arguments; returns its standard output.
fn browse(url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > PAGE_LIMIT {
            let _ = child.kill();
            panic!("Chromium did not finish loading {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Chromium failed on {url}: {:?}",
        out.status
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The DOM Chromium built for `url`, after a screenshot of it saved as `name.png`.
fn page(addr: SocketAddr, path: &str, name: &str) -> String {
    let url = format!("http://{addr}{path}");
    let shot = screenshots().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    browse(
        &url,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,900".into(),
        ],
    );
    assert!(
        shot.exists(),
        "no screenshot of {url} at {}",
        shot.display()
    );
    browse(&url, &["--dump-dom".into()])
}

#[path = "ui_browser/recorded.rs"]
mod recorded;

fn serve(db: &Path) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let db = db.to_path_buf();
    std::thread::spawn(move || hamilton_core::ui::serve_listener(db, listener));
    addr
}

#[test]
fn the_runs_a_run_its_nodes_and_a_comparison_render_in_a_browser() {
    chromium();
    let dir = tempfile::tempdir().unwrap();
    let rec = recorded::record(dir.path());
    let addr = serve(&rec.db);

    let runs = page(addr, "/", "runs");
    for id in [rec.first, rec.second] {
        assert!(
            runs.contains(&format!(r#"data-run="{id}""#)),
            "run {id} missing from the runs list:\n{runs}"
        );
    }

    let run = page(addr, &format!("/runs/{}", rec.first), "run");
    let svg_nodes = run.matches(" data-node=").count();
    assert_eq!(
        svg_nodes, rec.graph_nodes,
        "one box per node in the DAG:\n{run}"
    );
    assert!(run.contains("<svg"), "{run}");
    for node in &rec.computed {
        assert!(
            run.contains(&format!(
                r#"<span class="tl-name" title="{node}">{node}</span>"#
            )),
            "the timeline has no row for `{node}`:\n{run}"
        );
    }
    assert!(run.contains(r#"class="tl-time node-time""#));

    let node = page(
        addr,
        &format!("/runs/{}/nodes/{}", rec.first, rec.summarised),
        "node",
    );
    assert!(
        node.contains(&rec.summary_text),
        "the node page lacks its summary `{}`:\n{node}",
        rec.summary_text
    );

    let report = page(addr, &format!("/runs/{}/report.html", rec.first), "report");
    assert_eq!(
        report.matches(" data-node=").count(),
        rec.graph_nodes,
        "{report}"
    );
    assert!(
        report.contains(&rec.summary_text),
        "the report inlines the summaries:\n{report}"
    );

    let lineage = page(
        addr,
        &format!("/runs/{}/lineage/{}?hops=1", rec.first, rec.summarised),
        "lineage",
    );
    assert!(lineage.contains(r#"data-node="doubled""#), "{lineage}");

    let compare = page(
        addr,
        &format!("/compare?a={}&b={}", rec.first, rec.second),
        "compare",
    );
    assert!(compare.contains(r#"id="timings""#), "{compare}");
    for node in &rec.computed {
        assert!(
            compare.contains(&format!(r#"data-node="{node}""#)),
            "{node} missing from the timing table"
        );
    }
}
