//! Function modifiers: the options of `#[node(...)]` that turn one function into the nodes of
//! the dataflow — config variants, parameterized copies, pipelines, several outputs, data
//! checks, tags. Hamilton's decorators, written in the attribute.
//!
//! Every option has a runtime form, [`Modifier`], so nodes built by hand can use them too
//! ([`NodeBuilder::modifier`](crate::NodeBuilder::modifier)). The macro checks what it can see
//! at compile time (spanned errors); the rest is checked when the graph is built and reported
//! with every other [`BuildError`](crate::BuildError), naming the node, the option and the fix.
//!
//! # Composition order
//!
//! Modifiers are applied when the driver is built (`DriverBuilder::build`), to each function
//! with the config, in **one fixed order, whatever the order they are written in**:
//!
//! | # | phase | options | what it does |
//! |---|---|---|---|
//! | 1 | config selection | `when`, `when_not`, `when_in`, `when_not_in`, `when_fn`, `default`, `exclude` | keeps the function or drops it; one variant per node name |
//! | 2 | resolve | `resolve(f)` | `f(&config)` returns more modifiers, which join their own phase below |
//! | 3 | generation | `does(f)`, `subdag(..)`, `parameterized_subdag(..)` | the function computes with another function's code; modules become namespaced sub-dataflows feeding it (one output per sub-dataflow) |
//! | 4 | expansion | `parameterize(..)`, `inject(..)` | one node per output, parameters bound to nodes, literals or groups |
//! | 5 | input pipelines | `pipe_input(..)` | steps run on a parameter before each output |
//! | 6 | several outputs | `extract_fields`, `unpack`, `extract_columns` | a node per field, tuple element or column of each output |
//! | 7 | output pipelines | `pipe_output(..)`, then `mutate` steps of other functions | steps run on each output's value |
//! | 8 | checks | `check(..)` | validators on each output's final value |
//! | 9 | tags | `tag_outputs(..)` | tags on named outputs (`tag(..)` is on the function itself) |
//!
//! So, for example, a parameterized function with `pipe_output` and `check` gives each output
//! its own steps and checks; `extract_fields` reads the output *after* its `pipe_output` steps
//! and checks (its field nodes depend on the final `x`); `check` after `pipe_output` validates
//! the piped value.
//!
//! # Generated names
//!
//! Every node a modifier adds has a `.` in its name, which no Rust function name can have, so
//! generated names never collide with the functions you write:
//!
//! | node | name |
//! |---|---|
//! | `when` variant `fn spend__uk` | `spend` (up to the last `__`), or `name = ".."` |
//! | `parameterize` output | the output's name |
//! | a `value(..)` / `group(..)` binding of parameter `p` of output `o` | `o.p` |
//! | `pipe_input` / `pipe_output` step `f` (leading `_` dropped), repeated: `_1`, `_2` | `x.with_f`, or `x.<name>` with `.named(..)` |
//! | the function's own computation under `pipe_output` / `check` | `x.raw` |
//! | the check report | `x.checks` |
//! | field / element / column `c` | `c`, or `o.c` when `parameterize` made several outputs |
//! | node `n` of a sub-dataflow; its bound input or own config key `p` | `ns.n`; `ns.p` |
//!
//! A name you choose (`name = "a.b"`, an output, a field) that collides with another node is a
//! [`BuildError::DuplicateNode`](crate::BuildError::DuplicateNode) like any other.
//!
//! # Errors
//!
//! - At compile time, spanned on the tokens: malformed options, a bound parameter that does
//!   not exist, a parameter bound twice, `group` into a parameter that is not `&[T]`/`Vec<T>`,
//!   a `value(..)` literal of the wrong type, `default` with conditions, a variant name ending
//!   in `__`, `unpack` of a non-tuple, fields that do not exist or have another type,
//!   `extract_fields` on a type without `Fields`, validators of the wrong type, `importance`
//!   other than `"warn"`/`"fail"`, a `does` body that is not empty or a `does` target whose
//!   signature does not fit, a `mutate` target that is not a function in scope, a
//!   `tag_outputs` output that does not exist.
//! - At build time, collected with the other build errors
//!   ([`BuildError::Modifier`](crate::BuildError::Modifier),
//!   [`BuildError::ConflictingVariants`](crate::BuildError::ConflictingVariants),
//!   [`BuildError::MissingConfig`](crate::BuildError::MissingConfig)): two matching variants
//!   (both functions and their `file:line`), a needed node whose variants' config keys are not
//!   set, no column extractor registered for a frame type, a step parameter that does not exist,
//!   a `mutate` target outside the module, a failing `resolve`, checks of another type than the
//!   node after its steps, a sub-dataflow input nothing reads or of the wrong type; and for
//!   hand-built nodes everything the macro would have caught.
//!
//! # `when`, `when_not`, `when_in`, `when_not_in`, `when_fn`, `default`
//!
//! A function is kept when every condition holds for the config. Variants of one node share a
//! name: by Hamilton's convention the function name up to its last `__` (`vat__uk` → `vat`), or
//! `name = ".."`. `default` marks the variant used when no other variant matches — Hamilton has
//! none (§11). Two matching variants are a build error naming both. A node that other nodes need
//! but that has no variant because its keys are missing from the config is a build error too
//! (instead of silently becoming an input); an unneeded one is left out.
//!
//! A key that is not set fails `when`/`when_in` and passes `when_not`/`when_not_in`. Integers
//! match config values of any integer type; strings match `String`s.
//!
//! ```
//! use hamilton_core::{Config, Driver, Inputs, node, nodes};
//!
//! #[node(when(region = "UK"))]
//! fn vat__uk() -> f64 { 0.2 }
//!
//! #[node(when_in(region = ["US", "CA"]))]
//! fn vat__na() -> f64 { 0.05 }
//!
//! #[node(default)]
//! fn vat__other() -> f64 { 0.5 }
//!
//! #[node]
//! fn price(net: &f64, vat: &f64) -> f64 { net * (1.0 + vat) }
//!
//! let price_in = |region: &'static str| {
//!     let dr = Driver::builder()
//!         .with_modules([nodes![vat__uk, vat__na, vat__other, price]])
//!         .with_config(Config::new().set("region", region))
//!         .build()
//!         .unwrap();
//!     *dr.execute(&["price"], Inputs::new().set("net", 100.0)).unwrap().get::<f64>("price").unwrap()
//! };
//! assert_eq!(price_in("UK"), 120.0);
//! assert_eq!(price_in("CA"), 105.0);
//! assert_eq!(price_in("FR"), 150.0);
//! ```
//!
//! `when_fn(path)` takes a `fn(&Config) -> bool`; `exclude` drops the function from its module
//! (for step functions and helpers that should stay `#[node]`s).
//!
//! # `resolve`
//!
//! `resolve(path)` calls `fn(&Config) -> Result<Vec<Modifier>, String>` when the graph is built;
//! the modifiers it returns join their phase (returning `Modifier::exclude()` drops the node;
//! `when`/`default`/`mutate` cannot be returned, as selection is already done). An `Err` is a
//! build error.
//!
//! ```
//! use hamilton_core::modifiers::{Binding, Modifier, Parameterization};
//! use hamilton_core::{Config, Driver, Inputs, node, nodes};
//!
//! fn windows(config: &Config) -> Result<Vec<Modifier>, String> {
//!     let n = *config.get::<usize>("window").ok_or("set `window`")?;
//!     Ok(vec![Modifier::parameterize([
//!         Parameterization::new(format!("avg_{n}")).bind("window", Binding::value(n)),
//!     ])])
//! }
//!
//! #[node(resolve(windows))]
//! fn rolling(xs: &[f64], window: usize) -> f64 {
//!     xs[xs.len() - window..].iter().sum::<f64>() / window as f64
//! }
//!
//! let dr = Driver::builder()
//!     .with_modules([nodes![rolling]])
//!     .with_config(Config::new().set("window", 2_usize))
//!     .build()
//!     .unwrap();
//! let out = dr.execute(&["avg_2"], Inputs::new().set("xs", vec![1.0, 2.0, 4.0])).unwrap();
//! assert_eq!(out.get::<f64>("avg_2").unwrap(), &3.0);
//! ```
//!
//! # `does`
//!
//! `does(f)` gives the function the body `f(a, b, ..)` (its parameters, in order);
//! `does(f, slice)` gives `f(&[a, b, ..])`. Write the body empty, `{}`: the function stays
//! callable, and a target whose signature does not fit is a compile error. For hand-built nodes,
//! [`Modifier::does`] checks the signature at build.
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node, nodes};
//!
//! fn sum_all(xs: &[&f64]) -> f64 { xs.iter().copied().sum() }
//!
//! #[node(does(sum_all, slice))]
//! fn total_spend(tv: &f64, radio: &f64, search: &f64) -> f64 {}
//!
//! assert_eq!(total_spend(&1.0, &2.0, &3.0), 6.0);
//! let dr = Driver::builder().with_modules([nodes![total_spend]]).build().unwrap();
//! let inputs = Inputs::new().set("tv", 1.0).set("radio", 2.0).set("search", 3.0);
//! assert_eq!(dr.execute(&["total_spend"], inputs).unwrap().get::<f64>("total_spend").unwrap(), &6.0);
//! ```
//!
//! # `subdag`, `parameterized_subdag`
//!
//! `subdag(modules = [m::MODULE, nodes![..]], inputs(p = source("x"), q = value(2.0)),
//! config(k = "v"), namespace = "ns")` re-uses the nodes of modules as a sub-dataflow named
//! `ns.<node>` (the namespace defaults to the node's name), resolved with the driver's config
//! updated by its own (its `when` variants, `parameterize`, ... apply inside). Inside, an input
//! listed in `inputs` reads the outer node it is bound to (`source`) or a literal (`value`,
//! node `ns.<p>`; write typed literals such as `2_i64`: the type is checked against the reading
//! parameter when the graph is built); a key of its own config reads that value (node
//! `ns.<key>`); any other input reads the outer node or input of that name. The function's
//! parameters that name nodes of the sub-dataflow read `ns.<param>`; the others are ordinary
//! dependencies. `parameterized_subdag(modules = [..], inputs(..), config(..), a(inputs(..),
//! config(..)), b(..))` makes one output per name, each with its own sub-dataflow (namespace =
//! output name) and its own inputs and config over the shared ones. See [`Subdag`].
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node, nodes};
//!
//! mod features {
//!     use hamilton_core::node;
//!     hamilton_core::module!();
//!
//!     #[node(when(region = "UK"))]
//!     pub fn vat__uk() -> f64 { 0.25 }
//!
//!     #[node(default)]
//!     pub fn vat__other() -> f64 { 0.5 }
//!
//!     #[node]
//!     pub fn with_vat(net: &f64, vat: &f64) -> f64 { net * (1.0 + vat) }
//! }
//!
//! #[node(parameterized_subdag(
//!     modules = [features::MODULE],
//!     uk(inputs(net = source("uk_net")), config(region = "UK")),
//!     us(inputs(net = source("us_net")), config(region = "US")),
//! ))]
//! fn gross(with_vat: &f64) -> f64 { *with_vat }
//!
//! let dr = Driver::builder().with_modules([nodes![gross]]).build().unwrap();
//! let out = dr
//!     .execute(&["uk", "us", "uk.vat"], Inputs::new().set("uk_net", 100.0).set("us_net", 100.0))
//!     .unwrap();
//! assert_eq!(out.get::<f64>("uk").unwrap(), &125.0);
//! assert_eq!(out.get::<f64>("us").unwrap(), &150.0);
//! assert_eq!(out.get::<f64>("uk.vat").unwrap(), &0.25);
//! ```
//!
//! # `parameterize`, `inject`
//!
//! `parameterize(out(p = source("x"), k = value(2), xs = group(a, b)), ..)` makes one node per
//! output instead of the function's own: `source` makes `p` read node `x`; `value` binds a
//! literal, typed by the parameter (a wrong literal is a compile error on it; `&str` takes a
//! string literal, `&[T]` an array); `group` gathers nodes into the `Vec<T>` a `&[T]`/`Vec<T>`
//! parameter reads. Unbound parameters stay dependencies. The function's doc is a template:
//! `{p}` becomes what `p` is bound to, `{output_name}` the output's name; `doc = ".."` gives
//! an output its own. `inject(p = ..)` binds in the node itself (keeping its name), and in every
//! output when combined with `parameterize`.
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node, nodes};
//!
//! /// {output_name}: {spend} times {factor}.
//! #[node(parameterize(
//!     spend_uk(spend = source("uk"), factor = value(1.5)),
//!     spend_us(spend = source("us"), factor = value(2.0)),
//! ))]
//! fn scaled(spend: &f64, factor: f64) -> f64 { spend * factor }
//!
//! #[node(inject(parts = group(spend_uk, spend_us)))]
//! fn total(parts: &[f64]) -> f64 { parts.iter().sum() }
//!
//! let dr = Driver::builder().with_modules([nodes![scaled, total]]).build().unwrap();
//! assert_eq!(dr.node("spend_uk").unwrap().doc(), "spend_uk: uk times 1.5.");
//! let out = dr.execute(&["total"], Inputs::new().set("uk", 2.0).set("us", 1.0)).unwrap();
//! assert_eq!(out.get::<f64>("total").unwrap(), &5.0);
//! ```
//!
//! # `pipe_input`, `pipe_output`, `mutate` and steps
//!
//! A step, `step(f, k = value(..), b = source("x"))`, is a `#[node]` function whose **first**
//! parameter receives the piped value; its other parameters are bound or stay dependencies.
//! Mark step functions `#[node(exclude)]` so they are not nodes of their module themselves.
//! `.when(k = v)` (and `.when_not`, `.when_in`, `.when_not_in`) makes a step conditional,
//! `.named("n")` names it `x.n`. A bare `f` is `step(f)`.
//!
//! - `pipe_input(steps.., on_input = p)` runs the steps on parameter `p` (default: the first)
//!   before the function: `x.with_f` reads what `p` read, and `p` reads the last step.
//! - `pipe_output(steps..)` runs them on the value: the function becomes `x.raw`, the steps
//!   `x.with_f`, and the last step is the node `x` (of the last step's type, with the
//!   function's doc, tags and location; no identity copy is made). With `check`, the last step
//!   keeps its `x.with_f` name and `x` is the checked value.
//! - `mutate(target_fn, .., k = value(..))` on a step function appends it to the `pipe_output`
//!   of functions of the same module (in source order, after their own steps); the step
//!   function itself is not a node. A target not in the module is a build error.
//!
//! ```
//! use hamilton_core::{Config, Driver, Inputs, node, nodes};
//!
//! #[node(exclude)]
//! fn add(x: &f64, k: &f64) -> f64 { x + k }
//!
//! #[node(pipe_input(step(add, k = value(1.0))), pipe_output(step(add, k = value(10.0)).when(boost = true)))]
//! fn doubled(x: &f64) -> f64 { x * 2.0 }
//!
//! #[node(mutate(doubled))]
//! fn halved(x: &f64) -> f64 { x / 2.0 }
//!
//! let dr = Driver::builder()
//!     .with_modules([nodes![add, doubled, halved]])
//!     .with_config(Config::new().set("boost", true))
//!     .build()
//!     .unwrap();
//! // The input step is `doubled.with_add`, the output step `doubled.with_add_1`.
//! assert!(dr.node("doubled.with_add").is_some() && dr.node("doubled.with_add_1").is_some());
//! let out = dr.execute(&["doubled"], Inputs::new().set("x", 1.0)).unwrap();
//! assert_eq!(out.get::<f64>("doubled").unwrap(), &7.0); // ((1 + 1) * 2 + 10) / 2
//! ```
//!
//! # `extract_fields`, `unpack`, `extract_columns`
//!
//! Each makes a node per part of the function's value, reading it; the function's node stays,
//! and its tags are copied to the parts.
//!
//! - `extract_fields(a, b: T)` lists struct fields (each `Clone`; a type, when given, is
//!   checked); `extract_fields` alone takes every field of a `#[derive(hamilton_core::Fields)]`
//!   struct.
//! - `unpack(a, _, c)` names the elements of a tuple (`_` skips one).
//! - `extract_columns(year, "week")` reads columns through the [`ColumnExtractor`] registered
//!   for the function's type ([`register_column_extractor!`](crate::register_column_extractor));
//!   hamilton-polars registers `DataFrame → Series` and `LazyFrame → Expr`. No extractor for the
//!   type is a build error naming the node and type.
//!
//! ```
//! use hamilton_core::{Driver, Fields, Inputs, node, nodes};
//!
//! #[derive(Clone, Fields)]
//! pub struct Split { train: Vec<f64>, test: Vec<f64> }
//!
//! #[node(extract_fields)]
//! fn split(xs: &[f64]) -> Split {
//!     let (a, b) = xs.split_at(xs.len() / 2);
//!     Split { train: a.to_vec(), test: b.to_vec() }
//! }
//!
//! #[node(unpack(low, high))]
//! fn bounds(test: &[f64]) -> (f64, f64) {
//!     (test.iter().copied().fold(f64::MAX, f64::min), test.iter().copied().fold(f64::MIN, f64::max))
//! }
//!
//! let dr = Driver::builder().with_modules([nodes![split, bounds]]).build().unwrap();
//! let out = dr.execute(&["train", "high"], Inputs::new().set("xs", vec![1.0, 2.0, 5.0, 3.0])).unwrap();
//! assert_eq!(out.get::<Vec<f64>>("train").unwrap(), &[1.0, 2.0]);
//! assert_eq!(out.get::<f64>("high").unwrap(), &5.0);
//! ```
//!
//! # `check`
//!
//! `check(validator, .., custom = path, importance = "fail")` runs validators on the value,
//! through [`checked`]: `x` becomes `x.raw`, `x.checks` and `x`.
//! A validator is any expression of type `Arc<dyn Validator<T>>` (`T` the value's type; e.g.
//! hamilton-polars' `checks::range(0.0, 1e6)`); `custom = f` takes a
//! `fn(&T) -> Result<(), String>`. `"warn"` (the default) records and logs failures, `"fail"`
//! stops the run with [`Error::DataCheck`](crate::Error::DataCheck). Give every validator of a
//! node one importance.
//!
//! ```
//! use hamilton_core::{Driver, Error, Inputs, node, nodes};
//!
//! fn probability(p: &f64) -> Result<(), String> {
//!     if (0.0..=1.0).contains(p) { Ok(()) } else { Err(format!("{p} is not a probability")) }
//! }
//!
//! #[node(check(custom = probability, importance = "fail"))]
//! fn rate(hits: &f64, tries: &f64) -> f64 { hits / tries }
//!
//! let dr = Driver::builder().with_modules([nodes![rate]]).build().unwrap();
//! let err = dr.execute(&["rate"], Inputs::new().set("hits", 3.0).set("tries", 2.0)).unwrap_err();
//! assert!(matches!(err, Error::DataCheck { .. }));
//! assert!(err.to_string().contains("1.5 is not a probability"));
//! ```
//!
//! # `tag`, `tag_outputs`
//!
//! `tag(k = "v")` tags the function: every node holding its value or a part of it (outputs,
//! `x.raw`, fields, columns), not the helper nodes. `tag_outputs(out(k = "v"))` tags one
//! output (a `parameterize` output, a field, an element, a column).
//!
//! ```
//! use hamilton_core::{Driver, node, nodes};
//!
//! #[node(tag(team = "ml"), unpack(train, test), tag_outputs(test(holdout = "yes")))]
//! fn split() -> (Vec<f64>, Vec<f64>) { (vec![1.0], vec![2.0]) }
//!
//! let dr = Driver::builder().with_modules([nodes![split]]).build().unwrap();
//! let holdout: Vec<&str> = dr.nodes_tagged("holdout", None).iter().map(|n| n.name()).collect();
//! assert_eq!(holdout, ["test"]);
//! assert_eq!(dr.nodes_tagged("team", Some("ml")).len(), 3);
//! ```
//!
//! # Hamilton's decorators
//!
//! | Hamilton | hamilton-rs |
//! |---|---|
//! | `@tag` | `tag(k = "v")` |
//! | `@tag_outputs` | `tag_outputs(out(k = "v"))` |
//! | `@schema.output` | not needed for typing (the Rust type is the schema); a frame schema check belongs to hamilton-polars validators (`check(..)`) |
//! | `@cache` | left to the caching work (behaviour per node), not a modifier here |
//! | `@config.when` / `when_not` / `when_in` / `when_not_in` | `when(..)`, `when_not(..)`, `when_in(..)`, `when_not_in(..)`; plus `default` |
//! | `@config` (custom resolver) | `when_fn(path)` |
//! | `@hamilton_exclude` | `exclude` (only `#[node]` functions are nodes anyway) |
//! | `@parameterize` | `parameterize(out(p = source/value/group, ..), ..)` |
//! | `@parameterize_values` | `parameterize(a(p = value(1)), b(p = value(2)))` |
//! | `@parameterize_sources` | `parameterize(a(p = source("x")), b(p = source("y")))` |
//! | `@inject` | `inject(p = ..)` |
//! | `@parameterize_extract_columns` | `parameterize(..)` + `extract_columns(..)` (columns named `<output>.<column>`) |
//! | `@extract_columns` | `extract_columns(..)` with a registered [`ColumnExtractor`] |
//! | `@extract_fields` | `extract_fields(a, b: T)` or `extract_fields` + `#[derive(Fields)]` |
//! | `@unpack_fields` | `unpack(a, b)` |
//! | `@check_output` | `check(validator_expr, importance = "..")` (built-in validators: hamilton-polars `checks`) |
//! | `@check_output_custom` | `check(custom = path)` or any `Arc<dyn Validator<T>>` |
//! | `@does` | `does(f)` / `does(f, slice)` |
//! | `@subdag` | `subdag(modules = [..], inputs(..), config(..), namespace = "..")` (Hamilton's `external_inputs` is automatic: what the sub-dataflow does not produce or bind is read outside; `configuration("k")` is automatic: the driver's config applies inside) |
//! | `@parameterized_subdag` | `parameterized_subdag(modules = [..], .., a(inputs(..), config(..)), b(..))` |
//! | `@pipe_input` (`@pipe`) | `pipe_input(step(..), .., on_input = p)` |
//! | `step` | `step(f, k = value(..)).when(..).named("..")` |
//! | `@pipe_output` | `pipe_output(step(..), ..)` |
//! | `@mutate` | `mutate(target, .., k = value(..))` |
//! | `@resolve` / `@resolve_from_config` | `resolve(path)` (no power-user flag needed) |
//! | `@load_from` / `@save_to` / `@dataloader` / `@datasaver` | hamilton-polars IO (loader and saver nodes) |
//! | `with_columns` | hamilton-polars |
//! | `@ray_remote_options` | not applicable: no Ray; parallelism is `DriverBuilder::with_parallelism` |
//! | `accept_error_sentinels` | not applicable: a failing node ends the run with a typed error; there is no sentinel-passing adapter |

