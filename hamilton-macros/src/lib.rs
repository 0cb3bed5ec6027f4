//! Procedural macros for hamilton-core: `#[node]`.
//!
//! Use them through `hamilton_core`, which re-exports them; the generated code refers to
//! `::hamilton_core::__private`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod ast;
mod attr;
mod call;
mod derive;
mod docs;
mod expand;
mod hash;
mod modifiers;
mod node_module;
mod parse_fn;
mod pieces;
mod spans;
mod valid;

use proc_macro::TokenStream;

/// Marks a function as a node of the dataflow: its name is the value it produces, its
/// parameters are the nodes and inputs it depends on.
///
/// ```
/// use hamilton_core::{node, nodes};
///
/// /// Average spend over the window.
/// #[node(tag(owner = "growth"))]
/// pub fn avg_spend(spend: &[f64], window: Option<&usize>) -> Result<f64, String> {
///     let n = window.copied().unwrap_or(spend.len());
///     if n == 0 {
///         return Err("empty window".to_owned());
///     }
///     Ok(spend.iter().rev().take(n).sum::<f64>() / n as f64)
/// }
///
/// // Still an ordinary function.
/// assert_eq!(avg_spend(&[1.0, 2.0, 3.0], Some(&2)), Ok(2.5));
/// // And a node: `spend` and `window` are its dependencies, `avg_spend` the value it produces.
/// let module = nodes![avg_spend];
/// # let _ = module;
/// ```
///
/// # Parameters
///
/// Each parameter is a plain identifier naming a dependency, of one of these forms:
///
/// | written | reads | `ParamKind` |
/// |---|---|---|
/// | `&T` | a borrow of the `T` value | `Ref` |
/// | `T` | the `T` value, moved or cloned (`T: Clone`) | `Owned` |
/// | `Option<&T>` | as `&T`, `None` when not given | `OptionalRef` |
/// | `Option<T>` | as `T`, `None` when not given | `OptionalOwned` |
///
/// `&str` reads a `String` value and `&[T]` a `Vec<T>` value (also inside `Option`).
///
/// # Return type
///
/// `-> T` produces `T`. A return type whose last path segment ends in `Result` (`Result<T, E>`,
/// `PolarsResult<T>`, `io::Result<T>`, ...) produces `T`, and its `Err` fails the node;
/// `E` must convert into `Box<dyn Error + Send + Sync>`.
///
/// # Async nodes
///
/// An `async fn` is an async node, run by `Driver::execute_async` on the caller's runtime beside
/// sync nodes (independent async nodes run concurrently). Parameters and return type follow the
/// rules above; borrowed parameters borrow from arguments the node's future owns, so they may be
/// held across `.await`. The future must be `Send` (a value that is not, held across an
/// `.await`, is reported on the function's name). The sync `Driver::execute` refuses a request
/// that needs an async node (`RequestError::NeedsAsync`). Every option below applies to async
/// functions too, except `does` (its generated body could not await).
///
/// ```
/// use hamilton_core::{Driver, Inputs, node, nodes};
/// # fn block_on<F: std::future::Future>(future: F) -> F::Output {
/// #     let mut future = std::pin::pin!(future);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop {
/// #         if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) { return out; }
/// #         std::thread::yield_now();
/// #     }
/// # }
///
/// # async fn get(url: &str) -> Result<String, std::io::Error> { Ok(format!("<{url}>")) }
/// /// The page, fetched.
/// #[node(tag(io = "http"))]
/// async fn page(url: &str, retries: Option<u32>) -> Result<String, std::io::Error> {
///     let _ = retries;
///     get(url).await
/// }
///
/// /// Sync, after the async node.
/// #[node]
/// fn length(page: &str) -> usize {
///     page.len()
/// }
///
/// let dr = Driver::builder().with_modules([nodes![page, length]]).build().unwrap();
/// let inputs = || Inputs::new().set("url", "example.org".to_string());
/// let out = block_on(dr.execute_async(&["length"], inputs())).unwrap();
/// assert_eq!(out.get::<usize>("length").unwrap(), &13);
/// assert!(dr.execute(&["length"], inputs()).is_err()); // needs `execute_async`
/// ```
///
/// # Fan-out
///
/// A function returning `Parallel<T>` (`hamilton_core::fanout::Parallel`, also as
/// `Result<Parallel<T>, E>`) fans out: every node reading it as `T`, directly or through other
/// such nodes, runs once per item. A parameter of type `Collect<U>` (or `&Collect<U>`) reading
/// one of those nodes gathers the `U` of every item, in item order (Hamilton's
/// `Parallelizable[T]` / `Collect[T]`). The items must be `Clone`; a `Collect` parameter cannot
/// be optional. See `hamilton_core::fanout` for the shapes the driver accepts, which it checks
/// when it is built. A fan-out node cannot take `pipe_output`, `extract_*` or `check` (its value
/// is never used whole), and a function with a `Collect` parameter cannot take `does`.
///
/// ```
/// use hamilton_core::fanout::{Collect, Parallel};
/// use hamilton_core::{Driver, Inputs, node, nodes};
///
/// #[node]
/// fn steps(number_of_steps: &u64) -> Parallel<u64> {
///     (0..*number_of_steps).collect()
/// }
///
/// /// Runs once per step.
/// #[node]
/// fn step_squared(steps: &u64) -> u64 {
///     steps * steps
/// }
///
/// #[node]
/// fn sum_of_squares(step_squared: &Collect<u64>) -> u64 {
///     step_squared.iter().sum()
/// }
///
/// let dr = Driver::builder()
///     .with_modules([nodes![steps, step_squared, sum_of_squares]])
///     .build()
///     .unwrap();
/// let out = dr.execute(&["sum_of_squares"], Inputs::new().set("number_of_steps", 4_u64)).unwrap();
/// assert_eq!(out.get::<u64>("sum_of_squares").unwrap(), &14);
/// ```
///
/// # Options
///
/// - `name = "other"`: the node's name, when it should differ from the function's (dots
///   separate namespaces: `"marketing.spend"`).
/// - `tag(key = "value", ...)`: tags, repeatable; `key = ["a", "b"]` gives a tag several values.
/// - `crate = path` (or `crate = "path"`): where `hamilton_core` is, for crates that re-export it.
/// - `wired`, `wired(except(a, b))`: check at compile time that each parameter (but those in
///   `except`, and optional and `Collect` ones) names a node in scope whose output type is the
///   parameter's, and that wired nodes form no cycle: a mistake is a compile error on the
///   parameter. Producers must be in scope (same module, or `use`d). Inputs, config values, names
///   made by modifiers and config-selected variants stay `build()` checks: list them in
///   `except`. See the guide `hamilton-core/docs/wiring.md`.
///
/// # Function modifiers
///
/// Hamilton's decorators are options of the attribute too. Each is documented, with a runnable
/// example, in `hamilton_core::modifiers`, with a table mapping every Hamilton decorator.
/// Whatever order they are written in, they apply in this order when the driver is built:
///
/// 1. **config selection**: `when(k = v, ..)`, `when_not(k = v)`, `when_in(k = [a, b])`,
///    `when_not_in(k = [..])`, `when_fn(path)`, `default` (the variant used when no other
///    matches), `exclude`. Variants share a node name: the function name up to its last `__`
///    (`vat__uk` → `vat`), or `name`;
/// 2. `resolve(path)`: modifiers computed from the config;
/// 3. `does(f)` / `does(f, slice)`: the (empty) body becomes `f(a, b, ..)` / `f(&[a, b, ..])`
///    (`does(f, their = ours)`: by name);
///    `subdag(modules = [..], inputs(p = source("x")), config(k = "v"), namespace = "ns")` and
///    `parameterized_subdag(modules = [..], a(..), b(..))`: modules re-used as namespaced
///    sub-dataflows (`ns.node`) feeding the function;
/// 4. **expansion**: `parameterize(out(p = source("x"), k = value(2), xs = group(a, value(1))), ..)`,
///    `inject(p = ..)`;
/// 5. `pipe_input(step(f, k = value(..)).when(k = v), .., on_input = p)`;
/// 6. **several outputs**: `extract_fields(a, b: T)` (or alone, with `#[derive(Fields)]`),
///    `unpack(a, _, c)`, `extract_columns(a, "b")` (`fill_with = 0.0` fills missing columns);
/// 7. `pipe_output(step(..), ..)`, then the steps of `mutate(target, apply_to(other, ..), ..)`
///    functions;
/// 8. `check(validator, custom = path, importance = "fail")`;
/// 9. `tag_outputs(out(k = "v"))`.
///
/// Generated nodes have dotted names (`x.raw`, `x.with_f`, `out.param`), which no function
/// name can take. Misuse the macro can see is a compile error on the offending tokens; the
/// rest (two matching variants, a column extractor not registered, ...) is a build error.
///
/// ```
/// use hamilton_core::{Config, Driver, Inputs, node, nodes};
///
/// #[node(exclude)]
/// fn clip(x: &f64, max: &f64) -> f64 { x.min(*max) }
///
/// /// Spend in {region}, clipped.
/// #[node(
///     when(source = "api"),
///     parameterize(spend_uk(region = value("UK")), spend_us(region = value("US"))),
///     pipe_output(step(clip, max = value(100.0))),
///     tag(owner = "growth"),
/// )]
/// fn spend__api(raw: &f64, region: &str) -> f64 {
///     if region == "UK" { raw * 2.0 } else { raw * 3.0 }
/// }
///
/// let dr = Driver::builder()
///     .with_modules([nodes![clip, spend__api]])
///     .with_config(Config::new().set("source", "api"))
///     .build()
///     .unwrap();
/// let out = dr.execute(&["spend_uk", "spend_us"], Inputs::new().set("raw", 40.0)).unwrap();
/// assert_eq!((out.get::<f64>("spend_uk").unwrap(), out.get::<f64>("spend_us").unwrap()), (&80.0, &100.0));
/// assert_eq!(dr.node("spend_us.raw").unwrap().doc(), "Spend in US, clipped.");
/// ```
///
/// # What it generates
///
/// The function, unchanged (it stays callable and testable), and next to it:
/// - a hidden static `NodeDef` describing the node: name, module, location, doc comment,
///   parameters (a `Collect` one with how it gathers), output type, tags, code version, its call,
///   a function building its modifiers, and for a `Parallel` return how its value splits into
///   items. The call is no generated function but a value of the generic
///   `__private::FnCall`: the function itself and one marker per parameter saying how it is
///   read (for an `async fn`, or one of more than 12 parameters, a call shim instead). When
///   registration is on, the linker gathers these statics into one section, which `module!()`
///   reads (no constructor runs at start-up);
/// - a hidden struct of the same name (type namespace only) with `PhantomData` fields: the
///   output type dependents read (`__output`, checked by `#[node(wired)]`) and one per parameter
///   typing `value(..)` literals for it (used by `step(this_fn, p = value(..))`); its one
///   inherent impl holds `DEF` (the definition) and `OUTPUT` (the node's name and type, for
///   `hamilton_core::outputs!` and `Outputs::get_typed`).
///
/// No trait impl and no function body per node: a crate of many nodes stays cheap to check (see
/// `BENCHMARKS.md`). The node can be listed with `nodes![path::to::function]`. Because of the
/// struct, a node function cannot share its name with a type or module in the same scope, nor
/// be named after a primitive type.
///
/// # Compile time
///
/// Each node adds about 2–3.5 ms to `cargo check` (a crate of 1,000 two-parameter nodes: 3.6 s
/// of CPU clean and 2.0 s after editing one function, against 0.2 s without the attribute;
/// `BENCHMARKS.md`, "The compile cost of `#[node]`"). Most of it is the static descriptor and
/// the macro itself, which runs again on every check. The macro's share shrinks when it is
/// built optimised: `[profile.dev.build-override] opt-level = 3` in the workspace's
/// `Cargo.toml`. The function's body is not parsed by the macro, only passed through.
///
/// For many nodes, put them in an inline module marked [`node_module`](macro@node_module): its
/// plain `#[node]` functions then share one registration and cost about a fifth as much to
/// check, within 3× of the same functions without attributes.
///
/// The code version is a hash of the function's own tokens, doc comments excluded: it changes
/// when the function changes, not when the helpers it calls change.
///
/// # Errors
///
/// Generic, `unsafe` and `extern` functions, methods, `impl Trait` or `&mut T` parameters,
/// destructuring or `_` parameters, an optional `Collect` and a missing or borrowed return type
/// are compile errors pointing at the offending tokens, all reported at once. A parameter or
/// return type that is not `'static + Send + Sync`, a by-value parameter that is not `Clone`, a
/// `Parallel` whose items are not `Clone`, or a `Parallel`/`Collect` that is another crate's
/// type of that name, is reported on that type; an `async fn` whose future is not `Send`, on the
/// function's name.
#[proc_macro_attribute]
pub fn node(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::node(args.into(), item.into()).into()
}

