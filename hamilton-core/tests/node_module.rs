//! `#[node_module]`: the plain `#[node]` functions of a module registered together describe,
//! wire and run exactly like `#[node]` functions registered one by one.
#![allow(missing_docs)]

use hamilton_core::introspect::NodeKind;
use hamilton_core::{Driver, Inputs, Module, nodes, outputs};

/// The functions of [`together`], registered one by one (the reference; the code versions
/// differ, a macro's tokens print differently: see [`literal`]).
macro_rules! features {
    () => {
        use hamilton_core::node;
        hamilton_core::module!();

        /// Spend per signup.
        #[node]
        pub fn per_signup(spend: &f64, signups: &u64) -> f64 {
            spend / *signups as f64
        }

        #[node]
        pub fn label(name: &str, suffix: Option<&str>) -> String {
            format!("{name}{}", suffix.unwrap_or(""))
        }

        #[node]
        pub fn total(values: &[f64], scale: Option<f64>) -> f64 {
            values.iter().sum::<f64>() * scale.unwrap_or(1.0)
        }

        #[node]
        pub fn owned_twice(values: Vec<f64>, extra: Option<u64>) -> Vec<f64> {
            let mut values = values;
            values.push(extra.unwrap_or(0) as f64);
            values
        }

        #[node]
        pub fn checked(per_signup: &f64) -> Result<f64, String> {
            if *per_signup >= 0.0 {
                Ok(per_signup.sqrt())
            } else {
                Err(format!("negative: {per_signup}"))
            }
        }

        #[node(tag(owner = "growth"))]
        pub fn tagged(per_signup: &f64) -> f64 {
            per_signup * 2.0
        }

        #[node(wired)]
        pub fn wired_reader(checked: &f64, tagged: &f64) -> f64 {
            checked + tagged
        }

        pub fn helper() -> f64 {
            1.0
        }
    };
}

/// Registered together.
#[hamilton_core::node_module]
pub mod together {
    use hamilton_core::node;
    hamilton_core::module!();

    /// Spend per signup.
    #[node]
    pub fn per_signup(spend: &f64, signups: &u64) -> f64 {
        spend / *signups as f64
    }

    #[node]
    pub fn label(name: &str, suffix: Option<&str>) -> String {
        format!("{name}{}", suffix.unwrap_or(""))
    }

    #[node]
    pub fn total(values: &[f64], scale: Option<f64>) -> f64 {
        values.iter().sum::<f64>() * scale.unwrap_or(1.0)
    }

    #[node]
    pub fn owned_twice(values: Vec<f64>, extra: Option<u64>) -> Vec<f64> {
        let mut values = values;
        values.push(extra.unwrap_or(0) as f64);
        values
    }

    #[node]
    pub fn checked(per_signup: &f64) -> Result<f64, String> {
        if *per_signup >= 0.0 {
            Ok(per_signup.sqrt())
        } else {
            Err(format!("negative: {per_signup}"))
        }
    }

    #[node(tag(owner = "growth"))]
    pub fn tagged(per_signup: &f64) -> f64 {
        per_signup * 2.0
    }

    #[node(wired)]
    pub fn wired_reader(checked: &f64, tagged: &f64) -> f64 {
        checked + tagged
    }

    pub fn helper() -> f64 {
        1.0
    }
}

/// Registered one by one.
pub mod one_by_one {
    features!();
}

/// Two of the functions written out, registered one by one: the same code versions.
pub mod literal {
    use hamilton_core::node;

    /// Spend per signup.
    #[node]
    pub fn per_signup(spend: &f64, signups: &u64) -> f64 {
        spend / *signups as f64
    }

    #[node]
    pub fn total(values: &[f64], scale: Option<f64>) -> f64 {
        values.iter().sum::<f64>() * scale.unwrap_or(1.0)
    }
}

fn inputs() -> Inputs {
    Inputs::new()
        .set("spend", 10.0)
        .set("signups", 4_u64)
        .set("name", "ad".to_string())
        .set("suffix", "-x".to_string())
        .set("values", vec![1.0, 2.0])
        .set("scale", 3.0)
        .set("extra", 7_u64)
}

