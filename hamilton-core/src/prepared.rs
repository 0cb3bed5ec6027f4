//! A prepared request: outputs and input names planned once, then executed many times with new
//! input values, without looking its plan up by name.

use std::sync::Arc;

use crate::cancel::Cancel;
use crate::driver::Driver;
use crate::error::{Error, RequestError};
use crate::outputs::Outputs;
use crate::plan::key_text::KeyText;
use crate::plan::{Plan, PlanKey};
use crate::values::{Inputs, Overrides};

impl Driver {
    /// Plans the request for `outputs` from inputs named `inputs`, once: the returned
    /// [`PreparedRequest`] holds its plan and runs it for every set of input values given to
    /// it, skipping the hashing and comparing of names that finds the plan of a plain
    /// [`execute`](Self::execute). Every problem of the request (unknown outputs, missing
    /// inputs, ...) is reported here, together, as `execute` would report it.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("doubled").param::<i64>("x").build(|a: &Args| Ok(a.get::<i64>(0)? * 2))])
    ///     .build()
    ///     .unwrap();
    /// let doubled = dr.prepare(&["doubled"], &["x"]).unwrap();
    /// for x in 0..3_i64 {
    ///     let out = doubled.execute(Inputs::new().set("x", x)).unwrap();
    ///     assert_eq!(out.get::<i64>("doubled").unwrap(), &(2 * x));
    /// }
    /// // A request that cannot run is refused when prepared.
    /// assert!(dr.prepare(&["doubled"], &[] as &[&str]).is_err());
    /// ```
    pub fn prepare<S: AsRef<str>, I: AsRef<str>>(
        &self,
        outputs: &[S],
        inputs: &[I],
    ) -> Result<PreparedRequest<'_>, Error> {
        let mut input_names: Vec<String> = inputs.iter().map(|s| s.as_ref().to_string()).collect();
        input_names.sort_unstable();
        input_names.dedup();
        let key = PlanKey {
            outputs: outputs.iter().map(|s| s.as_ref().to_string()).collect(),
            overrides: Vec::new(),
            inputs: input_names,
        };
        let (plan, errors) = Plan::checked(&self.graph, &key);
        if !errors.is_empty() {
            return Err(Error::Request(errors));
        }
        Ok(PreparedRequest {
            driver: self,
            plan: Arc::new(plan),
            input_text: KeyText::of_inputs(&key.inputs),
            inputs: key.inputs,
            cancel: None,
        })
    }
}

/// A request planned once by [`Driver::prepare`], to execute many times.
///
/// It is `Send + Sync`: threads can execute one prepared request at once. Each execute takes
/// exactly the inputs it was prepared for (values of the declared types, or convertible to
/// them); others are refused with [`RequestError::InputsNotPrepared`].
///
/// ```
/// use hamilton_core::{Driver, Error, Inputs, RequestError, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("sum").param::<f64>("a").param::<f64>("b")
///         .build(|x: &Args| Ok(x.get::<f64>(0)? + x.get::<f64>(1)?))])
///     .build()
///     .unwrap();
/// let sum = dr.prepare(&["sum"], &["a", "b"]).unwrap();
/// let out = sum.execute(Inputs::new().set("a", 1.0).set("b", 2.0)).unwrap();
/// assert_eq!(out.get::<f64>("sum").unwrap(), &3.0);
/// // Same outputs as a plain execute.
/// let plain = dr.execute(&["sum"], Inputs::new().set("a", 1.0).set("b", 2.0)).unwrap();
/// assert_eq!(plain.get::<f64>("sum").unwrap(), &3.0);
/// // `b` missing, `c` not prepared for: a typed error naming both.
/// let err = sum.execute(Inputs::new().set("a", 1.0).set("c", 2.0)).unwrap_err();
/// assert!(matches!(
///     err.request_errors(),
///     [RequestError::InputsNotPrepared { unexpected, missing, .. }] if unexpected == &["c"] && missing == &["b"]
/// ));
/// ```
pub struct PreparedRequest<'d> {
    driver: &'d Driver,
    plan: Arc<Plan>,
    /// The input names, sorted (as [`Inputs::names`] lists them).
    inputs: Vec<String>,
    /// The same names in cache lines of their own, compared with each run's (see [`KeyText`]).
    input_text: KeyText,
    /// What stops its runs from outside, if anything.
    cancel: Option<Cancel>,
}

