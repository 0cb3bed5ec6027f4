//! The driver: builds the dataflow once, then runs requests against it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cancel::Cancel;
use crate::convert::{Conversion, conversion_table};
use futures_util::FutureExt;

use crate::error::{Error, RequestError};
use crate::graph::Graph;
use crate::hooks::Hook;
use crate::module::Module;
use crate::node::Node;
use crate::outputs::Outputs;
use crate::plan::cached::{LocalPlan, PlanCache, request_hash};
use crate::plan::{LoadFrom, Plan, PlanKey};
use crate::run::asynchronous::Asynchronous;
use crate::run::load::{load, type_problem};
use crate::run::prepare::{ObserverSetup, RequestObserver, RunPreparation, Setup};
use crate::run::sequential::Sequential;
use crate::run::{Executor, Run};
use crate::value::Value;
use crate::values::{Config, Inputs, Overrides};

/// Configures and builds a [`Driver`].
///
/// ```
/// use hamilton_core::{Config, Driver, Module, node::{Args, Node}};
/// let m = Module::from_nodes("m", [Node::builder("greeting").param::<String>("region")
///     .build(|a: &Args| Ok(format!("hello from {}", a.get::<String>(0)?)))]);
/// let dr = Driver::builder()
///     .with_modules([m])
///     .with_config(Config::new().set("region", "UK"))
///     .build()
///     .unwrap();
/// let out = dr.execute(&["greeting"], Default::default()).unwrap();
/// assert_eq!(out.get::<String>("greeting").unwrap(), "hello from UK");
/// ```
#[derive(Default)]
#[must_use]
pub struct DriverBuilder {
    modules: Vec<Module>,
    config: Config,
    allow_module_overrides: bool,
    conversions: Vec<Conversion>,
    hooks: Vec<Arc<dyn Hook>>,
    /// The declared inputs, in strict mode.
    declared_inputs: Option<std::collections::BTreeSet<String>>,
    #[cfg(feature = "parallel")]
    threads: Option<usize>,
    /// Sets up the work done before each run (the result cache), once the graph is built.
    pub(crate) preparation: Option<Setup>,
    /// Sets up what sees each run's request (the run tracker), once the graph is built.
    pub(crate) observer: Option<ObserverSetup>,
    /// Makes the executor once the graph is built, instead of the sequential or parallel one
    /// (the remote executor of feature `distributed`).
    pub(crate) executor_setup: Option<crate::run::ExecutorSetup>,
}

impl DriverBuilder {
    /// Adds modules of nodes, in order (see [`Module`]).
    pub fn with_modules(mut self, modules: impl IntoIterator<Item = Module>) -> Self {
        self.modules.extend(modules);
        self
    }

    /// Adds nodes built by hand, as one more module named `nodes`.
    pub fn with_nodes(mut self, nodes: impl IntoIterator<Item = Node>) -> Self {
        self.modules.push(Module::from_nodes("nodes", nodes));
        self
    }

