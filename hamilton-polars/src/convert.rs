//! Conversions along edges: a `Series` (or `Column`) producer feeding a parameter that reads a
//! typed chunked array, with the dtype checked as the value flows.

use hamilton_core::{
    node::{Conversion, NodeError},
    register_conversion,
};
use polars::prelude::*;

use crate::error::Error;

/// Checks `series`' dtype, then reads it as a typed chunked array.
fn typed<T: Clone>(
    series: &Series,
    expected: DataType,
    read: impl FnOnce(&Series) -> PolarsResult<&T>,
) -> Result<T, NodeError> {
    if series.dtype() != &expected {
        return Err(Error::DType {
            series: series.name().to_string(),
            expected,
            found: series.dtype().clone(),
        }
        .into());
    }
    Ok(read(series)?.clone())
}

macro_rules! typed_conversions {
    ($($chunked:ident, $dtype:ident, $method:ident, $from_series:ident, $from_column:ident;)*) => {
        $(
            fn $from_series(series: &Series) -> Result<$chunked, NodeError> {
                typed(series, DataType::$dtype, |s| s.$method())
            }

            fn $from_column(column: &Column) -> Result<$chunked, NodeError> {
                $from_series(column.as_materialized_series())
            }

            register_conversion!($from_series);
            register_conversion!($from_column);
        )*

        /// Every conversion of this crate, for
        /// [`DriverBuilder::with_conversion`](hamilton_core::DriverBuilder::with_conversion).
        ///
        /// The conversions are also registered with `hamilton_core::register_conversion!`, so
        /// every driver finds them by itself, **provided this crate is linked** into the
        /// program: a crate that is a dependency but never named in the code is not linked, and
        /// its registrations are then missing. Naming anything of this crate (`to_dataframe`,
        /// `extract_columns`, ...) links it; where registration is unavailable (wasm dev
        /// builds, hamilton-core without its `inventory` feature) pass these explicitly.
        ///
        /// The conversions: `Series` and `Column` to `Float64Chunked`, `Float32Chunked`,
        /// `Int64Chunked`, `Int32Chunked`, `UInt32Chunked`, `BooleanChunked` and
        /// `StringChunked` (the dtype is checked: a mismatch is
        /// `hamilton_core::Error::Conversion`, whose message names both dtypes and the cast
        /// to write), `Column` to `Series`, `Series` to `Column`, and `DataFrame` to
        /// `LazyFrame`.
        ///
        /// ```
        /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
        /// use polars::prelude::*;
        ///
        /// let total = Node::builder("total")
        ///     .param::<Float64Chunked>("spend")
        ///     .build(|a: &Args| Ok(a.get::<Float64Chunked>(0)?.sum().unwrap_or(0.0)));
        /// let mut dr = Driver::builder().with_nodes([total]);
        /// for c in hamilton_polars::conversions() {
        ///     dr = dr.with_conversion(c);
        /// }
        /// let dr = dr.build().unwrap();
        /// let spend = Series::new("spend".into(), &[1.5, 2.5]);
        /// let out = dr.execute(&["total"], Inputs::new().set("spend", spend)).unwrap();
        /// assert_eq!(out.get::<f64>("total").unwrap(), &4.0);
        ///
        /// // An i64 Series where f64 is read: an error naming both dtypes, not a panic.
        /// let counts = Series::new("spend".into(), &[1_i64, 2]);
        /// let err = dr.execute(&["total"], Inputs::new().set("spend", counts)).unwrap_err();
        /// assert!(err.to_string().contains("has dtype i64, expected f64"));
        /// ```
        pub fn conversions() -> Vec<Conversion> {
            vec![
                $(Conversion::new($from_series), Conversion::new($from_column),)*
                Conversion::new(column_to_series),
                Conversion::new(series_to_column),
                Conversion::new(dataframe_to_lazyframe),
            ]
        }
    };
}

typed_conversions! {
    Float64Chunked, Float64, f64, series_to_f64, column_to_f64;
    Float32Chunked, Float32, f32, series_to_f32, column_to_f32;
    Int64Chunked, Int64, i64, series_to_i64, column_to_i64;
    Int32Chunked, Int32, i32, series_to_i32, column_to_i32;
    UInt32Chunked, UInt32, u32, series_to_u32, column_to_u32;
    BooleanChunked, Boolean, bool, series_to_bool, column_to_bool;
    StringChunked, String, str, series_to_str, column_to_str;
}

fn column_to_series(column: &Column) -> Result<Series, NodeError> {
    Ok(column.as_materialized_series().clone())
}

fn series_to_column(series: &Series) -> Result<Column, NodeError> {
    Ok(series.clone().into_column())
}

fn dataframe_to_lazyframe(frame: &DataFrame) -> Result<LazyFrame, NodeError> {
    Ok(frame.clone().lazy())
}

register_conversion!(column_to_series);
register_conversion!(series_to_column);
register_conversion!(dataframe_to_lazyframe);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_of_the_read_dtype_converts() {
        let s = Series::new("x".into(), &[1.0, 2.0]);
        let ca = series_to_f64(&s).unwrap();
        assert_eq!(ca.get(1), Some(2.0));
    }

    #[test]
    fn a_series_of_another_dtype_is_an_error_naming_both_dtypes() {
        let s = Series::new("spend".into(), &[1_i64, 2]);
        let err = series_to_f64(&s).unwrap_err().to_string();
        assert_eq!(
            err,
            "Series `spend` has dtype i64, expected f64; cast it with `.cast(&DataType::Float64)` upstream"
        );
    }

    #[test]
    fn a_column_converts_like_its_series() {
        let c = Column::new("flag".into(), &[true, false]);
        assert_eq!(column_to_bool(&c).unwrap().get(0), Some(true));
        assert!(column_to_str(&c).is_err());
    }

    #[test]
    fn strings_convert_to_string_chunked() {
        let s = Series::new("region".into(), &["UK", "US"]);
        assert_eq!(series_to_str(&s).unwrap().get(1), Some("US"));
        assert!(
            series_to_i32(&s)
                .unwrap_err()
                .to_string()
                .contains("dtype str, expected i32")
        );
    }

    #[test]
    fn every_conversion_has_a_distinct_pair_of_types() {
        let all = conversions();
        let mut pairs: Vec<_> = all.iter().map(|c| (c.from().id(), c.to().id())).collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), all.len());
        assert_eq!(all.len(), 17);
    }
}
