//! The distributed scenario: a real Redis server on 127.0.0.1 and two worker processes (this
//! binary again, `hamilton-bench distributed-worker`), against the local sequential executor:
//! 64 CPU-bound fan-out items of ~50 ms each; the round trip of an empty remote task; a 10 MB
//! frame sent to a worker and back.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hamilton_core::fanout::{Collect, Parallel};
use hamilton_core::introspect::TagFilter;
use hamilton_core::remote::{DirStore, Remote, Worker};
use hamilton_core::{Driver, Error, Inputs, Module, node};
use polars::prelude::*;
use serde_json::{Value, json};

use crate::measure::median;
use crate::parallel::{calibrate, hash_work};

/// The benchmark's dataflow: a CPU-bound fan-out, an empty node and a frame's round trip (both
/// tagged to run on a worker).
pub mod dataflow {
    use super::*;
    hamilton_core::module!();

    /// One item per task.
    #[node]
    pub fn tasks(n_tasks: &u64) -> Parallel<u64> {
        (0..*n_tasks).collect()
    }

    /// An item's CPU-bound work.
    #[node]
    pub fn burned(tasks: &u64, iterations: &u64) -> u64 {
        hash_work(*tasks, *iterations)
    }

    /// Every item's result, folded.
    #[node]
    pub fn all_burned(burned: &Collect<u64>) -> u64 {
        burned.iter().fold(0, |a, b| a ^ b)
    }

    /// An empty remote task.
    #[node(tag(runs_on = "worker"))]
    pub fn pong(ping: &u64) -> u64 {
        *ping
    }

    /// A frame sent to a worker and back.
    #[node(tag(runs_on = "worker"))]
    pub fn frame_back(frame: &DataFrame) -> DataFrame {
        frame.clone()
    }
}

fn modules() -> Vec<Module> {
    vec![dataflow::MODULE]
}

/// A process killed when dropped: the Redis server, or a worker.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn start_redis(port: u16) -> Result<Killed, String> {
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("cannot start redis-server ({e}): `apt-get install -y redis-server`")
        })?;
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("redis-server did not start within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Killed(child))
}

/// Runs a worker until killed (the `distributed-worker` subcommand).
pub fn worker(url: &str, store: &Path) -> Result<(), Error> {
    Worker::new(
        url,
        DirStore::new(store)
            .map_err(|e| Error::from(hamilton_core::remote::RemoteError::from(e)))?,
    )
    .with_modules(modules())
    .concurrency(1)
    .run()
}

fn time(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64()
}

/// Runs the scenario with `workers` worker processes; the JSON of its figures.
pub fn run(
    workers: usize,
    n_tasks: u64,
    task_ms: u64,
    items_per_task: usize,
    reps: usize,
    pings: usize,
) -> Result<Value, String> {
    let port = free_port();
    let _redis = start_redis(port)?;
    let url = format!("redis://127.0.0.1:{port}");
    let store: PathBuf =
        std::env::temp_dir().join(format!("hamilton-bench-distributed-{}", std::process::id()));
    std::fs::create_dir_all(&store).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let _workers: Vec<Killed> = (0..workers)
        .map(|_| {
            Command::new(&exe)
                .args(["distributed-worker", "--url", &url, "--store"])
                .arg(&store)
                .stdout(Stdio::null())
                .spawn()
                .map(Killed)
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let iterations = calibrate(Duration::from_millis(task_ms));
    let local = Driver::builder()
        .with_modules(modules())
        .build()
        .map_err(|e| e.to_string())?;
    let remote = Driver::builder()
        .with_modules(modules())
        .with_executor(
            Remote::new(
                url.clone(),
                DirStore::new(&store).map_err(|e| e.to_string())?,
            )
            .nodes(TagFilter::new().is("runs_on", "worker"))
            .items_per_task(items_per_task),
        )
        .build()
        .map_err(|e| e.to_string())?;
    let inputs = || {
        Inputs::new()
            .set("n_tasks", n_tasks)
            .set("iterations", iterations)
    };
    // Warm-up: the workers have started and planned the request.
    remote
        .execute(&["all_burned"], inputs())
        .map_err(|e| e.to_string())?;
    let (mut local_s, mut remote_s) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        local_s.push(time(|| {
            local.execute(&["all_burned"], inputs()).unwrap();
        }));
        remote_s.push(time(|| {
            remote.execute(&["all_burned"], inputs()).unwrap();
        }));
    }
    let ping_s: Vec<f64> = (0..pings)
        .map(|i| {
            time(|| {
                remote
                    .execute(&["pong"], Inputs::new().set("ping", i as u64))
                    .unwrap();
            })
        })
        .collect();
    let rows = 10 * 1024 * 1024 / 8;
    let frame = df!("x" => (0..rows as i64).map(|i| i as f64).collect::<Vec<f64>>())
        .map_err(|e| e.to_string())?;
    let frame_s: Vec<f64> = (0..reps.max(5))
        .map(|_| {
            time(|| {
                let out = remote
                    .execute(&["frame_back"], Inputs::new().set("frame", frame.clone()))
                    .unwrap();
                assert_eq!(out.get::<DataFrame>("frame_back").unwrap().height(), rows);
            })
        })
        .collect();
    let _ = std::fs::remove_dir_all(&store);
    let (l, r) = (median(&local_s), median(&remote_s));
    Ok(json!({
        "scenario": "distributed",
        "workers": workers,
        "tasks": n_tasks,
        "task_ms": task_ms,
        "items_per_task": items_per_task,
        "local_sequential_median_s": l,
        "remote_median_s": r,
        "speedup": l / r,
        "empty_task_round_trip_median_ms": 1e3 * median(&ping_s),
        "frame_10mb_round_trip_median_ms": 1e3 * median(&frame_s),
        "reps": reps,
        "pings": pings,
    }))
}
