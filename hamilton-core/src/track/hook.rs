//! The hook that records a driver's runs: installed innermost by
//! [`DriverBuilder::with_tracker`](crate::DriverBuilder::with_tracker), it turns each run and
//! each node run into a message for the tracker's writer.
//!
//! Innermost, its `around_node` runs only when the node is computed: a node that reaches
//! `after_node` without it was answered by the cache (a hit). Hits the cache found before the
//! run never reach the hooks: the tracker reads them from the cache when the run begins. The
//! request's inputs and overrides, which hooks do not see either, are shown to it by the driver
//! before the run ([`RequestObserver`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::tracker::{Tracker, lock};
use super::writer::{Msg, NodeRunRow, RunRow, SummaryJob};
use crate::build::version::GraphVersion;
use crate::graph::Graph;
use crate::hooks::{AsyncNodeRun, Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome};
use crate::node::NodeError;
use crate::run::prepare::{ObserverSetup, RequestObserver, RunPreparation};
use crate::value::Value;
use crate::values::{Inputs, Overrides};

/// What a driver's tracker knows of its graph and of its runs in progress.
pub(crate) struct Tracking {
    tracker: Tracker,
    graph: Arc<GraphVersion>,
    /// The graph's config, as `runs.config` keeps it (JSON).
    config: Arc<str>,
    /// Distinguishes this driver's nodes from another's in [`COMPUTED`].
    id: usize,
    /// Whether the driver has a result cache (node runs then say `hit` or `miss`).
    cached: bool,
    /// The driver's cache, whose hits found before a run the run never sees.
    #[cfg(feature = "cache")]
    cache: Option<CacheRef>,
    /// Runs in progress, by the driver's run id.
    runs: Mutex<HashMap<u64, RunState>>,
    /// What the driver handed over before a run began, by run id.
    requests: Mutex<HashMap<u64, Request>>,
}

/// What is known of a request before its run begins.
#[derive(Default)]
struct Request {
    /// Each input's name, type and fingerprint (see [`fingerprint`]).
    inputs: Vec<(String, &'static str, String)>,
    /// The overrides' summaries (the cache's hits found before the run are overrides).
    overrides: Vec<(String, SummaryJob)>,
}

struct RunState {
    key: u64,
    clock: Instant,
    /// The number of hits recorded before the run's nodes: the positions they take.
    offset: usize,
    /// The error chains of nodes that failed inside the tracker's `around_*`, by position and
    /// item (read by `after_node`).
    chains: HashMap<(usize, Option<usize>), Vec<String>>,
}

/// A node run: (tracking, run, position, item).
type NodeKey = (usize, u64, usize, Option<usize>);

thread_local! {
    /// The node whose `around_node` ran last on this thread, as (tracking, run, position, item):
    /// `after_node` of the same node finds it there when the node was computed.
    static COMPUTED: Cell<Option<NodeKey>> = const { Cell::new(None) };
}

impl Tracking {
    /// The tracking of a driver of `graph`, its graph version queued for writing.
    pub(crate) fn new(tracker: Tracker, graph: &Graph, cache: Option<CacheRef>) -> Arc<Self> {
        let version = Arc::new(GraphVersion::of(graph));
        tracker.send(Msg::Graph(version.clone()));
        let config: serde_json::Map<String, serde_json::Value> = graph
            .config
            .keys()
            .map(|k| {
                let text = graph
                    .config
                    .value(k)
                    .map(|v| value_text(v).unwrap_or_else(|| format!("<{}>", v.type_name())))
                    .unwrap_or_default();
                (k.to_string(), serde_json::Value::String(text))
            })
            .collect();
        static IDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        Arc::new(Self {
            tracker,
            graph: version,
            config: serde_json::to_string(&config)
                .unwrap_or_else(|_| "{}".into())
                .into(),
            id: IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            cached: cache.is_some(),
            #[cfg(feature = "cache")]
            cache,
            runs: Mutex::new(HashMap::new()),
            requests: Mutex::new(HashMap::new()),
        })
    }

    /// The request of run `run_id`, handed over by the driver before the run: its inputs, and
    /// its overrides (among which the cache's hits).
    fn keep_request(&self, run_id: u64, inputs: &Inputs, overrides: &Overrides) {
        let request = Request {
            inputs: inputs
                .names()
                .filter_map(|name| inputs.get(name).map(|v| (name, v)))
                .map(|(name, v)| (name.to_string(), v.type_name(), fingerprint(v)))
                .collect(),
            overrides: overrides
                .names()
                .filter_map(|name| overrides.get(name).map(|v| (name, v)))
                .map(|(name, v)| (name.to_string(), super::registry::summarize(v)))
                .collect(),
        };
        lock(&self.requests).insert(run_id, request);
    }