    /// Adds config (merged with earlier config; later keys win).
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = std::mem::take(&mut self.config).merge(config);
        self
    }

    /// Lets a node of a later module replace a node of the same name from an earlier module,
    /// instead of reporting a duplicate.
    pub fn allow_module_overrides(mut self) -> Self {
        self.allow_module_overrides = true;
        self
    }

    /// Declares the dataflow's inputs and turns on strict mode: `build()` then reports every
    /// parameter that no node produces and that is not declared (naming the node and the
    /// parameter, with a did-you-mean when its name is close to a node's), together with the
    /// other build errors. Optional parameters (`Option<&T>`) need no declaration, unless
    /// their name is close to a node's. Strict mode also makes `when` config keys that no
    /// config sets, and config keys that nothing reads, build errors instead of warnings.
    /// Several calls add up.
    ///
    /// ```
    /// use hamilton_core::{BuildError, Driver, node::{Args, Node}};
    /// let nodes = || [
    ///     Node::builder("amount_clean").param::<f64>("amount").build(|a: &Args| Ok(a.get::<f64>(0)?.abs())),
    ///     Node::builder("amount_net").param::<f64>("amount_cleen").build(|a: &Args| Ok(*a.get::<f64>(0)?)),
    /// ];
    /// let err = Driver::builder().with_nodes(nodes()).with_inputs(["amount"]).build().unwrap_err();
    /// assert!(matches!(
    ///     err.build_errors(),
    ///     [BuildError::MisspeltDependency { param, suggestion, .. }] if param == "amount_cleen" && suggestion == "amount_clean"
    /// ));
    /// // Without declared inputs, `amount_cleen` is an input; its missing-input error names the node.
    /// let dr = Driver::builder().with_nodes(nodes()).build().unwrap();
    /// let err = dr.execute(&["amount_net"], Default::default()).unwrap_err();
    /// assert!(err.to_string().contains("did you mean node `amount_clean`"));
    /// ```
    pub fn with_inputs<S: Into<String>>(mut self, inputs: impl IntoIterator<Item = S>) -> Self {
        self.declared_inputs
            .get_or_insert_with(Default::default)
            .extend(inputs.into_iter().map(Into::into));
        self
    }

    /// Turns on strict mode (see [`with_inputs`](Self::with_inputs)) for a dataflow whose
    /// inputs are those declared so far, if any: `strict()` alone declares that it has none.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let n = || Node::builder("double").param::<i64>("x").build(|a: &Args| Ok(a.get::<i64>(0)? * 2));
    /// assert!(Driver::builder().with_nodes([n()]).strict().build().is_err());
    /// assert!(Driver::builder().with_nodes([n()]).strict().with_inputs(["x"]).build().is_ok());
    /// ```
    pub fn strict(mut self) -> Self {
        self.declared_inputs.get_or_insert_with(Default::default);
        self
    }

    /// Adds a conversion along edges and for inputs (beside the registered ones).
    pub fn with_conversion(mut self, conversion: Conversion) -> Self {
        self.conversions.push(conversion);
        self
    }

    /// Adds a lifecycle hook. Hooks run in the order added (`after_*` in reverse); see
    /// [`hooks`](crate::hooks).
    pub fn with_hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Runs independent nodes at once on a pool of `threads` threads of the driver's own (`0`:
    /// one per core). Results are the same as sequential execution; intermediates are still
    /// freed after their last use.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let square = |x: &Args| Ok(x.get::<i64>(0)? * x.get::<i64>(0)?);
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("a2").param::<i64>("a").build(square), Node::builder("b2").param::<i64>("b").build(square)])
    ///     .with_parallelism(2)
    ///     .build()
    ///     .unwrap();
    /// let out = dr.execute(&["a2", "b2"], Inputs::new().set("a", 3_i64).set("b", 4_i64)).unwrap();
    /// assert_eq!((out.get::<i64>("a2").unwrap(), out.get::<i64>("b2").unwrap()), (&9, &16));
    /// ```
    #[cfg(feature = "parallel")]
    pub fn with_parallelism(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Builds the dataflow: wires every parameter, type-checks every edge, detects cycles.
    /// Every problem found is reported together in [`Error::Build`].
    pub fn build(self) -> Result<Driver, Error> {
        let parallelism = self.parallelism();
        let graph = Graph::build(
            &self.modules,
            self.config,
            self.allow_module_overrides,
            conversion_table(&self.conversions),
            self.declared_inputs.as_ref(),
        )
        .map_err(Error::Build)?;
        let mut hooks = self.hooks;
        let preparation = match self.preparation {
            Some(setup) => {
                // Warnings (already noted), errors in strict mode.
                let (preparation, warnings) = setup(&graph, &mut hooks);
                if self.declared_inputs.is_some() && !warnings.is_empty() {
                    return Err(Error::Build(warnings));
                }
                Some(preparation)
            }
            None => None,
        };
        // After the preparation's hooks: innermost, the tracker sees what the cache answered.
        let observer = self
            .observer
            .map(|setup| setup(&graph, &mut hooks, preparation.as_ref()));
        let executor: Box<dyn Executor> = match parallelism {
            #[cfg(feature = "parallel")]
            Some(threads) => Box::new(crate::run::parallel::Parallel::new(threads)?),
            _ => Box::new(Sequential),
        };
        let executor = match self.executor_setup {
            Some(setup) => setup(&graph)?,
            None => executor,
        };
        Ok(Driver {
            executor,
            plans: PlanCache::new(graph.vertices.len()),
            graph: Arc::new(graph),
            hooks,
            runs: AtomicU64::new(0),
            id: DRIVER_IDS.fetch_add(1, Ordering::Relaxed),
            preparation,
            observer,
        })
    }
}

