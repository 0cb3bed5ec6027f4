//! The nodes of a `#[node_module]` module, described at run time by one function per module.
//!
//! `#[node]` on a function emits a static descriptor, a hidden struct and an impl of its own:
//! several items per function that the compiler checks on every `cargo check`. Inside a module
//! marked `#[node_module]`, each plain `#[node]` function instead gets one type alias,
//! `type f = Batched<Output, Module, INDEX>`, and one line in the module's registration
//! function, `r.node::<(Ref<f64>, Owned<u32>), Returns<f64>>(f, (by_ref::<f64>(),
//! by_value::<u32>()), returns::<f64>(), "metadata")`: the marker types are written out, so the
//! call's bounds are checked without inferring them from the values, and the
//! metadata (names, types as written, doc, line, code version) is one string literal. What a
//! node's struct carries elsewhere (`DEF`, `OUTPUT`, the `__output` field the wiring check
//! reads) is written once here, for every [`Batched`] type.
//!
//! The descriptors are built the first time they are asked for (by a module's nodes, a lookup by
//! name, or `DEF`), once per module and process, and kept for the process's lifetime like the
//! statics of `#[node]`.

use std::marker::PhantomData;

use crate::TypedOutput;
use crate::call::{
    Call, CloneParam, Deref, FnCall, OptDeref, OptOwned, OptRef, Output, Owned, Read, Ref, Returns,
    ReturnsResult, opt_owned, owned,
};
use crate::node::{NodeDef, ParamDef};
use crate::types::{Location, ParamKind, TypeInfo};
use crate::value::NodeValue;

/// Separates the fields of a node's metadata string (the unit separator, which `#[node_module]`
/// never batches a node whose names or doc contain).
pub(crate) const SEPARATOR: char = '\u{1f}';

/// A `#[node_module]` module: its batched nodes' names in order (for [`Batched::OUTPUT`], at
/// compile time) and their descriptors (built at run time, once).
pub trait BatchedModule: 'static {
    /// The node names, indexed like the [`Batched`] aliases.
    const NAMES: &'static [&'static str];
    /// The descriptors, indexed like [`NAMES`](Self::NAMES).
    fn defs() -> &'static [NodeDef];
}

/// What the alias named like a batched function stands for: node `I` of module `M`, whose
/// dependents read a `T`.
///
/// ```
/// use hamilton_core::__private::{Batched, BatchedModule, NodeDef};
/// struct Features;
/// impl BatchedModule for Features {
///     const NAMES: &'static [&'static str] = &["spend"];
///     fn defs() -> &'static [NodeDef] { &[] }
/// }
/// #[allow(non_camel_case_types)]
/// type spend = Batched<f64, Features, 0>;
/// assert_eq!(hamilton_core::OwnOutput::node_name(spend::OUTPUT), "spend");
/// ```
pub struct Batched<T, M, const I: usize> {
    /// The type dependents read, for `#[node(wired)]`'s check.
    pub __output: PhantomData<T>,
    module: PhantomData<M>,
}

impl<T: 'static, M: BatchedModule, const I: usize> Batched<T, M, I> {
    /// The function's node, named and typed, for `outputs![..]` and `Outputs::get_typed`.
    pub const OUTPUT: TypedOutput<T> = TypedOutput::new(M::NAMES[I]);
    /// The node's definition, for `nodes![..]`.
    pub const DEF: NodeRef = NodeRef::Batched {
        defs: M::defs,
        index: I,
    };
}

/// A `#[node]` function's definition: its static (`#[node]`, whose `DEF` is a `&NodeDef`) or
/// its place among a `#[node_module]` module's descriptors (whose `DEF` is a `NodeRef`). Reads as
/// a [`NodeDef`]; both convert into it with `NodeRef::from`.
///
/// ```
/// use hamilton_core::__private::NodeRef;
/// #[hamilton_core::node]
/// fn two() -> i64 { 2 }
/// assert_eq!(NodeRef::from(<two>::DEF).name, "two");
/// ```
#[derive(Clone, Copy, Debug)]
pub enum NodeRef {
    /// The static `#[node]` writes.
    Static(&'static NodeDef),
    /// Descriptor `index` of a `#[node_module]` module.
    Batched {
        /// The module's descriptors.
        defs: fn() -> &'static [NodeDef],
        /// The node's place among them.
        index: usize,
    },
}

impl NodeRef {
    /// The definition.
    pub fn get(self) -> &'static NodeDef {
        match self {
            Self::Static(def) => def,
            Self::Batched { defs, index } => &defs()[index],
        }
    }
}

impl From<&'static NodeDef> for NodeRef {
    fn from(def: &'static NodeDef) -> Self {
        Self::Static(def)
    }
}

