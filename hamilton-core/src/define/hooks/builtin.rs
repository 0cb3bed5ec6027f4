//! Hooks that come with the crate: timing, printing, and (behind features) a progress bar and
//! `tracing` spans.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome};

/// Records how long each node of the last run took; read it with
/// [`durations`](Self::durations) (slowest first) or print it (`Display`).
///
/// A node inside a fan-out's block runs once per item; the report holds it once, with the sum
/// of its items' durations (which can exceed the wall-clock time when items run at once) and
/// the number of items ([`items`](Self::items)).
///
/// Cloning gives another handle to the same record, so keep one and hand the other to the
/// driver.
///
/// ```
/// use hamilton_core::hooks::TimingReport;
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// let timing = TimingReport::new();
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
///     .with_hook(timing.clone())
///     .build()
///     .unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// assert_eq!(timing.durations()[0].0, "b");
/// assert!(timing.to_string().contains("b"));
/// ```
#[derive(Clone, Default)]
pub struct TimingReport {
    last: Arc<Mutex<Vec<NodeTiming>>>,
}

/// One node's time in a [`TimingReport`].
struct NodeTiming {
    name: String,
    /// The node's duration; for a node inside a fan-out's block, the sum over its items.
    duration: Duration,
    /// Whether every run of the node succeeded.
    succeeded: bool,
    /// How many items of a fan-out ran the node (`None` outside blocks).
    items: Option<usize>,
}

impl TimingReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<NodeTiming>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Each node of the last run and its duration, slowest first. A node inside a fan-out's
    /// block appears once, with the sum of its items' durations.
    pub fn durations(&self) -> Vec<(String, Duration)> {
        let mut v: Vec<(String, Duration)> = self
            .lock()
            .iter()
            .map(|t| (t.name.clone(), t.duration))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// How many items of a fan-out ran each node inside a block in the last run, by node name.
    ///
    /// ```
    /// use hamilton_core::fanout::Collect;
    /// use hamilton_core::hooks::TimingReport;
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let timing = TimingReport::new();
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("numbers").build_fan_out(|_: &Args| Ok(vec![1_u64, 2, 3])),
    ///     Node::builder("squared").param::<u64>("numbers").build(|a: &Args| Ok(a.get::<u64>(0)?.pow(2))),
    ///     Node::builder("total").collect_param::<u64>("squared").build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
    /// ]).with_hook(timing.clone()).build().unwrap();
    /// dr.execute(&["total"], Inputs::new()).unwrap();
    /// assert_eq!(timing.items(), [("squared".to_string(), 3)]);
    /// ```
    pub fn items(&self) -> Vec<(String, usize)> {
        self.lock()
            .iter()
            .filter_map(|t| t.items.map(|n| (t.name.clone(), n)))
            .collect()
    }

    /// The total of the last run's node durations.
    pub fn total(&self) -> Duration {
        self.lock().iter().map(|t| t.duration).sum()
    }
}

impl std::fmt::Display for TimingReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.total().as_secs_f64().max(f64::MIN_POSITIVE);
        let notes: Vec<(String, String)> = self
            .lock()
            .iter()
            .map(|t| {
                let mut note = String::new();
                if let Some(n) = t.items {
                    let _ = write!(note, " ({n} items)");
                }
                if !t.succeeded {
                    note.push_str(" (failed)");
                }
                (t.name.clone(), note)
            })
            .collect();
        writeln!(f, "{:<40} {:>12} {:>7}", "node", "time", "share")?;
        for (name, d) in self.durations() {
            let note = notes
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, note)| note.as_str());
            writeln!(
                f,
                "{:<40} {:>12} {:>6.1}%{note}",
                name,
                format!("{:.3?}", d),
                100.0 * d.as_secs_f64() / total
            )?;
        }
        Ok(())
    }
}

impl Hook for TimingReport {
    fn name(&self) -> &str {
        "TimingReport"
    }

