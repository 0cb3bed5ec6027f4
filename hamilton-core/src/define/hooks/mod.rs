//! Lifecycle hooks: code that runs around a run and around each node, layered in a defined
//! order.
//!
//! Any number of hooks can be added with
//! [`DriverBuilder::with_hook`](crate::DriverBuilder::with_hook). `before_*` methods run in the
//! order the hooks were added, `after_*` methods in the reverse order, and `around_node` wraps
//! with the first hook outermost, like layers of middleware. A hook's error or panic ends the run
//! with [`Error::Hook`](crate::Error::Hook), naming the hook, the phase and the node; it never
//! leaves a half-updated run behind. With no hooks, none of this costs anything: the executor
//! does not even read the clock.
//!
//! Every executor calls the same methods. Sync nodes are wrapped by `around_node`, `async` nodes
//! (under [`Driver::execute_async`](crate::Driver::execute_async)) by `around_async_node`, whose
//! default simply awaits the node. Nodes inside a fan-out's block (see [`fanout`](crate::fanout))
//! get `before_node`, `after_node` and their `around_*` once per item, with
//! [`NodeContext::item`] telling which item; a hook failing there ends the run with
//! [`Error::Hook`](crate::Error::Hook) too. Items may run at once (parallel or async executor),
//! so a hook can be called for several items concurrently.

mod builtin;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::node::NodeError;
use crate::value::Value;

pub use builtin::{NodeStatus, PrintHook, RunRecord, RunRecorder, TimingReport};

#[cfg(feature = "progress")]
pub use builtin::ProgressBar;
#[cfg(feature = "tracing")]
pub use builtin::TracingHook;

impl<'a> RunInfo<'a> {
    /// A run as hooks see it, on the sequential executor (for testing a hook on its own; set
    /// the other fields after).
    pub fn new(run_id: u64, outputs: &'a [&'a str], nodes: &'a [&'a str]) -> Self {
        Self {
            run_id,
            outputs,
            nodes,
            executor: "sequential",
        }
    }
}

/// The tag lists of a context made by [`NodeContext::new`].
static NO_TAG_LISTS: BTreeMap<String, Vec<String>> = BTreeMap::new();

impl<'a> NodeContext<'a> {
    /// A node named `name` with `tags`, the first of one node of run `run_id`, outside any
    /// fan-out, with no parameters (for testing a hook on its own; set the other fields after).
    pub fn new(run_id: u64, name: &'a str, tags: &'a BTreeMap<String, String>) -> Self {
        Self {
            run_id,
            name,
            tags,
            tag_lists: &NO_TAG_LISTS,
            input_types: &[],
            output_type: "",
            position: 0,
            total: 1,
            item: None,
            worker: None,
            args: None,
        }
    }
}

/// The error a hook returns.
pub type HookError = Box<dyn std::error::Error + Send + Sync>;

/// A run, as hooks see it.
///
/// ```
/// use hamilton_core::hooks::RunInfo;
/// let run = RunInfo::new(7, &["d"], &["c", "d"]);
/// assert_eq!((run.nodes.len(), run.executor), (2, "sequential"));
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RunInfo<'a> {
    /// Identifies the run among the driver's runs (increasing).
    pub run_id: u64,
    /// The requested outputs, in request order.
    pub outputs: &'a [&'a str],
    /// The nodes the run will compute, in execution order, each once: a node inside a fan-out's
    /// block is listed where its block runs, although it runs once per item.
    pub nodes: &'a [&'a str],
    /// What runs the nodes: `"sequential"`, `"parallel"` (a driver built
    /// [`with_parallelism`](crate::DriverBuilder::with_parallelism)) or `"async"`
    /// ([`Driver::execute_async`](crate::Driver::execute_async)).
    pub executor: &'static str,
}

/// One node about to run or just run, as hooks see it.
///
/// ```
/// use hamilton_core::hooks::NodeContext;
/// let tags = Default::default();
/// let mut n = NodeContext::new(1, "c", &tags);
/// n.total = 2;
/// assert_eq!((n.name, n.position, n.item), ("c", 0, None));
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct NodeContext<'a> {
    /// The run.
    pub run_id: u64,
    /// The node's name.
    pub name: &'a str,
    /// The node's tags with one value.
    pub tags: &'a BTreeMap<String, String>,
    /// The node's tags with several values (`tag(team = ["a", "b"])`).
    pub tag_lists: &'a BTreeMap<String, Vec<String>>,
    /// Each parameter's name and the type it reads.
    pub input_types: &'a [(&'a str, &'static str)],
    /// The type the node produces.
    pub output_type: &'static str,
    /// The node's position in the run (0-based): its index in [`RunInfo::nodes`]. Every item of a
    /// fan-out's block shares its node's position.
    pub position: usize,
    /// The number of nodes the run computes (the length of [`RunInfo::nodes`]).
    pub total: usize,
    /// For a node inside a fan-out's block, the index of the item it runs for (0-based, in the
    /// order the fan-out yielded them); `None` for every other node.
    pub item: Option<usize>,
    /// The worker process that ran the node, for a node run on a worker by a remote executor
    /// (feature `distributed`); `None` for a node run in the driver's process.
    pub worker: Option<&'a str>,
    /// The node's arguments, in parameter order (read them with
    /// [`Args::inspect`](crate::node::Args::inspect)); `None` where the executor does not offer them
    /// (async nodes).
    pub args: Option<&'a crate::args::Args<'a>>,
}

