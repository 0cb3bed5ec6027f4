//! Groups of nodes: a Rust module's `#[node]` functions, an explicit list, or nodes built by hand.

use std::sync::Arc;

use crate::batch::NodeRef;
use crate::node::{Node, NodeDef};

/// A group of nodes handed to [`DriverBuilder::with_modules`](crate::DriverBuilder::with_modules).
///
/// Three ways to make one:
/// - [`module!()`](crate::module!) in a source file declares `pub const MODULE: Module` holding that
///   file's `#[node]` functions (found through `inventory` registration);
/// - [`nodes![a, path::b]`](crate::nodes!) lists `#[node]` functions explicitly, with no linker
///   involvement (works on every target);
/// - [`Module::from_nodes`] takes nodes built with [`Node::builder`].
///
/// ```
/// use hamilton_core::{Module, node::{Args, Node}};
/// let m = Module::from_nodes("numbers", [Node::builder("one").build(|_: &Args| Ok(1_i64))]);
/// assert_eq!(m.name(), "numbers");
/// ```
#[derive(Clone, Debug)]
pub struct Module {
    source: Source,
}

#[derive(Clone, Debug)]
enum Source {
    Registered {
        path: &'static str,
        recursive: bool,
    },
    Defs {
        name: &'static str,
        defs: &'static [&'static NodeDef],
    },
    Refs {
        name: &'static str,
        defs: Arc<[NodeRef]>,
    },
    Nodes {
        name: Arc<str>,
        /// Sorted by name (stably) when the module is made.
        nodes: Arc<[Arc<Node>]>,
    },
}

impl Module {
    /// The `#[node]` functions registered in the module at `path` (what `module!()` expands to).
    pub const fn new(path: &'static str) -> Self {
        Self {
            source: Source::Registered {
                path,
                recursive: false,
            },
        }
    }

    /// An explicit list of `#[node]` functions (what `nodes![..]` expands to).
    pub const fn from_defs(name: &'static str, defs: &'static [&'static NodeDef]) -> Self {
        Self {
            source: Source::Defs { name, defs },
        }
    }

    /// An explicit list of `#[node]` functions, those of `#[node_module]` modules included
    /// (what `nodes![..]` expands to).
    ///
    /// ```
    /// use hamilton_core::{Module, __private::NodeRef};
    /// #[hamilton_core::node]
    /// fn one() -> i64 { 1 }
    /// let m = Module::from_node_refs("mine", [NodeRef::from(<one>::DEF)]);
    /// assert_eq!(m.name(), "mine");
    /// ```
    pub fn from_node_refs(name: &'static str, defs: impl IntoIterator<Item = NodeRef>) -> Self {
        Self {
            source: Source::Refs {
                name,
                defs: defs.into_iter().collect(),
            },
        }
    }

    /// Nodes built by hand, grouped under `name`.
    pub fn from_nodes(name: impl Into<Arc<str>>, nodes: impl IntoIterator<Item = Node>) -> Self {
        let mut nodes: Vec<Arc<Node>> = nodes.into_iter().map(Arc::new).collect();
        // Sorted once here, not at every build (see `nodes`).
        nodes.sort_by(|a, b| a.name().cmp(b.name()));
        Self {
            source: Source::Nodes {
                name: name.into(),
                nodes: nodes.into(),
            },
        }
    }

    /// For a module declared with `module!()`: also take the nodes of its submodules.
    ///
    /// ```
    /// let m = hamilton_core::Module::new("my_crate::features").recursive();
    /// assert_eq!(m.name(), "my_crate::features");
    /// ```
    pub fn recursive(mut self) -> Self {
        if let Source::Registered { recursive, .. } = &mut self.source {
            *recursive = true;
        }
        self
    }

    /// Whether this module takes the `#[node]` function `def`.
    pub(crate) fn takes(&self, def: &NodeDef) -> bool {
        let same = |module: &str, function: &str| module == def.module && function == def.function;
        match &self.source {
            Source::Registered { path, recursive } => {
                def.module == *path
                    || (*recursive
                        && def
                            .module
                            .strip_prefix(path)
                            .is_some_and(|rest| rest.starts_with("::")))
            }
            Source::Defs { defs, .. } => defs.iter().any(|d| same(d.module, d.function)),
            Source::Refs { defs, .. } => defs.iter().any(|d| same(d.module, d.function)),
            Source::Nodes { nodes, .. } => nodes.iter().any(|n| same(n.module(), n.function())),
        }
    }

    /// The module's name: its path, or the name it was given.
    pub fn name(&self) -> &str {
        match &self.source {
            Source::Registered { path, .. } => path,
            Source::Defs { name, .. } | Source::Refs { name, .. } => name,
            Source::Nodes { name, .. } => name,
        }
    }

    /// The module's nodes, sorted by name; `Err` with the reason when there are none.
    ///
    /// Nodes given by hand are shared with the module, not copied.
    pub(crate) fn nodes(&self) -> Result<Vec<Arc<Node>>, EmptyModuleReason> {
        // Sorted by name (then place, for variants sharing a name), so the order never depends
        // on registration order; references are sorted, not whole nodes.
        let by_def = |a: &&NodeDef, b: &&NodeDef| {
            (a.name, a.location.file, a.location.line).cmp(&(
                b.name,
                b.location.file,
                b.location.line,
            ))
        };
        let nodes: Vec<Arc<Node>> = match &self.source {
            Source::Registered { path, recursive } => {
                let mut defs = registered(path, *recursive)?;
                defs.sort_by(by_def);
                defs.into_iter()
                    .map(|d| Arc::new(Node::from_def(d)))
                    .collect()
            }
            Source::Defs { defs, .. } => {
                let mut defs = defs.to_vec();
                defs.sort_by(by_def);
                defs.into_iter()
                    .map(|d| Arc::new(Node::from_def(d)))
                    .collect()
            }
            Source::Refs { defs, .. } => {
                let mut defs: Vec<&'static NodeDef> = defs.iter().map(|d| d.get()).collect();
                defs.sort_by(by_def);
                defs.into_iter()
                    .map(|d| Arc::new(Node::from_def(d)))
                    .collect()
            }
            Source::Nodes { nodes, .. } => nodes.to_vec(),
        };
        if nodes.is_empty() {
            return Err(match self.source {
                Source::Registered { .. } => EmptyModuleReason::NothingRegistered,
                _ => EmptyModuleReason::EmptyList,
            });
        }
        Ok(nodes)
    }
}

/// Why a module yielded no nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EmptyModuleReason {
    NothingRegistered,
    EmptyList,
    #[cfg_attr(feature = "inventory", allow(dead_code))]
    RegistrationDisabled,
}

