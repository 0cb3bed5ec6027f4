//! Resolving a run against the cache before it starts, so that hits cost a metadata lookup and
//! results are loaded only where something reads them.
//!
//! Walking the request's steps in execution order, a node whose inputs all have known data
//! versions (fingerprinted inputs, config and overrides, or nodes found ahead of it) gets its
//! cache key; when the key resolves, the node is a hit and passes on the stored data version, all
//! without loading anything. Then, from the requested outputs backwards, a hit is *needed* when
//! it is requested or read by a node that will run; only needed hits are loaded, and they enter
//! the run as overrides, so nothing upstream of them runs. Hits nobody reads are never loaded.
//!
//! Whatever cannot be resolved ahead (a node after a miss, a fan-out, a value converted on its
//! way in) is looked up as it runs, by the cache's hook. `async` nodes are looked up only here:
//! one not resolved ahead runs, and its result is stored.

use std::collections::HashMap;
use std::time::Instant;

use super::hook::{Ahead, Inner, Key, Version, lock};
use super::{Behavior, CacheEvent, CacheStatus};
use crate::graph::{Graph, Kind};
use crate::plan::{ArgPlan, LoadFrom, Plan};
use crate::value::Value;
use crate::values::{Inputs, Overrides};

/// What resolving one step ahead found.
enum Found {
    /// Found in the cache: its stored data version and key.
    Hit(super::DataVersion, Key),
    /// Runs if needed; passes on a version known ahead (behaviour `ignore`).
    Runs(Version),
    /// Not resolvable ahead: looked up (or not) when it runs.
    Later,
}

impl Inner {
    /// Resolves a run ahead: returns the loaded results of the hits the run needs, to be given
    /// to the run as overrides; what was found waits for the run with id `run_id` to begin.
    pub(crate) fn resolve_ahead(
        &self,
        graph: &Graph,
        plan: &Plan,
        inputs: &Inputs,
        overrides: &Overrides,
        run_id: u64,
    ) -> Vec<(String, Value)> {
        self.store.begin_run();
        let mut ahead = Ahead {
            began: Some((std::time::SystemTime::now(), Instant::now())),
            order: plan
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| (graph.vertices[s.vertex].name().to_string(), i))
                .collect(),
            ..Ahead::default()
        };
        let mut slot_version: Vec<Option<Version>> = vec![None; plan.slot_count];
        for load in &plan.loads {
            let vertex = &graph.vertices[load.vertex];
            let given = match load.from {
                LoadFrom::Input => inputs.get(vertex.name()),
                LoadFrom::Override => overrides.get(vertex.name()),
                LoadFrom::Config => graph.config.value(vertex.name()),
            };
            // A value converted on its way in is fingerprinted as the node sees it, at run time.
            let Some(value) = given.filter(|v| v.type_id() == vertex.ty_id()) else {
                continue;
            };
            let memo_key = (vertex.name().to_string(), value.type_id());
            let version = ahead
                .memo
                .entry(memo_key)
                .or_insert_with(|| self.data_version(value.as_any(), vertex.ty_name()))
                .clone();
            if let Ok(dv) = version {
                slot_version[load.slot as usize] = Some(Version::Data(dv));
            }
        }

        let started = Instant::now();
        let mut found: Vec<Found> = Vec::with_capacity(plan.steps.len());
        for step in &plan.steps {
            let f = self.find(graph, plan, step, &slot_version);
            if let Some(slot_v) = match &f {
                Found::Hit(dv, _) => Some(Version::Data(*dv)),
                Found::Runs(v) => Some(v.clone()),
                Found::Later => None,
            } {
                slot_version[step.slot as usize] = Some(slot_v);
            }
            found.push(f);
        }

