#![doc = include_str!("../../../docs/modifiers.md")]

pub(crate) mod apply_to;
pub(crate) mod binding;
pub(crate) mod config;
pub(crate) mod fields;
pub(crate) mod group;
pub(crate) mod messages;
pub(crate) mod number;

use std::fmt;
use std::sync::Arc;

pub use apply_to::ApplyTo;
pub use binding::{Binding, IntoLiteral, Parameterization, Step};
pub use config::{Condition, ConfigValue};
pub use fields::{ColumnExtractor, Field, Fields, RegisteredColumnExtractor};
pub use group::{GroupMap, GroupMember};
pub(crate) use messages::origin;
pub use number::Number;

use crate::check::{Importance, Validator, checked};
use crate::module::Module;
use crate::node::Node;
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};
use crate::values::Config;

type Resolver = Arc<dyn Fn(&Config) -> Result<Vec<Modifier>, String> + Send + Sync>;
type ApplyCheck = Arc<dyn Fn(Node) -> Vec<Node> + Send + Sync>;

/// The data checks of one node, with their value type erased.
#[derive(Clone)]
pub(crate) struct CheckSpec {
    pub(crate) ty: TypeInfo,
    pub(crate) apply: ApplyCheck,
    pub(crate) text: String,
}

#[derive(Clone)]
pub(crate) enum Kind {
    When(Condition),
    Default,
    Exclude,
    Resolve {
        name: Arc<str>,
        f: Resolver,
    },
    /// The implementation, and its parameters matched to the node's by name: `(its, ours)`
    /// (none: by position).
    Does(Box<Node>, Vec<(Arc<str>, Arc<str>)>),
    Subdag(Box<Subdag>),
    Parameterize(Vec<Parameterization>),
    Inject(Arc<str>, Binding),
    PipeInput {
        on: Option<Arc<str>>,
        steps: Vec<Step>,
        namespace: Option<Arc<str>>,
    },
    ExtractFields(Vec<Field>),
    ExtractColumns {
        columns: Vec<Arc<str>>,
        extractor: Option<ColumnExtractor>,
        fill: Option<fields::ColumnFill>,
    },
    PipeOutput(Vec<Step>),
    Mutate {
        targets: Vec<ApplyTo>,
        bindings: Vec<(Arc<str>, Binding)>,
    },
    Check(CheckSpec),
    TagOutput {
        output: Arc<str>,
        key: String,
        value: TagOutputValue,
    },
}

/// The value `tag_outputs` gives a tag: one string or several.
#[derive(Clone, Debug)]
pub(crate) enum TagOutputValue {
    One(String),
    Many(Vec<String>),
}

/// One function modifier: the runtime form of an option of `#[node(...)]`, also usable on
/// nodes built by hand ([`NodeBuilder::modifier`](crate::node::NodeBuilder::modifier),
/// [`Node::with_modifier`]). Modifiers are applied when the graph is built, in the fixed order
/// described in the [module docs](self).
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use hamilton_core::modifiers::{Binding, Modifier, Parameterization};
/// let scaled = Node::builder("scaled")
///     .param::<f64>("x")
///     .param::<f64>("k")
///     .modifier(Modifier::parameterize([
///         Parameterization::new("double").bind("k", Binding::value(2.0_f64)),
///         Parameterization::new("triple").bind("k", Binding::value(3.0_f64)),
///     ]))
///     .build(|a: &Args| Ok(a.get::<f64>(0)? * a.get::<f64>(1)?));
/// let dr = Driver::builder().with_nodes([scaled]).build().unwrap();
/// let out = dr.execute(&["double", "triple"], Inputs::new().set("x", 5.0_f64)).unwrap();
/// assert_eq!((out.get::<f64>("double").unwrap(), out.get::<f64>("triple").unwrap()), (&10.0, &15.0));
/// ```
#[derive(Clone)]
pub struct Modifier {
    pub(crate) kind: Kind,
}

impl Modifier {
    fn of(kind: Kind) -> Self {
        Self { kind }
    }

    /// Keeps the node only when `condition` holds (`when(...)` and its siblings).
    pub fn condition(condition: Condition) -> Self {
        Self::of(Kind::When(condition))
    }

