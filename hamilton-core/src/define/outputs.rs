//! The results of a run.

use std::collections::HashMap;
use std::sync::Arc;

use crate::check::CheckReport;
use crate::error::Error;
use crate::value::{NodeValue, Value};

/// The values a run produced, in the order they were requested, read by name and type.
///
/// ```
/// use hamilton_core::{Driver, Inputs, Module, node::{Args, Node}};
/// let m = Module::from_nodes("m", [Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? * 2))]);
/// let dr = Driver::builder().with_modules([m]).build().unwrap();
/// let mut out = dr.execute(&["b"], Inputs::new().set("a", 21_i64)).unwrap();
/// assert_eq!(out.get::<i64>("b").unwrap(), &42);
/// assert!(out.get::<f64>("b").is_err()); // wrong type: an error, not a panic
/// assert_eq!(out.take::<i64>("b").unwrap(), 42);
/// ```
#[derive(Debug, Default)]
pub struct Outputs {
    entries: Vec<(Arc<str>, Option<Value>)>,
    /// Position of each name, for many outputs (a scan is faster for a few).
    index: Option<HashMap<Arc<str>, usize>>,
    reports: Vec<CheckReport>,
}

/// From this many outputs on, names are looked up through a map.
const INDEXED_FROM: usize = 16;

impl Outputs {
    pub(crate) fn new(entries: Vec<(Arc<str>, Value)>, reports: Vec<CheckReport>) -> Self {
        let index = (entries.len() >= INDEXED_FROM).then(|| {
            entries
                .iter()
                .enumerate()
                .map(|(i, (n, _))| (n.clone(), i))
                .collect()
        });
        Self {
            entries: entries.into_iter().map(|(n, v)| (n, Some(v))).collect(),
            index,
            reports,
        }
    }

    /// The report of every data check that ran, requested or not, in execution order (see
    /// [`check`](crate::check)).
    pub fn check_reports(&self) -> &[CheckReport] {
        &self.reports
    }

    fn position(&self, name: &str) -> Result<usize, Error> {
        let found = match &self.index {
            Some(index) => index
                .get(name)
                .copied()
                .filter(|&i| self.entries[i].1.is_some()),
            None => self
                .entries
                .iter()
                .position(|(n, v)| &**n == name && v.is_some()),
        };
        found.ok_or_else(|| Error::NoSuchOutput {
            name: name.to_string(),
            available: self.names().collect::<Vec<_>>().join(", "),
        })
    }

    /// Borrows output `name` as a `T`.
    pub fn get<T: NodeValue>(&self, name: &str) -> Result<&T, Error> {
        let value = self.value(name)?;
        value.downcast_ref::<T>().ok_or_else(|| Error::OutputType {
            name: name.to_string(),
            expected: crate::node::TypeInfo::of::<T>().name().to_string(),
            found: value.type_name().to_string(),
        })
    }

    /// Moves output `name` out as a `T`. On a type mismatch the output stays in place.
    pub fn take<T: NodeValue>(&mut self, name: &str) -> Result<T, Error> {
        let i = self.position(name)?;
        let value = self.entries[i].1.take().expect("position() found a value");
        value.downcast::<T>().map_err(|value| {
            let err = Error::OutputType {
                name: name.to_string(),
                expected: crate::node::TypeInfo::of::<T>().name().to_string(),
                found: value.type_name().to_string(),
            };
            self.entries[i].1 = Some(value);
            err
        })
    }

    /// Output `name`, untyped.
    pub fn value(&self, name: &str) -> Result<&Value, Error> {
        let i = self.position(name)?;
        Ok(self.entries[i]
            .1
            .as_ref()
            .expect("position() found a value"))
    }

    /// The names of the outputs still held, in request order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| &**n)
    }

    /// The outputs still held, in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries
            .iter()
            .filter_map(|(n, v)| v.as_ref().map(|v| (&**n, v)))
    }

    /// The number of outputs still held.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|(_, v)| v.is_some()).count()
    }

    /// Whether no output is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl IntoIterator for Outputs {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    /// The outputs, in request order.
    fn into_iter(self) -> Self::IntoIter {
        self.entries
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n.to_string(), v)))
            .collect::<Vec<_>>()
            .into_iter()
    }
}
