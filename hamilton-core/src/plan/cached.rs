//! The driver's compiled plans, by the shape of their request: read-mostly and bounded.
//!
//! A run looks its plan up under a read lock, so threads running on one driver do not wait
//! for each other; only a request never seen before takes the write lock, to add its plan.
//! Requests are found by an Fx hash of their names, then compared name by name.
//!
//! The cache holds at most [`MAX_PLANS`] plans and at most [`MAX_STEPS`] steps over all of
//! them (or eight times the graph's size, if more); when a new plan would pass either bound,
//! the least recently used quarter is dropped. So any number of distinct requests keep their
//! plans until they have not run for a while, and a request that comes back after being
//! dropped is planned again, in time proportional to its ancestors (see [`Plan::checked`]).
//!
//! Each thread also keeps the last [`LOCAL_PLANS`] plans it ran, in handles of its own
//! ([`LocalPlan`]), and looks there first: a run of a request its thread ran recently takes no
//! lock and changes no reference count that another thread changes, so threads sharing one
//! driver do not slow each other down.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crossbeam_utils::CachePadded;
use rustc_hash::{FxHashMap, FxHasher};
use thread_local::ThreadLocal;

use super::key_text::KeyText;
use super::{Plan, PlanKey};
use crate::values::{Inputs, Overrides};

/// Whether `key` is the text of the request for `outputs` from `inputs` with `overrides`.
fn is_request<S: AsRef<str>>(
    key: &KeyText,
    outputs: &[S],
    inputs: &Inputs,
    overrides: &Overrides,
) -> bool {
    key.is_request(outputs, overrides.names(), inputs.names())
}

/// The most plans kept.
pub(crate) const MAX_PLANS: usize = 1024;

/// The most steps kept over all plans (or eight per vertex of the graph, if more).
pub(crate) const MAX_STEPS: usize = 1 << 20;

/// The most plans each thread keeps handles of its own to.
pub(crate) const LOCAL_PLANS: usize = 8;

/// Compiled plans by the hash of their request's shape (several per hash on a collision).
pub(crate) struct PlanCache {
    map: RwLock<Entries>,
    /// The number of plans added so far: the time a use is recorded with. A plan used again
    /// and again is written to once per plan added, not once per run, so threads running the
    /// same request do not write to one place.
    clock: AtomicU64,
    max_steps: usize,
    /// Each thread's recently run plans.
    local: ThreadLocal<Recent>,
}

/// One thread's handles to the plans it ran last, with their request hashes, oldest first;
/// alone on its cache line, so that one thread's lookups do not write to a line another
/// thread's lookups read.
type Recent = CachePadded<RefCell<Vec<(u64, Arc<LocalPlan>)>>>;

#[derive(Default)]
struct Entries {
    by_hash: FxHashMap<u64, Vec<Arc<Entry>>>,
    plans: usize,
    steps: usize,
}

/// A cached plan as the runs of one thread hold it: a handle made by that thread around the
/// shared entry, whose reference count only that thread's runs change. Aligned so that its
/// count shares no cache line with another thread's handle.
#[repr(align(128))]
pub(crate) struct LocalPlan(Arc<Entry>);

impl Deref for LocalPlan {
    type Target = Plan;

    fn deref(&self) -> &Plan {
        &self.0.plan
    }
}

struct Entry {
    /// The request's names, in cache lines of their own (see [`KeyText`]).
    key: KeyText,
    plan: Plan,
    /// The [`clock`](PlanCache::clock) when the plan was last used.
    used: AtomicU64,
}

impl PlanCache {
    /// An empty cache for a graph of `vertices` vertices.
    pub(crate) fn new(vertices: usize) -> Self {
        Self {
            map: RwLock::new(Entries::default()),
            clock: AtomicU64::new(0),
            max_steps: MAX_STEPS.max(vertices.saturating_mul(8)),
            local: ThreadLocal::new(),
        }
    }

