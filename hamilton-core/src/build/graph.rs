//! Building the dataflow graph from nodes and config: wiring by name, type-checking every edge,
//! detecting cycles, and reporting every problem together.

use std::any::TypeId;
use std::collections::{BTreeSet, HashMap};

use rustc_hash::FxHashMap;
use std::sync::Arc;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::convert::{Conversion, ConversionTable};
use crate::edges::{Consumers, run_order, unit_of};
use crate::error::BuildError;
use crate::modifiers::messages::place;
pub(crate) use crate::modifiers::origin;
use crate::module::{EmptyModuleReason, Module};
use crate::names::NameIndex;
use crate::node::Node;
use crate::types::TypeInfo;
use crate::values::Config;

/// A type as the graph records it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeDesc {
    pub(crate) id: TypeId,
    pub(crate) name: &'static str,
}

impl From<TypeInfo> for TypeDesc {
    fn from(t: TypeInfo) -> Self {
        Self {
            id: t.id(),
            name: t.name(),
        }
    }
}

/// What a vertex of the graph is ([`Vertex::kind`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind<'g> {
    /// A node computed by a function (shared with the module that defined it).
    Function(&'g Arc<Node>),
    /// A value the caller passes per run.
    Input,
    /// A config value, fixed at build.
    Config,
}

/// Where one parameter of a function node reads from: a vertex, and the conversion its value
/// takes on the way, if any (8 bytes; a graph has one per parameter of every node).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source {
    vertex: u32,
    /// Where the conversion is in [`Graph::conversion_of`]'s list, or [`Source::UNCONVERTED`].
    conversion: u32,
}

impl Source {
    const UNCONVERTED: u32 = u32::MAX;

    /// A source reading `vertex` unconverted.
    pub(crate) fn new(vertex: usize) -> Self {
        Self {
            vertex: vertex_u32(vertex),
            conversion: Self::UNCONVERTED,
        }
    }

    /// The vertex the parameter reads.
    pub(crate) fn node(self) -> usize {
        self.vertex as usize
    }

    /// Whether the value is converted on the way.
    #[cfg(test)]
    pub(crate) fn converts(self) -> bool {
        self.conversion != Self::UNCONVERTED
    }

    /// Records that the value takes `conversion`, kept in `converting`.
    fn convert(&mut self, conversion: &Conversion, converting: &mut Vec<Conversion>) {
        self.conversion = u32::try_from(converting.len()).expect("fewer than 2^32 edges");
        converting.push(conversion.clone());
    }
}

/// A vertex's index in four bytes (a graph of over 2^32 vertices would need over 100 GiB).
fn vertex_u32(vertex: usize) -> u32 {
    u32::try_from(vertex).expect("fewer than 2^32 vertices")
}

