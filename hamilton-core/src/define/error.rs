//! Every way a dataflow can be misused or fail, as typed errors whose messages name the node, the
//! parameter, what was expected, what was found, and the fix.

use std::fmt;

use crate::node::NodeError;

/// The error type of hamilton-core.
///
/// Problems found while building ([`Error::Build`]) or while checking a request
/// ([`Error::Request`]) are collected and reported together; the others stop one run.
///
/// ```
/// use hamilton_core::{Driver, Error, Inputs, Module, node::{Node, Args}};
/// let dr = Driver::builder()
///     .with_modules([Module::from_nodes("m", [Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(*x.get::<i64>(0)?))])])
///     .build()
///     .unwrap();
/// let err = dr.execute(&["c"], Inputs::new()).unwrap_err();
/// assert!(matches!(err, Error::Request(_)));
/// assert!(err.to_string().contains("unknown output `c`"));
/// ```
///
/// `Debug` prints the same text as `Display`, followed by the causes not already in it (as
/// `anyhow` does), so `fn main() -> Result<(), hamilton_core::Error>` shows a readable message;
/// `{:#?}` shows the structure. A wrapped error's own message is part of the text
/// (`node `x` failed: <its message>`), so [`source`](std::error::Error::source) skips it and
/// starts at its cause; the node's own error is still in the variant's `source` field.
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(*x.get::<i64>(0)?))])
///     .build()
///     .unwrap();
/// let err = dr.execute(&["b"], Inputs::new()).unwrap_err();
/// assert_eq!(format!("{err:?}"), err.to_string());
/// assert!(format!("{err:#?}").starts_with("Request("));
/// ```
#[non_exhaustive]
pub enum Error {
    /// The dataflow is wired wrongly; every problem found is listed.
    Build(Vec<BuildError>),
    /// The request (outputs, inputs, overrides) cannot run; every problem found is listed.
    Request(Vec<RequestError>),
    /// A node returned an error.
    NodeFailed {
        /// The node that failed.
        node: String,
        /// The node's own error.
        source: NodeError,
    },
    /// A node panicked. The run was abandoned; the driver stays usable.
    NodePanicked {
        /// The node that panicked.
        node: String,
        /// The panic message.
        message: String,
    },
    /// The run was cancelled through its [`Cancel`](crate::Cancel) handle: `node` and what
    /// comes after it in the plan did not start (nodes already running finished; queued tasks
    /// of workers were taken back).
    Cancelled {
        /// The first node that did not start.
        node: String,
    },
    /// A data check with [`Importance::Fail`](crate::check::Importance::Fail) failed; every
    /// failed check of the node is listed.
    DataCheck {
        /// The checked node.
        node: String,
        /// Every result, passed and failed.
        report: crate::check::CheckReport,
    },
    /// A node inside a fan-out's block failed for one item.
    FanOutItem {
        /// The fan-out node.
        fan_out: String,
        /// The index of the item (0-based).
        item: usize,
        /// What went wrong for that item.
        source: Box<Error>,
    },
    /// A lifecycle hook returned an error or panicked; the run was stopped.
    Hook {
        /// The hook's name.
        hook: String,
        /// The hook method: `before_run`, `before_node`, `around_node`, `around_async_node`,
        /// `after_node`, `after_run`.
        phase: &'static str,
        /// The node being run, for node phases.
        node: Option<String>,
        /// What the hook reported (or its panic message).
        message: String,
    },
    /// A value could not be converted to the type a parameter reads (e.g. a Polars `Series` of
    /// the wrong dtype where `&Float64Chunked` is wanted).
    Conversion {
        /// The consuming node.
        node: String,
        /// The parameter being fed.
        param: String,
        /// The type the parameter reads.
        expected: String,
        /// The type of the value given.
        found: String,
        /// What the conversion reported.
        message: String,
    },
    /// Turning a run's outputs into a result failed (for example hamilton-polars' `to_dataframe`
    /// on columns of unequal heights); `source` is the integration's own typed error.
    ResultBuilder {
        /// Who built the result (a crate or function name).
        builder: &'static str,
        /// The builder's error.
        source: NodeError,
    },
    /// An output was read as the wrong type.
    OutputType {
        /// The output.
        name: String,
        /// The type asked for.
        expected: String,
        /// The output's type.
        found: String,
    },
    /// An output was read that is not in the results.
    NoSuchOutput {
        /// The name asked for.
        name: String,
        /// The outputs there are, comma separated.
        available: String,
    },
    /// The command line (feature `cli`) cannot use a flag, an input's text or a file.
    #[cfg(feature = "cli")]
    Cli(Box<crate::cli_error::CliError>),
    /// A tracker database could not be read (feature `track`): `source` is a
    /// `hamilton_core::track::ReadError`, whose message names the file and the fix.
    TrackerRead {
        /// The database file.
        file: String,
        /// The reader's typed error (`track::ReadError`).
        source: NodeError,
    },
    /// Running on workers failed (feature `distributed`): the broker, the result store, a value
    /// that cannot cross, no worker for this dataflow, a task that ended its worker every time.
    /// The error is a `hamilton_core::remote::RemoteError`: `downcast_ref` reaches it.
    #[cfg(feature = "distributed")]
    Remote(NodeError),
    /// The UI could not be served (feature `ui`): the address is taken, or not this machine's.
    Serve {
        /// The address asked for.
        addr: String,
        /// What went wrong.
        source: NodeError,
    },
}

