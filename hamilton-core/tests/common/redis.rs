//! A throwaway `redis-server` for tests: on 127.0.0.1, a free port, no persistence, killed on
//! drop. The broker's unit tests include this file; an integration test takes it with
//! `#[path = "common/redis.rs"] mod redis_server;`.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server` child process.
pub(crate) struct RedisServer {
    child: Child,
    /// Its port on 127.0.0.1.
    pub(crate) port: u16,
    /// `redis://127.0.0.1:{port}`.
    pub(crate) url: String,
}

impl RedisServer {
    /// Starts a server, or prints a note and answers `None` when `redis-server` is not
    /// installed (the caller then skips its test).
    pub(crate) fn start() -> Option<Self> {
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            let spawned = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match spawned {
                Ok(child) => child,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    eprintln!("note: `redis-server` is not installed; skipping this test");
                    return None;
                }
                Err(e) => panic!("cannot start redis-server: {e}"),
            };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!("redis-server on port {port} exited: {status}");
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Self {
                        child,
                        port,
                        url: format!("redis://127.0.0.1:{port}"),
                    });
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not start: {last_error}");
    }

    /// Kills the server (a stopped broker).
    pub(crate) fn stop(&mut self) {
        if self.child.try_wait().is_ok_and(|status| status.is_none()) {
            self.resume();
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Freezes the server with SIGSTOP (a hung broker: connections stay open, nothing answers).
    pub(crate) fn pause(&self) {
        self.signal("-STOP");
    }

    /// Thaws a server frozen by [`pause`](Self::pause).
    pub(crate) fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("the loopback interface has a free port")
}
