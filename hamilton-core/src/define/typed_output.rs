//! Outputs named by their functions, checked by the compiler: `outputs![features::spend, ..]`
//! and `Outputs::get_typed(features::spend::OUTPUT)`.

use std::fmt;
use std::marker::PhantomData;

use crate::error::Error;
use crate::outputs::Outputs;
use crate::value::NodeValue;

/// The node a `#[node]` function produces under its own name, with the type of its value: the
/// `OUTPUT` constant `#[node]` writes next to the function (`features::spend::OUTPUT`). A
/// misspelt function is a compile error on its path, and the type read back is the function's.
///
/// `#[node]` writes it for a function whose own node keeps its name and type; for the others
/// `OUTPUT` is a marker that [`outputs!`](crate::outputs) and [`Outputs::get_typed`] refuse at
/// compile time, saying why (see [`OwnOutput`]).
///
/// ```
/// use hamilton_core::{Driver, Inputs, node, nodes, outputs};
///
/// mod features {
///     use hamilton_core::node;
///
///     #[node]
///     pub fn spend(raw: &[f64]) -> f64 { raw.iter().sum() }
///
///     #[node(name = "spend_label")]
///     pub fn label(spend: &f64) -> String { format!("{spend:.1}") }
/// }
///
/// let dr = Driver::builder().with_modules([nodes![features::spend, features::label]]).build().unwrap();
/// let out = dr
///     .execute(&outputs![features::spend, features::label], Inputs::new().set("raw", vec![1.0, 2.5]))
///     .unwrap();
/// let spend: &f64 = out.get_typed(features::spend::OUTPUT).unwrap();
/// assert_eq!(spend, &3.5);
/// assert_eq!(out.get_typed(features::label::OUTPUT).unwrap(), "3.5");
/// assert_eq!(features::label::OUTPUT.name(), "spend_label");
/// ```
pub struct TypedOutput<T> {
    name: &'static str,
    ty: PhantomData<fn() -> T>,
}

impl<T> TypedOutput<T> {
    /// The node `name`, of type `T`.
    ///
    /// ```
    /// use hamilton_core::TypedOutput;
    /// const TOTAL: TypedOutput<f64> = TypedOutput::new("total");
    /// assert_eq!(TOTAL.name(), "total");
    /// ```
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            ty: PhantomData,
        }
    }

    /// The node's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> Clone for TypedOutput<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for TypedOutput<T> {}

impl<T> fmt::Debug for TypedOutput<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TypedOutput({:?}: {})",
            self.name,
            std::any::type_name::<T>()
        )
    }
}

impl<T> AsRef<str> for TypedOutput<T> {
    fn as_ref(&self) -> &str {
        self.name
    }
}

/// What [`outputs!`](crate::outputs) and [`Outputs::get_typed`] take: a [`TypedOutput`]. The
/// `OUTPUT` of a function without a node of its own name and type does not implement it, and
/// the compile error names the reason: its outputs are made by `parameterize` or
/// `parameterized_subdag`, it is `exclude`d or a `mutate` step, its type is set by its
/// `pipe_output` steps or by a `resolve`r, or it fans out (`Parallel<T>`). Request those nodes
/// by name (`"x"`) instead.
///
/// ```
/// use hamilton_core::{OwnOutput, TypedOutput};
/// fn names<O: OwnOutput>(o: O) -> &'static str { o.node_name() }
/// assert_eq!(names(TypedOutput::<i64>::new("a")), "a");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}`: this function has no node of its own name and type to name in `outputs!` or `get_typed`",
    label = "this function's own node is not a typed output",
    note = "request the nodes it makes by name instead, e.g. `dr.execute(&[\"uk\", \"us\"], ..)` and `out.get::<T>(\"uk\")`"
)]
pub trait OwnOutput: Copy {
    /// The type of the node's value.
    type Value: NodeValue;
    /// The node's name.
    fn node_name(self) -> &'static str;
}

impl<T: NodeValue> OwnOutput for TypedOutput<T> {
    type Value = T;
    fn node_name(self) -> &'static str {
        self.name
    }
}

