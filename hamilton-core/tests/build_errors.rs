//! Every wiring problem is found by `build()`, reported as a typed `BuildError` whose message
//! names the nodes, parameters, types and the fix; several problems come back together.

use hamilton_core::{
    BuildError, Config, Driver, Error, Module,
    node::{Args, Node},
};

/// Defines `x`.
pub mod first {
    use hamilton_core::node;

    hamilton_core::module!();

    /// One.
    #[node]
    pub fn x() -> i64 {
        1
    }
}

/// Defines `x` again.
pub mod second {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Two.
    #[node]
    pub fn x() -> i64 {
        2
    }
}

/// Two functions claiming one node name inside one module.
pub mod twice {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Named `total`.
    #[node(name = "total")]
    pub fn total_a() -> i64 {
        1
    }

    /// Also named `total`.
    #[node(name = "total")]
    pub fn total_b() -> i64 {
        2
    }
}

/// `count` produces an `i64`, `ratio` reads it as `f64`.
pub mod mismatch {
    use hamilton_core::node;

    hamilton_core::module!();

    /// How many.
    #[node]
    pub fn count() -> i64 {
        3
    }

    /// Reads `count` at the wrong type.
    #[node]
    pub fn ratio(count: &f64) -> f64 {
        count / 2.0
    }
}

/// Two readers of the input `window` disagree on its type.
pub mod conflict {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Reads `window` as `usize`.
    #[node]
    pub fn short(window: &usize) -> usize {
        *window
    }

    /// Reads `window` as `String`.
    #[node]
    pub fn long(window: &str) -> usize {
        window.len()
    }
}

/// `a` needs `b`, `b` needs `c`, `c` needs `a`.
pub mod cycle {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Needs `b`.
    #[node]
    pub fn a(b: &i64) -> i64 {
        b + 1
    }

    /// Needs `c`.
    #[node]
    pub fn b(c: &i64) -> i64 {
        c + 1
    }

    /// Needs `a`.
    #[node]
    pub fn c(a: &i64) -> i64 {
        a + 1
    }
}

/// A node reading its own output.
pub mod self_loop {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Needs itself.
    #[node]
    pub fn level(level: &i64) -> i64 {
        level + 1
    }
}

/// Reads config `region` as a `String` and `window` as `usize`.
pub mod configured {
    use hamilton_core::node;

    hamilton_core::module!();

    /// The region's label.
    #[node]
    pub fn label(region: &str) -> String {
        format!("[{region}]")
    }

    /// The window, doubled.
    #[node]
    pub fn double_window(window: &usize) -> usize {
        window * 2
    }
}

/// `module!()` in a module with no `#[node]` function.
pub mod empty {
    hamilton_core::module!();

    /// Not a node.
    pub fn helper() -> i64 {
        0
    }
}

fn build_err(builder: hamilton_core::DriverBuilder) -> Error {
    match builder.build() {
        Ok(dr) => panic!("expected a build error, got {dr:?}"),
        Err(e) => e,
    }
}

fn location_of(module: Module, name: &str) -> String {
    let dr = Driver::builder().with_modules([module]).build().unwrap();
    dr.node(name).unwrap().location().unwrap().to_string()
}