    /// Keeps the node only when config `key` equals `value` (`when(key = value)`).
    pub fn when(key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        Self::condition(Condition::eq(key, value))
    }

    /// Keeps the node only when config `key` is not `value` (`when_not(key = value)`).
    pub fn when_not(key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        Self::condition(Condition::ne(key, value))
    }

    /// Keeps the node only when config `key` is one of `values` (`when_in(key = [..])`).
    pub fn when_in<V: Into<ConfigValue>>(
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::condition(Condition::is_in(key, values))
    }

    /// Keeps the node only when config `key` is none of `values` (`when_not_in(key = [..])`).
    pub fn when_not_in<V: Into<ConfigValue>>(
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::condition(Condition::not_in(key, values))
    }

    /// Makes the node the variant of its name used when no other variant matches the config
    /// (`default`).
    pub fn default_variant() -> Self {
        Self::of(Kind::Default)
    }

    /// Drops the node from its module (`exclude`): for step functions and helpers that are
    /// described as nodes but are not part of the dataflow.
    pub fn exclude() -> Self {
        Self::of(Kind::Exclude)
    }

    /// Computes more modifiers from the config when the graph is built (`resolve(path)`).
    /// They join their own phase; `Modifier::exclude()` drops the node. `name` stands for the
    /// resolver in messages. Returning an error is a build error.
    ///
    /// ```
    /// use hamilton_core::Config;
    /// use hamilton_core::modifiers::{Binding, Modifier};
    /// let m = Modifier::resolve("window_from_config", |config: &Config| {
    ///     let window = *config.get::<i64>("window").ok_or("set `window` in the config")?;
    ///     Ok(vec![Modifier::inject("window", Binding::value(window))])
    /// });
    /// # let _ = m;
    /// ```
    pub fn resolve(
        name: impl Into<Arc<str>>,
        f: impl Fn(&Config) -> Result<Vec<Modifier>, String> + Send + Sync + 'static,
    ) -> Self {
        Self::of(Kind::Resolve {
            name: name.into(),
            f: Arc::new(f),
        })
    }

    /// Computes the node with `implementation`'s code (`does`): the node keeps its name and
    /// parameter names; `implementation` must take parameters of the same types, in the same
    /// order, and produce the same type.
    pub fn does(implementation: Node) -> Self {
        Self::of(Kind::Does(Box::new(implementation), Vec::new()))
    }

    /// Computes the node with `implementation`'s code, its parameters matched to the node's by
    /// name (`does(f, their = ours, ..)`): `implementation`'s parameter `their` receives the
    /// node's `ours`, each other one the node's parameter of its own name. Each parameter of
    /// the node goes to one of `implementation`'s, of the same type; a parameter without a
    /// match is a build error naming it.
    ///
    /// ```
    /// use hamilton_core::modifiers::Modifier;
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let ratio = Node::builder("ratio")
    ///     .param::<f64>("num")
    ///     .param::<f64>("den")
    ///     .build(|a: &Args| Ok(a.get::<f64>(0)? / a.get::<f64>(1)?));
    /// let conversion = Node::builder("conversion")
    ///     .param::<f64>("visits")
    ///     .param::<f64>("signups")
    ///     .modifier(Modifier::does_by_name(ratio, [("num", "signups"), ("den", "visits")]))
    ///     .build(|_: &Args| Ok(0.0_f64));
    /// let dr = Driver::builder().with_nodes([conversion]).build().unwrap();
    /// let out = dr.execute(&["conversion"], Inputs::new().set("visits", 4.0).set("signups", 1.0)).unwrap();
    /// assert_eq!(out.get::<f64>("conversion").unwrap(), &0.25);
    /// ```
    pub fn does_by_name(
        implementation: Node,
        mapping: impl IntoIterator<Item = (impl Into<Arc<str>>, impl Into<Arc<str>>)>,
    ) -> Self {
        let mapping = mapping
            .into_iter()
            .map(|(their, our)| (their.into(), our.into()))
            .collect();
        Self::of(Kind::Does(Box::new(implementation), mapping))
    }

