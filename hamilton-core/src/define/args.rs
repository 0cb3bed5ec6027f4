//! The arguments handed to a node when it runs.

use std::any::{Any, type_name};
use std::cell::Cell;

use crate::value::Value;

/// One argument slot, filled by the executor.
#[doc(hidden)]
pub enum Arg<'a> {
    /// A borrow of a value that stays where it is.
    Ref(&'a (dyn Any + Send + Sync)),
    /// A value handed over to the node (its last use, or a converted value).
    Owned(Cell<Option<Value>>),
    /// An optional dependency that was not given.
    Absent,
}

impl<'a> Arg<'a> {
    /// A slot holding `value` by value.
    pub fn owned(value: Value) -> Self {
        Self::Owned(Cell::new(Some(value)))
    }
}

/// The values of a node's parameters, in declaration order.
///
/// `#[node]` functions never see this type: the macro reads the arguments for them. Nodes built
/// with [`Node::builder`](crate::node::Node::builder) read them by position.
///
/// ```
/// use hamilton_core::node::{Args, Node};
/// let add = Node::builder("c")
///     .param::<f64>("a")
///     .param::<f64>("b")
///     .build(|args: &Args| Ok(args.get::<f64>(0)? + args.get::<f64>(1)?));
/// assert_eq!(add.params().len(), 2);
/// ```
pub struct Args<'a> {
    slots: &'a [Arg<'a>],
}

impl<'a> Args<'a> {
    /// Arguments over the given slots.
    #[doc(hidden)]
    pub fn new(slots: &'a [Arg<'a>]) -> Self {
        Self { slots }
    }

    /// The number of arguments.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the node takes no arguments.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Calls `f` with argument `index` without taking it: `None` when the argument is absent
    /// or past the declared parameters. For hooks that look at the values a node reads.
    ///
    /// ```
    /// use hamilton_core::{__private::Arg, node::{Args, Value}};
    /// let x = 2.0_f64;
    /// let slots = [Arg::Ref(&x), Arg::owned(Value::new(3_i64)), Arg::Absent];
    /// let args = Args::new(&slots);
    /// assert_eq!(args.inspect(0, |v| v.and_then(|v| v.downcast_ref::<f64>()).copied()), Some(2.0));
    /// assert_eq!(args.inspect(1, |v| v.and_then(|v| v.downcast_ref::<i64>()).copied()), Some(3));
    /// assert!(args.inspect(2, |v| v.is_none()));
    /// assert_eq!(args.take::<i64>(1), Ok(3)); // still there
    /// ```
    pub fn inspect<R>(
        &self,
        index: usize,
        f: impl FnOnce(Option<&(dyn Any + Send + Sync)>) -> R,
    ) -> R {
        match self.slots.get(index) {
            Some(Arg::Ref(any)) => f(Some(*any)),
            Some(Arg::Owned(cell)) => {
                // Put the value back even if `f` panics.
                struct PutBack<'c>(&'c Cell<Option<Value>>, Option<Value>);
                impl Drop for PutBack<'_> {
                    fn drop(&mut self) {
                        self.0.set(self.1.take());
                    }
                }
                let guard = PutBack(cell, cell.take());
                f(guard.1.as_ref().map(Value::as_any))
            }
            Some(Arg::Absent) | None => f(None),
        }
    }

    fn slot(&self, index: usize) -> Result<&'a Arg<'a>, ArgError> {
        self.slots.get(index).ok_or(ArgError::NoSuchArgument {
            index,
            count: self.slots.len(),
        })
    }

    /// Borrows argument `index` as a `T` (a `&T` parameter).
    pub fn get<T: Any>(&self, index: usize) -> Result<&'a T, ArgError> {
        match self.get_opt::<T>(index)? {
            Some(v) => Ok(v),
            None => Err(ArgError::Absent { index }),
        }
    }

    /// Borrows argument `index` if it was given (an `Option<&T>` parameter).
    pub fn get_opt<T: Any>(&self, index: usize) -> Result<Option<&'a T>, ArgError> {
        match self.slot(index)? {
            Arg::Ref(any) => any
                .downcast_ref::<T>()
                .map(Some)
                .ok_or_else(|| ArgError::wrong_type::<T>(index)),
            Arg::Owned(_) => Err(ArgError::NotBorrowable { index }),
            Arg::Absent => Ok(None),
        }
    }

    /// Takes argument `index` by value (a `T` parameter): moved when the executor handed it over,
    /// cloned otherwise.
    pub fn take<T: Any + Clone>(&self, index: usize) -> Result<T, ArgError> {
        match self.take_opt::<T>(index)? {
            Some(v) => Ok(v),
            None => Err(ArgError::Absent { index }),
        }
    }

    /// Takes argument `index` by value if it was given (an `Option<T>` parameter).
    pub fn take_opt<T: Any + Clone>(&self, index: usize) -> Result<Option<T>, ArgError> {
        self.take_opt_with(index, T::clone)
    }

    /// As [`take_opt`](Self::take_opt), cloning with `clone` (the call `#[node]` generates holds
    /// `T::clone` rather than a `T: Clone` bound).
    #[doc(hidden)]
    pub fn take_opt_with<T: Any>(
        &self,
        index: usize,
        clone: fn(&T) -> T,
    ) -> Result<Option<T>, ArgError> {
        match self.slot(index)? {
            Arg::Ref(any) => any
                .downcast_ref::<T>()
                .map(clone)
                .map(Some)
                .ok_or_else(|| ArgError::wrong_type::<T>(index)),
            Arg::Owned(cell) => match cell.take() {
                Some(value) => value.downcast::<T>().map(Some).map_err(|v| {
                    cell.set(Some(v));
                    ArgError::wrong_type::<T>(index)
                }),
                None => Err(ArgError::AlreadyTaken { index }),
            },
            Arg::Absent => Ok(None),
        }
    }
}

