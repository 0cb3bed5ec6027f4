//! Multiple outputs: fields of a struct or tuple (`extract_fields`, `unpack`), and columns of a
//! frame through a registry of column extractors (`extract_columns`).

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::args::Args;
use crate::node::NodeError;
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

type Getter = Arc<dyn Fn(&Args<'_>) -> Result<Value, NodeError> + Send + Sync>;

/// One part of a node's value that becomes a node of its own: a struct field
/// (`extract_fields`) or a tuple element (`unpack`).
///
/// ```
/// use hamilton_core::modifiers::Field;
/// struct Split { train: Vec<f64>, test: Vec<f64> }
/// let f = Field::new("train", |s: &Split| s.train.clone());
/// assert_eq!(f.name(), "train");
/// assert_eq!(f.ty().name(), "Vec<f64>");
/// ```
#[derive(Clone)]
pub struct Field {
    pub(crate) name: Arc<str>,
    pub(crate) ty: TypeInfo,
    pub(crate) source: TypeInfo,
    pub(crate) get: Getter,
    pub(crate) doc: Option<Arc<str>>,
}

impl Field {
    /// The part `name` of an `S`, read by `get`.
    pub fn new<S: NodeValue, T: NodeValue>(
        name: impl Into<Arc<str>>,
        get: impl Fn(&S) -> T + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            ty: TypeInfo::of::<T>(),
            source: TypeInfo::of::<S>(),
            get: Arc::new(move |args: &Args<'_>| Ok(Value::new(get(args.get::<S>(0)?)))),
            doc: None,
        }
    }

    /// The field node's own doc; without one it inherits the function's, as extracted
    /// columns do.
    ///
    /// ```
    /// use hamilton_core::modifiers::Field;
    /// let f = Field::new("lo", |p: &(f64, f64)| p.0).doc("The lower bound.");
    /// assert_eq!(f.name(), "lo");
    /// ```
    pub fn doc(mut self, doc: impl Into<Arc<str>>) -> Self {
        self.doc = Some(doc.into());
        self
    }

    /// The field's name: the name of its node.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's type.
    pub fn ty(&self) -> TypeInfo {
        self.ty
    }

    /// The type the field is read from.
    pub fn source(&self) -> TypeInfo {
        self.source
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({}: {})", self.name, self.ty)
    }
}

/// A struct whose fields `extract_fields` turns into nodes, one per field. Derive it with
/// `#[derive(hamilton_core::Fields)]` (every named field, which must be `Clone`).
///
/// ```
/// use hamilton_core::modifiers::Fields;
/// #[derive(hamilton_core::Fields)]
/// struct Split { train: Vec<f64>, test: Vec<f64> }
/// let names: Vec<String> = Split::fields().iter().map(|f| f.name().to_string()).collect();
/// assert_eq!(names, ["train", "test"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`extract_fields` without a field list needs `{Self}: Fields`",
    label = "the node's output type",
    note = "add `#[derive(hamilton_core::Fields)]` to `{Self}`, or list the fields: `extract_fields(a, b)`"
)]
pub trait Fields: NodeValue {
    /// The fields, in declaration order.
    fn fields() -> Vec<Field>;
}