    /// Re-uses the nodes of `subdag`'s modules as a namespaced sub-dataflow feeding the node
    /// (`subdag(..)`; several make `parameterized_subdag(..)`).
    pub fn subdag(subdag: Subdag) -> Self {
        Self::of(Kind::Subdag(Box::new(subdag)))
    }

    /// One node per output, each computing the function with some parameters bound
    /// (`parameterize(out(p = source("x"), k = value(2)), ...)`); the function's own node is
    /// replaced by them.
    pub fn parameterize(outputs: impl IntoIterator<Item = Parameterization>) -> Self {
        Self::of(Kind::Parameterize(outputs.into_iter().collect()))
    }

    /// Binds `param` in the node itself (`inject(param = ...)`): a single-output
    /// `parameterize` keeping the node's name. With `parameterize`, it binds `param` in every
    /// output.
    pub fn inject(param: impl Into<Arc<str>>, binding: Binding) -> Self {
        Self::of(Kind::Inject(param.into(), binding))
    }

    /// Runs `steps` on the node's first parameter before the node (`pipe_input(...)`).
    pub fn pipe_input(steps: impl IntoIterator<Item = Step>) -> Self {
        Self::of(Kind::PipeInput {
            on: None,
            steps: steps.into_iter().collect(),
            namespace: None,
        })
    }

    /// Runs `steps` on parameter `param` before the node (`pipe_input(..., on_input = param)`).
    pub fn pipe_input_on(
        param: impl Into<Arc<str>>,
        steps: impl IntoIterator<Item = Step>,
    ) -> Self {
        Self::of(Kind::PipeInput {
            on: Some(param.into()),
            steps: steps.into_iter().collect(),
            namespace: None,
        })
    }

    /// Runs `steps` on parameter `on` (or the first) before the node, naming them
    /// `<namespace>.with_<f>` instead of `<node>.with_<f>` (`pipe_input(.., namespace = "ns")`,
    /// Hamilton's `namespace=`). Each output of a `parameterize`d function gets
    /// `<namespace>.<output>.with_<f>`.
    ///
    /// ```
    /// use hamilton_core::modifiers::{Modifier, Step};
    /// use hamilton_core::{Driver, Inputs, node, node::{Args, Node}};
    ///
    /// #[node(exclude)]
    /// fn halved(x: &f64) -> f64 { x / 2.0 }
    ///
    /// let total = Node::builder("total")
    ///     .param::<f64>("spend")
    ///     .modifier(Modifier::pipe_input_in("clean", None, [Step::of(halved::DEF)]))
    ///     .build(|a: &Args| Ok(*a.get::<f64>(0)?));
    /// let dr = Driver::builder().with_nodes([total]).build().unwrap();
    /// let out = dr.execute(&["total", "clean.with_halved"], Inputs::new().set("spend", 8.0)).unwrap();
    /// assert_eq!(out.get::<f64>("total").unwrap(), &4.0);
    /// ```
    pub fn pipe_input_in(
        namespace: impl Into<Arc<str>>,
        on: Option<&str>,
        steps: impl IntoIterator<Item = Step>,
    ) -> Self {
        Self::of(Kind::PipeInput {
            on: on.map(Into::into),
            steps: steps.into_iter().collect(),
            namespace: Some(namespace.into()),
        })
    }

    /// One node per field of the node's value (`extract_fields`, `unpack`); the node itself
    /// stays.
    pub fn extract_fields(fields: impl IntoIterator<Item = Field>) -> Self {
        Self::of(Kind::ExtractFields(fields.into_iter().collect()))
    }

    /// One node per column of the node's frame value (`extract_columns(a, b)`), read by the
    /// [`ColumnExtractor`] registered for the node's type; the frame node stays.
    pub fn extract_columns(columns: impl IntoIterator<Item = impl Into<Arc<str>>>) -> Self {
        Self::of(Kind::ExtractColumns {
            columns: columns.into_iter().map(Into::into).collect(),
            extractor: None,
            fill: None,
        })
    }