impl std::fmt::Debug for Args<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Args({} argument(s))", self.slots.len())
    }
}

/// A node read an argument in a way the executor did not prepare it for. It indicates a node
/// built by hand whose declared parameters disagree with the closure's reads.
///
/// ```
/// use hamilton_core::{__private::Arg, node::{Args, ArgError}};
/// let slots = [Arg::Absent];
/// let args = Args::new(&slots);
/// assert!(matches!(args.get::<f64>(0), Err(ArgError::Absent { index: 0 })));
/// ```
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgError {
    /// The node read past its declared parameters.
    #[error(
        "argument {index} was read, but the node declares only {count} parameter(s); declare it with `.param::<T>(name)`"
    )]
    NoSuchArgument {
        /// Position read.
        index: usize,
        /// Parameters declared.
        count: usize,
    },
    /// The argument is not of the type read.
    #[error("argument {index} was read as `{expected}`, which is not the type declared for it")]
    WrongType {
        /// Position read.
        index: usize,
        /// The type the node asked for.
        expected: &'static str,
    },
    /// A required read of an optional argument that was not given.
    #[error("argument {index} is optional and was not given; read it with `get_opt`/`take_opt`")]
    Absent {
        /// Position read.
        index: usize,
    },
    /// A by-value argument was borrowed.
    #[error("argument {index} is passed by value; read it with `take`")]
    NotBorrowable {
        /// Position read.
        index: usize,
    },
    /// A by-value argument was taken twice.
    #[error("argument {index} was already taken")]
    AlreadyTaken {
        /// Position read.
        index: usize,
    },
}

impl ArgError {
    fn wrong_type<T>(index: usize) -> Self {
        Self::WrongType {
            index,
            expected: type_name::<T>(),
        }
    }
}

/// One argument of an async node.
#[doc(hidden)]
pub enum AsyncArg {
    /// A value shared with other readers.
    Shared(std::sync::Arc<Value>),
    /// A value handed over to the node.
    Owned(Value),
    /// An optional dependency that was not given.
    Absent,
}

/// The arguments of an `async` node, owned so that its future can outlive the call that
/// started it.
///
/// ```
/// use hamilton_core::{__private::AsyncArg, node::{AsyncArgs, Value}};
/// let args = AsyncArgs::new(vec![AsyncArg::Owned(Value::new(2_i64)), AsyncArg::Absent]);
/// assert_eq!(args.get::<i64>(0).unwrap(), &2);
/// assert_eq!(args.get_opt::<i64>(1).unwrap(), None);
/// ```
pub struct AsyncArgs {
    slots: Vec<AsyncArg>,
}