impl PreparedRequest<'_> {
    /// Lets `cancel` stop every run of this request: once it is cancelled, no further node
    /// starts and each run returns [`Error::Cancelled`] (see [`Cancel`]).
    ///
    /// ```
    /// use hamilton_core::{Cancel, Driver, Error, Inputs, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("len").param::<String>("s").build(|a: &Args| Ok(a.get::<String>(0)?.len()))])
    ///     .build()
    ///     .unwrap();
    /// let cancel = Cancel::new();
    /// let len = dr.prepare(&["len"], &["s"]).unwrap().cancel_with(&cancel);
    /// assert!(len.execute(Inputs::new().set("s", "abc")).is_ok());
    /// cancel.cancel();
    /// assert!(matches!(len.execute(Inputs::new().set("s", "abc")), Err(Error::Cancelled { .. })));
    /// ```
    pub fn cancel_with(mut self, cancel: &Cancel) -> Self {
        self.cancel = Some(cancel.clone());
        self
    }

    /// Computes the outputs from `inputs` (exactly the inputs the request was prepared for) on
    /// the driver's executor.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("len").param::<String>("s").build(|a: &Args| Ok(a.get::<String>(0)?.len()))])
    ///     .build()
    ///     .unwrap();
    /// let len = dr.prepare(&["len"], &["s"]).unwrap();
    /// assert_eq!(len.execute(Inputs::new().set("s", "abc")).unwrap().get::<usize>("len").unwrap(), &3);
    /// ```
    pub fn execute(&self, inputs: Inputs) -> Result<Outputs, Error> {
        self.check_inputs(&inputs)?;
        if self.driver.preparation.is_some() {
            // A result cache may replace nodes by stored values, which changes the plan.
            return self.driver.run_sync(
                &self.outputs(),
                inputs,
                Overrides::new(),
                self.cancel.as_ref(),
            );
        }
        let run_id = self.driver.next_run_id();
        self.driver.run_plan_sync(
            &self.plan,
            inputs,
            Overrides::new(),
            run_id,
            self.cancel.as_ref(),
        )
    }

    /// Computes the outputs from `inputs` on the async executor, on whatever executor awaits
    /// the future (see [`Driver::execute_async`]).
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{AsyncArgs, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("fetched").param::<i64>("id")
    ///         .build_async(|a: AsyncArgs| async move { Ok(*a.get::<i64>(0)? * 10) })])
    ///     .build()
    ///     .unwrap();
    /// let fetched = dr.prepare(&["fetched"], &["id"]).unwrap();
    /// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let out = runtime.block_on(fetched.execute_async(Inputs::new().set("id", 4_i64))).unwrap();
    /// assert_eq!(out.get::<i64>("fetched").unwrap(), &40);
    /// ```
    pub async fn execute_async(&self, inputs: Inputs) -> Result<Outputs, Error> {
        self.check_inputs(&inputs)?;
        if self.driver.preparation.is_some() {
            return self
                .driver
                .run_async(
                    &self.outputs(),
                    inputs,
                    Overrides::new(),
                    self.cancel.as_ref(),
                )
                .await;
        }
        let run_id = self.driver.next_run_id();
        self.driver
            .run_plan_async(
                &self.plan,
                inputs,
                Overrides::new(),
                run_id,
                self.cancel.as_ref(),
            )
            .await
    }

    /// The outputs, deduplicated, in request order (the plan keeps them; a request keeps no
    /// copy of its own).
    fn outputs(&self) -> Vec<&str> {
        self.plan
            .output_vertices()
            .map(|v| self.driver.graph.vertices[v].name())
            .collect()
    }

    /// The names of the inputs the request was prepared for, sorted.
    ///
    /// ```
    /// use hamilton_core::{Driver, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("c").param::<f64>("b").param::<f64>("a")
    ///         .build(|x: &Args| Ok(x.get::<f64>(0)? - x.get::<f64>(1)?))])
    ///     .build()
    ///     .unwrap();
    /// assert!(dr.prepare(&["c"], &["b", "a"]).unwrap().inputs().eq(["a", "b"]));
    /// ```
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.inputs.iter().map(String::as_str)
    }

    /// `inputs` names exactly the prepared inputs (a merge of two sorted lists, no hashing),
    /// or the error that says which differ.
    fn check_inputs(&self, inputs: &Inputs) -> Result<(), Error> {
        if self
            .input_text
            .is_request::<&str>(&[], std::iter::empty(), inputs.names())
        {
            return Ok(());
        }
        let given: Vec<&str> = inputs.names().collect();
        let prepared = |name: &str| self.inputs.binary_search_by(|p| p.as_str().cmp(name));
        Err(Error::Request(vec![RequestError::InputsNotPrepared {
            prepared: self.inputs.clone(),
            unexpected: given
                .iter()
                .filter(|n| prepared(n).is_err())
                .map(|n| n.to_string())
                .collect(),
            missing: self
                .inputs
                .iter()
                .filter(|p| given.binary_search(&p.as_str()).is_err())
                .cloned()
                .collect(),
        }]))
    }
}

impl std::fmt::Debug for PreparedRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("outputs", &self.outputs())
            .field("inputs", &self.inputs)
            .finish_non_exhaustive()
    }
}
