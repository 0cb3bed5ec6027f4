//! Type descriptions carried by parameters and outputs.

use std::any::TypeId;
use std::fmt;

/// A Rust type as the graph sees it: its [`TypeId`] for checking edges, and its name as written in
/// the source for messages.
///
/// ```
/// use hamilton_core::node::TypeInfo;
/// let t = TypeInfo::of::<Vec<f64>>();
/// assert_eq!(t.name(), "Vec<f64>");
/// assert_eq!(t.id(), std::any::TypeId::of::<Vec<f64>>());
/// assert_eq!(TypeInfo::named::<f64>("Price").name(), "Price");
/// ```
#[derive(Clone, Copy)]
pub struct TypeInfo {
    id: fn() -> TypeId,
    rust_name: fn() -> &'static str,
    written: Option<&'static str>,
}

impl TypeInfo {
    /// The type `T`, named by `std::any::type_name` without module paths.
    pub const fn of<T: 'static>() -> Self {
        Self {
            id: TypeId::of::<T>,
            rust_name: std::any::type_name::<T>,
            written: None,
        }
    }

    /// The type `T`, named as written in the source (what `#[node]` records).
    pub const fn named<T: 'static>(written: &'static str) -> Self {
        Self {
            id: TypeId::of::<T>,
            rust_name: std::any::type_name::<T>,
            written: Some(written),
        }
    }

    /// The same type with its short name computed now, once (so that [`name`](Self::name)
    /// costs nothing afterwards).
    pub(crate) fn resolved(self) -> Self {
        Self {
            written: Some(self.name()),
            ..self
        }
    }

    /// The type's [`TypeId`].
    pub fn id(&self) -> TypeId {
        (self.id)()
    }

    /// The type's name as written, or its short Rust name.
    pub fn name(&self) -> &'static str {
        self.written
            .unwrap_or_else(|| crate::value::short_type_name((self.rust_name)()))
    }

    /// The fully qualified Rust name (`alloc::string::String`), to tell apart types that share a
    /// short name.
    pub fn full_name(&self) -> &'static str {
        (self.rust_name)()
    }
}

impl PartialEq for TypeInfo {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for TypeInfo {}

impl fmt::Debug for TypeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for TypeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a node receives one of its dependencies.
///
/// ```
/// use hamilton_core::node::ParamKind;
/// assert!(ParamKind::OptionalRef.is_optional());
/// assert!(!ParamKind::Owned.is_optional());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// `&T`: a borrow of the upstream value.
    Ref,
    /// `T`: the upstream value itself (moved when this is its last use, cloned otherwise).
    Owned,
    /// `Option<&T>`: `None` when the input is not given.
    OptionalRef,
    /// `Option<T>`: `None` when the input is not given.
    OptionalOwned,
}

impl ParamKind {
    /// Whether the dependency may be absent (`Option<..>`).
    pub fn is_optional(self) -> bool {
        matches!(self, Self::OptionalRef | Self::OptionalOwned)
    }

    /// Whether the node takes the value by value (and may therefore receive it moved).
    pub fn is_owned(self) -> bool {
        matches!(self, Self::Owned | Self::OptionalOwned)
    }
}

/// Where a node was defined.
///
/// ```
/// use hamilton_core::node::Location;
/// let here = Location::new("src/features.rs", 12);
/// assert_eq!(here.to_string(), "src/features.rs:12");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// Source file, as `file!()` gives it.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
}

impl Location {
    /// A location in `file` at `line`.
    pub const fn new(file: &'static str, line: u32) -> Self {
        Self { file, line }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}
