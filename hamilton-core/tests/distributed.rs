//! Runs on worker processes through a real Redis server on 127.0.0.1: a driver in this process,
//! workers as child processes of this same test binary (started with `HAMILTON_TEST_WORKER`
//! set, they serve tasks instead of running tests). Results equal the sequential executor's;
//! a worker killed mid-run, a task that kills its worker every time, a broker stopped mid-run,
//! workers of another build and a value without an encoder each end as documented.

#[path = "common/redis.rs"]
mod redis;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hamilton_core::fanout::{Collect, Parallel};
use hamilton_core::hooks::{Hook, HookError, NodeContext, NodeOutcome};
use hamilton_core::introspect::TagFilter;
use hamilton_core::remote::{DirStore, Remote, RemoteError, Worker};
use hamilton_core::{BuildError, Cancel, Driver, Error, Inputs, Module, node};
use libtest_mimic::{Arguments, Failed, Trial};

use redis::RedisServer;

/// One item of the pipeline: its index among the items, and a random value.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Item {
    pub(crate) index: i64,
    pub(crate) value: u64,
}

hamilton_core::register_cache_type!(hamilton_core::cache::CacheType::serde::<Item>());

/// A fan-out pipeline over random items, with a node that fails or ends its process on a chosen
/// item, and a node outside the block that runs on a worker.
mod pipeline {
    use super::*;
    hamilton_core::module!();

    /// `n_items` random items from `seed` (splitmix64).
    #[node]
    pub(crate) fn items(n_items: &u64, seed: &u64) -> Parallel<Item> {
        let mut state = *seed;
        (0..*n_items as i64)
            .map(|index| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                Item {
                    index,
                    value: (z ^ (z >> 31)) % 10_000,
                }
            })
            .collect()
    }

    #[node]
    pub(crate) fn scaled(items: &Item, factor: &u64, delay_ms: &u64) -> u64 {
        std::thread::sleep(Duration::from_millis(*delay_ms));
        items.value * factor
    }

    /// Fails on item `fail_at`, ends its process on item `crash_at` (-1: never).
    #[node]
    pub(crate) fn checked(
        scaled: &u64,
        items: &Item,
        fail_at: &i64,
        crash_at: &i64,
    ) -> Result<u64, String> {
        if items.index == *crash_at {
            std::process::abort();
        }
        if items.index == *fail_at {
            return Err(format!("item {} is bad", items.index));
        }
        Ok(scaled + 1)
    }

    #[node]
    pub(crate) fn total(checked: &Collect<u64>) -> u64 {
        checked.iter().sum()
    }

    #[node]
    pub(crate) fn all(checked: Collect<u64>) -> Vec<u64> {
        checked.0
    }

    #[node(tag(runs_on = "worker"))]
    #[allow(clippy::ptr_arg, reason = "the node reads `all`, a `Vec<u64>`")]
    pub(crate) fn report(total: &u64, all: &Vec<u64>) -> String {
        format!("{} items, total {total}", all.len())
    }
}

/// One more node: a build of other code (another graph version).
mod extra {
    use super::*;
    hamilton_core::module!();

    #[node]
    pub(crate) fn doubled_total(total: &u64) -> u64 {
        total * 2
    }
}

/// A value type the cache has no encoder for, read inside a block from outside it.
mod unsendable {
    use super::*;
    hamilton_core::module!();

    pub(crate) struct Opaque(pub(crate) u64);

    #[node]
    pub(crate) fn opaque() -> Opaque {
        Opaque(7)
    }

    #[node]
    pub(crate) fn numbers(count: &u64) -> Parallel<u64> {
        (0..*count).collect()
    }

    #[node]
    pub(crate) fn plus_opaque(numbers: &u64, opaque: &Opaque) -> u64 {
        numbers + opaque.0
    }

    #[node]
    pub(crate) fn summed(plus_opaque: &Collect<u64>) -> u64 {
        plus_opaque.iter().sum()
    }
}

const HEARTBEAT: Duration = Duration::from_secs(1);
const MISSED: u32 = 3;