mod binding;
mod config;
mod fields;
pub(crate) mod resolve;

use std::fmt;
use std::sync::Arc;

pub use binding::{Binding, IntoLiteral, Parameterization, Step};
pub use config::{Condition, ConfigValue};
pub use fields::{ColumnExtractor, Field, Fields, RegisteredColumnExtractor};

use crate::check::{Importance, Validator, checked};
use crate::module::Module;
use crate::node::Node;
use crate::types::TypeInfo;
use crate::value::NodeValue;
use crate::values::Config;

type Resolver = Arc<dyn Fn(&Config) -> Result<Vec<Modifier>, String> + Send + Sync>;
type ApplyCheck = Arc<dyn Fn(Node) -> Vec<Node> + Send + Sync>;

/// The data checks of one node, with their value type erased.
#[derive(Clone)]
pub(crate) struct CheckSpec {
    pub(crate) ty: TypeInfo,
    pub(crate) apply: ApplyCheck,
    pub(crate) text: String,
}

#[derive(Clone)]
pub(crate) enum Kind {
    When(Condition),
    Default,
    Exclude,
    Resolve {
        name: Arc<str>,
        f: Resolver,
    },
    Does(Box<Node>),
    Subdag(Box<Subdag>),
    Parameterize(Vec<Parameterization>),
    Inject(Arc<str>, Binding),
    PipeInput {
        on: Option<Arc<str>>,
        steps: Vec<Step>,
    },
    ExtractFields(Vec<Field>),
    ExtractColumns {
        columns: Vec<Arc<str>>,
        extractor: Option<ColumnExtractor>,
    },
    PipeOutput(Vec<Step>),
    Mutate {
        targets: Vec<Arc<str>>,
        bindings: Vec<(Arc<str>, Binding)>,
    },
    Check(CheckSpec),
    TagOutput {
        output: Arc<str>,
        key: String,
        value: String,
    },
}