impl DriverBuilder {
    /// The problems of building this dataflow with `config` added, without building it: the
    /// command line reads them to type the config values it was given as text.
    #[cfg(feature = "cli")]
    pub(crate) fn probe_config(&self, config: &Config) -> Vec<crate::BuildError> {
        let config = self.config.clone().merge(config.clone());
        Graph::build(
            &self.modules,
            config,
            self.allow_module_overrides,
            conversion_table(&self.conversions),
            self.declared_inputs.as_ref(),
        )
        .err()
        .unwrap_or_default()
    }

    /// The threads asked for with `with_parallelism`, if any.
    fn parallelism(&self) -> Option<usize> {
        #[cfg(feature = "parallel")]
        return self.threads;
        #[cfg(not(feature = "parallel"))]
        None
    }
}

/// A built dataflow, ready to run requests.
///
/// A driver is `Send + Sync`; runs do not change it, so one driver serves many threads. Each
/// thread keeps handles of its own to the plans it ran last, so threads repeating requests on
/// one driver take no lock and do not write to memory another thread writes to.
///
/// ```
/// use hamilton_core::{Driver, Inputs, Overrides, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([
///         Node::builder("c").param::<f64>("a").param::<f64>("b")
///             .build(|x: &Args| Ok(x.get::<f64>(0)? + x.get::<f64>(1)?)),
///         Node::builder("d").param::<f64>("c").build(|x: &Args| Ok(x.get::<f64>(0)? * 10.0)),
///     ])
///     .build()
///     .unwrap();
/// let out = dr.execute(&["d"], Inputs::new().set("a", 1.0).set("b", 2.0)).unwrap();
/// assert_eq!(out.get::<f64>("d").unwrap(), &30.0);
/// // An override replaces `c`, so `a` and `b` are not needed.
/// let out = dr.request(&["d"]).overrides(Overrides::new().set("c", 5.0)).execute().unwrap();
/// assert_eq!(out.get::<f64>("d").unwrap(), &50.0);
/// ```
pub struct Driver {
    pub(crate) graph: Arc<Graph>,
    plans: PlanCache,
    hooks: Vec<Arc<dyn Hook>>,
    runs: AtomicU64,
    /// This driver's id among the drivers of the process (see [`Driver::next_run_id`]).
    id: u64,
    /// Runs `execute` requests: sequential, or parallel with `with_parallelism`.
    executor: Box<dyn Executor>,
    /// The work done before each run (the result cache), if any.
    pub(crate) preparation: Option<Arc<dyn RunPreparation>>,
    /// What sees each run's request (the run tracker), if any.
    observer: Option<Arc<dyn RequestObserver>>,
}

impl Driver {
    /// Starts configuring a driver.
    pub fn builder() -> DriverBuilder {
        DriverBuilder::default()
    }

    /// Computes `outputs` (and only what they need) from `inputs`: the short form of
    /// [`request`](Self::request)`(outputs).inputs(inputs).execute()`.
    pub fn execute<S: AsRef<str>>(&self, outputs: &[S], inputs: Inputs) -> Result<Outputs, Error> {
        self.run_sync(outputs, inputs, Overrides::new(), None)
    }