/// What a node's descriptor says, without where it is.
fn described(module: &Module) -> Vec<String> {
    let dr = Driver::builder()
        .with_modules([module.clone()])
        .build()
        .expect("the module builds");
    let mut described: Vec<String> = dr
        .nodes()
        .into_iter()
        .filter(|n| n.kind() == NodeKind::Function)
        .map(|n| {
            format!(
                "{} {} {:?} {:?} {:?}",
                n.name(),
                n.type_name(),
                n.doc(),
                n.tags(),
                n.dependencies()
            )
        })
        .collect();
    described.sort();
    described
}

#[test]
fn batched_functions_stay_plain_functions() {
    assert_eq!(together::per_signup(&10.0, &4), 2.5);
    assert_eq!(together::label("a", None), "a");
    assert_eq!(together::checked(&-1.0), Err("negative: -1".to_string()));
    assert_eq!(together::helper(), 1.0);
}

#[test]
fn a_node_module_runs_like_the_same_functions_registered_one_by_one() {
    let wanted = outputs![
        together::per_signup,
        together::label,
        together::total,
        together::owned_twice,
        together::checked,
        together::tagged,
        together::wired_reader
    ];
    let run = |module: Module| {
        let dr = Driver::builder().with_modules([module]).build().unwrap();
        let out = dr.execute(&wanted, inputs()).unwrap();
        (
            *out.get_typed(together::per_signup::OUTPUT).unwrap(),
            out.get_typed(together::label::OUTPUT).unwrap().clone(),
            *out.get_typed(together::total::OUTPUT).unwrap(),
            out.get_typed(together::owned_twice::OUTPUT)
                .unwrap()
                .clone(),
            *out.get_typed(together::checked::OUTPUT).unwrap(),
            *out.get::<f64>("wired_reader").unwrap(),
        )
    };
    let together = run(together::MODULE);
    assert_eq!(together, run(one_by_one::MODULE));
    assert_eq!(
        together,
        (
            2.5,
            "ad-x".to_string(),
            9.0,
            vec![1.0, 2.0, 7.0],
            2.5_f64.sqrt(),
            2.5_f64.sqrt() + 5.0
        )
    );
}

#[test]
fn batched_nodes_are_described_like_nodes_registered_one_by_one() {
    let together = described(&together::MODULE);
    let one_by_one = described(&one_by_one::MODULE);
    assert_eq!(together.len(), 7, "{together:#?}");
    assert_eq!(together, one_by_one);
}

#[test]
fn batched_descriptors_keep_doc_types_as_written_kinds_and_code_version() {
    let batched = <together::per_signup>::DEF;
    let single = <literal::per_signup>::DEF;
    assert!(matches!(
        batched,
        hamilton_core::__private::NodeRef::Batched { .. }
    ));
    for (a, b) in [
        (batched, single),
        (<together::total>::DEF, <literal::total>::DEF),
    ] {
        assert_eq!(a.name, b.name);
        assert_eq!(a.function, b.function);
        assert_eq!(a.doc, b.doc);
        assert_eq!(a.code_version, b.code_version);
        assert_eq!(a.output.name(), b.output.name());
        assert_eq!(a.output, b.output);
        assert_eq!(a.location.file, b.location.file);
        assert!(a.location.line > 0);
        let params = |d: &hamilton_core::__private::NodeDef| {
            d.params
                .iter()
                .map(|p| (p.name, p.ty.name(), p.ty.id(), p.kind))
                .collect::<Vec<_>>()
        };
        assert_eq!(params(&a), params(b));
    }
    assert_eq!(batched.doc, "Spend per signup.");
    assert_eq!(batched.module, module_path!().to_string() + "::together");
    assert_eq!(<together::label>::DEF.params[0].ty.name(), "String");
}