    /// [`Modifier::extract_columns`], filling the columns the frame lacks with `fill`
    /// (`extract_columns(a, b, fill_with = 0.0)`, Hamilton's `fill_with`): the registered
    /// extractor must take fills ([`ColumnExtractor::filling`]) of `fill`'s type, else a build
    /// error says what it takes. hamilton-polars' take numbers, booleans, strings and Polars
    /// `Scalar`s.
    pub fn extract_columns_filled<T: NodeValue + fmt::Debug>(
        columns: impl IntoIterator<Item = impl Into<Arc<str>>>,
        fill: T,
    ) -> Self {
        let text = format!("{fill:?}");
        Self::of(Kind::ExtractColumns {
            columns: columns.into_iter().map(Into::into).collect(),
            extractor: None,
            fill: Some(fields::ColumnFill {
                value: Arc::new(Value::new(fill)),
                text: text.into(),
            }),
        })
    }

    /// [`Modifier::extract_columns_filled`] with an explicit extractor instead of the
    /// registered one.
    pub fn extract_columns_filled_with<T: NodeValue + fmt::Debug>(
        extractor: ColumnExtractor,
        columns: impl IntoIterator<Item = impl Into<Arc<str>>>,
        fill: T,
    ) -> Self {
        let mut m = Self::extract_columns_filled(columns, fill);
        if let Kind::ExtractColumns { extractor: x, .. } = &mut m.kind {
            *x = Some(extractor);
        }
        m
    }

    /// [`Modifier::extract_columns`] with an explicit extractor instead of the registered one.
    pub fn extract_columns_with(
        extractor: ColumnExtractor,
        columns: impl IntoIterator<Item = impl Into<Arc<str>>>,
    ) -> Self {
        Self::of(Kind::ExtractColumns {
            columns: columns.into_iter().map(Into::into).collect(),
            extractor: Some(extractor),
            fill: None,
        })
    }

    /// Runs `steps` on the node's value (`pipe_output(...)`): `x` becomes `x.raw`, the steps
    /// `x.with_<f>`, and the last step is named `x`.
    pub fn pipe_output(steps: impl IntoIterator<Item = Step>) -> Self {
        Self::of(Kind::PipeOutput(steps.into_iter().collect()))
    }

    /// Makes this node a `pipe_output` step of the nodes of functions `targets` in the same
    /// module (`mutate(a, b, k = value(..))`); this node is then dropped. `bindings` bind its
    /// other parameters. A target may be an [`ApplyTo`], with bindings, a name and conditions
    /// of its own (`mutate(apply_to(a, k = value(..)).named("..").when(..))`).
    ///
    /// ```
    /// use hamilton_core::modifiers::{ApplyTo, Binding, Modifier};
    /// let m = Modifier::mutate(
    ///     [ApplyTo::new("prices").bind("k", Binding::value(2.0_f64)).named("doubled"), "costs".into()],
    ///     [("k", Binding::value(1.0_f64))],
    /// );
    /// assert_eq!(format!("{m:?}"), "mutate(apply_to(prices, k = value(2.0)).named(\"doubled\"), costs, k = value(1.0))");
    /// ```
    pub fn mutate(
        targets: impl IntoIterator<Item = impl Into<ApplyTo>>,
        bindings: impl IntoIterator<Item = (impl Into<Arc<str>>, Binding)>,
    ) -> Self {
        Self::of(Kind::Mutate {
            targets: targets.into_iter().map(Into::into).collect(),
            bindings: bindings.into_iter().map(|(p, b)| (p.into(), b)).collect(),
        })
    }