/// One function modifier: the runtime form of an option of `#[node(...)]`, also usable on
/// nodes built by hand ([`NodeBuilder::modifier`](crate::NodeBuilder::modifier),
/// [`Node::with_modifier`]). Modifiers are applied when the graph is built, in the fixed order
/// described in the [module docs](self).
///
/// ```
/// use hamilton_core::{Args, Driver, Inputs, Node};
/// use hamilton_core::modifiers::{Binding, Modifier, Parameterization};
/// let scaled = Node::builder("scaled")
///     .param::<f64>("x")
///     .param::<f64>("k")
///     .modifier(Modifier::parameterize([
///         Parameterization::new("double").bind("k", Binding::value(2.0_f64)),
///         Parameterization::new("triple").bind("k", Binding::value(3.0_f64)),
///     ]))
///     .build(|a: &Args| Ok(a.get::<f64>(0)? * a.get::<f64>(1)?));
/// let dr = Driver::builder().with_nodes([scaled]).build().unwrap();
/// let out = dr.execute(&["double", "triple"], Inputs::new().set("x", 5.0_f64)).unwrap();
/// assert_eq!((out.get::<f64>("double").unwrap(), out.get::<f64>("triple").unwrap()), (&10.0, &15.0));
/// ```
#[derive(Clone)]
pub struct Modifier {
    pub(crate) kind: Kind,
}

