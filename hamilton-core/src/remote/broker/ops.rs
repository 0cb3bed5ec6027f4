//! The broker's requests, async, each one or two round trips to Redis.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use apalis::prelude::{TaskBuilder, TaskId};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::keys::{Keys, WORKERS_SUFFIX};
use super::{BrokerConfig, BrokerError, TaskEnd, redact};

/// Tasks pushed per script call.
const PUSH_CHUNK: usize = 1_000;

/// Removes the given ids still queued (active list or scheduled set) with their data and meta,
/// atomically with respect to `apalis-redis`'s fetch script; never touches in-flight sets.
/// KEYS: active, scheduled, data. ARGV: meta prefix, ids... Returns the ids removed.
static CANCEL: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local wanted = {}
for i = 2, #ARGV do wanted[ARGV[i]] = true end
local removed = {}
local function drop(id)
  if wanted[id] then
    wanted[id] = nil
    redis.call('hdel', KEYS[3], id)
    redis.call('del', ARGV[1] .. ':' .. id)
    removed[#removed + 1] = id
  end
end
local queued = redis.call('lrange', KEYS[1], 0, -1)
local keep = {}
for _, id in ipairs(queued) do
  if wanted[id] then drop(id) else keep[#keep + 1] = id end
end
if #keep < #queued then
  redis.call('del', KEYS[1])
  for i = 1, #keep, 1000 do
    redis.call('rpush', KEYS[1], unpack(keep, i, math.min(i + 999, #keep)))
  end
end
for i = 2, #ARGV do
  local id = ARGV[i]
  if wanted[id] and redis.call('zrem', KEYS[2], id) == 1 then drop(id) end
end
return removed
",
    )
});

/// Drops driver `ARGV[1]` from the drivers (`KEYS[1]`), with its task set (`KEYS[2]`), if its
/// lease still ends before `ARGV[2]`.
static DROP_LAPSED: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local ends = redis.call('zscore', KEYS[1], ARGV[1])
if ends and tonumber(ends) <= tonumber(ARGV[2]) then
  redis.call('zrem', KEYS[1], ARGV[1])
  redis.call('del', KEYS[2])
end
",
    )
});

/// A connection to one queue of the broker.
#[derive(Clone)]
pub(super) struct Ops {
    conn: ConnectionManager,
    pub(super) keys: Keys,
    /// The URL, password hidden, for messages.
    pub(super) url: String,
    response_timeout: Duration,
    orphan_window: Duration,
}

/// The Redis client of `config.url`.
pub(super) fn client(config: &BrokerConfig) -> Result<redis::Client, BrokerError> {
    redis::Client::open(config.url.as_str()).map_err(|e| BrokerError::InvalidUrl {
        url: redact(&config.url),
        reason: e.to_string(),
    })
}

/// How long connecting may take in all (the connection timeout, one retry, one request).
pub(super) fn connect_bound(config: &BrokerConfig) -> Duration {
    config.connect_timeout * 2 + config.response_timeout
}

impl Ops {
    /// Connects to the broker; every later request is bounded by `config.response_timeout`.
    pub(super) async fn connect(
        client: &redis::Client,
        config: &BrokerConfig,
    ) -> Result<Self, BrokerError> {
        let keys = Keys::new(config)?;
        let url = redact(&config.url);
        let manager = ConnectionManagerConfig::new()
            .set_response_timeout(Some(config.response_timeout))
            .set_connection_timeout(Some(config.connect_timeout))
            .set_number_of_retries(1);
        let bound = connect_bound(config);
        let conn =
            match tokio::time::timeout(bound, client.get_connection_manager_with_config(manager))
                .await
            {
                Ok(Ok(conn)) => conn,
                Ok(Err(e)) => {
                    return Err(BrokerError::Connect {
                        url,
                        source: Box::new(e),
                    });
                }
                Err(_) => {
                    return Err(BrokerError::Timeout {
                        url,
                        operation: "connecting".into(),
                        after: bound,
                    });
                }
            };
        Ok(Self {
            conn,
            keys,
            url,
            response_timeout: config.response_timeout,
            orphan_window: config.orphan_window(),
        })
    }

    /// The connection, shared (requests are multiplexed).
    pub(super) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// `e`, raised while doing `operation`, as a [`BrokerError`].
    pub(super) fn error(&self, operation: &str, e: redis::RedisError) -> BrokerError {
        if e.is_timeout() {
            BrokerError::Timeout {
                url: self.url.clone(),
                operation: operation.to_string(),
                after: self.response_timeout,
            }
        } else {
            BrokerError::Broker {
                url: self.url.clone(),
                operation: operation.to_string(),
                source: Box::new(e),
            }
        }
    }

