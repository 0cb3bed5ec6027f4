//! A request: what to compute (its outputs), from what (inputs), with which nodes replaced
//! (overrides); executed, validated or drawn.

use crate::cancel::Cancel;
use crate::diagram::Format;
use crate::driver::Driver;
use crate::error::Error;
use crate::outputs::Outputs;
use crate::values::{Inputs, Overrides};

impl Driver {
    /// A request for `outputs`, to give inputs and overrides, then execute, validate or draw.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, Overrides, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([
    ///         Node::builder("c").param::<f64>("a").param::<f64>("b")
    ///             .build(|x: &Args| Ok(x.get::<f64>(0)? + x.get::<f64>(1)?)),
    ///         Node::builder("d").param::<f64>("c").build(|x: &Args| Ok(x.get::<f64>(0)? * 10.0)),
    ///     ])
    ///     .build()
    ///     .unwrap();
    /// // An override replaces `c`, so `a` and `b` are not needed.
    /// let request = dr.request(&["d"]).overrides(Overrides::new().set("c", 5.0));
    /// request.validate().unwrap();
    /// assert_eq!(request.execute().unwrap().get::<f64>("d").unwrap(), &50.0);
    /// ```
    pub fn request<S: AsRef<str>>(&self, outputs: &[S]) -> Request<'_> {
        Request::new(self, outputs)
    }
}

/// What to compute, made by [`Driver::request`]: the outputs, then any inputs and overrides.
///
/// ```
/// use hamilton_core::diagram::Format;
/// use hamilton_core::{Driver, Inputs, Overrides, node::{Args, Node}};
/// let dr = Driver::builder()
///     .with_nodes([
///         Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
///         Node::builder("c").param::<i64>("b").build(|x: &Args| Ok(x.get::<i64>(0)? * 10)),
///     ])
///     .build()
///     .unwrap();
/// let request = dr.request(&["c"]).inputs(Inputs::new().set("a", 1_i64));
/// request.validate().unwrap();
/// assert!(request.diagram(Format::Dot).unwrap().contains("\"b\" -> \"c\""));
/// assert_eq!(request.execute().unwrap().get::<i64>("c").unwrap(), &20);
/// // Overridden, `b` is not computed, so `a` is not needed.
/// let out = dr.request(&["c"]).overrides(Overrides::new().set("b", 5_i64)).execute().unwrap();
/// assert_eq!(out.get::<i64>("c").unwrap(), &50);
/// ```
#[must_use]
pub struct Request<'d> {
    driver: &'d Driver,
    outputs: Vec<String>,
    inputs: Inputs,
    overrides: Overrides,
    cancel: Option<Cancel>,
}

impl<'d> Request<'d> {
    pub(crate) fn new<S: AsRef<str>>(driver: &'d Driver, outputs: &[S]) -> Self {
        Self {
            driver,
            outputs: outputs.iter().map(|s| s.as_ref().to_string()).collect(),
            inputs: Inputs::new(),
            overrides: Overrides::new(),
            cancel: None,
        }
    }

    /// The values the dataflow starts from (replacing any given before).
    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }

    /// Values that replace nodes: an overridden node is not run, nor is anything only it
    /// needed (replacing any given before).
    pub fn overrides(mut self, overrides: Overrides) -> Self {
        self.overrides = overrides;
        self
    }

    /// Lets `cancel` stop the run: once it is cancelled, no further node starts and the run
    /// returns [`Error::Cancelled`] (see [`Cancel`]).
    ///
    /// ```
    /// use hamilton_core::{Cancel, Driver, Error, Inputs, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
    ///     .build()
    ///     .unwrap();
    /// let cancel = Cancel::new();
    /// let request = || dr.request(&["b"]).inputs(Inputs::new().set("a", 1_i64)).cancel_with(&cancel);
    /// assert_eq!(request().execute().unwrap().get::<i64>("b").unwrap(), &2);
    /// cancel.cancel();
    /// assert!(matches!(request().execute(), Err(Error::Cancelled { .. })));
    /// ```
    pub fn cancel_with(mut self, cancel: &Cancel) -> Self {
        self.cancel = Some(cancel.clone());
        self
    }

    /// Computes the outputs (and only what they need) on the driver's executor.
    pub fn execute(self) -> Result<Outputs, Error> {
        self.driver.run_sync(
            &self.outputs,
            self.inputs,
            self.overrides,
            self.cancel.as_ref(),
        )
    }

    /// Computes the outputs on the async executor, on whatever executor awaits the future (see
    /// [`Driver::execute_async`]).
    pub async fn execute_async(self) -> Result<Outputs, Error> {
        self.driver
            .run_async(
                &self.outputs,
                self.inputs,
                self.overrides,
                self.cancel.as_ref(),
            )
            .await
    }

    /// Checks the request without running anything: unknown outputs, missing inputs, inputs
    /// and overrides of the wrong type, all reported together.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)?))])
    ///     .build().unwrap();
    /// assert!(dr.request(&["b"]).inputs(Inputs::new().set("a", 1.0)).validate().is_ok());
    /// let err = dr.request(&["b"]).validate().unwrap_err();
    /// assert!(err.to_string().contains("missing input `a`"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.driver
            .validate(&self.outputs, &self.inputs, &self.overrides)
    }

    /// The part of the dataflow the request runs, in `format`: requested outputs highlighted,
    /// overrides hatched, pruned nodes left out. Fails like [`validate`](Self::validate) on a
    /// bad request.
    ///
    /// ```
    /// use hamilton_core::diagram::Format;
    /// use hamilton_core::{Driver, Overrides, node::{Args, Node}};
    /// let id = |x: &Args| Ok(*x.get::<f64>(0)?);
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("b").param::<f64>("a").build(id),
    ///     Node::builder("c").param::<f64>("b").build(id),
    /// ]).build().unwrap();
    /// let dot = dr.request(&["c"]).overrides(Overrides::new().set("b", 1.0)).diagram(Format::Dot).unwrap();
    /// assert!(dot.contains("diagonals"));
    /// assert!(!dot.contains("\"a\""));
    /// ```
    pub fn diagram(&self, format: Format) -> Result<String, Error> {
        self.driver
            .execution_diagram(&self.outputs, &self.inputs, &self.overrides)
            .map(|d| format.render(&d))
    }
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("outputs", &self.outputs)
            .field("inputs", &self.inputs.names().collect::<Vec<_>>())
            .field("overrides", &self.overrides.names().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