impl Modifier {
    fn of(kind: Kind) -> Self {
        Self { kind }
    }

    /// Keeps the node only when `condition` holds (`when(...)` and its siblings).
    pub fn condition(condition: Condition) -> Self {
        Self::of(Kind::When(condition))
    }

    /// Keeps the node only when config `key` equals `value` (`when(key = value)`).
    pub fn when(key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        Self::condition(Condition::eq(key, value))
    }

    /// Keeps the node only when config `key` is not `value` (`when_not(key = value)`).
    pub fn when_not(key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        Self::condition(Condition::ne(key, value))
    }

    /// Keeps the node only when config `key` is one of `values` (`when_in(key = [..])`).
    pub fn when_in<V: Into<ConfigValue>>(
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::condition(Condition::is_in(key, values))
    }

    /// Keeps the node only when config `key` is none of `values` (`when_not_in(key = [..])`).
    pub fn when_not_in<V: Into<ConfigValue>>(
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::condition(Condition::not_in(key, values))
    }

    /// Makes the node the variant of its name used when no other variant matches the config
    /// (`default`).
    pub fn default_variant() -> Self {
        Self::of(Kind::Default)
    }

    /// Drops the node from its module (`exclude`): for step functions and helpers that are
    /// described as nodes but are not part of the dataflow.
    pub fn exclude() -> Self {
        Self::of(Kind::Exclude)
    }