/// Where a vertex's sources lie in the graph's one array of them ([`Graph::sources`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    #[cfg(test)]
    pub(crate) fn new(start: usize, len: usize) -> Self {
        Self {
            start: start as u32,
            len: len as u32,
        }
    }

    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }

    /// The sources of a vertex with this span, in `edges`.
    pub(crate) fn of(self, edges: &[Source]) -> &[Source] {
        &edges[self.range()]
    }

    fn of_mut(self, edges: &mut [Source]) -> &mut [Source] {
        &mut edges[self.range()]
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Vertex {
    of: VertexOf,
    /// One source per parameter, for function nodes: where they are in [`Graph::sources`] (one
    /// array for the whole graph, not a vector per vertex).
    pub(crate) sources: Span,
}

/// Where a vertex's value comes from: a function vertex reads its name and type from its node;
/// an input or config vertex keeps its own, boxed (they are few), so that a vertex is 24 bytes.
#[derive(Clone, Debug)]
enum VertexOf {
    Node(Arc<Node>),
    Value(Box<ValueVertex>),
}

/// The name, type and optionality of an input or config vertex.
#[derive(Clone, Debug)]
struct ValueVertex {
    name: Arc<str>,
    /// A config key (else an input).
    config: bool,
    ty: TypeDesc,
    /// Whether every reader of this input treats it as optional.
    optional: bool,
}

impl Vertex {
    pub(crate) fn function(&self) -> Option<&Node> {
        match &self.of {
            VertexOf::Node(node) => Some(node),
            VertexOf::Value(_) => None,
        }
    }

    /// What the vertex is.
    pub(crate) fn kind(&self) -> Kind<'_> {
        match &self.of {
            VertexOf::Node(node) => Kind::Function(node),
            VertexOf::Value(value) if value.config => Kind::Config,
            VertexOf::Value(_) => Kind::Input,
        }
    }

    /// A function vertex for `node`.
    fn of_node(node: Arc<Node>) -> Self {
        Self {
            of: VertexOf::Node(node),
            sources: Span::default(),
        }
    }

    /// An input of type `ty` (optional until a reader needs it).
    pub(crate) fn input(name: Arc<str>, ty: TypeDesc) -> Self {
        Self::value(name, false, ty, true)
    }

    /// A config key whose value has type `ty`.
    fn config(name: Arc<str>, ty: TypeDesc) -> Self {
        Self::value(name, true, ty, false)
    }

    fn value(name: Arc<str>, config: bool, ty: TypeDesc, optional: bool) -> Self {
        Self {
            of: VertexOf::Value(Box::new(ValueVertex {
                name,
                config,
                ty,
                optional,
            })),
            sources: Span::default(),
        }
    }

    /// The name of the vertex's value: its node's name, or the input's or config key's.
    pub(crate) fn name(&self) -> &str {
        match &self.of {
            VertexOf::Node(node) => node.name(),
            VertexOf::Value(value) => &value.name,
        }
    }

    /// [`name`](Self::name), shared (no copy of the text).
    pub(crate) fn name_shared(&self) -> Arc<str> {
        match &self.of {
            VertexOf::Node(node) => node.name_shared(),
            VertexOf::Value(value) => value.name.clone(),
        }
    }

    /// Whether every reader of this input treats it as optional (never, for other vertices).
    pub(crate) fn optional(&self) -> bool {
        matches!(&self.of, VertexOf::Value(value) if value.optional)
    }

    /// The type of the vertex's value.
    pub(crate) fn ty(&self) -> TypeDesc {
        match &self.of {
            VertexOf::Node(node) => node.output().into(),
            VertexOf::Value(value) => value.ty,
        }
    }

    /// The [`TypeId`] of the vertex's value.
    pub(crate) fn ty_id(&self) -> TypeId {
        self.ty().id
    }

    /// The name of the vertex's value type.
    pub(crate) fn ty_name(&self) -> &'static str {
        self.ty().name
    }

    /// The input's or config key's own data (`None` for a function vertex).
    fn value_mut(&mut self) -> Option<&mut ValueVertex> {
        match &mut self.of {
            VertexOf::Node(_) => None,
            VertexOf::Value(value) => Some(value),
        }
    }
}

/// The built dataflow.
pub(crate) struct Graph {
    pub(crate) vertices: Vec<Vertex>,
    /// Every vertex's sources, vertex after vertex.
    edges: Vec<Source>,
    /// The conversions edges take, where [`Source`]s point.
    converting: Vec<Conversion>,
    pub(crate) index: NameIndex,
    /// Vertices reading each vertex.
    pub(crate) consumers: Consumers,
    /// Position of each vertex in the order runs visit them ([`run_order`]).
    pub(crate) topo_pos: Vec<u32>,
    pub(crate) conversions: ConversionTable,
    pub(crate) config: Config,
    /// The fan-outs, and which one's block each vertex belongs to.
    pub(crate) blocks: Vec<crate::blocks::Block>,
    pub(crate) block_of: crate::blocks::BlockOf,
    /// For an input whose name is close to a function node's: that node (a likely typo).
    pub(crate) near_nodes: FxHashMap<usize, usize>,
    /// The modules the graph was built from.
    pub(crate) modules: Vec<Module>,
}