#[cfg(feature = "inventory")]
fn registered(path: &str, recursive: bool) -> Result<Vec<&'static NodeDef>, EmptyModuleReason> {
    Ok(crate::__private::registered_nodes()
        .filter(|def| {
            def.module == path
                || (recursive
                    && def
                        .module
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with("::")))
        })
        .collect())
}

/// The `#[node]` functions named `name` registered anywhere in the program (any module), sorted
/// by module path and location.
#[cfg(feature = "inventory")]
pub(crate) fn registered_named(name: &str) -> Vec<&'static NodeDef> {
    let mut defs: Vec<&'static NodeDef> = crate::__private::registered_nodes()
        .filter(|d| d.name == name)
        .collect();
    defs.sort_by_key(|d| (d.module, d.location.file, d.location.line));
    defs
}

/// Without registration, no function is known beyond those listed.
#[cfg(not(feature = "inventory"))]
pub(crate) fn registered_named(_name: &str) -> Vec<&'static NodeDef> {
    Vec::new()
}

#[cfg(not(feature = "inventory"))]
fn registered(_path: &str, _recursive: bool) -> Result<Vec<&'static NodeDef>, EmptyModuleReason> {
    Err(EmptyModuleReason::RegistrationDisabled)
}

/// Declares `pub const MODULE: Module` holding the `#[node]` functions of the module it is
/// written in.
///
/// ```
/// mod features {
///     use hamilton_core::node;
///     hamilton_core::module!();
///
///     #[node]
///     pub fn two() -> i64 { 2 }
/// }
/// assert!(features::MODULE.name().ends_with("features"));
/// ```
#[macro_export]
macro_rules! module {
    () => {
        /// The `#[node]` functions of this module, for `Driver::builder().with_modules(..)`.
        pub const MODULE: $crate::Module = $crate::Module::new(::core::module_path!());
    };
}

/// An explicit list of `#[node]` functions, as a [`Module`]. Needs no linker support, so it works
/// on every target and with registration turned off.
///
/// ```
/// use hamilton_core::{node, nodes};
/// #[node]
/// fn a() -> i64 { 1 }
/// #[node]
/// fn b(a: &i64) -> i64 { a + 1 }
/// let m = nodes![a, b];
/// assert_eq!(m.name(), "nodes![a, b]");
/// ```
#[macro_export]
macro_rules! nodes {
    ($($path:path),* $(,)?) => {{
        $crate::Module::from_node_refs(
            ::core::concat!("nodes![", $crate::__stringify_paths!($($path),*), "]"),
            [$($crate::__private::NodeRef::from(<$path>::DEF)),*],
        )
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __stringify_paths {
    () => { "" };
    ($first:path $(, $rest:path)*) => {
        ::core::concat!(::core::stringify!($first) $(, ", ", ::core::stringify!($rest))*)
    };
}
