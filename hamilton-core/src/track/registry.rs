//! Which summarizer each value type has: built-in ones for scalars, registered ones (with
//! [`register_summary!`](crate::register_summary!)) for the rest, every other type kept as its
//! name.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::summary::Summary;
use super::writer::SummaryJob;
use crate::value::{NodeValue, Value};

type AnyRef<'a> = &'a (dyn Any + Send + Sync);
type SummarizeFn = Arc<dyn Fn(AnyRef<'_>) -> SummaryJob + Send + Sync>;

/// How values of one type are summarized for the tracker.
///
/// A summary made [`now`](Self::now) runs on the run's thread, so it must be cheap (a scalar's
/// text, a length); a [`deferred`](Self::deferred) one copies the value there (a Polars frame
/// or series copies in constant time) and summarizes the copy on the tracker's writer thread.
///
/// ```
/// use hamilton_core::track::{Summary, SummaryType};
/// pub struct Meters(pub f64);
/// let t = SummaryType::now(|m: &Meters| Summary::scalar("Meters", &format!("{} m", m.0)));
/// assert!(t.type_name().ends_with("Meters"));
/// ```
#[derive(Clone)]
pub struct SummaryType {
    id: TypeId,
    name: &'static str,
    summarize: SummarizeFn,
}

impl SummaryType {
    /// Summarizes a `T` on the run's thread, with `summarize` (keep it cheap).
    ///
    /// ```
    /// use hamilton_core::track::{Summary, SummaryType};
    /// let t = SummaryType::now(|v: &Vec<String>| Summary::scalar("names", &v.len().to_string()));
    /// assert_eq!(t.type_name(), "alloc::vec::Vec<alloc::string::String>");
    /// ```
    pub fn now<T: NodeValue>(summarize: impl Fn(&T) -> Summary + Send + Sync + 'static) -> Self {
        Self {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
            summarize: Arc::new(move |v: AnyRef<'_>| match v.downcast_ref::<T>() {
                Some(v) => SummaryJob::Ready(summarize(v)),
                None => SummaryJob::None,
            }),
        }
    }

    /// Copies a `T` on the run's thread (the copy must be cheap: reference counted) and
    /// summarizes the copy on the tracker's writer thread with `summarize`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hamilton_core::track::{Summary, SummaryType};
    /// let t = SummaryType::deferred(|v: Arc<Vec<f64>>| Summary::scalar("sum", &v.iter().sum::<f64>().to_string()));
    /// # drop(t);
    /// ```
    pub fn deferred<T: NodeValue + Clone>(
        summarize: impl Fn(T) -> Summary + Send + Sync + 'static,
    ) -> Self {
        let summarize = Arc::new(summarize);
        Self {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
            summarize: Arc::new(move |v: AnyRef<'_>| match v.downcast_ref::<T>() {
                Some(v) => {
                    let copy = v.clone();
                    let summarize = summarize.clone();
                    SummaryJob::Deferred(Box::new(move || summarize(copy)))
                }
                None => SummaryJob::None,
            }),
        }
    }

    /// The type summarized.
    ///
    /// ```
    /// let t = hamilton_core::track::SummaryType::now(|_: &u8| hamilton_core::track::Summary::scalar("u8", ""));
    /// assert_eq!(t.type_name(), "u8");
    /// ```
    pub fn type_name(&self) -> &'static str {
        self.name
    }
}

/// A [`SummaryType`] registered for discovery by
/// [`register_summary!`](crate::register_summary!).
#[doc(hidden)]
pub struct RegisteredSummaryType(pub fn() -> SummaryType);

inventory::collect!(RegisteredSummaryType);

/// Registers a [`SummaryType`](crate::track::SummaryType), used by every tracked driver: the
/// argument is an expression building it. A registered type replaces a built-in one.
///
/// ```
/// use hamilton_core::track::{Summary, SummaryType};
/// pub struct Celsius(pub f64);
/// hamilton_core::register_summary!(SummaryType::now(|c: &Celsius| Summary::scalar("Celsius", &c.0.to_string())));
/// ```
#[macro_export]
macro_rules! register_summary {
    ($summary_type:expr) => {
        $crate::__private::inventory::submit! {
            $crate::track::RegisteredSummaryType(|| $summary_type)
        }
    };
}

/// Summarizers by type: the built-in ones, then the registered ones.
fn table() -> &'static HashMap<TypeId, SummaryType> {
    static TABLE: OnceLock<HashMap<TypeId, SummaryType>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for t in builtin() {
            table.insert(t.id, t);
        }
        for r in inventory::iter::<RegisteredSummaryType> {
            let t = (r.0)();
            table.insert(t.id, t);
        }
        table
    })
}