impl std::ops::Deref for NodeRef {
    type Target = NodeDef;

    fn deref(&self) -> &NodeDef {
        self.get()
    }
}

/// A `#[node_module]` module in the registry section: its descriptors, built on first use.
pub struct ModuleEntry {
    defs: fn() -> &'static [NodeDef],
}

impl ModuleEntry {
    /// The entry of a module whose descriptors `defs` returns.
    pub const fn new(defs: fn() -> &'static [NodeDef]) -> Self {
        Self { defs }
    }

    /// The module's descriptors.
    pub fn defs(&self) -> &'static [NodeDef] {
        (self.defs)()
    }
}

/// How a parameter is described, from its marker's type. The bounds a user's type may fail
/// are on the marker's constructor (spanned on the parameter), not here: each problem is
/// reported once, there.
pub trait ParamMarker: Read + Send + Sync + 'static {
    /// How the parameter receives its value.
    const KIND: ParamKind;
    /// The value type, named as written.
    fn type_info(written: &'static str) -> TypeInfo;
}

macro_rules! param_marker {
    ($($marker:ident [$($bound:tt)*] => $kind:ident;)*) => {$(
        impl<T: 'static $($bound)*> ParamMarker for $marker<T> {
            const KIND: ParamKind = ParamKind::$kind;
            fn type_info(written: &'static str) -> TypeInfo {
                TypeInfo::named::<T>(written)
            }
        }
    )*};
}

param_marker! {
    Ref [] => Ref;
    OptRef [] => OptionalRef;
    Deref [+ std::ops::Deref] => Ref;
    OptDeref [+ std::ops::Deref] => OptionalRef;
    Owned [] => Owned;
    OptOwned [] => OptionalOwned;
}

/// A tuple of parameter markers.
pub trait ParamMarkers: Send + Sync + 'static {
    /// The parameters' definitions, from their names and written types in turn.
    fn defs(written: &mut dyn Iterator<Item = &'static str>) -> Vec<ParamDef>;
}

/// The function of a node whose parameters these markers read and whose value `O` wraps, as a
/// `fn` pointer.
///
/// A registration line passes its function as this pointer: the compiler then checks one
/// coercion per node, where a generic function type would need a higher-ranked `Fn` bound
/// proved again for each function's own type (a fifth of a `#[node_module]`'s `cargo check`).
pub trait ParamFn<O: Output>: ParamMarkers {
    /// `for<'a> fn(A::Out<'a>, ..) -> O::Ret`.
    type Fn: Copy + Send + Sync + 'static;
    /// The function's erased call.
    fn call(f: Self::Fn, params: Self, output: O) -> Box<dyn Call>;
}

/// The call of `f`, passed last as the `fn` pointer `params` and `output` describe (see
/// [`ParamFn`]): what a `#[node]` function's descriptor holds.
pub const fn fn_call<P: ParamFn<O>, O: OutputMarker>(
    params: P,
    output: O,
    f: P::Fn,
) -> FnCall<P::Fn, P, O> {
    FnCall::new(f, params, output)
}

macro_rules! param_markers {
    ($($P:ident),*) => {
        impl<$($P: ParamMarker),*> ParamMarkers for ($($P,)*) {
            #[allow(unused_variables)]
            fn defs(written: &mut dyn Iterator<Item = &'static str>) -> Vec<ParamDef> {
                vec![$(param_def::<$P>(written)),*]
            }
        }

        impl<O: OutputMarker, $($P: ParamMarker),*> ParamFn<O> for ($($P,)*) {
            type Fn = for<'a> fn($($P::Out<'a>),*) -> O::Ret;
            fn call(f: Self::Fn, params: Self, output: O) -> Box<dyn Call> {
                Box::new(FnCall::new(f, params, output))
            }
        }
    };
}

param_markers!();
param_markers!(A);
param_markers!(A, B);
param_markers!(A, B, C);
param_markers!(A, B, C, D);
param_markers!(A, B, C, D, E);
param_markers!(A, B, C, D, E, G);
param_markers!(A, B, C, D, E, G, H);
param_markers!(A, B, C, D, E, G, H, I);
param_markers!(A, B, C, D, E, G, H, I, J);
param_markers!(A, B, C, D, E, G, H, I, J, K);
param_markers!(A, B, C, D, E, G, H, I, J, K, L);
param_markers!(A, B, C, D, E, G, H, I, J, K, L, M);

fn param_def<P: ParamMarker>(written: &mut dyn Iterator<Item = &'static str>) -> ParamDef {
    let name = written.next().unwrap_or_default();
    ParamDef {
        name,
        ty: P::type_info(written.next().unwrap_or_default()),
        kind: P::KIND,
        gather: None,
    }
}