    /// Computes more modifiers from the config when the graph is built (`resolve(path)`).
    /// They join their own phase; `Modifier::exclude()` drops the node. `name` stands for the
    /// resolver in messages. Returning an error is a build error.
    ///
    /// ```
    /// use hamilton_core::Config;
    /// use hamilton_core::modifiers::{Binding, Modifier};
    /// let m = Modifier::resolve("window_from_config", |config: &Config| {
    ///     let window = *config.get::<i64>("window").ok_or("set `window` in the config")?;
    ///     Ok(vec![Modifier::inject("window", Binding::value(window))])
    /// });
    /// # let _ = m;
    /// ```
    pub fn resolve(
        name: impl Into<Arc<str>>,
        f: impl Fn(&Config) -> Result<Vec<Modifier>, String> + Send + Sync + 'static,
    ) -> Self {
        Self::of(Kind::Resolve {
            name: name.into(),
            f: Arc::new(f),
        })
    }

    /// Computes the node with `implementation`'s code (`does`): the node keeps its name and
    /// parameter names; `implementation` must take parameters of the same types, in the same
    /// order, and produce the same type.
    pub fn does(implementation: Node) -> Self {
        Self::of(Kind::Does(Box::new(implementation)))
    }

    /// Re-uses the nodes of `subdag`'s modules as a namespaced sub-dataflow feeding the node
    /// (`subdag(..)`; several make `parameterized_subdag(..)`).
    pub fn subdag(subdag: Subdag) -> Self {
        Self::of(Kind::Subdag(Box::new(subdag)))
    }

