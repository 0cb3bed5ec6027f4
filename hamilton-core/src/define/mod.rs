//! What a dataflow is made of: nodes and their parameters, values, modules, modifiers, data
//! checks, hooks, errors. The lowest layer: it imports nothing from the others.

pub(crate) mod args;
pub(crate) mod batch;
pub(crate) mod call;
pub(crate) mod cancel;
pub mod check;
#[cfg(feature = "cli")]
pub(crate) mod cli_error;
pub(crate) mod convert;
pub(crate) mod does_by_name;
pub(crate) mod error;
pub(crate) mod error_context;
pub mod fanout;
pub mod hooks;
pub mod modifiers;
pub(crate) mod module;
pub(crate) mod names;
pub mod node;
pub(crate) mod outputs;
pub(crate) mod scalar_checks;
pub(crate) mod typed_output;
pub(crate) mod types;
pub(crate) mod value;
pub(crate) mod values;