    /// The hits the cache found before run `run_id` (they never run), with what their lookup
    /// took; and the data versions it gave the run's given values.
    fn found_by_cache(&self, run_id: u64) -> CacheFound {
        #[cfg(feature = "cache")]
        if let Some(cache) = &self.cache {
            return (cache.hits_ahead(run_id), cache.given_versions(run_id));
        }
        let _ = run_id;
        Default::default()
    }

    fn begin(&self, run: &RunInfo<'_>) {
        let key = self.tracker.run_key();
        let request = lock(&self.requests).remove(&run.run_id).unwrap_or_default();
        let (hits, versions) = self.found_by_cache(run.run_id);
        let inputs: Vec<serde_json::Value> = request
            .inputs
            .iter()
            .map(|(name, ty, fingerprint)| {
                serde_json::json!({
                    "name": name,
                    "type": ty,
                    "fingerprint": versions.get(name).unwrap_or(fingerprint),
                })
            })
            .collect();
        let row = RunRow {
            graph_version: self.graph.version.clone(),
            driver_run_id: run.run_id,
            started_ms: super::now_ms(),
            executor: run.executor,
            host: self.tracker.shared.host.clone(),
            pid: std::process::id(),
            config: self.config.clone(),
            outputs: serde_json::to_string(run.outputs).unwrap_or_else(|_| "[]".into()),
            inputs: serde_json::to_string(&inputs).unwrap_or_else(|_| "[]".into()),
            tags: serde_json::to_string(&self.tracker.tags()).unwrap_or_else(|_| "{}".into()),
        };
        lock(&self.runs).insert(
            run.run_id,
            RunState {
                key,
                clock: Instant::now(),
                offset: hits.len(),
                chains: HashMap::new(),
            },
        );
        self.tracker.send(Msg::RunStarted {
            key,
            row: Box::new(row),
        });
        let mut summaries: HashMap<String, SummaryJob> = request.overrides.into_iter().collect();
        for (position, (node, duration)) in hits.into_iter().enumerate() {
            let summary = summaries.remove(&node).unwrap_or(SummaryJob::None);
            self.tracker.send(Msg::NodeRun {
                run: key,
                row: Box::new(NodeRunRow {
                    node,
                    item: None,
                    position,
                    success: true,
                    start_us: 0,
                    duration_us: micros(duration),
                    cache: Some("hit"),
                    summary,
                    error: Vec::new(),
                    worker: None,
                }),
            });
        }
    }

    fn end(&self, run: &RunInfo<'_>, outcome: &RunOutcome<'_>) {
        let Some(state) = lock(&self.runs).remove(&run.run_id) else {
            return;
        };
        let (success, error) = match outcome {
            RunOutcome::Success { .. } => (true, Vec::new()),
            RunOutcome::Failure { error, .. } => (false, chain(*error)),
        };
        self.tracker.send(Msg::RunEnded {
            key: state.key,
            ended_ms: super::now_ms(),
            success,
            error,
        });
    }

    fn node_key(&self, node: &NodeContext<'_>) -> NodeKey {
        (self.id, node.run_id, node.position, node.item)
    }

    /// Keeps the error chain of a node that failed inside the tracker's wrapper.
    fn failed(&self, node: &NodeContext<'_>, error: &NodeError) {
        let chain = chain(error.as_ref());
        if let Some(run) = lock(&self.runs).get_mut(&node.run_id) {
            run.chains.insert((node.position, node.item), chain);
        }
    }

    fn after(&self, node: &NodeContext<'_>, outcome: &NodeOutcome<'_>) {
        let now = Instant::now();
        // Async nodes (no arguments shown) are always computed: the cache answers them before
        // the run or not at all.
        let computed =
            node.args.is_none() || COMPUTED.with(|c| c.take()) == Some(self.node_key(node));
        let (key, clock, offset, chain) = {
            let mut runs = lock(&self.runs);
            let Some(run) = runs.get_mut(&node.run_id) else {
                return;
            };
            let chain = if outcome.is_success() {
                None
            } else {
                run.chains.remove(&(node.position, node.item))
            };
            (run.key, run.clock, run.offset, chain)
        };
        let duration = outcome.duration();
        let started = now
            .saturating_duration_since(clock)
            .saturating_sub(duration);
        let (summary, error) = match outcome {
            NodeOutcome::Success { value, .. } => (super::registry::summarize(value), Vec::new()),
            NodeOutcome::Failure { error, .. } => (
                SummaryJob::None,
                chain.unwrap_or_else(|| vec![(*error).to_string()]),
            ),
        };
        let row = NodeRunRow {
            node: node.name.to_string(),
            item: node.item,
            position: offset + node.position,
            success: outcome.is_success(),
            start_us: micros(started),
            duration_us: micros(duration),
            cache: self.cached.then_some(if computed { "miss" } else { "hit" }),
            summary,
            error,
            worker: node.worker.map(str::to_string),
        };
        self.tracker.send(Msg::NodeRun {
            run: key,
            row: Box::new(row),
        });
    }
}

impl RequestObserver for Tracking {
    fn request(&self, run_id: u64, inputs: &Inputs, overrides: &Overrides) {
        self.keep_request(run_id, inputs, overrides);
    }