fn modules(other_build: bool) -> Vec<Module> {
    let mut modules = vec![pipeline::MODULE];
    if other_build {
        modules.push(extra::MODULE);
    }
    modules
}

/// A worker process of this test binary; killed when dropped.
struct WorkerProcess(Child);

impl WorkerProcess {
    fn start(url: &str, store: &Path, mode: &str, max_starts: u32) -> Self {
        let child = Command::new(std::env::current_exe().unwrap())
            .env("HAMILTON_TEST_WORKER", mode)
            .env("REDIS_URL", url)
            .env("STORE_DIR", store)
            .env("MAX_STARTS", max_starts.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the test binary starts as a worker");
        Self(child)
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A driver process of this test binary: starts a long run (20 items of 300 ms), to be killed.
fn driver_main() {
    let url = std::env::var("REDIS_URL").unwrap();
    let store = DirStore::new(std::env::var("STORE_DIR").unwrap()).unwrap();
    let remote = Remote::new(url, store)
        .heartbeat(HEARTBEAT, MISSED)
        .lease(Duration::from_millis(600));
    let dr = Driver::builder()
        .with_modules(modules(false))
        .with_executor(remote)
        .build()
        .unwrap();
    let _ = dr.execute(&OUTPUTS, inputs(20, 5, 300, -1, -1));
}

/// The worker's side: serve tasks until killed.
fn worker_main(mode: &str) {
    let url = std::env::var("REDIS_URL").unwrap();
    let store = DirStore::new(std::env::var("STORE_DIR").unwrap()).unwrap();
    let max_starts = std::env::var("MAX_STARTS").unwrap().parse().unwrap();
    let result = Worker::new(url, store)
        .with_modules(modules(mode == "other"))
        .heartbeat(HEARTBEAT, MISSED)
        .max_starts(max_starts)
        .concurrency(1)
        .run();
    if let Err(e) = result {
        eprintln!("worker failed: {e}");
        std::process::exit(1);
    }
}

/// A Redis server, a store directory and worker processes for one test.
struct Cluster {
    redis: RedisServer,
    store: PathBuf,
    _dir: tempfile::TempDir,
    workers: Vec<WorkerProcess>,
}

impl Cluster {
    fn start(workers: usize, mode: &str, max_starts: u32) -> Self {
        let redis = RedisServer::start().expect("redis-server is installed");
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        std::fs::create_dir_all(&store).unwrap();
        let workers = (0..workers)
            .map(|_| WorkerProcess::start(&redis.url, &store, mode, max_starts))
            .collect();
        Self {
            redis,
            store,
            _dir: dir,
            workers,
        }
    }

    fn remote(&self) -> Remote {
        Remote::new(self.redis.url.clone(), DirStore::new(&self.store).unwrap())
            .heartbeat(HEARTBEAT, MISSED)
            .nodes(TagFilter::new().is("runs_on", "worker"))
    }

    fn driver(&self, remote: Remote) -> Driver {
        Driver::builder()
            .with_modules(modules(false))
            .with_executor(remote)
            .build()
            .unwrap()
    }

    /// The runs' values left in the store (none once every run has ended).
    fn stored_runs(&self) -> usize {
        std::fs::read_dir(&self.store).unwrap().count()
    }

    /// How many keys of the broker match `pattern`.
    fn broker_keys(&self, pattern: &str) -> usize {
        let out = Command::new("redis-cli")
            .args([
                "-p",
                &self.redis.port.to_string(),
                "--scan",
                "--pattern",
                pattern,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .count()
    }
}

fn inputs(n: u64, seed: u64, delay_ms: u64, fail_at: i64, crash_at: i64) -> Inputs {
    Inputs::new()
        .set("n_items", n)
        .set("seed", seed)
        .set("factor", 3_u64)
        .set("delay_ms", delay_ms)
        .set("fail_at", fail_at)
        .set("crash_at", crash_at)
}

const OUTPUTS: [&str; 3] = ["total", "all", "report"];

/// The outputs as the sequential executor computes them.
fn sequential(inputs: Inputs) -> (u64, Vec<u64>, String) {
    let dr = Driver::builder()
        .with_modules(modules(false))
        .build()
        .unwrap();
    let out = dr.execute(&OUTPUTS, inputs).unwrap();
    values(&out)
}

fn values(out: &hamilton_core::Outputs) -> (u64, Vec<u64>, String) {
    (
        *out.get::<u64>("total").unwrap(),
        out.get::<Vec<u64>>("all").unwrap().clone(),
        out.get::<String>("report").unwrap().clone(),
    )
}

/// Every node run hooks saw: `(node, item, worker)`.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<NodeSeen>>>);

/// A node run a hook saw: its node, its item, its worker.
type NodeSeen = (String, Option<usize>, Option<String>);

impl Hook for Seen {
    fn after_node(&self, node: &NodeContext<'_>, _: &NodeOutcome<'_>) -> Result<(), HookError> {
        self.0.lock().unwrap().push((
            node.name.to_string(),
            node.item,
            node.worker.map(str::to_string),
        ));
        Ok(())
    }
}

fn ensure(cond: bool, what: impl FnOnce() -> String) -> Result<(), Failed> {
    if cond { Ok(()) } else { Err(what().into()) }
}

fn results_equal_the_sequential_executors_on_fixed_seed_pipelines() -> Result<(), Failed> {
    let cluster = Cluster::start(2, "main", 3);
    for (seed, per_task) in [(1_u64, 1_usize), (2, 3), (3, 1), (4, 5), (5, 2)] {
        let n = 1 + seed * 7 % 23;
        let seen = Seen::default();
        let dr = Driver::builder()
            .with_modules(modules(false))
            .with_executor(cluster.remote().items_per_task(per_task))
            .with_hook(seen.clone())
            .build()?;
        let out = dr.execute(&OUTPUTS, inputs(n, seed, 0, -1, -1))?;
        let expected = sequential(inputs(n, seed, 0, -1, -1));
        ensure(values(&out) == expected, || {
            format!("seed {seed}: {:?} != {expected:?}", values(&out))
        })?;
        let seen = seen.0.lock().unwrap();
        let checked: Vec<_> = seen
            .iter()
            .filter(|(name, _, _)| name == "checked")
            .collect();
        ensure(checked.len() == n as usize, || {
            format!("hooks saw `checked` {} times for {n} items", checked.len())
        })?;
        ensure(
            checked
                .iter()
                .all(|(_, item, worker)| item.is_some() && worker.is_some()),
            || format!("{checked:?}"),
        )?;
        let report = seen.iter().find(|(name, _, _)| name == "report");
        ensure(report.is_some_and(|(_, _, w)| w.is_some()), || {
            format!("`report` ran on no worker: {report:?}")
        })?;
        let total = seen.iter().find(|(name, _, _)| name == "total");
        ensure(total.is_some_and(|(_, _, w)| w.is_none()), || {
            format!("`total` should run in the driver: {total:?}")
        })?;
    }
    ensure(cluster.stored_runs() == 0, || {
        "runs left values in the store".into()
    })?;
    ensure(cluster.broker_keys("hamilton-*:meta:*") == 0, || {
        "runs left task metadata in the broker".into()
    })?;
    Ok(())
}

fn the_tracker_records_the_worker_of_each_remote_node_run() -> Result<(), Failed> {
    let cluster = Cluster::start(2, "main", 3);
    let db = cluster._dir.path().join("runs.sqlite");
    let tracker = hamilton_core::track::Tracker::open(&db)?;
    let dr = Driver::builder()
        .with_modules(modules(false))
        .with_executor(cluster.remote())
        .with_tracker(tracker.clone())
        .build()?;
    dr.execute(&OUTPUTS, inputs(5, 3, 0, -1, -1))?;
    tracker.flush();
    let conn = rusqlite::Connection::open(&db)?;
    let count =
        |sql: &str| -> Result<i64, rusqlite::Error> { conn.query_row(sql, [], |r| r.get(0)) };
    let remote = count(
        "SELECT count(*) FROM node_runs WHERE node = 'checked' AND item IS NOT NULL AND worker LIKE 'worker-%'",
    )?;
    ensure(remote == 5, || {
        format!("{remote} of 5 items of `checked` recorded with their worker")
    })?;
    let local = count("SELECT count(*) FROM node_runs WHERE node = 'total' AND worker = 'local'")?;
    ensure(local == 1, || {
        format!("`total` recorded {local} times as local")
    })?;
    Ok(())
}

fn a_node_error_names_the_node_the_item_and_the_worker_and_is_retried_only_when_asked()
-> Result<(), Failed> {
    let cluster = Cluster::start(2, "main", 3);
    let dr = cluster.driver(cluster.remote().items_per_task(2));
    let err = dr.execute(&OUTPUTS, inputs(9, 11, 0, 4, -1)).unwrap_err();
    let Error::FanOutItem {
        fan_out,
        item,
        source,
    } = &err
    else {
        return Err(format!("expected a fan-out item's failure, got {err:?}").into());
    };
    ensure(fan_out == "items" && *item == 4, || format!("{err}"))?;
    ensure(
        matches!(&**source, Error::NodeFailed { node, .. } if node == "checked"),
        || format!("{source:?}"),
    )?;
    let text = err.to_string();
    ensure(
        text.contains("item 4 is bad") && text.contains("on worker `"),
        || text.clone(),
    )?;
    ensure(!text.contains("attempts"), || {
        format!("retried without being asked: {text}")
    })?;

    let dr = cluster.driver(cluster.remote().retry("checked", 2));
    let text = dr
        .execute(&OUTPUTS, inputs(9, 11, 0, 4, -1))
        .unwrap_err()
        .to_string();
    ensure(text.contains("after 3 attempts"), || text.clone())?;
    ensure(cluster.stored_runs() == 0, || {
        "failed runs left values in the store".into()
    })?;
    ensure(cluster.broker_keys("hamilton-*:meta:*") == 0, || {
        "failed runs left tasks in the broker".into()
    })?;
    ensure(cluster.broker_keys("hamilton-*:active") == 0, || {
        "failed runs left queued tasks".into()
    })?;
    Ok(())
}

fn a_worker_killed_mid_run_hands_its_task_to_another_and_the_run_completes() -> Result<(), Failed> {
    let mut cluster = Cluster::start(2, "main", 3);
    let dr = cluster.driver(cluster.remote());
    let run = std::thread::spawn(move || {
        dr.execute(&OUTPUTS, inputs(6, 21, 600, -1, -1))
            .map(|out| values(&out))
    });
    // Both workers are busy with an item by now; one of them dies.
    std::thread::sleep(Duration::from_millis(900));
    cluster.workers[0].kill();
    let out = run.join().unwrap()?;
    ensure(out == sequential(inputs(6, 21, 0, -1, -1)), || {
        format!("{out:?}")
    })?;
    Ok(())
}

fn a_cancelled_run_takes_back_its_queued_tasks_and_returns_at_once() -> Result<(), Failed> {
    let cluster = Cluster::start(1, "main", 3);
    let dr = cluster.driver(cluster.remote());
    let cancel = Cancel::new();
    let stop = cancel.clone();
    // 20 items of 300 ms on one worker: 6 s if nothing stops it.
    let started = Instant::now();
    let run = std::thread::spawn(move || {
        dr.request(&OUTPUTS)
            .inputs(inputs(20, 5, 300, -1, -1))
            .cancel_with(&cancel)
            .execute()
    });
    std::thread::sleep(Duration::from_millis(700));
    stop.cancel();
    let err = run.join().unwrap().unwrap_err();
    let took = started.elapsed();
    ensure(
        matches!(&err, Error::Cancelled { node } if node == "scaled"),
        || format!("expected a cancelled run, got {err:?}"),
    )?;
    // The item running when it was cancelled ends (300 ms); the 17 or so still queued never start.
    ensure(took < Duration::from_secs(3), || {
        format!("the cancelled run took {took:?}")
    })?;
    ensure(cluster.broker_keys("hamilton-*:active") == 0, || {
        "the cancelled run left queued tasks".into()
    })?;
    ensure(cluster.broker_keys("hamilton-*:meta:*") == 0, || {
        "the cancelled run left task records in the broker".into()
    })?;
    ensure(cluster.stored_runs() == 0, || {
        "the cancelled run left values in the store".into()
    })?;
    Ok(())
}

fn a_driver_killed_mid_run_leaves_no_queued_task_and_its_records_go() -> Result<(), Failed> {
    let cluster = Cluster::start(1, "main", 3);
    let mut driver = WorkerProcess::start(&cluster.redis.url, &cluster.store, "driver", 3);
    // It has pushed its 20 tasks and the worker runs one (300 ms each) when it is killed.
    let pushed = Instant::now() + Duration::from_secs(10);
    while cluster.broker_keys("hamilton-*:active") == 0 && Instant::now() < pushed {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(400));
    driver.kill();
    ensure(cluster.broker_keys("hamilton-*:meta:*") > 5, || {
        "the killed driver had no tasks queued".into()
    })?;
    // Its lease (600 ms) lapses; a driver connecting then takes its queued tasks back at once.
    std::thread::sleep(Duration::from_millis(900));
    let _next = cluster.driver(cluster.remote());
    ensure(cluster.broker_keys("hamilton-*:active") == 0, || {
        "the killed driver's tasks are still queued".into()
    })?;
    // The task running when it died ends, and the worker's next sweep (every 10 s) drops it.
    let swept = Instant::now() + Duration::from_secs(15);
    while cluster.broker_keys("hamilton-*:meta:*") > 0 && Instant::now() < swept {
        std::thread::sleep(Duration::from_millis(100));
    }
    ensure(cluster.broker_keys("hamilton-*:meta:*") == 0, || {
        "the killed driver's task records stayed".into()
    })?;
    ensure(cluster.broker_keys("hamilton-*:drivers:*") == 0, || {
        "the killed driver's task set stayed".into()
    })?;
    Ok(())
}

fn a_task_that_kills_its_worker_every_time_fails_the_run_after_max_starts() -> Result<(), Failed> {
    let cluster = Cluster::start(3, "main", 2);
    let dr = cluster.driver(cluster.remote().max_starts(2));
    let err = dr.execute(&OUTPUTS, inputs(3, 5, 0, -1, 1)).unwrap_err();
    let text = err.to_string();
    ensure(
        matches!(err.remote(), Some(RemoteError::TaskFailed { .. })),
        || format!("{err:?}"),
    )?;
    ensure(
        text.contains("items of fan-out `items`") && text.contains("started"),
        || text.clone(),
    )?;
    Ok(())
}

fn a_broker_stopped_mid_run_is_a_typed_error_within_the_timeout() -> Result<(), Failed> {
    let mut cluster = Cluster::start(1, "main", 3);
    let dr = cluster.driver(cluster.remote());
    let run = std::thread::spawn(move || {
        let result = dr.execute(&OUTPUTS, inputs(20, 8, 300, -1, -1));
        (result.map(|_| ()), Instant::now())
    });
    std::thread::sleep(Duration::from_millis(800));
    let stopped = Instant::now();
    cluster.redis.stop();
    let (result, ended) = run.join().unwrap();
    let err = result.err().ok_or("the run went on without its broker")?;
    ensure(matches!(err.remote(), Some(RemoteError::Broker(_))), || {
        format!("{err:?}")
    })?;
    ensure(
        ended.duration_since(stopped) < Duration::from_secs(5),
        || format!("took {:?}", ended.duration_since(stopped)),
    )?;
    Ok(())
}

fn workers_built_from_other_code_are_refused_with_a_clear_error() -> Result<(), Failed> {
    let cluster = Cluster::start(1, "other", 3);
    // Give the worker time to register.
    std::thread::sleep(Duration::from_millis(1500));
    let dr = cluster.driver(cluster.remote().wait_for_workers(Duration::from_secs(2)));
    let err = dr.execute(&OUTPUTS, inputs(3, 1, 0, -1, -1)).unwrap_err();
    let Some(RemoteError::NoWorkers { elsewhere, .. }) = err.remote() else {
        return Err(format!("{err:?}").into());
    };
    ensure(elsewhere.len() == 1, || format!("{err}"))?;
    ensure(err.to_string().contains("other code"), || err.to_string())?;
    Ok(())
}

fn a_value_without_an_encoder_is_a_build_error_naming_the_node() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let err = Driver::builder()
        .with_modules([unsendable::MODULE])
        // Never reached: the check comes before connecting.
        .with_executor(Remote::new(
            "redis://127.0.0.1:1",
            DirStore::new(dir.path())?,
        ))
        .build()
        .err()
        .ok_or("built")?;
    let problems = err.build_errors();
    ensure(problems.len() == 1, || format!("{err}"))?;
    let BuildError::CannotCross { node, ty, .. } = &problems[0] else {
        return Err(format!("{err:?}").into());
    };
    ensure(node == "plus_opaque" && ty.contains("Opaque"), || {
        format!("{err}")
    })?;
    ensure(err.to_string().contains("register_cache_type!"), || {
        err.to_string()
    })?;
    Ok(())
}

fn main() {
    if let Ok(mode) = std::env::var("HAMILTON_TEST_WORKER") {
        match mode.as_str() {
            "driver" => driver_main(),
            _ => worker_main(&mode),
        }
        return;
    }
    let mut args = Arguments::from_args();
    // One at a time: each starts its own server and workers, and the fault tests time them.
    args.test_threads.get_or_insert(1);
    let needs_redis = |f: fn() -> Result<(), Failed>| {
        move || {
            if std::process::Command::new("redis-server")
                .arg("--version")
                .output()
                .is_err()
            {
                return Err(
                    "redis-server is not installed: `apt-get install -y redis-server`".into(),
                );
            }
            f()
        }
    };
    let tests = vec![
        Trial::test(
            "the_tracker_records_the_worker_of_each_remote_node_run",
            needs_redis(the_tracker_records_the_worker_of_each_remote_node_run),
        ),
        Trial::test(
            "results_equal_the_sequential_executors_on_fixed_seed_pipelines",
            needs_redis(results_equal_the_sequential_executors_on_fixed_seed_pipelines),
        ),
        Trial::test(
            "a_node_error_names_the_node_the_item_and_the_worker_and_is_retried_only_when_asked",
            needs_redis(
                a_node_error_names_the_node_the_item_and_the_worker_and_is_retried_only_when_asked,
            ),
        ),
        Trial::test(
            "a_worker_killed_mid_run_hands_its_task_to_another_and_the_run_completes",
            needs_redis(a_worker_killed_mid_run_hands_its_task_to_another_and_the_run_completes),
        ),
        Trial::test(
            "a_cancelled_run_takes_back_its_queued_tasks_and_returns_at_once",
            needs_redis(a_cancelled_run_takes_back_its_queued_tasks_and_returns_at_once),
        ),
        Trial::test(
            "a_driver_killed_mid_run_leaves_no_queued_task_and_its_records_go",
            needs_redis(a_driver_killed_mid_run_leaves_no_queued_task_and_its_records_go),
        ),
        Trial::test(
            "a_task_that_kills_its_worker_every_time_fails_the_run_after_max_starts",
            needs_redis(a_task_that_kills_its_worker_every_time_fails_the_run_after_max_starts),
        ),
        Trial::test(
            "a_broker_stopped_mid_run_is_a_typed_error_within_the_timeout",
            needs_redis(a_broker_stopped_mid_run_is_a_typed_error_within_the_timeout),
        ),
        Trial::test(
            "workers_built_from_other_code_are_refused_with_a_clear_error",
            needs_redis(workers_built_from_other_code_are_refused_with_a_clear_error),
        ),
        Trial::test(
            "a_value_without_an_encoder_is_a_build_error_naming_the_node",
            a_value_without_an_encoder_is_a_build_error_naming_the_node,
        ),
    ];
    libtest_mimic::run(&args, tests).exit();
}