    /// Checks the node's value with `validators` (`check(...)`), through
    /// [`checked`]: `x` becomes `x.raw`, `x.checks` and `x`.
    pub fn check<T: NodeValue + Clone>(
        validators: Vec<Arc<dyn Validator<T>>>,
        importance: Importance,
    ) -> Self {
        let text = format!(
            "check({}, importance = {importance:?})",
            validators
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Self::of(Kind::Check(CheckSpec {
            ty: TypeInfo::of::<T>(),
            apply: Arc::new(move |node| checked::<T>(node, validators.clone(), importance)),
            text,
        }))
    }

    /// Tags output `output` of the function (`tag_outputs(output(key = "value"))`).
    pub fn tag_output(
        output: impl Into<Arc<str>>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self::of(Kind::TagOutput {
            output: output.into(),
            key: key.into(),
            value: TagOutputValue::One(value.into()),
        })
    }

    /// Tags output `output` of the function with several values
    /// (`tag_outputs(output(key = ["a", "b"]))`).
    ///
    /// ```
    /// use hamilton_core::modifiers::Modifier;
    /// let m = Modifier::tag_output_list("test", "team", ["ml", "growth"]);
    /// assert_eq!(format!("{m:?}"), r#"tag_outputs(test(team = ["ml", "growth"]))"#);
    /// ```
    pub fn tag_output_list(
        output: impl Into<Arc<str>>,
        key: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self::of(Kind::TagOutput {
            output: output.into(),
            key: key.into(),
            value: TagOutputValue::Many(values.into_iter().map(Into::into).collect()),
        })
    }

    /// The option's name in `#[node(...)]`, for messages.
    pub fn option(&self) -> &'static str {
        match &self.kind {
            Kind::When(_) => "when",
            Kind::Default => "default",
            Kind::Exclude => "exclude",
            Kind::Resolve { .. } => "resolve",
            Kind::Does(..) => "does",
            Kind::Subdag(_) => "subdag",
            Kind::Parameterize(_) => "parameterize",
            Kind::Inject(..) => "inject",
            Kind::PipeInput { .. } => "pipe_input",
            Kind::ExtractFields(_) => "extract_fields",
            Kind::ExtractColumns { .. } => "extract_columns",
            Kind::PipeOutput(_) => "pipe_output",
            Kind::Mutate { .. } => "mutate",
            Kind::Check(_) => "check",
            Kind::TagOutput { .. } => "tag_outputs",
        }
    }
}

impl fmt::Debug for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(", ");
        match &self.kind {
            Kind::When(c) => write!(f, "when({c})"),
            Kind::Default => f.write_str("default"),
            Kind::Exclude => f.write_str("exclude"),
            Kind::Resolve { name, .. } => write!(f, "resolve({name})"),
            Kind::Does(node, mapping) => {
                write!(f, "does({}", node.function())?;
                for (their, our) in mapping {
                    write!(f, ", {their} = {our}")?;
                }
                f.write_str(")")
            }
            Kind::Subdag(sd) => write!(f, "{sd:?}"),
            Kind::Parameterize(outputs) => write!(
                f,
                "parameterize({})",
                list(&mut outputs.iter().map(|o| {
                    let bound = o
                        .bindings
                        .iter()
                        .map(|(p, b)| format!("{p} = {b}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("{}({bound})", o.name)
                }))
            ),
            Kind::Inject(p, b) => write!(f, "inject({p} = {b})"),
            Kind::PipeInput {
                on,
                steps,
                namespace,
            } => {
                write!(
                    f,
                    "pipe_input({}",
                    list(&mut steps.iter().map(|s| s.to_string()))
                )?;
                if let Some(on) = on {
                    write!(f, ", on_input = {on}")?;
                }
                if let Some(ns) = namespace {
                    write!(f, ", namespace = {ns:?}")?;
                }
                f.write_str(")")
            }
            Kind::ExtractFields(fields) => write!(
                f,
                "extract_fields({})",
                list(&mut fields.iter().map(|x| format!("{}: {}", x.name, x.ty)))
            ),
            Kind::ExtractColumns { columns, fill, .. } => write!(
                f,
                "extract_columns({})",
                list(
                    &mut columns
                        .iter()
                        .map(|c| c.to_string())
                        .chain(fill.iter().map(|x| format!("fill_with = {}", x.text)))
                )
            ),
            Kind::PipeOutput(steps) => write!(
                f,
                "pipe_output({})",
                list(&mut steps.iter().map(|s| s.to_string()))
            ),
            Kind::Mutate { targets, bindings } => write!(
                f,
                "mutate({})",
                list(
                    &mut targets
                        .iter()
                        .map(|t| t.to_string())
                        .chain(bindings.iter().map(|(p, b)| format!("{p} = {b}")))
                )
            ),
            Kind::Check(spec) => f.write_str(&spec.text),
            Kind::TagOutput { output, key, value } => match value {
                TagOutputValue::One(v) => write!(f, "tag_outputs({output}({key} = {v:?}))"),
                TagOutputValue::Many(vs) => write!(f, "tag_outputs({output}({key} = {vs:?}))"),
            },
        }
    }
}

