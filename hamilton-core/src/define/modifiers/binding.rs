//! What a parameter is bound to (`source`, `value`, `group`), the outputs of `parameterize`, and
//! pipeline steps.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::config::{Condition, ConfigValue};
use super::group::GroupMember;
use crate::args::Args;
use crate::batch::NodeRef;
use crate::node::{Node, NodeError};
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

type MakeValue = Arc<dyn Fn() -> Value + Send + Sync>;
type Combine = Arc<dyn Fn(&Args<'_>) -> Result<Value, NodeError> + Send + Sync>;

#[derive(Clone)]
pub(crate) enum BindingKind {
    Source(Arc<str>),
    Value {
        ty: TypeInfo,
        make: MakeValue,
        text: Arc<str>,
    },
    Group {
        elem: TypeInfo,
        ty: TypeInfo,
        /// The parameter types that take the group, for messages.
        expected: String,
        /// The members that are nodes, in order: the helper node's parameters.
        members: Vec<Arc<str>>,
        /// The members as written inside `group(..)`.
        text: Arc<str>,
        /// A map key given twice.
        duplicate: Option<String>,
        combine: Combine,
    },
}

/// What a parameter is bound to: another node ([`Binding::source`]), a literal
/// ([`Binding::value`]), or several nodes and literals gathered into a `Vec`
/// ([`Binding::group`], [`Binding::group_of`]) or a map ([`Binding::group_map`]).
///
/// In `#[node(...)]` they are written `source("x")`, `value(2)`, `group(a, b, value(3))` and
/// `group(a = source("x"), b = value(2))`.
///
/// ```
/// use hamilton_core::modifiers::Binding;
/// assert_eq!(Binding::source("spend").to_string(), "source(\"spend\")");
/// assert_eq!(Binding::value(2_i64).to_string(), "value(2)");
/// assert_eq!(Binding::group::<f64>(["a", "b"]).to_string(), "group(a, b)");
/// ```
#[derive(Clone)]
pub struct Binding(pub(crate) BindingKind);

impl Binding {
    /// The parameter reads node (or input) `name` instead of the node named like itself.
    pub fn source(name: impl Into<Arc<str>>) -> Self {
        Self(BindingKind::Source(name.into()))
    }

    /// The parameter reads a literal, fixed when the graph is built; it stops being a
    /// dependency. `&'static str` is stored as `String`. Its `Debug` text (a string's own
    /// text) fills `{param}` in `parameterize` doc templates.
    pub fn value<T: NodeValue + Clone + fmt::Debug>(value: T) -> Self {
        let text = match (&value as &dyn Any).downcast_ref::<&'static str>() {
            Some(s) => (*s).to_owned(),
            None => match (&value as &dyn Any).downcast_ref::<String>() {
                Some(s) => s.clone(),
                None => format!("{value:?}"),
            },
        };
        let ty = if Value::new(value.clone()).is::<String>() {
            TypeInfo::of::<String>()
        } else {
            TypeInfo::of::<T>()
        };
        Self(BindingKind::Value {
            ty,
            make: Arc::new(move || Value::new(value.clone())),
            text: text.into(),
        })
    }

    /// A literal made by `make` each time the node runs (so `T` need not be `Clone`); `text`
    /// shows it in doc templates and messages. What `#[node(...)]` generates for `value(..)`.
    ///
    /// ```
    /// use hamilton_core::modifiers::Binding;
    /// let b = Binding::value_with(|| vec![1.0_f64, 2.0], "[1.0, 2.0]");
    /// assert_eq!(b.to_string(), "value([1.0, 2.0])");
    /// ```
    pub fn value_with<T: NodeValue>(
        make: impl Fn() -> T + Send + Sync + 'static,
        text: impl Into<Arc<str>>,
    ) -> Self {
        Self(BindingKind::Value {
            ty: TypeInfo::of::<T>(),
            make: Arc::new(move || Value::new(make())),
            text: text.into(),
        })
    }

    /// The parameter reads a `Vec<T>` gathered from the nodes `members`, each a `T`
    /// (cloned, or moved on its last use).
    pub fn group<T: NodeValue + Clone>(
        members: impl IntoIterator<Item = impl Into<Arc<str>>>,
    ) -> Self {
        Self::group_of::<T>(members.into_iter().map(GroupMember::source))
    }

    /// The text that fills `{param}` in doc templates: the source's name, the literal, or
    /// the members.
    pub fn text(&self) -> String {
        match &self.0 {
            BindingKind::Source(s) => s.to_string(),
            BindingKind::Value { text, .. } => text.to_string(),
            BindingKind::Group { text, .. } => text.to_string(),
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            BindingKind::Source(s) => write!(f, "source({s:?})"),
            BindingKind::Value { text, .. } => write!(f, "value({text})"),
            BindingKind::Group { text, .. } => write!(f, "group({text})"),
        }
    }
}

impl fmt::Debug for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Parameters bound by name, in the order given.
pub(crate) type Bindings = Vec<(Arc<str>, Binding)>;

/// One output of `parameterize`: a node named `name`, computed by the function with some
/// parameters bound.
///
/// ```
/// use hamilton_core::modifiers::{Binding, Parameterization};
/// let p = Parameterization::new("spend_uk")
///     .bind("spend", Binding::source("uk_spend"))
///     .bind("scale", Binding::value(1.2_f64))
///     .doc("Spend in the UK, scaled by {scale}.");
/// assert_eq!(p.name(), "spend_uk");
/// ```
#[derive(Clone, Debug)]
pub struct Parameterization {
    pub(crate) name: Arc<str>,
    pub(crate) bindings: Bindings,
    pub(crate) doc: Option<Arc<str>>,
}