#[test]
fn batched_nodes_can_be_listed_by_path_and_found_by_module_path() {
    let listed = nodes![together::per_signup, together::checked, one_by_one::tagged];
    let dr = Driver::builder().with_modules([listed]).build().unwrap();
    let out = dr
        .execute(
            &["tagged"],
            Inputs::new().set("spend", 8.0).set("signups", 2_u64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("tagged").unwrap(), &8.0);

    let by_path = Module::new(module_path!()).recursive();
    let names: Vec<String> = Driver::builder()
        .with_modules([Module::new(concat!(module_path!(), "::together"))])
        .build()
        .unwrap()
        .nodes()
        .into_iter()
        .filter(|n| n.kind() == NodeKind::Function)
        .map(|n| n.name().to_string())
        .collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(names.contains(&"per_signup".to_string()));
    // Both modules at once: every name twice, which the build reports as duplicates.
    let both = Driver::builder().with_modules([by_path]).build();
    assert!(both.is_err(), "both modules define the same nodes");
}

#[test]
fn a_failing_batched_node_names_itself() {
    let dr = Driver::builder()
        .with_modules([together::MODULE])
        .build()
        .unwrap();
    let err = dr
        .execute(
            &["checked"],
            Inputs::new().set("spend", -4.0).set("signups", 1_u64),
        )
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("checked"), "{message}");
    assert!(message.contains("negative: -4"), "{message}");
}

/// A batched function used as another node's `pipe_output` step.
#[hamilton_core::node_module]
pub mod steps {
    use hamilton_core::node;

    #[node]
    pub fn halve(value: f64) -> f64 {
        value / 2.0
    }
}

/// A node piping its output through [`steps::halve`].
pub mod piped {
    use hamilton_core::node;

    #[node(pipe_output(step(super::steps::halve)))]
    pub fn spend_half(spend: &f64) -> f64 {
        *spend
    }
}

#[test]
fn a_batched_function_serves_as_a_pipe_step() {
    let dr = Driver::builder()
        .with_modules([nodes![piped::spend_half]])
        .build()
        .unwrap();
    let out = dr
        .execute(&["spend_half"], Inputs::new().set("spend", 8.0))
        .unwrap();
    assert_eq!(out.get::<f64>("spend_half").unwrap(), &4.0);
}

#[test]
fn batched_nodes_run_alike_under_the_parallel_executor() {
    let sequential = Driver::builder()
        .with_modules([together::MODULE])
        .build()
        .unwrap();
    let parallel = Driver::builder()
        .with_modules([together::MODULE])
        .with_parallelism(2)
        .build()
        .unwrap();
    let wanted = ["checked", "label", "owned_twice", "wired_reader"];
    let a = sequential.execute(&wanted, inputs()).unwrap();
    let b = parallel.execute(&wanted, inputs()).unwrap();
    assert_eq!(
        a.get::<f64>("wired_reader").unwrap(),
        b.get::<f64>("wired_reader").unwrap()
    );
    assert_eq!(
        a.get::<String>("label").unwrap(),
        b.get::<String>("label").unwrap()
    );
    assert_eq!(
        a.get::<Vec<f64>>("owned_twice").unwrap(),
        b.get::<Vec<f64>>("owned_twice").unwrap()
    );
}

#[tokio::test]
async fn batched_nodes_run_under_execute_async() {
    let dr = Driver::builder()
        .with_modules([together::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute_async(&["wired_reader", "owned_twice"], inputs())
        .await
        .unwrap();
    assert_eq!(
        out.get::<f64>("wired_reader").unwrap(),
        &(2.5_f64.sqrt() + 5.0)
    );
    assert_eq!(
        out.get::<Vec<f64>>("owned_twice").unwrap(),
        &[1.0, 2.0, 7.0]
    );
}

/// A module with a type of its own named like the value a `&str` or `&[T]` parameter reads.
#[hamilton_core::node_module]
pub mod own_string {
    use hamilton_core::node;

    /// Not the `String` a `&str` parameter reads.
    #[allow(dead_code)]
    pub struct String;

    /// Not the `Vec` a `&[T]` parameter reads.
    #[allow(dead_code)]
    pub struct Vec;

    #[node]
    pub fn shout(word: &str, counts: &[u64]) -> usize {
        word.len() + counts.len()
    }
}

#[test]
fn str_and_slice_parameters_read_std_values_whatever_the_module_names_string_or_vec() {
    let dr = Driver::builder()
        .with_modules([nodes![own_string::shout]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["shout"],
            Inputs::new()
                .set("word", "hey".to_string())
                .set("counts", vec![1_u64, 2]),
        )
        .unwrap();
    assert_eq!(out.get::<usize>("shout").unwrap(), &5);
}
