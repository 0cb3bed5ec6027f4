//! An output that is a `#[node]` of a module not passed to the driver (a forgotten module, or
//! a forgotten `module!()`) is reported as such, naming the module and where the node is.

use hamilton_core::{Driver, Inputs, RequestError};

/// Orders, passed to the driver.
pub mod orders {
    use hamilton_core::node;

    hamilton_core::module!();

    /// How many orders.
    #[node]
    pub fn order_count() -> i64 {
        3
    }
}

/// Customers, not passed to the driver.
pub mod customers {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Orders per customer.
    #[node]
    pub fn customer_order_count(order_count: &i64) -> i64 {
        order_count / 2
    }
}

/// Where `customer_order_count` is defined.
fn customer_order_count_at() -> String {
    let dr = Driver::builder()
        .with_modules([orders::MODULE, customers::MODULE])
        .build()
        .unwrap();
    dr.node("customer_order_count")
        .unwrap()
        .location()
        .unwrap()
        .to_string()
}

#[test]
fn an_output_of_a_module_not_passed_names_the_module() {
    let dr = Driver::builder()
        .with_modules([orders::MODULE])
        .build()
        .unwrap();
    let err = dr
        .execute(&["customer_order_count"], Inputs::new())
        .unwrap_err();
    let at = customer_order_count_at();
    assert!(at.contains("unpassed_module.rs:"), "{at}");
    assert_eq!(
        err.request_errors(),
        [RequestError::NodeOfUnpassedModule {
            name: "customer_order_count".into(),
            module: "unpassed_module::customers".into(),
            at: at.clone(),
        }]
    );
    assert_eq!(
        err.request_errors()[0].to_string(),
        format!(
            "unknown output `customer_order_count`: `customer_order_count` is a node of module `unpassed_module::customers` ({at}), which was not passed to the driver; add its `MODULE` (declared by `hamilton_core::module!()` in `unpassed_module::customers`) to `with_modules([..])`"
        )
    );
}

#[test]
fn an_output_no_module_has_is_unknown_with_a_suggestion() {
    let dr = Driver::builder()
        .with_modules([orders::MODULE])
        .build()
        .unwrap();
    let err = dr.execute(&["order_cnt"], Inputs::new()).unwrap_err();
    assert!(
        matches!(err.request_errors(), [RequestError::UnknownOutput { name, .. }] if name == "order_cnt"),
        "{err}"
    );
}

#[test]
fn a_node_listed_by_hand_from_the_module_counts_as_passed() {
    let dr = Driver::builder()
        .with_modules([
            orders::MODULE,
            hamilton_core::nodes![customers::customer_order_count],
        ])
        .build()
        .unwrap();
    let out = dr
        .execute(&["customer_order_count"], Inputs::new())
        .unwrap();
    assert_eq!(out.get::<i64>("customer_order_count").unwrap(), &1);
}
