//! Result builders: the outputs of a run as one `DataFrame`.

use hamilton_core::Outputs;
use polars::prelude::*;

use crate::error::Error;
use crate::exprs;
use crate::piece::{ACCEPTED, Piece};

/// Puts the outputs of a run in one `DataFrame`, in request order.
///
/// - Column-like outputs (`Series`, `Column`, typed chunked arrays) become columns named after
///   their node, whatever the Series' own name.
/// - Scalar outputs (`f64`, `i64`, `bool`, `String`, ...) are broadcast to the frame's height;
///   when every output is a scalar the frame has one row.
/// - A single `DataFrame` output is returned as is; a single `LazyFrame` output is collected.
///   A frame among other outputs contributes its columns as `<node>.<column>`.
/// - Column-like outputs of different heights are an [`Error::HeightMismatch`] naming each
///   output and its height; an `Expr` output (use [`collect_exprs`](crate::collect_exprs)) or a
///   type with no column form is an [`Error::UnsupportedOutput`].
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use polars::prelude::*;
///
/// let dr = Driver::builder()
///     .with_nodes([
///         Node::builder("doubled").param::<Series>("x")
///             .build(|a: &Args| Ok(a.get::<Series>(0)? * 2)),
///         Node::builder("total").param::<Series>("x")
///             .build(|a: &Args| Ok(a.get::<Series>(0)?.sum::<i64>()?)),
///     ])
///     .build()
///     .unwrap();
/// let x = Series::new("whatever".into(), &[1_i64, 2, 3]);
/// let out = dr.execute(&["doubled", "total"], Inputs::new().set("x", x)).unwrap();
/// let df = hamilton_polars::to_dataframe(out).unwrap();
/// let names: Vec<&str> = df.get_column_names().into_iter().map(|n| n.as_str()).collect();
/// assert_eq!(names, ["doubled", "total"]);
/// assert_eq!(df.column("total").unwrap().i64().unwrap().get(2), Some(6)); // broadcast
/// ```
pub fn to_dataframe(outputs: Outputs) -> Result<DataFrame, Error> {
    frame_of(
        outputs
            .into_iter()
            .map(|(name, value)| (name, Piece::of(&value)))
            .collect(),
    )
}

/// One frame of named pieces, in order: what [`to_dataframe`] does to a run's outputs.
pub(crate) fn frame_of(mut pieces: Vec<(String, Piece)>) -> Result<DataFrame, Error> {
    if pieces.len() == 1 {
        match pieces.pop() {
            Some((_, Piece::Frame(df))) => return Ok(df),
            Some((name, Piece::Lazy(lf))) => return collect(&name, *lf),
            Some(other) => pieces.push(other),
            None => {}
        }
    }
    let mut columns: Vec<(String, Series)> = Vec::new();
    let mut scalars: Vec<(usize, String, Scalar)> = Vec::new();
    for (name, piece) in pieces {
        match piece {
            Piece::Column(s) => columns.push((name.clone(), s.with_name(name.into()))),
            Piece::Scalar(s) => scalars.push((columns.len(), name, s)),
            Piece::Frame(df) => columns.extend(flatten(&name, df)),
            Piece::Lazy(lf) => columns.extend(flatten(&name, collect(&name, *lf)?)),
            Piece::Expr(_) => {
                return Err(Error::UnsupportedOutput {
                    name,
                    type_name: "Expr".into(),
                    hint: "expressions have no values until they run on a frame; build the result with `collect_exprs(base, outputs)` instead of `to_dataframe`".into(),
                });
            }
            Piece::Other(type_name) => {
                return Err(Error::UnsupportedOutput {
                    name,
                    type_name: type_name.into(),
                    hint: format!("it cannot be a DataFrame column; {ACCEPTED}"),
                });
            }
        }
    }
    let height = common_height(&columns)?;
    let mut frame: Vec<(String, Column)> = columns
        .into_iter()
        .map(|(name, s)| (name, s.into_column()))
        .collect();
    // Scalars go back where they were requested, so the columns keep request order.
    for (offset, (at, name, scalar)) in scalars.into_iter().enumerate() {
        let column = Column::new_scalar(name.as_str().into(), scalar, height);
        frame.insert(at + offset, (name, column));
    }
    check_unique(&frame)?;
    DataFrame::new(height, frame.into_iter().map(|(_, c)| c).collect()).map_err(Error::polars(
        "cannot assemble the outputs into a DataFrame",
    ))
}

