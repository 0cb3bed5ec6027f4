//! Questions about a built dataflow: its nodes, their metadata, and how they connect.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use crate::driver::Driver;
use crate::error::{Error, RequestError, did_you_mean};
use crate::graph::{Graph, Kind};
use crate::types::Location;

pub use crate::tag_filter::TagFilter;

/// What a vertex of the dataflow is.
///
/// ```
/// use hamilton_core::introspect::NodeKind;
/// assert_ne!(NodeKind::Function, NodeKind::Input);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// Computed by a function.
    Function,
    /// Given by the caller per run.
    Input,
    /// A config value, fixed when the driver was built.
    Config,
}

/// One dependency of a node.
///
/// ```
/// use hamilton_core::{Driver, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").optional_param::<f64>("a").build(|x: &Args| Ok(x.get_opt::<f64>(0)?.copied().unwrap_or(0.0)))])
///     .build().unwrap();
/// let deps = dr.node("b").unwrap().dependencies();
/// assert_eq!((deps[0].name, deps[0].type_name, deps[0].optional), ("a", "f64", true));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency<'d> {
    /// The node or input depended on.
    pub name: &'d str,
    /// The type read.
    pub type_name: &'static str,
    /// Whether it may be absent.
    pub optional: bool,
}

/// A view of one vertex of a built dataflow: a function node, an input or a config value.
///
/// ```
/// use hamilton_core::{Driver, introspect::NodeKind, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").doc("twice a").tag("team", "growth").param::<f64>("a")
///         .build(|x: &Args| Ok(x.get::<f64>(0)? * 2.0))])
///     .build().unwrap();
/// let b = dr.node("b").unwrap();
/// assert_eq!((b.name(), b.kind(), b.type_name(), b.doc()), ("b", NodeKind::Function, "f64", "twice a"));
/// assert_eq!(b.tags().get("team").map(String::as_str), Some("growth"));
/// assert_eq!(dr.node("a").unwrap().kind(), NodeKind::Input);
/// ```
#[derive(Clone, Copy)]
pub struct NodeInfo<'d> {
    graph: &'d Graph,
    index: usize,
}

fn no_tags() -> &'static BTreeMap<String, String> {
    static EMPTY: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    EMPTY.get_or_init(BTreeMap::new)
}

static NO_TAG_LISTS: BTreeMap<String, Vec<String>> = BTreeMap::new();

impl<'d> NodeInfo<'d> {
    fn vertex(&self) -> &'d crate::graph::Vertex {
        &self.graph.vertices[self.index]
    }

    /// The node's name.
    pub fn name(&self) -> &'d str {
        self.vertex().name()
    }

    /// What the vertex is.
    pub fn kind(&self) -> NodeKind {
        match self.vertex().kind() {
            Kind::Function(_) => NodeKind::Function,
            Kind::Input => NodeKind::Input,
            Kind::Config => NodeKind::Config,
        }
    }

    /// The type of the value: a function's output, an input's type (as its readers want it), or
    /// a config value's type.
    pub fn type_name(&self) -> &'static str {
        self.vertex().ty_name()
    }

    /// The [`TypeId`](std::any::TypeId) of the value's type (the type [`type_name`](Self::type_name)
    /// names), to find what reads or shows values of that type.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)? as i64))])
    ///     .build().unwrap();
    /// assert_eq!(dr.node("a").unwrap().type_id(), std::any::TypeId::of::<f64>());
    /// assert_eq!(dr.node("b").unwrap().type_id(), std::any::TypeId::of::<i64>());
    /// ```
    pub fn type_id(&self) -> std::any::TypeId {
        self.vertex().ty_id()
    }

    /// The documentation of a function node (empty otherwise).
    pub fn doc(&self) -> &'d str {
        self.vertex().function().map_or("", |n| n.doc())
    }

    /// The tags with one value of a function node (none otherwise); those with several values
    /// are in [`tag_lists`](Self::tag_lists).
    pub fn tags(&self) -> &'d BTreeMap<String, String> {
        self.vertex().function().map_or(no_tags(), |n| n.tags())
    }

    /// The tags with several values of a function node (none otherwise).
    pub fn tag_lists(&self) -> &'d BTreeMap<String, Vec<String>> {
        self.vertex()
            .function()
            .map_or(&NO_TAG_LISTS, |n| n.tag_lists())
    }

    /// The values of tag `key`: one, several (a list-valued tag) or none.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").tag_list("team", ["ml", "growth"]).build(|_: &Args| Ok(1_i64))])
    ///     .build().unwrap();
    /// assert_eq!(dr.node("b").unwrap().tag_values("team"), ["ml", "growth"]);
    /// ```
    pub fn tag_values(&self, key: &str) -> &'d [String] {
        self.vertex().function().map_or(&[], |n| n.tag_values(key))
    }

    /// What `parameterize` or `inject` bound a function node's parameters to, as text
    /// (`source("uk")`, `value(10)`, `group(a, b)`), in binding order; empty for other nodes.
    ///
    /// ```
    /// use hamilton_core::{Driver, node, nodes};
    /// #[node(parameterize(uk_spend(region = value("UK"))))]
    /// fn spend(region: &str) -> usize { region.len() }
    /// let dr = Driver::builder().with_modules([nodes![spend]]).build().unwrap();
    /// let bound: Vec<(&str, &str)> = dr.node("uk_spend").unwrap().bound().iter().map(|(p, b)| (&**p, &**b)).collect();
    /// assert_eq!(bound, [("region", "value(UK)")]);
    /// ```
    pub fn bound(&self) -> &'d [(std::sync::Arc<str>, std::sync::Arc<str>)] {
        self.vertex().function().map_or(&[], |n| n.bound())
    }

    /// The module a function node was registered in.
    pub fn module(&self) -> Option<&'d str> {
        self.vertex()
            .function()
            .map(|n| n.module())
            .filter(|m| !m.is_empty())
    }

    /// Where a function node is defined.
    pub fn location(&self) -> Option<Location> {
        self.vertex().function().and_then(|n| n.location())
    }

    /// Whether an input is read only by optional parameters.
    pub fn is_optional_input(&self) -> bool {
        matches!(self.vertex().kind(), Kind::Input) && self.vertex().optional()
    }

    /// A function node's dependencies, in parameter order.
    pub fn dependencies(&self) -> Vec<Dependency<'d>> {
        let graph = self.graph;
        match self.vertex().function() {
            Some(node) => graph
                .sources_of(self.vertex())
                .iter()
                .zip(node.params())
                .map(|(s, p)| Dependency {
                    name: graph.vertices[s.node()].name(),
                    type_name: p.ty().name(),
                    optional: p.is_optional(),
                })
                .collect(),
            None => Vec::new(),
        }
    }
}

