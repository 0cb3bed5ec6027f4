//! The hook that runs the cache: `around_node` looks a node up and loads its result instead of
//! running it, or runs it and stores the result.

use std::any::TypeId;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use super::fingerprint::{DataVersion, Fingerprinter};
use super::registry::{CacheType, Decode, TypeTable, guarded, type_table};
use super::store::{HistoryRow, NewEntry, RunRow, Store, unique_suffix};
use super::{Behavior, CacheEvent, CacheOptions, CacheRun, CacheStatus};
use crate::error::BuildError;
use crate::graph::{Graph, Kind};
use crate::hooks::{Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome};
use crate::node::Node;
use crate::node::NodeError;
use crate::value::Value;

/// What the cache knows of a node from the graph.
pub(crate) struct NodeSpec {
    /// `None`: the node has no code version and is never cached.
    pub(crate) code_version: Option<String>,
    pub(crate) behavior: Behavior,
    pub(crate) output: TypeId,
    pub(crate) output_name: &'static str,
}

/// The version a node passes on to the nodes reading it.
#[derive(Clone)]
pub(super) enum Version {
    Data(DataVersion),
    /// Behaviour `ignore`: a constant in the readers' keys.
    Ignored,
    /// No data version: the readers cannot be cached.
    Unavailable(String),
}

impl Version {
    /// What a reader's cache key holds for this version, or why it cannot hold anything.
    pub(super) fn key_part(&self) -> Result<String, String> {
        match self {
            Self::Data(dv) => Ok(dv.to_string()),
            Self::Ignored => Ok("<ignore>".to_string()),
            Self::Unavailable(why) => Err(why.clone()),
        }
    }
}

impl NodeSpec {
    /// The event of a node of this spec (named `node`) about to run: uncached until found.
    fn event(&self, node: String) -> CacheEvent {
        CacheEvent {
            node,
            status: CacheStatus::Uncached,
            behavior: self.behavior,
            cache_key: None,
            code_version: self.code_version.clone(),
            data_version: None,
            inputs: None,
            note: None,
            duration: Duration::ZERO,
        }
    }

    /// The node's code version, or why it has none.
    pub(super) fn code(&self) -> Result<&str, String> {
        self.code_version.as_deref().ok_or_else(|| {
            "no code version: give the node one (`.code_version(..)` or a `cache_version` tag)"
                .to_string()
        })
    }
}

struct RunState {
    id: String,
    started: SystemTime,
    clock: Instant,
    outputs: Vec<String>,
    versions: HashMap<String, Version>,
    /// Fingerprints of inputs, config and overrides already read in this run.
    memo: HashMap<(String, TypeId), Result<DataVersion, String>>,
    events: Vec<Option<CacheEvent>>,
    /// The events of fan-out items' nodes (named `node[item]`), in the order they ended.
    items: Vec<CacheEvent>,
    /// What was resolved before the run started ([`Inner::resolve_ahead`]).
    ahead: Ahead,
}

/// What [`Inner::resolve_ahead`] found before a run, handed to the run when it begins.
#[derive(Default)]
pub(super) struct Ahead {
    /// Versions of the nodes answered ahead.
    pub(super) versions: HashMap<String, Version>,
    /// Fingerprints of inputs, config and overrides.
    pub(super) memo: HashMap<(String, TypeId), Result<DataVersion, String>>,
    /// The events of the nodes answered ahead.
    pub(super) events: Vec<CacheEvent>,
    /// Every node of the request in execution order, to order the run's record.
    pub(super) order: HashMap<String, usize>,
    /// When resolving began: the run's start.
    pub(super) began: Option<(SystemTime, Instant)>,
    /// Hits whose stored result was found damaged while loading ahead, with what was found:
    /// they run without a second look.
    pub(super) recovered: HashMap<String, String>,
}

/// Recently stored or loaded values, by data version, within a byte budget.
struct Memory {
    values: HashMap<DataVersion, (Value, usize)>,
    order: VecDeque<DataVersion>,
    bytes: usize,
    budget: usize,
}

