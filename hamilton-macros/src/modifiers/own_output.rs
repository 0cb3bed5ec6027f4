//! Whether a function's own node keeps its name and type, for the `OUTPUT` constant that
//! `outputs![..]` and `Outputs::get_typed` read.

use super::Mods;

impl Mods {
    /// Why the function has no node of its own name and type (the name of a type in
    /// `__private::no_own_output`), or `None` when it has one.
    pub(crate) fn no_own_output(&self) -> Option<&'static str> {
        if self.parameterize.is_some()
            || self.subdag.as_ref().is_some_and(|(_, sd)| sd.parameterized)
        {
            Some("OutputsNamedByParameterize")
        } else if self.exclude.is_some() || self.mutate.is_some() {
            Some("ExcludedFromTheDataflow")
        } else if self.pipe_output.is_some() {
            Some("TypedByItsPipeOutputSteps")
        } else if !self.resolve.is_empty() {
            Some("ShapedByResolveAtBuild")
        } else {
            None
        }
    }
}
