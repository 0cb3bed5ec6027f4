//! The call of a `#[node]` function, written once as generic code.
//!
//! `#[node]` used to emit a call shim per function (read each argument, call, wrap the value).
//! It now emits one static value per function, `FnCall::new(f, (Ref::<f64>::NEW, owned::<u64>()),
//! returns::<f64>())`, used as a `&'static dyn Call`: the markers say how each parameter is read
//! and how the return value is wrapped, and the impls below do it. The bounds a user's type may
//! fail (`NodeValue`, `Clone`, a `Result` return) are on the marker constructors only, which the
//! macro spans on the parameter or the return type: each problem is reported once, there, and
//! never again by the call. Per function, the compiler then checks one
//! trait bound instead of type-checking and borrow-checking a body, and `cargo check` never
//! instantiates the generic code (code generation does, once per signature shape).

use std::fmt;
use std::marker::PhantomData;

use crate::args::{ArgError, Args};
use crate::node::NodeError;
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

/// The sync call of a node function, type-erased.
///
/// ```
/// use hamilton_core::__private::{Arg, Args, Call, FnCall, Ref, returns};
/// fn double(a: &f64) -> f64 {
///     a * 2.0
/// }
/// static CALL: &dyn Call = &FnCall::new(double, (Ref::<f64>::NEW,), returns::<f64>());
/// let x = 2.0_f64;
/// let value = CALL.call(&Args::new(&[Arg::Ref(&x)])).unwrap();
/// assert_eq!(value.downcast_ref::<f64>(), Some(&4.0));
/// ```
pub trait Call: Send + Sync {
    /// Reads the arguments, calls the function and wraps its value.
    fn call(&self, args: &Args<'_>) -> Result<Value, NodeError>;
}

impl fmt::Debug for dyn Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<call>")
    }
}

/// A hand-written call (the shim of a function too long for the generic calls, or of an
/// `async fn`).
impl Call for fn(&Args<'_>) -> Result<Value, NodeError> {
    fn call(&self, args: &Args<'_>) -> Result<Value, NodeError> {
        self(args)
    }
}

/// How a parameter is read from the arguments.
pub trait Read {
    /// What the function receives.
    type Out<'a>;
    /// Reads argument `index`.
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<Self::Out<'a>, ArgError>;
}

macro_rules! marker {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        pub struct $name<T>(PhantomData<fn() -> T>);

        impl<T> $name<T> {
            /// The marker.
            pub const NEW: Self = Self(PhantomData);
        }
    )*};
}

marker! {
    /// A `&T` parameter.
    Ref,
    /// An `Option<&T>` parameter.
    OptRef,
    /// A `&str` (`T = String`) or `&[U]` (`T = Vec<U>`) parameter.
    Deref,
    /// An `Option<&str>` (`T = String`) or `Option<&[U]>` (`T = Vec<U>`) parameter.
    OptDeref,
}

/// A `T` parameter (moved, or cloned when other nodes still need the value). It holds `T`'s
/// `clone`, so that the bound is checked once, where [`owned`] is called (on the parameter),
/// and not again by the call.
pub struct Owned<T>(fn(&T) -> T);

/// An `Option<T>` parameter (see [`Owned`]).
pub struct OptOwned<T>(fn(&T) -> T);

/// The marker of a by-value parameter of type `T` (spanned on the parameter: a `T` that is not
/// `Clone` is reported there).
#[inline]
pub const fn owned<T: CloneParam>() -> Owned<T> {
    Owned(T::clone)
}

/// The marker of an optional by-value parameter of type `T` (see [`owned`]).
#[inline]
pub const fn opt_owned<T: CloneParam>() -> OptOwned<T> {
    OptOwned(T::clone)
}

impl<T: 'static> Read for Ref<T> {
    type Out<'a> = &'a T;
    #[inline]
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<&'a T, ArgError> {
        args.get::<T>(index)
    }
}

impl<T: 'static> Read for Owned<T> {
    type Out<'a> = T;
    #[inline]
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<T, ArgError> {
        args.take_opt_with::<T>(index, self.0)?
            .ok_or(ArgError::Absent { index })
    }
}

impl<T: 'static> Read for OptRef<T> {
    type Out<'a> = Option<&'a T>;
    #[inline]
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<Option<&'a T>, ArgError> {
        args.get_opt::<T>(index)
    }
}

impl<T: 'static> Read for OptOwned<T> {
    type Out<'a> = Option<T>;
    #[inline]
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<Option<T>, ArgError> {
        args.take_opt_with::<T>(index, self.0)
    }
}

impl<T: 'static + std::ops::Deref> Read for Deref<T> {
    type Out<'a> = &'a T::Target;
    #[inline]
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<&'a T::Target, ArgError> {
        args.get::<T>(index).map(|value| &**value)
    }
}