impl Error {
    /// The build problems, if this is [`Error::Build`].
    pub fn build_errors(&self) -> &[BuildError] {
        match self {
            Self::Build(errors) => errors,
            _ => &[],
        }
    }

    /// The request problems, if this is [`Error::Request`].
    pub fn request_errors(&self) -> &[RequestError] {
        match self {
            Self::Request(errors) => errors,
            _ => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(errors) => write!(
                f,
                "cannot build the dataflow: {} problem(s)\n{}",
                errors.len(),
                Bullets(errors)
            ),
            Self::Request(errors) => write!(
                f,
                "cannot run the request: {} problem(s)\n{}",
                errors.len(),
                Bullets(errors)
            ),
            Self::NodeFailed { node, source } => write!(f, "node `{node}` failed: {source}"),
            Self::NodePanicked { node, message } => write!(f, "node `{node}` panicked: {message}"),
            Self::Cancelled { node } => write!(
                f,
                "the run was cancelled before node `{node}` started: it and the nodes after it \
                 did not run and no output was returned; run the request again to compute them"
            ),
            Self::DataCheck { node, report } => {
                write!(f, "data checks of node `{node}` failed:")?;
                for r in report.failures() {
                    write!(f, "\n  - {r}")?;
                }
                Ok(())
            }
            Self::FanOutItem {
                fan_out,
                item,
                source,
            } => write!(f, "fan-out `{fan_out}`, item {item}: {source}"),
            Self::Hook {
                hook,
                phase,
                node,
                message,
            } => {
                write!(f, "hook `{hook}` failed in `{phase}`")?;
                if let Some(n) = node {
                    write!(f, " for node `{n}`")?;
                }
                write!(f, ": {message}")
            }
            Self::Conversion {
                node,
                param,
                expected,
                found,
                message,
            } => write!(
                f,
                "node `{node}`, parameter `{param}`: expected `{expected}`, found `{found}`: {message}"
            ),
            Self::ResultBuilder { builder, source } => write!(f, "{builder}: {source}"),
            Self::OutputType {
                name,
                expected,
                found,
            } => write!(
                f,
                "output `{name}` is a `{found}`, not a `{expected}`; read it as `{found}`"
            ),
            Self::NoSuchOutput { name, available } => write!(
                f,
                "`{name}` is not among the outputs ({available}); request it in `execute`"
            ),
            #[cfg(feature = "cli")]
            Self::Cli(e) => e.fmt(f),
            #[cfg(feature = "distributed")]
            Self::Remote(e) => e.fmt(f),
            Self::TrackerRead { source, .. } => write!(f, "{source}"),
            Self::Serve { addr, source } => write!(
                f,
                "cannot serve the UI on {addr}: {source}; pick a free port, e.g. `--addr 127.0.0.1:0` for any"
            ),
        }
    }
}

impl std::error::Error for Error {
    /// The first cause not already in the message: the wrapped error's own cause.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::NodeFailed { source, .. }
            | Self::ResultBuilder { source, .. }
            | Self::TrackerRead { source, .. }
            | Self::Serve { source, .. } => source.source(),
            Self::FanOutItem { source, .. } => source.source(),
            #[cfg(feature = "cli")]
            // The command line's messages already hold their direct cause.
            Self::Cli(e) => std::error::Error::source(&**e).and_then(|s| s.source()),
            #[cfg(feature = "distributed")]
            Self::Remote(e) => e.source(),
            _ => None,
        }
    }
}