/// A sub-dataflow: the nodes of some modules, resolved with their own config, renamed into a
/// namespace (`ns.node`), with some of their inputs bound, feeding one node. What `subdag(..)`
/// and each output of `parameterized_subdag(..)` describe.
///
/// Inside, a parameter naming a node of the sub-dataflow reads `ns.<node>`; one listed in the
/// inputs reads what it is bound to (`source("x")`: the outer node `x`; `value(v)`: a literal,
/// node `ns.<param>`); one naming a key of the sub-dataflow's own config reads that value (node
/// `ns.<key>`); any other reads the outer node or input of the same name. The sub-dataflow's
/// config is the driver's, updated with its own. The node the modifier is on reads `ns.<p>`
/// for each parameter `p` the sub-dataflow produces.
///
/// ```
/// use hamilton_core::modifiers::{Binding, Modifier, Subdag};
/// use hamilton_core::{Config, Driver, Inputs, Module, node::{Args, Node}};
/// let inner = Module::from_nodes("features", [
///     Node::builder("scaled").param::<f64>("x").param::<f64>("k")
///         .build(|a: &Args| Ok(a.get::<f64>(0)? * a.get::<f64>(1)?)),
/// ]);
/// let report = Node::builder("report")
///     .param::<f64>("scaled")
///     .modifier(Modifier::subdag(
///         Subdag::new([inner])
///             .input("x", Binding::source("raw"))
///             .config(Config::new().set("k", 10.0_f64))
///             .namespace("uk"),
///     ))
///     .build(|a: &Args| Ok(format!("{}", a.get::<f64>(0)?)));
/// let dr = Driver::builder().with_nodes([report]).build().unwrap();
/// let out = dr.execute(&["report", "uk.scaled"], Inputs::new().set("raw", 2.0_f64)).unwrap();
/// assert_eq!(out.get::<String>("report").unwrap(), "20");
/// ```
#[derive(Clone)]
pub struct Subdag {
    pub(crate) modules: Vec<Module>,
    pub(crate) inputs: Vec<(Arc<str>, Binding)>,
    pub(crate) config: Config,
    /// Own config keys read from other keys of the driver's config: `(key, outer key)`.
    pub(crate) config_from: Vec<(Arc<str>, Arc<str>)>,
    /// Inputs bound to numbers without a type suffix, typed by their readers.
    pub(crate) numbers: Vec<(Arc<str>, Number)>,
    pub(crate) namespace: Option<Arc<str>>,
    pub(crate) output: Option<Arc<str>>,
}

impl Subdag {
    /// The nodes of `modules`.
    pub fn new(modules: impl IntoIterator<Item = Module>) -> Self {
        Self {
            modules: modules.into_iter().collect(),
            inputs: Vec::new(),
            config: Config::new(),
            config_from: Vec::new(),
            numbers: Vec::new(),
            namespace: None,
            output: None,
        }
    }

    /// Binds input (or parameter) `name` of the sub-dataflow to `binding` (`source` or `value`).
    pub fn input(mut self, name: impl Into<Arc<str>>, binding: Binding) -> Self {
        self.inputs.push((name.into(), binding));
        self
    }