impl<T: 'static + std::ops::Deref> Read for OptDeref<T> {
    type Out<'a> = Option<&'a T::Target>;
    #[inline]
    fn read<'a>(&self, args: &Args<'a>, index: usize) -> Result<Option<&'a T::Target>, ArgError> {
        args.get_opt::<T>(index).map(|value| value.map(|v| &**v))
    }
}

/// How a return value becomes a node value.
pub trait Output {
    /// The function's return type.
    type Ret;
    /// Wraps the return value.
    fn wrap(&self, ret: Self::Ret) -> Result<Value, NodeError>;
}

/// A return type `T`; holds the wrapping, so that `T: NodeValue` is checked once, where
/// [`returns`] is called (on the return type).
pub struct Returns<T>(fn(T) -> Result<Value, NodeError>);

/// A return type `R = Result<T, E>` (or an alias of it); see [`Returns`]. Also holds how to
/// describe `T`, known here where `R: Fallible` is.
pub struct ReturnsResult<R>(
    fn(R) -> Result<Value, NodeError>,
    pub(crate) fn(&'static str) -> TypeInfo,
);

/// The marker of return type `T` (spanned on the return type: a `T` that cannot be a node value
/// is reported there).
#[inline]
pub const fn returns<T: NodeValue>() -> Returns<T> {
    Returns(|value| Ok(Value::new(value)))
}

/// The marker of a return type `R` read as `Result<T, E>` (spanned on the return type: an `R`
/// that is not a `Result`, a `T` that cannot be a node value and an `E` that is not an error are
/// reported there).
#[inline]
pub const fn returns_result<R>() -> ReturnsResult<R>
where
    R: Fallible,
    R::Ok: NodeValue,
    R::Err: Into<NodeError>,
{
    ReturnsResult(
        |result| result.into_result().map(Value::new).map_err(Into::into),
        TypeInfo::named::<R::Ok>,
    )
}

impl<T> Output for Returns<T> {
    type Ret = T;
    #[inline]
    fn wrap(&self, ret: T) -> Result<Value, NodeError> {
        (self.0)(ret)
    }
}

impl<R> Output for ReturnsResult<R> {
    type Ret = R;
    #[inline]
    fn wrap(&self, ret: R) -> Result<Value, NodeError> {
        (self.0)(ret)
    }
}

/// The success type of a fallible return type (`T` for `Result<T, E>`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` looks like a `Result` but is not one",
    label = "a return type whose name ends in `Result` is read as `Result<T, E>`",
    note = "return `Result<T, E>` (or an alias of it) with `E: Into<Box<dyn std::error::Error + Send + Sync>>`"
)]
pub trait Fallible {
    /// The success type.
    type Ok;
    /// The error type.
    type Err;
    /// The value as a `Result`.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
}

impl<T, E> Fallible for Result<T, E> {
    type Ok = T;
    type Err = E;
    #[inline]
    fn into_result(self) -> Self {
        self
    }
}

/// A type a node can take by value: the executor clones it when other nodes still need it.
#[diagnostic::on_unimplemented(
    message = "a node parameter taken by value must implement `Clone`; `{Self}` does not",
    label = "taken by value here",
    note = "borrow it instead (`&{Self}`), or derive `Clone` for it"
)]
pub trait CloneParam: Clone {}

impl<T: Clone> CloneParam for T {}

/// A function `F` called with parameters read as `P` (a tuple of [`Read`] markers), its return
/// value wrapped as `O` (an [`Output`] marker).
pub struct FnCall<F, P, O> {
    f: F,
    params: P,
    output: O,
}

impl<F, P, O> FnCall<F, P, O> {
    /// The call of `f`, reading its parameters as `params` and wrapping its value as `output`.
    pub const fn new(f: F, params: P, output: O) -> Self {
        Self { f, params, output }
    }
}

macro_rules! impl_call {
    ($($P:ident $i:tt),*) => {
        impl<F, O: Output + Send + Sync, $($P: Read + Send + Sync),*> Call for FnCall<F, ($($P,)*), O>
        where
            F: for<'a> Fn($($P::Out<'a>),*) -> O::Ret + Send + Sync,
        {
            #[inline]
            #[allow(unused_variables)]
            fn call(&self, args: &Args<'_>) -> Result<Value, NodeError> {
                self.output.wrap((self.f)($(self.params.$i.read(args, $i)?),*))
            }
        }
    };
}

impl_call!();
impl_call!(A 0);
impl_call!(A 0, B 1);
impl_call!(A 0, B 1, C 2);
impl_call!(A 0, B 1, C 2, D 3);
impl_call!(A 0, B 1, C 2, D 3, E 4);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5, H 6);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9, L 10);
impl_call!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7, J 8, K 9, L 10, M 11);