impl fmt::Debug for Error {
    /// The `Display` text and its causes, one per line (as `anyhow` prints them); with `{:#?}`,
    /// the structure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return self.fmt_structure(f);
        }
        write!(f, "{self}")?;
        let causes: Vec<String> =
            std::iter::successors(std::error::Error::source(self), |e| e.source())
                .map(|e| e.to_string())
                .collect();
        if !causes.is_empty() {
            f.write_str("\n\nCaused by:")?;
            for (i, cause) in causes.iter().enumerate() {
                if causes.len() == 1 {
                    write!(f, "\n    {cause}")?;
                } else {
                    write!(f, "\n    {i}: {cause}")?;
                }
            }
        }
        Ok(())
    }
}

impl Error {
    fn fmt_structure(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(errors) => f.debug_tuple("Build").field(errors).finish(),
            Self::Request(errors) => f.debug_tuple("Request").field(errors).finish(),
            Self::NodeFailed { node, source } => f
                .debug_struct("NodeFailed")
                .field("node", node)
                .field("source", source)
                .finish(),
            Self::NodePanicked { node, message } => f
                .debug_struct("NodePanicked")
                .field("node", node)
                .field("message", message)
                .finish(),
            Self::Cancelled { node } => f.debug_struct("Cancelled").field("node", node).finish(),
            Self::DataCheck { node, report } => f
                .debug_struct("DataCheck")
                .field("node", node)
                .field("report", report)
                .finish(),
            Self::FanOutItem {
                fan_out,
                item,
                source,
            } => f
                .debug_struct("FanOutItem")
                .field("fan_out", fan_out)
                .field("item", item)
                .field("source", source)
                .finish(),
            Self::Hook {
                hook,
                phase,
                node,
                message,
            } => f
                .debug_struct("Hook")
                .field("hook", hook)
                .field("phase", phase)
                .field("node", node)
                .field("message", message)
                .finish(),
            Self::Conversion {
                node,
                param,
                expected,
                found,
                message,
            } => f
                .debug_struct("Conversion")
                .field("node", node)
                .field("param", param)
                .field("expected", expected)
                .field("found", found)
                .field("message", message)
                .finish(),
            Self::ResultBuilder { builder, source } => f
                .debug_struct("ResultBuilder")
                .field("builder", builder)
                .field("source", source)
                .finish(),
            Self::OutputType {
                name,
                expected,
                found,
            } => f
                .debug_struct("OutputType")
                .field("name", name)
                .field("expected", expected)
                .field("found", found)
                .finish(),
            Self::NoSuchOutput { name, available } => f
                .debug_struct("NoSuchOutput")
                .field("name", name)
                .field("available", available)
                .finish(),
            #[cfg(feature = "cli")]
            Self::Cli(e) => f.debug_tuple("Cli").field(e).finish(),
            #[cfg(feature = "distributed")]
            Self::Remote(e) => f.debug_tuple("Remote").field(e).finish(),
            Self::TrackerRead { file, source } => f
                .debug_struct("TrackerRead")
                .field("file", file)
                .field("source", source)
                .finish(),
            Self::Serve { addr, source } => f
                .debug_struct("Serve")
                .field("addr", addr)
                .field("source", source)
                .finish(),
        }
    }
}

#[cfg(feature = "cli")]
impl From<crate::cli_error::CliError> for Error {
    fn from(e: crate::cli_error::CliError) -> Self {
        Self::Cli(Box::new(e))
    }
}