    /// The plan of the request (`hash` is its [`request_hash`]), recording its use.
    pub(crate) fn get<S: AsRef<str>>(
        &self,
        hash: u64,
        outputs: &[S],
        inputs: &Inputs,
        overrides: &Overrides,
    ) -> Option<Arc<LocalPlan>> {
        let local = self.local.get_or_default();
        let found = local
            .borrow()
            .iter()
            .find(|(h, p)| *h == hash && is_request(&p.0.key, outputs, inputs, overrides))
            .map(|(_, p)| p.clone());
        if let Some(plan) = found {
            self.touch(&plan.0);
            return Some(plan);
        }
        let entry = {
            let entries = self.map.read().unwrap_or_else(|p| p.into_inner());
            entries
                .by_hash
                .get(&hash)?
                .iter()
                .find(|e| is_request(&e.key, outputs, inputs, overrides))?
                .clone()
        };
        self.touch(&entry);
        Some(self.keep_local(hash, entry))
    }

    /// Records a use of `entry` (a write only when a plan was added since its last use).
    fn touch(&self, entry: &Entry) {
        let now = self.clock.load(Ordering::Relaxed);
        if entry.used.load(Ordering::Relaxed) != now {
            entry.used.store(now, Ordering::Relaxed);
        }
    }

    /// A handle of this thread's own to `entry`, kept among its recent plans.
    fn keep_local(&self, hash: u64, entry: Arc<Entry>) -> Arc<LocalPlan> {
        let plan = Arc::new(LocalPlan(entry));
        let mut recent = self.local.get_or_default().borrow_mut();
        if recent.len() == LOCAL_PLANS {
            recent.remove(0);
        }
        recent.push((hash, plan.clone()));
        plan
    }

    /// Adds `plan`, the plan of `key` (whose hash is `hash`); the plan another thread added
    /// for the same key meanwhile, if one did.
    pub(crate) fn insert(&self, hash: u64, key: PlanKey, plan: Plan) -> Arc<LocalPlan> {
        let key = KeyText::new(&key);
        let entry = {
            let mut entries = self.map.write().unwrap_or_else(|p| p.into_inner());
            match entries
                .by_hash
                .get(&hash)
                .and_then(|bucket| bucket.iter().find(|e| e.key == key))
            {
                Some(found) => found.clone(),
                None => {
                    let steps = plan.steps.len();
                    if entries.plans + 1 > MAX_PLANS || entries.steps + steps > self.max_steps {
                        entries.evict_least_recent(self.max_steps);
                    }
                    let now = self.clock.fetch_add(1, Ordering::Relaxed) + 1;
                    entries.plans += 1;
                    entries.steps += steps;
                    let entry = Arc::new(Entry {
                        key,
                        plan,
                        used: AtomicU64::new(now),
                    });
                    entries.by_hash.entry(hash).or_default().push(entry.clone());
                    entry
                }
            }
        };
        self.keep_local(hash, entry)
    }

    /// The number of plans held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|p| p.into_inner()).plans
    }
}

impl Entries {
    /// Drops the least recently used quarter of the plans (at least one), and more while the
    /// steps held are over three quarters of `max_steps`.
    fn evict_least_recent(&mut self, max_steps: usize) {
        let mut uses: Vec<(u64, usize)> = self
            .by_hash
            .values()
            .flatten()
            .map(|e| (e.used.load(Ordering::Relaxed), e.plan.steps.len()))
            .collect();
        uses.sort_unstable();
        let mut steps_left = self.steps;
        let limit = (self.plans / 4).max(1);
        let mut cutoff = 0;
        for (dropped, (used, steps)) in uses.iter().enumerate() {
            if dropped >= limit && steps_left <= max_steps / 4 * 3 {
                break;
            }
            steps_left -= steps;
            cutoff = *used;
        }
        self.by_hash.retain(|_, bucket| {
            bucket.retain(|e| e.used.load(Ordering::Relaxed) > cutoff);
            !bucket.is_empty()
        });
        let held = self.by_hash.values().flatten();
        self.plans = held.clone().count();
        self.steps = held.map(|e| e.plan.steps.len()).sum();
    }
}