    /// One node per output, each computing the function with some parameters bound
    /// (`parameterize(out(p = source("x"), k = value(2)), ...)`); the function's own node is
    /// replaced by them.
    pub fn parameterize(outputs: impl IntoIterator<Item = Parameterization>) -> Self {
        Self::of(Kind::Parameterize(outputs.into_iter().collect()))
    }

    /// Binds `param` in the node itself (`inject(param = ...)`): a single-output
    /// `parameterize` keeping the node's name. With `parameterize`, it binds `param` in every
    /// output.
    pub fn inject(param: impl Into<Arc<str>>, binding: Binding) -> Self {
        Self::of(Kind::Inject(param.into(), binding))
    }

    /// Runs `steps` on the node's first parameter before the node (`pipe_input(...)`).
    pub fn pipe_input(steps: impl IntoIterator<Item = Step>) -> Self {
        Self::of(Kind::PipeInput {
            on: None,
            steps: steps.into_iter().collect(),
        })
    }

    /// Runs `steps` on parameter `param` before the node (`pipe_input(..., on_input = param)`).
    pub fn pipe_input_on(
        param: impl Into<Arc<str>>,
        steps: impl IntoIterator<Item = Step>,
    ) -> Self {
        Self::of(Kind::PipeInput {
            on: Some(param.into()),
            steps: steps.into_iter().collect(),
        })
    }

