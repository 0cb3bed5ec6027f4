//! Fan-out written with `#[node]`: a function returning `Parallel<T>` fans out, a parameter of
//! type `Collect<T>` (by reference or by value) gathers the items' results.

use hamilton_core::fanout::{Collect, Parallel};
use hamilton_core::{BuildError, Driver, Error, Inputs, node, node::Node, nodes};

/// Hamilton's sum-of-squares-and-cubes example, one `#[node]` per step.
mod squares {
    use hamilton_core::fanout::{Collect, Parallel};
    use hamilton_core::node;
    hamilton_core::module!();

    /// One item per step.
    #[node]
    pub(crate) fn steps(number_of_steps: &u64) -> Parallel<u64> {
        (0..*number_of_steps).collect()
    }

    #[node]
    pub(crate) fn step_squared(steps: &u64) -> u64 {
        steps * steps
    }

    #[node]
    pub(crate) fn step_cubed(steps: u64) -> u64 {
        steps.pow(3)
    }

    #[node]
    pub(crate) fn step_squared_plus_step_cubed(step_squared: &u64, step_cubed: &u64) -> u64 {
        step_squared + step_cubed
    }

    /// Gathered by reference.
    #[node]
    pub(crate) fn sum_step_squared_plus_step_cubed(
        step_squared_plus_step_cubed: &Collect<u64>,
    ) -> u64 {
        step_squared_plus_step_cubed.iter().sum()
    }

    /// Gathered by value: the `Collect` is moved in when nothing else reads it.
    #[node]
    pub(crate) fn all_cubes(step_cubed: Collect<u64>) -> Vec<u64> {
        step_cubed.0
    }

    #[node]
    pub(crate) fn final_result(
        number_of_steps: &u64,
        sum_step_squared_plus_step_cubed: &u64,
    ) -> u64 {
        number_of_steps + sum_step_squared_plus_step_cubed
    }
}

fn expected(n: u64) -> u64 {
    n + (0..n).map(|i| i * i + i * i * i).sum::<u64>()
}

#[test]
fn the_macro_records_the_fan_out_and_the_collecting_parameters() {
    let steps = Node::from_def(<squares::steps>::DEF);
    assert_eq!(steps.fan_out().map(|f| f.item.name()), Some("u64"));
    assert_eq!(steps.output().name(), "Parallel<u64>");
    let sum = Node::from_def(<squares::sum_step_squared_plus_step_cubed>::DEF);
    assert_eq!(sum.params()[0].gather().map(|g| g.item.name()), Some("u64"));
    assert_eq!(sum.params()[0].ty().name(), "Collect<u64>");
    let plain = Node::from_def(<squares::step_squared>::DEF);
    assert!(plain.fan_out().is_none() && plain.params()[0].gather().is_none());
}

#[test]
fn sum_of_squares_and_cubes_with_a_module_of_node_functions() {
    let dr = Driver::builder()
        .with_modules([squares::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["final_result", "all_cubes"],
            Inputs::new().set("number_of_steps", 5_u64),
        )
        .unwrap();
    assert_eq!(out.get::<u64>("final_result").unwrap(), &expected(5));
    assert_eq!(
        out.get::<Vec<u64>>("all_cubes").unwrap(),
        &[0, 1, 8, 27, 64]
    );
}

#[test]
fn the_same_nodes_listed_with_nodes_run_on_the_parallel_executor() {
    use squares::*;
    let dr = Driver::builder()
        .with_modules([nodes![
            steps,
            step_squared,
            step_cubed,
            step_squared_plus_step_cubed,
            sum_step_squared_plus_step_cubed,
            all_cubes,
            final_result,
        ]])
        .with_parallelism(3)
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["final_result"],
            Inputs::new().set("number_of_steps", 20_u64),
        )
        .unwrap();
    assert_eq!(out.get::<u64>("final_result").unwrap(), &expected(20));
}

#[test]
fn both_collects_of_one_fan_out_see_the_items_in_order() {
    let dr = Driver::builder()
        .with_modules([squares::MODULE])
        .build()
        .unwrap();
    // `all_cubes` (by value) and `sum_step_squared_plus_step_cubed` (by reference) gather
    // different block nodes of the same fan-out.
    let out = dr
        .execute(
            &["all_cubes", "sum_step_squared_plus_step_cubed"],
            Inputs::new().set("number_of_steps", 3_u64),
        )
        .unwrap();
    assert_eq!(out.get::<Vec<u64>>("all_cubes").unwrap(), &[0, 1, 8]);
    assert_eq!(
        out.get::<u64>("sum_step_squared_plus_step_cubed").unwrap(),
        &(1 + 1 + 4 + 8)
    );
}

