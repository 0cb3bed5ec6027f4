//! Nodes written with `#[node]`, grouped by module, reach a driver three ways: `module!()` +
//! `with_modules`, an explicit `nodes![..]` list, and `Node::builder`.

use hamilton_core::{
    Driver, Error, Inputs, Module,
    introspect::NodeKind,
    node::{Args, Node},
};

/// The talk's hello world, as a module of `#[node]` functions.
pub mod hello {
    use hamilton_core::node;

    hamilton_core::module!();

    /// `a` plus `b`.
    #[node]
    pub fn c(a: &f64, b: &f64) -> f64 {
        a + b
    }

    /// `c`, transformed.
    #[node(tag(owner = "growth"))]
    pub fn d(c: &f64) -> f64 {
        c * 10.0
    }
}

/// The same dataflow's `d`, replaced in a later module.
pub mod hello_v2 {
    use hamilton_core::node;

    hamilton_core::module!();

    /// `c`, transformed differently.
    #[node]
    pub fn d(c: &f64) -> f64 {
        c * 100.0
    }
}

/// Nodes spread over two modules: one uses what the other produces.
pub mod spend {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Total spend.
    #[node]
    pub fn total_spend(spend: &[f64]) -> f64 {
        spend.iter().sum()
    }
}

/// Reads `total_spend` from the `spend` module.
pub mod per_signup {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Spend per signup.
    #[node]
    pub fn spend_per_signup(total_spend: &f64, signups: &u32) -> f64 {
        total_spend / f64::from(*signups)
    }
}

/// Parameter forms: `&str`, by value, `Result` returns, a renamed node.
pub mod forms {
    use hamilton_core::node;

    hamilton_core::module!();

    /// A greeting for `region`.
    #[node]
    pub fn greeting(region: &str) -> String {
        format!("hello from {region}")
    }

    /// The greeting, shouted; takes it by value.
    #[node]
    pub fn shout(greeting: String) -> String {
        greeting.to_uppercase()
    }

    /// Parses `raw`.
    #[node(name = "parsed.number")]
    pub fn parse_number(raw: &str) -> Result<i64, std::num::ParseIntError> {
        raw.trim().parse()
    }
}

fn hello_inputs() -> Inputs {
    Inputs::new().set("a", 1.0_f64).set("b", 2.0_f64)
}

#[test]
fn module_macro_collects_the_modules_node_functions() {
    let dr = Driver::builder()
        .with_modules([hello::MODULE])
        .build()
        .unwrap();
    let functions: Vec<_> = dr
        .nodes()
        .into_iter()
        .filter(|n| n.kind() == NodeKind::Function)
        .map(|n| n.name())
        .collect();
    assert_eq!(functions, ["c", "d"]);
    assert_eq!(hello::MODULE.name(), "modules::hello");
}

