//! The broker against a real `redis-server` (each test starts its own; skipped with a note when
//! none is installed).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use redis::Commands;

use super::test_redis::RedisServer;
use super::{Broker, BrokerConfig, BrokerError, Handler, TaskEnd, redact, serve};

const QUEUE: &str = "hamilton-0123456789abcdef";

/// Why a test fails on a machine without Redis (it never skips).
const NO_REDIS: &str =
    "these tests start `redis-server` on 127.0.0.1: `apt-get install -y redis-server`";

fn config(redis: &RedisServer) -> BrokerConfig {
    BrokerConfig::new(&redis.url, QUEUE)
}

/// A blocking connection to `redis`, for looking at the keys.
fn connection(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url.as_str())
        .and_then(|c| c.get_connection())
        .expect("the test server accepts connections")
}

/// A worker serving `config` on a thread of its own; stopped (and joined) on drop.
struct Serving {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), BrokerError>>>,
}

impl Serving {
    fn start(config: &BrokerConfig, handler: Handler) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (config, stop_) = (config.clone(), stop.clone());
        let thread = std::thread::spawn(move || serve(&config, "test", 2, handler, stop_));
        Self {
            stop,
            thread: Some(thread),
        }
    }

    fn stop(&mut self) -> Result<(), BrokerError> {
        self.stop.store(true, Ordering::SeqCst);
        match self.thread.take() {
            Some(thread) => thread.join().expect("serve does not panic"),
            None => Ok(()),
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A handler answering `{"echo": payload}`, counting its calls.
fn echo(calls: &Arc<AtomicUsize>) -> Handler {
    let calls = calls.clone();
    Arc::new(move |start| {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(format!(
            r#"{{"echo":{},"starts":{}}}"#,
            start.payload, start.starts
        ))
    })
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("run1-node{i}")).collect()
}

fn tasks(ids: &[String]) -> Vec<(String, String)> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), format!(r#"{{"n":{i}}}"#)))
        .collect()
}

/// Waits until every task of `ids` has ended (at most 30 s in all).
fn wait_all(broker: &Broker, ids: &[String]) -> BTreeMap<String, TaskEnd> {
    let mut ended = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ended.len() < ids.len() && Instant::now() < deadline {
        let pending: Vec<String> = ids
            .iter()
            .filter(|id| !ended.contains_key(*id))
            .cloned()
            .collect();
        for (id, end) in broker.wait(&pending, Duration::from_secs(1), None).unwrap() {
            ended.insert(id, end);
        }
    }
    ended
}