#[test]
fn duplicate_node_across_modules_names_both_locations() {
    let err = build_err(Driver::builder().with_modules([first::MODULE, second::MODULE]));
    let first_at = location_of(first::MODULE, "x");
    let second_at = location_of(second::MODULE, "x");
    assert_ne!(first_at, second_at);
    assert!(first_at.contains("build_errors.rs:"), "{first_at}");
    match err.build_errors() {
        [
            BuildError::DuplicateNode {
                name,
                first,
                second,
            },
        ] => {
            assert_eq!(name, "x");
            assert_eq!(first, &format!("module `build_errors::first` ({first_at})"));
            assert_eq!(
                second,
                &format!("module `build_errors::second` ({second_at})")
            );
        }
        other => panic!("expected one DuplicateNode, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("node `x` is defined twice"), "{text}");
    assert!(
        text.contains(&first_at) && text.contains(&second_at),
        "{text}"
    );
    assert!(text.contains("allow_module_overrides()"), "{text}");
    assert!(text.contains("#[node(name = \"..\")]"), "{text}");
}

#[test]
fn duplicate_node_within_one_module_is_an_error_even_with_module_overrides() {
    let err = build_err(
        Driver::builder()
            .with_modules([twice::MODULE])
            .allow_module_overrides(),
    );
    match err.build_errors() {
        [
            BuildError::DuplicateNode {
                name,
                first,
                second,
            },
        ] => {
            assert_eq!(name, "total");
            assert_ne!(first, second);
            assert!(first.contains("build_errors.rs:"), "{first}");
            assert!(second.contains("build_errors.rs:"), "{second}");
        }
        other => panic!("expected one DuplicateNode, got {other:?}"),
    }
}

#[test]
fn the_same_module_given_twice_is_a_duplicate() {
    let err = build_err(Driver::builder().with_modules([first::MODULE, first::MODULE]));
    assert!(
        matches!(err.build_errors(), [BuildError::DuplicateNode { name, .. }] if name == "x"),
        "{err}"
    );
}

#[test]
fn duplicate_hand_built_nodes_are_reported() {
    let one = || Node::builder("n").build(|_: &Args| Ok(1_i64));
    let err = build_err(Driver::builder().with_nodes([one(), one()]));
    match err.build_errors() {
        [BuildError::DuplicateNode { name, first, .. }] => {
            assert_eq!(name, "n");
            assert!(first.contains("nodes built by hand"), "{first}");
        }
        other => panic!("expected one DuplicateNode, got {other:?}"),
    }
}

#[test]
fn edge_type_mismatch_names_the_producers_type_and_the_parameters_type() {
    let err = build_err(Driver::builder().with_modules([mismatch::MODULE]));
    match err.build_errors() {
        [
            BuildError::EdgeTypeMismatch {
                consumer,
                consumer_at,
                param,
                expected,
                found,
                producer_at,
            },
        ] => {
            assert_eq!(consumer, "ratio");
            assert_eq!(param, "count");
            assert_eq!(expected, "f64");
            assert_eq!(found, "i64");
            assert!(consumer_at.contains("build_errors.rs:"), "{consumer_at}");
            assert!(producer_at.contains("build_errors.rs:"), "{producer_at}");
            assert_ne!(consumer_at, producer_at);
        }
        other => panic!("expected one EdgeTypeMismatch, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("node `ratio`") && text.contains("parameter `count`: expects `f64`"),
        "{text}"
    );
    assert!(
        text.contains("but node `count`") && text.contains("produces `i64`"),
        "{text}"
    );
    assert!(text.contains("change one of the two types"), "{text}");
}

#[test]
fn two_readers_of_one_input_at_different_types_conflict() {
    let err = build_err(Driver::builder().with_modules([conflict::MODULE]));
    match err.build_errors() {
        [BuildError::InputTypeConflict { input, readers }] => {
            assert_eq!(input, "window");
            assert_eq!(
                readers,
                &[
                    ("long".to_string(), "String".to_string()),
                    ("short".to_string(), "usize".to_string())
                ]
            );
        }
        other => panic!("expected one InputTypeConflict, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("input `window` is read at different types"),
        "{text}"
    );
    assert!(text.contains("node `long` wants `String`"), "{text}");
    assert!(text.contains("node `short` wants `usize`"), "{text}");
}

#[test]
fn cycle_is_reported_with_its_path() {
    let err = build_err(Driver::builder().with_modules([cycle::MODULE]));
    match err.build_errors() {
        [BuildError::Cycle { path, .. }] => {
            assert_eq!(path.len(), 4, "{path:?}");
            assert_eq!(path.first(), path.last());
            let mut members = path[..3].to_vec();
            members.sort();
            assert_eq!(members, ["a", "b", "c"]);
            // Each step of the path is an edge: producer -> consumer.
            for pair in path.windows(2) {
                let edge = (pair[0].as_str(), pair[1].as_str());
                assert!(
                    matches!(edge, ("a", "c") | ("c", "b") | ("b", "a")),
                    "{edge:?} is not an edge of the dataflow"
                );
            }
        }
        other => panic!("expected one Cycle, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("cycle: "), "{text}");
    assert!(text.contains(" -> "), "{text}");
    assert!(text.contains("break the loop"), "{text}");
}

#[test]
fn self_loop_is_a_cycle_of_one_node() {
    let err = build_err(Driver::builder().with_modules([self_loop::MODULE]));
    let [BuildError::Cycle { path, at }] = err.build_errors() else {
        panic!("expected one Cycle, got {err}");
    };
    assert_eq!(path, &["level", "level"]);
    let [level_at] = at.as_slice() else {
        panic!("one location per node of the cycle: {at:?}");
    };
    assert!(
        level_at.starts_with("module `build_errors::self_loop` (")
            && level_at.contains("build_errors.rs:"),
        "{level_at}"
    );
    assert!(
        err.to_string()
            .contains(&format!("cycle: level ({level_at}) -> level;")),
        "{err}"
    );
}

#[test]
fn every_node_of_a_cycle_is_named_with_its_file_and_line() {
    let err = build_err(Driver::builder().with_modules([cycle::MODULE]));
    let [BuildError::Cycle { path, at }] = err.build_errors() else {
        panic!("expected one Cycle, got {err}");
    };
    assert_eq!(at.len(), 3);
    let mut distinct = at.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{at:?}");
    let text = err.to_string();
    for (name, at) in path.iter().zip(at) {
        assert!(
            at.starts_with("module `build_errors::cycle` (") && at.contains("build_errors.rs:"),
            "{at}"
        );
        assert!(text.contains(&format!("{name} ({at})")), "{text}");
    }
}

#[test]
fn separate_cycles_are_each_reported() {
    let id = |name: &str, dep: &str| {
        Node::builder(name)
            .param::<i64>(dep)
            .build(|x: &Args| Ok(*x.get::<i64>(0)?))
    };
    let err = build_err(Driver::builder().with_nodes([
        id("p", "q"),
        id("q", "p"),
        id("s", "s"),
        id("ok", "input"),
    ]));
    let cycles: Vec<_> = err
        .build_errors()
        .iter()
        .map(|e| match e {
            BuildError::Cycle { path, .. } => path.join(" -> "),
            other => panic!("expected only cycles, got {other:?}"),
        })
        .collect();
    assert_eq!(cycles.len(), 2, "{cycles:?}");
    assert!(cycles.contains(&"s -> s".to_string()), "{cycles:?}");
    assert!(
        cycles.contains(&"p -> q -> p".to_string()) || cycles.contains(&"q -> p -> q".to_string()),
        "{cycles:?}"
    );
}

#[test]
fn config_key_with_a_nodes_name_is_an_error_not_a_replacement() {
    let err = build_err(
        Driver::builder()
            .with_modules([first::MODULE])
            .with_config(Config::new().set("x", 5_i64)),
    );
    let at = location_of(first::MODULE, "x");
    match err.build_errors() {
        [BuildError::ConfigShadowsNode { key, node_at }] => {
            assert_eq!(key, "x");
            assert_eq!(node_at, &format!("module `build_errors::first` ({at})"));
        }
        other => panic!("expected one ConfigShadowsNode, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("config key `x` has the name of node `x`"),
        "{text}"
    );
    assert!(text.contains("use an override"), "{text}");
}

#[test]
fn config_value_of_the_wrong_type_names_the_reader_and_both_types() {
    let err = build_err(
        Driver::builder()
            .with_modules([configured::MODULE])
            .with_config(Config::new().set("region", "UK").set("window", 3_i32)),
    );
    assert_eq!(
        err.build_errors(),
        [BuildError::ConfigType {
            key: "window".into(),
            consumer: "double_window".into(),
            expected: "usize".into(),
            found: "i32".into(),
        }]
    );
    let text = err.to_string();
    assert!(text.contains("config key `window` holds a `i32`"), "{text}");
    assert!(
        text.contains("node `double_window` reads parameter `window` as `usize`"),
        "{text}"
    );
    assert!(text.contains("set the config value as a `usize`"), "{text}");
}

#[test]
fn config_of_the_right_type_builds() {
    let dr = Driver::builder()
        .with_modules([configured::MODULE])
        .with_config(Config::new().set("region", "UK").set("window", 3_usize))
        .build()
        .unwrap();
    let out = dr
        .execute(&["label", "double_window"], Default::default())
        .unwrap();
    assert_eq!(out.get::<String>("label").unwrap(), "[UK]");
    assert_eq!(out.get::<usize>("double_window").unwrap(), &6);
}

#[test]
fn empty_list_of_nodes_is_an_empty_module() {
    let err = build_err(Driver::builder().with_modules([Module::from_nodes("x", [])]));
    match err.build_errors() {
        [BuildError::EmptyModule { module, reason }] => {
            assert_eq!(module, "x");
            assert!(reason.contains("the list of nodes is empty"), "{reason}");
        }
        other => panic!("expected one EmptyModule, got {other:?}"),
    }
    assert!(err.to_string().contains("module `x` has no nodes"), "{err}");
}

#[test]
fn empty_nodes_macro_is_an_empty_module() {
    let err = build_err(Driver::builder().with_modules([hamilton_core::nodes![]]));
    assert!(
        matches!(err.build_errors(), [BuildError::EmptyModule { module, .. }] if module == "nodes![]"),
        "{err}"
    );
}

#[test]
fn module_macro_without_nodes_explains_how_registration_works() {
    assert_eq!(empty::helper(), 0);
    let err = build_err(Driver::builder().with_modules([empty::MODULE]));
    match err.build_errors() {
        [BuildError::EmptyModule { module, reason }] => {
            assert_eq!(module, "build_errors::empty");
            assert!(reason.contains("#[node]"), "{reason}");
            assert!(reason.contains("module!()"), "{reason}");
            assert!(reason.contains("nodes![..]"), "{reason}");
        }
        other => panic!("expected one EmptyModule, got {other:?}"),
    }
}

#[test]
fn every_build_problem_is_reported_together() {
    let err = build_err(
        Driver::builder()
            .with_modules([
                first::MODULE,
                second::MODULE,
                mismatch::MODULE,
                self_loop::MODULE,
                configured::MODULE,
                empty::MODULE,
            ])
            .with_nodes([
                Node::builder("low")
                    .param::<i64>("threshold")
                    .build(|x: &Args| Ok(*x.get::<i64>(0)?)),
                Node::builder("high")
                    .param::<f64>("threshold")
                    .build(|x: &Args| Ok(*x.get::<f64>(0)?)),
            ])
            .with_config(Config::new().set("region", "UK").set("window", 3_i32)),
    );
    let errors = err.build_errors();
    let has = |pred: &dyn Fn(&BuildError) -> bool| errors.iter().any(pred);
    assert!(has(
        &|e| matches!(e, BuildError::DuplicateNode { name, .. } if name == "x")
    ));
    assert!(has(
        &|e| matches!(e, BuildError::EdgeTypeMismatch { consumer, .. } if consumer == "ratio")
    ));
    assert!(has(
        &|e| matches!(e, BuildError::ConfigType { key, .. } if key == "window")
    ));
    assert!(has(
        &|e| matches!(e, BuildError::Cycle { path, .. } if path[0] == "level")
    ));
    assert!(has(
        &|e| matches!(e, BuildError::EmptyModule { module, .. } if module == "build_errors::empty")
    ));
    assert!(has(
        &|e| matches!(e, BuildError::InputTypeConflict { input, .. } if input == "threshold")
    ));
    assert_eq!(errors.len(), 6, "{errors:#?}");
    let text = err.to_string();
    assert!(
        text.starts_with("cannot build the dataflow: 6 problem(s)\n  - "),
        "{text}"
    );
    assert_eq!(text.lines().count(), 7, "{text}");
}
