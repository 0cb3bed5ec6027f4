//! Column extraction: one node per column of a frame-producing node.

use std::any::TypeId;
use std::collections::HashSet;
use std::sync::Arc;

use hamilton_core::modifiers::ColumnExtractor;
use hamilton_core::{
    node::{Args, Node, NodeBuilder, NodeError, Value},
    register_column_extractor,
};
use polars::prelude::*;

use crate::error::Error;

/// The tag set on extracted column nodes; its value is the frame node's name.
///
/// ```
/// use hamilton_core::node::{Args, Node};
/// use polars::prelude::*;
/// let frame = Node::builder("marketing").build(|_: &Args| Ok(DataFrame::empty()));
/// let nodes = hamilton_polars::extract_columns(frame, &["spend"]).unwrap();
/// assert_eq!(nodes[1].tags()[hamilton_polars::EXTRACT_TAG], "marketing");
/// ```
pub const EXTRACT_TAG: &str = "hamilton.extract_columns";

/// The node `frame`, followed by one node per column in `columns`.
///
/// - For a node producing `DataFrame`, each column node produces that column as a `Series`.
/// - For a node producing `LazyFrame`, each column node produces `col(name)` as an `Expr`, so
///   downstream nodes build expressions (see [`collect_exprs`](crate::collect_exprs)); the
///   column is checked against the frame's schema when the node runs.
///
/// A column missing at run time fails its node with [`Error::MissingColumn`], naming the frame
/// node, the column and the columns there are. A frame node of another type is an
/// [`Error::UnsupportedNode`]; an empty or repeated column list, or a column named like the
/// frame node, is an [`Error::Usage`]. Both are reported here, before any driver is built.
///
/// Column nodes are tagged [`EXTRACT_TAG`]` = <frame node>` and report the frame node's
/// module and location.
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use polars::prelude::*;
///
/// let frame = Node::builder("marketing")
///     .build(|_: &Args| Ok(df!("week" => [1, 2], "spend" => [10.0, 20.0])?));
/// let nodes = hamilton_polars::extract_columns(frame, &["week", "spend"]).unwrap();
/// assert_eq!(nodes.iter().map(|n| n.name()).collect::<Vec<_>>(), ["marketing", "week", "spend"]);
///
/// let dr = Driver::builder().with_nodes(nodes).build().unwrap();
/// let out = dr.execute(&["spend"], Inputs::new()).unwrap();
/// assert_eq!(out.get::<Series>("spend").unwrap().f64().unwrap().get(1), Some(20.0));
/// ```
pub fn extract_columns(frame: Node, columns: &[&str]) -> Result<Vec<Node>, Error> {
    extract(frame, columns, None)
}

/// [`extract_columns`], with a `fill` value for columns the frame lacks: a `DataFrame` column
/// node then produces a Series of `fill` of the frame's full height, and a `LazyFrame` column
/// node the expression `repeat(lit(fill), len())`, full height as well. (Hamilton's `fill_with`
/// is broken for Polars; this is not.)
///
/// `fill` is anything that converts into a Polars `Scalar`: `0.0`, `0_i64`, `true`,
/// `PlSmallStr::from("n/a")`, `Scalar::null(DataType::Float64)`, ...
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use polars::prelude::*;
///
/// let frame = Node::builder("marketing").build(|_: &Args| Ok(df!("spend" => [10.0, 20.0, 30.0])?));
/// let nodes = hamilton_polars::extract_columns_with_fill(frame, &["spend", "discount"], 0.0).unwrap();
/// let dr = Driver::builder().with_nodes(nodes).build().unwrap();
/// let out = dr.execute(&["discount"], Inputs::new()).unwrap();
/// let discount = out.get::<Series>("discount").unwrap();
/// assert_eq!(discount.len(), 3);
/// assert_eq!(discount.f64().unwrap().get(2), Some(0.0));
/// ```
pub fn extract_columns_with_fill(
    frame: Node,
    columns: &[&str],
    fill: impl Into<Scalar>,
) -> Result<Vec<Node>, Error> {
    extract(frame, columns, Some(fill.into()))
}

/// What kind of frame a node produces.
#[derive(Clone, Copy)]
enum FrameKind {
    Eager,
    Lazy,
}

