//! Work done before a run starts, behind one trait the driver holds: the result cache resolves
//! the request against what it stored, so that nodes whose results it has do not run.

use std::any::Any;
use std::sync::Arc;

use crate::error::BuildError;
use crate::graph::Graph;
use crate::hooks::Hook;
use crate::plan::Plan;
use crate::value::Value;
use crate::values::{Inputs, Overrides};

/// Prepares each run of a driver before it starts.
pub(crate) trait RunPreparation: Send + Sync + 'static {
    /// Values that stand in for nodes of run `run_id`, a request whose `plan` is valid: they
    /// enter the run as overrides, so that nothing only they need runs.
    fn prepare(
        &self,
        graph: &Graph,
        plan: &Plan,
        inputs: &Inputs,
        overrides: &Overrides,
        run_id: u64,
    ) -> Vec<(String, Value)>;

    /// Run `run_id` is over, whether it ran or not.
    fn finish(&self, run_id: u64);

    /// The preparation itself, for the public handle its feature gives (e.g.
    /// `Driver::cache`).
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    fn as_any(&self) -> &dyn Any;
}

/// Sets a preparation up once the graph is built; it may add hooks (run innermost).
pub(crate) type Setup = Box<
    dyn FnOnce(&Graph, &mut Vec<Arc<dyn Hook>>) -> (Arc<dyn RunPreparation>, Vec<BuildError>)
        + Send,
>;

/// Sees each run's request before the run (what hooks do not see: its inputs and overrides),
/// for the run tracker.
pub(crate) trait RequestObserver: Send + Sync + 'static {
    /// Run `run_id` is about to load `inputs` and `overrides` (the preparation's values
    /// included).
    fn request(&self, run_id: u64, inputs: &Inputs, overrides: &Overrides);

    /// Run `run_id` is over, whether it began or not.
    fn finish(&self, run_id: u64);
}

/// Sets an observer up once the graph and the preparation are: it may add hooks (run innermost,
/// after the preparation's).
pub(crate) type ObserverSetup = Box<
    dyn FnOnce(
            &Graph,
            &mut Vec<Arc<dyn Hook>>,
            Option<&Arc<dyn RunPreparation>>,
        ) -> Arc<dyn RequestObserver>
        + Send,
>;
