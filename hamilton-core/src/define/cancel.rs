//! Stopping a run from outside it: a [`Cancel`] handle given to a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

/// A handle that cancels the runs given it ([`Request::cancel_with`](crate::Request::cancel_with)),
/// from any thread: no node starts after [`cancel`](Self::cancel) is called (nodes already
/// running finish, since Rust cannot stop a function from outside), tasks queued for workers are
/// taken back from the broker, and the run returns [`Error::Cancelled`] naming the first node
/// that did not start. Clones share one state; a handle, once cancelled, stays cancelled.
///
/// ```
/// use hamilton_core::{Cancel, Driver, Error, node::{Args, Node}};
/// let cancel = Cancel::new();
/// let stop = cancel.clone();
/// let dr = Driver::builder()
///     .with_nodes([
///         // A node that cancels the run it is part of, as another thread or a signal handler would.
///         Node::builder("a").build(move |_: &Args| { stop.cancel(); Ok(1_i64) }),
///         Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
///     ])
///     .build()
///     .unwrap();
/// let err = dr.request(&["b"]).cancel_with(&cancel).execute().unwrap_err();
/// assert!(matches!(&err, Error::Cancelled { node } if node == "b"));
/// assert!(cancel.is_cancelled());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A handle not yet cancelled.
    ///
    /// ```
    /// assert!(!hamilton_core::Cancel::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every run given this handle (or a clone of it), now and later.
    ///
    /// ```
    /// let cancel = hamilton_core::Cancel::new();
    /// cancel.clone().cancel();
    /// assert!(cancel.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether [`cancel`](Self::cancel) was called on this handle or a clone of it.
    ///
    /// ```
    /// let cancel = hamilton_core::Cancel::new();
    /// assert!(!cancel.is_cancelled());
    /// cancel.cancel();
    /// assert!(cancel.is_cancelled());
    /// ```
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The run's error when `cancel` was cancelled before `node` started; `None` to go on. What
/// every executor asks before it starts a node.
#[inline]
pub(crate) fn check(cancel: Option<&Cancel>, node: &str) -> Result<(), Error> {
    match cancel {
        Some(cancel) if cancel.is_cancelled() => Err(Error::Cancelled {
            node: node.to_string(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_state() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(check(Some(&a), "x").is_ok());
        b.cancel();
        assert!(a.is_cancelled());
        let err = check(Some(&a), "x").unwrap_err();
        assert!(matches!(err, Error::Cancelled { node } if node == "x"));
    }

    #[test]
    fn no_handle_never_stops() {
        assert!(check(None, "x").is_ok());
    }
}
