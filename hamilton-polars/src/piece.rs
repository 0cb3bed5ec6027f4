//! Sorting node values into what a result builder can do with them.

use hamilton_core::node::Value;
use polars::prelude::*;

/// A node value, as a result builder sees it.
pub(crate) enum Piece {
    /// A column: `Series`, `Column` or a typed chunked array.
    Column(Series),
    /// A single value, broadcast to the frame's height.
    Scalar(Scalar),
    /// A whole frame.
    Frame(DataFrame),
    /// A lazy frame (boxed: it is large).
    Lazy(Box<LazyFrame>),
    /// An expression.
    Expr(Expr),
    /// Anything else, with its type name.
    Other(&'static str),
}

/// Tries each type in turn, cloning the value on the first match (Polars values share their
/// buffers: a clone copies no data).
macro_rules! try_downcast {
    ($value:ident; $($ty:ty => $make:expr),* $(,)?) => {
        $(
            if let Some(x) = $value.downcast_ref::<$ty>() {
                return $make(x.clone());
            }
        )*
    };
}

impl Piece {
    /// Sorts `value` by its type.
    pub(crate) fn of(value: &Value) -> Piece {
        let type_name = value.type_name();
        try_downcast! { value;
            Series => Piece::Column,
            Column => |c: Column| Piece::Column(c.take_materialized_series()),
            Float64Chunked => |c: Float64Chunked| Piece::Column(c.into_series()),
            Float32Chunked => |c: Float32Chunked| Piece::Column(c.into_series()),
            Int64Chunked => |c: Int64Chunked| Piece::Column(c.into_series()),
            Int32Chunked => |c: Int32Chunked| Piece::Column(c.into_series()),
            UInt32Chunked => |c: UInt32Chunked| Piece::Column(c.into_series()),
            BooleanChunked => |c: BooleanChunked| Piece::Column(c.into_series()),
            StringChunked => |c: StringChunked| Piece::Column(c.into_series()),
            DataFrame => Piece::Frame,
            LazyFrame => |lf: LazyFrame| Piece::Lazy(Box::new(lf)),
            Expr => Piece::Expr,
            Scalar => Piece::Scalar,
            f64 => |x: f64| Piece::Scalar(x.into()),
            f32 => |x: f32| Piece::Scalar(x.into()),
            i64 => |x: i64| Piece::Scalar(x.into()),
            i32 => |x: i32| Piece::Scalar(x.into()),
            u64 => |x: u64| Piece::Scalar(x.into()),
            u32 => |x: u32| Piece::Scalar(x.into()),
            usize => |x: usize| Piece::Scalar((x as u64).into()),
            bool => |x: bool| Piece::Scalar(x.into()),
            String => |x: String| Piece::Scalar(PlSmallStr::from(x).into()),
            Option<f64> => |x: Option<f64>| Piece::Scalar(optional(x, DataType::Float64)),
            Option<i64> => |x: Option<i64>| Piece::Scalar(optional(x, DataType::Int64)),
        }
        Piece::Other(type_name)
    }
}

fn optional<T: Into<Scalar>>(x: Option<T>, dtype: DataType) -> Scalar {
    x.map_or_else(|| Scalar::null(dtype), Into::into)
}

/// The types a result builder accepts, for messages.
pub(crate) const ACCEPTED: &str = "return a `Series`, `Column`, typed chunked array (`Float64Chunked`, ...), `DataFrame`, `LazyFrame`, or a scalar (`f64`, `f32`, `i64`, `i32`, `u64`, `u32`, `usize`, `bool`, `String`, `Option<f64>`, `Option<i64>`, `Scalar`)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_chunked_arrays_are_columns() {
        let ca = Float64Chunked::from_vec("x".into(), vec![1.0]);
        assert!(
            matches!(Piece::of(&Value::new(ca)), Piece::Column(s) if s.dtype() == &DataType::Float64)
        );
    }

    #[test]
    fn numbers_and_strings_are_scalars() {
        assert!(
            matches!(Piece::of(&Value::new(2.5_f64)), Piece::Scalar(s) if s.dtype() == &DataType::Float64)
        );
        assert!(
            matches!(Piece::of(&Value::new("UK")), Piece::Scalar(s) if s.dtype() == &DataType::String)
        );
        assert!(matches!(Piece::of(&Value::new(None::<f64>)), Piece::Scalar(s) if s.is_null()));
    }

    #[test]
    fn other_types_keep_their_name() {
        assert!(matches!(
            Piece::of(&Value::new(vec![1_u8])),
            Piece::Other("Vec<u8>")
        ));
    }
}