fn extract(frame: Node, columns: &[&str], fill: Option<Scalar>) -> Result<Vec<Node>, Error> {
    let output = frame.output();
    let kind = if output.id() == TypeId::of::<DataFrame>() {
        FrameKind::Eager
    } else if output.id() == TypeId::of::<LazyFrame>() {
        FrameKind::Lazy
    } else {
        return Err(Error::UnsupportedNode {
            node: frame.name().to_string(),
            operation: "extract columns from",
            type_name: output.name().to_string(),
            expected: "`DataFrame` or `LazyFrame`",
        });
    };
    check_columns(frame.name(), columns)?;
    let fill = fill.map(Arc::new);
    let mut nodes = Vec::with_capacity(columns.len() + 1);
    for &column in columns {
        let builder = column_builder(&frame, column);
        let node = match kind {
            FrameKind::Eager => eager_column(builder, frame.name(), column, fill.clone()),
            FrameKind::Lazy => lazy_column(builder, frame.name(), column, fill.clone()),
        };
        nodes.push(node);
    }
    nodes.insert(0, frame);
    Ok(nodes)
}

fn check_columns(frame: &str, columns: &[&str]) -> Result<(), Error> {
    if columns.is_empty() {
        return Err(Error::Usage(format!(
            "no columns to extract from node `{frame}`; name at least one column"
        )));
    }
    let mut seen = HashSet::new();
    for &column in columns {
        if column == frame {
            return Err(Error::Usage(format!(
                "column `{column}` has the name of the frame node it comes from; a node cannot depend on itself, so rename the frame node"
            )));
        }
        if !seen.insert(column) {
            return Err(Error::Usage(format!(
                "column `{column}` is listed twice for node `{frame}`; list each column once"
            )));
        }
    }
    Ok(())
}

fn column_builder(frame: &Node, column: &str) -> NodeBuilder {
    let mut builder = Node::builder(column)
        .doc(format!("Column `{column}` of `{}`.", frame.name()))
        .module(frame.module())
        .function(frame.function())
        .tag(EXTRACT_TAG, frame.name());
    if let Some(location) = frame.location() {
        builder = builder.location(location);
    }
    builder
}

fn eager_column(
    builder: NodeBuilder,
    frame: &str,
    column: &str,
    fill: Option<Arc<Scalar>>,
) -> Node {
    let frame_name: Arc<str> = frame.into();
    let column: Arc<str> = column.into();
    builder
        .param::<DataFrame>(frame)
        .build(move |args: &Args| -> Result<Series, NodeError> {
            let df = args.get::<DataFrame>(0)?;
            match (df.column(&column), &fill) {
                (Ok(c), _) => Ok(c.as_materialized_series().clone()),
                (Err(_), Some(fill)) => {
                    Ok(
                        Column::new_scalar((*column).into(), (**fill).clone(), df.height())
                            .take_materialized_series(),
                    )
                }
                (Err(_), None) => Err(missing(Some(&frame_name), &column, df.schema()).into()),
            }
        })
}

fn lazy_column(builder: NodeBuilder, frame: &str, column: &str, fill: Option<Arc<Scalar>>) -> Node {
    let frame_name: Arc<str> = frame.into();
    let column: Arc<str> = column.into();
    builder
        .param::<LazyFrame>(frame)
        .build(move |args: &Args| -> Result<Expr, NodeError> {
            let schema = schema_of(args.get::<LazyFrame>(0)?, Some(&frame_name), &column)?;
            match (schema.contains(&column), &fill) {
                (true, _) => Ok(col(&*column)),
                (false, Some(fill)) => Ok(repeat(lit((**fill).clone()), len()).alias(&*column)),
                (false, None) => Err(missing(Some(&frame_name), &column, &schema).into()),
            }
        })
}

/// Resolves a lazy frame's schema, to find `column` in it.
fn schema_of(frame: &LazyFrame, node: Option<&str>, column: &str) -> Result<SchemaRef, Error> {
    let what = node.map_or_else(
        || "the LazyFrame".to_string(),
        |n| format!("LazyFrame `{n}`"),
    );
    frame
        .clone()
        .collect_schema()
        .map_err(Error::polars(format!(
            "cannot resolve the schema of {what} to find column `{column}`"
        )))
}

fn missing(frame: Option<&str>, column: &str, schema: &Schema) -> Error {
    Error::MissingColumn {
        node: frame.map(str::to_string),
        column: column.to_string(),
        available: schema.iter_names().map(|n| n.to_string()).collect(),
    }
}

/// Column `name` of a `DataFrame`, as `#[node(extract_columns(..))]` reads it.
fn dataframe_column(frame: &DataFrame, name: &str) -> Result<Series, Error> {
    match frame.column(name) {
        Ok(c) => Ok(c.as_materialized_series().clone()),
        Err(_) => Err(missing(None, name, frame.schema())),
    }
}