/// A problem in the wiring of the dataflow, found by `build()`.
///
/// ```
/// use hamilton_core::BuildError;
/// let e = BuildError::Cycle {
///     path: vec!["a".into(), "b".into(), "a".into()],
///     at: vec!["module `m` (src/m.rs:3)".into(), "module `m` (src/m.rs:8)".into()],
/// };
/// assert_eq!(e.to_string(), "cycle: a (module `m` (src/m.rs:3)) -> b (module `m` (src/m.rs:8)) -> a; a node cannot depend on its own output, break the loop by renaming a parameter or removing an edge");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A module yielded no nodes.
    #[error("module `{module}` has no nodes: {reason}")]
    EmptyModule {
        /// The module's name.
        module: String,
        /// Why that happens and what to do.
        reason: String,
    },
    /// A function modifier (an option of `#[node(...)]`, or a [`Modifier`](crate::modifiers::Modifier)
    /// of a hand-built node) cannot be applied.
    #[error("node `{node}` ({at}), `{option}`: {problem}")]
    Modifier {
        /// The node (or function) carrying the modifier.
        node: String,
        /// Where it is defined.
        at: String,
        /// The option: `parameterize`, `extract_columns`, ...
        option: String,
        /// What is wrong, and the fix.
        problem: String,
    },
    /// Several `when` variants of one node match the config.
    #[error(
        "node `{name}`: variants {} all match the config; make their `when` conditions exclusive, or drop one",
        .variants.iter().map(|(function, at, when)| format!("`{function}` ({at}) with {when}")).collect::<Vec<_>>().join(" and ")
    )]
    ConflictingVariants {
        /// The shared node name.
        name: String,
        /// Each matching variant: function, where it is defined, its conditions.
        variants: Vec<(String, String, String)>,
    },
    /// A node other nodes need has no variant, because config keys its `when` conditions test
    /// are not set.
    #[error(
        "node `{name}` is needed by {} but none of its variants is used: {}; the config has no {}. Set {} in the config, or mark one variant `#[node(default)]`",
        .needed_by.iter().map(|(n, at)| format!("`{n}` ({at})")).collect::<Vec<_>>().join(", "),
        .variants.iter().map(|(function, at, when)| format!("`{function}` ({at}) needs {when}")).collect::<Vec<_>>().join(", "),
        .keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
        if .keys.len() == 1 { "it" } else { "them" }
    )]
    MissingConfig {
        /// The node name.
        name: String,
        /// The nodes reading it, and where each is defined.
        needed_by: Vec<(String, String)>,
        /// Each variant: function, where it is defined, its conditions.
        variants: Vec<(String, String, String)>,
        /// The config keys that are not set.
        keys: Vec<String>,
    },
    /// Two nodes share a name.
    #[error(
        "node `{name}` is defined twice: {first} and {second}; rename one (`#[node(name = \"..\")]`), or call `allow_module_overrides()` to let the later module win"
    )]
    DuplicateNode {
        /// The shared name.
        name: String,
        /// Where the first definition is.
        first: String,
        /// Where the second definition is.
        second: String,
    },
    /// A parameter reads a type that its producer does not produce.
    #[error(
        "node `{consumer}` ({consumer_at}), parameter `{param}`: expects `{expected}`, but node `{param}` ({producer_at}) produces `{found}`; change one of the two types so they agree"
    )]
    EdgeTypeMismatch {
        /// The consuming node.
        consumer: String,
        /// Where the consumer is defined.
        consumer_at: String,
        /// The parameter (= the producer's name).
        param: String,
        /// The type the parameter reads.
        expected: String,
        /// The type the producer produces.
        found: String,
        /// Where the producer is defined.
        producer_at: String,
    },
    /// Several nodes read one input at different types.
    #[error(
        "input `{input}` is read at different types: {}; make the parameters agree on one type",
        .readers.iter().map(|(node, ty)| format!("node `{node}` wants `{ty}`")).collect::<Vec<_>>().join(", ")
    )]
    InputTypeConflict {
        /// The input.
        input: String,
        /// Each reader and the type it wants.
        readers: Vec<(String, String)>,
    },
    /// The dataflow has a cycle.
    #[error(
        "cycle: {}; a node cannot depend on its own output, break the loop by renaming a parameter or removing an edge",
        .path.iter().enumerate().map(|(i, n)| match .at.get(i) {
            Some(at) if i + 1 < .path.len() => format!("{n} ({at})"),
            _ => n.clone(),
        }).collect::<Vec<_>>().join(" -> ")
    )]
    Cycle {
        /// The nodes of the cycle, first repeated at the end.
        path: Vec<String>,
        /// Where each node of the cycle is defined, in the order of `path` (without the repeated
        /// first node): its module and `file:line`.
        at: Vec<String>,
    },
    /// A config key has the name of a node.
    #[error(
        "config key `{key}` has the name of node `{key}` ({node_at}); rename the key or the node (config never silently replaces a node; use an override to replace a node for one run)"
    )]
    ConfigShadowsNode {
        /// The key.
        key: String,
        /// Where the node is defined.
        node_at: String,
    },
    /// A `Collect` parameter reads a node that is not downstream of any fan-out.
    #[error(
        "node `{node}`, parameter `{param}`: `Collect` gathers the per-item results of a fan-out, but `{param}` is not downstream of any node returning `Parallel<T>`; read it as a plain value, or make an upstream node fan out"
    )]
    CollectWithoutFanOut {
        /// The collecting node.
        node: String,
        /// Its `Collect` parameter.
        param: String,
    },
    /// A `Collect` parameter reads the fan-out node itself.
    #[error(
        "node `{node}` collects fan-out `{fan_out}` directly: there is nothing per item to gather; read `&Parallel<T>` instead, or add a node between them"
    )]
    CollectOfFanOutItself {
        /// The collecting node.
        node: String,
        /// The fan-out node.
        fan_out: String,
    },
    /// A fan-out inside another fan-out's block.
    #[error(
        "fan-out `{inner}` is inside the block of fan-out `{outer}`: nested fan-outs are not supported; collect `{outer}` before fanning out again"
    )]
    NestedFanOut {
        /// The enclosing fan-out.
        outer: String,
        /// The nested fan-out.
        inner: String,
    },
    /// A node reads the items of two fan-outs.
    #[error(
        "node `{node}` reads the items of two fan-outs, `{first}` and `{second}`; a node can run per item of one fan-out only: collect one of them first"
    )]
    TwoFanOuts {
        /// The node.
        node: String,
        /// One fan-out.
        first: String,
        /// The other.
        second: String,
    },
    /// A node collects a fan-out's results while being inside that fan-out's block.
    #[error(
        "node `{node}` both runs per item of fan-out `{fan_out}` and collects it; collect in a node that reads no per-item value of `{fan_out}`"
    )]
    CollectInsideBlock {
        /// The node.
        node: String,
        /// The fan-out.
        fan_out: String,
    },
    /// A parameter no node produces has a name close to a node's: most likely a typo. Reported
    /// at build in strict mode ([`DriverBuilder::with_inputs`](crate::DriverBuilder::with_inputs));
    /// otherwise the missing input's error at execute names the node.
    #[error(
        "node `{node}` ({node_at}), parameter `{param}`: no node produces `{param}` and it is not a declared input; did you mean node `{suggestion}` ({suggestion_at})? Rename the parameter to `{suggestion}`, or add `{param}` to `with_inputs([..])` if it is an input"
    )]
    MisspeltDependency {
        /// The node reading the parameter.
        node: String,
        /// Where that node is defined.
        node_at: String,
        /// The parameter.
        param: String,
        /// The node whose name is close.
        suggestion: String,
        /// Where that node is defined (`file:line`).
        suggestion_at: String,
    },
    /// In strict mode ([`DriverBuilder::with_inputs`](crate::DriverBuilder::with_inputs)), a
    /// required parameter that no node produces and that is not a declared input.
    #[error(
        "node `{node}` ({node_at}), parameter `{param}`: expects a `{ty}` input, but no node produces `{param}` and the declared inputs do not list it; add `{param}` to `with_inputs([..])`, or add a node named `{param}`"
    )]
    UndeclaredInput {
        /// The node reading the parameter.
        node: String,
        /// Where that node is defined.
        node_at: String,
        /// The parameter.
        param: String,
        /// The type it reads.
        ty: String,
    },
    /// A config key that `when` conditions test but that no config sets, so their variants
    /// never match (a `default` variant, if any, is used). A warning at build, an error in
    /// strict mode ([`DriverBuilder::with_inputs`](crate::DriverBuilder::with_inputs),
    /// [`strict`](crate::DriverBuilder::strict)).
    #[error(
        "config key `{key}` is tested by `when` of {} but no config sets it{}",
        .tested_by.iter().map(|(function, at)| format!("`{function}` ({at})")).collect::<Vec<_>>().join(", "),
        match .suggestion {
            Some(s) => format!("; did you mean config key `{s}`? Fix the spelling of one of the two"),
            None => format!("; set `{key}` in the config"),
        }
    )]
    UnsetConfigKey {
        /// The key.
        key: String,
        /// The functions whose conditions test it, and where each is defined.
        tested_by: Vec<(String, String)>,
        /// The config key closest to it.
        suggestion: Option<String>,
    },
    /// A config key that no node reads and no `when` condition tests (checked unless a
    /// `when_fn` or `resolve` reads the config). A warning at build, an error in strict mode.
    #[error(
        "config key `{key}` is read by no node and tested by no `when` condition{}",
        match .suggestion {
            Some(s) => format!("; did you mean `{s}`? Fix the spelling of the key"),
            None => "; remove it from the config".to_string(),
        }
    )]
    UnreadConfigKey {
        /// The key.
        key: String,
        /// The closest name a node reads or a condition tests.
        suggestion: Option<String>,
    },
    /// With a remote executor (feature `distributed`), a value that must cross between the
    /// driver and a worker but whose type has no encoder.
    #[error(
        "node `{node}` ({node_at}) {role} `{ty}`, which cannot be sent between the driver and its workers; {fix}"
    )]
    CannotCross {
        /// The node.
        node: String,
        /// Where it is defined.
        node_at: String,
        /// What crosses: "produces" (its value), or "reads through parameter `p`".
        role: String,
        /// The value's type.
        ty: String,
        /// How to give the type an encoder.
        fix: String,
    },
    /// With the result cache on, a node whose value type the cache cannot fingerprint or
    /// store: it runs on every run, and so does every node reading it. A warning at build (and
    /// a note of the cache), an error in strict mode
    /// ([`DriverBuilder::strict`](crate::DriverBuilder::strict)).
    #[error(
        "node `{node}` ({node_at}) produces `{ty}`, which the cache can neither fingerprint nor store, so it runs on every run and so does every node reading it; {fix}"
    )]
    UncachedType {
        /// The node.
        node: String,
        /// Where it is defined.
        node_at: String,
        /// Its value type.
        ty: String,
        /// What makes it cacheable.
        fix: String,
    },
    /// The thread pool of the parallel executor could not be created.
    #[error(
        "cannot start the parallel executor's thread pool: {message}; lower the thread count or run sequentially"
    )]
    ThreadPool {
        /// What the pool builder reported.
        message: String,
    },
    /// A config value is read as an input at another type.
    #[error(
        "config key `{key}` holds a `{found}`, but node `{consumer}` reads parameter `{key}` as `{expected}`; set the config value as a `{expected}`"
    )]
    ConfigType {
        /// The key.
        key: String,
        /// The node reading it.
        consumer: String,
        /// The type the parameter reads.
        expected: String,
        /// The type of the config value.
        found: String,
    },
}