/// The `OUTPUT` of a `#[node]` function that has no node of its own name and type: each type
/// says why, in the compile error of `outputs!` / `get_typed`.
#[doc(hidden)]
pub mod no_own_output {
    use std::marker::PhantomData;

    macro_rules! reasons {
        ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
            $(#[$doc])*
            /// `F` is the function (its hidden struct), so that the compile error names it.
            pub struct $name<F>(PhantomData<fn() -> F>);

            impl<F> $name<F> {
                /// The marker of function `F`.
                pub const NEW: Self = Self(PhantomData);
            }
        )*};
    }

    reasons!(
        /// `parameterize` or `parameterized_subdag` name the function's outputs.
        OutputsNamedByParameterize,
        /// `exclude` or `mutate`: the function is no node of its own.
        ExcludedFromTheDataflow,
        /// `pipe_output`: the node's type is its last step's.
        TypedByItsPipeOutputSteps,
        /// `resolve`: the modifiers, and so the outputs, are known only when the graph is built.
        ShapedByResolveAtBuild,
        /// A `Parallel<T>` fan-out: its value is split into items.
        FansOutIntoItems,
    );
}

impl Outputs {
    /// Borrows the output of a `#[node]` function, typed by the function:
    /// `out.get_typed(features::spend::OUTPUT)`. A type mismatch (another function's
    /// `mutate` steps changed the node's type) is an [`Error::OutputType`], not a panic.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node, nodes, outputs};
    /// #[node]
    /// fn doubled(x: &i64) -> i64 { x * 2 }
    /// let dr = Driver::builder().with_modules([nodes![doubled]]).build().unwrap();
    /// let out = dr.execute(&outputs![doubled], Inputs::new().set("x", 4_i64)).unwrap();
    /// assert_eq!(out.get_typed(doubled::OUTPUT).unwrap(), &8);
    /// ```
    pub fn get_typed<O: OwnOutput>(&self, output: O) -> Result<&O::Value, Error> {
        self.get::<O::Value>(output.node_name())
    }

    /// Moves the output of a `#[node]` function out, typed by the function.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node, nodes, outputs};
    /// #[node]
    /// fn words(text: &str) -> Vec<String> { text.split(' ').map(str::to_owned).collect() }
    /// let dr = Driver::builder().with_modules([nodes![words]]).build().unwrap();
    /// let mut out = dr.execute(&outputs![words], Inputs::new().set("text", "a b".to_string())).unwrap();
    /// assert_eq!(out.take_typed(words::OUTPUT).unwrap(), ["a", "b"]);
    /// ```
    pub fn take_typed<O: OwnOutput>(&mut self, output: O) -> Result<O::Value, Error> {
        self.take::<O::Value>(output.node_name())
    }
}

/// The names of the nodes of `#[node]` functions, as an array to request:
/// `dr.execute(&outputs![features::spend, signups], inputs)`. Each path must name a `#[node]`
/// function in scope (a misspelt one is a compile error on it) whose own node keeps its name
/// and type (see [`OwnOutput`]); read the values back typed with
/// [`Outputs::get_typed`]`(path::OUTPUT)`.
///
/// ```
/// use hamilton_core::{Driver, Inputs, node, nodes, outputs};
///
/// #[node]
/// fn total(spend: &[f64]) -> f64 { spend.iter().sum() }
///
/// #[node]
/// fn count(spend: &[f64]) -> usize { spend.len() }
///
/// assert_eq!(outputs![total, count], ["total", "count"]);
/// let dr = Driver::builder().with_modules([nodes![total, count]]).build().unwrap();
/// let out = dr.execute(&outputs![total, count], Inputs::new().set("spend", vec![2.0, 4.0])).unwrap();
/// assert_eq!(*out.get_typed(total::OUTPUT).unwrap() / *out.get_typed(count::OUTPUT).unwrap() as f64, 3.0);
/// ```
#[macro_export]
macro_rules! outputs {
    ($($path:path),* $(,)?) => {
        [$($crate::OwnOutput::node_name(<$path>::OUTPUT)),*]
    };
}