    /// Runs a request on the driver's sync executor (sequential, or parallel).
    pub(crate) fn run_sync<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: Inputs,
        overrides: Overrides,
        cancel: Option<&Cancel>,
    ) -> Result<Outputs, Error> {
        let run_id = self.next_run_id();
        let _finish = Finish(self, run_id, Finishing::Preparation);
        let (plan, overrides) = match self.prepare_run(outputs, &inputs, overrides, run_id, false) {
            Ok(prepared) => prepared,
            Err(failed) => {
                let rest = self.passing_through(*failed, outputs, inputs)?;
                return Ok(self
                    .run_sync(&rest.computed, rest.inputs, rest.overrides, cancel)?
                    .with_passed(outputs, rest.passed));
            }
        };
        self.run_plan_sync(&plan, inputs, overrides, run_id, cancel)
    }

    /// `error`, the request's planning error, without the outputs no node computes but the
    /// request can still return (inputs no node reads, returned as given; optional inputs not
    /// given, returned as absent); when nothing else is wrong, the request split into what to
    /// compute and what passes through. Only looked at when planning failed, so a valid
    /// request pays nothing.
    fn passing_through<S: AsRef<str>>(
        &self,
        (error, overrides): (Error, Overrides),
        outputs: &[S],
        mut inputs: Inputs,
    ) -> Result<PassThrough, Error> {
        let Error::Request(errors) = error else {
            return Err(error);
        };
        let requested = |name: &str| outputs.iter().any(|o| o.as_ref() == name);
        let (passable, others): (Vec<_>, Vec<_>) =
            errors.into_iter().partition(|error| match error {
                RequestError::UnknownOutput { name, .. } => inputs.contains(name),
                RequestError::MissingInput {
                    name, needed_by, ..
                } => {
                    needed_by.is_empty()
                        && requested(name)
                        && self
                            .graph
                            .get(name)
                            .is_some_and(|v| self.graph.vertices[v].optional())
                }
                _ => false,
            });
        if !others.is_empty() || passable.is_empty() {
            let mut errors = others;
            if errors.is_empty() {
                errors = passable;
            }
            return Err(Error::Request(errors));
        }
        let passed: Vec<String> = passable
            .into_iter()
            .filter_map(|error| match error {
                RequestError::UnknownOutput { name, .. }
                | RequestError::MissingInput { name, .. } => Some(name),
                _ => None,
            })
            .collect();
        let computed = outputs
            .iter()
            .map(|o| o.as_ref().to_string())
            .filter(|o| !passed.contains(o))
            .collect();
        let passed = passed
            .into_iter()
            .map(|name| {
                let value = inputs.0.entries.remove(name.as_str());
                (name, value)
            })
            .collect();
        Ok(PassThrough {
            computed,
            inputs,
            overrides,
            passed,
        })
    }

    /// The id of a new run: unique on this driver. Without a run preparation (whose records
    /// follow run ids), each thread takes ids from the shared counter [`RUN_ID_BLOCK`] at a
    /// time, so that threads running on one driver do not all write to the counter on every run;
    /// on one thread, ids still count 1, 2, 3, ...
    pub(crate) fn next_run_id(&self) -> u64 {
        if self.preparation.is_some() {
            return self.runs.fetch_add(1, Ordering::Relaxed) + 1;
        }
        RUN_IDS.with(|ids| {
            let (driver, next, end) = ids.get();
            if driver == self.id && next < end {
                ids.set((driver, next + 1, end));
                return next;
            }
            let start = self.runs.fetch_add(RUN_ID_BLOCK, Ordering::Relaxed) + 1;
            ids.set((self.id, start + 1, start + RUN_ID_BLOCK));
            start
        })
    }

    /// Runs `plan` (the plan of run `run_id`) on the driver's sync executor.
    pub(crate) fn run_plan_sync(
        &self,
        plan: &Plan,
        inputs: Inputs,
        overrides: Overrides,
        run_id: u64,
        cancel: Option<&Cancel>,
    ) -> Result<Outputs, Error> {
        if !plan.async_nodes.is_empty() {
            return Err(Error::Request(vec![crate::RequestError::NeedsAsync {
                nodes: plan.async_nodes.clone(),
            }]));
        }
        let _observed = self.observe_request(run_id, &inputs, &overrides);
        let slots = load(&self.graph, plan, inputs, overrides)?;
        self.executor
            .run(Run {
                graph: &self.graph,
                plan,
                slots,
                hooks: &self.hooks,
                run_id,
                cancel,
            })
            .now_or_never()
            .expect("the sync executors finish without waiting")
    }

    /// Shows run `run_id`'s request to the observer, if any (hooks do not see inputs); the
    /// returned guard tells it when the run is over.
    fn observe_request(&self, run_id: u64, inputs: &Inputs, overrides: &Overrides) -> Finish<'_> {
        if let Some(observer) = &self.observer {
            observer.request(run_id, inputs, overrides);
        }
        Finish(self, run_id, Finishing::Observer)
    }

    /// Runs `plan` (the plan of run `run_id`) on the async executor.
    pub(crate) async fn run_plan_async(
        &self,
        plan: &Plan,
        inputs: Inputs,
        overrides: Overrides,
        run_id: u64,
        cancel: Option<&Cancel>,
    ) -> Result<Outputs, Error> {
        let _observed = self.observe_request(run_id, &inputs, &overrides);
        let slots = load(&self.graph, plan, inputs, overrides)?;
        Asynchronous
            .run(Run {
                graph: &self.graph,
                plan,
                slots,
                hooks: &self.hooks,
                run_id,
                cancel,
            })
            .await
    }

    /// The plan of run `run_id` and its overrides: with a run preparation (the result cache),
    /// `overrides` plus the values it resolved, which change the plan; without one, as given.
    /// A request that is not valid as given is left alone, to fail with every problem named.
    fn prepare_run<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: &Inputs,
        overrides: Overrides,
        run_id: u64,
        is_async: bool,
    ) -> Result<(Arc<LocalPlan>, Overrides), PlanFailed> {
        let plan = match self.plan(outputs, inputs, &overrides) {
            Ok(plan) => plan,
            Err(error) => return Err(Box::new((error, overrides))),
        };
        let Some(preparation) = &self.preparation else {
            return Ok((plan, overrides));
        };
        let valid = (is_async || plan.async_nodes.is_empty())
            && self.type_problems(&plan, inputs, &overrides).is_empty();
        if !valid {
            return Ok((plan, overrides));
        }
        let found = preparation.prepare(&self.graph, &plan, inputs, &overrides, run_id);
        if found.is_empty() {
            return Ok((plan, overrides));
        }
        let overrides = found
            .into_iter()
            .fold(overrides, |o, (name, value)| o.set_value(name, value));
        match self.plan(outputs, inputs, &overrides) {
            Ok(plan) => Ok((plan, overrides)),
            Err(error) => Err(Box::new((error, overrides))),
        }
    }

    /// Computes `outputs` from `inputs`, running `async` nodes concurrently on whatever
    /// executor awaits the returned future (the library owns no runtime). Sync nodes in the same
    /// graph run inline as they become ready. The short form of
    /// [`request`](Self::request)`(outputs).inputs(inputs).execute_async()`.
    ///
    /// On tokio, sync nodes that call Polars' readers need the multi-thread runtime (Polars calls
    /// `tokio::task::block_in_place` when it runs inside tokio).
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, AsyncArgs, Node}};
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("fetched").param::<i64>("id").build_async(|a: AsyncArgs| async move { Ok(*a.get::<i64>(0)? * 10) }),
    ///     Node::builder("plus_one").param::<i64>("fetched").build(|a: &Args| Ok(a.get::<i64>(0)? + 1)),
    /// ]).build().unwrap();
    /// // Any runtime can await it; here tokio's (in an `async fn`, just `.await` it).
    /// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let out = runtime
    ///     .block_on(dr.execute_async(&["plus_one"], Inputs::new().set("id", 4_i64)))
    ///     .unwrap();
    /// assert_eq!(out.get::<i64>("plus_one").unwrap(), &41);
    /// ```
    pub async fn execute_async<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: Inputs,
    ) -> Result<Outputs, Error> {
        self.run_async(outputs, inputs, Overrides::new(), None)
            .await
    }

    /// Runs a request on the async executor.
    pub(crate) async fn run_async<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: Inputs,
        overrides: Overrides,
        cancel: Option<&Cancel>,
    ) -> Result<Outputs, Error> {
        let run_id = self.next_run_id();
        let _finish = Finish(self, run_id, Finishing::Preparation);
        let (plan, overrides) = match self.prepare_run(outputs, &inputs, overrides, run_id, true) {
            Ok(prepared) => prepared,
            Err(failed) => {
                let rest = self.passing_through(*failed, outputs, inputs)?;
                let computed =
                    Box::pin(self.run_async(&rest.computed, rest.inputs, rest.overrides, cancel))
                        .await?;
                return Ok(computed.with_passed(outputs, rest.passed));
            }
        };
        self.run_plan_async(&plan, inputs, overrides, run_id, cancel)
            .await
    }

    /// Checks a request without running anything (see [`Request::validate`]).
    pub(crate) fn validate<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: &Inputs,
        overrides: &Overrides,
    ) -> Result<(), Error> {
        let plan = self.plan(outputs, inputs, overrides)?;
        let errors = self.type_problems(&plan, inputs, overrides);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Request(errors))
        }
    }

    /// The given inputs and overrides a plan loads that have the wrong type.
    fn type_problems(
        &self,
        plan: &Plan,
        inputs: &Inputs,
        overrides: &Overrides,
    ) -> Vec<crate::RequestError> {
        plan.loads
            .iter()
            .filter_map(|load| {
                let vertex = &self.graph.vertices[load.vertex];
                let given = match load.from {
                    LoadFrom::Input => inputs.get(vertex.name()),
                    LoadFrom::Override => overrides.get(vertex.name()),
                    LoadFrom::Config => None,
                }?;
                let convertible = given.type_id() == vertex.ty_id()
                    || self
                        .graph
                        .conversions
                        .contains_key(&(given.type_id(), vertex.ty_id()));
                (!convertible)
                    .then(|| type_problem(&self.graph, plan, load, given.type_name().to_string()))
            })
            .collect()
    }

    /// The compiled plan for a request, from the cache or built now.
    pub(crate) fn plan<S: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: &Inputs,
        overrides: &Overrides,
    ) -> Result<Arc<LocalPlan>, Error> {
        // Looked up without allocating: a hash of the request's names, then a comparison.
        let hash = request_hash(outputs, inputs, overrides);
        if let Some(plan) = self.plans.get(hash, outputs, inputs, overrides) {
            return Ok(plan);
        }
        let key = PlanKey {
            outputs: outputs.iter().map(|s| s.as_ref().to_string()).collect(),
            overrides: overrides.names().map(str::to_string).collect(),
            inputs: inputs.names().map(str::to_string).collect(),
        };
        let (plan, mut errors) = Plan::checked(&self.graph, &key);
        if !errors.is_empty() {
            // Report mistyped values along with the other problems, not after they are fixed.
            errors.extend(self.type_problems(&plan, inputs, overrides));
            return Err(Error::Request(errors));
        }
        Ok(self.plans.insert(hash, key, plan))
    }
}

