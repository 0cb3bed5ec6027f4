//! Building the dataflow: modules' nodes with their modifiers resolved, wired into one checked
//! graph (every problem found reported together).

pub(crate) mod blocks;
pub(crate) mod edges;
pub(crate) mod graph;
pub(crate) mod resolve;
#[cfg(any(feature = "track", feature = "distributed"))]
pub(crate) mod version;