/// The summary of `value`, made now or deferred by its type's summarizer; a type without one is
/// kept as its name.
pub(crate) fn summarize(value: &Value) -> SummaryJob {
    match table().get(&value.type_id()) {
        Some(t) => (t.summarize)(value.as_any()),
        None => SummaryJob::Ready(Summary::Other {
            r#type: value.type_name().to_string(),
            bytes: None,
        }),
    }
}

/// How many items of a `Vec` a summary shows.
const VEC_ITEMS: usize = 10;

fn builtin() -> Vec<SummaryType> {
    let mut out = Vec::new();
    macro_rules! scalars {
        ($($t:ty),*) => {$(
            let name = short_name::<$t>();
            out.push(SummaryType::now(move |v: &$t| Summary::scalar(&name, &v.to_string())));
            let name = short_name::<Option<$t>>();
            out.push(SummaryType::now(move |v: &Option<$t>| {
                Summary::scalar(&name, &v.as_ref().map_or_else(|| "None".to_string(), |v| v.to_string()))
            }));
            let name = short_name::<Vec<$t>>();
            out.push(SummaryType::now(move |v: &Vec<$t>| vec_summary(&name, v)));
        )*};
    }
    scalars!(
        bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64,
        String
    );
    out.push(SummaryType::now(|_: &()| Summary::scalar("()", "()")));
    out
}

/// A `Vec`'s summary: its length and first items, as a scalar (`len 3: [1, 2, 3]`).
fn vec_summary<T: ToString>(name: &str, v: &[T]) -> Summary {
    let shown: Vec<String> = v.iter().take(VEC_ITEMS).map(ToString::to_string).collect();
    let more = if v.len() > VEC_ITEMS { ", …" } else { "" };
    Summary::scalar(
        name,
        &format!("len {}: [{}{more}]", v.len(), shown.join(", ")),
    )
}

/// A type's name without module paths (`Option<String>`, not
/// `core::option::Option<alloc::string::String>`).
fn short_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let mut short = String::with_capacity(full.len());
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            short.push_str(word.rsplit("::").next().unwrap_or(&word));
            word.clear();
            short.push(c);
        }
    }
    short.push_str(word.rsplit("::").next().unwrap_or(&word));
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(v: Value) -> Summary {
        match summarize(&v) {
            SummaryJob::Ready(s) => s,
            SummaryJob::Deferred(f) => f(),
            SummaryJob::None => panic!("no summary"),
        }
    }

    #[test]
    fn scalars_are_kept_as_their_value_and_type() {
        assert_eq!(ready(Value::new(42_i64)), Summary::scalar("i64", "42"));
        assert_eq!(ready(Value::new(1.5_f64)), Summary::scalar("f64", "1.5"));
        assert_eq!(ready(Value::new(f64::NAN)), Summary::scalar("f64", "NaN"));
        assert_eq!(ready(Value::new(true)), Summary::scalar("bool", "true"));
        assert_eq!(ready(Value::new('x')), Summary::scalar("char", "x"));
        assert_eq!(ready(Value::new(())), Summary::scalar("()", "()"));
        assert_eq!(
            ready(Value::new("UK".to_string())),
            Summary::scalar("String", "UK")
        );
        assert_eq!(
            ready(Value::new(None::<i64>)),
            Summary::scalar("Option<i64>", "None")
        );
        assert_eq!(
            ready(Value::new(Some(3_u8))),
            Summary::scalar("Option<u8>", "3")
        );
    }

    #[test]
    fn a_vec_shows_its_length_and_first_items() {
        assert_eq!(
            ready(Value::new(vec![1_i64, 2, 3])),
            Summary::scalar("Vec<i64>", "len 3: [1, 2, 3]")
        );
        let Summary::Scalar { value, .. } = ready(Value::new((0..100).collect::<Vec<u32>>()))
        else {
            panic!("a scalar")
        };
        assert_eq!(value, "len 100: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …]");
    }

    #[test]
    fn a_long_string_is_cut() {
        let Summary::Scalar { value, .. } = ready(Value::new("y".repeat(10_000))) else {
            panic!("a scalar")
        };
        assert_eq!(value.chars().count(), super::super::summary::MAX_TEXT + 1);
    }

    #[test]
    fn other_types_are_kept_as_their_name() {
        struct Model;
        assert!(matches!(
            ready(Value::new(Model)),
            Summary::Other { r#type, bytes: None } if r#type.ends_with("Model")
        ));
    }
}