pub(crate) type Extract = Arc<dyn Fn(&Args<'_>, &str) -> Result<Value, NodeError> + Send + Sync>;
type PrepareFill = Arc<dyn Fn(&Value) -> Option<Extract> + Send + Sync>;

/// How to read one column of a frame type: what `extract_columns` uses for nodes producing
/// that type. hamilton-polars registers `DataFrame → Series` and `LazyFrame → Expr`.
///
/// ```
/// use std::collections::BTreeMap;
/// use hamilton_core::modifiers::ColumnExtractor;
/// type Frame = BTreeMap<String, Vec<f64>>;
/// let x = ColumnExtractor::new(|df: &Frame, col: &str| {
///     df.get(col).cloned().ok_or_else(|| format!("no column `{col}`"))
/// });
/// assert_eq!(x.frame().name(), "BTreeMap<String, Vec<f64>>");
/// assert_eq!(x.column().name(), "Vec<f64>");
/// ```
#[derive(Clone)]
pub struct ColumnExtractor {
    pub(crate) frame: TypeInfo,
    pub(crate) column: TypeInfo,
    pub(crate) extract: Extract,
    /// How it fills columns the frame lacks (`extract_columns(.., fill_with = v)`): the
    /// extraction with `v`, or `None` when it cannot take `v`; and what it takes, for messages.
    pub(crate) fill: Option<(PrepareFill, &'static str)>,
}

impl ColumnExtractor {
    /// Reads column `name` of an `F` as a `C` with `f`.
    pub fn new<F, C, E>(f: impl Fn(&F, &str) -> Result<C, E> + Send + Sync + 'static) -> Self
    where
        F: NodeValue,
        C: NodeValue,
        E: Into<NodeError>,
    {
        Self {
            frame: TypeInfo::of::<F>(),
            column: TypeInfo::of::<C>(),
            extract: Arc::new(move |args: &Args<'_>, name: &str| {
                f(args.get::<F>(0)?, name)
                    .map(Value::new)
                    .map_err(Into::into)
            }),
            fill: None,
        }
    }

    /// [`ColumnExtractor::new`] that can also fill the columns a frame lacks, for
    /// `extract_columns(.., fill_with = v)`: `fill_of` reads `v` as an `S` (`None` when it
    /// cannot: a build error saying the extractor takes `takes`), and `fill` reads column
    /// `name`, or fills it with the `S`.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use hamilton_core::modifiers::{ColumnExtractor, Modifier};
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// type Frame = BTreeMap<String, Vec<f64>>;
    /// let x = ColumnExtractor::filling(
    ///     |df: &Frame, col: &str| df.get(col).cloned().ok_or_else(|| format!("no column `{col}`")),
    ///     "an `f64`",
    ///     |v| v.downcast_ref::<f64>().copied(),
    ///     |df: &Frame, col: &str, fill: &f64| -> Result<Vec<f64>, String> {
    ///         let height = df.values().next().map_or(0, Vec::len);
    ///         Ok(df.get(col).cloned().unwrap_or_else(|| vec![*fill; height]))
    ///     },
    /// );
    /// let frame = Node::builder("frame")
    ///     .modifier(Modifier::extract_columns_filled_with(x, ["a", "b"], 0.5_f64))
    ///     .build(|_: &Args| Ok(Frame::from([("a".to_string(), vec![1.0, 2.0])])));
    /// let dr = Driver::builder().with_nodes([frame]).build().unwrap();
    /// let out = dr.execute(&["b"], Inputs::new()).unwrap();
    /// assert_eq!(out.get::<Vec<f64>>("b").unwrap(), &[0.5, 0.5]);
    /// ```
    pub fn filling<F, C, S, E>(
        get: impl Fn(&F, &str) -> Result<C, E> + Send + Sync + 'static,
        takes: &'static str,
        fill_of: impl Fn(&Value) -> Option<S> + Send + Sync + 'static,
        fill: impl Fn(&F, &str, &S) -> Result<C, E> + Send + Sync + 'static,
    ) -> Self
    where
        F: NodeValue,
        C: NodeValue,
        S: Send + Sync + 'static,
        E: Into<NodeError>,
    {
        let fill = Arc::new(fill);
        let prepare: PrepareFill = Arc::new(move |value: &Value| {
            let with = Arc::new(fill_of(value)?);
            let fill = fill.clone();
            let extract: Extract = Arc::new(move |args: &Args<'_>, name: &str| {
                fill(args.get::<F>(0)?, name, &with)
                    .map(Value::new)
                    .map_err(Into::into)
            });
            Some(extract)
        });
        Self {
            fill: Some((prepare, takes)),
            ..Self::new(get)
        }
    }

    /// The frame type.
    pub fn frame(&self) -> TypeInfo {
        self.frame
    }

    /// The column type.
    pub fn column(&self) -> TypeInfo {
        self.column
    }
}

impl fmt::Debug for ColumnExtractor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ColumnExtractor({} -> {})", self.frame, self.column)
    }
}

/// The value `extract_columns(.., fill_with = v)` fills missing columns with, before the
/// column extractor reads it.
#[derive(Clone)]
pub(crate) struct ColumnFill {
    pub(crate) value: Arc<Value>,
    pub(crate) text: Arc<str>,
}

/// A column extractor registered for discovery.
#[doc(hidden)]
pub struct RegisteredColumnExtractor(pub fn() -> ColumnExtractor);

#[cfg(feature = "inventory")]
inventory::collect!(RegisteredColumnExtractor);

/// Registers a column extractor, found by every driver (with the `inventory` feature): `$f` is a
/// `fn(&Frame, &str) -> Result<Column, E>`, `E: Into<NodeError>`. A later registration for the
/// same frame type wins.
///
/// ```
/// use std::collections::BTreeMap;
/// pub struct Frame(BTreeMap<String, Vec<f64>>);
/// fn column(df: &Frame, name: &str) -> Result<Vec<f64>, String> {
///     df.0.get(name).cloned().ok_or_else(|| format!("no column `{name}`"))
/// }
/// hamilton_core::register_column_extractor!(column);
/// ```
///
/// `register_column_extractor!(extractor = path)` registers the `ColumnExtractor` a
/// `fn() -> ColumnExtractor` makes (for one built with [`ColumnExtractor::filling`]).
#[macro_export]
macro_rules! register_column_extractor {
    (extractor = $make:path) => {
        $crate::__private::submit_column_extractor! {
            $crate::modifiers::RegisteredColumnExtractor($make)
        }
    };
    ($f:path) => {
        $crate::__private::submit_column_extractor! {
            $crate::modifiers::RegisteredColumnExtractor(|| $crate::modifiers::ColumnExtractor::new($f))
        }
    };
}

/// The registered column extractors, by frame type.
pub(crate) fn column_extractors() -> HashMap<TypeId, ColumnExtractor> {
    #[allow(unused_mut)]
    let mut table = HashMap::new();
    #[cfg(feature = "inventory")]
    for r in inventory::iter::<RegisteredColumnExtractor> {
        let x = (r.0)();
        table.insert(x.frame.id(), x);
    }
    table
}