impl AsyncArgs {
    /// Arguments over the given values.
    #[doc(hidden)]
    pub fn new(slots: Vec<AsyncArg>) -> Self {
        Self { slots }
    }

    fn value(&self, index: usize) -> Result<Option<&Value>, ArgError> {
        match self.slots.get(index) {
            None => Err(ArgError::NoSuchArgument {
                index,
                count: self.slots.len(),
            }),
            Some(AsyncArg::Shared(v)) => Ok(Some(v)),
            Some(AsyncArg::Owned(v)) => Ok(Some(v)),
            Some(AsyncArg::Absent) => Ok(None),
        }
    }

    /// Borrows argument `index` as a `T`.
    pub fn get<T: Any>(&self, index: usize) -> Result<&T, ArgError> {
        self.get_opt::<T>(index)?.ok_or(ArgError::Absent { index })
    }

    /// Borrows argument `index` if it was given.
    pub fn get_opt<T: Any>(&self, index: usize) -> Result<Option<&T>, ArgError> {
        match self.value(index)? {
            None => Ok(None),
            Some(v) => v
                .downcast_ref::<T>()
                .map(Some)
                .ok_or_else(|| ArgError::wrong_type::<T>(index)),
        }
    }

    /// Takes argument `index` by value: moved when handed over, cloned otherwise.
    pub fn take<T: Any + Clone>(&mut self, index: usize) -> Result<T, ArgError> {
        self.take_opt::<T>(index)?.ok_or(ArgError::Absent { index })
    }

    /// Takes argument `index` by value if it was given.
    pub fn take_opt<T: Any + Clone>(&mut self, index: usize) -> Result<Option<T>, ArgError> {
        let Some(slot) = self.slots.get_mut(index) else {
            return Err(ArgError::NoSuchArgument {
                index,
                count: self.slots.len(),
            });
        };
        match std::mem::replace(slot, AsyncArg::Absent) {
            AsyncArg::Absent => Ok(None),
            AsyncArg::Owned(v) => v.downcast::<T>().map(Some).map_err(|v| {
                *slot = AsyncArg::Owned(v);
                ArgError::wrong_type::<T>(index)
            }),
            AsyncArg::Shared(v) => {
                let r = v.downcast_ref::<T>().cloned();
                *slot = AsyncArg::Shared(v);
                r.map(Some).ok_or_else(|| ArgError::wrong_type::<T>(index))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_borrows_a_ref_slot() {
        let x = 2.0_f64;
        let slots = [Arg::Ref(&x)];
        assert_eq!(Args::new(&slots).get::<f64>(0), Ok(&2.0));
    }

    #[test]
    fn take_moves_an_owned_slot_once() {
        let slots = [Arg::owned(Value::new(vec![1, 2]))];
        let args = Args::new(&slots);
        assert_eq!(args.take::<Vec<i32>>(0), Ok(vec![1, 2]));
        assert_eq!(
            args.take::<Vec<i32>>(0),
            Err(ArgError::AlreadyTaken { index: 0 })
        );
    }

    #[test]
    fn take_clones_a_ref_slot() {
        let x = String::from("a");
        let slots = [Arg::Ref(&x)];
        let args = Args::new(&slots);
        assert_eq!(args.take::<String>(0).as_deref(), Ok("a"));
        assert_eq!(args.take::<String>(0).as_deref(), Ok("a"));
    }

    #[test]
    fn wrong_type_is_an_error_not_a_panic() {
        let x = 1_i32;
        let slots = [Arg::Ref(&x)];
        assert!(matches!(
            Args::new(&slots).get::<f64>(0),
            Err(ArgError::WrongType { index: 0, .. })
        ));
    }

    #[test]
    fn absent_optional_reads_as_none() {
        let slots = [Arg::Absent];
        assert_eq!(Args::new(&slots).get_opt::<f64>(0), Ok(None));
        assert_eq!(Args::new(&slots).take_opt::<f64>(0), Ok(None));
    }

    #[test]
    fn reading_past_the_declared_parameters_is_an_error() {
        let slots: [Arg<'_>; 0] = [];
        assert_eq!(
            Args::new(&slots).get::<f64>(0),
            Err(ArgError::NoSuchArgument { index: 0, count: 0 })
        );
    }
}