/// Column `name` of a `DataFrame`, or `fill` repeated to the frame's height when it has none
/// (`#[node(extract_columns(.., fill_with = ..))]`).
fn dataframe_column_or(frame: &DataFrame, name: &str, fill: &Scalar) -> Result<Series, Error> {
    match frame.column(name) {
        Ok(c) => Ok(c.as_materialized_series().clone()),
        Err(_) => Ok(
            Column::new_scalar(name.into(), fill.clone(), frame.height())
                .take_materialized_series(),
        ),
    }
}

/// Column `name` of a `LazyFrame` as an expression, checked against its schema, as
/// `#[node(extract_columns(..))]` reads it.
fn lazyframe_column(frame: &LazyFrame, name: &str) -> Result<Expr, Error> {
    let schema = schema_of(frame, None, name)?;
    if schema.contains(name) {
        Ok(col(name))
    } else {
        Err(missing(None, name, &schema))
    }
}

/// Column `name` of a `LazyFrame` as an expression, or `fill` repeated to the frame's height
/// when its schema has no such column.
fn lazyframe_column_or(frame: &LazyFrame, name: &str, fill: &Scalar) -> Result<Expr, Error> {
    let schema = schema_of(frame, None, name)?;
    if schema.contains(name) {
        Ok(col(name))
    } else {
        Ok(repeat(lit(fill.clone()), len()).alias(name))
    }
}

/// What `fill_with` takes for Polars frames, for the build error of any other value.
const FILL_TAKES: &str = "a number (`f64`, `f32`, `i64`, `i32`, `i16`, `i8`, `u64`, `u32`, `u16`, `u8`), a `bool`, a string or a Polars `Scalar`";

/// A `fill_with` value as a Polars `Scalar`, when it is one of [`FILL_TAKES`].
fn scalar_fill(value: &Value) -> Option<Scalar> {
    macro_rules! try_types {
        ($($t:ty),*) => {
            $(if let Some(v) = value.downcast_ref::<$t>() {
                return Some(Scalar::from(v.clone()));
            })*
        };
    }
    if let Some(s) = value.downcast_ref::<String>() {
        return Some(Scalar::from(PlSmallStr::from(s.as_str())));
    }
    try_types!(Scalar, f64, f32, i64, i32, i16, i8, u64, u32, u16, u8, bool);
    None
}

/// The `DataFrame → Series` extractor, filling missing columns with a `fill_with` value.
fn dataframe_extractor() -> ColumnExtractor {
    ColumnExtractor::filling(
        dataframe_column,
        FILL_TAKES,
        scalar_fill,
        dataframe_column_or,
    )
}

/// The `LazyFrame → Expr` extractor, filling missing columns with a `fill_with` value.
fn lazyframe_extractor() -> ColumnExtractor {
    ColumnExtractor::filling(
        lazyframe_column,
        FILL_TAKES,
        scalar_fill,
        lazyframe_column_or,
    )
}

register_column_extractor!(extractor = dataframe_extractor);
register_column_extractor!(extractor = lazyframe_extractor);

/// The column extractors of this crate, `DataFrame → Series` and `LazyFrame → Expr`: what
/// `#[node(extract_columns(..))]` (hamilton-core's `Modifier::extract_columns`) uses to read
/// columns of Polars frames.
///
/// They are registered with `hamilton_core::register_column_extractor!`, so drivers find them
/// by themselves when this crate is linked (see [`conversions`](crate::conversions) for the
/// caveat); otherwise pass one to `Modifier::extract_columns_with`.
///
/// ```
/// use hamilton_core::modifiers::Modifier;
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use polars::prelude::*;
///
/// let [eager, _lazy] = hamilton_polars::column_extractors();
/// let frame = Node::builder("marketing")
///     .modifier(Modifier::extract_columns_with(eager, ["spend"]))
///     .build(|_: &Args| Ok(df!("spend" => [1.0, 2.0])?));
/// let dr = Driver::builder().with_nodes([frame]).build().unwrap();
/// let out = dr.execute(&["spend"], Inputs::new()).unwrap();
/// assert_eq!(out.get::<Series>("spend").unwrap().len(), 2);
/// ```
pub fn column_extractors() -> [ColumnExtractor; 2] {
    [dataframe_extractor(), lazyframe_extractor()]
}