    /// Forgets the request of a run that never began (its values failed to load), and ends a
    /// run that began but never ended (its future was dropped) as failed.
    fn finish(&self, run_id: u64) {
        lock(&self.requests).remove(&run_id);
        let Some(state) = lock(&self.runs).remove(&run_id) else {
            return;
        };
        self.tracker.send(Msg::RunEnded {
            key: state.key,
            ended_ms: super::now_ms(),
            success: false,
            error: vec!["the run was dropped before it ended".to_string()],
        });
    }
}

/// The hook a tracker installs (innermost).
pub(crate) struct TrackHook(pub(crate) Arc<Tracking>);

impl Hook for TrackHook {
    fn name(&self) -> &str {
        "tracker"
    }

    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        self.0.begin(run);
        Ok(())
    }

    fn after_run(&self, run: &RunInfo<'_>, outcome: &RunOutcome<'_>) -> Result<(), HookError> {
        self.0.end(run, outcome);
        Ok(())
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        self.0.after(node, outcome);
        Ok(())
    }

    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        let result = run();
        if let Err(e) = &result {
            self.0.failed(node, e);
        }
        COMPUTED.with(|c| c.set(Some(self.0.node_key(node))));
        result
    }

    fn around_async_node<'a>(
        &'a self,
        node: &NodeContext<'_>,
        run: AsyncNodeRun<'a>,
    ) -> AsyncNodeRun<'a> {
        let (run_id, position, item) = (node.run_id, node.position, node.item);
        Box::pin(async move {
            let result = run.await;
            if let Err(e) = &result {
                let chain = chain(e.as_ref());
                if let Some(run) = lock(&self.0.runs).get_mut(&run_id) {
                    run.chains.insert((position, item), chain);
                }
            }
            result
        })
    }
}

/// An error and its sources, outermost first.
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut chain = vec![super::summary::cut(&error.to_string())];
    let mut source = error.source();
    while let Some(e) = source {
        chain.push(super::summary::cut(&e.to_string()));
        source = e.source();
    }
    chain
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A scalar's text (strings, numbers, booleans), cut to a summary's length.
fn value_text(v: &Value) -> Option<String> {
    crate::values::display_scalar(v).map(|t| super::summary::cut(&t))
}

/// A fingerprint of an input that costs nothing noticeable: a hash of a scalar's type and text;
/// empty for other values (hashing a large value would slow the run).
fn fingerprint(v: &Value) -> String {
    match crate::values::display_scalar(v) {
        Some(text) => {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(v.type_name().as_bytes());
            h.update(&[0]);
            h.update(text.as_bytes());
            format!("{:032x}", h.digest128())
        }
        None => String::new(),
    }
}

/// What the tracker reads of the driver's cache.
#[cfg(feature = "cache")]
pub(crate) type CacheRef = Arc<crate::cache::hook::Inner>;
/// What the tracker reads of the driver's cache (none without the feature).
#[cfg(not(feature = "cache"))]
pub(crate) type CacheRef = std::convert::Infallible;

/// The driver's cache, if its run preparation is one.
fn cache_of(preparation: Option<&Arc<dyn RunPreparation>>) -> Option<CacheRef> {
    #[cfg(feature = "cache")]
    return preparation?
        .as_any()
        .downcast_ref::<crate::cache::Cache>()
        .map(|c| c.inner().clone());
    #[cfg(not(feature = "cache"))]
    {
        let _ = preparation;
        None
    }
}

/// The hits found before a run, with their lookup's time; the given values' data versions.
type CacheFound = (Vec<(String, std::time::Duration)>, HashMap<String, String>);

/// Sets up a driver's tracking once its graph is built: its hook goes last (innermost).
pub(crate) fn install(tracker: Tracker) -> ObserverSetup {
    Box::new(
        move |graph: &Graph,
              hooks: &mut Vec<Arc<dyn Hook>>,
              preparation: Option<&Arc<dyn RunPreparation>>| {
            let tracking = Tracking::new(tracker, graph, cache_of(preparation));
            hooks.push(Arc::new(TrackHook(tracking.clone())));
            tracking as Arc<dyn RequestObserver>
        },
    )
}
