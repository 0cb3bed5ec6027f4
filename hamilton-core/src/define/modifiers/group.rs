//! `group(..)`: several nodes and literals gathered into one parameter, as a list
//! (`group(a, value(2.0))` → `Vec<T>`) or as a map (`group(a = source("x"), b = value(2.0))` →
//! `BTreeMap<String, T>` / `HashMap<String, T>`), Hamilton's `group(*deps)` and `group(**deps)`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

use super::binding::{Binding, BindingKind};
use crate::args::Args;
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

type Make<T> = Arc<dyn Fn() -> T + Send + Sync>;

/// One member of a group: another node ([`GroupMember::source`]) or a literal
/// ([`GroupMember::value`]), of the group's element type `T`.
///
/// In `#[node(...)]` they are written `source("x")` (or just `x`) and `value(2.0)` inside
/// `group(..)`.
///
/// ```
/// use hamilton_core::modifiers::{Binding, GroupMember};
/// let b = Binding::group_of::<f64>([GroupMember::source("uk"), GroupMember::value(2.5)]);
/// assert_eq!(b.to_string(), "group(uk, value(2.5))");
/// ```
pub struct GroupMember<T> {
    kind: MemberKind<T>,
}

enum MemberKind<T> {
    Source(Arc<str>),
    Value { make: Make<T>, text: Arc<str> },
}

impl<T> Clone for GroupMember<T> {
    fn clone(&self) -> Self {
        Self {
            kind: match &self.kind {
                MemberKind::Source(s) => MemberKind::Source(s.clone()),
                MemberKind::Value { make, text } => MemberKind::Value {
                    make: make.clone(),
                    text: text.clone(),
                },
            },
        }
    }
}

impl<T: NodeValue> GroupMember<T> {
    /// The value of node (or input) `name`.
    pub fn source(name: impl Into<Arc<str>>) -> Self {
        Self {
            kind: MemberKind::Source(name.into()),
        }
    }

    /// A literal, fixed when the graph is built (its `Debug` text shows it in messages).
    pub fn value(value: T) -> Self
    where
        T: Clone + fmt::Debug,
    {
        let text = format!("{value:?}");
        Self::value_with(move || value.clone(), text)
    }

    /// A literal made by `make` each time the group is gathered; `text` shows it. What
    /// `#[node(...)]` generates for `value(..)` inside `group(..)`.
    ///
    /// ```
    /// use hamilton_core::modifiers::GroupMember;
    /// let m = GroupMember::value_with(|| "n/a".to_string(), "\"n/a\"");
    /// assert_eq!(m.to_string(), "value(\"n/a\")");
    /// ```
    pub fn value_with(
        make: impl Fn() -> T + Send + Sync + 'static,
        text: impl Into<Arc<str>>,
    ) -> Self {
        Self {
            kind: MemberKind::Value {
                make: Arc::new(make),
                text: text.into(),
            },
        }
    }

    /// The member's node, for a source.
    fn source_name(&self) -> Option<&Arc<str>> {
        match &self.kind {
            MemberKind::Source(s) => Some(s),
            MemberKind::Value { .. } => None,
        }
    }

    /// The member's value: the next source argument, or the literal.
    fn gather(&self, args: &Args<'_>, next_source: &mut usize) -> Result<T, crate::node::NodeError>
    where
        T: Clone,
    {
        match &self.kind {
            MemberKind::Source(_) => {
                let value = args.take::<T>(*next_source)?;
                *next_source += 1;
                Ok(value)
            }
            MemberKind::Value { make, .. } => Ok(make()),
        }
    }
}

impl<T> fmt::Display for GroupMember<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            MemberKind::Source(s) => f.write_str(s),
            MemberKind::Value { text, .. } => write!(f, "value({text})"),
        }
    }
}

impl<T> fmt::Debug for GroupMember<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A map `group(key = .., ..)` gathers into: `BTreeMap<String, T>` (keys in order) or
/// `HashMap<String, T>`.
///
/// ```
/// use std::collections::BTreeMap;
/// use hamilton_core::modifiers::GroupMap;
/// let m = BTreeMap::<String, f64>::from_entries(vec![("b".into(), 2.0), ("a".into(), 1.0)]);
/// assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`group(key = ..)` gathers into a map with `String` keys, not a `{Self}`",
    label = "not a `BTreeMap<String, T>` or `HashMap<String, T>`",
    note = "declare the parameter `&BTreeMap<String, T>` or `&HashMap<String, T>`, or write `group(a, b)` for a list"
)]
pub trait GroupMap: NodeValue + Sized {
    /// The type of each value.
    type Item: NodeValue + Clone;

    /// The map of `entries` (keys are distinct).
    fn from_entries(entries: Vec<(String, Self::Item)>) -> Self;
}

impl<T: NodeValue + Clone> GroupMap for BTreeMap<String, T> {
    type Item = T;