    /// One node per field of the node's value (`extract_fields`, `unpack`); the node itself
    /// stays.
    pub fn extract_fields(fields: impl IntoIterator<Item = Field>) -> Self {
        Self::of(Kind::ExtractFields(fields.into_iter().collect()))
    }

    /// One node per column of the node's frame value (`extract_columns(a, b)`), read by the
    /// [`ColumnExtractor`] registered for the node's type; the frame node stays.
    pub fn extract_columns(columns: impl IntoIterator<Item = impl Into<Arc<str>>>) -> Self {
        Self::of(Kind::ExtractColumns {
            columns: columns.into_iter().map(Into::into).collect(),
            extractor: None,
        })
    }

    /// [`Modifier::extract_columns`] with an explicit extractor instead of the registered one.
    pub fn extract_columns_with(
        extractor: ColumnExtractor,
        columns: impl IntoIterator<Item = impl Into<Arc<str>>>,
    ) -> Self {
        Self::of(Kind::ExtractColumns {
            columns: columns.into_iter().map(Into::into).collect(),
            extractor: Some(extractor),
        })
    }

    /// Runs `steps` on the node's value (`pipe_output(...)`): `x` becomes `x.raw`, the steps
    /// `x.with_<f>`, and the last step is named `x`.
    pub fn pipe_output(steps: impl IntoIterator<Item = Step>) -> Self {
        Self::of(Kind::PipeOutput(steps.into_iter().collect()))
    }

    /// Makes this node a `pipe_output` step of the nodes of functions `targets` in the same
    /// module (`mutate(a, b, k = value(..))`); this node is then dropped. `bindings` bind its
    /// other parameters.
    pub fn mutate(
        targets: impl IntoIterator<Item = impl Into<Arc<str>>>,
        bindings: impl IntoIterator<Item = (impl Into<Arc<str>>, Binding)>,
    ) -> Self {
        Self::of(Kind::Mutate {
            targets: targets.into_iter().map(Into::into).collect(),
            bindings: bindings.into_iter().map(|(p, b)| (p.into(), b)).collect(),
        })
    }

    /// Checks the node's value with `validators` (`check(...)`), through
    /// [`checked`]: `x` becomes `x.raw`, `x.checks` and `x`.
    pub fn check<T: NodeValue + Clone>(
        validators: Vec<Arc<dyn Validator<T>>>,
        importance: Importance,
    ) -> Self {
        let text = format!(
            "check({}, importance = {importance:?})",
            validators
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Self::of(Kind::Check(CheckSpec {
            ty: TypeInfo::of::<T>(),
            apply: Arc::new(move |node| checked::<T>(node, validators.clone(), importance)),
            text,
        }))
    }

    /// Tags output `output` of the function (`tag_outputs(output(key = "value"))`).
    pub fn tag_output(
        output: impl Into<Arc<str>>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self::of(Kind::TagOutput {
            output: output.into(),
            key: key.into(),
            value: value.into(),
        })
    }

    /// The option's name in `#[node(...)]`, for messages.
    pub fn option(&self) -> &'static str {
        match &self.kind {
            Kind::When(_) => "when",
            Kind::Default => "default",
            Kind::Exclude => "exclude",
            Kind::Resolve { .. } => "resolve",
            Kind::Does(_) => "does",
            Kind::Subdag(_) => "subdag",
            Kind::Parameterize(_) => "parameterize",
            Kind::Inject(..) => "inject",
            Kind::PipeInput { .. } => "pipe_input",
            Kind::ExtractFields(_) => "extract_fields",
            Kind::ExtractColumns { .. } => "extract_columns",
            Kind::PipeOutput(_) => "pipe_output",
            Kind::Mutate { .. } => "mutate",
            Kind::Check(_) => "check",
            Kind::TagOutput { .. } => "tag_outputs",
        }
    }
}

impl fmt::Debug for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(", ");
        match &self.kind {
            Kind::When(c) => write!(f, "when({c})"),
            Kind::Default => f.write_str("default"),
            Kind::Exclude => f.write_str("exclude"),
            Kind::Resolve { name, .. } => write!(f, "resolve({name})"),
            Kind::Does(node) => write!(f, "does({})", node.function()),
            Kind::Subdag(sd) => write!(f, "{sd:?}"),
            Kind::Parameterize(outputs) => write!(
                f,
                "parameterize({})",
                list(&mut outputs.iter().map(|o| {
                    let bound = o
                        .bindings
                        .iter()
                        .map(|(p, b)| format!("{p} = {b}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("{}({bound})", o.name)
                }))
            ),
            Kind::Inject(p, b) => write!(f, "inject({p} = {b})"),
            Kind::PipeInput { on, steps } => {
                write!(
                    f,
                    "pipe_input({}",
                    list(&mut steps.iter().map(|s| s.to_string()))
                )?;
                if let Some(on) = on {
                    write!(f, ", on_input = {on}")?;
                }
                f.write_str(")")
            }
            Kind::ExtractFields(fields) => write!(
                f,
                "extract_fields({})",
                list(&mut fields.iter().map(|x| format!("{}: {}", x.name, x.ty)))
            ),
            Kind::ExtractColumns { columns, .. } => write!(
                f,
                "extract_columns({})",
                list(&mut columns.iter().map(|c| c.to_string()))
            ),
            Kind::PipeOutput(steps) => write!(
                f,
                "pipe_output({})",
                list(&mut steps.iter().map(|s| s.to_string()))
            ),
            Kind::Mutate { targets, bindings } => write!(
                f,
                "mutate({})",
                list(
                    &mut targets
                        .iter()
                        .map(|t| t.to_string())
                        .chain(bindings.iter().map(|(p, b)| format!("{p} = {b}")))
                )
            ),
            Kind::Check(spec) => f.write_str(&spec.text),
            Kind::TagOutput { output, key, value } => {
                write!(f, "tag_outputs({output}({key} = {value:?}))")
            }
        }
    }
}