    /// Binds input `name` to a number written without a type suffix: it takes the type of
    /// the parameter that reads it (what `inputs(k = value(10))` generates), and a number that
    /// the type cannot hold is a build error.
    ///
    /// ```
    /// use hamilton_core::modifiers::{Modifier, Number, Subdag};
    /// use hamilton_core::{Driver, Inputs, Module, node::{Args, Node}};
    /// let inner = Module::from_nodes("features", [
    ///     Node::builder("shifted").param::<u8>("x").param::<u8>("k")
    ///         .build(|a: &Args| Ok(a.get::<u8>(0)? + a.get::<u8>(1)?)),
    /// ]);
    /// let report = Node::builder("report")
    ///     .param::<u8>("shifted")
    ///     .modifier(Modifier::subdag(Subdag::new([inner]).input_number("k", Number::Int(10))))
    ///     .build(|a: &Args| Ok(*a.get::<u8>(0)?));
    /// let dr = Driver::builder().with_nodes([report]).build().unwrap();
    /// let out = dr.execute(&["report"], Inputs::new().set("x", 1_u8)).unwrap();
    /// assert_eq!(out.get::<u8>("report").unwrap(), &11);
    /// ```
    pub fn input_number(mut self, name: impl Into<Arc<str>>, number: Number) -> Self {
        self.numbers.push((name.into(), number));
        self
    }

    /// Adds config for the sub-dataflow (over the driver's).
    pub fn config(mut self, config: Config) -> Self {
        self.config = std::mem::take(&mut self.config).merge(config);
        self
    }

    /// Sets the sub-dataflow's config key `key` to the value of the driver's config key
    /// `outer` (Hamilton's `configuration("outer")`; `config(key = configuration("outer"))` in
    /// `#[node(subdag(..))]`). It wins over a value [`config`](Self::config) gives `key`;
    /// `outer` not set in the driver's config is a build error.
    ///
    /// ```
    /// use hamilton_core::modifiers::{Modifier, Subdag};
    /// use hamilton_core::{Config, Driver, Module, Inputs, node::{Args, Node}};
    /// let inner = Module::from_nodes("features", [
    ///     Node::builder("label").param::<String>("region")
    ///         .build(|a: &Args| Ok(format!("in {}", a.get::<String>(0)?))),
    /// ]);
    /// let report = Node::builder("report")
    ///     .param::<String>("label")
    ///     .modifier(Modifier::subdag(Subdag::new([inner]).config_from("region", "market")))
    ///     .build(|a: &Args| Ok(a.get::<String>(0)?.clone()));
    /// let dr = Driver::builder()
    ///     .with_nodes([report])
    ///     .with_config(Config::new().set("market", "DE"))
    ///     .build()
    ///     .unwrap();
    /// let out = dr.execute(&["report", "report.region"], Inputs::new()).unwrap();
    /// assert_eq!(out.get::<String>("report").unwrap(), "in DE");
    /// assert_eq!(out.get::<String>("report.region").unwrap(), "DE");
    /// ```
    pub fn config_from(mut self, key: impl Into<Arc<str>>, outer: impl Into<Arc<str>>) -> Self {
        self.config_from.push((key.into(), outer.into()));
        self
    }

    /// The namespace of its nodes (default: the output's name).
    pub fn namespace(mut self, namespace: impl Into<Arc<str>>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The name of the node it feeds (default: the node the modifier is on); with several
    /// subdags on one function (`parameterized_subdag`), one output each.
    pub fn output(mut self, name: impl Into<Arc<str>>) -> Self {
        self.output = Some(name.into());
        self
    }
}

impl fmt::Debug for Subdag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subdag(modules = [")?;
        for (i, m) in self.modules.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(m.name())?;
        }
        f.write_str("]")?;
        if !self.inputs.is_empty() || !self.numbers.is_empty() {
            let bound = self.inputs.iter().map(|(p, b)| format!("{p} = {b}"));
            let numbers = self
                .numbers
                .iter()
                .map(|(p, n)| format!("{p} = value({n})"));
            let inputs: Vec<String> = bound.chain(numbers).collect();
            write!(f, ", inputs({})", inputs.join(", "))?;
        }
        if !self.config.is_empty() {
            write!(f, ", config({:?})", self.config)?;
        }
        for (key, outer) in &self.config_from {
            write!(f, ", config({key} = configuration({outer:?}))")?;
        }
        if let Some(ns) = &self.namespace {
            write!(f, ", namespace = {ns:?}")?;
        }
        if let Some(o) = &self.output {
            write!(f, ", output = {o:?}")?;
        }
        f.write_str(")")
    }
}