/// How a return-value marker describes the node's value type.
pub trait OutputMarker: Output + Send + Sync + 'static {
    /// The node's value type, named as written.
    fn type_info(&self, written: &'static str) -> TypeInfo;
}

impl<T: 'static> OutputMarker for Returns<T> {
    fn type_info(&self, written: &'static str) -> TypeInfo {
        TypeInfo::named::<T>(written)
    }
}

impl<R: 'static> OutputMarker for ReturnsResult<R> {
    fn type_info(&self, written: &'static str) -> TypeInfo {
        (self.1)(written)
    }
}

/// The marker of a `&T` parameter (spanned on the parameter: a `T` that cannot be a node value
/// is reported there).
pub const fn by_ref<T: NodeValue>() -> Ref<T> {
    Ref::NEW
}

/// The marker of an `Option<&T>` parameter (see [`by_ref`]).
pub const fn opt_ref<T: NodeValue>() -> OptRef<T> {
    OptRef::NEW
}

/// The marker of a `&str` or `&[U]` parameter, `T` being `String` or `Vec<U>` (see [`by_ref`]).
pub const fn by_deref<T: NodeValue + std::ops::Deref>() -> Deref<T> {
    Deref::NEW
}

/// The marker of an `Option<&str>` or `Option<&[U]>` parameter (see [`by_deref`]).
pub const fn opt_deref<T: NodeValue + std::ops::Deref>() -> OptDeref<T> {
    OptDeref::NEW
}

/// The marker of a by-value `T` parameter: `T` must be a node value and `Clone`.
pub const fn by_value<T: NodeValue + CloneParam>() -> Owned<T> {
    owned::<T>()
}

/// The marker of an `Option<T>` parameter (see [`by_value`]).
pub const fn opt_value<T: NodeValue + CloneParam>() -> OptOwned<T> {
    opt_owned::<T>()
}

/// Collects the descriptors of one `#[node_module]` module (what its registration function
/// fills).
///
/// ```
/// use hamilton_core::__private::{Ref, Registrar, Returns, by_ref, returns};
/// fn double(x: &f64) -> f64 { x * 2.0 }
/// let mut r = Registrar::new("features", "features.rs");
/// r.node::<(Ref<f64>,), Returns<f64>>(double, (by_ref::<f64>(),), returns::<f64>(), "double\u{1f}3\u{1f}Doubles.\u{1f}7\u{1f}f64\u{1f}x\u{1f}f64");
/// let defs = r.finish();
/// assert_eq!(defs[0].name, "double");
/// assert_eq!(defs[0].params[0].name, "x");
/// assert_eq!(defs[0].output.name(), "f64");
/// ```
pub struct Registrar {
    module: &'static str,
    file: &'static str,
    defs: Vec<NodeDef>,
}

impl Registrar {
    /// A registrar for the module at `module` (its `module_path!()`), written in `file`.
    pub fn new(module: &'static str, file: &'static str) -> Self {
        Self {
            module,
            file,
            defs: Vec::new(),
        }
    }

    /// Adds function `f`, whose parameters are read by `params` and whose value is wrapped by
    /// `output` (their types are also written out by the caller: inferring them from the values
    /// costs the compiler several times more), passed as the `fn` pointer they describe.
    /// `meta` holds, separated by [`SEPARATOR`]: the name, the line, the doc, the code version,
    /// the output type as written, then each parameter's name and type as written.
    pub fn node<P: ParamFn<O>, O: OutputMarker>(
        &mut self,
        f: P::Fn,
        params: P,
        output: O,
        meta: &'static str,
    ) {
        let mut fields = meta.split(SEPARATOR);
        let mut next = || fields.next().unwrap_or_default();
        let name = next();
        let line = next().parse().unwrap_or(0);
        let doc = next();
        let code_version = next().parse().unwrap_or(0);
        let output_type = output.type_info(next());
        let param_defs = P::defs(&mut fields);
        let call: &'static dyn Call = Box::leak(P::call(f, params, output));
        self.defs.push(NodeDef {
            name,
            function: name,
            module: self.module,
            location: Location {
                file: self.file,
                line,
            },
            doc,
            params: Box::leak(param_defs.into_boxed_slice()),
            output: output_type,
            tags: &[],
            tag_lists: &[],
            code_version,
            call,
            async_call: None,
            modifiers: crate::__private::no_modifiers,
            fan_out: None,
        });
    }

    /// The descriptors, in the order they were added.
    pub fn finish(self) -> Box<[NodeDef]> {
        self.defs.into_boxed_slice()
    }
}