impl Graph {
    pub(crate) fn build(
        modules: &[Module],
        config: Config,
        allow_module_overrides: bool,
        conversions: ConversionTable,
        declared_inputs: Option<&BTreeSet<String>>,
    ) -> Result<Self, Vec<BuildError>> {
        let mut errors = Vec::new();

        // 1. Collect function nodes, module by module; later modules may override.
        let mut functions: Vec<(usize, Arc<Node>)> = Vec::new();
        let mut by_name = NameIndex::default();
        // Parameters of every node collected (those an override replaces too): room for the
        // sources, without another pass over the nodes.
        let mut param_count = 0;
        // Function modifiers (`when`, `parameterize`, ...) turn each module's nodes into its final nodes.
        let resolved = crate::resolve::resolve_modules(modules, &config, &mut errors);
        for ((module_index, module), nodes) in modules.iter().enumerate().zip(resolved) {
            let nodes = match nodes {
                Ok(nodes) => nodes,
                Err(reason) => {
                    errors.push(BuildError::EmptyModule {
                        module: module.name().to_string(),
                        reason: empty_module_reason(reason),
                    });
                    continue;
                }
            };
            by_name.reserve(nodes.len());
            functions.reserve(nodes.len());
            for node in nodes {
                param_count += node.params().len();
                match by_name.get(node.name(), |i| functions[i].1.name()) {
                    Some(at) => {
                        let (first_module, first) = &functions[at];
                        if allow_module_overrides && *first_module != module_index {
                            functions[at] = (module_index, node);
                        } else {
                            errors.push(BuildError::DuplicateNode {
                                name: node.name().to_string(),
                                first: origin(first),
                                second: origin(&node),
                            });
                        }
                    }
                    None => {
                        by_name.insert(node.name(), functions.len());
                        functions.push((module_index, node));
                    }
                }
            }
        }

        // 2. Config keys never silently replace nodes.
        for key in config.keys() {
            if let Some(at) = by_name.get(key, |i| functions[i].1.name()) {
                errors.push(BuildError::ConfigShadowsNode {
                    key: key.to_string(),
                    node_at: origin(&functions[at].1),
                });
            }
        }

        // 3. Vertices: functions, then inputs in order of first use, then config keys.
        let mut vertices: Vec<Vertex> = functions
            .into_iter()
            .map(|(_, node)| Vertex::of_node(node))
            .collect();
        // Function vertices are numbered like `functions`, so the name index carries over.
        let mut index = by_name;
        // Every function's sources, function after function.
        let mut converting = Vec::new();
        let mut edges: Vec<Source> = Vec::with_capacity(param_count);
        // The fan-outs, and the nodes with a `Collect` parameter, for the blocks' analysis.
        let mut fan_outs = Vec::new();
        let mut collectors = Vec::new();
        let function_count = vertices.len();
        // Readers of each input / config key: (consumer, param type, optional).
        let mut readers: HashMap<usize, Vec<(usize, TypeDesc, bool)>> = HashMap::new();
        for key in config.keys() {
            if index.get(key, |i| vertices[i].name()).is_none() {
                let value = config.value(key).expect("key listed by config");
                index.insert(key, vertices.len());
                vertices.push(Vertex::config(
                    Arc::from(key),
                    TypeDesc {
                        id: value.type_id(),
                        name: value.type_name(),
                    },
                ));
            }
        }

        // 4. Wire every parameter and type-check every edge.
        for consumer in 0..function_count {
            let node = vertices[consumer]
                .function()
                .expect("first vertices are functions");
            if node.fan_out().is_some() {
                fan_outs.push(consumer);
            }
            let params = node.params_shared();
            if params.iter().any(|p| p.gather().is_some()) {
                collectors.push(consumer);
            }
            // Over 2^32 parameters would need over 64 GiB of sources alone.
            let start = u32::try_from(edges.len()).expect("fewer than 2^32 parameters");
            for param in params.iter() {
                // A `Collect<T>` parameter reads the `T` of a node inside a fan-out's block.
                let wanted: TypeDesc = param.gather().map_or(param.ty(), |g| g.item).into();
                let source = match index.get(param.name(), |i| vertices[i].name()) {
                    Some(s) => s,
                    None => {
                        let s = vertices.len();
                        index.insert(param.name(), s);
                        vertices.push(Vertex::input(Arc::from(param.name()), wanted));
                        s
                    }
                };
                let mut edge = Source::new(source);
                match vertices[source].kind() {
                    Kind::Function(producer) => {
                        let found = vertices[source].ty();
                        // Inside a fan-out's block, a node reads one item of `Parallel<T>`.
                        let item_matches =
                            producer.fan_out().is_some_and(|f| f.item.id() == wanted.id);
                        if found.id != wanted.id && !item_matches {
                            match conversions.get(&(found.id, wanted.id)) {
                                Some(c) => edge.convert(c, &mut converting),
                                None => errors.push(BuildError::EdgeTypeMismatch {
                                    consumer: vertices[consumer].name().to_string(),
                                    consumer_at: vertices[consumer]
                                        .function()
                                        .map(origin)
                                        .unwrap_or_default(),
                                    param: param.name().to_string(),
                                    expected: type_text(wanted, found),
                                    found: type_text(found, wanted),
                                    producer_at: origin(producer),
                                }),
                            }
                        }
                    }
                    Kind::Input | Kind::Config => {
                        readers.entry(source).or_default().push((
                            consumer,
                            wanted,
                            param.is_optional(),
                        ));
                    }
                }
                edges.push(edge);
            }
            vertices[consumer].sources = Span {
                start,
                len: params.len() as u32,
            };
        }

        // 5. Config keys: `when` keys no config sets, config keys nothing reads.
        let read: std::collections::HashSet<&str> =
            readers.keys().map(|&v| vertices[v].name()).collect();
        let input_names: Vec<&str> = vertices
            .iter()
            .filter(|v| matches!(v.kind(), Kind::Input))
            .map(|v| v.name())
            .collect();
        check_config_keys(
            &config,
            &crate::resolve::ConfigUse::of(modules),
            |key| {
                read.contains(key)
                    || index
                        .get(key, |i| vertices[i].name())
                        .is_some_and(|v| v < function_count)
            },
            &input_names,
            declared_inputs.is_some(),
            &mut errors,
        );
        drop(read);

        // 5. Inputs and config read at several types.
        let mut reader_list: Vec<_> = readers.into_iter().collect();
        reader_list.sort_by_key(|(v, _)| *v);
        for (vertex, readers) in reader_list {
            let is_config = matches!(vertices[vertex].kind(), Kind::Config);
            // Readers are recorded for inputs and config keys only.
            if let Some(value) = vertices[vertex].value_mut() {
                value.optional = readers.iter().all(|(_, _, optional)| *optional);
            }
            if is_config {
                check_config_readers(
                    &vertices,
                    &mut edges,
                    &mut converting,
                    vertex,
                    &readers,
                    &conversions,
                    &mut errors,
                );
            } else {
                check_input_readers(
                    &mut vertices,
                    &mut edges,
                    &mut converting,
                    vertex,
                    &readers,
                    &conversions,
                    &mut errors,
                );
            }
        }

        // 6. Parameters no node produces: typos of a node's name, and (with declared inputs)
        // any other undeclared one.
        let near_nodes = unproduced(
            &vertices,
            &edges,
            function_count,
            declared_inputs,
            &mut errors,
        );

        // 7. The edges read forwards, the run order, and cycles.
        let consumers = Consumers::new(&vertices, &edges);
        let (blocks, block_of, fan_out_errors) =
            crate::blocks::analyze(&vertices, &edges, &consumers, &fan_outs, &collectors);
        errors.extend(fan_out_errors);
        let expands: Vec<usize> = blocks.iter().map(|b| b.expand).collect();
        let topo_pos = match run_order(&consumers, &block_of, &expands) {
            Some(order) => order,
            None => {
                let mut found = cycles(&edge_graph(&vertices, &edges, |v| v));
                if found.is_empty() {
                    // A node collecting from a fan-out's block feeds that block: a cycle once the
                    // block (which runs as one) is taken as its fan-out.
                    found = cycles(&edge_graph(&vertices, &edges, |v| {
                        unit_of(v, &block_of, &expands)
                    }));
                }
                for path in found {
                    errors.push(BuildError::Cycle {
                        path: path
                            .iter()
                            .map(|&i| vertices[i].name().to_string())
                            .collect(),
                        at: path[..path.len() - 1]
                            .iter()
                            .map(|&i| vertices[i].function().map(origin).unwrap_or_default())
                            .collect(),
                    });
                }
                Vec::new()
            }
        };

        if !errors.is_empty() {
            return Err(errors);
        }
        // Inputs were pushed one by one: give back the growth slack (up to half of each).
        vertices.shrink_to_fit();
        edges.shrink_to_fit();
        Ok(Self {
            vertices,
            edges,
            converting,
            index,
            consumers,
            topo_pos,
            conversions,
            config,
            blocks,
            block_of,
            near_nodes,
            modules: modules.to_vec(),
        })
    }