/// A problem with one request: its outputs, inputs or overrides.
///
/// ```
/// use hamilton_core::RequestError;
/// let e = RequestError::UnknownOutput { name: "spnd".into(), suggestion: Some("spend".into()) };
/// assert_eq!(e.to_string(), "unknown output `spnd`; did you mean `spend`?");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// An output that no node, input or config key provides.
    #[error("unknown output `{name}`{}", Suggestion(.suggestion))]
    UnknownOutput {
        /// The name requested.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// An output that is not in the dataflow but is a `#[node]` of a module that was not
    /// passed to the driver.
    #[error(
        "unknown output `{name}`: `{name}` is a node of module `{module}` ({at}), which was not passed to the driver; add its `MODULE` (declared by `hamilton_core::module!()` in `{module}`) to `with_modules([..])`"
    )]
    NodeOfUnpassedModule {
        /// The output requested.
        name: String,
        /// The module path of the node's function.
        module: String,
        /// Where the function is defined (`file:line`).
        at: String,
    },
    /// A name asked about that is not in the dataflow.
    #[error("unknown node `{name}`{}", Suggestion(.suggestion))]
    UnknownNode {
        /// The name asked about.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// An override for a name that is not in the dataflow.
    #[error("unknown override `{name}`{}", Suggestion(.suggestion))]
    UnknownOverride {
        /// The name overridden.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// A required input was not given.
    #[error(
        "missing input `{name}` of type `{ty}`, needed by {}; {}",
        Names(.needed_by),
        match .did_you_mean {
            Some((node, at)) => format!("did you mean node `{node}` ({at})? Rename the parameter to `{node}`; if `{name}` is an input, pass it with `Inputs::new().set(\"{name}\", ..)`"),
            None => format!("pass it with `Inputs::new().set(\"{name}\", ..)`"),
        }
    )]
    MissingInput {
        /// The input.
        name: String,
        /// Its type.
        ty: String,
        /// The nodes of this run that read it.
        needed_by: Vec<String>,
        /// A node whose name is close to the input's, and where it is defined (`file:line`): the
        /// parameter is likely a typo of it.
        did_you_mean: Option<(String, String)>,
    },
    /// An input has the wrong type.
    #[error(
        "input `{name}` is a `{found}`, but {} read(s) it as `{expected}`; pass a `{expected}`",
        Names(.needed_by)
    )]
    InputType {
        /// The input.
        name: String,
        /// The type the readers want.
        expected: String,
        /// The type given.
        found: String,
        /// The nodes that read it.
        needed_by: Vec<String>,
    },
    /// An override has the wrong type.
    #[error(
        "override `{name}` is a `{found}`, but node `{name}` produces `{expected}`; pass a `{expected}`"
    )]
    OverrideType {
        /// The node overridden.
        name: String,
        /// The node's type.
        expected: String,
        /// The type given.
        found: String,
    },
    /// An input was given for a name a node computes.
    #[error(
        "`{name}` was given as an input, but node `{name}` ({at}) computes it; pass it as an override to replace the node for this run"
    )]
    InputIsComputed {
        /// The name.
        name: String,
        /// Where the node is defined.
        at: String,
    },
    /// The request needs `async` nodes but was run with a sync `execute`.
    #[error(
        "{} async; run the request with `execute_async` (under any async runtime)",
        match .nodes.len() { 1 => format!("node `{}` is", .nodes[0]), _ => format!("nodes {} are", .nodes.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")) }
    )]
    NeedsAsync {
        /// The async nodes of the request.
        nodes: Vec<String>,
    },
    /// A node inside a fan-out's block was requested or overridden.
    #[error(
        "`{name}` runs once per item of fan-out `{fan_out}`, so it has no single value to {action}; {action} the node that collects it instead"
    )]
    InsideFanOut {
        /// The node.
        name: String,
        /// The fan-out whose block holds it.
        fan_out: String,
        /// `request` or `override`.
        action: &'static str,
    },
    /// An input was given for a config key.
    #[error(
        "`{name}` is both a config key and an input; config is fixed when the driver is built, so drop the input or the config key"
    )]
    InputShadowsConfig {
        /// The name.
        name: String,
    },
    /// A [prepared request](crate::PreparedRequest) was given other inputs than those it was
    /// prepared for.
    #[error(
        "the inputs given are not those the request was prepared for ({}){}{}; pass exactly the prepared inputs, or prepare a request for these names with `Driver::prepare`",
        Quoted(.prepared),
        if .unexpected.is_empty() { String::new() } else { format!("; not prepared for: {}", Quoted(.unexpected)) },
        if .missing.is_empty() { String::new() } else { format!("; missing: {}", Quoted(.missing)) }
    )]
    InputsNotPrepared {
        /// The input names the request was prepared for.
        prepared: Vec<String>,
        /// Inputs given that it was not prepared for.
        unexpected: Vec<String>,
        /// Prepared inputs that were not given.
        missing: Vec<String>,
    },
}