    fn from_entries(entries: Vec<(String, T)>) -> Self {
        entries.into_iter().collect()
    }
}

impl<T, S> GroupMap for HashMap<String, T, S>
where
    T: NodeValue + Clone,
    S: BuildHasher + Default + Send + Sync + 'static,
{
    type Item = T;

    fn from_entries(entries: Vec<(String, T)>) -> Self {
        entries.into_iter().collect()
    }
}

impl Binding {
    /// The parameter reads a `Vec<T>` gathered from `members`, nodes and literals, in order
    /// (`group(a, value(2.0), source("x"))`).
    ///
    /// ```
    /// use hamilton_core::modifiers::{Binding, GroupMember, Parameterization};
    /// use hamilton_core::{Driver, Inputs, modifiers::Modifier, node::{Args, Node}};
    /// let total = Node::builder("total")
    ///     .param::<Vec<f64>>("parts")
    ///     .modifier(Modifier::inject("parts", Binding::group_of::<f64>([
    ///         GroupMember::source("uk"),
    ///         GroupMember::value(10.0),
    ///     ])))
    ///     .build(|a: &Args| Ok(a.get::<Vec<f64>>(0)?.iter().sum::<f64>()));
    /// let dr = Driver::builder().with_nodes([total]).build().unwrap();
    /// let out = dr.execute(&["total"], Inputs::new().set("uk", 1.5_f64)).unwrap();
    /// assert_eq!(out.get::<f64>("total").unwrap(), &11.5);
    /// ```
    pub fn group_of<T: NodeValue + Clone>(
        members: impl IntoIterator<Item = GroupMember<T>>,
    ) -> Self {
        let members: Arc<[GroupMember<T>]> = members.into_iter().collect();
        let elem = TypeInfo::of::<T>();
        let text = join(members.iter().map(ToString::to_string));
        let gathered = members.clone();
        Self(BindingKind::Group {
            elem,
            ty: TypeInfo::of::<Vec<T>>(),
            expected: format!("`&[{elem}]` or `Vec<{elem}>`"),
            members: members
                .iter()
                .filter_map(|m| m.source_name().cloned())
                .collect(),
            text: text.into(),
            duplicate: None,
            combine: Arc::new(move |args: &Args<'_>| {
                let mut next = 0;
                let mut out: Vec<T> = Vec::with_capacity(gathered.len());
                for m in gathered.iter() {
                    out.push(m.gather(args, &mut next)?);
                }
                Ok(Value::new(out))
            }),
        })
    }

    /// The parameter reads a map `M` (`BTreeMap<String, T>` or `HashMap<String, T>`) of
    /// `entries`, each a node or a literal under its key (`group(a = source("x"), b =
    /// value(2.0))`). A key given twice is a build error.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use hamilton_core::modifiers::{Binding, GroupMember, Modifier};
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let report = Node::builder("report")
    ///     .param::<BTreeMap<String, f64>>("by_region")
    ///     .modifier(Modifier::inject("by_region", Binding::group_map::<BTreeMap<String, f64>>([
    ///         ("uk", GroupMember::source("uk_spend")),
    ///         ("us", GroupMember::value(3.0)),
    ///     ])))
    ///     .build(|a: &Args| Ok(format!("{:?}", a.get::<BTreeMap<String, f64>>(0)?)));
    /// let dr = Driver::builder().with_nodes([report]).build().unwrap();
    /// let out = dr.execute(&["report"], Inputs::new().set("uk_spend", 1.0_f64)).unwrap();
    /// assert_eq!(out.get::<String>("report").unwrap(), r#"{"uk": 1.0, "us": 3.0}"#);
    /// ```
    pub fn group_map<M: GroupMap>(
        entries: impl IntoIterator<Item = (impl Into<String>, GroupMember<M::Item>)>,
    ) -> Self {
        let entries: Arc<[(String, GroupMember<M::Item>)]> =
            entries.into_iter().map(|(k, m)| (k.into(), m)).collect();
        let duplicate = entries
            .iter()
            .enumerate()
            .find(|(i, (k, _))| entries[..*i].iter().any(|(seen, _)| seen == k))
            .map(|(_, (k, _))| k.clone());
        let text = join(entries.iter().map(|(k, m)| format!("{k} = {m}")));
        let ty = TypeInfo::of::<M>();
        let gathered = entries.clone();
        Self(BindingKind::Group {
            elem: TypeInfo::of::<M::Item>(),
            ty,
            expected: format!("`&{ty}` or `{ty}`"),
            members: entries
                .iter()
                .filter_map(|(_, m)| m.source_name().cloned())
                .collect(),
            text: text.into(),
            duplicate,
            combine: Arc::new(move |args: &Args<'_>| {
                let mut next = 0;
                let mut out = Vec::with_capacity(gathered.len());
                for (k, m) in gathered.iter() {
                    out.push((k.clone(), m.gather(args, &mut next)?));
                }
                Ok(Value::new(M::from_entries(out)))
            }),
        })
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