/// Run ids a thread takes from a driver's counter at once.
const RUN_ID_BLOCK: u64 = 64;

/// Ids of the drivers built, so that a thread's block of run ids names its driver.
static DRIVER_IDS: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's block of run ids: the driver's id, the next id, the end of the block.
    static RUN_IDS: std::cell::Cell<(u64, u64, u64)> = const { std::cell::Cell::new((0, 0, 0)) };
}

/// Tells the run preparation (or the observer) that a run is over, however it ends (an error, a
/// panic, a dropped future).
struct Finish<'d>(&'d Driver, u64, Finishing);

/// Who [`Finish`] tells.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finishing {
    Preparation,
    Observer,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        match self.2 {
            Finishing::Preparation => {
                if let Some(preparation) = &self.0.preparation {
                    preparation.finish(self.1);
                }
            }
            Finishing::Observer => {
                if let Some(observer) = &self.0.observer {
                    observer.finish(self.1);
                }
            }
        }
    }
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("nodes", &self.graph.vertices.len())
            .finish_non_exhaustive()
    }
}

/// A request whose planning failed: the error, and the overrides handed back.
type PlanFailed = Box<(Error, Overrides)>;

/// Values passed through a run by name (`None`: an optional input not given).
type Passed = Vec<(String, Option<Value>)>;