        let mut loaded: Vec<(String, Value)> = Vec::new();
        let mut done = vec![false; plan.steps.len()];
        loop {
            let batch: Vec<usize> = needed_hits(plan, &found)
                .into_iter()
                .filter(|&i| !done[i])
                .collect();
            if batch.is_empty() {
                break;
            }
            let results = in_parallel(&batch, |i| {
                let Found::Hit(dv, _) = &found[i] else {
                    unreachable!("only hits are loaded")
                };
                let spec = &self.nodes[graph.vertices[plan.steps[i].vertex].name()];
                let t = self.cache_type(spec.output).expect("a hit's type is known");
                let loading = Instant::now();
                (self.load_version(run_id, *dv, spec, t), loading.elapsed())
            });
            for (i, (result, took)) in batch.into_iter().zip(results) {
                done[i] = true;
                let name = &graph.vertices[plan.steps[i].vertex].name();
                let Found::Hit(dv, key) = &found[i] else {
                    unreachable!("only hits are loaded")
                };
                match result {
                    Ok(value) => {
                        ahead.versions.insert(name.to_string(), Version::Data(*dv));
                        ahead
                            .events
                            .push(self.hit_event(name, key, *dv, None, took));
                        loaded.push((name.to_string(), value));
                    }
                    Err(why) => {
                        // It runs instead, and what it reads is loaded in the next round.
                        ahead.recovered.insert(name.to_string(), why);
                        found[i] = Found::Later;
                    }
                }
            }
        }
        for (i, f) in found.iter().enumerate() {
            if let Found::Hit(dv, key) = f
                && !done[i]
            {
                let name = &graph.vertices[plan.steps[i].vertex].name();
                ahead.events.push(self.hit_event(
                    name,
                    key,
                    *dv,
                    Some("not loaded: nothing in this run reads it"),
                    std::time::Duration::ZERO,
                ));
            }
        }
        tracing::debug!(
            target: "hamilton::cache",
            "resolved ahead in {:?}: {} hits, {} loaded",
            started.elapsed(),
            ahead.events.len(),
            loaded.len()
        );
        lock(&self.pending).insert(run_id, ahead);
        loaded
    }

    /// Forgets what was resolved for a run that did not begin (its request failed).
    pub(crate) fn forget_ahead(&self, run_id: u64) {
        lock(&self.pending).remove(&run_id);
    }

    /// Resolves one step from the versions known ahead of it.
    fn find(
        &self,
        graph: &Graph,
        plan: &Plan,
        step: &crate::plan::Step,
        slot_version: &[Option<Version>],
    ) -> Found {
        let vertex = &graph.vertices[step.vertex];
        let Kind::Function(node) = vertex.kind() else {
            return Found::Later;
        };
        if step.fan_out().is_some() {
            return Found::Later;
        }
        let Some(spec) = self.nodes.get(vertex.name()) else {
            return Found::Later;
        };
        match spec.behavior {
            Behavior::Ignore => return Found::Runs(Version::Ignored),
            Behavior::Recompute | Behavior::Disable => return Found::Later,
            Behavior::Default => {}
        }
        let Ok(code) = spec.code() else {
            return Found::Later;
        };
        let Some(t) = self.cache_type(spec.output) else {
            return Found::Later;
        };
        let mut inputs = Vec::with_capacity(step.args.len());
        for (i, (param, arg)) in node.params().iter().zip(&step.args).enumerate() {
            let version = match arg {
                ArgPlan::Absent => "<absent>".to_string(),
                ArgPlan::Slot { slot, .. } => {
                    let source = &graph.vertices[plan.vertex_of(*slot as usize)];
                    if step.conversion(i).is_some() || *source.name() != *param.name() {
                        return Found::Later;
                    }
                    match slot_version[*slot as usize].as_ref().map(Version::key_part) {
                        Some(Ok(part)) => part,
                        _ => return Found::Later,
                    }
                }
            };
            inputs.push((param.name(), version));
        }
        let Ok(key) = Key::new(vertex.name(), code, spec.output_name, &inputs) else {
            return Found::Later;
        };
        match self.lookup(&key.key, spec, t) {
            Ok(Some(dv)) => Found::Hit(dv, key),
            _ => Found::Later,
        }
    }

    fn hit_event(
        &self,
        name: &str,
        key: &Key,
        dv: super::DataVersion,
        note: Option<&str>,
        duration: std::time::Duration,
    ) -> CacheEvent {
        let spec = &self.nodes[name];
        CacheEvent {
            node: name.to_string(),
            status: CacheStatus::Hit,
            behavior: spec.behavior,
            cache_key: Some(key.key.clone()),
            code_version: spec.code_version.clone(),
            data_version: Some(dv.to_string()),
            inputs: Some(key.inputs.clone()),
            note: note.map(str::to_string),
            duration,
        }
    }
}

/// `load(i)` for every `i` of `batch`, in order, on up to as many threads as the machine has
/// cores: loading is reading, checking and decoding files, which scales.
fn in_parallel<R: Send>(batch: &[usize], load: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(batch.len());
    if threads <= 1 {
        return batch.iter().map(|&i| load(i)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = batch.get(k) else { break };
                        mine.push((k, load(i)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_by_key(|(k, _)| *k);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The steps found as hits that the run needs: requested, or read by a step that runs; in
/// reverse execution order.
fn needed_hits(plan: &Plan, found: &[Found]) -> Vec<usize> {
    let mut producer: HashMap<u32, usize> = HashMap::new();
    for (i, step) in plan.steps.iter().enumerate() {
        for slot in step.produced() {
            producer.insert(slot, i);
        }
    }
    let mut needed = vec![false; plan.steps.len()];
    for slot in &plan.outputs {
        if let Some(&p) = producer.get(slot) {
            needed[p] = true;
        }
    }
    let mut hits = Vec::new();
    for i in (0..plan.steps.len()).rev() {
        if !needed[i] {
            continue;
        }
        if matches!(found[i], Found::Hit(..)) {
            hits.push(i);
            continue;
        }
        for arg in &plan.steps[i].args {
            if let ArgPlan::Slot { slot, .. } = arg
                && let Some(&p) = producer.get(slot)
            {
                needed[p] = true;
            }
        }
    }
    hits
}
