//! Intermediate values are freed right after their last consumer runs (unless requested as
//! outputs), and a by-value parameter receives the value moved, not cloned, on its last use.

use std::cell::{Cell, RefCell};

use hamilton_core::{Driver, Inputs};

thread_local! {
    /// What happened on this thread, in order: `run:x` when node `x` runs, `drop:x` when the
    /// value `x` made is dropped.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// How many times a `Big` was cloned on this thread.
    static CLONES: Cell<usize> = const { Cell::new(0) };
}

fn log(event: String) {
    LOG.with(|l| l.borrow_mut().push(event));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| l.take())
}

fn clones() -> usize {
    CLONES.with(Cell::get)
}

/// A value that logs its drop.
#[derive(Debug)]
pub struct Tracked(&'static str);

impl Drop for Tracked {
    fn drop(&mut self) {
        log(format!("drop:{}", self.0));
    }
}

/// A value that counts its clones.
#[derive(Debug, PartialEq)]
pub struct Big(Vec<u64>);

impl Clone for Big {
    fn clone(&self) -> Self {
        CLONES.with(|c| c.set(c.get() + 1));
        Self(self.0.clone())
    }
}

/// A chain `a -> b -> c -> d` of tracked values, plus a fan-out from `a`.
pub mod chain {
    use hamilton_core::node;

    use super::{Tracked, log};

    hamilton_core::module!();

    /// The first value.
    #[node]
    pub fn a(seed: &u8) -> Tracked {
        log(format!("run:a({seed})"));
        Tracked("a")
    }

    /// Reads `a`.
    #[node]
    pub fn b(a: &Tracked) -> Tracked {
        log(format!("run:b({})", a.0));
        Tracked("b")
    }

    /// Reads `b`.
    #[node]
    pub fn c(b: &Tracked) -> Tracked {
        log(format!("run:c({})", b.0));
        Tracked("c")
    }

    /// Reads `c`.
    #[node]
    pub fn d(c: &Tracked) -> Tracked {
        log(format!("run:d({})", c.0));
        Tracked("d")
    }

    /// Reads `a` and `c`: keeps `a` alive until `c` is made.
    #[node]
    pub fn late(a: &Tracked, c: &Tracked) -> Tracked {
        log(format!("run:late({},{})", a.0, c.0));
        Tracked("late")
    }
}

/// By-value parameters over a value that counts its clones.
pub mod owned {
    use hamilton_core::node;

    use super::Big;

    hamilton_core::module!();

    /// A big value.
    #[node]
    pub fn big(size: &usize) -> Big {
        Big((0..*size as u64).collect())
    }

    /// Takes `big` by value.
    #[node]
    pub fn total(big: Big) -> u64 {
        big.0.into_iter().sum()
    }

    /// Takes `big` by value, after `total` ran.
    #[node]
    pub fn len_after_total(big: Big, total: &u64) -> usize {
        let _ = total;
        big.0.len()
    }

    /// Takes the input `given` by value.
    #[node]
    pub fn given_len(given: Big) -> usize {
        given.0.len()
    }

    /// Takes an optional input by value.
    #[node]
    pub fn maybe_len(maybe: Option<Big>) -> usize {
        maybe.map_or(0, |m| m.0.len())
    }
}

#[test]
fn an_intermediate_is_dropped_right_after_its_last_consumer() {
    let dr = Driver::builder()
        .with_modules([chain::MODULE])
        .build()
        .unwrap();
    take_log();
    let out = dr.execute(&["d"], Inputs::new().set("seed", 1_u8)).unwrap();
    assert_eq!(
        take_log(),
        [
            "run:a(1)", "run:b(a)", "drop:a", "run:c(b)", "drop:b", "run:d(c)", "drop:c"
        ]
    );
    drop(out);
    assert_eq!(take_log(), ["drop:d"]);
}

#[test]
fn a_value_with_a_later_consumer_lives_until_that_consumer_runs() {
    let dr = Driver::builder()
        .with_modules([chain::MODULE])
        .build()
        .unwrap();
    take_log();
    let out = dr
        .execute(&["late"], Inputs::new().set("seed", 1_u8))
        .unwrap();
    let events = take_log();
    let pos = |e: &str| {
        events
            .iter()
            .position(|x| x == e)
            .unwrap_or_else(|| panic!("no `{e}` in {events:?}"))
    };
    // `b` is freed once `c` ran, `a` only once `late` ran.
    assert!(pos("drop:b") < pos("run:late(a,c)"), "{events:?}");
    assert!(pos("run:late(a,c)") < pos("drop:a"), "{events:?}");
    assert!(pos("run:late(a,c)") < pos("drop:c"), "{events:?}");
    assert!(!events.contains(&"drop:late".to_string()), "{events:?}");
    drop(out);
    assert_eq!(take_log(), ["drop:late"]);
}

#[test]
fn a_requested_intermediate_is_kept_for_the_outputs() {
    let dr = Driver::builder()
        .with_modules([chain::MODULE])
        .build()
        .unwrap();
    take_log();
    let out = dr
        .execute(&["b", "d"], Inputs::new().set("seed", 1_u8))
        .unwrap();
    assert_eq!(
        take_log(),
        [
            "run:a(1)", "run:b(a)", "drop:a", "run:c(b)", "run:d(c)", "drop:c"
        ]
    );
    let mut out = out;
    let b: Tracked = out.take("b").unwrap();
    assert_eq!(b.0, "b");
    drop(b);
    assert_eq!(take_log(), ["drop:b"]);
    drop(out);
    assert_eq!(take_log(), ["drop:d"]);
}

#[test]
fn a_by_value_parameter_on_the_last_use_receives_the_value_moved() {
    let dr = Driver::builder()
        .with_modules([hamilton_core::nodes![owned::big, owned::total]])
        .build()
        .unwrap();
    let before = clones();
    let out = dr
        .execute(&["total"], Inputs::new().set("size", 1000_usize))
        .unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &499_500);
    assert_eq!(
        clones() - before,
        0,
        "the only reader should get `big` moved"
    );
}

