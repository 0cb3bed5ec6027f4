//! The router over a real SQLite file, served on 127.0.0.1 and asked over TCP.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use crate::track::fixture;

/// Serves the fixture database on a free port; the server lives as long as the test process.
fn serve() -> (tempfile::TempDir, SocketAddr) {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture::write(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || super::serve_listener(file, listener));
    (dir, addr)
}

/// The status code and body of `GET path`.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn the_runs_page_lists_every_run_and_filters_them() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/");
    assert_eq!(status, 200);
    assert_eq!(body.matches(r#"<tr class="run""#).count(), 4, "{body}");
    let (_, body) = get(addr, "/?tag=env%3Ddev&status=&from=&to=");
    assert_eq!(body.matches(r#"<tr class="run""#).count(), 1);
    assert!(body.contains(r#"data-run="2""#));
    let (_, body) = get(addr, "/?status=interrupted");
    assert!(body.contains(r#"data-run="3""#) && body.contains("badge interrupted"));
}

#[test]
fn a_bad_filter_is_a_400_saying_what_was_expected() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/?from=last-week");
    assert_eq!(status, 400);
    assert!(body.contains("YYYY-MM-DD"), "{body}");
    let (status, body) = get(addr, "/runs/1/lineage/clean?hops=many");
    assert_eq!(status, 400);
    assert!(body.contains("hops `many`"), "{body}");
    let (status, body) = get(addr, "/compare?a=1&b=two");
    assert_eq!(status, 400);
    assert!(body.contains("`b=two` is not a run id"), "{body}");
    assert_eq!(get(addr, "/runs/1?view=sideways").0, 400);
}

#[test]
fn an_unknown_run_or_node_is_a_404_page_that_says_where_to_look() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/runs/99");
    assert_eq!(status, 404);
    assert!(
        body.contains("no run 99") && body.contains("runs list"),
        "{body}"
    );
    let (status, body) = get(addr, "/runs/1/nodes/nope");
    assert_eq!(status, 404);
    assert!(body.contains("no node `nope`"), "{body}");
    let (status, body) = get(addr, "/runs/abc");
    assert_eq!(status, 400);
    assert!(body.contains("`abc` is not a run id"));
    assert_eq!(get(addr, "/nothing/here").0, 404);
}

#[test]
fn the_run_page_shows_the_dag_timeline_nodes_and_cache_hits() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/runs/1");
    assert_eq!(status, 200);
    assert_eq!(body.matches(" data-node=").count(), 4);
    assert_eq!(body.matches(r#"class="tl-row""#).count(), 3);
    assert!(
        body.contains(r#"<span id="cache-hits">1</span> hits"#),
        "{body}"
    );
    let (_, body) = get(addr, "/runs/1?module=prep");
    assert_eq!(body.matches(" data-node=").count(), 2);
    let (_, body) = get(addr, "/runs/1?view=modules");
    assert_eq!(body.matches(" data-node=").count(), 3);
}

#[test]
fn the_node_page_shows_doc_location_summary_and_errors() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/runs/1/nodes/features");
    assert_eq!(status, 200);
    assert!(body.contains("The &lt;features&gt; step."), "{body}");
    assert!(body.contains("src/prep.rs:8"));
    assert!(body.contains(r#"<b class="rows">3</b> rows"#));
    let (_, body) = get(addr, "/runs/2/nodes/score");
    assert!(body.contains("<li>denominator was 0</li>"), "{body}");
    let (_, body) = get(addr, "/runs/1/nodes/model");
    assert!(body.contains(r#"<code class="scalar">0.93</code>"#));
}

#[test]
fn the_compare_pages_show_graph_and_timing_changes() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/compare?a=1&b=2");
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"<ul class="added"><li><code>score</code>"#),
        "{body}"
    );
    assert!(body.contains("clean (code c1 → c2)"));
    assert!(body.contains(r#"<span class="delta-up">+30.0 ms</span>"#));
    let (status, body) = get(addr, "/compare");
    assert_eq!(status, 200);
    assert!(body.contains(r#"<select name="a">"#));
    let (status, body) = get(
        addr,
        &format!("/versions/compare?a={}&b={}", fixture::V1, fixture::V2),
    );
    assert_eq!(status, 200);
    assert!(body.contains("features → score.features"), "{body}");
    assert_eq!(get(addr, "/versions/compare?a=x&b=y").0, 404);
}

#[test]
fn the_lineage_page_draws_n_hops_around_a_node() {
    let (_d, addr) = serve();
    let (status, body) = get(addr, "/runs/1/lineage/features?hops=1");
    assert_eq!(status, 200);
    assert_eq!(body.matches(" data-node=").count(), 3, "{body}");
    assert!(body.contains(r#"focus" data-node="features""#), "{body}");
    let (_, body) = get(addr, "/runs/1/lineage/model?hops=3");
    assert_eq!(body.matches(" data-node=").count(), 4);
}

#[test]
fn the_report_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture::write(dir.path());
    let page = super::report_html(&file, 2).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<style>") && page.contains("<svg"));
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("<script")
    );
    assert!(page.contains(r#"<details id="node-score" open>"#));
    assert!(page.contains("denominator was 0"));
    let (_d, addr) = serve();
    let (status, served) = get(addr, "/runs/2/report.html");
    assert_eq!(status, 200);
    assert!(served.contains(r#"<details id="node-score" open>"#));
}

#[test]
fn serving_a_file_that_is_not_a_tracker_database_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let err = super::serve(
        dir.path().join("none.sqlite"),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, crate::Error::TrackerRead { .. }), "{err:?}");
}

/// A database with one run of a 10,000-node graph in 50 modules (each node reads the one
/// before it), every node run recorded.
fn big_database(dir: &std::path::Path) -> std::path::PathBuf {
    use rusqlite::params;
    let file = dir.join("big.sqlite");
    let mut c = rusqlite::Connection::open(&file).unwrap();
    c.execute_batch(crate::track::SCHEMA).unwrap();
    let t = c.transaction().unwrap();
    t.execute(
        "INSERT INTO graph_versions VALUES ('big', 0, 10000, 9999)",
        [],
    )
    .unwrap();
    t.execute(
        "INSERT INTO runs (graph_version, driver_run_id, started_ms, ended_ms, status, executor, host, pid, config, outputs, inputs, tags, error) \
         VALUES ('big', 1, 0, 1000, 'success', 'parallel', 'h', 1, '{}', '[]', '[]', '{}', NULL)",
        [],
    )
    .unwrap();
    for i in 0..10_000i64 {
        let name = format!("n{i:05}");
        t.execute(
            "INSERT INTO graph_nodes VALUES ('big', ?1, ?2, 'i64', '', '', '', '{}', 0)",
            params![name, format!("m{:02}", i / 200)],
        )
        .unwrap();
        if i > 0 {
            t.execute(
                "INSERT INTO graph_edges VALUES ('big', ?1, ?2, 'x')",
                params![format!("n{:05}", i - 1), name],
            )
            .unwrap();
        }
        t.execute(
            "INSERT INTO node_runs VALUES (1, ?1, NULL, ?2, 'success', ?2, 10, NULL, 'local', NULL, NULL)",
            params![name, i],
        )
        .unwrap();
    }
    t.commit().unwrap();
    file
}

#[test]
fn a_ten_thousand_node_run_opens_one_box_per_module_and_each_module_opens() {
    let dir = tempfile::tempdir().unwrap();
    let file = big_database(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || super::serve_listener(file, listener));
    let (status, body) = get(addr, "/runs/1");
    assert_eq!(status, 200);
    assert_eq!(body.matches(" data-node=").count(), 50);
    assert!(
        body.contains("One box per module (10000 nodes)"),
        "{}",
        &body[..2000]
    );
    let (status, body) = get(addr, "/runs/1?module=m07");
    assert_eq!(status, 200);
    assert_eq!(body.matches(" data-node=").count(), 200);
    let (_, body) = get(addr, "/runs/1/lineage/n05000?hops=3");
    assert_eq!(body.matches(" data-node=").count(), 7);
}

#[test]
fn the_version_picker_keeps_the_versions_asked_for() {
    let (_d, addr) = serve();
    // Without a choice, B is the first version listed (V1); asked for V2, it is V2.
    let (status, body) = get(addr, &format!("/versions/compare?b={}", fixture::V2));
    assert_eq!(status, 200);
    let b = body.split(r#"<select name="b">"#).nth(1).unwrap();
    assert!(
        b.contains(&format!(r#"value="{}" selected"#, fixture::V2)),
        "{body}"
    );
    assert!(
        !b.contains(&format!(r#"value="{}" selected"#, fixture::V1)),
        "{body}"
    );
    let (_, run) = get(addr, "/runs/1");
    assert!(run.contains(&format!(r#"href="/versions/compare?b={}""#, fixture::V1)));
}
