//! Fan-out nodes (returning `Parallel<T>`): their value is split into items, so no option may
//! transform it whole.

use super::{Function, Mods};
use crate::valid::Errors;

impl Mods {
    /// A fan-out node takes no `pipe_output`, `extract_*` or `check`.
    pub(super) fn check_fanout(&self, function: &Function<'_>, errors: &mut Errors) {
        let fans_out = function
            .node
            .output
            .as_ref()
            .is_some_and(|o| o.parallel.is_some());
        if !fans_out {
            return;
        }
        let transforms = self
            .pipe_output
            .iter()
            .map(|(span, _)| (*span, "pipe_output"))
            .chain(self.extract.iter().map(|(span, e)| (*span, e.option())))
            .chain(self.checks.iter().map(|(span, _)| (*span, "check")));
        for (span, option) in transforms {
            errors.push(syn::Error::new(
                span,
                format_args!(
                    "a fan-out node (returning `Parallel<T>`) cannot take `{option}`: its items run the nodes that read it one by one; apply `{option}` to one of those nodes instead"
                ),
            ));
        }
    }
}