#[test]
fn a_by_value_parameter_before_the_last_use_receives_a_clone() {
    let dr = Driver::builder()
        .with_modules([owned::MODULE])
        .build()
        .unwrap();
    let before = clones();
    let out = dr
        .execute(&["len_after_total"], Inputs::new().set("size", 10_usize))
        .unwrap();
    assert_eq!(out.get::<usize>("len_after_total").unwrap(), &10);
    // `total` runs first and must leave `big` for `len_after_total`: one clone, then a move.
    assert_eq!(clones() - before, 1);
}

#[test]
fn a_by_value_parameter_of_a_requested_output_receives_a_clone() {
    let dr = Driver::builder()
        .with_modules([hamilton_core::nodes![owned::big, owned::total]])
        .build()
        .unwrap();
    let before = clones();
    let out = dr
        .execute(&["big", "total"], Inputs::new().set("size", 4_usize))
        .unwrap();
    assert_eq!(clones() - before, 1);
    assert_eq!(out.get::<Big>("big").unwrap(), &Big(vec![0, 1, 2, 3]));
    assert_eq!(out.get::<u64>("total").unwrap(), &6);
}

#[test]
fn a_given_input_read_by_value_once_is_moved() {
    let dr = Driver::builder()
        .with_modules([hamilton_core::nodes![owned::given_len, owned::maybe_len]])
        .build()
        .unwrap();
    let before = clones();
    let out = dr
        .execute(
            &["given_len", "maybe_len"],
            Inputs::new()
                .set("given", Big(vec![1, 2, 3]))
                .set("maybe", Big(vec![1])),
        )
        .unwrap();
    assert_eq!(out.get::<usize>("given_len").unwrap(), &3);
    assert_eq!(out.get::<usize>("maybe_len").unwrap(), &1);
    assert_eq!(clones() - before, 0);
    let out = dr.execute(&["maybe_len"], Inputs::new()).unwrap();
    assert_eq!(out.get::<usize>("maybe_len").unwrap(), &0);
}

#[test]
fn a_requested_value_is_handed_to_the_outputs_not_dropped() {
    let dr = Driver::builder()
        .with_modules([chain::MODULE])
        .build()
        .unwrap();
    take_log();
    // `seed` feeds `a`; `late` is not requested, so nothing else is kept.
    let out = dr.execute(&["a"], Inputs::new().set("seed", 3_u8)).unwrap();
    assert_eq!(take_log(), ["run:a(3)"]);
    drop(out);
    assert_eq!(take_log(), ["drop:a"]);
}

#[test]
fn two_parameters_reading_one_value_both_receive_it_whichever_takes_it_by_value() {
    use hamilton_core::node::{Args, Node};
    let concat = |first_owned: bool, second_owned: bool| {
        let mut b = Node::builder("twice");
        b = if first_owned {
            b.owned_param::<String>("word")
        } else {
            b.param::<String>("word")
        };
        b = if second_owned {
            b.owned_param::<String>("word")
        } else {
            b.param::<String>("word")
        };
        b.build(move |x: &Args| {
            let read = |i: usize, owned: bool| -> Result<String, hamilton_core::node::ArgError> {
                if owned {
                    x.take::<String>(i)
                } else {
                    x.get::<String>(i).cloned()
                }
            };
            Ok(read(0, first_owned)? + &read(1, second_owned)?)
        })
    };
    for (first_owned, second_owned) in [(true, false), (false, true), (true, true), (false, false)]
    {
        let dr = Driver::builder()
            .with_nodes([
                Node::builder("word")
                    .param::<String>("seed")
                    .build(|x: &Args| Ok(x.get::<String>(0)?.to_uppercase())),
                concat(first_owned, second_owned),
            ])
            .build()
            .unwrap();
        let out = dr
            .execute(&["twice"], Inputs::new().set("seed", "ab"))
            .unwrap();
        assert_eq!(
            out.get::<String>("twice").unwrap(),
            "ABAB",
            "first owned: {first_owned}, second owned: {second_owned}"
        );
    }
}