/// An `async` node's pending result, as [`Hook::around_async_node`] receives and returns it.
pub type AsyncNodeRun<'a> = Pin<Box<dyn Future<Output = Result<Value, NodeError>> + Send + 'a>>;

/// How one node's execution ended.
#[derive(Debug)]
pub enum NodeOutcome<'a> {
    /// The node produced a value.
    Success {
        /// The value.
        value: &'a Value,
        /// How long the node took (around-hooks included).
        duration: Duration,
    },
    /// The node returned an error or panicked.
    Failure {
        /// What went wrong.
        error: &'a str,
        /// How long the node took before failing.
        duration: Duration,
    },
}

impl NodeOutcome<'_> {
    /// How long the node took.
    pub fn duration(&self) -> Duration {
        match self {
            Self::Success { duration, .. } | Self::Failure { duration, .. } => *duration,
        }
    }

    /// Whether the node produced a value.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success { .. })
    }
}

/// How a run ended.
#[derive(Debug)]
pub enum RunOutcome<'a> {
    /// Every node ran.
    Success {
        /// How long the run took.
        duration: Duration,
    },
    /// The run stopped at an error.
    Failure {
        /// The error.
        error: &'a crate::Error,
        /// How long the run took before stopping.
        duration: Duration,
    },
}

/// Code run around a run and around each node. Every method has a default that does nothing, so
/// a hook implements only what it needs.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use hamilton_core::hooks::{Hook, HookError, NodeContext};
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
///
/// struct CountNodes(Arc<AtomicUsize>);
/// impl Hook for CountNodes {
///     fn before_node(&self, _node: &NodeContext<'_>) -> Result<(), HookError> {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         Ok(())
///     }
/// }
///
/// let count = Arc::new(AtomicUsize::new(0));
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
///     .with_hook(CountNodes(count.clone()))
///     .build()
///     .unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// assert_eq!(count.load(Ordering::Relaxed), 1);
/// ```
pub trait Hook: Send + Sync + 'static {
    /// The hook's name in error messages.
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// Before any node of a run.
    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        let _ = run;
        Ok(())
    }

    /// After a run, whether it succeeded or not.
    fn after_run(&self, run: &RunInfo<'_>, outcome: &RunOutcome<'_>) -> Result<(), HookError> {
        let _ = (run, outcome);
        Ok(())
    }

    /// Before a node runs.
    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        let _ = node;
        Ok(())
    }

    /// After a node ran, whether it succeeded or not.
    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        let _ = (node, outcome);
        Ok(())
    }

    /// Wraps a sync node's execution; call `run` to execute the node (or the next hook's
    /// wrapper). `async` nodes go through [`around_async_node`](Self::around_async_node) instead.
    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        let _ = node;
        run()
    }

    /// Wraps an `async` node's execution: `run` is the node's pending result (or the next hook's
    /// wrapper); return it, or a future of your own that awaits it. The default returns `run`
    /// unchanged, at no cost.
    ///
    /// The method is called once, when the node starts, from the last hook added to the first,
    /// since each hook receives the future of the hooks inside it; the futures then nest with the
    /// first hook outermost, as `around_node` does. Read what you need from `node` in the method
    /// (the returned future cannot borrow it) and put the code that surrounds the node inside the
    /// future. A panic in that code is reported as [`Error::Hook`](crate::Error::Hook).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use hamilton_core::hooks::{AsyncNodeRun, Hook, NodeContext};
    /// use hamilton_core::{Driver, Inputs, node::{AsyncArgs, Node}};
    ///
    /// /// Logs when each async node starts and finishes.
    /// struct AsyncLog(Arc<Mutex<Vec<String>>>);
    /// impl Hook for AsyncLog {
    ///     fn around_async_node<'a>(&'a self, node: &NodeContext<'_>, run: AsyncNodeRun<'a>) -> AsyncNodeRun<'a> {
    ///         let name = node.name.to_string();
    ///         Box::pin(async move {
    ///             self.0.lock().unwrap().push(format!("start {name}"));
    ///             let result = run.await;
    ///             self.0.lock().unwrap().push(format!("end {name}"));
    ///             result
    ///         })
    ///     }
    /// }
    ///
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("fetched").build_async(|_: AsyncArgs| async { Ok(7_i64) })])
    ///     .with_hook(AsyncLog(log.clone()))
    ///     .build()
    ///     .unwrap();
    /// let run = dr.execute_async(&["fetched"], Inputs::new());
    /// tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run).unwrap();
    /// assert_eq!(*log.lock().unwrap(), ["start fetched", "end fetched"]);
    /// ```
    fn around_async_node<'a>(
        &'a self,
        node: &NodeContext<'_>,
        run: AsyncNodeRun<'a>,
    ) -> AsyncNodeRun<'a> {
        let _ = node;
        run
    }
}
