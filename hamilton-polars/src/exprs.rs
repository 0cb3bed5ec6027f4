//! Expression mode: nodes over `Expr` compose into one lazy plan, collected once.

use hamilton_core::Outputs;
use polars::prelude::*;

use crate::error::Error;
use crate::piece::Piece;

/// The outputs of a run as ONE lazy plan over `base`: each `Expr` output is aliased with its
/// node's name and the plan is `base.select([...])`, in request order.
///
/// Because every node's expression lands in one plan, Polars optimises across nodes: common
/// subexpressions are computed once, only the columns the expressions read are loaded
/// (projection pushdown), and the whole plan runs in one `collect()`. The same dataflow with
/// `Series` nodes gives the same values eagerly; which mode to use is a per-pipeline choice.
///
/// Besides `Expr`, outputs may be `Series`/`Column`/typed chunked arrays (as literal columns,
/// which must have the frame's height) and scalars (broadcast). Aggregations such as
/// `col("x").mean()` are broadcast too. A `DataFrame` or `LazyFrame` output is an
/// [`Error::UnsupportedOutput`]: pass it as `base` instead (take it out of the outputs with
/// `outputs.take::<LazyFrame>(name)`).
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use polars::prelude::*;
///
/// let dr = Driver::builder()
///     .with_nodes([
///         Node::builder("spend_mean").param::<Expr>("spend")
///             .build(|a: &Args| Ok(a.get::<Expr>(0)?.clone().mean())),
///         Node::builder("spend_zero_mean").param::<Expr>("spend").param::<Expr>("spend_mean")
///             .build(|a: &Args| Ok(a.get::<Expr>(0)?.clone() - a.get::<Expr>(1)?.clone())),
///     ])
///     .build()
///     .unwrap();
/// let out = dr.execute(&["spend_zero_mean"], Inputs::new().set("spend", col("spend"))).unwrap();
/// let base = df!("spend" => [1.0, 2.0, 6.0]).unwrap().lazy();
/// let plan = hamilton_polars::to_lazyframe(base, out).unwrap();
/// let df = plan.collect().unwrap();
/// let zero_mean: Vec<_> = df.column("spend_zero_mean").unwrap().f64().unwrap().into_no_null_iter().collect();
/// assert_eq!(zero_mean, [-2.0, -1.0, 3.0]);
/// ```
pub fn to_lazyframe(base: LazyFrame, outputs: Outputs) -> Result<LazyFrame, Error> {
    lazyframe_of(
        base,
        outputs
            .into_iter()
            .map(|(name, value)| (name, Piece::of(&value)))
            .collect(),
    )
}

/// One plan selecting the named pieces over `base`: what [`to_lazyframe`] does to a run's
/// outputs.
pub(crate) fn lazyframe_of(
    base: LazyFrame,
    pieces: Vec<(String, Piece)>,
) -> Result<LazyFrame, Error> {
    let mut exprs = Vec::with_capacity(pieces.len());
    for (name, piece) in pieces {
        let expr = match piece {
            Piece::Expr(e) => e,
            Piece::Column(s) => lit(s),
            Piece::Scalar(s) => lit(s),
            frame @ (Piece::Frame(_) | Piece::Lazy(_)) => {
                let type_name = if matches!(frame, Piece::Lazy(_)) {
                    "LazyFrame"
                } else {
                    "DataFrame"
                };
                return Err(Error::UnsupportedOutput {
                    name,
                    type_name: type_name.into(),
                    hint: "a frame cannot be one column of an expression-mode result; pass it as the `base` of `collect_exprs` (take it out of the outputs with `outputs.take::<LazyFrame>(name)`), or use `to_dataframe`".into(),
                });
            }
            Piece::Other(type_name) => {
                return Err(Error::UnsupportedOutput {
                    name,
                    type_name: type_name.into(),
                    hint:
                        "expression mode takes `Expr` outputs (and `Series` or scalars as literals)"
                            .into(),
                });
            }
        };
        exprs.push(expr.alias(name.as_str()));
    }
    Ok(base.select(exprs))
}

/// [`to_lazyframe`], collected: the outputs of a run computed by one Polars plan.
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// use polars::prelude::*;
///
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("spend_per_signup").param::<Expr>("spend").param::<Expr>("signups")
///         .build(|a: &Args| Ok(a.get::<Expr>(0)?.clone() / a.get::<Expr>(1)?.clone()))])
///     .build()
///     .unwrap();
/// let inputs = Inputs::new().set("spend", col("spend")).set("signups", col("signups"));
/// let out = dr.execute(&["spend_per_signup"], inputs).unwrap();
/// let base = df!("spend" => [10.0, 30.0], "signups" => [2.0, 3.0]).unwrap().lazy();
/// let df = hamilton_polars::collect_exprs(base, out).unwrap();
/// assert_eq!(df.column("spend_per_signup").unwrap().f64().unwrap().get(1), Some(10.0));
/// ```
pub fn collect_exprs(base: LazyFrame, outputs: Outputs) -> Result<DataFrame, Error> {
    let names: Vec<String> = outputs.names().map(str::to_string).collect();
    to_lazyframe(base, outputs)?
        .collect()
        .map_err(Error::polars(format!(
            "cannot compute the expressions of {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
}