impl std::fmt::Debug for NodeInfo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeInfo")
            .field("name", &self.name())
            .field("kind", &self.kind())
            .field("type", &self.type_name())
            .finish()
    }
}

impl Driver {
    fn info(&self, index: usize) -> NodeInfo<'_> {
        NodeInfo {
            graph: &self.graph,
            index,
        }
    }

    fn sorted(&self, indices: impl IntoIterator<Item = usize>) -> Vec<NodeInfo<'_>> {
        let mut v: Vec<NodeInfo<'_>> = indices.into_iter().map(|i| self.info(i)).collect();
        v.sort_by(|a, b| a.name().cmp(b.name()));
        v
    }

    fn indices_of<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<usize>, Error> {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        for name in names {
            let name = name.as_ref();
            match self.graph.get(name) {
                Some(i) => found.push(i),
                None => errors.push(RequestError::UnknownNode {
                    name: name.to_string(),
                    suggestion: did_you_mean(name, self.graph.vertices.iter().map(|v| v.name())),
                }),
            }
        }
        if errors.is_empty() {
            Ok(found)
        } else {
            Err(Error::Request(errors))
        }
    }

    /// Every vertex (function nodes, inputs and config values), sorted by name.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)?))])
    ///     .build().unwrap();
    /// let names: Vec<_> = dr.nodes().iter().map(|n| n.name()).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn nodes(&self) -> Vec<NodeInfo<'_>> {
        self.sorted(0..self.graph.vertices.len())
    }

    /// The config the driver was built with.
    ///
    /// ```
    /// use hamilton_core::{Config, Driver};
    /// let dr = Driver::builder().with_config(Config::new().set("region", "UK".to_string())).build().unwrap();
    /// assert_eq!(dr.config().get::<String>("region").map(String::as_str), Some("UK"));
    /// ```
    pub fn config(&self) -> &crate::Config {
        &self.graph.config
    }

    /// The vertex named `name`.
    pub fn node(&self, name: &str) -> Option<NodeInfo<'_>> {
        self.graph.get(name).map(|i| self.info(i))
    }

    /// The function nodes carrying tag `key`, with value `value` if given (one of its values, for
    /// a tag with several), sorted by name. [`nodes_matching`](Self::nodes_matching) takes
    /// several tags and values at once.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let one = |_: &Args| Ok(1_i64);
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("a").tag("owner", "growth").build(one),
    ///     Node::builder("b").tag("owner", "finance").build(one),
    ///     Node::builder("c").build(one),
    /// ]).build().unwrap();
    /// let names = |v: Vec<hamilton_core::introspect::NodeInfo>| v.iter().map(|n| n.name().to_string()).collect::<Vec<_>>();
    /// assert_eq!(names(dr.nodes_tagged("owner", Some("growth"))), ["a"]);
    /// assert_eq!(names(dr.nodes_tagged("owner", None)), ["a", "b"]);
    /// ```
    pub fn nodes_tagged(&self, key: &str, value: Option<&str>) -> Vec<NodeInfo<'_>> {
        self.nodes()
            .into_iter()
            .filter(|n| {
                let values = n.tag_values(key);
                match value {
                    Some(want) => values.iter().any(|v| v == want),
                    None => !values.is_empty(),
                }
            })
            .collect()
    }

    /// Every vertex (function nodes, inputs and config values) that `filter` lets through,
    /// sorted by name: Hamilton's `list_available_variables(tag_filter=..)`. Only function nodes
    /// carry tags, so a filter with a condition lets through function nodes only.
    ///
    /// ```
    /// use hamilton_core::{Driver, introspect::TagFilter, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").tag_list("team", ["ml", "bi"]).param::<i64>("a")
    ///         .build(|x: &Args| Ok(*x.get::<i64>(0)?))])
    ///     .build().unwrap();
    /// assert_eq!(dr.nodes_matching(&TagFilter::new()).len(), 2);
    /// assert_eq!(dr.nodes_matching(&TagFilter::new().is("team", "bi"))[0].name(), "b");
    /// ```
    pub fn nodes_matching(&self, filter: &TagFilter) -> Vec<NodeInfo<'_>> {
        self.nodes()
            .into_iter()
            .filter(|n| filter.matches(n))
            .collect()
    }

    /// The named vertices and everything they depend on, directly or not, sorted by name.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)?)),
    ///     Node::builder("c").param::<f64>("b").build(|x: &Args| Ok(*x.get::<f64>(0)?)),
    /// ]).build().unwrap();
    /// let up: Vec<_> = dr.upstream_of(&["b"]).unwrap().iter().map(|n| n.name()).collect();
    /// assert_eq!(up, ["a", "b"]);
    /// let down: Vec<_> = dr.downstream_of(&["b"]).unwrap().iter().map(|n| n.name()).collect();
    /// assert_eq!(down, ["b", "c"]);
    /// ```
    pub fn upstream_of<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<NodeInfo<'_>>, Error> {
        let start = self.indices_of(names)?;
        Ok(self.sorted(self.reach(&start, Along::Sources)))
    }

    /// The named vertices and everything that depends on them, directly or not, sorted by name.
    pub fn downstream_of<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<NodeInfo<'_>>, Error> {
        let start = self.indices_of(names)?;
        Ok(self.sorted(self.reach(&start, Along::Consumers)))
    }

    /// Every vertex on a path from `upstream` to `downstream` (both included), sorted by name;
    /// empty when there is no path.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let id = |x: &Args| Ok(*x.get::<f64>(0)?);
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("b").param::<f64>("a").build(id),
    ///     Node::builder("c").param::<f64>("b").build(id),
    ///     Node::builder("d").param::<f64>("a").build(id),
    /// ]).build().unwrap();
    /// let path: Vec<_> = dr.path_between("a", "c").unwrap().iter().map(|n| n.name()).collect();
    /// assert_eq!(path, ["a", "b", "c"]);
    /// assert!(dr.path_between("d", "c").unwrap().is_empty());
    /// ```
    pub fn path_between(
        &self,
        upstream: &str,
        downstream: &str,
    ) -> Result<Vec<NodeInfo<'_>>, Error> {
        let ends = self.indices_of(&[upstream, downstream])?;
        let below: HashSet<usize> = self.reach(&ends[..1], Along::Consumers).collect();
        let above: HashSet<usize> = self.reach(&ends[1..], Along::Sources).collect();
        Ok(self.sorted(below.intersection(&above).copied()))
    }

    /// Vertices reachable from `start` (included) along edges in `direction`.
    pub(crate) fn reach(
        &self,
        start: &[usize],
        direction: Along,
    ) -> impl Iterator<Item = usize> + use<> {
        let graph = &self.graph;
        let mut seen: HashSet<usize> = start.iter().copied().collect();
        let mut queue: Vec<usize> = seen.iter().copied().collect();
        while let Some(at) = queue.pop() {
            let mut visit = |next: usize| {
                if seen.insert(next) {
                    queue.push(next);
                }
            };
            match direction {
                Along::Consumers => graph
                    .consumers
                    .of(at)
                    .iter()
                    .for_each(|&c| visit(c as usize)),
                Along::Sources => graph.sources(at).iter().for_each(|s| visit(s.node())),
            }
        }
        seen.into_iter()
    }
}

/// Which way [`Driver::reach`] follows the edges.
#[derive(Clone, Copy)]
pub(crate) enum Along {
    /// From a value to the nodes reading it.
    Consumers,
    /// From a node to the values it reads.
    Sources,
}

impl TagFilter {
    /// Whether `node` meets every condition of the filter.
    ///
    /// ```
    /// use hamilton_core::{Driver, introspect::TagFilter, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").tag("team", "ml").build(|_: &Args| Ok(1_i64))])
    ///     .build().unwrap();
    /// assert!(TagFilter::new().has("team").matches(&dr.node("b").unwrap()));
    /// ```
    pub fn matches(&self, node: &NodeInfo<'_>) -> bool {
        self.admits(|key| node.tag_values(key))
    }
}