#[test]
fn with_modules_executes_the_hello_world() {
    let dr = Driver::builder()
        .with_modules([hello::MODULE])
        .build()
        .unwrap();
    let out = dr.execute(&["c", "d"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("c").unwrap(), &3.0);
    assert_eq!(out.get::<f64>("d").unwrap(), &30.0);
}

#[test]
fn parameters_wire_across_modules_by_name() {
    let dr = Driver::builder()
        .with_modules([per_signup::MODULE, spend::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["spend_per_signup"],
            Inputs::new()
                .set("spend", vec![10.0_f64, 20.0, 30.0])
                .set("signups", 4_u32),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("spend_per_signup").unwrap(), &15.0);
}

#[test]
fn nodes_list_builds_a_module_without_registration() {
    let dr = Driver::builder()
        .with_modules([hamilton_core::nodes![hello::c, hello::d]])
        .build()
        .unwrap();
    let out = dr.execute(&["d"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &30.0);
}

#[test]
fn nodes_list_takes_only_the_listed_functions() {
    let dr = Driver::builder()
        .with_modules([hamilton_core::nodes![hello::c]])
        .build()
        .unwrap();
    assert!(dr.node("c").is_some());
    assert!(dr.node("d").is_none());
}

#[test]
fn node_builder_nodes_run_like_macro_nodes() {
    let c = Node::builder("c")
        .param::<f64>("a")
        .param::<f64>("b")
        .build(|x: &Args| Ok(x.get::<f64>(0)? + x.get::<f64>(1)?));
    let d = Node::builder("d")
        .param::<f64>("c")
        .build(|x: &Args| Ok(x.get::<f64>(0)? * 10.0));
    let dr = Driver::builder()
        .with_modules([Module::from_nodes("hand", [c, d])])
        .build()
        .unwrap();
    let out = dr.execute(&["d"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &30.0);
}

#[test]
fn builder_nodes_and_macro_nodes_mix_in_one_driver() {
    let d = Node::builder("d")
        .param::<f64>("c")
        .build(|x: &Args| Ok(x.get::<f64>(0)? - 1.0));
    let dr = Driver::builder()
        .with_modules([hamilton_core::nodes![hello::c]])
        .with_nodes([d])
        .build()
        .unwrap();
    let out = dr.execute(&["d"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &2.0);
}

#[test]
fn allow_module_overrides_lets_the_later_module_win() {
    let dr = Driver::builder()
        .with_modules([hello::MODULE, hello_v2::MODULE])
        .allow_module_overrides()
        .build()
        .unwrap();
    let out = dr.execute(&["d"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &300.0);
    assert_eq!(dr.node("d").unwrap().module(), Some("modules::hello_v2"));

    let dr = Driver::builder()
        .with_modules([hello_v2::MODULE, hello::MODULE])
        .allow_module_overrides()
        .build()
        .unwrap();
    let out = dr.execute(&["d"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("d").unwrap(), &30.0);
}

#[test]
fn without_allow_module_overrides_the_same_name_twice_is_an_error() {
    let err = Driver::builder()
        .with_modules([hello::MODULE, hello_v2::MODULE])
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Build(_)), "{err}");
    assert!(
        err.to_string().contains("node `d` is defined twice"),
        "{err}"
    );
}

#[test]
fn str_params_read_string_values_and_by_value_params_take_them() {
    let dr = Driver::builder()
        .with_modules([forms::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute(&["greeting", "shout"], Inputs::new().set("region", "UK"))
        .unwrap();
    assert_eq!(out.get::<String>("greeting").unwrap(), "hello from UK");
    assert_eq!(out.get::<String>("shout").unwrap(), "HELLO FROM UK");
}

#[test]
fn result_returning_nodes_produce_the_ok_value_under_their_given_name() {
    let dr = Driver::builder()
        .with_modules([forms::MODULE])
        .build()
        .unwrap();
    let info = dr.node("parsed.number").unwrap();
    assert_eq!(info.type_name(), "i64");
    assert!(dr.node("parse_number").is_none());
    let out = dr
        .execute(&["parsed.number"], Inputs::new().set("raw", " 42 "))
        .unwrap();
    assert_eq!(out.get::<i64>("parsed.number").unwrap(), &42);
}

#[test]
fn a_node_is_callable_as_a_plain_function() {
    assert_eq!(hello::c(&1.0, &2.0), 3.0);
    assert_eq!(hello::d(&3.0), 30.0);
    assert_eq!(forms::greeting("UK"), "hello from UK");
    assert_eq!(forms::shout("hi".to_string()), "HI");
    assert_eq!(forms::parse_number("7"), Ok(7));
    assert!(forms::parse_number("x").is_err());
}

#[test]
fn config_values_feed_parameters_of_the_same_name() {
    let dr = Driver::builder()
        .with_modules([forms::MODULE])
        .with_config(hamilton_core::Config::new().set("region", "UK"))
        .build()
        .unwrap();
    assert_eq!(dr.node("region").unwrap().kind(), NodeKind::Config);
    let out = dr.execute(&["shout"], Inputs::new()).unwrap();
    assert_eq!(out.get::<String>("shout").unwrap(), "HELLO FROM UK");
    // Config values are copied into each run: a second run sees them too.
    let out = dr.execute(&["greeting"], Inputs::new()).unwrap();
    assert_eq!(out.get::<String>("greeting").unwrap(), "hello from UK");
}

#[test]
fn an_input_can_be_requested_as_an_output() {
    let dr = Driver::builder()
        .with_modules([hello::MODULE])
        .build()
        .unwrap();
    let out = dr.execute(&["a", "c"], hello_inputs()).unwrap();
    assert_eq!(out.get::<f64>("a").unwrap(), &1.0);
    assert_eq!(out.names().collect::<Vec<_>>(), ["a", "c"]);
}