/// The height all columns share (1 when there are none), or the error listing them.
fn common_height(columns: &[(String, Series)]) -> Result<usize, Error> {
    let Some((_, first)) = columns.first() else {
        return Ok(1);
    };
    if columns.iter().all(|(_, s)| s.len() == first.len()) {
        Ok(first.len())
    } else {
        Err(Error::HeightMismatch {
            heights: columns.iter().map(|(n, s)| (n.clone(), s.len())).collect(),
        })
    }
}

fn check_unique(frame: &[(String, Column)]) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for (name, _) in frame {
        if !seen.insert(name.as_str()) {
            return Err(Error::DuplicateColumn {
                name: name.clone(),
                hint: "a frame output's columns are named `<node>.<column>`, which here equals another output's name; rename the node".into(),
            });
        }
    }
    Ok(())
}

/// A frame's columns, named `<node>.<column>`.
fn flatten(node: &str, df: DataFrame) -> Vec<(String, Series)> {
    df.into_columns()
        .into_iter()
        .map(|c| {
            let name = format!("{node}.{}", c.name());
            let s = c.take_materialized_series().with_name(name.as_str().into());
            (name, s)
        })
        .collect()
}

fn collect(name: &str, lf: LazyFrame) -> Result<DataFrame, Error> {
    lf.collect().map_err(Error::polars(format!(
        "cannot collect LazyFrame output `{name}`"
    )))
}

/// Result builders as methods of [`Outputs`].
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use hamilton_polars::OutputsExt;
/// use polars::prelude::*;
///
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("ab").param::<Expr>("a").param::<Expr>("b")
///         .build(|x: &Args| Ok(x.get::<Expr>(0)?.clone() * x.get::<Expr>(1)?.clone()))])
///     .build()
///     .unwrap();
/// let out = dr.execute(&["ab"], Inputs::new().set("a", col("a")).set("b", col("b"))).unwrap();
/// let base = df!("a" => [1, 2], "b" => [10, 20]).unwrap().lazy();
/// let df = out.collect_exprs(base).unwrap();
/// assert_eq!(df.column("ab").unwrap().i32().unwrap().get(1), Some(40));
/// ```
pub trait OutputsExt: Sized {
    /// The outputs as one `DataFrame`; see [`to_dataframe`].
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// use hamilton_polars::OutputsExt;
    /// let dr = Driver::builder().with_nodes([Node::builder("k").build(|_: &Args| Ok(2.5_f64))]).build().unwrap();
    /// let df = dr.execute(&["k"], Inputs::new()).unwrap().to_dataframe().unwrap();
    /// assert_eq!(df.shape(), (1, 1));
    /// ```
    fn to_dataframe(self) -> Result<DataFrame, Error>;

    /// The `Expr` outputs computed over `base` in one plan; see
    /// [`collect_exprs`](crate::collect_exprs).
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// use hamilton_polars::OutputsExt;
    /// use polars::prelude::*;
    /// let dr = Driver::builder().with_nodes([Node::builder("total").build(|_: &Args| Ok(col("x").sum()))]).build().unwrap();
    /// let out = dr.execute(&["total"], Inputs::new()).unwrap();
    /// let df = out.collect_exprs(df!("x" => [1, 2, 3]).unwrap().lazy()).unwrap();
    /// assert_eq!(df.column("total").unwrap().i32().unwrap().get(0), Some(6));
    /// ```
    fn collect_exprs(self, base: LazyFrame) -> Result<DataFrame, Error>;

    /// The `Expr` outputs over `base` as one uncollected plan; see
    /// [`to_lazyframe`](crate::to_lazyframe).
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// use hamilton_polars::OutputsExt;
    /// use polars::prelude::*;
    /// let dr = Driver::builder().with_nodes([Node::builder("y").build(|_: &Args| Ok(col("x") + lit(1)))]).build().unwrap();
    /// let out = dr.execute(&["y"], Inputs::new()).unwrap();
    /// let plan = out.to_lazyframe(df!("x" => [1, 2]).unwrap().lazy()).unwrap();
    /// assert!(plan.explain(true).unwrap().contains("SELECT"));
    /// ```
    fn to_lazyframe(self, base: LazyFrame) -> Result<LazyFrame, Error>;
}

impl OutputsExt for Outputs {
    fn to_dataframe(self) -> Result<DataFrame, Error> {
        to_dataframe(self)
    }

    fn collect_exprs(self, base: LazyFrame) -> Result<DataFrame, Error> {
        exprs::collect_exprs(base, self)
    }

    fn to_lazyframe(self, base: LazyFrame) -> Result<LazyFrame, Error> {
        exprs::to_lazyframe(base, self)
    }
}