/// A hash of a request's shape: its outputs, and the names of its overrides and inputs.
pub(crate) fn request_hash<S: AsRef<str>>(
    outputs: &[S],
    inputs: &Inputs,
    overrides: &Overrides,
) -> u64 {
    let mut h = FxHasher::default();
    for o in outputs {
        o.as_ref().hash(&mut h);
    }
    h.write_u8(0xff);
    for o in overrides.names() {
        o.hash(&mut h);
    }
    h.write_u8(0xff);
    for i in inputs.names() {
        i.hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::build::graph::Graph;
    use crate::convert::conversion_table;
    use crate::module::Module;
    use crate::node::Node;
    use crate::values::Config;

    /// `n0 <- x`, `n{i} <- n{i-1}`: requesting `n{i}` plans `i + 1` steps.
    fn chain(n: usize) -> Graph {
        let nodes = (0..n).map(|i| {
            let dep = if i == 0 {
                "x".to_string()
            } else {
                format!("n{}", i - 1)
            };
            Node::builder(format!("n{i}"))
                .param::<i64>(dep)
                .build(|a: &Args| Ok(*a.get::<i64>(0)?))
        });
        Graph::build(
            &[Module::from_nodes("m", nodes)],
            Config::new(),
            false,
            conversion_table(&[]),
            None,
        )
        .unwrap()
    }

    fn key(output: &str) -> PlanKey {
        PlanKey {
            outputs: vec![output.to_string()],
            overrides: Vec::new(),
            inputs: vec!["x".to_string()],
        }
    }

    fn get(cache: &PlanCache, output: &str) -> Option<Arc<LocalPlan>> {
        let inputs = Inputs::new().set("x", 0_i64);
        let hash = request_hash(&[output], &inputs, &Overrides::new());
        cache.get(hash, &[output], &inputs, &Overrides::new())
    }

    fn add(cache: &PlanCache, graph: &Graph, output: &str) {
        let inputs = Inputs::new().set("x", 0_i64);
        let hash = request_hash(&[output], &inputs, &Overrides::new());
        let (plan, errors) = Plan::checked(graph, &key(output));
        assert!(errors.is_empty());
        cache.insert(hash, key(output), plan);
    }

    #[test]
    fn each_thread_runs_a_cached_plan_through_a_handle_of_its_own() {
        let graph = chain(4);
        let cache = PlanCache::new(4);
        add(&cache, &graph, "n3");
        let here = get(&cache, "n3").unwrap();
        let again = get(&cache, "n3").unwrap();
        assert!(Arc::ptr_eq(&here, &again), "this thread's handle again");
        let there = std::thread::scope(|s| s.spawn(|| get(&cache, "n3").unwrap()).join().unwrap());
        assert!(
            !Arc::ptr_eq(&here, &there),
            "another thread has its own handle"
        );
        assert!(std::ptr::eq::<Plan>(&**here, &**there), "to the same plan");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_thread_keeps_handles_to_its_last_plans_only() {
        let graph = chain(LOCAL_PLANS + 4);
        let cache = PlanCache::new(LOCAL_PLANS + 4);
        for i in 0..LOCAL_PLANS + 4 {
            add(&cache, &graph, &format!("n{i}"));
        }
        assert_eq!(cache.local.get_or_default().borrow().len(), LOCAL_PLANS);
        // A plan whose handle went is found in the shared map, with a new handle.
        assert!(get(&cache, "n0").is_some());
        assert_eq!(cache.len(), LOCAL_PLANS + 4);
    }

    #[test]
    fn the_steps_held_stay_bounded_and_the_least_recently_used_plans_go_first() {
        let graph = chain(40);
        let cache = PlanCache {
            max_steps: 100,
            ..PlanCache::new(0)
        };
        // Plans of 20 steps each: `n19` is used after every insert, the others never again.
        add(&cache, &graph, "n19");
        for i in 20..40 {
            add(&cache, &graph, &format!("n{i}"));
            assert!(get(&cache, "n19").is_some(), "n19 dropped after n{i}");
            let entries = cache.map.read().unwrap();
            assert!(entries.steps <= 100 + 40, "{} steps held", entries.steps);
        }
        assert!(get(&cache, "n20").is_none(), "the oldest unused plan went");
        assert!(get(&cache, "n39").is_some(), "the newest plan stays");
    }
}