    /// Queues `tasks` (id, payload) under their own ids; an id already known to the queue is
    /// left as it is.
    pub(super) async fn push(
        &self,
        tasks: Vec<(String, String)>,
        owner: &Owner,
    ) -> Result<(), BrokerError> {
        const OPERATION: &str = "pushing tasks";
        let mut conn = self.conn();
        // The owner's record first: a driver killed between the two leaves tasks it owns.
        let ids: Vec<&String> = tasks.iter().map(|(id, _)| id).collect();
        redis::pipe()
            .cmd("ZADD")
            .arg(self.keys.drivers())
            .arg(lease_end(owner.lease))
            .arg(&owner.id)
            .ignore()
            .cmd("SADD")
            .arg(self.keys.driver_tasks(&owner.id))
            .arg(&ids)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| self.error(OPERATION, e))?;
        let tasks: Vec<apalis_redis::RedisTask> = tasks
            .into_iter()
            .map(|(id, payload)| {
                // The workers decode the payload as a JSON string (apalis' JSON codec).
                let bytes = serde_json::Value::String(payload).to_string().into_bytes();
                TaskBuilder::new(bytes)
                    .task_id(TaskId::from_string(id))
                    .build()
            })
            .collect();
        for chunk in tasks.chunks(PUSH_CHUNK) {
            apalis_redis::queries::push_tasks(&mut conn, self.keys.apalis(), chunk)
                .await
                .map_err(|e| match e {
                    apalis_redis::Error::Database(e) => self.error(OPERATION, e),
                    other => BrokerError::Broker {
                        url: self.url.clone(),
                        operation: OPERATION.into(),
                        source: Box::new(other),
                    },
                })?;
        }
        Ok(())
    }

    /// The tasks of `pending` that have ended, with how: one round trip when none has, two
    /// when some have.
    pub(super) async fn sweep(
        &self,
        pending: &[String],
    ) -> Result<Vec<(String, TaskEnd)>, BrokerError> {
        const OPERATION: &str = "waiting for task results";
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn();
        let (done, dead): (Vec<bool>, Vec<bool>) = redis::pipe()
            .cmd("SMISMEMBER")
            .arg(self.keys.done())
            .arg(pending)
            .cmd("SMISMEMBER")
            .arg(self.keys.dead())
            .arg(pending)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error(OPERATION, e))?;
        let ended: Vec<&String> = pending
            .iter()
            .zip(done.iter().zip(&dead))
            .filter(|(_, (done, dead))| **done || **dead)
            .map(|(id, _)| id)
            .collect();
        if ended.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in &ended {
            pipe.cmd("HMGET")
                .arg(self.keys.meta(id))
                .arg("status")
                .arg("result");
        }
        let rows: Vec<(Option<String>, Option<String>)> = pipe
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error(OPERATION, e))?;
        Ok(ended
            .into_iter()
            .zip(rows)
            .map(|(id, (status, result))| (id.clone(), task_end(status, result)))
            .collect())
    }

    /// Removes the tasks of `ids` still queued; returns their ids.
    pub(super) async fn cancel(&self, ids: &[String]) -> Result<Vec<String>, BrokerError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn();
        CANCEL
            .key(self.keys.active())
            .key(self.keys.scheduled())
            .key(self.keys.data())
            .arg(self.keys.meta_prefix())
            .arg(ids)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.error("cancelling tasks", e))
    }

    /// Drops what the broker keeps of the ended tasks `ids`.
    pub(super) async fn forget(&self, ids: &[String], owner: &str) -> Result<(), BrokerError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let mut pipe = redis::pipe();
        pipe.cmd("SREM")
            .arg(self.keys.driver_tasks(owner))
            .arg(ids)
            .ignore();
        pipe.cmd("HDEL").arg(self.keys.data()).arg(ids).ignore();
        pipe.cmd("HDEL").arg(&self.keys.starts).arg(ids).ignore();
        for set in [self.keys.done(), self.keys.dead(), self.keys.failed()] {
            pipe.cmd("SREM").arg(set).arg(ids).ignore();
        }
        let metas: Vec<String> = ids.iter().map(|id| self.keys.meta(id)).collect();
        pipe.cmd("DEL").arg(metas).ignore();
        pipe.query_async::<()>(&mut conn)
            .await
            .map_err(|e| self.error("forgetting ended tasks", e))
    }

    /// How many workers of the queue beat within the orphan window.
    pub(super) async fn live_workers(&self) -> Result<usize, BrokerError> {
        let mut conn = self.conn();
        live_in(&mut conn, &self.keys.workers(), self.orphan_window)
            .await
            .map_err(|e| self.error("counting live workers", e))
    }

    /// The other `hamilton-*` queues with live workers, and how many.
    pub(super) async fn live_queues(&self) -> Result<Vec<(String, usize)>, BrokerError> {
        const OPERATION: &str = "looking for queues with live workers";
        let mut conn = self.conn();
        let own = self.keys.workers();
        let mut cursor = 0u64;
        let mut found = Vec::new();
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("hamilton-*{WORKERS_SUFFIX}"))
                .arg("COUNT")
                .arg(1_000)
                .arg("TYPE")
                .arg("zset")
                .query_async(&mut conn)
                .await
                .map_err(|e| self.error(OPERATION, e))?;
            for key in keys.into_iter().filter(|k| *k != own) {
                let live = live_in(&mut conn, &key, self.orphan_window)
                    .await
                    .map_err(|e| self.error(OPERATION, e))?;
                if live > 0 {
                    let queue = key.trim_end_matches(WORKERS_SUFFIX).to_string();
                    found.push((queue, live));
                }
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    /// Extends `owner`'s lease to `owner.lease` from now.
    pub(super) async fn renew(&self, owner: &Owner) -> Result<(), BrokerError> {
        let mut conn = self.conn();
        redis::cmd("ZADD")
            .arg(self.keys.drivers())
            .arg(lease_end(owner.lease))
            .arg(&owner.id)
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| self.error("renewing the driver's lease", e))
    }

    /// Removes what the drivers whose lease has lapsed (killed drivers) left: their queued
    /// tasks are taken back, the records of their ended tasks dropped; a task still running is
    /// left to end and removed by a later sweep. Returns how many tasks were removed.
    pub(super) async fn sweep_abandoned(&self) -> Result<usize, BrokerError> {
        const OPERATION: &str = "removing the tasks of drivers that are gone";
        let mut conn = self.conn();
        let lapsed: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(self.keys.drivers())
            .arg("-inf")
            .arg(lease_end(Duration::ZERO))
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error(OPERATION, e))?;
        let mut removed = 0;
        for owner in lapsed {
            let tasks = self.keys.driver_tasks(&owner);
            let ids: Vec<String> = redis::cmd("SMEMBERS")
                .arg(&tasks)
                .query_async(&mut conn)
                .await
                .map_err(|e| self.error(OPERATION, e))?;
            let cancelled = self.cancel(&ids).await?;
            let left: Vec<String> = ids
                .into_iter()
                .filter(|id| !cancelled.contains(id))
                .collect();
            let ended: Vec<String> = self
                .sweep(&left)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let running = left.len() - ended.len();
            let gone = [cancelled, ended].concat();
            self.forget(&gone, &owner).await?;
            removed += gone.len();
            if running == 0 {
                // Nothing of it is running: the driver is gone for good (unless it renewed its
                // lease in between, which the script checks).
                DROP_LAPSED
                    .key(self.keys.drivers())
                    .key(&tasks)
                    .arg(&owner)
                    .arg(lease_end(Duration::ZERO))
                    .invoke_async::<()>(&mut conn)
                    .await
                    .map_err(|e| self.error(OPERATION, e))?;
            }
        }
        Ok(removed)
    }

    /// Takes `worker` out of the queue's workers (it stopped and holds no task).
    pub(super) async fn deregister(&self, worker: &str) -> Result<(), BrokerError> {
        let mut conn = self.conn();
        redis::pipe()
            .cmd("ZREM")
            .arg(self.keys.workers())
            .arg(worker)
            .ignore()
            .cmd("DEL")
            .arg(self.keys.worker_metadata(worker))
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| self.error("stopping a worker", e))
    }

    /// Counts one more start of task `id`; returns the count, this start included.
    pub(super) async fn count_start(&self, id: &str) -> Result<u32, BrokerError> {
        let mut conn = self.conn();
        redis::cmd("HINCRBY")
            .arg(&self.keys.starts)
            .arg(id)
            .arg(1)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error("counting a task's starts", e))
    }
}