    /// The conversion `source`'s value takes on the way, if any.
    pub(crate) fn conversion_of(&self, source: Source) -> Option<&Conversion> {
        self.converting.get(source.conversion as usize)
    }

    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name, |i| self.vertices[i].name())
    }

    /// Where `vertex`'s parameters read from, in parameter order (none for inputs and config).
    pub(crate) fn sources(&self, vertex: usize) -> &[Source] {
        self.vertices[vertex].sources.of(&self.edges)
    }

    /// [`sources`](Self::sources) of a vertex at hand.
    pub(crate) fn sources_of(&self, vertex: &Vertex) -> &[Source] {
        vertex.sources.of(&self.edges)
    }
}

/// Reports `when` keys that no config sets and config keys that nothing reads (`is_read`: a
/// parameter or a node has its name), with a did-you-mean: build errors in strict mode,
/// warnings otherwise.
fn check_config_keys(
    config: &Config,
    usage: &crate::resolve::ConfigUse,
    is_read: impl Fn(&str) -> bool,
    input_names: &[&str],
    strict: bool,
    errors: &mut Vec<BuildError>,
) {
    let set: BTreeSet<&str> = config
        .keys()
        .chain(usage.subdag_keys.iter().map(String::as_str))
        .collect();
    // Keys a missing-config error already names.
    let reported: BTreeSet<String> = errors
        .iter()
        .filter_map(|e| match e {
            BuildError::MissingConfig { keys, .. } => Some(keys.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut problems = Vec::new();
    for (key, tested_by) in &usage.when_keys {
        if set.contains(key.as_str()) || reported.contains(key) {
            continue;
        }
        problems.push(BuildError::UnsetConfigKey {
            key: key.clone(),
            tested_by: tested_by.iter().cloned().collect(),
            suggestion: crate::error::did_you_mean(key, config.keys()),
        });
    }
    if !usage.opaque {
        for key in config.keys() {
            if usage.when_keys.contains_key(key) || usage.subdag_reads.contains(key) || is_read(key)
            {
                continue;
            }
            let candidates = usage
                .when_keys
                .keys()
                .map(String::as_str)
                .chain(input_names.iter().copied());
            problems.push(BuildError::UnreadConfigKey {
                key: key.to_string(),
                suggestion: crate::error::did_you_mean(key, candidates),
            });
        }
    }
    if strict {
        errors.extend(problems);
    } else {
        for problem in problems {
            tracing::warn!(target: "hamilton::build", "{problem}");
        }
    }
}

/// The function vertex whose name `input` is likely a typo of: close by edit distance, and both
/// names long enough for closeness to mean something.
fn near_node(input: &str, function_names: &[&str]) -> Option<usize> {
    const SHORTEST: usize = 4;
    if input.len() < SHORTEST {
        return None;
    }
    let near = crate::error::did_you_mean(
        input,
        function_names
            .iter()
            .copied()
            .filter(|n| n.len() >= SHORTEST),
    )?;
    function_names.iter().position(|n| *n == near)
}

/// Finds the inputs whose names are close to a node's (returned, input vertex to node vertex);
/// with `declared` inputs (strict mode), reports each reader of an undeclared input: a likely
/// typo when its name is close to a node's, else an undeclared input unless it is optional.
fn unproduced(
    vertices: &[Vertex],
    edges: &[Source],
    function_count: usize,
    declared: Option<&BTreeSet<String>>,
    errors: &mut Vec<BuildError>,
) -> FxHashMap<usize, usize> {
    let function_names: Vec<&str> = vertices[..function_count]
        .iter()
        .map(|v| v.name())
        .collect();
    let mut near_nodes = FxHashMap::default();
    for (input, vertex) in vertices.iter().enumerate().skip(function_count) {
        if !matches!(vertex.kind(), Kind::Input)
            || declared.is_some_and(|d| d.contains(vertex.name()))
        {
            continue;
        }
        let near = near_node(vertex.name(), &function_names);
        if let Some(node) = near {
            near_nodes.insert(input, node);
        }
        if declared.is_none() {
            if let Some(node) = near {
                tracing::warn!(
                    target: "hamilton::build",
                    "no node produces `{}`, so it is an input; did you mean node `{}` ({})?",
                    vertex.name(),
                    vertices[node].name(),
                    vertices[node].function().map(place).unwrap_or_default()
                );
            }
            continue;
        }
        for consumer in &vertices[..function_count] {
            let node = consumer.function().expect("first vertices are functions");
            for (param, source) in node.params().iter().zip(consumer.sources.of(edges)) {
                if source.node() != input {
                    continue;
                }
                let error = match near {
                    Some(close) => BuildError::MisspeltDependency {
                        node: node.name().to_string(),
                        node_at: origin(node),
                        param: param.name().to_string(),
                        suggestion: vertices[close].name().to_string(),
                        suggestion_at: vertices[close].function().map(place).unwrap_or_default(),
                    },
                    None if param.is_optional() => continue,
                    None => BuildError::UndeclaredInput {
                        node: node.name().to_string(),
                        node_at: origin(node),
                        param: param.name().to_string(),
                        ty: vertex.ty_name().to_string(),
                    },
                };
                errors.push(error);
            }
        }
    }
    near_nodes
}

/// "`Series`", or "`polars::Series`" when two different types share a short name.
fn type_text(this: TypeDesc, other: TypeDesc) -> String {
    if this.name == other.name && this.id != other.id {
        format!("{} (a different type of the same name)", this.name)
    } else {
        this.name.to_string()
    }
}

fn empty_module_reason(reason: EmptyModuleReason) -> String {
    match reason {
        EmptyModuleReason::NothingRegistered => "no `#[node]` function was registered under this module path. Check that its functions carry `#[node]`, that `module!()` is written in the same module as them, and that the crate defining them is linked (name it, e.g. through its `MODULE`). Registration needs the `inventory` feature and a target with linker sections (Linux, macOS, iOS, Windows, Android, FreeBSD, OpenBSD, illumos, bare metal); elsewhere (e.g. wasm), list the functions with `nodes![..]` instead".to_string(),
        EmptyModuleReason::EmptyList => "the list of nodes is empty; add nodes to it or drop it".to_string(),
        EmptyModuleReason::RegistrationDisabled => "automatic registration is off (hamilton-core was built without the `inventory` feature); list the functions with `nodes![..]` instead".to_string(),
    }
}

/// Picks an input's type: one of its readers' types that every other reader's type can be
/// converted from.
fn check_input_readers(
    vertices: &mut [Vertex],
    edges: &mut [Source],
    converting: &mut Vec<Conversion>,
    vertex: usize,
    readers: &[(usize, TypeDesc, bool)],
    conversions: &ConversionTable,
    errors: &mut Vec<BuildError>,
) {
    let chosen = readers.iter().map(|r| r.1).find(|candidate| {
        readers.iter().all(|(_, t, _)| {
            t.id == candidate.id || conversions.contains_key(&(candidate.id, t.id))
        })
    });
    match chosen {
        Some(ty) => {
            if let Some(value) = vertices[vertex].value_mut() {
                value.ty = ty;
            }
            for &(consumer, t, _) in readers {
                if t.id != ty.id {
                    // A type no conversion reaches was not chosen.
                    let Some(conversion) = conversions.get(&(ty.id, t.id)) else {
                        continue;
                    };
                    for s in vertices[consumer].sources.of_mut(edges) {
                        if s.node() == vertex {
                            s.convert(conversion, converting);
                        }
                    }
                }
            }
        }
        None => {
            let mut named: Vec<(String, String)> = readers
                .iter()
                .map(|(c, t, _)| (vertices[*c].name().to_string(), t.name.to_string()))
                .collect();
            named.sort();
            errors.push(BuildError::InputTypeConflict {
                input: vertices[vertex].name().to_string(),
                readers: named,
            });
        }
    }
}

/// Config values are known at build: check every reader's type against the value now.
fn check_config_readers(
    vertices: &[Vertex],
    edges: &mut [Source],
    converting: &mut Vec<Conversion>,
    vertex: usize,
    readers: &[(usize, TypeDesc, bool)],
    conversions: &ConversionTable,
    errors: &mut Vec<BuildError>,
) {
    let have = vertices[vertex].ty();
    for &(consumer, wanted, _) in readers {
        if wanted.id == have.id {
            continue;
        }
        match conversions.get(&(have.id, wanted.id)) {
            Some(c) => {
                for s in vertices[consumer].sources.of_mut(edges) {
                    if s.node() == vertex {
                        s.convert(c, converting);
                    }
                }
            }
            None => errors.push(BuildError::ConfigType {
                key: vertices[vertex].name().to_string(),
                consumer: vertices[consumer].name().to_string(),
                expected: wanted.name.to_string(),
                found: have.name.to_string(),
            }),
        }
    }
}

/// The edges as a petgraph, each end taken to `unit(end)` and edges inside a unit left out
/// (but a vertex reading itself), for finding cycles: made only when the graph has one.
fn edge_graph(
    vertices: &[Vertex],
    edges: &[Source],
    unit: impl Fn(usize) -> usize,
) -> DiGraph<(), ()> {
    let mut dag: DiGraph<(), ()> = DiGraph::with_capacity(vertices.len(), vertices.len());
    for _ in 0..vertices.len() {
        dag.add_node(());
    }
    for (consumer, v) in vertices.iter().enumerate() {
        for s in v.sources.of(edges) {
            let (from, to) = (unit(s.node()), unit(consumer));
            if from != to || s.node() == consumer {
                dag.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
            }
        }
    }
    dag
}

/// One cycle per strongly connected component that has one, as a closed path.
fn cycles(dag: &DiGraph<(), ()>) -> Vec<Vec<usize>> {
    let mut found = Vec::new();
    for scc in tarjan_scc(dag) {
        let start = scc[0];
        if scc.len() == 1 && !dag.contains_edge(start, start) {
            continue;
        }
        let members: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
        // Breadth-first from `start` inside the component, back to `start`: a shortest cycle.
        let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        'search: while let Some(at) = queue.pop_front() {
            for next in dag.neighbors(at) {
                if next == start {
                    closing = Some(at);
                    break 'search;
                }
                if members.contains(&next) && !parent.contains_key(&next) {
                    parent.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        let Some(last) = closing else { continue };
        let mut chain = vec![last];
        let mut at = last;
        while at != start {
            at = parent[&at];
            chain.push(at);
        }
        chain.reverse();
        chain.push(start);
        let path: Vec<usize> = chain.into_iter().map(NodeIndex::index).collect();
        found.push(path);
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::convert::conversion_table;

    fn sum(name: &str, deps: &[&str]) -> Node {
        let mut b = Node::builder(name);
        for d in deps {
            b = b.param::<i64>(*d);
        }
        let n = deps.len();
        b.build(move |a: &Args| {
            (0..n)
                .map(|i| a.get::<i64>(i).copied())
                .sum::<Result<i64, _>>()
                .map_err(Into::into)
        })
    }

    fn build(nodes: Vec<Node>, config: Config) -> Result<Graph, Vec<BuildError>> {
        Graph::build(
            &[Module::from_nodes("m", nodes)],
            config,
            false,
            conversion_table(&[]),
            None,
        )
    }

    fn names(g: &Graph) -> Vec<&str> {
        g.vertices.iter().map(|v| v.name()).collect()
    }

    #[test]
    fn a_vertex_is_24_bytes_and_reads_a_function_name_and_type_from_its_node() {
        assert_eq!(std::mem::size_of::<Vertex>(), 24);
        let g = build(
            vec![
                sum("d", &["c"]),
                Node::builder("s").build(|_: &Args| Ok(String::new())),
            ],
            Config::new().set("k", 1_u8),
        )
        .unwrap();
        let by_name = |name: &str| g.vertices.iter().find(|v| v.name() == name).unwrap();
        assert!(matches!(by_name("d").of, VertexOf::Node(_)));
        assert_eq!(by_name("d").ty_id(), TypeId::of::<i64>());
        assert_eq!(
            (by_name("s").ty_name(), by_name("s").ty().name),
            ("String", "String")
        );
        assert_eq!(by_name("c").ty_id(), TypeId::of::<i64>());
        assert_eq!(by_name("k").ty_id(), TypeId::of::<u8>());
    }

    #[test]
    fn vertices_are_functions_by_name_then_config_keys_then_inputs_in_order_of_first_use() {
        let g = build(
            vec![sum("d", &["c", "z"]), sum("c", &["y", "x"])],
            Config::new().set("k", 1_i64),
        )
        .unwrap();
        assert_eq!(names(&g), ["c", "d", "k", "y", "x", "z"]);
        assert!(matches!(g.vertices[2].kind(), Kind::Config));
        assert!(matches!(g.vertices[3].kind(), Kind::Input));
        assert_eq!(g.get("z"), Some(5));
        assert_eq!(g.get("nope"), None);
    }

    #[test]
    fn every_edge_goes_forward_in_the_topological_order() {
        let g = build(
            vec![
                sum("a", &["in"]),
                sum("b", &["a"]),
                sum("c", &["a", "b"]),
                sum("d", &["c", "in"]),
            ],
            Config::new(),
        )
        .unwrap();
        for (consumer, v) in g.vertices.iter().enumerate() {
            for s in g.sources_of(v) {
                assert!(g.topo_pos[s.node()] < g.topo_pos[consumer]);
                assert!(g.consumers.of(s.node()).contains(&(consumer as u32)));
            }
        }
        let edges: usize = (0..g.vertices.len()).map(|v| g.consumers.of(v).len()).sum();
        assert_eq!(edges, 6);
        // `a` is read by `b` and `c`: consumers are sorted and unique.
        assert_eq!(g.consumers.of(g.get("a").unwrap()), [1, 2]);
    }

    #[test]
    fn an_input_takes_its_readers_type_and_is_optional_only_if_every_reader_is() {
        let opt = Node::builder("o")
            .optional_param::<f64>("x")
            .optional_param::<f64>("y")
            .build(|_: &Args| Ok(0_i64));
        let req = Node::builder("r")
            .param::<f64>("y")
            .build(|_: &Args| Ok(0_i64));
        let g = build(vec![opt, req], Config::new()).unwrap();
        let x = &g.vertices[g.get("x").unwrap()];
        let y = &g.vertices[g.get("y").unwrap()];
        assert_eq!(x.ty_name(), "f64");
        assert!(x.optional());
        assert!(!y.optional());
    }

    #[test]
    fn a_conversion_makes_an_edge_between_different_types_valid() {
        let producer = Node::builder("p").build(|_: &Args| Ok(1_i32));
        let consumer = Node::builder("c")
            .param::<f64>("p")
            .build(|a: &Args| Ok(*a.get::<f64>(0)?));
        let nodes = vec![producer, consumer];
        let errors = build(nodes.clone(), Config::new()).err().unwrap();
        assert!(matches!(errors[..], [BuildError::EdgeTypeMismatch { .. }]));
        let g = Graph::build(
            &[Module::from_nodes("m", nodes)],
            Config::new(),
            false,
            conversion_table(&[Conversion::new(|x: &i32| Ok(f64::from(*x)))]),
            None,
        )
        .unwrap();
        let c = &g.vertices[g.get("c").unwrap()];
        let source = g.sources_of(c)[0];
        assert!(source.converts());
        assert_eq!(
            g.conversion_of(source).map(|c| c.to().id()),
            Some(TypeId::of::<f64>())
        );
    }

    #[test]
    fn types_of_the_same_short_name_are_told_apart() {
        mod other {
            #[derive(Debug)]
            pub(crate) struct String;
        }
        let a = TypeDesc::from(TypeInfo::of::<std::string::String>());
        let b = TypeDesc::from(TypeInfo::of::<other::String>());
        assert_eq!(a.name, b.name);
        assert_eq!(
            type_text(a, b),
            "String (a different type of the same name)"
        );
        let c = TypeDesc::from(TypeInfo::of::<i64>());
        assert_eq!(type_text(a, c), "String");
    }

    #[test]
    fn cycles_finds_one_simple_cycle_per_strongly_connected_component() {
        let mut dag: DiGraph<(), ()> = DiGraph::new();
        let n: Vec<NodeIndex> = (0..6).map(|_| dag.add_node(())).collect();
        // 0 -> 1 -> 2 -> 0 and 1 -> 0 (a shorter cycle), 3 -> 3, 4 -> 5 (no cycle).
        for (a, b) in [(0, 1), (1, 2), (2, 0), (1, 0), (3, 3), (4, 5)] {
            dag.add_edge(n[a], n[b], ());
        }
        let found = cycles(&dag);
        assert_eq!(found.len(), 2, "{found:?}");
        for path in &found {
            assert_eq!(path.first(), path.last());
            for pair in path.windows(2) {
                assert!(dag.contains_edge(n[pair[0]], n[pair[1]]), "{path:?}");
            }
        }
        assert!(found.contains(&vec![3, 3]));
        // The other cycle visits no vertex twice (but the start, at both ends).
        let big = found.iter().find(|p| p[0] != 3).unwrap();
        let mut inner = big[1..].to_vec();
        inner.sort_unstable();
        inner.dedup();
        assert_eq!(inner.len(), big.len() - 1, "{big:?}");
        assert!(big.iter().all(|v| *v < 3), "{big:?}");
    }

    #[test]
    fn cycles_of_an_acyclic_graph_is_empty() {
        let mut dag: DiGraph<(), ()> = DiGraph::new();
        let a = dag.add_node(());
        let b = dag.add_node(());
        dag.add_edge(a, b, ());
        assert!(cycles(&dag).is_empty());
    }

    #[test]
    fn origin_names_the_module_and_location() {
        let hand = Node::builder("n").build(|_: &Args| Ok(1_i64));
        assert_eq!(origin(&hand), "nodes built by hand");
        let placed = Node::builder("n")
            .module("my::mod")
            .location(crate::types::Location::new("src/m.rs", 3))
            .build(|_: &Args| Ok(1_i64));
        assert_eq!(origin(&placed), "module `my::mod` (src/m.rs:3)");
    }
}