#[test]
fn a_collect_read_twice_by_value_and_by_reference() {
    #[node]
    fn first(step_cubed: Collect<u64>) -> usize {
        step_cubed.len()
    }
    #[node]
    fn second(step_cubed: &Collect<u64>) -> u64 {
        step_cubed.iter().max().copied().unwrap_or(0)
    }
    use squares::{step_cubed, steps};
    let dr = Driver::builder()
        .with_modules([nodes![steps, step_cubed, first, second]])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["first", "second"],
            Inputs::new().set("number_of_steps", 4_u64),
        )
        .unwrap();
    assert_eq!(out.get::<usize>("first").unwrap(), &4);
    assert_eq!(out.get::<u64>("second").unwrap(), &27);
}

#[derive(Debug)]
struct TooMany(u64);

impl std::fmt::Display for TooMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} files is too many", self.0)
    }
}

impl std::error::Error for TooMany {}

/// A fallible fan-out.
#[node]
fn files(count: &u64) -> Result<Parallel<String>, TooMany> {
    if *count > 3 {
        return Err(TooMany(*count));
    }
    Ok((0..*count).map(|i| format!("file{i}.csv")).collect())
}

#[node]
fn size(files: &str) -> usize {
    files.len()
}

#[node]
fn total_size(size: Collect<usize>) -> usize {
    size.into_iter().sum()
}

#[test]
fn a_fallible_fan_out_splits_its_ok_value_and_fails_with_its_error() {
    let dr = Driver::builder()
        .with_modules([nodes![files, size, total_size]])
        .build()
        .unwrap();
    let out = dr
        .execute(&["total_size"], Inputs::new().set("count", 3_u64))
        .unwrap();
    assert_eq!(out.get::<usize>("total_size").unwrap(), &27);
    let err = dr
        .execute(&["total_size"], Inputs::new().set("count", 9_u64))
        .unwrap_err();
    assert!(
        matches!(&err, Error::NodeFailed { node, .. } if node == "files"),
        "{err}"
    );
    assert!(err.to_string().contains("9 files is too many"), "{err}");
}

/// An async fan-out: the items are listed remotely.
#[node]
async fn listed(count: &u64) -> Parallel<u64> {
    tokio::task::yield_now().await;
    Parallel((1..=*count).collect())
}

#[node]
fn doubled(listed: &u64) -> u64 {
    listed * 2
}

#[node]
async fn stored(doubled: Collect<u64>) -> String {
    tokio::task::yield_now().await;
    format!("{:?}", doubled.0)
}

#[tokio::test]
async fn an_async_fan_out_and_an_async_collect_run_under_execute_async() {
    let dr = Driver::builder()
        .with_modules([nodes![listed, doubled, stored]])
        .build()
        .unwrap();
    let out = dr
        .execute_async(&["stored"], Inputs::new().set("count", 3_u64))
        .await
        .unwrap();
    assert_eq!(out.get::<String>("stored").unwrap(), "[2, 4, 6]");
}

#[node]
fn bonus(n: &u64) -> u64 {
    n * 100
}

#[node]
fn gathered(bonus: &Collect<u64>) -> u64 {
    bonus.iter().sum()
}

#[test]
fn a_collect_without_a_fan_out_is_a_build_error() {
    let err = Driver::builder()
        .with_modules([nodes![bonus, gathered]])
        .build()
        .unwrap_err();
    assert!(
        matches!(&err.build_errors()[0], BuildError::CollectWithoutFanOut { node, param } if node == "gathered" && param == "bonus"),
        "{err}"
    );
}

#[node]
fn collects_the_fan_out_itself(steps: &Collect<u64>) -> usize {
    steps.len()
}

#[test]
fn collecting_the_fan_out_node_itself_is_a_build_error() {
    let err = Driver::builder()
        .with_modules([nodes![squares::steps, collects_the_fan_out_itself]])
        .build()
        .unwrap_err();
    assert!(
        err.build_errors().iter().any(|e| matches!(e, BuildError::CollectOfFanOutItself { node, fan_out } if node == "collects_the_fan_out_itself" && fan_out == "steps")),
        "{err}"
    );
}