impl Parameterization {
    /// An output named `name`.
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            bindings: Vec::new(),
            doc: None,
        }
    }

    /// Binds parameter `param`.
    pub fn bind(mut self, param: impl Into<Arc<str>>, binding: Binding) -> Self {
        self.bindings.push((param.into(), binding));
        self
    }

    /// The output's doc template (instead of the function's doc): `{param}` becomes what the
    /// parameter is bound to, `{output_name}` the output's name.
    pub fn doc(mut self, doc: impl Into<Arc<str>>) -> Self {
        self.doc = Some(doc.into());
        self
    }

    /// The output's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// One step of `pipe_input` / `pipe_output`: a function whose **first** parameter receives the
/// piped value. Its other parameters are bound ([`Step::bind`]) or stay dependencies.
///
/// A step function is itself a `#[node]` function, usually marked `exclude` so that it is not
/// also a node of its module: `#[node(exclude)] fn add(x: &f64, k: &f64) -> f64 { x + k }`,
/// then `step(add, k = value(1.0))`.
///
/// ```
/// use hamilton_core::node::{Args, Node};
/// use hamilton_core::modifiers::{Binding, Step};
/// let add = Node::builder("add").param::<f64>("x").param::<f64>("k")
///     .build(|a: &Args| Ok(a.get::<f64>(0)? + a.get::<f64>(1)?));
/// let step = Step::new(add).bind("k", Binding::value(1.0_f64)).when("mode", "fast").named("plus_one");
/// assert_eq!(step.to_string(), "step(add, k = value(1.0)).when(mode = \"fast\").named(\"plus_one\")");
/// ```
#[derive(Clone)]
pub struct Step {
    pub(crate) node: Node,
    pub(crate) bindings: Bindings,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) name: Option<Arc<str>>,
}

impl Step {
    /// A step computed by `node`.
    pub fn new(node: Node) -> Self {
        Self {
            node,
            bindings: Vec::new(),
            conditions: Vec::new(),
            name: None,
        }
    }

    /// A step computed by a `#[node]` function (what `step(f)` generates; `f::DEF` of a function
    /// of a `#[node_module]` module as well).
    pub fn of(def: impl Into<NodeRef>) -> Self {
        Self::new(Node::from_def(def.into().get()))
    }

    /// Binds parameter `param` of the step function (not its first, which is piped).
    pub fn bind(mut self, param: impl Into<Arc<str>>, binding: Binding) -> Self {
        self.bindings.push((param.into(), binding));
        self
    }

    /// Runs the step only when `condition` holds (all conditions must hold).
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Runs the step only when config `key` equals `value`.
    pub fn when(self, key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        self.condition(Condition::eq(key, value))
    }

    /// Runs the step only when config `key` is not `value`.
    pub fn when_not(self, key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        self.condition(Condition::ne(key, value))
    }

    /// Runs the step only when config `key` is one of `values`.
    pub fn when_in<V: Into<ConfigValue>>(
        self,
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.condition(Condition::is_in(key, values))
    }

    /// Runs the step only when config `key` is none of `values`.
    pub fn when_not_in<V: Into<ConfigValue>>(
        self,
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.condition(Condition::not_in(key, values))
    }

    /// Names the step's node `<node>.<name>` instead of `<node>.with_<function>`.
    pub fn named(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step({}", self.node.function())?;
        for (param, binding) in &self.bindings {
            write!(f, ", {param} = {binding}")?;
        }
        f.write_str(")")?;
        for c in &self.conditions {
            write!(f, ".when({c})")?;
        }
        if let Some(name) = &self.name {
            write!(f, ".named({name:?})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Converts what `value(..)` is written with into the parameter's value type: the value
/// itself, a string literal for a `&str`/`String` parameter, an array or slice for a
/// `&[T]`/`Vec<T>` parameter. Used by the code `#[node]` generates.
///
/// ```
/// use hamilton_core::modifiers::IntoLiteral;
/// let s: String = "UK".into_literal();
/// let v: Vec<u8> = [1, 2].into_literal();
/// let n: u8 = 2.into_literal();
/// assert_eq!((s.as_str(), v, n), ("UK", vec![1, 2], 2));
/// ```
#[diagnostic::on_unimplemented(
    message = "`value(..)` here must be a `{T}`, found `{Self}`",
    label = "not a `{T}`",
    note = "the literal is typed by the parameter it binds: give a `{T}`"
)]
pub trait IntoLiteral<T> {
    /// The value as a `T`.
    fn into_literal(self) -> T;
}

impl<T> IntoLiteral<T> for T {
    fn into_literal(self) -> T {
        self
    }
}

impl IntoLiteral<String> for &str {
    fn into_literal(self) -> String {
        self.to_owned()
    }
}

impl<T, const N: usize> IntoLiteral<Vec<T>> for [T; N] {
    fn into_literal(self) -> Vec<T> {
        self.into()
    }
}

impl<T: Clone> IntoLiteral<Vec<T>> for &[T] {
    fn into_literal(self) -> Vec<T> {
        self.to_vec()
    }
}
