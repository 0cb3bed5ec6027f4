//! The `hamilton-ui` binary as a user runs it: serving, writing a report, and refusing a wrong
//! database or a taken address with a message.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hamilton_core::track::Tracker;
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

const BIN: &str = env!("CARGO_BIN_EXE_hamilton-ui");

/// A database with one tracked run of `b = a + 1`.
fn recorded(dir: &Path) -> PathBuf {
    let file = dir.join("runs.sqlite");
    let tracker = Tracker::open(&file).unwrap();
    let dr = Driver::builder()
        .with_nodes([Node::builder("b")
            .param::<i64>("a")
            .build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
        .with_tracker(tracker.clone())
        .build()
        .unwrap();
    dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
    tracker.flush();
    file
}

#[test]
fn it_serves_the_runs_on_the_address_it_prints() {
    let dir = tempfile::tempdir().unwrap();
    let db = recorded(dir.path());
    let mut child = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains(r#"data-run="1""#), "{page}");
}

#[test]
fn it_writes_a_runs_report_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = recorded(dir.path());
    let out = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "--report", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<details id="node-b" open>"#), "{page}");
}

#[test]
fn a_missing_database_or_run_fails_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.sqlite");
    let out = Command::new(BIN)
        .args(["--db", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no tracker database at") && err.contains("nothing.sqlite"),
        "{err}"
    );

    let db = recorded(dir.path());
    let out = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "--report", "7"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run 7"));
}

#[test]
fn a_taken_address_fails_with_a_message_saying_how_to_pick_another() {
    let dir = tempfile::tempdir().unwrap();
    let db = recorded(dir.path());
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "--addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot serve the UI on {addr}")),
        "{err}"
    );
    assert!(err.contains("pick a free port"), "{err}");
}