/// Names, each in backquotes, comma separated (`none` for no name).
struct Quoted<'a>(&'a [String]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no inputs");
        }
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{name}`")?;
        }
        Ok(())
    }
}

struct Bullets<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for Bullets<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  - {item}")?;
        }
        Ok(())
    }
}

struct Suggestion<'a>(&'a Option<String>);

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "; did you mean `{s}`?"),
            None => f.write_str("; list the available names with `Driver::nodes()`"),
        }
    }
}

struct Names<'a>(&'a [String]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted: Vec<String> = self.0.iter().map(|n| format!("`{n}`")).collect();
        match quoted.len() {
            0 => f.write_str("the request"),
            1 => write!(f, "node {}", quoted[0]),
            _ => write!(f, "nodes {}", quoted.join(", ")),
        }
    }
}

/// The closest of `candidates` to `name`, if one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_a_one_letter_typo() {
        assert_eq!(
            did_you_mean("spnd", ["spend", "signups"]).as_deref(),
            Some("spend")
        );
    }

    #[test]
    fn did_you_mean_ignores_unrelated_names() {
        assert_eq!(did_you_mean("zzz", ["spend", "signups"]), None);
    }

    #[test]
    fn build_error_lists_every_problem() {
        let e = Error::Build(vec![
            BuildError::Cycle {
                path: vec!["a".into(), "a".into()],
                at: vec!["nodes built by hand".into()],
            },
            BuildError::EmptyModule {
                module: "m".into(),
                reason: "r".into(),
            },
        ]);
        let text = e.to_string();
        assert!(text.starts_with(
            "cannot build the dataflow: 2 problem(s)\n  - cycle: a (nodes built by hand) -> a"
        ));
        assert!(text.contains("\n  - module `m` has no nodes: r"));
    }
}