/// A sub-dataflow: the nodes of some modules, resolved with their own config, renamed into a
/// namespace (`ns.node`), with some of their inputs bound, feeding one node. What `subdag(..)`
/// and each output of `parameterized_subdag(..)` describe.
///
/// Inside, a parameter naming a node of the sub-dataflow reads `ns.<node>`; one listed in the
/// inputs reads what it is bound to (`source("x")`: the outer node `x`; `value(v)`: a literal,
/// node `ns.<param>`); one naming a key of the sub-dataflow's own config reads that value (node
/// `ns.<key>`); any other reads the outer node or input of the same name. The sub-dataflow's
/// config is the driver's, updated with its own. The node the modifier is on reads `ns.<p>`
/// for each parameter `p` the sub-dataflow produces.
///
/// ```
/// use hamilton_core::modifiers::{Binding, Modifier, Subdag};
/// use hamilton_core::{Args, Config, Driver, Inputs, Module, Node};
/// let inner = Module::from_nodes("features", [
///     Node::builder("scaled").param::<f64>("x").param::<f64>("k")
///         .build(|a: &Args| Ok(a.get::<f64>(0)? * a.get::<f64>(1)?)),
/// ]);
/// let report = Node::builder("report")
///     .param::<f64>("scaled")
///     .modifier(Modifier::subdag(
///         Subdag::new([inner])
///             .input("x", Binding::source("raw"))
///             .config(Config::new().set("k", 10.0_f64))
///             .namespace("uk"),
///     ))
///     .build(|a: &Args| Ok(format!("{}", a.get::<f64>(0)?)));
/// let dr = Driver::builder().with_nodes([report]).build().unwrap();
/// let out = dr.execute(&["report", "uk.scaled"], Inputs::new().set("raw", 2.0_f64)).unwrap();
/// assert_eq!(out.get::<String>("report").unwrap(), "20");
/// ```
#[derive(Clone)]
pub struct Subdag {
    pub(crate) modules: Vec<Module>,
    pub(crate) inputs: Vec<(Arc<str>, Binding)>,
    pub(crate) config: Config,
    pub(crate) namespace: Option<Arc<str>>,
    pub(crate) output: Option<Arc<str>>,
}

impl Subdag {
    /// The nodes of `modules`.
    pub fn new(modules: impl IntoIterator<Item = Module>) -> Self {
        Self {
            modules: modules.into_iter().collect(),
            inputs: Vec::new(),
            config: Config::new(),
            namespace: None,
            output: None,
        }
    }

    /// Binds input (or parameter) `name` of the sub-dataflow to `binding` (`source` or `value`).
    pub fn input(mut self, name: impl Into<Arc<str>>, binding: Binding) -> Self {
        self.inputs.push((name.into(), binding));
        self
    }

    /// Adds config for the sub-dataflow (over the driver's).
    pub fn config(mut self, config: Config) -> Self {
        self.config = std::mem::take(&mut self.config).merge(config);
        self
    }

    /// The namespace of its nodes (default: the output's name).
    pub fn namespace(mut self, namespace: impl Into<Arc<str>>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The name of the node it feeds (default: the node the modifier is on); with several
    /// subdags on one function (`parameterized_subdag`), one output each.
    pub fn output(mut self, name: impl Into<Arc<str>>) -> Self {
        self.output = Some(name.into());
        self
    }
}

impl fmt::Debug for Subdag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subdag(modules = [")?;
        for (i, m) in self.modules.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(m.name())?;
        }
        f.write_str("]")?;
        if !self.inputs.is_empty() {
            let inputs: Vec<String> = self
                .inputs
                .iter()
                .map(|(p, b)| format!("{p} = {b}"))
                .collect();
            write!(f, ", inputs({})", inputs.join(", "))?;
        }
        if !self.config.is_empty() {
            write!(f, ", config({:?})", self.config)?;
        }
        if let Some(ns) = &self.namespace {
            write!(f, ", namespace = {ns:?}")?;
        }
        if let Some(o) = &self.output {
            write!(f, ", output = {o:?}")?;
        }
        f.write_str(")")
    }
}
