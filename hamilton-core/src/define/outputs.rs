//! The results of a run.

use std::sync::Arc;

use crate::names::NameIndex;

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
    /// The requested names, shared by every run of the same request (made once, with its plan).
    names: Arc<OutputNames>,
    /// Each name's value, while held.
    values: Vec<Option<Value>>,
    /// Positions of optional inputs requested but not given.
    absent: Vec<usize>,
    reports: Vec<CheckReport>,
}

/// The names of a request's outputs in request order, with an index for many of them: made once
/// per compiled request and thread, and shared by the [`Outputs`] of each of its runs there.
/// Aligned so that its reference count shares no cache line with another thread's copy.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct OutputNames {
    names: Vec<Arc<str>>,
    /// Position of each name, for many outputs (a scan is faster for a few): eight bytes a
    /// name, which it does not copy.
    index: Option<NameIndex>,
}

/// From this many outputs on, names are looked up through a map.
const INDEXED_FROM: usize = 16;

impl OutputNames {
    pub(crate) fn new(names: Vec<Arc<str>>) -> Self {
        let index = (names.len() >= INDEXED_FROM).then(|| {
            let mut index = NameIndex::default();
            index.reserve(names.len());
            for (i, name) in names.iter().enumerate() {
                index.insert(name, i);
            }
            index
        });
        Self { names, index }
    }

    /// The position of `name`, if it is one of the names.
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name, |i| &self.names[i]),
            None => self.names.iter().position(|n| &**n == name),
        }
    }
}

impl Outputs {
    /// The outputs `values` of a run (one per name, in the same order) with its data-check
    /// reports.
    pub(crate) fn new(
        names: Arc<OutputNames>,
        values: Vec<Value>,
        reports: Vec<CheckReport>,
    ) -> Self {
        debug_assert_eq!(names.names.len(), values.len());
        Self {
            names,
            values: values.into_iter().map(Some).collect(),
            absent: Vec::new(),
            reports,
        }
    }

    /// These outputs with values that no node computed put among them: `requested` is the
    /// request's order (names may repeat), `passed` the values taken from the inputs (`None`:
    /// an optional input that was not given).
    pub(crate) fn with_passed<S: AsRef<str>>(
        mut self,
        requested: &[S],
        mut passed: Vec<(String, Option<Value>)>,
    ) -> Self {
        let mut names: Vec<Arc<str>> = Vec::with_capacity(requested.len());
        let mut values = Vec::with_capacity(requested.len());
        let mut absent = Vec::new();
        for name in requested.iter().map(AsRef::as_ref) {
            if names.iter().any(|n| &**n == name) {
                continue;
            }
            let value = match passed.iter().position(|(n, _)| n == name) {
                Some(i) => {
                    let value = passed.swap_remove(i).1;
                    if value.is_none() {
                        absent.push(names.len());
                    }
                    value
                }
                None => self
                    .names
                    .position(name)
                    .and_then(|i| self.values[i].take()),
            };
            names.push(Arc::from(name));
            values.push(value);
        }
        Self {
            names: Arc::new(OutputNames::new(names)),
            values,
            absent,
            reports: self.reports,
        }
    }

    /// Borrows output `name` as a `T`, or `None` when it is an optional input that was
    /// requested but not given (which [`get`](Self::get) reports as an error).
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").optional_param::<i64>("a").build(|x: &Args| Ok(x.get_opt::<i64>(0)?.copied().unwrap_or(0)))])
    ///     .build()
    ///     .unwrap();
    /// let out = dr.execute(&["a", "b"], Inputs::new()).unwrap();
    /// assert_eq!(out.get_opt::<i64>("a").unwrap(), None);
    /// assert_eq!(out.get_opt::<i64>("b").unwrap(), Some(&0));
    /// ```
    pub fn get_opt<T: NodeValue>(&self, name: &str) -> Result<Option<&T>, Error> {
        match self.names.position(name) {
            Some(i) if self.values[i].is_none() && self.absent.contains(&i) => Ok(None),
            _ => self.get(name).map(Some),
        }
    }

    /// The report of every data check that ran, requested or not, in execution order (see
    /// [`check`](crate::check)).
    pub fn check_reports(&self) -> &[CheckReport] {
        &self.reports
    }

    fn position(&self, name: &str) -> Result<usize, Error> {
        let found = self
            .names
            .position(name)
            .filter(|&i| self.values[i].is_some());
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
        let value = self.values[i].take().expect("position() found a value");
        value.downcast::<T>().map_err(|value| {
            let err = Error::OutputType {
                name: name.to_string(),
                expected: crate::node::TypeInfo::of::<T>().name().to_string(),
                found: value.type_name().to_string(),
            };
            self.values[i] = Some(value);
            err
        })
    }

    /// Output `name`, untyped.
    pub fn value(&self, name: &str) -> Result<&Value, Error> {
        let i = self.position(name)?;
        Ok(self.values[i].as_ref().expect("position() found a value"))
    }

    /// The names of the outputs still held, in request order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(n, _)| n)
    }

    /// The outputs still held, in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.names
            .names
            .iter()
            .zip(&self.values)
            .filter_map(|(n, v)| v.as_ref().map(|v| (&**n, v)))
    }

    /// The number of outputs still held.
    pub fn len(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
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
        self.names
            .names
            .iter()
            .zip(self.values)
            .filter_map(|(n, v)| v.map(|v| (n.to_string(), v)))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs named `o0..o{n}`, each holding its number.
    fn numbered(n: usize) -> Outputs {
        let names = (0..n).map(|i| Arc::from(format!("o{i}"))).collect();
        let values = (0..n).map(Value::new).collect();
        Outputs::new(Arc::new(OutputNames::new(names)), values, Vec::new())
    }

    #[test]
    fn each_output_is_found_by_its_name_whether_scanned_or_indexed() {
        for n in [1, INDEXED_FROM - 1, INDEXED_FROM, 1000] {
            let outputs = numbered(n);
            assert_eq!(outputs.names.index.is_some(), n >= INDEXED_FROM);
            for i in 0..n {
                assert_eq!(outputs.get::<usize>(&format!("o{i}")).unwrap(), &i);
            }
            assert!(matches!(
                outputs.get::<usize>(&format!("o{n}")),
                Err(Error::NoSuchOutput { .. })
            ));
        }
    }

    #[test]
    fn a_taken_output_is_no_longer_found_by_name() {
        let mut outputs = numbered(INDEXED_FROM);
        assert_eq!(outputs.take::<usize>("o3").unwrap(), 3);
        assert!(matches!(
            outputs.get::<usize>("o3"),
            Err(Error::NoSuchOutput { .. })
        ));
        assert_eq!(outputs.len(), INDEXED_FROM - 1);
    }
}
