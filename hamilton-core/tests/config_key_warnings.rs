//! By default a misspelt config key is a `tracing` warning with the text strict mode's error
//! has. Alone in its test binary: `tracing` caches whether a call site is enabled, and a test on
//! another thread without a subscriber could turn this test's call sites off.

use hamilton_core::Config;

#[path = "common/pricing.rs"]
mod pricing;

use pricing::{build, rate_de_at};

/// Collects the messages of `warn!` events.
#[derive(Default, Clone)]
struct Warnings(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message<'a>(&'a mut String);
        impl tracing::field::Visit for Message<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    *self.0 = format!("{value:?}");
                }
            }
        }
        if *event.metadata().level() == tracing::Level::WARN {
            let mut text = String::new();
            event.record(&mut Message(&mut text));
            self.0.lock().unwrap().push(text);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn by_default_a_misspelt_key_is_a_warning_with_the_same_text() {
    let warnings = Warnings::default();
    let built = tracing::subscriber::with_default(warnings.clone(), || {
        build(Config::new().set("home_marekt", "DE"), false)
    });
    assert!(built.is_ok());
    let seen = warnings.0.lock().unwrap().clone();
    let at = rate_de_at();
    assert_eq!(
        seen,
        [
            format!(
                "config key `home_market` is tested by `when` of `rate__de` ({at}) but no config sets it; did you mean config key `home_marekt`? Fix the spelling of one of the two"
            ),
            "config key `home_marekt` is read by no node and tested by no `when` condition; did you mean `home_market`? Fix the spelling of the key".to_string(),
        ]
    );
}