/// Requested values that no node computes, split from the rest of a request.
struct PassThrough {
    /// The outputs computed by the dataflow.
    computed: Vec<String>,
    /// The inputs and overrides left for them.
    inputs: Inputs,
    overrides: Overrides,
    /// The outputs passed through, taken out of the inputs (`None`: not given).
    passed: Passed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::plan::cached::MAX_PLANS;

    fn driver() -> Driver {
        Driver::builder()
            .with_nodes([
                Node::builder("b")
                    .param::<i64>("a")
                    .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
                Node::builder("c")
                    .param::<i64>("b")
                    .optional_param::<i64>("o")
                    .build(|x: &Args| Ok(x.get::<i64>(0)? + x.get_opt::<i64>(1)?.unwrap_or(&0))),
            ])
            .build()
            .unwrap()
    }

    #[test]
    fn a_driver_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Driver>();
    }

    /// Whether two handles hold the same cached plan.
    fn same_plan(a: &LocalPlan, b: &LocalPlan) -> bool {
        std::ptr::eq::<Plan>(&**a, &**b)
    }

    #[test]
    fn plans_are_cached_by_the_shape_of_the_request() {
        let dr = driver();
        let inputs = Inputs::new().set("a", 1_i64);
        let first = dr.plan(&["c"], &inputs, &Overrides::new()).unwrap();
        let again = dr
            .plan(&["c"], &Inputs::new().set("a", 5_i64), &Overrides::new())
            .unwrap();
        assert!(same_plan(&first, &again), "same shape, same plan");
        let with_optional = dr
            .plan(&["c"], &inputs.set("o", 1_i64), &Overrides::new())
            .unwrap();
        assert!(!same_plan(&first, &with_optional));
        let overridden = dr
            .plan(&["c"], &Inputs::new(), &Overrides::new().set("b", 1_i64))
            .unwrap();
        assert!(!same_plan(&first, &overridden));
        assert_eq!(dr.plans.len(), 3);
    }

    #[test]
    fn failed_requests_are_not_cached() {
        let dr = driver();
        assert!(dr.plan(&["c"], &Inputs::new(), &Overrides::new()).is_err());
        assert!(
            dr.plan(&["nope"], &Inputs::new(), &Overrides::new())
                .is_err()
        );
        assert_eq!(dr.plans.len(), 0);
    }

    #[test]
    fn the_plan_cache_stays_bounded_and_keeps_the_recently_used_plans() {
        let dr = driver();
        // A different (ignored) extra input each time: a new request shape.
        let shape = |i: usize| {
            Inputs::new()
                .set("a", 1_i64)
                .set(format!("extra{i}"), 0_i64)
        };
        let first = dr.plan(&["c"], &shape(0), &Overrides::new()).unwrap();
        for i in 1..=MAX_PLANS + 300 {
            dr.plan(&["c"], &shape(i), &Overrides::new()).unwrap();
            // The first shape, used all along, stays.
            let again = dr.plan(&["c"], &shape(0), &Overrides::new()).unwrap();
            assert!(same_plan(&first, &again), "re-planned after {i} shapes");
        }
        assert!(dr.plans.len() <= MAX_PLANS);
        assert!(dr.plans.len() > MAX_PLANS / 2);
    }

    #[test]
    fn a_cached_plan_runs_with_new_values() {
        let dr = driver();
        for a in 0..3_i64 {
            let out = dr.execute(&["c"], Inputs::new().set("a", a)).unwrap();
            assert_eq!(out.get::<i64>("c").unwrap(), &(a + 1));
        }
    }

    #[test]
    fn config_merges_with_later_keys_winning() {
        let dr = Driver::builder()
            .with_nodes([Node::builder("n")
                .param::<i64>("k")
                .build(|x: &Args| Ok(*x.get::<i64>(0)?))])
            .with_config(Config::new().set("k", 1_i64))
            .with_config(Config::new().set("k", 2_i64))
            .build()
            .unwrap();
        let out = dr.execute(&["n"], Inputs::new()).unwrap();
        assert_eq!(out.get::<i64>("n").unwrap(), &2);
    }
}