/// A driver's identity on the broker and how long its lease lasts.
#[derive(Clone, Debug)]
pub(super) struct Owner {
    pub(super) id: String,
    pub(super) lease: Duration,
}

/// When a lease of `lease` taken now ends, in Unix milliseconds.
fn lease_end(lease: Duration) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (now + lease).as_millis() as u64
}

/// The members of the workers set `key` that beat within `window`.
async fn live_in(
    conn: &mut ConnectionManager,
    key: &str,
    window: Duration,
) -> Result<usize, redis::RedisError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let since = now.saturating_sub(window.as_secs());
    redis::cmd("ZCOUNT")
        .arg(key)
        .arg(since)
        .arg("+inf")
        .query_async(conn)
        .await
}

/// The end of a task recorded as `status` with `result` (`apalis`' JSON of a
/// `Result<String, String>`).
fn task_end(status: Option<String>, result: Option<String>) -> TaskEnd {
    let parsed = result
        .as_deref()
        .and_then(|r| serde_json::from_str::<Result<String, String>>(r).ok());
    match (status.as_deref(), parsed) {
        (Some("Done"), Some(Ok(json))) => TaskEnd::Done(json),
        (Some("Killed"), Some(Err(reason))) => TaskEnd::Killed(
            reason
                .strip_prefix("AbortError: ")
                .unwrap_or(&reason)
                .to_string(),
        ),
        (None, _) => TaskEnd::Killed(
            "the broker has no record of the task any more (it was cancelled or forgotten \
             while awaited)"
                .into(),
        ),
        (Some(status), _) => TaskEnd::Killed(format!(
            "the broker recorded the task as `{status}` with result {}, which no worker of \
             this version writes",
            result.as_deref().unwrap_or("(none)")
        )),
    }
}
