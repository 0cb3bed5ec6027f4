//! Values to bytes and back, through the cache's type registry.