/// Registers the plain `#[node]` functions of an inline module together: one registration for
/// the module instead of several items per function, which makes a large dataflow several times
/// cheaper to `cargo check` (see `BENCHMARKS.md`, "One registration per module").
///
/// Inside the module, a function with a bare `#[node]` (sync, at most twelve parameters, no
/// `Parallel` or `Collect`, no `#[cfg]`) becomes a node exactly as with `#[node]` alone: same
/// name, parameters, types, doc, code version, `path::OUTPUT`, `nodes![path]`, `module!()` and
/// by-name lookups, and the same errors on the same tokens. Every other item, including
/// `#[node(..)]` with arguments, is expanded as without the attribute. The function stays an
/// ordinary function, callable and unit-testable.
///
/// The module's items must be in braces: an attribute does not see the items of a module in its
/// own file. `#[node_module(crate = path)]` names a re-exported `hamilton_core`. Functions made by
/// a macro inside the module are expanded by their own `#[node]`.
///
/// What differs for a batched function `f`: `f::DEF` is a `NodeRef` (it reads as a `NodeDef`, and
/// `NodeRef::from` takes either kind), built the first time it is read rather than a constant;
/// so `does(f, their = ours)`, which reads `f`'s parameters at compile time, needs `f` outside
/// `#[node_module]` (or with an attribute argument such as `#[node(tag(..))]`, which keeps it
/// registered on its own).
///
/// ```
/// #[hamilton_core::node_module]
/// mod features {
///     use hamilton_core::node;
///     hamilton_core::module!();
///
///     /// Spend per signup.
///     #[node]
///     pub fn per_signup(spend: &f64, signups: &u64) -> f64 {
///         spend / *signups as f64
///     }
///
///     #[node(tag(owner = "growth"))]
///     pub fn doubled(per_signup: &f64) -> f64 {
///         per_signup * 2.0
///     }
/// }
///
/// use hamilton_core::{Driver, Inputs, outputs};
/// assert_eq!(features::per_signup(&10.0, &4), 2.5);
/// let dr = Driver::builder().with_modules([features::MODULE]).build().unwrap();
/// let inputs = Inputs::new().set("spend", 10.0).set("signups", 4_u64);
/// let out = dr.execute(&outputs![features::doubled], inputs).unwrap();
/// assert_eq!(out.get_typed(features::doubled::OUTPUT).unwrap(), &5.0);
/// ```
#[proc_macro_attribute]
pub fn node_module(args: TokenStream, item: TokenStream) -> TokenStream {
    node_module::node_module(args.into(), item.into()).into()
}

