//! One target of `mutate`, with its own bindings, step name and conditions (Hamilton's
//! `apply_to(target, k = ..).named("..").when(..)`).

use std::fmt;
use std::sync::Arc;

use super::binding::{Binding, Bindings};
use super::config::{Condition, ConfigValue};

/// A function `mutate` adds its step to, with what is particular to that target: bindings of
/// the step's parameters (over those `mutate` gives every target), the step's name
/// (`<target>.<name>` instead of `<target>.with_<function>`) and conditions on the config.
///
/// In `#[node(...)]`: `mutate(apply_to(prices, k = value(2.0)).named("scaled").when(mode =
/// "fast"), other_target, k = value(1.0))`.
///
/// ```
/// use hamilton_core::modifiers::{ApplyTo, Binding};
/// let t = ApplyTo::new("prices").bind("k", Binding::value(2.0_f64)).when("mode", "fast").named("scaled");
/// assert_eq!(t.to_string(), "apply_to(prices, k = value(2.0)).when(mode = \"fast\").named(\"scaled\")");
/// assert_eq!(ApplyTo::new("prices").to_string(), "prices");
/// ```
#[derive(Clone)]
pub struct ApplyTo {
    pub(crate) target: Arc<str>,
    pub(crate) bindings: Bindings,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) name: Option<Arc<str>>,
}

impl ApplyTo {
    /// The function (or node) named `target`.
    pub fn new(target: impl Into<Arc<str>>) -> Self {
        Self {
            target: target.into(),
            bindings: Vec::new(),
            conditions: Vec::new(),
            name: None,
        }
    }

    /// Binds parameter `param` of the step for this target (instead of the binding `mutate`
    /// gives every target, if any).
    pub fn bind(mut self, param: impl Into<Arc<str>>, binding: Binding) -> Self {
        self.bindings.push((param.into(), binding));
        self
    }

    /// Adds the step to this target only when `condition` holds (all conditions must hold).
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Adds the step only when config `key` equals `value`.
    pub fn when(self, key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        self.condition(Condition::eq(key, value))
    }

    /// Adds the step only when config `key` is not `value`.
    pub fn when_not(self, key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        self.condition(Condition::ne(key, value))
    }

    /// Adds the step only when config `key` is one of `values`.
    pub fn when_in<V: Into<ConfigValue>>(
        self,
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.condition(Condition::is_in(key, values))
    }

    /// Adds the step only when config `key` is none of `values`.
    pub fn when_not_in<V: Into<ConfigValue>>(
        self,
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.condition(Condition::not_in(key, values))
    }

    /// Names the step's node `<target>.<name>`.
    pub fn named(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The target's name.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The step's bindings for this target: its own, then those of `shared` for the parameters
    /// it does not bind.
    pub(crate) fn bindings_over(&self, shared: &Bindings) -> Bindings {
        let mut out = self.bindings.clone();
        for (param, binding) in shared {
            if !self.bindings.iter().any(|(p, _)| p == param) {
                out.push((param.clone(), binding.clone()));
            }
        }
        out
    }
}

impl<S: Into<Arc<str>>> From<S> for ApplyTo {
    fn from(target: S) -> Self {
        Self::new(target)
    }
}

impl fmt::Display for ApplyTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bindings.is_empty() && self.conditions.is_empty() && self.name.is_none() {
            return f.write_str(&self.target);
        }
        write!(f, "apply_to({}", self.target)?;
        for (param, binding) in &self.bindings {
            write!(f, ", {param} = {binding}")?;
        }
        f.write_str(")")?;
        for c in &self.conditions {
            write!(f, ".when({c})")?;
        }
        if let Some(name) = &self.name {
            write!(f, ".named({name:?})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApplyTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