impl Memory {
    fn insert(&mut self, dv: DataVersion, value: Value, size: usize) {
        if size > self.budget || self.values.contains_key(&dv) {
            return;
        }
        self.values.insert(dv, (value, size));
        self.order.push_back(dv);
        self.bytes += size;
        while self.bytes > self.budget {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, s)) = self.values.remove(&old) {
                self.bytes -= s;
            }
        }
    }
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    types: TypeTable,
    pub(crate) nodes: HashMap<String, NodeSpec>,
    runs: Mutex<HashMap<u64, RunState>>,
    /// Resolved ahead of runs that have not begun yet, by run id.
    pub(super) pending: Mutex<HashMap<u64, Ahead>>,
    last: Mutex<Option<CacheRun>>,
    memory: Option<Mutex<Memory>>,
}

/// A key made for a node: the key, and its inputs' versions as text.
pub(super) struct Key {
    pub(super) key: String,
    pub(super) inputs: String,
}

impl Key {
    /// The key of node `name` with code version `code`, producing `output`, reading `inputs`
    /// (each parameter's name and its data version as text), in parameter order.
    pub(super) fn new(
        name: &str,
        code: &str,
        output: &str,
        inputs: &[(&str, String)],
    ) -> Result<Self, String> {
        let mut f = Fingerprinter::new();
        f.write_str("hamilton-cache-key/1");
        f.write_str(name);
        f.write_str(code);
        f.write_str(output);
        for (param, version) in inputs {
            f.write_str(param);
            f.write_str(version);
        }
        let digest = f.finish().map_err(|e| format!("cache key: {e}"))?;
        let readable: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .take(48)
            .collect();
        Ok(Self {
            key: format!("{readable}-{digest}"),
            inputs: inputs
                .iter()
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    /// The cache of `graph`, and the nodes it can never cache because the cache does not know
    /// their value's type (each also noted: a warning at build).
    pub(crate) fn new(options: CacheOptions, graph: &Graph) -> (Self, Vec<BuildError>) {
        let store = Store::open(&options);
        let types = type_table(&options.types);
        let mut nodes = HashMap::new();
        let mut uncached = Vec::new();
        for v in &graph.vertices {
            let Kind::Function(node) = v.kind() else {
                continue;
            };
            let tag_version = node.tags().get("cache_version");
            let code_version = match (node.code_version(), tag_version) {
                (0, None) => None,
                (c, None) => Some(format!("{c:016x}")),
                (c, Some(t)) => Some(format!("{c:016x}+{t}")),
            };
            let tagged = node.tags().get("cache").and_then(|t| match t.parse() {
                Ok(b) => Some(b),
                Err(e) => {
                    store.note(format!("node `{}`: tag `cache`: {e}", v.name()));
                    None
                }
            });
            let behavior = options
                .per_node
                .get(v.name())
                .copied()
                .or(tagged)
                .unwrap_or(options.default_behavior);
            // A fan-out node's value is the items, which run in its block: never a result.
            if code_version.is_some()
                && behavior != Behavior::Ignore
                && node.fan_out().is_none()
                && !types.contains_key(&v.ty_id())
            {
                let error = uncached_type(v.name(), node, v.ty_name());
                store.note(error.to_string());
                uncached.push(error);
            }
            nodes.insert(
                v.name().to_string(),
                NodeSpec {
                    code_version,
                    behavior,
                    output: v.ty_id(),
                    output_name: v.ty_name(),
                },
            );
        }
        for name in options.per_node.keys() {
            if !nodes.contains_key(name) {
                store.note(format!(
                    "a cache behaviour is set for `{name}`, which is not a node of this dataflow"
                ));
            }
        }
        let inner = Self {
            store,
            types,
            nodes,
            runs: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            last: Mutex::new(None),
            memory: (options.memory_bytes > 0).then(|| {
                Mutex::new(Memory {
                    values: HashMap::new(),
                    order: VecDeque::new(),
                    bytes: 0,
                    budget: options.memory_bytes,
                })
            }),
        };
        (inner, uncached)
    }

    /// For the tracker: the hits of run `run_id` found before it began (those that never run),
    /// in execution order, with the time each took to look up and load.
    #[cfg(feature = "track")]
    pub(crate) fn hits_ahead(&self, run_id: u64) -> Vec<(String, Duration)> {
        self.with_run(run_id, |run| {
            let mut hits: Vec<&CacheEvent> = run
                .ahead
                .events
                .iter()
                .filter(|e| e.status == CacheStatus::Hit)
                .collect();
            hits.sort_by_key(|e| run.ahead.order.get(&e.node).copied().unwrap_or(usize::MAX));
            hits.into_iter()
                .map(|e| (e.node.clone(), e.duration))
                .collect()
        })
        .unwrap_or_default()
    }

    /// For the tracker: the data versions of the values run `run_id` was given (inputs,
    /// config, overrides), by name, as fingerprinted before it began.
    #[cfg(feature = "track")]
    pub(crate) fn given_versions(&self, run_id: u64) -> HashMap<String, String> {
        self.with_run(run_id, |run| {
            run.memo
                .iter()
                .filter_map(|((name, _), v)| Some((name.clone(), v.as_ref().ok()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
    }

    pub(crate) fn last_run(&self) -> Option<CacheRun> {
        lock(&self.last).clone()
    }

    pub(crate) fn clear_memory(&self) {
        if let Some(m) = &self.memory {
            let mut m = lock(m);
            m.values.clear();
            m.order.clear();
            m.bytes = 0;
        }
    }

    pub(super) fn cache_type(&self, id: TypeId) -> Option<&Arc<CacheType>> {
        self.types.get(&id)
    }

    /// The data version of a value, found by its type.
    pub(super) fn version_of(
        &self,
        value: &(dyn std::any::Any + Send + Sync),
        ty: &str,
    ) -> Version {
        match self.cache_type(value.type_id()) {
            None => Version::Unavailable(format!(
                "type `{ty}` has no fingerprint; register one with `register_cache_type!`"
            )),
            Some(t) => match t.version(value) {
                Ok(dv) => Version::Data(dv),
                Err(why) => Version::Unavailable(why),
            },
        }
    }

    fn with_run<R>(&self, run_id: u64, f: impl FnOnce(&mut RunState) -> R) -> Option<R> {
        lock(&self.runs).get_mut(&run_id).map(f)
    }

    /// The cache key of the node about to run, or why there is none.
    fn key(&self, ctx: &NodeContext<'_>, spec: &NodeSpec) -> Result<Key, String> {
        let code = spec.code()?;
        let args = ctx
            .args
            .ok_or_else(|| "the executor does not show this node's arguments".to_string())?;
        let mut inputs = Vec::with_capacity(ctx.input_types.len());
        for (i, (param, ty)) in ctx.input_types.iter().enumerate() {
            let known = self
                .with_run(ctx.run_id, |run| run.versions.get(*param).cloned())
                .flatten();
            let version = match known {
                Some(v) => v
                    .key_part()
                    .map_err(|why| format!("`{param}` has no data version ({why})"))?,
                None => args.inspect(i, |value| match value {
                    None => Ok("<absent>".to_string()),
                    Some(value) => {
                        let memo_key = (param.to_string(), value.type_id());
                        let memo = self
                            .with_run(ctx.run_id, |run| run.memo.get(&memo_key).cloned())
                            .flatten();
                        let version = match memo {
                            Some(v) => v,
                            None => {
                                let v = self.data_version(value, ty);
                                self.with_run(ctx.run_id, |run| {
                                    run.memo.insert(memo_key, v.clone())
                                });
                                v
                            }
                        };
                        version
                            .map(|dv| dv.to_string())
                            .map_err(|why| format!("`{param}` has no data version ({why})"))
                    }
                })?,
            };
            inputs.push((*param, version));
        }
        Key::new(ctx.name, code, spec.output_name, &inputs)
    }

    /// The data version of a value read as an input, or why it has none.
    pub(super) fn data_version(
        &self,
        value: &(dyn std::any::Any + Send + Sync),
        ty: &str,
    ) -> Result<DataVersion, String> {
        match self.version_of(value, ty) {
            Version::Data(dv) => Ok(dv),
            Version::Unavailable(why) => Err(why),
            Version::Ignored => unreachable!("values are not ignored"),
        }
    }

    /// The stored result of `key`, or why it cannot be used (`Ok(None)`: not found).
    fn load(
        &self,
        run_id: u64,
        key: &str,
        spec: &NodeSpec,
        t: &CacheType,
    ) -> Result<Option<(Value, DataVersion)>, String> {
        match self.lookup(key, spec, t)? {
            None => Ok(None),
            Some(dv) => self
                .load_version(run_id, dv, spec, t)
                .map(|v| Some((v, dv))),
        }
    }

    /// The data version `key` resolves to, without loading the result (`Ok(None)`: not
    /// found), or why the stored entry cannot be used.
    pub(super) fn lookup(
        &self,
        key: &str,
        spec: &NodeSpec,
        t: &CacheType,
    ) -> Result<Option<DataVersion>, String> {
        let Some(format) = &t.format else {
            return Ok(None);
        };
        let Some(entry) = self.store.lookup(key)? else {
            return Ok(None);
        };
        if entry.format != format.name {
            return Err(format!(
                "stored in format `{}`, which the type `{}` no longer uses",
                entry.format, spec.output_name
            ));
        }
        Ok(Some(entry.data_version))
    }

    /// Loads the stored result with data version `dv` (from memory when kept there); a damaged
    /// file is deleted, so the recomputed result is written afresh.
    pub(super) fn load_version(
        &self,
        run_id: u64,
        dv: DataVersion,
        spec: &NodeSpec,
        t: &CacheType,
    ) -> Result<Value, String> {
        let format = t
            .format
            .as_ref()
            .ok_or_else(|| format!("type `{}` has no stored format", spec.output_name))?;
        self.store.pin(run_id, dv, format.name);
        if let Some(m) = &self.memory
            && let Some((value, _)) = lock(m).values.get(&dv)
            && let Some(copy) = (format.clone)(value.as_any())
        {
            return Ok(copy);
        }
        let read = match &format.decode {
            Decode::Bytes(decode) => self.store.read_result(dv, format.name, t.name, |payload| {
                let decoded = guarded("decoding", || decode(payload).map_err(|e| e.to_string()));
                (decoded, payload.len())
            }),
            Decode::Mapped { map, decode } => {
                self.store
                    .read_mapped(dv, format.name, t.name, map, |payload| {
                        let size = payload.range().len();
                        let decoded =
                            guarded("decoding", || decode(payload).map_err(|e| e.to_string()));
                        (decoded, size)
                    })
            }
        };
        let (decoded, size) = match read {
            Ok(read) => read,
            Err(e) => {
                if e.damaged {
                    self.store.discard_result(dv, format.name);
                }
                return Err(e.why);
            }
        };
        let value = match decoded {
            Ok(v) => v,
            Err(e) => {
                self.store.discard_result(dv, format.name);
                return Err(format!("stored result could not be decoded: {e}"));
            }
        };
        if value.type_id() != spec.output {
            self.store.discard_result(dv, format.name);
            return Err(format!(
                "stored result decoded to a `{}`, not a `{}`",
                value.type_name(),
                spec.output_name
            ));
        }
        self.remember(dv, &value, size, format);
        Ok(value)
    }

    fn remember(
        &self,
        dv: DataVersion,
        value: &Value,
        size: usize,
        format: &super::registry::Format,
    ) {
        if let Some(m) = &self.memory
            && let Some(copy) = (format.clone)(value.as_any())
        {
            lock(m).insert(dv, copy, size);
        }
    }

    /// Stores a computed result under `key`; `Err` says what could not be written.
    fn save(
        &self,
        ctx: &NodeContext<'_>,
        spec: &NodeSpec,
        key: &Key,
        value: &Value,
        dv: DataVersion,
        compute: Duration,
    ) -> Result<(), String> {
        if self.store.read_only() {
            return Ok(());
        }
        let t = self
            .cache_type(value.type_id())
            .ok_or_else(|| format!("type `{}` is not known to the cache", spec.output_name))?;
        let format = t.format.as_ref().ok_or_else(|| {
            format!(
                "type `{}` has a fingerprint but no stored format; not stored",
                spec.output_name
            )
        })?;
        self.store.pin(ctx.run_id, dv, format.name);
        let size = self.store.write_result(dv, format.name, t.name, |out| {
            (format.encode)(value.as_any(), out).map_err(|e| e.to_string())
        })?;
        self.store.record(&NewEntry {
            cache_key: &key.key,
            node: ctx.name,
            code_version: spec.code_version.as_deref().unwrap_or(""),
            inputs: &key.inputs,
            data_version: dv,
            format: format.name,
            compute,
        })?;
        self.remember(
            dv,
            value,
            usize::try_from(size).unwrap_or(usize::MAX),
            format,
        );
        Ok(())
    }

    /// Records what happened to a node, and the version it passes on.
    fn finish(&self, ctx: &NodeContext<'_>, version: Option<Version>, event: CacheEvent) {
        if matches!(event.status, CacheStatus::Failed) || event.note.is_some() {
            tracing::debug!(target: "hamilton::cache", "{event}");
        }
        self.with_run(ctx.run_id, |run| {
            if let Some(v) = version {
                run.versions.insert(ctx.name.to_string(), v);
            }
            if let Some(slot) = run.events.get_mut(ctx.position) {
                *slot = Some(event);
            }
        });
    }

    fn around(
        &self,
        ctx: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        let started = Instant::now();
        let Some(spec) = self.nodes.get(ctx.name) else {
            return run();
        };
        let mut event = spec.event(ctx.name.to_string());
        let mut notes: Vec<String> = Vec::new();

        // Keyed behaviours look the node up first (`recompute` only makes the key).
        let key = match spec.behavior {
            Behavior::Default | Behavior::Recompute => match self.key(ctx, spec) {
                Ok(k) => {
                    event.cache_key = Some(k.key.clone());
                    event.inputs = Some(k.inputs.clone());
                    Some(k)
                }
                Err(why) => {
                    notes.push(why);
                    None
                }
            },
            Behavior::Ignore | Behavior::Disable => None,
        };
        let output_type = self.cache_type(spec.output);
        if key.is_some() && output_type.is_none_or(|t| t.format.is_none()) {
            notes.push(format!(
                "type `{}` has {}; not stored",
                spec.output_name,
                if output_type.is_none() {
                    "no fingerprint"
                } else {
                    "no stored format"
                }
            ));
        }
        let recovered = self
            .with_run(ctx.run_id, |run| run.ahead.recovered.remove(ctx.name))
            .flatten();
        if let Some(why) = recovered {
            notes.push(format!("recovered: {why}; recomputed"));
        } else if spec.behavior == Behavior::Default
            && let (Some(k), Some(t)) = (&key, output_type)
        {
            match self.hit(ctx.run_id, &k.key, spec, t, &mut event, started) {
                Ok(Some((value, dv))) => {
                    self.finish(ctx, Some(Version::Data(dv)), event);
                    return Ok(value);
                }
                Ok(None) => {}
                Err(why) => notes.push(why),
            }
        }

        let computing = Instant::now();
        let result = run();
        let compute = computing.elapsed();
        let value = match result {
            Ok(value) => value,
            Err(e) => {
                event.status = CacheStatus::Failed;
                event.note = Some(e.to_string());
                event.duration = started.elapsed();
                self.finish(ctx, None, event);
                return Err(e);
            }
        };
        let version = if spec.behavior == Behavior::Ignore {
            Version::Ignored
        } else {
            self.version_of(value.as_any(), value.type_name())
        };
        event.status = match spec.behavior {
            Behavior::Ignore => CacheStatus::Ignored,
            Behavior::Disable => CacheStatus::Disabled,
            Behavior::Default | Behavior::Recompute => CacheStatus::Uncached,
        };
        match &version {
            Version::Data(dv) => {
                event.data_version = Some(dv.to_string());
                if let Some(k) = &key
                    && output_type.is_some_and(|t| t.format.is_some())
                {
                    match self.save(ctx, spec, k, &value, *dv, compute) {
                        Ok(()) => {
                            event.status = if spec.behavior == Behavior::Recompute {
                                CacheStatus::Recomputed
                            } else {
                                CacheStatus::Miss
                            };
                        }
                        Err(why) => notes.push(format!("not stored: {why}")),
                    }
                }
            }
            Version::Unavailable(why) if spec.behavior != Behavior::Ignore => {
                notes.push(format!(
                    "result has no data version ({why}); the nodes reading it cannot hit"
                ));
            }
            _ => {}
        }
        notes.dedup();
        event.note = (!notes.is_empty()).then(|| notes.join("; "));
        event.duration = started.elapsed();
        self.finish(ctx, Some(version), event);
        Ok(value)
    }

    /// The stored result of `key`, if any, with `event` marked a hit; an error says what was
    /// found damaged (the node is then recomputed).
    fn hit(
        &self,
        run_id: u64,
        key: &str,
        spec: &NodeSpec,
        t: &Arc<CacheType>,
        event: &mut CacheEvent,
        started: Instant,
    ) -> Result<Option<(Value, DataVersion)>, String> {
        match self.load(run_id, key, spec, t) {
            Ok(Some((value, dv))) => {
                event.status = CacheStatus::Hit;
                event.data_version = Some(dv.to_string());
                event.duration = started.elapsed();
                Ok(Some((value, dv)))
            }
            Ok(None) => Ok(None),
            Err(why) => Err(format!("recovered: {why}; recomputed")),
        }
    }

    /// A node inside a fan-out's block, running for item `item`: cached per item, keyed by
    /// its code and the fingerprints of the values it reads for this item, so a rerun
    /// recomputes only the items whose values changed.
    fn around_item(
        &self,
        ctx: &NodeContext<'_>,
        item: usize,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        let Some(spec) = self.nodes.get(ctx.name) else {
            return run();
        };
        let started = Instant::now();
        let mut event = spec.event(format!("{}[{item}]", ctx.name));
        let stored_type = self.cache_type(spec.output).filter(|t| t.format.is_some());
        let key = match (spec.behavior, stored_type) {
            (Behavior::Default | Behavior::Recompute, Some(_)) => match self.item_key(ctx, spec) {
                Ok(key) => Some(key),
                Err(why) => {
                    event.note = Some(why);
                    None
                }
            },
            _ => None,
        };
        if let Some(k) = &key {
            event.cache_key = Some(k.key.clone());
            event.inputs = Some(k.inputs.clone());
        }
        if spec.behavior == Behavior::Default
            && let (Some(k), Some(t)) = (&key, stored_type)
        {
            match self.hit(ctx.run_id, &k.key, spec, t, &mut event, started) {
                Ok(Some((value, _))) => {
                    self.with_run(ctx.run_id, |run| run.items.push(event));
                    return Ok(value);
                }
                Ok(None) => {}
                Err(why) => event.note = Some(why),
            }
        }
        let computing = Instant::now();
        let result = run();
        let compute = computing.elapsed();
        match &result {
            Ok(value) => {
                if let (Some(k), Version::Data(dv)) =
                    (&key, self.version_of(value.as_any(), value.type_name()))
                {
                    event.data_version = Some(dv.to_string());
                    match self.save(ctx, spec, k, value, dv, compute) {
                        Ok(()) => {
                            event.status = if spec.behavior == Behavior::Recompute {
                                CacheStatus::Recomputed
                            } else {
                                CacheStatus::Miss
                            };
                        }
                        Err(why) => event.note = Some(format!("not stored: {why}")),
                    }
                }
            }
            Err(e) => {
                event.status = CacheStatus::Failed;
                event.note = Some(e.to_string());
            }
        }
        event.duration = started.elapsed();
        self.with_run(ctx.run_id, |run| run.items.push(event));
        result
    }

    /// The key of a node running for a fan-out item: its code and the fingerprint of each
    /// value it reads (per item, so never the run's versions by name).
    fn item_key(&self, ctx: &NodeContext<'_>, spec: &NodeSpec) -> Result<Key, String> {
        let code = spec.code()?;
        let args = ctx
            .args
            .ok_or_else(|| "the executor does not show this node's arguments".to_string())?;
        let mut inputs = Vec::with_capacity(ctx.input_types.len());
        for (i, (param, ty)) in ctx.input_types.iter().enumerate() {
            let version = args.inspect(i, |value| match value {
                None => Ok("<absent>".to_string()),
                Some(value) => self.data_version(value, ty).map(|dv| dv.to_string()),
            });
            inputs.push((
                *param,
                version.map_err(|why| format!("`{param}` has no data version ({why})"))?,
            ));
        }
        Key::new(ctx.name, code, spec.output_name, &inputs)
    }

    fn begin(&self, run: &RunInfo<'_>) {
        let state = RunState {
            id: unique_suffix(),
            started: SystemTime::now(),
            clock: Instant::now(),
            outputs: run.outputs.iter().map(|s| s.to_string()).collect(),
            versions: HashMap::new(),
            memo: HashMap::new(),
            events: vec![None; run.nodes.len()],
            items: Vec::new(),
            ahead: Ahead::default(),
        };
        let mut state = state;
        let ahead = lock(&self.pending).remove(&run.run_id);
        if ahead.is_none() {
            self.store.begin_run();
        }
        if let Some(mut ahead) = ahead {
            state.versions = std::mem::take(&mut ahead.versions);
            state.memo = std::mem::take(&mut ahead.memo);
            if let Some((started, clock)) = ahead.began {
                state.started = started;
                state.clock = clock;
            }
            state.ahead = ahead;
        }
        lock(&self.runs).insert(run.run_id, state);
    }

    /// A node that finished without passing through `around` (an async node, or one another
    /// hook answered): fingerprint its result for the nodes after it.
    fn after(&self, ctx: &NodeContext<'_>, outcome: &NodeOutcome<'_>) {
        let seen = self
            .with_run(ctx.run_id, |run| {
                run.events.get(ctx.position).is_some_and(Option::is_some)
            })
            .unwrap_or(true);
        if seen {
            return;
        }
        let spec = self.nodes.get(ctx.name);
        let mut event = CacheEvent {
            node: ctx.name.to_string(),
            status: CacheStatus::Uncached,
            behavior: spec.map_or(Behavior::Default, |s| s.behavior),
            cache_key: None,
            code_version: spec.and_then(|s| s.code_version.clone()),
            data_version: None,
            inputs: None,
            note: None,
            duration: outcome.duration(),
        };
        let version = match outcome {
            NodeOutcome::Success { value, duration } => {
                let version = if spec.is_some_and(|s| s.behavior == Behavior::Ignore) {
                    Version::Ignored
                } else {
                    self.version_of(value.as_any(), value.type_name())
                };
                if let Version::Data(dv) = &version {
                    event.data_version = Some(dv.to_string());
                }
                if let (Some(spec), Version::Data(dv)) = (spec, &version) {
                    self.store_after_the_fact(ctx, spec, value, *dv, *duration, &mut event);
                }
                Some(version)
            }
            NodeOutcome::Failure { error, .. } => {
                event.status = CacheStatus::Failed;
                event.note = Some(error.to_string());
                None
            }
        };
        self.finish(ctx, version, event);
    }

    /// Stores the result of a node that ran without passing through `around` (an `async` node):
    /// its key is made from the versions the run already knows, since its arguments are not
    /// shown to the cache.
    fn store_after_the_fact(
        &self,
        ctx: &NodeContext<'_>,
        spec: &NodeSpec,
        value: &Value,
        dv: DataVersion,
        compute: Duration,
        event: &mut CacheEvent,
    ) {
        event.status = match spec.behavior {
            Behavior::Ignore => CacheStatus::Ignored,
            Behavior::Disable => CacheStatus::Disabled,
            Behavior::Default | Behavior::Recompute => CacheStatus::Uncached,
        };
        if matches!(spec.behavior, Behavior::Ignore | Behavior::Disable) {
            return;
        }
        let key = self.key_from_run(ctx, spec);
        let stored = key.and_then(|k| {
            event.cache_key = Some(k.key.clone());
            event.inputs = Some(k.inputs.clone());
            self.save(ctx, spec, &k, value, dv, compute)
                .map_err(|why| format!("not stored: {why}"))
        });
        match stored {
            Ok(()) if spec.behavior == Behavior::Recompute => {
                event.status = CacheStatus::Recomputed;
            }
            Ok(()) => event.status = CacheStatus::Miss,
            Err(why) => event.note = Some(why),
        }
    }

    /// The cache key of a node from the data versions the run knows of its inputs (nodes that
    /// ran or hit, and the inputs, config and overrides fingerprinted before the run).
    fn key_from_run(&self, ctx: &NodeContext<'_>, spec: &NodeSpec) -> Result<Key, String> {
        let code = spec.code()?;
        let inputs = self
            .with_run(ctx.run_id, |run| {
                ctx.input_types
                    .iter()
                    .map(|(param, _)| {
                        let version = match run.versions.get(*param) {
                            Some(v) => v.key_part(),
                            None => run
                                .memo
                                .iter()
                                .find(|((name, _), _)| name == param)
                                .map(|(_, v)| v.clone().map(|dv| dv.to_string()))
                                .unwrap_or_else(|| {
                                    Err("not known before the node ran (an `async` node's \
                                         arguments are not shown to the cache)"
                                        .to_string())
                                }),
                        };
                        version
                            .map(|v| (*param, v))
                            .map_err(|why| format!("`{param}` has no data version ({why})"))
                    })
                    .collect::<Result<Vec<_>, String>>()
            })
            .ok_or_else(|| "the run is not known to the cache".to_string())??;
        Key::new(ctx.name, code, spec.output_name, &inputs)
    }

    fn end(&self, run: &RunInfo<'_>, outcome: &RunOutcome<'_>) {
        let Some(state) = lock(&self.runs).remove(&run.run_id) else {
            return;
        };
        self.store.end_run(run.run_id);
        let mut record = CacheRun {
            run_id: state.id,
            outputs: state.outputs,
            success: matches!(outcome, RunOutcome::Success { .. }),
            duration: state.clock.elapsed(),
            nodes: in_request_order(state.ahead, state.events, state.items),
            notes: self.store.take_notes(),
        };
        let outputs = record.outputs.join(",");
        let rows: Vec<HistoryRow> = record
            .nodes
            .iter()
            .map(|e| HistoryRow {
                node: e.node.clone(),
                behavior: e.behavior.to_string(),
                status: e.status.to_string(),
                cache_key: e.cache_key.clone(),
                code_version: e.code_version.clone(),
                data_version: e.data_version.clone(),
                inputs: e.inputs.clone(),
                note: e.note.clone(),
                duration: e.duration,
            })
            .collect();
        let written = if self.store.read_only() {
            Ok(())
        } else {
            self.store.record_run(
                &RunRow {
                    run_id: &record.run_id,
                    started_at: state.started,
                    duration: record.duration,
                    outputs: &outputs,
                    success: record.success,
                },
                &rows,
            )
        };
        if let Err(why) = written {
            record
                .notes
                .push(format!("the run's history was not written: {why}"));
        }
        record.notes.extend(self.store.take_notes());
        *lock(&self.last) = Some(record);
    }
}

/// The run's events: those resolved ahead and those of the nodes that ran, in the request's
/// execution order; then those of fan-out items, by node and item.
fn in_request_order(
    ahead: Ahead,
    ran: Vec<Option<CacheEvent>>,
    mut items: Vec<CacheEvent>,
) -> Vec<CacheEvent> {
    let mut events: Vec<CacheEvent> = ahead.events;
    events.extend(ran.into_iter().flatten());
    if !ahead.order.is_empty() {
        events.sort_by_key(|e| ahead.order.get(&e.node).copied().unwrap_or(usize::MAX));
    }
    items.sort_by_cached_key(|e| item_order(&e.node));
    events.extend(items);
    events
}

/// `node[item]` as (node, item), to order items' events.
fn item_order(name: &str) -> (String, usize) {
    match name.rsplit_once('[') {
        Some((node, rest)) => (
            node.to_string(),
            rest.trim_end_matches(']').parse().unwrap_or(usize::MAX),
        ),
        None => (name.to_string(), usize::MAX),
    }
}

/// The hook [`with_cache`](crate::DriverBuilder::with_cache) installs (innermost).
pub(crate) struct CacheHook(pub(crate) Arc<Inner>);

impl Hook for CacheHook {
    fn name(&self) -> &str {
        "cache"
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
        // Nodes inside a fan-out's block (one call per item) are cached per item, by
        // `around_item`, or not at all.
        if node.item.is_none() {
            self.0.after(node, outcome);
        }
        Ok(())
    }

    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        if let Some(item) = node.item {
            return self.0.around_item(node, item, run);
        }
        self.0.around(node, run)
    }
}

/// A node whose value type the cache does not know: never cached, and nothing reading it is.
fn uncached_type(name: &str, node: &Node, ty: &'static str) -> BuildError {
    let polars = super::registry::is_polars_type(ty);
    let fix = if polars {
        "enable feature `cache` of hamilton-polars (`hamilton-polars = { version = \"..\", features = [\"cache\"] }`), which registers Polars' types with the cache".to_string()
    } else {
        format!(
            "register the type: `register_cache_type!(CacheType::serde::<{ty}>())` for a serde type (or `CacheType::of`, `fingerprint_with`), or pass it in `CacheOptions::with_types`; or mark the node `cache = \"ignore\"` if it is never worth caching"
        )
    };
    BuildError::UncachedType {
        node: name.to_string(),
        node_at: node
            .location()
            .map_or_else(|| "built by hand".to_string(), |l| l.to_string()),
        ty: ty.to_string(),
        fix,
    }
}