    fn before_run(&self, _run: &RunInfo<'_>) -> Result<(), HookError> {
        self.lock().clear();
        Ok(())
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        let mut timings = self.lock();
        // Every item of a block node adds to the node's one entry.
        if node.item.is_some()
            && let Some(t) = timings
                .iter_mut()
                .find(|t| t.items.is_some() && t.name == node.name)
        {
            t.duration += outcome.duration();
            t.succeeded &= outcome.is_success();
            t.items = t.items.map(|n| n + 1);
            return Ok(());
        }
        timings.push(NodeTiming {
            name: node.name.to_string(),
            duration: outcome.duration(),
            succeeded: outcome.is_success(),
            items: node.item.map(|_| 1),
        });
        Ok(())
    }
}

type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// Prints a line before and after each node (to stderr, or to a sink of your choice), with the
/// duration and status; at `verbose`, also the types read and produced. A node inside a fan-out's
/// block prints its lines once per item, naming the item (`running node `x` for item 2 (3/5)`).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use hamilton_core::hooks::PrintHook;
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// let lines = Arc::new(Mutex::new(Vec::new()));
/// let sink = lines.clone();
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
///     .with_hook(PrintHook::new().to(move |line| sink.lock().unwrap().push(line.to_string())))
///     .build()
///     .unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// let lines = lines.lock().unwrap();
/// assert_eq!(lines[0], "running node `b` (1/1)");
/// assert!(lines[1].starts_with("finished node `b` in "));
/// ```
#[derive(Clone)]
pub struct PrintHook {
    sink: Sink,
    verbose: bool,
}

impl Default for PrintHook {
    fn default() -> Self {
        Self::new()
    }
}

impl PrintHook {
    /// Prints to stderr.
    pub fn new() -> Self {
        Self {
            sink: Arc::new(|line| eprintln!("{line}")),
            verbose: false,
        }
    }

    /// Sends each line to `sink` instead of stderr.
    pub fn to(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.sink = Arc::new(sink);
        self
    }

    /// Also prints the types each node reads and produces.
    pub fn verbose(mut self) -> Self {
        self.verbose = true;
        self
    }
}

impl Hook for PrintHook {
    fn name(&self) -> &str {
        "PrintHook"
    }

    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        let mut line = format!(
            "running node `{}`{} ({}/{})",
            node.name,
            for_item(node),
            node.position + 1,
            node.total
        );
        if self.verbose {
            let inputs: Vec<String> = node
                .input_types
                .iter()
                .map(|(n, t)| format!("{n}: {t}"))
                .collect();
            let _ = write!(line, " ({}) -> {}", inputs.join(", "), node.output_type);
        }
        (self.sink)(&line);
        Ok(())
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        let line = match outcome {
            NodeOutcome::Success { duration, value } => {
                let mut l = format!(
                    "finished node `{}`{} in {:.3?}",
                    node.name,
                    for_item(node),
                    duration
                );
                if self.verbose {
                    let _ = write!(l, ", produced a {}", value.type_name());
                }
                l
            }
            NodeOutcome::Failure { error, duration } => {
                format!(
                    "node `{}`{} failed after {:.3?}: {error}",
                    node.name,
                    for_item(node),
                    duration
                )
            }
        };
        (self.sink)(&line);
        Ok(())
    }

    fn after_run(&self, run: &RunInfo<'_>, outcome: &RunOutcome<'_>) -> Result<(), HookError> {
        if self.verbose {
            let line = match outcome {
                RunOutcome::Success { duration } => {
                    format!("run {} finished in {:.3?}", run.run_id, duration)
                }
                RunOutcome::Failure { duration, .. } => {
                    format!("run {} failed after {:.3?}", run.run_id, duration)
                }
            };
            (self.sink)(&line);
        }
        Ok(())
    }
}

/// ` for item i` for a node inside a fan-out's block, nothing otherwise.
fn for_item(node: &NodeContext<'_>) -> String {
    node.item
        .map(|i| format!(" for item {i}"))
        .unwrap_or_default()
}

