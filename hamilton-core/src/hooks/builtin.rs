//! Hooks that come with the crate: timing, printing, and (behind features) a progress bar and
//! `tracing` spans.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome};

/// Records how long each node of the last run took; read it with
/// [`durations`](Self::durations) (slowest first) or print it (`Display`).
///
/// Cloning gives another handle to the same record, so keep one and hand the other to the
/// driver.
///
/// ```
/// use hamilton_core::hooks::TimingReport;
/// use hamilton_core::{Args, Driver, Inputs, Node};
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
    last: Arc<Mutex<Vec<(String, Duration, bool)>>>,
}

impl TimingReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Duration, bool)>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Each node of the last run and its duration, slowest first.
    pub fn durations(&self) -> Vec<(String, Duration)> {
        let mut v: Vec<(String, Duration)> = self
            .lock()
            .iter()
            .map(|(n, d, _)| (n.clone(), *d))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// The total of the last run's node durations.
    pub fn total(&self) -> Duration {
        self.lock().iter().map(|(_, d, _)| *d).sum()
    }
}

impl std::fmt::Display for TimingReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.total().as_secs_f64().max(f64::MIN_POSITIVE);
        let failed: Vec<String> = self
            .lock()
            .iter()
            .filter(|(_, _, ok)| !ok)
            .map(|(n, _, _)| n.clone())
            .collect();
        writeln!(f, "{:<40} {:>12} {:>7}", "node", "time", "share")?;
        for (name, d) in self.durations() {
            let mark = if failed.contains(&name) {
                " (failed)"
            } else {
                ""
            };
            writeln!(
                f,
                "{:<40} {:>12} {:>6.1}%{mark}",
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
        self.lock().push((
            node.name.to_string(),
            outcome.duration(),
            outcome.is_success(),
        ));
        Ok(())
    }
}

type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// Prints a line before and after each node (to stderr, or to a sink of your choice), with the
/// duration and status; at `verbose`, also the types read and produced.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use hamilton_core::hooks::PrintHook;
/// use hamilton_core::{Args, Driver, Inputs, Node};
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
            "running node `{}` ({}/{})",
            node.name,
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
                let mut l = format!("finished node `{}` in {:.3?}", node.name, duration);
                if self.verbose {
                    let _ = write!(l, ", produced a {}", value.type_name());
                }
                l
            }
            NodeOutcome::Failure { error, duration } => {
                format!(
                    "node `{}` failed after {:.3?}: {error}",
                    node.name, duration
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

/// A progress bar (indicatif) over the nodes of each run, drawn on stderr when it is a terminal.
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
            bar.set_message(node.name.to_string());
        }
        Ok(())
    }

    fn after_node(
        &self,
        _node: &NodeContext<'_>,
        _outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
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

/// Opens a `tracing` span per node (`hamilton.node`, with the node's name, run and output type)
/// and emits an event per run, so any subscriber (fmt, Chrome trace, OpenTelemetry) sees the run.
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
        run: &mut dyn FnMut() -> Result<crate::Value, crate::NodeError>,
    ) -> Result<crate::Value, crate::NodeError> {
        let span = tracing::info_span!(
            "hamilton.node",
            node = node.name,
            run_id = node.run_id,
            output_type = node.output_type
        );
        let _entered = span.enter();
        let result = run();
        if let Err(e) = &result {
            tracing::error!(error = %e, "node failed");
        }
        result
    }
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
#[derive(Clone, Debug, Default)]
pub struct RunRecord {
    /// The run.
    pub run_id: u64,
    /// The requested outputs.
    pub outputs: Vec<String>,
    /// Each planned node in execution order, with its status and duration.
    pub nodes: Vec<(String, NodeStatus, Duration)>,
}

/// Records each run (node statuses and durations) so it can be drawn afterwards with
/// [`Driver::run_dot`](crate::Driver::run_dot) or [`Driver::run_mermaid`](crate::Driver::run_mermaid).
///
/// ```
/// use hamilton_core::hooks::{NodeStatus, RunRecorder};
/// use hamilton_core::{Args, Driver, Inputs, Node};
/// let recorder = RunRecorder::new();
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
///     .with_hook(recorder.clone())
///     .build()
///     .unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// let run = recorder.last_run().unwrap();
/// assert_eq!(run.nodes[0].1, NodeStatus::Succeeded);
/// assert!(dr.run_dot(&run).contains("ms") || dr.run_dot(&run).contains("µs") || dr.run_dot(&run).contains("ns"));
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
                entry.1 = match outcome {
                    NodeOutcome::Success { .. } => NodeStatus::Succeeded,
                    NodeOutcome::Failure { error, .. } => NodeStatus::Failed(error.to_string()),
                };
                entry.2 = outcome.duration();
            }
        });
        Ok(())
    }
}