/// Implements `hamilton_core::modifiers::Fields` for a struct with named fields, so that
/// `#[node(extract_fields)]` on a function returning it makes one node per field (each field
/// must be `Clone`; `#[fields(skip)]` leaves one out; `#[fields(crate = path)]` names a
/// re-exported `hamilton_core`).
///
/// ```
/// use hamilton_core::{Driver, Fields, node, nodes};
///
/// #[derive(Clone, Fields)]
/// pub struct Split {
///     train: Vec<f64>,
///     test: Vec<f64>,
///     #[fields(skip)]
///     seed: u64,
/// }
///
/// #[node(extract_fields)]
/// fn split(data: &[f64]) -> Split {
///     let (train, test) = data.split_at(data.len() / 2);
///     Split { train: train.to_vec(), test: test.to_vec(), seed: 0 }
/// }
///
/// let dr = Driver::builder().with_modules([nodes![split]]).build().unwrap();
/// let out = dr.execute(&["train", "test"], hamilton_core::Inputs::new().set("data", vec![1.0, 2.0, 3.0, 4.0])).unwrap();
/// assert_eq!(out.get::<Vec<f64>>("test").unwrap(), &[3.0, 4.0]);
/// ```
#[proc_macro_derive(Fields, attributes(fields))]
pub fn derive_fields(item: TokenStream) -> TokenStream {
    derive::fields(item.into()).into()
}