/// A progress bar (indicatif) over the nodes of each run, drawn on stderr when it is a terminal.
///
/// Each node counts once: a node inside a fan-out's block advances the bar when its first item
/// (item 0) finishes, and its other items only show in the message.
///
/// ```
/// use hamilton_core::hooks::ProgressBar;
/// let _dr = hamilton_core::Driver::builder().with_hook(ProgressBar::new());
/// ```
#[cfg(feature = "progress")]
#[derive(Clone, Default)]
pub struct ProgressBar {
    bar: Arc<Mutex<Option<indicatif::ProgressBar>>>,
}

#[cfg(feature = "progress")]
impl ProgressBar {
    /// A progress bar hook.
    pub fn new() -> Self {
        Self::default()
    }
}

#[cfg(feature = "progress")]
impl Hook for ProgressBar {
    fn name(&self) -> &str {
        "ProgressBar"
    }

    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        let bar = indicatif::ProgressBar::new(run.nodes.len() as u64);
        bar.set_style(indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} nodes {msg}",
        )?);
        *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
        Ok(())
    }

    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(|p| p.into_inner()) {
            bar.set_message(format!("{}{}", node.name, for_item(node)));
        }
        Ok(())
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        _outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        // One step per node: a block node counts with its item 0 only.
        if node.item.is_some_and(|i| i > 0) {
            return Ok(());
        }
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(|p| p.into_inner()) {
            bar.inc(1);
        }
        Ok(())
    }

    fn after_run(&self, _run: &RunInfo<'_>, _outcome: &RunOutcome<'_>) -> Result<(), HookError> {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).take() {
            bar.finish_and_clear();
        }
        Ok(())
    }
}

/// Opens a `tracing` span per node (`hamilton.node`, with the node's name, run and output type,
/// and `item` for a node inside a fan-out's block, one span per item) and emits an event per run,
/// so any subscriber (fmt, Chrome trace, OpenTelemetry) sees the run. Async nodes are
/// instrumented with their span, entered each time they are polled.
///
/// ```
/// use hamilton_core::hooks::TracingHook;
/// let _dr = hamilton_core::Driver::builder().with_hook(TracingHook);
/// ```
#[cfg(feature = "tracing")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingHook;

#[cfg(feature = "tracing")]
impl Hook for TracingHook {
    fn name(&self) -> &str {
        "TracingHook"
    }

    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        tracing::info!(run_id = run.run_id, nodes = run.nodes.len(), outputs = ?run.outputs, "hamilton run started");
        Ok(())
    }

    fn after_run(&self, run: &RunInfo<'_>, outcome: &RunOutcome<'_>) -> Result<(), HookError> {
        match outcome {
            RunOutcome::Success { duration } => {
                tracing::info!(run_id = run.run_id, ?duration, "hamilton run finished")
            }
            RunOutcome::Failure { error, duration } => {
                tracing::error!(run_id = run.run_id, ?duration, %error, "hamilton run failed")
            }
        }
        Ok(())
    }

    fn around_node(
        &self,
        node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<crate::node::Value, crate::node::NodeError>,
    ) -> Result<crate::node::Value, crate::node::NodeError> {
        let span = node_span(node);
        let _entered = span.enter();
        let result = run();
        if let Err(e) = &result {
            tracing::error!(error = %e, "node failed");
        }
        result
    }

    fn around_async_node<'a>(
        &'a self,
        node: &NodeContext<'_>,
        run: super::AsyncNodeRun<'a>,
    ) -> super::AsyncNodeRun<'a> {
        use tracing::Instrument as _;
        Box::pin(
            async move {
                let result = run.await;
                if let Err(e) = &result {
                    tracing::error!(error = %e, "node failed");
                }
                result
            }
            .instrument(node_span(node)),
        )
    }
}