/// Polls `f` until it holds (at most 10 s); answers whether it did.
fn eventually(mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn pushed_tasks_end_done_with_the_handlers_json() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    let ids = ids(3);
    broker.push(tasks(&ids)).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let _worker = Serving::start(&config, echo(&calls));
    let ended = wait_all(&broker, &ids);
    assert_eq!(
        ended.get("run1-node2"),
        Some(&TaskEnd::Done(r#"{"echo":{"n":2},"starts":1}"#.into()))
    );
    assert_eq!(ended.len(), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn a_handler_error_ends_the_task_killed_with_its_reason_and_is_not_retried() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let calls_ = calls.clone();
    let failing: Handler = Arc::new(move |_| {
        calls_.fetch_add(1, Ordering::SeqCst);
        Err("node `b` failed: division by zero".into())
    });
    let _worker = Serving::start(&config, failing);
    let ids = ids(1);
    broker.push(tasks(&ids)).unwrap();
    let ended = wait_all(&broker, &ids);
    assert_eq!(
        ended.get("run1-node0"),
        Some(&TaskEnd::Killed("node `b` failed: division by zero".into()))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let mut conn = connection(&redis);
    let scheduled: Option<f64> = conn
        .zscore(format!("{QUEUE}:scheduled"), "run1-node0")
        .unwrap();
    assert_eq!(scheduled, None, "a killed task is not scheduled again");
    let queued: usize = conn.llen(format!("{QUEUE}:active")).unwrap();
    assert_eq!(queued, 0);
}

#[test]
fn a_handler_panic_ends_the_task_killed_with_the_panic_message() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    let panicking: Handler = Arc::new(|_| panic!("boom"));
    let _worker = Serving::start(&config, panicking);
    let ids = ids(2);
    broker.push(tasks(&ids)).unwrap();
    let ended = wait_all(&broker, &ids);
    assert_eq!(
        ended.get("run1-node1"),
        Some(&TaskEnd::Killed("the task's handler panicked: boom".into()))
    );
    assert_eq!(ended.len(), 2, "the worker goes on after a panic");
}

#[test]
fn a_task_started_more_than_max_starts_times_is_killed_without_running() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    // Three earlier starts whose worker ended each time.
    let mut conn = connection(&redis);
    let _: () = conn
        .hset(format!("{QUEUE}:starts"), "run1-node0", 3)
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let _worker = Serving::start(&config, echo(&calls));
    let ids = ids(1);
    broker.push(tasks(&ids)).unwrap();
    let ended = wait_all(&broker, &ids);
    match ended.get("run1-node0") {
        Some(TaskEnd::Killed(reason)) => {
            assert!(
                reason.contains("started 3 times and its worker ended each time"),
                "{reason}"
            );
        }
        other => panic!("expected Killed, got {other:?}"),
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_started_task_sees_how_often_it_was_started() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    // One earlier start whose worker ended.
    let mut conn = connection(&redis);
    let _: () = conn
        .hset(format!("{QUEUE}:starts"), "run1-node0", 1)
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let _worker = Serving::start(&config, echo(&calls));
    let ids = ids(1);
    broker.push(tasks(&ids)).unwrap();
    let ended = wait_all(&broker, &ids);
    assert_eq!(
        ended.get("run1-node0"),
        Some(&TaskEnd::Done(r#"{"echo":{"n":0},"starts":2}"#.into()))
    );
}

/// The environment variable that makes [`worker_process`] serve: the broker's URL.
const WORKER_URL: &str = "HAMILTON_TEST_WORKER_URL";
/// The worker process's `max_starts`.
const WORKER_MAX_STARTS: &str = "HAMILTON_TEST_WORKER_MAX_STARTS";

/// Not a test of its own: the worker process of the tests with dying workers (this test binary,
/// run with this test's name). Its handler ends the process on a task's first start (as a
/// crash would) and answers `{"pid":..,"starts":..}` on later ones.
#[test]
#[ignore]
fn worker_process() {
    let Ok(url) = std::env::var(WORKER_URL) else {
        return;
    };
    let mut config = BrokerConfig::new(url, QUEUE);
    config.max_starts = std::env::var(WORKER_MAX_STARTS)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(config.max_starts);
    let handler: Handler = Arc::new(|start| {
        if start.starts == 1 {
            std::process::abort();
        }
        Ok(format!(
            r#"{{"pid":{},"starts":{}}}"#,
            std::process::id(),
            start.starts
        ))
    });
    let never = Arc::new(AtomicBool::new(false));
    serve(&config, "child", 1, handler, never).unwrap();
}

/// A worker process (see [`worker_process`]), killed on drop.
struct WorkerProcess(std::process::Child);

impl WorkerProcess {
    fn start(url: &str, max_starts: u32) -> Self {
        let exe = std::env::current_exe().unwrap();
        let child = std::process::Command::new(exe)
            .args(["--exact", "remote::broker::tests::worker_process"])
            .args(["--ignored", "--test-threads=1"])
            .env(WORKER_URL, url)
            .env(WORKER_MAX_STARTS, max_starts.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Self(child)
    }

    fn exited(&mut self) -> bool {
        !matches!(self.0.try_wait(), Ok(None))
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Pushes one task to worker processes that end on its first start, starting a new worker
/// process whenever the last one ended; answers how the task ended and how many processes
/// ended.
fn run_with_dying_workers(max_starts: u32) -> (TaskEnd, usize) {
    let redis = RedisServer::start().expect(NO_REDIS);
    let broker = Broker::connect(&config(&redis)).unwrap();
    let ids = ids(1);
    broker.push(tasks(&ids)).unwrap();
    let mut worker = WorkerProcess::start(&redis.url, max_starts);
    let mut deaths = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if worker.exited() {
            deaths += 1;
            worker = WorkerProcess::start(&redis.url, max_starts);
        }
        if let Some((_, end)) = broker
            .wait(&ids, Duration::from_millis(100), None)
            .unwrap()
            .pop()
        {
            return (end, deaths);
        }
    }
    panic!("the task did not end within 60 s");
}

#[test]
fn the_task_of_a_dead_worker_runs_again_and_counts_its_starts() {
    let (end, deaths) = run_with_dying_workers(3);
    assert_eq!(deaths, 1);
    match end {
        TaskEnd::Done(json) => assert!(json.ends_with(r#","starts":2}"#), "{json}"),
        other => panic!("expected Done, got {other:?}"),
    }
}

#[test]
fn a_task_whose_worker_dies_more_often_than_max_starts_is_killed() {
    let (end, deaths) = run_with_dying_workers(1);
    assert_eq!(deaths, 1);
    match end {
        TaskEnd::Killed(reason) => assert!(
            reason.contains("started 1 times and its worker ended each time"),
            "{reason}"
        ),
        other => panic!("expected Killed, got {other:?}"),
    }
}

#[test]
fn cancel_removes_the_queued_tasks_and_their_records() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    let ids = ids(5);
    broker.push(tasks(&ids)).unwrap();
    let mut conn = connection(&redis);
    // Move two of them from the scheduled set to the active list, as a worker's fetch does.
    let _: () = conn.zrem(format!("{QUEUE}:scheduled"), &ids[..2]).unwrap();
    let _: () = conn.rpush(format!("{QUEUE}:active"), &ids[..2]).unwrap();
    let _: () = conn.rpush(format!("{QUEUE}:active"), "other-task").unwrap();

    assert_eq!(broker.cancel(&ids[..4]).unwrap().len(), 4);

    let active: Vec<String> = conn.lrange(format!("{QUEUE}:active"), 0, -1).unwrap();
    assert_eq!(active, ["other-task"]);
    let scheduled: Vec<String> = conn.zrange(format!("{QUEUE}:scheduled"), 0, -1).unwrap();
    assert_eq!(scheduled, [ids[4].clone()]);
    let data: Vec<String> = conn.hkeys(format!("{QUEUE}:data")).unwrap();
    assert_eq!(data, [ids[4].clone()]);
    let metas: Vec<String> = conn.keys(format!("{QUEUE}:meta:*")).unwrap();
    assert_eq!(metas, [format!("{QUEUE}:meta:{}", ids[4])]);
    // Nothing is left to remove a second time.
    assert_eq!(broker.cancel(&ids).unwrap().len(), 1);
    let queued: usize = conn.llen(format!("{QUEUE}:active")).unwrap();
    assert_eq!(queued, 1, "only the other task is left");
}

#[test]
fn forget_leaves_nothing_of_the_ended_tasks() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let mut worker = Serving::start(&config, echo(&calls));
    let ids = ids(3);
    broker.push(tasks(&ids)).unwrap();
    assert_eq!(wait_all(&broker, &ids).len(), 3);
    worker.stop().unwrap();

    broker.forget(&ids).unwrap();

    let mut conn = connection(&redis);
    let metas: Vec<String> = conn.keys(format!("{QUEUE}:meta:*")).unwrap();
    assert_eq!(metas, Vec::<String>::new());
    for key in ["data", "starts"] {
        let fields: Vec<String> = conn.hkeys(format!("{QUEUE}:{key}")).unwrap();
        assert_eq!(fields, Vec::<String>::new(), "{key}");
    }
    for key in ["done", "dead"] {
        let members: Vec<String> = conn.smembers(format!("{QUEUE}:{key}")).unwrap();
        assert_eq!(members, Vec::<String>::new(), "{key}");
    }
}

/// Every key of the queue whose name contains `part`.
fn keys_with(conn: &mut redis::Connection, part: &str) -> Vec<String> {
    let mut keys: Vec<String> = conn.keys(format!("{QUEUE}:*")).unwrap();
    keys.retain(|k| k.contains(part));
    keys.sort();
    keys
}

/// The records tasks leave: payloads, start counts, per-task metadata, done and dead sets, the
/// queue itself.
fn task_records(conn: &mut redis::Connection) -> Vec<String> {
    let mut left = keys_with(conn, ":meta:");
    for key in ["data", "starts"] {
        let fields: Vec<String> = conn.hkeys(format!("{QUEUE}:{key}")).unwrap();
        left.extend(fields.into_iter().map(|f| format!("{key}:{f}")));
    }
    for key in ["done", "dead"] {
        let members: Vec<String> = conn.smembers(format!("{QUEUE}:{key}")).unwrap();
        left.extend(members.into_iter().map(|m| format!("{key}:{m}")));
    }
    let queued: Vec<String> = conn.lrange(format!("{QUEUE}:active"), 0, -1).unwrap();
    left.extend(queued.into_iter().map(|q| format!("active:{q}")));
    let scheduled: Vec<String> = conn.zrange(format!("{QUEUE}:scheduled"), 0, -1).unwrap();
    left.extend(scheduled.into_iter().map(|q| format!("scheduled:{q}")));
    left
}

#[test]
fn what_a_killed_driver_left_is_removed_by_the_next_driver_once_its_lease_lapsed() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let mut config = config(&redis);
    config.driver_lease = Duration::from_secs(1);
    let killed = Broker::connect(&config).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let mut worker = Serving::start(&config, echo(&calls));
    // Two tasks ended, three still queued (no worker left), none forgotten.
    let ended = ids(2);
    killed.push(tasks(&ended)).unwrap();
    assert_eq!(wait_all(&killed, &ended).len(), 2);
    worker.stop().unwrap();
    let queued: Vec<String> = (0..3).map(|i| format!("run2-node{i}")).collect();
    killed.push(tasks(&queued)).unwrap();
    // Killed: it runs no more code, so its lease is no longer renewed.
    drop(killed);
    let mut conn = connection(&redis);
    assert!(task_records(&mut conn).len() >= 5 + 2 + 3);

    // Within its lease, the next driver leaves its tasks alone.
    let next = Broker::connect(&config).unwrap();
    assert!(
        task_records(&mut conn).len() >= 10,
        "{:?}",
        task_records(&mut conn)
    );
    drop(next);

    std::thread::sleep(Duration::from_millis(1_200));
    let _next = Broker::connect(&config).unwrap();
    assert_eq!(task_records(&mut conn), Vec::<String>::new());
    // Of the killed driver nothing is left; the new one holds a lease with no tasks.
    let drivers: Vec<String> = conn.zrange(format!("{QUEUE}:drivers"), 0, -1).unwrap();
    assert_eq!(drivers.len(), 1, "{drivers:?}");
    assert_eq!(keys_with(&mut conn, ":drivers:"), Vec::<String>::new());
}

#[test]
fn workers_take_back_the_queued_tasks_of_a_killed_driver_without_running_them() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let mut config = config(&redis);
    config.driver_lease = Duration::from_millis(500);
    config.sweep_every = Duration::from_millis(200);
    // A worker running two tasks at once, each for 2 s: the three pushed after them wait.
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let slow: Handler = Arc::new(move |start| {
        counted.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(2));
        Ok(format!(r#"{{"echo":{}}}"#, start.payload))
    });
    let _worker = Serving::start(&config, slow);
    let killed = Broker::connect(&config).unwrap();
    let running = ids(2);
    killed.push(tasks(&running)).unwrap();
    let mut conn = connection(&redis);
    assert!(
        eventually(|| calls.load(Ordering::SeqCst) == 2),
        "both running"
    );
    let queued: Vec<String> = (0..3).map(|i| format!("run2-node{i}")).collect();
    killed.push(tasks(&queued)).unwrap();
    drop(killed);

    // With no driver connecting again, the worker's own sweeps remove everything once the
    // lease has lapsed: the queued tasks before they run, the two others once they ended.
    assert!(
        eventually(|| task_records(&mut conn).is_empty()),
        "left: {:?}",
        task_records(&mut conn)
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "a queued task of the killed driver ran"
    );
    let drivers: Vec<String> = conn.zrange(format!("{QUEUE}:drivers"), 0, -1).unwrap();
    assert_eq!(drivers, Vec::<String>::new());
    assert_eq!(keys_with(&mut conn, ":drivers:"), Vec::<String>::new());
}

#[test]
fn a_live_driver_keeps_its_tasks_past_its_lease_by_renewing_it() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let mut config = config(&redis);
    config.driver_lease = Duration::from_millis(600);
    let live = Broker::connect(&config).unwrap();
    let queued = ids(3);
    live.push(tasks(&queued)).unwrap();
    std::thread::sleep(Duration::from_millis(1_500));
    let _other = Broker::connect(&config).unwrap();
    let mut conn = connection(&redis);
    let scheduled: Vec<String> = conn.zrange(format!("{QUEUE}:scheduled"), 0, -1).unwrap();
    let active: Vec<String> = conn.lrange(format!("{QUEUE}:active"), 0, -1).unwrap();
    assert_eq!(scheduled.len() + active.len(), 3);
    // Its own tasks, once forgotten, leave nothing.
    assert_eq!(live.cancel(&queued).unwrap().len(), 3);
    live.forget(&queued).unwrap();
    assert_eq!(task_records(&mut conn), Vec::<String>::new());
    assert_eq!(keys_with(&mut conn, ":drivers:"), Vec::<String>::new());
}

#[test]
fn the_broker_works_and_drops_inside_a_tokio_runtime() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let calls = Arc::new(AtomicUsize::new(0));
    let _worker = Serving::start(&config, echo(&calls));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ended = runtime.block_on(async {
        let broker = Broker::connect(&config).unwrap();
        let ids = ids(1);
        broker.push(tasks(&ids)).unwrap();
        wait_all(&broker, &ids)
        // The broker is dropped here, inside the runtime.
    });
    assert_eq!(
        ended.get("run1-node0"),
        Some(&TaskEnd::Done(r#"{"echo":{"n":0},"starts":1}"#.into()))
    );
}

#[test]
fn wait_answers_nothing_when_no_task_ends_in_time() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let broker = Broker::connect(&config(&redis)).unwrap();
    let ids = ids(2);
    broker.push(tasks(&ids)).unwrap();
    assert_eq!(
        broker.wait(&ids, Duration::from_millis(50), None).unwrap(),
        Vec::new()
    );
}

#[test]
fn a_killed_broker_is_an_error_not_a_hang() {
    let mut redis = RedisServer::start().expect(NO_REDIS);
    let broker = Broker::connect(&config(&redis)).unwrap();
    let ids = ids(1);
    redis.stop();
    let started = Instant::now();
    let pushed = broker.push(tasks(&ids));
    assert!(
        matches!(
            pushed,
            Err(BrokerError::Broker { .. } | BrokerError::Timeout { .. })
        ),
        "{pushed:?}"
    );
    let waited = broker.wait(&ids, Duration::from_secs(1), None);
    let err = waited.expect_err("the broker is gone");
    let message = err.to_string();
    assert!(
        message.contains(&redis.url) && message.contains("waiting for task results"),
        "the message names the broker and what failed: {message}"
    );
    eprintln!("{message}");
    eprintln!(
        "killed broker: push + wait errors after {:?}",
        started.elapsed()
    );
}

#[test]
fn a_hung_broker_is_an_error_not_a_hang() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let broker = Broker::connect(&config(&redis)).unwrap();
    let ids = ids(1);
    redis.pause();
    let started = Instant::now();
    let waited = broker.wait(&ids, Duration::from_millis(100), None);
    let pushed = broker.push(tasks(&ids));
    let elapsed = started.elapsed();
    redis.resume();
    for result in [waited.map(|_| ()), pushed] {
        assert!(
            matches!(
                result,
                Err(BrokerError::Timeout { .. } | BrokerError::Broker { .. })
            ),
            "{result:?}"
        );
    }
    eprintln!("hung broker: wait + push errors after {elapsed:?}");
}

#[test]
fn connecting_to_no_broker_is_a_connect_error() {
    let mut redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    redis.stop();
    match Broker::connect(&config) {
        Err(BrokerError::Connect { url, .. } | BrokerError::Timeout { url, .. }) => {
            assert_eq!(url, redis.url)
        }
        Err(other) => panic!("expected a connect error, got {other}"),
        Ok(_) => panic!("connected to a stopped server"),
    }
}

#[test]
fn an_unusable_url_or_queue_is_refused_before_connecting() {
    let bad_url = BrokerConfig::new("http://127.0.0.1:6379", QUEUE);
    assert!(matches!(
        Broker::connect(&bad_url),
        Err(BrokerError::InvalidUrl { .. })
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let handler: Handler = Arc::new(|_| Ok("null".into()));
    assert!(matches!(
        serve(&bad_url, "test", 1, handler.clone(), stop.clone()),
        Err(BrokerError::InvalidUrl { .. })
    ));
    let bad_queue = BrokerConfig::new("redis://127.0.0.1:1", "hamilton:x");
    match serve(&bad_queue, "test", 1, handler, stop) {
        Err(e @ BrokerError::InvalidQueue { .. }) => {
            assert!(e.to_string().contains("contains `:`"), "{e}")
        }
        other => panic!("expected InvalidQueue, got {other:?}"),
    }
}

#[test]
fn live_workers_counts_a_serving_worker_and_none_once_it_stopped() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    assert_eq!(broker.live_workers().unwrap(), 0);
    let calls = Arc::new(AtomicUsize::new(0));
    let mut worker = Serving::start(&config, echo(&calls));
    assert!(eventually(|| broker.live_workers().unwrap() == 1));
    worker.stop().unwrap();
    assert_eq!(broker.live_workers().unwrap(), 0);
}

#[test]
fn live_queues_names_other_builds_with_live_workers() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let ours = config(&redis);
    let theirs = BrokerConfig::new(&redis.url, "hamilton-ffffffffffffffff");
    let broker = Broker::connect(&ours).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let _ours = Serving::start(&ours, echo(&calls));
    let _theirs = Serving::start(&theirs, echo(&calls));
    assert!(eventually(|| broker.live_workers().unwrap() == 1));
    assert!(eventually(|| {
        broker.live_queues().unwrap() == [("hamilton-ffffffffffffffff".to_string(), 1)]
    }));
}

#[test]
fn a_worker_goes_on_after_its_broker_comes_back() {
    let mut redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let calls = Arc::new(AtomicUsize::new(0));
    let mut worker = Serving::start(&config, echo(&calls));
    let broker = Broker::connect(&config).unwrap();
    assert!(eventually(|| broker.live_workers().unwrap() == 1));
    redis.pause();
    std::thread::sleep(Duration::from_millis(1_500));
    redis.resume();
    let ids = ids(1);
    broker.push(tasks(&ids)).unwrap();
    assert_eq!(wait_all(&broker, &ids).len(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    worker.stop().unwrap();
    redis.stop();
}

#[test]
fn passwords_are_hidden_in_urls() {
    assert_eq!(
        redact("redis://user:secret@host:6379/0"),
        "redis://user:***@host:6379/0"
    );
    assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
}

/// Not a check: the round trip of 100 empty tasks, one after the other (run with
/// `--ignored --nocapture`).
#[test]
#[ignore]
fn round_trip_of_empty_tasks() {
    let redis = RedisServer::start().expect(NO_REDIS);
    let config = config(&redis);
    let broker = Broker::connect(&config).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let _worker = Serving::start(&config, echo(&calls));
    assert!(eventually(|| broker.live_workers().unwrap() == 1));
    let mut times = Vec::new();
    for i in 0..100 {
        let id = vec![format!("rt-{i}")];
        let started = Instant::now();
        broker.push(tasks(&id)).unwrap();
        assert_eq!(wait_all(&broker, &id).len(), 1);
        times.push(started.elapsed());
    }
    times.sort();
    eprintln!(
        "empty-task round trip over 100: median {:?}, p90 {:?}, max {:?}",
        times[50], times[90], times[99]
    );
    let ids: Vec<String> = (0..1_000).map(|i| format!("fan-{i}")).collect();
    let started = Instant::now();
    broker.push(tasks(&ids)).unwrap();
    assert_eq!(wait_all(&broker, &ids).len(), 1_000);
    eprintln!("1000 empty tasks, 1 worker x 2: {:?}", started.elapsed());
}
