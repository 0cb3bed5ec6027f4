//! The result store: where values cross between the driver and its workers.