/// The `hamilton.node` span of one node (of one item, inside a fan-out's block).
#[cfg(feature = "tracing")]
fn node_span(node: &NodeContext<'_>) -> tracing::Span {
    tracing::info_span!(
        "hamilton.node",
        node = node.name,
        run_id = node.run_id,
        output_type = node.output_type,
        item = node.item
    )
}

/// What happened to one node in a recorded run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeStatus {
    /// The node produced a value.
    Succeeded,
    /// The node failed, with the error's message.
    Failed(String),
    /// The node was planned but never ran (the run stopped first).
    NotRun,
}

/// One run as a [`RunRecorder`] saw it: every planned node with its status and duration.
///
/// A node inside a fan-out's block is one entry for all its items: `Failed` (with the first
/// failure's message, prefixed with its item) if any item failed, and the sum of the items'
/// durations.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RunRecord {
    /// The run.
    pub run_id: u64,
    /// The requested outputs.
    pub outputs: Vec<String>,
    /// Each planned node in execution order, with its status and duration.
    pub nodes: Vec<(String, NodeStatus, Duration)>,
}

/// Records each run (node statuses and durations) so it can be drawn afterwards with
/// [`Driver::diagram`](crate::Driver::diagram) with [`Draw::Run`](crate::diagram::Draw::Run).
///
/// ```
/// use hamilton_core::hooks::{NodeStatus, RunRecorder};
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// let recorder = RunRecorder::new();
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
///     .with_hook(recorder.clone())
///     .build()
///     .unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// let run = recorder.last_run().unwrap();
/// assert_eq!(run.nodes[0].1, NodeStatus::Succeeded);
/// let dot = dr.diagram(hamilton_core::diagram::Draw::Run(&run), hamilton_core::diagram::Format::Dot);
/// assert!(dot.contains("ms") || dot.contains("µs") || dot.contains("ns"));
/// ```
#[derive(Clone, Default)]
pub struct RunRecorder {
    last: Arc<Mutex<Option<RunRecord>>>,
}

impl RunRecorder {
    /// A recorder with nothing recorded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last run recorded.
    pub fn last_run(&self) -> Option<RunRecord> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn with_record(&self, f: impl FnOnce(&mut RunRecord)) {
        if let Some(record) = self.last.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            f(record);
        }
    }
}

impl Hook for RunRecorder {
    fn name(&self) -> &str {
        "RunRecorder"
    }

    fn before_run(&self, run: &RunInfo<'_>) -> Result<(), HookError> {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(RunRecord {
            run_id: run.run_id,
            outputs: run.outputs.iter().map(|s| s.to_string()).collect(),
            nodes: run
                .nodes
                .iter()
                .map(|n| (n.to_string(), NodeStatus::NotRun, Duration::ZERO))
                .collect(),
        });
        Ok(())
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        self.with_record(|record| {
            if let Some(entry) = record.nodes.get_mut(node.position) {
                record_outcome(entry, node.item, outcome);
            }
        });
        Ok(())
    }
}

/// Records one run of a node in its entry; the items of a block node add up (durations) and
/// the first failure stays.
fn record_outcome(
    entry: &mut (String, NodeStatus, Duration),
    item: Option<usize>,
    outcome: &NodeOutcome<'_>,
) {
    let failed = |error: &str| match item {
        Some(i) => NodeStatus::Failed(format!("item {i}: {error}")),
        None => NodeStatus::Failed(error.to_string()),
    };
    if item.is_none() {
        entry.1 = match outcome {
            NodeOutcome::Success { .. } => NodeStatus::Succeeded,
            NodeOutcome::Failure { error, .. } => failed(error),
        };
        entry.2 = outcome.duration();
        return;
    }
    entry.2 += outcome.duration();
    match (&entry.1, outcome) {
        (NodeStatus::Failed(_), _) => {}
        (_, NodeOutcome::Failure { error, .. }) => entry.1 = failed(error),
        (_, NodeOutcome::Success { .. }) => entry.1 = NodeStatus::Succeeded,
    }
}
